"""Hand edits of a Trainer's network: one weight, one bias, or all parameters at once.

A mixin of Trainer (trainer.py), kept apart because every way a value comes in from the
user goes through the same checks here.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.limits import MAX_PARAM   # larger hand-typed weights are refused

Array = np.ndarray


class EditsMixin:
    """set_weight, set_bias and load_params for Trainer; each refreshes the losses. The
    getters read one value exactly, with the same index checks."""

    @staticmethod
    def _value(value: float) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError("the value must be a finite number")
        if abs(v) > MAX_PARAM:
            raise ValueError(f"the value must lie within +-{MAX_PARAM:g}")
        return v

    def _index(self, i: int, n: int, what: str) -> int:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise ValueError(f"{what} {i!r} does not exist (0..{n - 1})")
        return int(i)

    def get_weight(self, layer: int, dst: int, src: int) -> float:
        """weights[layer][dst, src], exactly (what an undo puts back)."""
        layer = self._index(layer, self.network.n_layers, "layer")
        n_out, n_in = self.network.weights[layer].shape
        return float(self.network.weights[layer][self._index(dst, n_out, "neuron"), self._index(src, n_in, "input")])

    def get_bias(self, layer: int, neuron: int) -> float:
        layer = self._index(layer, self.network.n_layers, "layer")
        return float(self.network.biases[layer][self._index(neuron, self.network.biases[layer].size, "neuron")])

    def set_weight(self, layer: int, dst: int, src: int, value: float, dead: bool = False) -> None:
        """weights[layer][dst, src] = value; losses updated at once.

        A dead link (SGD under L1) comes back to life: the user gave it a value to watch
        learn. (The Playground would keep training it frozen at the typed value.) dead=True
        is for an undo that puts a dead link back as it was, frozen at its value.
        """
        layer = self._index(layer, self.network.n_layers, "layer")
        n_out, n_in = self.network.weights[layer].shape
        dst, src = self._index(dst, n_out, "neuron"), self._index(src, n_in, "input")
        self.network.weights[layer][dst, src] = self._value(value)
        self.dead[layer][dst, src] = 1 if dead else 0
        self._refresh()
        self._fresh_start()

    def set_bias(self, layer: int, neuron: int, value: float) -> None:
        """biases[layer][neuron] = value (the output neuron's too)."""
        layer = self._index(layer, self.network.n_layers, "layer")
        neuron = self._index(neuron, self.network.biases[layer].size, "neuron")
        self.network.biases[layer][neuron] = self._value(value)
        self._refresh()
        self._fresh_start()

    def load_params(self, params: Array) -> None:
        """Imported weights (P,) for this same shape; counters and history are kept.

        The last gradient, the optimiser's memory (velocity, moments, Adam's step count) and
        the carried gradient of an epoch's leftover points belonged to the weights being
        replaced: after a divergence they are NaN and would spoil the new weights on the
        next step, so they start again from zero, as for a fresh network.
        """
        p = np.asarray(params, dtype=np.float64)
        if p.shape != self.network.params.shape:
            raise ValueError(f"expected {self.network.params.size} parameters, got {p.size}")
        if not np.all(np.isfinite(p)):
            raise ValueError("the weights hold NaN or infinite values")
        if np.abs(p).max() > MAX_PARAM:
            raise ValueError(f"a weight lies beyond +-{MAX_PARAM:g}")
        self.network.set_params(p)
        self.grad[:] = 0.0
        self._opt.clear()
        self._carry.clear()    # the leftover points' gradient was taken at the old weights
        self.carried = np.zeros(0, dtype=np.int64)
        self._dead[:] = 0      # new weights: no link is dead
        self._diverged_at = -1
        self._refresh()
        self._fresh_start()
