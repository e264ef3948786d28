"""Views into a Trainer's flat arrays shaped like the network's weights: the last
gradient, the optimiser's velocity, the dead links.

A mixin of Trainer (trainer.py), kept apart because these only read: the views
(topology, explain) show them, nothing here changes the training.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class ViewsMixin:
    """carried_count, dead, grad_weights, grad_biases, velocity and grad_norms for Trainer."""

    @property
    def carried_count(self) -> int:
        """Training points whose gradient waits for the next update (SGD's leftover)."""
        return int(self._carry.count)

    @property
    def dead(self) -> list[Array]:
        """Views (n_out, n_in) into the dead mask: the epoch (from 1) each link died in
        under SGD with L1, 0 for a live link."""
        return self._weight_views(self._dead)

    @property
    def grad_weights(self) -> list[Array]:
        """Views (n_out, n_in) into `grad`, like network.weights."""
        return self._weight_views(self.grad)

    @property
    def grad_biases(self) -> list[Array]:
        return [self.grad[b0:b0 + b.size] for b0, b in zip(self._b_off, self.network.biases)]

    def _weight_views(self, flat: Array) -> list[Array]:
        """Views (n_out, n_in) of the weight entries of a flat (P,) array, like network.weights."""
        return [flat[w0:b0].reshape(w.shape) for w0, b0, w in zip(self._w_off, self._b_off, self.network.weights)]

    @property
    def velocity(self) -> list[Array]:
        """Views (n_out, n_in) of the optimiser's velocity on each weight: momentum's buffer or
        Adam's first moment; [] for SGD and RMSprop, which keep none."""
        if self.config.optimizer not in ("momentum", "nesterov", "adam"):
            return []
        return self._weight_views(self._opt.m)

    def grad_norms(self) -> Array:
        """(L,) RMS of each layer's last weight gradient (the gradient-flow view)."""
        return self._norms(self.grad)
