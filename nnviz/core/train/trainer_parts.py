"""Training part of an epoch in one call: the worker's way through an epoch too long
for one time box (a large data set, such as 100,000 imported points).

A mixin of Trainer (trainer.py), kept apart because only the worker's time box uses it.
"""

from __future__ import annotations

import numpy as np

from nnviz.core import compiled
from nnviz.core.model import losses
from nnviz.core.train import kernels, reference
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper


class PartsMixin:
    """train_batches and score for Trainer."""

    def train_batches(self, n: int) -> int:
        """Up to n mini-batches, never past the end of the current epoch; returns how many ran.

        The worker's way through an epoch too long for one time box (a large data set):
        the weights are bit for bit those of step_batch() repeated, but the losses are
        scored only at the epoch's end (its last batch runs as step_epoch runs it), since
        scoring 100,000 points costs more than the batches themselves. Until then
        train_loss and test_loss are those of the last score; score() brings them up to date.
        """
        if n < 1 or not len(self._xtr) or self.diverged:
            return 0
        count = min(int(n), self.batches_per_epoch - self.batch)
        ends = self.batch + count == self.batches_per_epoch
        if count - ends:
            self._run_unscored(count - ends)
        if ends and not self.diverged:
            self._run(1)
        return count

    def _run_unscored(self, count: int) -> None:
        """Batches self.batch .. self.batch + count - 1 (not the epoch's last) in one kernel
        call, as _run runs them, without the scores. The test outputs of the last scores
        are taken first if still owed (the weights they describe are about to change), so
        a mid-epoch Snapshot's confusion matrix matches its accuracy."""
        self._scored_test_outputs()
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, self.epoch).vector()
        first, counts, carried = self.batch, self._counts(), self.carried
        if not compiled.available():      # the numpy path while the kernel compiles (trainer_reference.py)
            with np.errstate(all="ignore"):
                self.grad[:] = reference.train_batches(
                    net, self._opt, self._xtr, self._ttr, cfg.batch_size, first, count,
                    Hyper.from_config(cfg, self.epoch), self._carry, self._dead, self.epoch + 1, self.last_update)
            counts = self._counts()
        else:
            kernels.train_batches(
                net.params, self.grad, self._opt.m, self._opt.v, self._carry.acc, self._dead, self._w_off,
                self._b_off, self._sizes, self._acts, losses.code(net.output_kind), self._xtr, self._ttr,
                first, count, cfg.batch_size, OPT_CODES[cfg.optimizer], REG_CODES[cfg.regularization], hyper,
                counts, self.epoch + 1, self.last_update)
        with_carry = carried if count == 1 else np.zeros(0, dtype=np.int64)   # the run's first update took it
        self._take_counts(counts)
        self.last_batch = self._batch_points(first + count - 1, with_carry)
        self.total_steps += count
        self.batch += count
        self._out[4] = -1.0        # no frozen-layer check ran: that is done with the scores
        self._after_run()

    def score(self) -> None:
        """Both losses and accuracies for the weights as they are now (after train_batches)."""
        stuck = self._stuck_at, self._stuck_layer
        self._refresh()
        self._stuck_at, self._stuck_layer = stuck   # scoring is no edit: a frozen layer found stays found
