"""The Trainer's timeline: checkpoints of its whole state, restore, and copies of a run.

A mixin of Trainer (trainer.py); timeline.py holds the checkpoints and says which are
kept. A checkpoint holds everything the next update reads (parameters, optimiser memory
and its update count, SGD's carried gradient and the points it sums, the dead links, the
counters, the learning rate and the other settings, the data in its order) and what the
views show (the last gradient, update and batch, the scores, the stuck and diverged
marks, the loss history's length), so a restored trainer continues bit for bit as the run did.
"""

from __future__ import annotations

import copy

import numpy as np

from nnviz.core.train.batches import Carry
from nnviz.core.train.optimizers import OptimizerState
from nnviz.core.train.timeline import Checkpoint, Timeline, due

Array = np.ndarray
# Arrays a checkpoint keeps only when they hold something other than +0.0 (an optimiser's
# unused memory is zeros; a restore puts zeros back).
SPARSE = ("opt_m", "opt_v", "carry_acc", "dead", "last_update")


def _keep(a: Array) -> Array | None:
    """A copy of a, or None when every entry is +0.0 (so zeros give it back bit for bit)."""
    if not a.any() and not np.signbit(a).any():
        return None
    return a.copy()


class TimelineMixin:
    """checkpoint, restore, load_checkpoint and fork for Trainer. `self._changed` says how
    the state differs from the newest checkpoint: None (it is that state), "train" or
    "edit" (a hand edit, new settings or data). `revision` grows with every change of the
    state (training, an edit, new settings or data, a restore): a look into the past is
    of the present only while it stays the same."""

    revision = 0

    def _timeline_begin(self, reason: str = "start") -> None:
        """A new timeline whose first checkpoint is the state as it is now."""
        self.timeline = Timeline()
        self.revision += 1
        self._changed = "edit"
        self._capture(reason)

    def _capture(self, reason: str) -> None:
        """Add a checkpoint of the state as it is now (never of a diverged network)."""
        if self._bad():
            return
        net = self.network
        arrays = {"params": net.params.copy(), "grad": self.grad.copy(), "opt_m": self._opt.m,
                  "opt_v": self._opt.v, "carry_acc": self._carry.acc, "dead": self._dead,
                  "last_update": self.last_update,
                  "out": self._out.copy(), "last_batch": self.last_batch.copy(), "carried": self.carried.copy()}
        for k in SPARSE:
            arrays[k] = _keep(arrays[k])
        ints = {"opt_t": int(self._opt.t), "carry_count": int(self._carry.count),
                "diverged_at": self._diverged_at, "stuck_at": self._stuck_at, "stuck_layer": self._stuck_layer}
        self.timeline.add(Checkpoint(
            epoch=self.epoch, batch=self.batch, per_epoch=self.batches_per_epoch,
            total_steps=self.total_steps, reason=reason, config=self.config,
            data=(self.train_x, self.train_y, self.test_x, self.test_y), n_classes=self.n_classes,
            data_seed=self.data_seed, arrays=arrays, ints=ints, history=self.history.mark()))
        self._changed = None

    # -- the hooks the Trainer calls ------------------------------------------------------
    def checkpoint(self, reason: str = "step") -> None:
        """Keep the state as it is now on the timeline (unless the newest checkpoint already
        is this state): before a Step, an edit or a change of settings or data."""
        if self._changed is not None:
            self._capture(reason)

    def _before_change(self, reason: str) -> None:
        """A hand change (edit, settings, data) is about to be made: keep the state before it."""
        self.checkpoint(reason)
        self.revision += 1
        self._changed = "edit"

    def _before_training(self) -> None:
        """Training goes on after a hand change: keep the state it starts from, so a restore
        there continues as the run did."""
        if self._changed == "edit":
            self._capture("resume")
        self.revision += 1
        self._changed = "train"

    def _after_epochs(self) -> None:
        """An epoch just ended: a checkpoint if it lies on the candidate grid."""
        if self.batch == 0 and due(self.epoch):
            self._capture("epoch")

    # -- going back -----------------------------------------------------------------------
    def restore(self, epoch: int) -> int:
        """Return to the newest checkpoint at or before `epoch` and forget the later ones;
        returns that checkpoint's epoch. ValueError if the timeline has none so early."""
        i = self.timeline.index_at(int(epoch))
        self.restore_checkpoint(i)
        return self.epoch

    def restore_checkpoint(self, index: int) -> None:
        """Return to checkpoint `index` (see restore)."""
        cp = self.timeline[index]
        self.load_checkpoint(cp)
        self.timeline.cut_after(index)
        self._changed = None

    def load_checkpoint(self, cp: Checkpoint) -> None:
        """Become the state of checkpoint cp (of this run's timeline), leaving the timeline
        as it is: what a look into the past needs (see view_checkpoint)."""
        if any(a is not b for a, b in zip(cp.data, (self.train_x, self.train_y, self.test_x, self.test_y))):
            # read-only arrays, checked when they came in: shared, not copied
            self.train_x, self.train_y, self.test_x, self.test_y = cp.data
            self.n_classes = cp.n_classes
            self._kernel_data()
        self.config, self.data_seed = cp.config, cp.data_seed
        a, n = cp.arrays, self.network.params.size
        zeros = np.zeros(n)
        self.network.set_params(a["params"])
        self.grad[:] = a["grad"]
        self._opt = OptimizerState(*(zeros.copy() if a[k] is None else a[k].copy() for k in ("opt_m", "opt_v")),
                                   cp.ints["opt_t"])
        self._carry = Carry(zeros.copy() if a["carry_acc"] is None else a["carry_acc"].copy(), cp.ints["carry_count"])
        self._dead[:] = 0 if a["dead"] is None else a["dead"]
        self.last_update[:] = 0.0 if a["last_update"] is None else a["last_update"]
        self._out[:] = a["out"]
        self.last_batch, self.carried = a["last_batch"].copy(), a["carried"].copy()
        self.epoch, self.batch, self.total_steps = cp.epoch, cp.batch, cp.total_steps
        self._diverged_at = cp.ints["diverged_at"]
        self._stuck_at, self._stuck_layer = cp.ints["stuck_at"], cp.ints["stuck_layer"]
        self.history.cut_back(cp.history)
        self._take_out()
        self.revision += 1
        self._changed = "edit"

    def initial_params(self) -> Array | None:
        """(P,) the weights training started from (hand edits before the first update
        included), or None when the timeline does not reach back that far (a session from
        before timelines was opened mid-run)."""
        if self.total_steps == 0:
            return self.network.params.copy()
        starts = [c for c in self.timeline.entries if c.total_steps == 0]
        return starts[-1].arrays["params"].copy() if starts else None

    def start_from(self, params: Array) -> None:
        """A run not trained yet takes these weights (P,) as its initial ones; its timeline
        starts anew from them (a duplicate run starts where the run it copies started)."""
        if self.total_steps:
            raise ValueError("only a run that has not trained yet can take other initial weights")
        self.load_params(params)
        self._timeline_begin("start")

    # -- copies -----------------------------------------------------------------------------
    def fork(self):
        """An independent Trainer in exactly this state, its timeline included: training
        one leaves the other alone. The data and checkpoints (never changed) are shared."""
        shared = [self.train_x, self.train_y, self.test_x, self.test_y, self._xtr, self._ttr, self._ctr,
                  self._xte, self._tte, self._cte, self.config, *self.timeline.entries]
        return copy.deepcopy(self, {id(o): o for o in shared})

    def view_checkpoint(self, index: int):
        """A copy of this trainer put at checkpoint `index`, for looking at the past while
        this one stays as it is."""
        view = self.fork()
        view.load_checkpoint(self.timeline[index])
        return view
