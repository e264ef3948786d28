"""The training loop: time-boxed chunks of training on the worker's timer, and when a
frame is due. Its own module as it is the one place the worker's timing is decided."""

from __future__ import annotations

import time

from PySide6.QtCore import Slot

from nnviz.core import compiled

FRAME_S = 1.0 / 60.0     # one frame at 60 Hz
CHUNK_S = 0.012          # longest stretch of training between two looks at the queue
STALE_S = 0.25           # emit anyway if the GUI has not acknowledged a frame for this long


class TrainingLoop:
    """Mixin of TrainingWorker: _tick is called by the worker's own timer, created in the
    worker thread (TrainingWorker.start), so it runs there."""

    @Slot()
    def _tick(self) -> None:
        """One time-boxed chunk of training, then maybe a Snapshot."""
        if not self._playing or self.trainer is None:
            return
        if self._held():             # more requests of one GUI pass are on their way
            self._timer.stop()       # release() starts it again
            return
        now = time.perf_counter()
        if self._speed > 0:
            self._owed = min(self._owed + (now - self._last_tick) * self._speed, 10.0 + self._speed * FRAME_S)
        self._last_tick = now
        # end the chunk when the next frame is due, so frames are not late by a chunk; if
        # one is due but the GUI has not caught up yet, look again soon
        frame_due = self._last_emit + FRAME_S
        deadline = min(now + CHUNK_S, frame_due) if frame_due > now else now + CHUNK_S / 3
        t = self.trainer
        # the engine is part of the key: numpy's times (while the kernel compiles) say nothing of the kernel's
        self._box.follow((id(t), t.config, len(t.train_x), len(t.test_x), compiled.available()))
        while (now := time.perf_counter()) < deadline:
            # as much as fits before the deadline, in one kernel call (one GIL hand-over)
            kind, n = self._box.plan(deadline - now, t.batches_per_epoch, t.batch)
            if self._speed > 0 and self._owed < 1:
                break
            if kind == "epochs":
                if self._speed > 0:     # one epoch a call: each one's position joins the path
                    n = min(n, int(self._owed), 1)
                if self.epoch_limit:
                    n = min(n, max(self.epoch_limit - t.epoch, 1))
                ran = done = t.train_epochs(n, self.target_loss)
                self._pace(done)             # the other runs side by side, as many epochs
                self._box.measured(time.perf_counter() - now, done * t.batches_per_epoch)
            else:            # part of an epoch: the epoch is longer than what is left of the box
                ran = t.train_batches(n)
                if ran:
                    self._pace_part()        # the other runs as far through their epoch
                self._box.measured(time.perf_counter() - now, ran)
                done = 1 if ran and t.batch == 0 else 0
                self._unscored = t.batch != 0   # losses are scored at the epoch's end
            if ran:
                self._trained()
                if self._speed > 0:
                    self._landscape_moved()
            if self._speed > 0:
                self._owed -= done
            if ran < n or t.diverged or self._stop_reason() or (t.stuck and t.stuck != self._told_stuck):
                break                           # (a network found unable to learn pauses below)
        reason = "" if t.diverged else self._stop_reason()
        if self._check_divergence() or self._check_stuck() or reason:
            if reason:
                self.status_posted.emit(f"Paused at epoch {t.epoch:,}: {reason}.")
            self._pause_quietly()
            self._emit()
            return
        since = time.perf_counter() - self._last_emit
        # back-pressure with one frame in flight: the GUI has the next frame ready when it
        # finishes painting, but frames it could not paint are not built
        if since >= FRAME_S and (self._shown_seq >= self._seq - 1 or since >= STALE_S):
            self._emit()
        elif self._speed > 0:
            self._sleep_until_due()

    def _sleep_until_due(self) -> None:
        """At a limited speed, idle the timer instead of spinning on an empty chunk."""
        wait_s = (1.0 - self._owed) / self._speed if self._owed < 1.0 else 0.0
        self._timer.setInterval(int(min(max(wait_s, 0.0), FRAME_S) * 1000))
