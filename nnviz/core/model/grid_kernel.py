"""The compiled forward pass over the picture grid: every neuron's output, float32.

Why its own kernel: the worker builds this for every frame it shows (the decision
surface and every neuron's picture), so it must cost about a millisecond and release
the GIL, leaving the GUI thread free to paint. Pictures need no float64: float32 doubles
the SIMD width, and tanh is a branch-free rational function the compiler vectorises
(libm's tanh would be a call per value). The loops run over points innermost, in blocks
that stay in the L1 cache.

The codes are spelled out here, as in kernels.py, because numba's on-disk cache only
notices changes to this file; the check below keeps them in step with activations.py.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from nnviz.core.model import activations

JIT = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
LINEAR, TANH, SIGMOID, RELU, LEAKY_RELU, ELU, SINE, SOFTMAX = range(8)
LEAKY_SLOPE = np.float32(0.01)
if (activations.CODES != dict(linear=LINEAR, tanh=TANH, sigmoid=SIGMOID, relu=RELU, leaky_relu=LEAKY_RELU,
                              elu=ELU, sine=SINE, softmax=SOFTMAX)
        or activations.LEAKY_SLOPE != 0.01):
    raise ImportError("grid_kernel.py is out of step with the codes in activations.py")
BLOCK = 256   # points per block: a block of the widest layers (32 x 256 x 4 bytes) fits L1 and L2

# tanh(x) ~ x P(x^2) / Q(x^2) on [-7.9, 7.9], clamped beyond (where float32 tanh is +-1):
# Eigen's float rational approximation, within a few float32 ulp of the true tanh.
_C = np.float32(7.90531110763549805)
_A1, _A3, _A5 = np.float32(4.89352455891786e-03), np.float32(6.37261928875436e-04), np.float32(1.48572235717979e-05)
_A7, _A9 = np.float32(5.12229709037114e-08), np.float32(-8.60467152213735e-11)
_A11, _A13 = np.float32(2.00018790482477e-13), np.float32(-2.76076847742355e-16)
_B0, _B2 = np.float32(4.89352518554385e-03), np.float32(2.26843463243900e-03)
_B4, _B6 = np.float32(1.18534705686654e-04), np.float32(1.19825839466702e-06)


@njit(**JIT)
def tanh32(x):
    """Branch-free float32 tanh (NaN stays NaN: both clamps compare false)."""
    if x > _C:
        x = _C
    if x < -_C:
        x = -_C
    x2 = x * x
    p = x2 * _A13 + _A11
    p = p * x2 + _A9
    p = p * x2 + _A7
    p = p * x2 + _A5
    p = p * x2 + _A3
    p = p * x2 + _A1
    q = x2 * _B6 + _B4
    q = q * x2 + _B2
    q = q * x2 + _B0
    return x * p / q


@njit(**JIT)
def _activate(code, z, a, m):
    """a[:m] = f(z[:m]) for one neuron over a block; one loop per code so each vectorises."""
    one = np.float32(1.0)
    if code == TANH:
        for k in range(m):
            a[k] = tanh32(z[k])
    elif code == RELU:
        for k in range(m):
            a[k] = z[k] if z[k] > 0 else np.float32(0.0)
    elif code == LEAKY_RELU:
        for k in range(m):
            a[k] = z[k] if z[k] > 0 else LEAKY_SLOPE * z[k]
    elif code == SIGMOID:
        for k in range(m):
            e = np.float32(math.exp(-abs(z[k])))
            a[k] = one / (one + e) if z[k] >= 0 else e / (one + e)
    elif code == ELU:
        for k in range(m):
            a[k] = z[k] if z[k] > 0 else np.float32(math.expm1(z[k]))
    elif code == SINE:
        for k in range(m):
            a[k] = np.float32(math.sin(z[k]))
    else:
        for k in range(m):
            a[k] = z[k]


@njit(**JIT)
def grid_forward(params, w_off, b_off, sizes, acts, feats, out):
    """Every neuron's output for every point, into out (total neurons, N) float32.

    params (P,) float64 in the Network's layout; feats (n_0, N) float32 input features;
    rows node[l] .. node[l] + n_l - 1 of out receive layer l (the inputs are copied).
    """
    n_layers = sizes.size - 1
    node = np.zeros(sizes.size + 1, dtype=np.int64)
    for l in range(sizes.size):
        node[l + 1] = node[l] + sizes[l]
    n_points = feats.shape[1]
    wmax = 1
    for l in range(n_layers):
        wmax = max(wmax, sizes[l] * sizes[l + 1])
    w32 = np.empty(wmax, dtype=np.float32)
    z = np.empty((sizes.max(), BLOCK), dtype=np.float32)
    for i in range(sizes[0]):
        for k in range(n_points):
            out[i, k] = feats[i, k]
    for lo in range(0, n_points, BLOCK):
        m = min(BLOCK, n_points - lo)
        for l in range(n_layers):
            n_in, n_out = sizes[l], sizes[l + 1]
            src, dst, w0, b0 = node[l], node[l + 1], w_off[l], b_off[l]
            for p in range(n_in * n_out):
                w32[p] = np.float32(params[w0 + p])
            for j in range(n_out):
                zj = z[j]
                b = np.float32(params[b0 + j])
                for k in range(m):
                    zj[k] = b
                for i in range(n_in):
                    w = w32[j * n_in + i]
                    ai = out[src + i, lo:lo + m]
                    for k in range(m):
                        zj[k] += w * ai[k]
            if acts[l] != SOFTMAX:
                for j in range(n_out):
                    _activate(acts[l], z[j], out[dst + j, lo:lo + m], m)
            else:  # exp(z - max) / sum per point, as activations.softmax
                for k in range(m):
                    zmax = z[0, k]
                    for j in range(1, n_out):
                        zmax = max(zmax, z[j, k])
                    total = np.float32(0.0)
                    for j in range(n_out):
                        e = np.float32(math.exp(z[j, k] - zmax))
                        out[dst + j, lo + k] = e
                        total += e
                    for j in range(n_out):
                        out[dst + j, lo + k] /= total
