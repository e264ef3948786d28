"""Runs side by side and looks into the past, inside the worker thread.

Mixed into TrainingWorker (training.py), which owns a core RunSet: `self.trainer` is the
active run's Trainer, the one the big views show and the controls, edits and files act
on. The other runs train at the same pace (as many epochs, or the same Step) and share
every change of data.

A look back shows a checkpoint of the active run's timeline read-only while the live run
waits (training pauses, and resumes when the look ends if it was playing). It lasts while
the live state stays as it was: any request that changes it (Play, a Step, an edit, new
settings or data, another run chosen) ends the look, and the next Snapshot is live again.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QTimer, Slot

from nnviz.core.config import DATA_FIELDS, Config, reset_scope
from nnviz.core.learn.runs import RunSet
from nnviz.core.train.trainer import Trainer


class RunSlots:
    """The runs and the timeline's slots; see the module doc."""

    def _init_runs(self) -> None:
        self.runs: RunSet | None = None
        self._look = -1                  # checkpoint index looked at, -1: live
        self._look_key = None            # (trainer, revision) the look belongs to
        self._look_want = -1             # newest index asked for, shown on the next turn
        self._look_pending = False
        self._resume = False             # playing when the look began
        self._viewer: Trainer | None = None
        self._told_runs: set = set()     # side runs whose divergence was told

    # the active run's trainer; assigning one makes it the only run
    @property
    def trainer(self) -> Trainer | None:
        return None if self.runs is None else self.runs.trainer

    @trainer.setter
    def trainer(self, trainer: Trainer | None) -> None:
        self.runs = None if trainer is None else RunSet(trainer)
        self._viewer = None

    def _others(self) -> list[Trainer]:
        return [] if self.runs is None else self.runs.others()

    # -- the same pace ----------------------------------------------------------------
    def _pace(self, epochs: int) -> None:
        """The other runs train as many epochs as the active one just did."""
        if epochs > 0:
            for t in self._others():
                t.train_epochs(epochs)
            self._tell_side_divergence()

    def _pace_part(self) -> None:
        """The active run trained part of an epoch (an epoch longer than the time box): each
        other run goes as far through its own epoch (its batches may differ in number), and
        finishes it when the active run's epoch ended, so the runs stay epoch for epoch."""
        t = self.trainer
        for o in self._others():
            if o.diverged:
                continue
            per = o.batches_per_epoch
            want = per if t.batch == 0 else t.batch * per // t.batches_per_epoch
            if want > o.batch:
                o.train_batches(want - o.batch)
        self._tell_side_divergence()

    def _step_others(self, whole_epoch: bool) -> None:
        for t in self._others():
            if not t.diverged:
                t.step_epoch() if whole_epoch else t.step_batch()
        self._tell_side_divergence()

    def _tell_side_divergence(self) -> None:
        names = self.runs.names()
        for k, run in enumerate(self.runs.runs):
            if k != self.runs.active and run.trainer.diverged and id(run) not in self._told_runs:
                self._told_runs.add(id(run))
                self.status_posted.emit(f"The run \u201c{names[k]}\u201d diverged at epoch {run.trainer.epoch} "
                                        f"and stopped; the others train on.")

    def _others_do(self, name: str, *args) -> None:
        """The other runs make the same change of data as the active one (same points)."""
        for t in self._others():
            try:
                getattr(t, name)(*args)
            except ValueError as exc:
                self.message_posted.emit(f"A run side by side could not take the new data: {exc}")

    def _others_take_points(self) -> None:
        """Points drawn, erased or cleared on the active run (or a stroke undone): every run
        takes the same points."""
        if self._others():
            self._others_do("set_data", *self.trainer.datasets())

    def _others_follow(self, old: Config, new: Config) -> None:
        """New data settings of the active run (data set, noise, split, seed) go to every run."""
        if self.runs is None or reset_scope(old, new) != "data":
            return
        for t in self._others():
            t.set_config(t.config.replace(**{f: getattr(new, f) for f in DATA_FIELDS}))

    # -- runs -------------------------------------------------------------------------
    @Slot(object)
    def duplicate_run(self, changes: dict) -> None:
        """A new run like the active one with these settings changed (see core RunSet)."""
        try:
            k = self.runs.duplicate(None, **dict(changes))
        except ValueError as exc:
            self.message_posted.emit(f"No new run: {exc}")
        else:
            self.status_posted.emit(f"Run \u201c{self.runs.names()[k]}\u201d added: it starts at epoch 0 "
                                    f"from the same weights and data and trains at the same pace.")
            self._trained()
        self._emit()

    @Slot(int)
    def select_run(self, index: int) -> None:
        """The run the big views show and the controls act on."""
        try:
            self.runs.select(index)
        except ValueError as exc:
            self.message_posted.emit(str(exc))
        else:
            self._switched()
        self._emit()

    def _switched(self) -> None:
        """Another run is shown: its network has its own number (an edit aimed at the run
        shown before is refused, and the window's undo starts afresh), while the session's
        unsaved mark stays as it was (no run's training was saved by looking at another)."""
        unsaved = self._unsaved_training
        self._network_id()
        self._unsaved_training = unsaved

    @Slot(int)
    def remove_run(self, index: int) -> None:
        try:
            self.runs.remove(index)
        except ValueError as exc:
            self.message_posted.emit(f"Not removed: {exc}")
        else:
            self._trained()
        self._emit()

    @Slot(int)
    def keep_only_run(self, index: int) -> None:
        try:
            self.runs.keep_only(index)
        except ValueError as exc:
            self.message_posted.emit(str(exc))
        else:
            self._trained()
        self._emit()

    # -- the timeline -----------------------------------------------------------------
    @Slot(int)
    def look_back(self, index: int) -> None:
        """Show checkpoint `index` of the active run; the newest request wins."""
        if self.trainer is None:
            return
        if self._look < 0:
            self._resume = self._playing
        self._pause_quietly()
        self._look_want = int(index)
        if not self._look_pending:      # requests queued meanwhile are folded into one look
            self._look_pending = True
            QTimer.singleShot(0, self._show_look)

    @Slot()
    def _show_look(self) -> None:
        self._look_pending = False
        t, i = self.trainer, self._look_want
        if t is None or not 0 <= i < len(t.timeline):
            self.look_live()
            return
        if self._viewer is None or self._look_key != (id(t), t.revision):
            self._viewer = t.fork()
        self._viewer.load_checkpoint(t.timeline[i])
        self._look, self._look_key = i, (id(t), t.revision)
        self._emit()

    @Slot()
    def look_live(self) -> None:
        """Back to the live run (it plays on if it was playing when the look began)."""
        was = self._look >= 0
        self._look, self._look_want = -1, -1
        if was and self._resume:
            self._resume = False
            self.play()
        else:
            self._emit()

    def _looking(self) -> bool:
        """Whether the look is still of the present state (else it has ended)."""
        t = self.trainer
        if self._look >= 0 and (t is None or self._look_key != (id(t), t.revision)):
            self._look, self._resume = -1, False
        return self._look >= 0

    @Slot(int)
    def restore_checkpoint(self, index: int) -> None:
        """The active run goes back to checkpoint `index` and continues from there as it did;
        the checkpoints after it are forgotten."""
        t = self.trainer
        self._look = -1
        try:
            t.restore_checkpoint(index)
        except (IndexError, ValueError) as exc:
            self.message_posted.emit(f"Not restored: {exc}")
        else:
            self._new_weights()          # edits made later no longer apply: undo is cleared
            self._trained()
            self._told_stuck = ""
            self._log_edit(f"restored to epoch {t.epoch}")
            self.status_posted.emit(f"Restored to epoch {t.epoch}: training goes on from there as it did.")
        self._emit()

    @Slot(int)
    def branch_checkpoint(self, index: int) -> None:
        """A new run from checkpoint `index` of the active run; the original goes on unchanged."""
        self._look = -1
        try:
            k = self.runs.branch(self.runs.active, index)
        except (IndexError, ValueError) as exc:
            self.message_posted.emit(f"No branch: {exc}")
        else:
            self.runs.select(k)
            self._trained()
            self.status_posted.emit(f"Branched at epoch {self.trainer.epoch}: the new run is shown; "
                                    f"change its settings and train both side by side.")
        self._emit()

    def _look_snapshot(self, snap):
        """The Snapshot to emit: the checkpoint looked at (with the live run's curves,
        timeline and runs), or the live one."""
        if not self._looking() or self._viewer is None:
            return snap
        live = snap
        past = self._viewer.snapshot(seq=live.seq, playing=False)
        return dataclasses.replace(
            past, history_epoch=live.history_epoch, history_train=live.history_train,
            history_test=live.history_test, history_grad=live.history_grad, history_stride=live.history_stride,
            timeline_epochs=live.timeline_epochs, timeline_reasons=live.timeline_reasons, viewing=self._look,
            live_epoch=live.epoch, runs=live.runs, active_run=live.active_run, edit_log=live.edit_log,
            network_id=live.network_id, unsaved=live.unsaved)
