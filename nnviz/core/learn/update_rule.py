"""The optimiser's rule taken apart, parameter by parameter, for one previewed update.

Why: the Update phase of an explained step shows each weight's move as its rule makes it
(velocity, Adam's m-hat and v-hat, the effective step, the penalty step, a link that dies),
and those in-between numbers never leave the compiled kernel. They are recomputed here
from the state before the update with the kernel's operations in the kernel's order
(optimizers.py and kernels._update), so `after` equals the kernel's result bit for bit; a
test holds it to that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.train.trainer_preview import StepPreview

Array = np.ndarray


@dataclass(frozen=True)
class UpdateParts:
    """Flat (P,) arrays in the network's parameter layout; w1 = w - step, after = w1 - penalty."""

    optimizer: str
    regularization: str
    lr: float              # the learning rate of this update (decayed)
    reg_rate: float
    momentum: float        # mu of momentum and Nesterov
    beta1: float
    beta2: float
    epsilon: float
    t: int                 # update count after this update (Adam's bias correction)
    bias1: float           # 1 - beta1^t (Adam)
    bias2: float           # 1 - beta2^t (Adam)
    g: Array               # averaged gradient (0 on dead links)
    m_before: Array
    m_after: Array         # momentum velocity / Adam's m
    v_before: Array
    v_after: Array         # RMSprop / Adam's v
    m_hat: Array           # Adam: m / bias1, else zeros
    v_hat: Array           # Adam: v / bias2, else zeros
    step: Array            # the gradient step: w1 = w - step
    w1: Array
    penalty: Array         # the penalty step on weights (0 on biases): w2 = w1 - penalty
    crossed: Array         # bool: the L1 step would cross zero, so the weight is set to 0
    frozen: Array          # bool: a dead link, not updated at all
    dies: Array            # bool: a link this update kills (SGD under L1)
    before: Array
    after: Array


def update_parts(pre: StepPreview, is_weight: Array) -> UpdateParts:
    """Recompute the previewed update's rule from pre's before-state; is_weight (P,) bool."""
    h = pre.hyper
    w, g = pre.params_before, pre.grad
    lr, mu, b1, b2, eps = h.lr, h.momentum, h.beta1, h.beta2, h.epsilon
    zeros = np.zeros_like(w)
    m, v, m_hat, v_hat = pre.m_before, pre.v_before, zeros, zeros
    c1 = 1.0 - b1 ** float(pre.t)   # Python's ** calls libm's pow, as the kernel's does
    c2 = 1.0 - b2 ** float(pre.t)
    opt = h.optimizer
    if opt == "sgd":
        step = lr * g
    elif opt in ("momentum", "nesterov"):
        m = mu * pre.m_before + g
        step = lr * m if opt == "momentum" else lr * (g + mu * m)
    elif opt == "rmsprop":
        v = b2 * pre.v_before + (1.0 - b2) * g * g
        step = lr * g / (np.sqrt(v) + eps)
    else:
        m = b1 * pre.m_before + (1.0 - b1) * g
        v = b2 * pre.v_before + (1.0 - b2) * g * g
        m_hat, v_hat = m / c1, v / c2
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
    w1 = w - step
    penalty = zeros
    if h.regularization != "none":
        der = np.sign(w) if h.regularization == "l1" else w
        penalty = np.where(is_weight, lr * h.reg_rate * der, 0.0)
    w2 = np.where(is_weight, w1 - penalty, w1)
    crossed = is_weight & (w1 * w2 < 0.0) if h.regularization == "l1" else np.zeros(w.size, dtype=bool)
    w2 = np.where(crossed, 0.0, w2)
    # only the Playground's SGD under L1 kills links; a dead one is skipped entirely
    kills = opt == "sgd" and h.regularization == "l1"
    frozen = (pre.dead_before != 0) if kills else np.zeros(w.size, dtype=bool)
    return UpdateParts(
        optimizer=opt, regularization=h.regularization, lr=lr, reg_rate=h.reg_rate, momentum=mu, beta1=b1,
        beta2=b2, epsilon=eps, t=pre.t, bias1=c1, bias2=c2, g=g, m_before=pre.m_before, m_after=m,
        v_before=pre.v_before, v_after=v, m_hat=m_hat, v_hat=v_hat, step=np.where(frozen, 0.0, step),
        w1=np.where(frozen, w, w1), penalty=np.where(frozen, 0.0, penalty), crossed=crossed & ~frozen,
        frozen=frozen, dies=crossed & ~frozen & kills, before=w, after=np.where(frozen, w, w2))


def describe_rule(parts: UpdateParts) -> list[str]:
    """The rule in symbols, one line each, with this update's settings filled in."""
    lr = f"{parts.lr:g}"
    opt = parts.optimizer
    if opt == "sgd":
        lines = [f"w ← w − η·g   (η = {lr})"]
    elif opt == "momentum":
        lines = [f"v ← μ·v + g   (μ = {parts.momentum:g})", f"w ← w − η·v   (η = {lr})"]
    elif opt == "nesterov":
        lines = [f"v ← μ·v + g   (μ = {parts.momentum:g})",
                 f"w ← w − η·(g + μ·v)   (η = {lr})"]
    elif opt == "rmsprop":
        lines = [f"s ← ρ·s + (1 − ρ)·g²   (ρ = {parts.beta2:g})",
                 f"w ← w − η·g / (√s + ε)   (η = {lr}, ε = {parts.epsilon:g})"]
    else:
        lines = [(f"m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²"
                  f"   (β₁ = {parts.beta1:g}, β₂ = {parts.beta2:g})"),
                 f"m_hat = m / (1 − β₁^t),  v_hat = v / (1 − β₂^t)   (t = {parts.t})",
                 f"w ← w − η·m_hat / (√v_hat + ε)   (η = {lr}, ε = {parts.epsilon:g})"]
    if parts.regularization == "l2":
        lines.append(f"then on weights: w ← w − η·λ·w_old   (λ = {parts.reg_rate:g})")
    elif parts.regularization == "l1":
        lines.append(f"then on weights: w ← w − η·λ·sign(w_old), 0 if it crosses 0"
                     f"   (λ = {parts.reg_rate:g})")
    return lines


def effective_rate(parts: UpdateParts) -> float:
    """Median |step| / |g| over parameters with a gradient: how far the rule moves per unit
    of gradient (= the learning rate for SGD; adaptive rules differ per parameter)."""
    ok = (parts.g != 0.0) & np.isfinite(parts.step)
    if not np.any(ok):
        return math.nan
    return float(np.median(np.abs(parts.step[ok] / parts.g[ok])))
