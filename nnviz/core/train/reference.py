"""The readable reference: one mini-batch update in plain vectorised numpy.

Slow (it allocates per layer and per batch) but short enough to check by eye; the
compiled kernel in kernels.py is tested against it. Backpropagation, Nielsen's form:
delta_L = losses.delta(out, t); delta_l = (delta_{l+1} @ W_{l+1}) * f'(z_l);
dW_l = delta_l^T @ a_l / B; db_l = sum(delta_l) / B.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model import activations, losses
from nnviz.core.model.network import Network
from nnviz.core.train.optimizers import Hyper, OptimizerState, update, weight_mask

Array = np.ndarray


def gradient(net: Network, x: Array, t: Array) -> Array:
    """(P,) gradient of the mean per-point loss over the batch x (B, n_in), t (B, n_out)."""
    zs, outs = net.forward(x)
    n = x.shape[0]
    g = np.zeros_like(net.params)  # (P,) same layout as net.params
    d = losses.delta(net.output_kind, outs[-1], t)  # (B, n_out)
    acts = net.layer_activations
    for l in range(net.n_layers - 1, -1, -1):
        n_out, n_in = net.weights[l].shape
        w0, b0 = net.w_off[l], net.b_off[l]
        g[w0:w0 + n_out * n_in] = (d.T @ outs[l]).ravel() / n  # (n_out, n_in) row-major
        g[b0:b0 + n_out] = d.sum(axis=0) / n
        if l > 0:
            d = (d @ net.weights[l]) * activations.derivative(acts[l - 1], zs[l - 1], outs[l])
    return g


def mean_loss(net: Network, x: Array, t: Array) -> float:
    """Mean per-point loss without the penalty (what the Playground shows)."""
    out = net.forward(x)[1][-1]
    return float(np.mean(losses.loss(net.output_kind, out, t))) if len(x) else float("nan")


def batch_update(net: Network, state: OptimizerState, x: Array, t: Array, h: Hyper) -> Array:
    """One mini-batch update of net.params in place; returns the averaged gradient (P,)."""
    g = gradient(net, x, t)
    update(net.params, g, state, h, weight_mask(net.w_off, net.b_off, net.params.size))
    return g


def train_batches(net: Network, state: OptimizerState, x: Array, t: Array, batch_size: int,
                  first: int, count: int, h: Hyper) -> Array:
    """Batches first..first+count-1 of the fixed order x (N, n_in); the last may be short.

    Returns the last batch's averaged gradient (P,).
    """
    g = np.zeros_like(net.params)
    n = x.shape[0]
    for k in range(first, first + count):
        lo, hi = k * batch_size, min((k + 1) * batch_size, n)
        g = batch_update(net, state, x[lo:hi], t[lo:hi], h)
    return g
