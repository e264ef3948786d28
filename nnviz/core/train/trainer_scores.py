"""A Trainer's counters and scores: losses, accuracies, R^2 and the test outputs behind
them, read back from the kernel or worked out again after an edit.

A mixin of Trainer (trainer.py), kept apart because these measure the weights and never
train them.
"""

from __future__ import annotations

import numpy as np

from nnviz.core import compiled
from nnviz.core.model import losses
from nnviz.core.train import batches, kernels, metrics

Array = np.ndarray


class ScoresMixin:
    """Mixin of Trainer: needs its data (_xtr, _xte, ...), network and kernel layout."""

    @property
    def batches_per_epoch(self) -> int:
        """Updates per epoch (batches.py: N // B for SGD, ceil(N / B) for the others)."""
        return batches.batches_per_epoch(len(self._xtr), self.config.batch_size, self.config.optimizer)

    # history, as lists (see metrics.History: thinned beyond History.CAP entries)
    history_epoch = property(lambda self: self.history.epoch)
    history_train = property(lambda self: self.history.train)
    history_test = property(lambda self: self.history.test)
    history_grad = property(lambda self: self.history.grad)
    history_stride = property(lambda self: self.history.stride)

    def _accuracy(self, correct: float, n: int) -> float:
        return correct / n if self.n_classes and n else float("nan")

    def _take_out(self) -> None:
        """The kernel's scores become the Trainer's; the test outputs behind the confusion
        matrix and R^2 are worked out again when next needed, for these same weights."""
        self._scored_outputs: Array | None = None
        o = self._out
        self.train_loss, self.test_loss = float(o[0]), float(o[2])
        self.train_accuracy = self._accuracy(o[1], len(self._xtr))
        self.test_accuracy = self._accuracy(o[3], len(self._xte))

    def _refresh(self) -> None:
        """Recompute both losses and accuracies for the current weights (after an edit)."""
        if not compiled.available():
            self._reference_scores()
            self._take_out()
            self._stuck_at = -1
            self._check()
            return
        res = np.zeros(3)
        net = self.network
        for k, (x, t, c) in enumerate(((self._xtr, self._ttr, self._ctr), (self._xte, self._tte, self._cte))):
            kernels.evaluate(net.params, self._w_off, self._b_off, self._sizes, self._acts,
                             losses.code(net.output_kind), x, t, c, res, 0)
            self._out[2 * k:2 * k + 2] = res[:2]
        self._take_out()
        self._stuck_at = -1     # an edit may free a frozen layer: look again after the next step
        self._check()

    @property
    def r2_test(self) -> float:
        """R^2 of the test predictions for regression; nan for classification."""
        return self._r2(self._test_outputs())

    def _r2(self, out_test: Array) -> float:
        return metrics.r2(self.test_y, out_test) if self.n_classes == 0 else float("nan")

    def _scored_test_outputs(self) -> Array:
        """(N_test, n_out) test outputs of the weights the scores were computed for, once
        per scoring: mid-epoch snapshots (train_batches) reuse them with the scores."""
        if self._scored_outputs is None:
            self._scored_outputs = self._test_outputs()
        return self._scored_outputs

    def _test_outputs(self) -> Array:
        """(N_test, n_out) network outputs on the test set, by the compiled forward pass."""
        if not compiled.available():
            return self._reference_outputs()
        net = self.network
        out = np.empty((len(self._xte), net.layer_sizes[-1]))
        kernels.forward_outputs(net.params, self._w_off, self._b_off, self._sizes, self._acts, self._xte, out)
        return out
