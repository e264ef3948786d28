"""The readable reference: mini-batch updates in plain vectorised numpy.

Slow (it allocates per layer and per batch) but short enough to check by eye; the
compiled kernel in kernels.py is tested against it. Backpropagation, Nielsen's form:
delta_L = losses.delta(out, t); delta_l = (delta_{l+1} @ W_{l+1}) * f'(z_l);
dW_l = delta_l^T @ a_l; db_l = sum(delta_l), summed over the batch and divided by the
number of points the update averages (batches.py says which points those are).
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model import activations, losses
from nnviz.core.model.network import Network
from nnviz.core.train import batches
from nnviz.core.train.batches import Carry
from nnviz.core.train.optimizers import Hyper, OptimizerState, update, weight_mask

Array = np.ndarray


def gradient_sum(net: Network, x: Array, t: Array) -> Array:
    """(P,) gradient of the per-point loss summed over the points x (B, n_in), t (B, n_out)."""
    zs, outs = net.forward(x)
    g = np.zeros_like(net.params)  # (P,) same layout as net.params
    d = losses.delta(net.output_kind, outs[-1], t)  # (B, n_out)
    acts = net.layer_activations
    for l in range(net.n_layers - 1, -1, -1):
        n_out, n_in = net.weights[l].shape
        w0, b0 = net.w_off[l], net.b_off[l]
        g[w0:w0 + n_out * n_in] = (d.T @ outs[l]).ravel()  # (n_out, n_in) row-major
        g[b0:b0 + n_out] = d.sum(axis=0)
        if l > 0:
            d = (d @ net.weights[l]) * activations.derivative(acts[l - 1], zs[l - 1], outs[l])
    return g


def gradient(net: Network, x: Array, t: Array) -> Array:
    """(P,) gradient of the mean per-point loss over the batch x (B, n_in), t (B, n_out)."""
    return gradient_sum(net, x, t) / x.shape[0]


def mean_loss(net: Network, x: Array, t: Array) -> float:
    """Mean per-point loss without the penalty (what the Playground shows), from the logits."""
    z = net.forward(x)[0][-1]
    return float(np.mean(losses.loss_from_logits(net.output_kind, z, t))) if len(x) else float("nan")


def batch_update(net: Network, state: OptimizerState, x: Array, t: Array, h: Hyper) -> Array:
    """One mini-batch update of net.params in place; returns the averaged gradient (P,)."""
    g = gradient(net, x, t)
    update(net.params, g, state, h, weight_mask(net.w_off, net.b_off, net.params.size))
    return g


def train_batches(net: Network, state: OptimizerState, x: Array, t: Array, batch_size: int,
                  first: int, count: int, h: Hyper, carry: Carry | None = None,
                  dead: Array | None = None, tag: int = 1, last: Array | None = None) -> Array:
    """Batches first..first+count-1 of an epoch over the fixed order x (N, n_in).

    The rule of h.optimizer (batches.py): for SGD an update averages the carried points
    with its own, and the epoch's last update carries the leftover points on into
    `carry` (give the same Carry to consecutive calls); otherwise the last batch is short.
    dead, tag, last: see optimizers.update. Returns the last update's averaged gradient (P,).
    """
    n = x.shape[0]
    carry = carry if carry is not None else Carry.zeros(net.params.size)
    is_weight = weight_mask(net.w_off, net.b_off, net.params.size)
    per_epoch = batches.batches_per_epoch(n, batch_size, h.optimizer)
    g = np.zeros_like(net.params)
    for k in range(first, first + count):
        lo, hi = batches.batch_range(k, n, batch_size)
        if hi <= lo:
            break
        total = gradient_sum(net, x[lo:hi], t[lo:hi])
        size = hi - lo
        if carry.count:
            total, size = carry.acc + total, size + carry.count
            carry.clear()
        g = total / size
        update(net.params, g, state, h, is_weight, dead, tag, last)
        lo, hi = batches.leftover_range(n, batch_size, h.optimizer)
        if k == per_epoch - 1 and hi > lo:
            carry.acc[:] = gradient_sum(net, x[lo:hi], t[lo:hi])
            carry.count = hi - lo
    return g
