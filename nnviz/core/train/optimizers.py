"""Update rules on the flat parameter vector: the Playground's SGD and four more.

An update is two steps, as the Playground's nn.ts does it:
1. the gradient step `w1 = w - step(g)`, which is where the optimisers differ, and
2. the decoupled penalty step on weights only (biases are never regularised):
   `w2 = w1 - lr * reg_rate * reg_der(w)` with `w` the weight *before* step 1;
   under L1 a weight that the penalty would push across zero becomes exactly 0.

Under plain SGD (the Playground's rule) such a link is also marked dead, as nn.ts does:
a dead link is never updated again, its gradient no longer counts, until Reset (or a
hand edit of that weight). The other optimisers zero the weight but keep training it.

Momentum and Nesterov keep their velocity as torch.optim.SGD does, without the learning
rate: v = mu v + g, then w -= lr v (Nesterov: w -= lr (g + mu v)). So when the rate
decays, the next step scales the whole velocity by the new rate.

These numpy versions are the readable reference; kernels.py repeats them, in loops, with
the same integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.config import Config

Array = np.ndarray
OPT_CODES = {"sgd": 0, "momentum": 1, "nesterov": 2, "rmsprop": 3, "adam": 4}
REG_CODES = {"none": 0, "l1": 1, "l2": 2}
# Order of the float hyper-parameters in the vector the kernel receives.
HYPER_FIELDS = ("lr", "reg_rate", "momentum", "beta1", "beta2", "epsilon")


@dataclass
class OptimizerState:
    """What an optimiser remembers between updates (zeros for a fresh network).

    m: momentum velocity (torch's buffer, no lr in it) / Adam first moment;
    v: RMSprop / Adam second moment;
    t: number of updates done so far (Adam's bias correction uses t after += 1).
    """

    m: Array  # (P,)
    v: Array  # (P,)
    t: int = 0

    @classmethod
    def zeros(cls, n_params: int) -> "OptimizerState":
        return cls(np.zeros(n_params), np.zeros(n_params), 0)

    def copy(self) -> "OptimizerState":
        return OptimizerState(self.m.copy(), self.v.copy(), int(self.t))

    def clear(self) -> None:
        self.m[:] = 0.0
        self.v[:] = 0.0
        self.t = 0


@dataclass(frozen=True)
class Hyper:
    """The settings one update needs, with the learning rate already decayed."""

    optimizer: str = "sgd"
    regularization: str = "none"
    lr: float = 0.03
    reg_rate: float = 0.0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    @classmethod
    def from_config(cls, config: Config, epoch: int) -> "Hyper":
        return cls(config.optimizer, config.regularization, decayed_lr(config.learning_rate, config.lr_decay, epoch),
                   config.reg_rate, config.momentum, config.beta1, config.beta2, config.epsilon)

    def vector(self) -> Array:
        """(6,) float64 in HYPER_FIELDS order, for the kernel."""
        return np.array([float(getattr(self, f)) for f in HYPER_FIELDS])


def decayed_lr(lr: float, decay: float, epoch: int) -> float:
    """lr / (1 + decay * epoch), epoch = completed epochs (constant within an epoch)."""
    return float(lr) / (1.0 + float(decay) * int(epoch))


def weight_mask(w_off: Array, b_off: Array, n_params: int) -> Array:
    """(P,) bool: True where the flat parameter is a weight, False for a bias."""
    mask = np.zeros(n_params, dtype=bool)
    for w0, b0 in zip(w_off, b_off):
        mask[w0:b0] = True  # a layer's weights run from w_off up to its biases
    return mask


def gradient_step(p: Array, g: Array, state: OptimizerState, h: Hyper) -> Array:
    """New parameters w1 = w - step(g); updates `state` in place (t already incremented)."""
    lr = h.lr
    if h.optimizer == "sgd":
        return p - lr * g
    if h.optimizer == "momentum":
        state.m[:] = h.momentum * state.m + g
        return p - lr * state.m
    if h.optimizer == "nesterov":
        state.m[:] = h.momentum * state.m + g
        return p - lr * (g + h.momentum * state.m)
    if h.optimizer == "rmsprop":
        state.v[:] = h.beta2 * state.v + (1.0 - h.beta2) * g * g
        return p - lr * g / (np.sqrt(state.v) + h.epsilon)
    if h.optimizer == "adam":
        state.m[:] = h.beta1 * state.m + (1.0 - h.beta1) * g
        state.v[:] = h.beta2 * state.v + (1.0 - h.beta2) * g * g
        m_hat = state.m / (1.0 - h.beta1 ** state.t)
        v_hat = state.v / (1.0 - h.beta2 ** state.t)
        return p - lr * m_hat / (np.sqrt(v_hat) + h.epsilon)
    raise ValueError(f"unknown optimiser {h.optimizer!r}")


def penalty_step(w_before: Array, w1: Array, h: Hyper) -> tuple[Array, Array]:
    """The Playground's penalty on weights (1-D arrays of weights only).

    Returns (w2, crossed): crossed (bool, same shape) marks the weights the L1 step would
    have pushed across zero, which are set to exactly 0.
    """
    crossed = np.zeros(w1.shape, dtype=bool)
    if h.regularization == "none":
        return w1, crossed
    der = np.sign(w_before) if h.regularization == "l1" else w_before  # sign(0) = 0
    w2 = w1 - h.lr * h.reg_rate * der
    if h.regularization == "l1":
        crossed = w1 * w2 < 0.0
        w2 = np.where(crossed, 0.0, w2)
    return w2, crossed


def marks_dead(h: Hyper) -> bool:
    """Whether this rule kills links (the Playground's SGD under L1)."""
    return h.optimizer == "sgd" and h.regularization == "l1"


def update(params: Array, g: Array, state: OptimizerState, h: Hyper, is_weight: Array,
           dead: Array | None = None, tag: int = 1, last: Array | None = None) -> None:
    """One full update of the flat params (P,) in place from the averaged gradient g (P,).

    dead (P,) int64, for the Playground's SGD under L1: 0 for a live parameter, else the
    epoch (counted from 1) in which its link died. Dead parameters keep their value and
    get a gradient of 0 (g is changed in place); links the penalty zeroes now get `tag`.
    last (P,), if given, receives each parameter's change new - old, as the kernel's does.
    """
    state.t += 1
    before = params.copy()
    frozen = dead != 0 if dead is not None and marks_dead(h) else np.zeros(params.size, dtype=bool)
    g[frozen] = 0.0
    new = gradient_step(params, g, state, h)
    new[is_weight], crossed = penalty_step(before[is_weight], new[is_weight], h)
    new[frozen] = before[frozen]
    if dead is not None and marks_dead(h):
        idx = np.flatnonzero(is_weight)[crossed]
        dead[idx[dead[idx] == 0]] = tag
    if last is not None:
        last[:] = new - before
    params[:] = new
