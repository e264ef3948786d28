"""TrainingWorker: owns every Trainer (the runs side by side, runs.py) and runs them in
its own QThread.

Requests arrive as queued slot calls; training runs in time-boxed chunks on a timer
inside the worker thread, so every request is handled between chunks and none is lost.
While playing it emits at most one Snapshot per frame; after every step, edit or
change exactly one.

When a request takes effect (the rules the window and its tests rely on):

- Requests are applied one at a time, in the order they were sent, each between two
  chunks (never inside a kernel call), so an edit lands on a step boundary.
- Requests sent together (in one pass of the GUI's event loop) are applied together:
  the window holds the worker from its first request of a pass (`hold_upto`) until the
  `release` it queues behind the last one, and no chunk starts while held. So an edit,
  a settings change and a Step sent together give the edited weights, the new settings
  and then exactly one step, with no training in between, whatever the timing.
- Step (batch or epoch) pauses first, then steps from where the network is; nothing
  trains after it until Play. An edit or a learning-rate change while playing is
  applied at the step boundary where it arrives, and playing goes on (as in the
  Playground); a change that rebuilds the network restarts it at epoch 0, still playing.
- A settings change carries the fields the user changed, and they are applied to the
  settings the worker runs (`change_config`), which may be newer than the ones the
  controls showed (an opened session, imported or drawn points); the controls are told
  whenever the result differs from what they show (`config_replaced`).
- An edit carries the number of the network it was aimed at (Snapshot.network_id);
  it is refused with a message once that network was rebuilt, reset, replaced by an
  opened session or given imported weights.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import deque

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnviz.core import compiled
from nnviz.core.config import Config, repair
from nnviz.core.learn.explain import explain_step, step_pictures
from nnviz.core.train.trainer import Trainer
from nnviz.worker.edits import EditTracking
from nnviz.worker.files import FILE_REQUESTS, FileSlots
from nnviz.worker.landscape import LandscapeSlots
from nnviz.worker.runs import RunSlots
from nnviz.worker.strokes import StrokeSlots
from nnviz.worker.timebox import TimeBox

FRAME_S = 1.0 / 60.0     # one frame at 60 Hz
CHUNK_S = 0.012          # longest stretch of training between two looks at the queue
MAX_SPEED = 0            # speed value meaning "as fast as it goes"
STALE_S = 0.25           # emit anyway if the GUI has not acknowledged a frame for this long
KERNEL_POLL_MS = 100     # how often to look whether the kernel is loaded (or compiled)
COMPILING = ("First start on this computer: the fast training kernel is being compiled in the "
             "background (about half a minute). Training already runs, with plain numpy.")


class TrainingWorker(RunSlots, LandscapeSlots, FileSlots, EditTracking, StrokeSlots, QObject):
    """The training side of the application (QtCore only, no widgets).

    Signals:
        snapshot_ready(object): a new core.snapshot.Snapshot (arrays are copies).
        message_posted(str): something the user should read (divergence, a bad file).
        status_posted(str): news for the status bar (a stop condition paused training).
        file_done(str, str): (action, path) after a file was written or read.
        file_failed(str, str): (action, message) when it failed; nothing was changed.
        stopped(): the worker has stopped its timer; the thread may quit.
        config_replaced(object): the settings the worker runs differ from those the
            controls were last known to show (custom data, an opened session, a change
            applied to newer settings); emitted just before the Snapshot that shows it.
        engine_changed(str): what the status bar should keep saying about the training
            kernel while it compiles ('' once there is nothing to say).
        explanation_ready(object): (seq, Explanation, (grid before, grid after)) of an
            update worked out but not made; seq is that of the Snapshot emitted next.
        explanation_failed(str): why no update could be explained (no points, diverged).
        edit_applied(object): (target, old, new, network number) after a hand edit of a
            weight or bias, old read exactly as it was (see edits.py); before its Snapshot.
        data_edited(object): (DataChange, network number) after a stroke of points drawn,
            erased or cleared (see strokes.py); before its Snapshot.
        landscape_ready(object): a core Landscape for the landscape panel (see landscape.py).

    Attribute hold_upto: written by the GUI thread only (see the module doc); no chunk
    starts while it is ahead of the last `release`.
    """

    snapshot_ready = Signal(object)
    message_posted = Signal(str)
    status_posted = Signal(str)
    file_done = Signal(str, str)
    file_failed = Signal(str, str)
    stopped = Signal()
    config_replaced = Signal(object)
    engine_changed = Signal(str)
    explanation_ready = Signal(object)
    explanation_failed = Signal(str)
    edit_applied = Signal(object)
    data_edited = Signal(object)
    landscape_ready = Signal(object)

    def __init__(self, config: Config):
        super().__init__()
        self._config = config            # the settings the controls were last known to show
        self._init_runs()                # self.trainer: the active run's (runs.py)
        self._timer: QTimer | None = None
        self._playing = False
        self._speed = MAX_SPEED          # epochs per second; 0 = as fast as it goes
        self._seq = 0
        self._shown_seq = 0              # newest seq the GUI says it has painted
        self._last_emit = 0.0
        self._owed = 0.0                 # fractional epochs owed at a limited speed
        self._last_tick = 0.0
        self._box = TimeBox(CHUNK_S)     # sizes a chunk from measured times
        self._unscored = False           # trained part of an epoch since the losses were scored
        self.hold_upto = 0               # see the module doc; only the GUI thread writes it
        self._released = 0
        self._edit_log: deque[str] = deque(maxlen=20)
        self.epoch_limit = 0             # config.stop_epoch while it lies ahead, else 0 (none)
        self.target_loss = 0.0           # config.stop_loss while not yet reached, else 0 (none)
        self.session_extra: dict = {}    # GUI settings read from the last opened session
        self._kernel = None              # kernel_build.KernelPreparation: loading or compiling the kernel
        self._kernel_timer: QTimer | None = None
        self._init_tracking()
        self._told_stuck = ""            # the "can no longer learn" message already shown
        self._explained = None           # the last Explanation sent, until applied or replaced

    # -- life cycle (runs in the worker thread) -------------------------------------
    @Slot()
    def start(self) -> None:
        """Build the trainer and the timer inside the worker thread (a QTimer belongs to the thread that created it).

        The first Snapshot comes from numpy at once; the kernel is loaded from numba's cache
        beside the training (a fraction of a second, most of it numba starting up) or, on a
        first start, compiled in a child process first; numpy trains until it is loaded.
        """
        compiled.defer()
        if self.trainer is None:
            self.trainer = Trainer(self._config)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._landscape_start()
        self._emit()
        self._prepare_kernel()

    @Slot()
    def _prepare_kernel(self) -> None:
        from nnviz.core.train.kernel_build import KernelPreparation
        self._kernel = KernelPreparation()
        self._report_kernel(self._kernel.start())
        self._kernel_timer = QTimer(self)
        self._kernel_timer.setInterval(KERNEL_POLL_MS)
        self._kernel_timer.timeout.connect(self._poll_kernel)
        self._kernel_timer.start()

    @Slot()
    def _poll_kernel(self) -> None:
        """Once the kernel is loaded, training takes it up at the next chunk."""
        self._report_kernel(self._kernel.poll())
        if self._kernel.finished:
            self._kernel_timer.stop()

    def _report_kernel(self, event: str | None) -> None:
        if event == "compiling":
            self.engine_changed.emit(COMPILING)
        elif event == "ready":
            self.engine_changed.emit("")
            self.status_posted.emit("The fast training kernel is ready.")
        elif event == "failed":
            self.engine_changed.emit(
                f"The fast training kernel could not be compiled or cached ({self._kernel.error}): "
                "training goes on with plain numpy, which is slower. numba needs a writable cache "
                "folder (NUMBA_CACHE_DIR).")

    @Slot()
    def stop(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
        self._landscape_stop()
        if self._kernel is not None:   # closing during the compile: end the child, wait for it
            self._kernel_timer.stop()
            self._kernel.stop()
        self.stopped.emit()
        # The worker and its timers are deleted here, in their own thread, as it finishes
        # (Qt runs the deferred deletes of a thread when it ends). Left to Python's cyclic
        # garbage collector they would be deleted in whatever thread it next runs in.
        self.deleteLater()
        self.thread().quit()  # quit is thread-safe; a queued quit would never run while the GUI thread waits

    # -- transport --------------------------------------------------------------------
    @Slot()
    def play(self) -> None:
        if self.trainer is None or self.trainer.diverged:
            self._emit()
            return
        self._playing = True
        self._arm_stop_conditions()
        self._owed = 0.0
        self._last_tick = time.perf_counter()
        self._timer.start()
        self._emit()

    @Slot()
    def pause(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
        self._emit()

    @Slot()
    def step_batch(self) -> None:
        self._pause_quietly()
        if self.trainer is not None and not self.trainer.diverged:
            self.trainer.step_batch()
            self._step_others(whole_epoch=False)
            self._trained()
            self._check_divergence() or self._check_stuck()
        self._emit()

    @Slot()
    def step_epoch(self) -> None:
        self._pause_quietly()
        if self.trainer is not None and not self.trainer.diverged:
            self.trainer.step_epoch()
            self._step_others(whole_epoch=True)
            self._trained()
            self._check_divergence() or self._check_stuck()
        self._emit()

    @Slot()
    def reset(self) -> None:
        self._pause_quietly()
        self.runs.reset()                # every run back to epoch 0: the comparison starts again
        self._told_runs.clear()
        self._edit_log.clear()
        self._emit()

    @Slot(int)
    def snapshot_shown(self, seq: int) -> None:
        """The GUI painted Snapshot seq; the next one may be built."""
        self._shown_seq = max(self._shown_seq, seq)

    @Slot(float)
    def set_speed(self, epochs_per_second: float) -> None:
        self._speed = max(0.0, float(epochs_per_second))
        self._owed = 0.0

    @Slot(int)
    def release(self, upto: int) -> None:
        """The GUI sent every request of one pass of its event loop: training may go on."""
        self._released = max(self._released, upto)
        if self._playing and self._timer is not None:
            self._timer.start()

    def _held(self) -> bool:
        return self.hold_upto > self._released

    # -- changes ----------------------------------------------------------------------
    @Slot(object)
    def set_config(self, config: Config) -> None:
        """Run these settings (all of them); what is rebuilt follows config.reset_scope."""
        self._config = config
        self._apply_config(config)

    @Slot(object, object)
    def change_config(self, changes: dict, shown: Config) -> None:
        """Apply the fields a user changed to the settings this worker runs.

        `shown` is what the controls show after the change; when the result differs
        (they showed older settings), config_replaced tells them the truth.
        """
        self._config = shown
        if self.trainer is not None:
            self._apply_config(repair(self.trainer.config, changes))

    def _apply_config(self, config: Config) -> None:
        if self.trainer is None:
            return
        was_playing = self._playing
        self._pause_quietly()
        old = self.trainer.config
        try:
            self.trainer.set_config(config)
        except ValueError as exc:      # e.g. a generator refusing its settings: nothing changed
            self.message_posted.emit(f"Settings not applied: {exc}")
        else:
            self._others_follow(old, self.trainer.config)
        self._settings_applied()
        if was_playing and not self.trainer.diverged:
            self.play()
        else:
            self._emit()

    @Slot(int)
    def regenerate(self, seed: int) -> None:
        """New data points, same weights and epoch (the Playground's Regenerate)."""
        self.trainer.regenerate(seed)
        self._others_do("regenerate", seed)
        self._data_changed()
        self._emit()

    @Slot(object, object)
    def set_data(self, train, test) -> None:
        self.trainer.set_data(train, test)
        self._others_do("set_data", train, test)
        self._data_changed()
        self._emit()

    @Slot(object)
    def replace_trainer(self, trainer: Trainer) -> None:
        """Take over a trainer built from a session file (the caller keeps no reference)."""
        self._pause_quietly()
        self.trainer = trainer
        self._edit_log.clear()
        self._emit()

    @Slot(str, object)
    def handle_file(self, name: str, args: tuple) -> None:
        """One queued entry for every file request (see worker_files.FILE_REQUESTS)."""
        if name in FILE_REQUESTS:
            getattr(self, name)(*args)

    # -- one step explained (core/learn/explain.py) ---------------------------------------
    @Slot(object)
    def explain(self, points) -> None:
        """Work out the next update (points None) or one from the given training points,
        without making it: training pauses, the trainer is left as it was."""
        self._pause_quietly()
        self._look = -1                  # the step explained is the live run's next one
        t = self.trainer
        if t is None:
            return
        if t.diverged:
            self.explanation_failed.emit("The network has diverged; press Reset before explaining a step.")
        else:
            try:
                exp = explain_step(t, points)
            except ValueError as exc:
                self.explanation_failed.emit(f"No step to explain: {exc}.")
            else:
                self._explained = exp
                self.explanation_ready.emit((self._seq + 1, exp, step_pictures(exp)))
        self._emit()

    @Slot(str)
    def apply_explained(self, key: str) -> None:
        """Make the explained update, if nothing changed since it was explained (key is its
        Trainer.state_key): the weights then equal the explanation's to the last bit."""
        self._pause_quietly()
        exp, t = self._explained, self.trainer
        if exp is None or t is None or exp.preview.state_key != key or t.state_key() != key:
            self.status_posted.emit("The network changed since that step was explained; nothing was applied.")
        else:
            self._explained = None
            if exp.preview.chosen:
                t.step_points(exp.points)
            else:
                t.step_batch()
            self._check_divergence() or self._check_stuck()
        self._emit()

    # -- training loop ----------------------------------------------------------------
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
                if self._speed > 0:
                    n = min(n, int(self._owed))
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

    def _arm_stop_conditions(self) -> None:
        """Take the settings' stop conditions for this run, those not already met: Play at
        epoch 150 with a limit of 100, or below the target loss, just trains on."""
        t, cfg = self.trainer, self.trainer.config
        self.epoch_limit = cfg.stop_epoch if cfg.stop_epoch > t.epoch else 0
        self.target_loss = cfg.stop_loss if not t.test_loss <= cfg.stop_loss else 0.0

    def _stop_reason(self) -> str:
        """Why an armed stop condition now holds, in words; "" while none does."""
        t = self.trainer
        if self.epoch_limit and t.epoch >= self.epoch_limit:
            return "the epoch limit set under Training"
        # the target is checked where the kernel checks it, at the end of an epoch
        if self.target_loss and t.batch == 0 and t.test_loss <= self.target_loss:
            return f"the test loss {t.test_loss:.4g} reached the target {self.target_loss:g} set under Training"
        return ""

    def _check_divergence(self) -> bool:
        message = self.trainer.diverged
        if message:
            self._pause_quietly()
            self.message_posted.emit(message)
        return bool(message)

    def _check_stuck(self) -> bool:
        """Pause once when the network is found unable to learn, and say why; Play then
        trains on, as the user may want to watch anyway."""
        message = self.trainer.stuck
        if not message or message == self._told_stuck:
            return False
        self._told_stuck = message
        self._pause_quietly()
        self.message_posted.emit(message)
        return True

    def _pause_quietly(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
            self._timer.setInterval(0)

    def _emit(self) -> None:
        if self.trainer is None:
            return
        if self.trainer.config != self._config:  # not what the controls show (see change_config)
            self._config = self.trainer.config
            self.config_replaced.emit(self._config)
        if self._unscored and not self._playing:   # paused mid-epoch: show the losses of these weights
            for t in (self.trainer, *self._others()):
                t.score()
            self._unscored = False
        self._seq += 1
        # frames are due a frame apart from when each began: a Snapshot that takes long to
        # build (every neuron's picture of a big network) then shortens the next chunk
        # instead of stretching the frame
        self._last_emit = time.perf_counter()
        snap = self.trainer.snapshot(seq=self._seq, playing=self._playing)
        snap = dataclasses.replace(snap, edit_log=tuple(self._edit_log), network_id=self._network_id(),
                                   unsaved=self.unsaved, runs=self.runs.views(snap.grid[-1]),
                                   active_run=self.runs.active)
        snap = self._look_snapshot(snap)
        if self._timer is not None and self._playing:
            self._timer.setInterval(0)
        self.snapshot_ready.emit(snap)
        self._landscape_changed()


GIL_SWITCH_S = 0.0005    # Python's default 5 ms: see start_worker


def start_worker(config: Config) -> tuple[TrainingWorker, QThread]:
    """Create the worker in a new thread and start it; the caller connects signals first.

    The worker takes the GIL back after every kernel call (they release it). While the
    GUI thread runs Python, that waits for the interpreter's switch interval, 5 ms by
    default: a shorter one gave network B about 13 % more epochs/s in the GUI benchmark,
    at no cost to the frame rate.
    """
    sys.setswitchinterval(GIL_SWITCH_S)
    thread = QThread()
    thread.setObjectName("nnviz-trainer")
    worker = TrainingWorker(config)
    worker.moveToThread(thread)
    thread.started.connect(worker.start)
    return worker, thread
