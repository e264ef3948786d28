"""The compiled loss over a grid of parameter vectors: the loss landscape's inner loop.

`plane_losses` evaluates the mean loss (no penalty) of a set of points at every
params + alphas[i] d1 + betas[j] d2. It reuses the training kernel's own pieces
(kernels._tanh, _act, _point_loss, _node_offsets), so a landscape value is the loss the
Trainer reports, bit for bit at the centre of the plane, whatever the training rules do.
The one exception is the squared error, written out here in _point_loss's own order:
called once per point it cost a fifth of the plane's time; the tests of the centre
(every output kind) would catch any difference.

Off the centre the plane trades the last bits for speed: a tanh with one division
instead of two, and fused multiply-adds in it and in the deeper layers. Every value
there stays within 1e-12 of the training kernel's loss at that point (tested on every
cell of whole planes); only the centre, which a learner compares with the loss shown
beside it, needs the Trainer's rounding, and gets it.

What makes it fast (a 41 x 41 plane of the 7-input 6 x 8 network over 250 points is
420,000 forward passes): points run innermost in blocks, so each multiply-add and each
tanh loop vectorises; offsets are unsigned, because numba adds a negative-index fix-up
to every access with a signed index, which stops the loops vectorising; and the first
layer is computed once per block instead of once per grid point, since its
pre-activation is linear in its own weights: z1 = Z0 + a U1 + b U2. What is left is
the tanh of every hidden neuron (two thirds of the time with the training kernel's
tanh, which is why the plane has its own) and the multiply-adds of the deeper layers.

Numba's on-disk cache only notices changes to the file that defines a function, not to
the functions it calls from other files. The entry points therefore close over a hash
of kernels.py (numba keys a cached closure by the values it closes over), so a change
to the training kernel's loss or activation code compiles the landscape again instead
of loading a stale copy; the helpers here are not cached on their own for the same
reason (they are compiled into the entry points).
"""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path

import numpy as np
from numba import njit

from nnviz.core.train import kernels as K

JIT = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
INNER = dict(nogil=True, fastmath=False, error_model="numpy")   # compiled into the entry points
FAST = dict(INNER, fastmath={"contract"})   # a * b + c as one fused multiply-add: off the centre only
U = np.uint64
BLOCK = 256   # points per block: the 32-wide layers of a block (32 x 256 x 8 bytes) stay in L2


def _kernels_stamp() -> int:
    """A number that changes whenever kernels.py changes (0 if its source is not readable)."""
    try:
        data = Path(K.__file__).read_bytes()
    except (OSError, TypeError):
        return 0
    return int.from_bytes(hashlib.sha256(data).digest()[:7], "little")


_tanh_parts = njit(**FAST)(K._tanh_parts.py_func)   # K._tanh's steps, with fused multiply-adds


@njit(**FAST)
def _tanh_off_centre(x):
    """K._tanh in about two thirds of the vector operations, within a few ulp of np.tanh.

    K._tanh's exp(2|x|) is 2^k (1 + r - r c / (c - 2)), fdlibm's form with a division of
    its own; that equals 2^k (2 + 2r - c) / (2 - c), so (e - 1) / (e + 1) becomes
    (s n - d) / (s n + d) with s = 2^k, n = 2 + 2r - c and d = 2 - c, each near 2: one
    division where K._tanh has two. FAST lets the multiply-adds contract, which halves
    the polynomials. The results differ from K._tanh's in the last bits only.
    """
    ax, xq, p, r, c, two_k = _tanh_parts(x)
    sn = two_k * ((2.0 - c) + 2.0 * r)
    d = 2.0 - c
    big = ax >= 0.625
    num = math.copysign(sn - d, x)
    den = sn + d
    num = num if big else xq
    den = den if big else p
    return num / den


@njit(**INNER)
def _first_layer(params, d1, d2, w_off, b_off, sizes, x, lo, m, xt, Z0, U1, U2):
    """Layer 1 of the m points x[lo:lo+m] (x (N, n_in)): its pre-activation at params (Z0)
    and its change per unit step along d1 (U1) and d2 (U2), each (n_1, BLOCK) flat.

    Z0 is summed in _forward_block's order (inputs in turn, then the bias), so at the
    plane's centre it is the training kernel's value bit for bit.
    """
    n_in, n1 = U(sizes[0]), U(sizes[1])
    w0, b0, bl, mm = U(w_off[0]), U(b_off[0]), U(BLOCK), U(m)
    for i in range(n_in):
        for k in range(mm):
            xt[i * bl + k] = x[U(lo) + k, i]
    for j in range(n1):
        r = j * bl
        row = w0 + j * n_in
        for k in range(mm):
            Z0[r + k] = 0.0
            U1[r + k] = 0.0
            U2[r + k] = 0.0
        for i in range(n_in):
            w, e1, e2 = params[row + i], d1[row + i], d2[row + i]
            for k in range(mm):
                xi = xt[i * bl + k]
                Z0[r + k] += w * xi
                U1[r + k] += e1 * xi
                U2[r + k] += e2 * xi
        b, e1, e2 = params[b0 + j], d1[b0 + j], d2[b0 + j]
        for k in range(mm):
            Z0[r + k] += b
            U1[r + k] += e1
            U2[r + k] += e2


@njit(**INNER)
def _activate(code, Z, A, r, m, b, keep_z, exact):
    """A[r+k] = f(Z[r+k] + b) for one neuron's m values (flat offsets r); the tanh and
    linear loops vectorise. keep_z also stores Z + b back (the output layer's logits).
    exact: K._tanh, the training kernel's rounding; otherwise the cheaper tanh."""
    if keep_z:
        for k in range(m):
            Z[r + k] = Z[r + k] + b
        b = 0.0
    if code == K.TANH and exact:
        for k in range(m):
            A[r + k] = K._tanh(Z[r + k] + b)
    elif code == K.TANH:
        for k in range(m):
            A[r + k] = _tanh_off_centre(Z[r + k] + b)
    elif code == K.LINEAR:
        for k in range(m):
            A[r + k] = Z[r + k] + b
    elif code != K.SOFTMAX:
        for k in range(m):
            A[r + k] = K._act(code, Z[r + k] + b)


@njit(**INNER)
def _softmax(Z, A, dst, n_out, m):
    """Softmax over the output rows dst.. of each point, as _forward_block computes it."""
    bl = U(BLOCK)
    for k in range(m):
        zmax = Z[dst * bl + k]
        for j in range(U(1), n_out):
            zmax = max(zmax, Z[(dst + j) * bl + k])
        total = 0.0
        for j in range(n_out):
            e = math.exp(Z[(dst + j) * bl + k] - zmax)
            A[(dst + j) * bl + k] = e
            total += e
        for j in range(n_out):
            A[(dst + j) * bl + k] = A[(dst + j) * bl + k] / total


def _upper_layers(p, w_off, b_off, sizes, acts, node, m, Z, A, exact):
    """Layers 2.. of a block whose layer-1 outputs are in A; flat (neurons, BLOCK) buffers.
    Compiled twice, below: with the training kernel's rounding, and with fused multiply-adds."""
    bl, mm = U(BLOCK), U(m)
    last = sizes.size - 2
    for l in range(1, sizes.size - 1):
        n_in, n_out = U(sizes[l]), U(sizes[l + 1])
        src, dst, w0, b0 = U(node[l]), U(node[l + 1]), U(w_off[l]), U(b_off[l])
        code = acts[l]
        for j in range(n_out):
            r = (dst + j) * bl
            row = w0 + j * n_in
            w = p[row]
            for k in range(mm):          # 0 + w a is w a exactly: the first input starts the sum
                Z[r + k] = w * A[src * bl + k]
            for i in range(U(1), n_in):
                w = p[row + i]
                s = (src + i) * bl
                for k in range(mm):
                    Z[r + k] += w * A[s + k]
            _activate(code, Z, A, r, mm, p[b0 + j], l == last, exact)
        if code == K.SOFTMAX:
            _softmax(Z, A, dst, n_out, mm)


_upper_exact = njit(**INNER)(_upper_layers)
_upper_fast = njit(**FAST)(_upper_layers)


def _build(stamp: int):
    """The entry points, closing over kernels.py's stamp (see the module doc)."""

    @njit(**JIT)
    def plane_losses(params, d1, d2, alphas, betas, w_off, b_off, sizes, acts, loss_code, x, t, out):
        """out[i, j] = mean loss over x (N, n_in), t (N, n_out) at params + alphas[i] d1 + betas[j] d2.

        params, d1, d2 (P,) in the Network's flat layout; alphas (na,), betas (nb,);
        out (na, nb); nan when there are no points. Nothing passed in is written but out.
        """
        if stamp < 0:   # never: it makes the stamp part of the compiled function's cache key
            return
        node = K._node_offsets(sizes)
        total, n1 = node[-1], sizes[1]
        bl = U(BLOCK)
        Z = np.zeros(total * BLOCK)
        A = np.zeros(total * BLOCK)
        Z2 = Z.reshape(total, BLOCK)    # the same memory, as _point_loss reads it: the
        A2 = A.reshape(total, BLOCK)    # output layer's logits (Z) and outputs (A)
        Z0, U1, U2 = np.empty(n1 * BLOCK), np.empty(n1 * BLOCK), np.empty(n1 * BLOCK)
        Zi = np.empty(n1 * BLOCK)
        xt = np.empty(sizes[0] * BLOCK)
        p = params.copy()
        code1 = acts[0]
        one = sizes.size == 2           # no hidden layer: layer 1 is the output layer
        out0, n_out = node[-2], sizes[-1]
        mse = loss_code == K.TANH_MSE or loss_code == K.LINEAR_MSE
        n_points = x.shape[0]
        out[:, :] = 0.0
        for lo in range(0, n_points, BLOCK):
            m = min(BLOCK, n_points - lo)
            mm = U(m)
            _first_layer(params, d1, d2, w_off, b_off, sizes, x, lo, m, xt, Z0, U1, U2)
            a1 = U(node[1]) * bl
            for i in range(alphas.size):
                a = alphas[i]
                for q in range(U(n1) * bl):
                    Zi[q] = Z0[q] + a * U1[q]
                for j in range(betas.size):
                    b = betas[j]
                    exact = a == 0.0 and b == 0.0    # the centre: the Trainer's own numbers
                    for q in range(U(w_off[1]) if not one else U(0), U(params.size)):
                        p[q] = params[q] + a * d1[q] + b * d2[q]
                    for r in range(U(n1)):
                        o = r * bl
                        if one or code1 != K.TANH:
                            for k in range(mm):
                                Z[a1 + o + k] = Zi[o + k] + b * U2[o + k]
                            _activate(code1, Z, A, a1 + o, mm, 0.0, one, exact)
                        elif exact:              # the common case in one pass: no Z row to keep
                            for k in range(mm):
                                A[a1 + o + k] = K._tanh(Zi[o + k] + b * U2[o + k])
                        else:
                            for k in range(mm):
                                A[a1 + o + k] = _tanh_off_centre(Zi[o + k] + b * U2[o + k])
                    if one and code1 == K.SOFTMAX:
                        _softmax(Z, A, U(node[1]), U(n1), mm)
                    if exact:
                        _upper_exact(p, w_off, b_off, sizes, acts, node, m, Z, A, True)
                    else:
                        _upper_fast(p, w_off, b_off, sizes, acts, node, m, Z, A, False)
                    s = out[i, j]
                    if mse:                      # _point_loss's squared error, in its order, inlined:
                        for k in range(m):           # a call per point cost a fifth of the plane
                            q = 0.0
                            for o in range(n_out):
                                e = A2[out0 + o, k] - t[lo + k, o]
                                q += e * e
                            s += 0.5 * q
                    else:
                        for k in range(m):
                            s += K._point_loss(loss_code, Z2, A2, out0, n_out, k, t, lo + k)
                    out[i, j] = s
        for i in range(alphas.size):
            for j in range(betas.size):
                out[i, j] = out[i, j] / n_points if n_points > 0 else np.nan

    return plane_losses


plane_losses = _build(_kernels_stamp())


_compiled = threading.Event()   # set once warm_up has run: the kernel is in memory


def loaded() -> bool:
    """True once the kernel is compiled or loaded from the cache (see landscape_build.ready)."""
    return _compiled.is_set()


def warm_up() -> None:
    """Compile (or load from the on-disk cache) the kernel with the types the callers pass."""
    sizes = np.array([2, 2, 1], dtype=np.int64)
    w_off = np.array([0, 6], dtype=np.int64)
    b_off = np.array([4, 8], dtype=np.int64)
    acts = np.array([1, 1], dtype=np.int64)
    params = np.full(9, 0.1)
    plane_losses(params, params.copy(), params.copy(), np.zeros(1), np.zeros(1), w_off, b_off, sizes, acts,
                 0, np.ones((3, 2)), np.ones((3, 1)), np.zeros((1, 1)))
    _compiled.set()
