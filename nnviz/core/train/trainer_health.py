"""Whether a Trainer's run has blown up (diverged) or can no longer learn (stuck), in words.

A mixin of Trainer (trainer.py), kept apart because the worker, the files and the views
all ask these two questions and only these lines answer them.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.limits import MAX_PARAM
from nnviz.core.train import health


class HealthMixin:
    """diverged and stuck for Trainer, and the checks behind them."""

    _defer_large = False    # inside train_epochs: weights past the limit are dated at its end

    def _bad(self) -> bool:
        return self._too_large() or self._not_finite()

    def _not_finite(self) -> bool:
        return (not np.all(np.isfinite(self.network.params))
                or (len(self._xtr) > 0 and not math.isfinite(self.train_loss))
                or (len(self._xte) > 0 and not math.isfinite(self.test_loss)))

    def _too_large(self) -> bool:
        """A weight past the limit that files and edits accept has blown up as surely as a
        NaN one, and could be neither saved nor exported (NaN compares False: not here)."""
        return bool(np.any(np.abs(self.network.params) > MAX_PARAM))

    def _check(self) -> None:
        if self._diverged_at < 0 and (self._not_finite() or (not self._defer_large and self._too_large())):
            self._diverged_at = self.epoch

    @property
    def stuck(self) -> str:
        """A message in words once the network was found unable to learn, else "".

        The condition (kernels._scan_frozen and _stays_frozen): on every training point,
        every neuron of one layer gives the same value and passes back no gradient, and
        nothing else (a penalty, momentum, a carried gradient) can move the weights that
        feed it. Then the output is the same for every training point, for good, while
        the targets are not. Cleared by Reset, an edit or new data.
        """
        if self._stuck_at < 0 or self._bad():
            return ""
        return health.stuck_message(self.config, self.network, self._stuck_layer, self._stuck_at,
                                    self._xtr, self._dead)

    @property
    def diverged(self) -> str:
        """A message in words when the loss or a weight is NaN/inf, else ""."""
        if not self._bad():
            return ""
        at = self._diverged_at if self._diverged_at >= 0 else self.epoch
        what = (f"A weight grew past +-{MAX_PARAM:g} by epoch {at}" if not self._not_finite()
                else f"The loss became infinite/NaN at epoch {at}")
        return (f"{what}: the learning rate ({self.config.learning_rate:g}) is too large for "
                "this network, so the weights blew up. Lower the learning rate and press Reset.")
