"""The picture grid of a wide network through BLAS: every neuron's output, float32.

Why a second path beside grid_kernel.py: that kernel does its multiply-adds one neuron
row at a time, about 10 GMAC/s here, so a network of 10 hidden layers of 32 (9,472
multiply-adds a point, 95 million a frame) took 10-20 ms; numpy's float32 matrix
product (OpenBLAS, one thread, as nnviz/__init__.py sets) does the same in 3-7 ms, and
releases the GIL while it runs. For small networks the kernel is as fast and has no
per-call overhead, so Network.grid_outputs takes this path from BLAS_FROM on.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model import activations

BLAS_FROM = 1024          # multiply-adds per point (sum of n_in * n_out) from which BLAS wins


def grid_forward_blas(weights, biases, names: tuple[str, ...], feats: np.ndarray, out: np.ndarray) -> None:
    """Every neuron's output for every point into out (total neurons, N) float32.

    weights[l] (n_out, n_in) and biases[l] (n_out,) float64, names[l] the activation of
    layer l + 1; feats (n_0, N) float32 input features; rows of out follow the layers, as
    grid_kernel.grid_forward fills them.
    """
    n0 = feats.shape[0]
    out[:n0] = feats
    a, row = out[:n0], n0
    with np.errstate(all="ignore"):          # a diverged network draws NaN, as the kernel does
        for w, b, name in zip(weights, biases, names):
            z = out[row:row + w.shape[0]]                                  # (n_out, N), a view
            np.matmul(w.astype(np.float32), a, out=z)
            z += b.astype(np.float32)[:, None]
            if name == "tanh":
                np.tanh(z, out=z)
            elif name == "softmax":                                        # over the neurons
                z -= z.max(axis=0)
                np.exp(z, out=z)
                z /= z.sum(axis=0)
            elif name != "linear":
                z[:] = activations.apply(name, z)
            a, row = z, row + w.shape[0]
