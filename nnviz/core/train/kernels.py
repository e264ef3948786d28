"""The compiled training kernel: forward, backward and update in explicit loops.

Why loops: numba's `@` / np.dot need scipy's BLAS, and for layers of at most 32
neurons plain loops are faster anyway (an epoch of a 6x8 network at batch 1 ran ~70x
faster than in vectorised numpy). The kernel works on the Network's flat `params` (P,)
with the layout given by w_off / b_off / sizes, so the optimiser state m, v (P,) and the
gradient (P,) share it. It repeats reference.py and optimizers.py formula for formula
(only the order of the sums inside a matrix product differs) and is tested against them
to 1e-12.

One compiled signature per kernel: every array float64 or int64, C-contiguous and
writable (a read-only array would compile a second version), every code an int.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from nnviz.core.model import activations, losses
from nnviz.core.train import optimizers

JIT = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")
# The codes are spelled out here, not read from the other modules, because numba's
# on-disk cache only notices changes to this file; the check below keeps them in step.
LINEAR, TANH, SIGMOID, RELU, LEAKY_RELU, ELU, SINE, SOFTMAX = range(8)
TANH_MSE, SIGMOID_BCE, SOFTMAX_CE, LINEAR_MSE = range(4)
SGD, MOMENTUM, NESTEROV, RMSPROP, ADAM = range(5)
NO_REG, L1, L2 = range(3)
LEAKY_SLOPE = 0.01
if (activations.CODES != dict(linear=LINEAR, tanh=TANH, sigmoid=SIGMOID, relu=RELU, leaky_relu=LEAKY_RELU,
                              elu=ELU, sine=SINE, softmax=SOFTMAX)
        or losses.CODES_LOSS != dict(tanh_mse=TANH_MSE, sigmoid_bce=SIGMOID_BCE, softmax_ce=SOFTMAX_CE,
                                     linear_mse=LINEAR_MSE)
        or optimizers.OPT_CODES != dict(sgd=SGD, momentum=MOMENTUM, nesterov=NESTEROV, rmsprop=RMSPROP, adam=ADAM)
        or optimizers.REG_CODES != {"none": NO_REG, "l1": L1, "l2": L2}
        or activations.LEAKY_SLOPE != LEAKY_SLOPE):
    raise ImportError("kernels.py is out of step with the codes in activations, losses or optimizers")
BLOCK = 64      # points per forward block when evaluating a whole set
BLOCK_FROM = 16  # batches of at least this many points go through the block code
U = np.uint64   # index type of the point-by-point code (see _forward_point)


def _bitcast(context, builder, sig, args):
    """LLVM code of the two intrinsics below: reinterpret the 64 bits, nothing computed."""
    return builder.bitcast(args[0], context.get_value_type(sig.return_type))


@intrinsic
def _float_bits(typingctx, x):
    """The int64 with the bit pattern of the float64 x."""
    return (types.int64(types.float64), _bitcast) if x == types.float64 else None


@intrinsic
def _bits_float(typingctx, bits):
    """The float64 with the bit pattern of the int64 bits."""
    return (types.float64(types.int64), _bitcast) if bits == types.int64 else None


# exp(u) = 2^k exp(r), u = k ln2 + r, |r| <= ln2 / 2, exp(r) by fdlibm's rational form
_SHIFTER = 6755399441055744.0   # 1.5 * 2^52: adding it rounds to an integer kept in the low bits
_LOG2E = 1.4426950408889634
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08


@njit(**JIT)
def _tanh_parts(x):
    """What _tanh is built from, each computed with no branch: |x|; the [9/8] Pade
    approximant's numerator x q and denominator p (for |x| < 0.625); and exp(2|x|) as
    2^k exp(r), |r| <= ln2 / 2, as r, fdlibm's c (exp(r) = 1 + r - r c / (c - 2)) and 2^k.
    Its own function so the loss landscape compiles the same steps with fused multiply-adds
    into its cheaper tanh (core/learn/landscape_kernel.py)."""
    ax = abs(x)
    y = x * x
    p = (((45.0 * y + 13860.0) * y + 945945.0) * y + 16216200.0) * y + 34459425.0
    q = (((y + 990.0) * y + 135135.0) * y + 4729725.0) * y + 34459425.0
    u = 2.0 * min(ax, 20.0)
    t = u * _LOG2E + _SHIFTER
    k = t - _SHIFTER
    r = (u - k * _LN2_HI) - k * _LN2_LO
    rr = r * r
    c = r - rr * (_P1 + rr * (_P2 + rr * (_P3 + rr * (_P4 + rr * _P5))))
    return ax, x * q, p, r, c, _bits_float((_float_bits(t) + 1023) << 52)


@njit(**JIT)
def _tanh(x):
    """tanh within 4 ulp of libm's (np.tanh), with no branch and no call, so a loop of it
    vectorises (four values per AVX2 instruction; libm's costs ~8 ns a value here).

    Both forms are computed and one kept. |x| < 0.625: the [9/8] Pade approximant from
    Lambert's continued fraction (truncation error below 1e-19). Otherwise
    (e - 1) / (e + 1) with e = exp(2|x|) >= 3.49, so nothing cancels; |x| is clamped at 20,
    where the result rounds to 1 as libm's does. NaN gives NaN.
    """
    ax, xq, p, r, c, two_k = _tanh_parts(x)
    e = (1.0 + (r - (r * c) / (c - 2.0))) * two_k
    big = ax >= 0.625
    num = math.copysign(e - 1.0, x)
    den = e + 1.0
    num = num if big else xq
    den = den if big else p
    return num / den


@njit(**JIT)
def _act(code, z):
    """activations.FUNCTIONS[name][0] for one value (softmax is done per layer)."""
    if code == TANH:
        return _tanh(z)
    if code == LINEAR:
        return z
    if code == SIGMOID:
        e = math.exp(-abs(z))
        return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return z if z > 0.0 else LEAKY_SLOPE * z
    if code == ELU:
        return z if z > 0.0 else math.expm1(z)
    if code == SINE:
        return math.sin(z)
    return z


@njit(**JIT)
def _act_all(code, z, a):
    """a[k] = _act(code, z[k]) for a layer's values z, a (n,); tanh's loop vectorises."""
    if code == TANH:
        for k in range(z.size):
            a[k] = _tanh(z[k])
    else:
        for k in range(z.size):
            a[k] = _act(code, z[k])


@njit(**JIT)
def _der(code, z, a):
    """activations.FUNCTIONS[name][1]: derivative from pre-activation z and output a."""
    if code == TANH:
        return 1.0 - a * a
    if code == LINEAR:
        return 1.0
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    if code == ELU:
        return 1.0 if z > 0.0 else a + 1.0
    if code == SINE:
        return math.cos(z)
    return 1.0


@njit(**JIT)
def _node_offsets(sizes):
    """(L+2,) first row of each layer's neurons in the block buffers Z, A, D."""
    off = np.zeros(sizes.size + 1, dtype=np.int64)
    for l in range(sizes.size):
        off[l + 1] = off[l] + sizes[l]
    return off


@njit(**JIT)
def _forward_block(params, w_off, b_off, sizes, acts, node, x, lo, m, Z, A):
    """Forward pass of the m points x[lo:lo+m] (x is (N, n_in)), one layer at a time.

    Z, A (total neurons, >= m): row node[l] + j holds neuron j of layer l for each point
    (the rows of layer 0 are the inputs). Every inner loop runs over points, so its
    multiply-adds are independent and vectorise; a point-by-point pass was 3x slower.
    """
    for i in range(sizes[0]):
        ai = A[i]
        for k in range(m):
            ai[k] = x[lo + k, i]
    for l in range(sizes.size - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        src, dst, w0, b0 = node[l], node[l + 1], w_off[l], b_off[l]
        code = acts[l]
        for j in range(n_out):
            zj = Z[dst + j]
            for k in range(m):
                zj[k] = 0.0
            row = w0 + j * n_in
            for i in range(n_in):
                w = params[row + i]
                ai = A[src + i]
                for k in range(m):
                    zj[k] += w * ai[k]
            b = params[b0 + j]
            for k in range(m):
                zj[k] += b
            if code != SOFTMAX:
                _act_all(code, zj[:m], A[dst + j, :m])
        if code == SOFTMAX:  # exp(z - max) / sum per point, as activations.softmax
            for k in range(m):
                zmax = Z[dst, k]
                for j in range(1, n_out):
                    zmax = max(zmax, Z[dst + j, k])
                total = 0.0
                for j in range(n_out):
                    e = math.exp(Z[dst + j, k] - zmax)
                    A[dst + j, k] = e
                    total += e
                for j in range(n_out):
                    A[dst + j, k] = A[dst + j, k] / total


@njit(**JIT)
def _point_loss(loss_code, Z, A, out0, n_out, k, t, n):
    """losses.loss_from_logits for one point: logits Z[out0:out0+n_out, k], outputs A
    likewise, targets t[n]. Cross-entropy from the logits, never from probabilities."""
    s = 0.0
    if loss_code == TANH_MSE or loss_code == LINEAR_MSE:
        for j in range(n_out):
            e = A[out0 + j, k] - t[n, j]
            s += e * e
        return 0.5 * s
    if loss_code == SIGMOID_BCE:
        for j in range(n_out):
            z = Z[out0 + j, k]
            s += max(z, 0.0) - t[n, j] * z + math.log1p(math.exp(-abs(z)))
        return s
    top = 0   # softmax: log-sum-exp = m + log1p(sum of e^(z_j - m) over j != top)
    for j in range(1, n_out):
        if Z[out0 + j, k] > Z[out0 + top, k]:
            top = j
    m = Z[out0 + top, k]
    rest = 0.0
    for j in range(n_out):
        if j != top:
            rest += math.exp(Z[out0 + j, k] - m)
    lse_minus_m = math.log1p(rest)
    for j in range(n_out):
        s += t[n, j] * ((m - Z[out0 + j, k]) + lse_minus_m)
    return s


@njit(**JIT)
def _point_class(loss_code, A, out0, n_out, k):
    """losses.predicted_class for one point (first maximum wins, as np.argmax)."""
    if loss_code == SOFTMAX_CE:
        best = 0
        for j in range(1, n_out):
            if A[out0 + j, k] > A[out0 + best, k]:
                best = j
        return best
    threshold = 0.5 if loss_code == SIGMOID_BCE else 0.0
    return 1 if A[out0, k] >= threshold else 0


@njit(**JIT)
def _scan_frozen(loss_code, sizes, acts, node, Z, A, t, lo, m, first, live):
    """Look for layers that pass nothing on, over the block of points lo..lo+m-1.

    Layer c (1 = first hidden, the last = output) stays a suspect while every neuron of it
    gives the value it gave the first training point (first, by row of Z/A) and gets no
    gradient: its activation's slope is exactly 0 (for the output, the delta
    losses.delta is exactly 0). live[c] = 1 once a point clears it. Returns whether any
    suspect is left, so later blocks can skip the scan (a healthy network clears every
    layer on its first point or so).
    """
    left = False
    last = sizes.size - 1
    for c in range(1, sizes.size):
        if live[c]:
            continue
        for j in range(sizes[c]):
            row = node[c] + j
            for k in range(m):
                a = A[row, k]
                if a != first[row]:
                    live[c] = 1
                elif c == last:
                    d = a - t[lo + k, j]
                    if loss_code == TANH_MSE:
                        d *= 1.0 - a * a
                    live[c] = d != 0.0
                else:
                    live[c] = _der(acts[c - 1], Z[row, k], a) != 0.0
                if live[c]:
                    break
            if live[c]:
                break
        if not live[c]:
            left = True
    return left


@njit(**JIT)
def evaluate(params, w_off, b_off, sizes, acts, loss_code, x, t, cls, out, check):
    """Mean loss (no penalty) and number correct over x (N, n_in) into out (3,).

    cls (N,) int64 class indices; the count means nothing for regression. With check = 1,
    out[2] is the first layer found frozen on these points (see _scan_frozen; 1 = first
    hidden layer), else -1.
    """
    node = _node_offsets(sizes)
    Z = np.empty((node[-1], BLOCK))
    A = np.empty((node[-1], BLOCK))
    n_out = sizes[-1]
    out0 = node[-2]
    n_points = x.shape[0]
    loss = 0.0
    correct = 0
    live = np.zeros(sizes.size, dtype=np.int64)
    first = np.empty(node[-1])
    scan = check != 0 and n_points > 0
    for lo in range(0, n_points, BLOCK):
        m = min(BLOCK, n_points - lo)
        _forward_block(params, w_off, b_off, sizes, acts, node, x, lo, m, Z, A)
        for k in range(m):
            loss += _point_loss(loss_code, Z, A, out0, n_out, k, t, lo + k)
            if _point_class(loss_code, A, out0, n_out, k) == cls[lo + k]:
                correct += 1
        if scan:
            if lo == 0:
                for r in range(node[-1]):
                    first[r] = A[r, 0]
            scan = _scan_frozen(loss_code, sizes, acts, node, Z, A, t, lo, m, first, live)
    out[0] = loss / n_points if n_points > 0 else np.nan
    out[1] = correct
    out[2] = -1.0
    if check != 0 and n_points > 0:
        for c in range(1, sizes.size):
            if not live[c]:
                out[2] = c
                break


@njit(**JIT)
def forward_outputs(params, w_off, b_off, sizes, acts, x, out):
    """The output layer's values for every point of x (N, n_in) into out (N, n_out).

    What the worker needs each frame for the confusion matrix and R^2, without the GIL.
    """
    node = _node_offsets(sizes)
    Z = np.empty((node[-1], BLOCK))
    A = np.empty((node[-1], BLOCK))
    out0, n_out = node[-2], sizes[-1]
    for lo in range(0, x.shape[0], BLOCK):
        m = min(BLOCK, x.shape[0] - lo)
        _forward_block(params, w_off, b_off, sizes, acts, node, x, lo, m, Z, A)
        for j in range(n_out):
            for k in range(m):
                out[lo + k, j] = A[out0 + j, k]


@njit(**JIT)
def _update(params, grad, m, v, dead, w_off, b_off, sizes, opt_code, reg_code, hyper, step, size, tag, last):
    """optimizers.update on every parameter; grad (P,) holds sums over `size` points
    and is left holding the averages. SGD under L1 skips dead links (dead[p] != 0, their
    gradient shown as 0) and marks those the penalty zeroes with `tag`. last (P,) gets
    each parameter's change, new - old (what the graph's "last update" colouring shows)."""
    lr, reg_rate, mu, b1, b2, eps = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]
    if opt_code == SGD and reg_code == NO_REG:
        # the default: one branch-free loop the compiler vectorises
        for p in range(b_off[-1] + sizes[-1]):
            g = grad[p] / size
            grad[p] = g
            w1 = params[p] - lr * g
            last[p] = w1 - params[p]
            params[p] = w1
        return
    c1 = 1.0 - b1 ** float(step)
    c2 = 1.0 - b2 ** float(step)
    kills = opt_code == SGD and reg_code == L1
    for l in range(sizes.size - 1):
        n_w = sizes[l] * sizes[l + 1]
        lo = U(w_off[l])
        hi = U(b_off[l] + sizes[l + 1])
        for p in range(lo, hi):
            if kills and dead[p] != 0:
                grad[p] = 0.0
                last[p] = 0.0
                continue
            w = params[p]
            g = grad[p] / size
            grad[p] = g
            if opt_code == SGD:
                w1 = w - lr * g
            elif opt_code == MOMENTUM:   # torch.optim.SGD's buffer: no learning rate inside
                m[p] = mu * m[p] + g
                w1 = w - lr * m[p]
            elif opt_code == NESTEROV:
                m[p] = mu * m[p] + g
                w1 = w - lr * (g + mu * m[p])
            elif opt_code == RMSPROP:
                v[p] = b2 * v[p] + (1.0 - b2) * g * g
                w1 = w - lr * g / (math.sqrt(v[p]) + eps)
            else:
                m[p] = b1 * m[p] + (1.0 - b1) * g
                v[p] = b2 * v[p] + (1.0 - b2) * g * g
                m_hat = m[p] / c1
                v_hat = v[p] / c2
                w1 = w - lr * m_hat / (math.sqrt(v_hat) + eps)
            if reg_code != NO_REG and p < lo + U(n_w):  # weights only; biases never regularised
                if reg_code == L1:
                    der = 1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0)
                else:
                    der = w
                w2 = w1 - lr * reg_rate * der
                if reg_code == L1 and w1 * w2 < 0.0:
                    w2 = 0.0  # the penalty flipped the sign: the Playground sets 0
                    if kills:
                        dead[p] = tag   # and, under its SGD, the link is dead from now on
                params[p] = w2
                last[p] = w2 - w
            else:
                params[p] = w1
                last[p] = w1 - w


@njit(inline='always', **JIT)
def _forward_point(params, w_off, b_off, sizes, acts, node, x, n, z, a):
    """Forward pass of the one point x[n] into z, a (total neurons,).

    Four neurons at a time, so four independent sums hide the adder's latency. Each sum
    runs over the inputs in the same order as _forward_block: the two agree bit for bit.
    Offsets are unsigned (U) in the point-by-point code: numba adds a negative-index
    fix-up to every access with a signed index, which doubled the time of these loops.
    """
    for i in range(sizes[0]):
        a[i] = x[n, i]
    for l in range(sizes.size - 1):
        n_in, n_out = U(sizes[l]), U(sizes[l + 1])
        src, dst, w0, b0 = U(node[l]), U(node[l + 1]), U(w_off[l]), U(b_off[l])
        j = U(0)
        while j + U(4) <= n_out:
            r0 = w0 + j * n_in
            r1 = r0 + n_in
            r2 = r1 + n_in
            r3 = r2 + n_in
            s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
            for i in range(n_in):
                ai = a[src + i]
                s0 += params[r0 + i] * ai
                s1 += params[r1 + i] * ai
                s2 += params[r2 + i] * ai
                s3 += params[r3 + i] * ai
            z[dst + j] = s0 + params[b0 + j]
            z[dst + j + U(1)] = s1 + params[b0 + j + U(1)]
            z[dst + j + U(2)] = s2 + params[b0 + j + U(2)]
            z[dst + j + U(3)] = s3 + params[b0 + j + U(3)]
            j += U(4)
        while j < n_out:
            r0 = w0 + j * n_in
            s0 = 0.0
            for i in range(n_in):
                s0 += params[r0 + i] * a[src + i]
            z[dst + j] = s0 + params[b0 + j]
            j += U(1)
        code = acts[l]
        # _act_all's loops, written out: its slices would cost a reference count each
        if code == TANH:  # its own loop, which vectorises
            for j in range(n_out):
                a[dst + j] = _tanh(z[dst + j])
        elif code != SOFTMAX:
            for j in range(n_out):
                a[dst + j] = _act(code, z[dst + j])
        else:
            zmax = z[dst]
            for j in range(U(1), n_out):
                zmax = max(zmax, z[dst + j])
            total = 0.0
            for j in range(n_out):
                e = math.exp(z[dst + j] - zmax)
                a[dst + j] = e
                total += e
            for j in range(n_out):
                a[dst + j] = a[dst + j] / total


@njit(inline='always', **JIT)
def _forward_and_delta(params, w_off, b_off, sizes, acts, node, loss_code, x, t, n, z, a, d):
    """Forward pass of point n, then the output layer's delta d (losses.delta) into d."""
    _forward_point(params, w_off, b_off, sizes, acts, node, x, n, z, a)
    out0, n_out = node[-2], sizes[-1]
    for j in range(n_out):
        o = a[out0 + j]
        if loss_code == TANH_MSE:
            d[out0 + j] = (o - t[n, j]) * (1.0 - o * o)
        else:
            d[out0 + j] = o - t[n, j]


@njit(inline='always', **JIT)
def _delta_below(params, w0, src, dst, n_in, n_o, code, z, a, d):
    """d[src:src+n_in] = (W^T d[dst:dst+n_o]) * f'(z) for the layer below, W its weights
    (n_o, n_in) at params[w0:]; code its activation. Unsigned offsets. Each sum runs over
    j in order, as _grad_block's does; four columns at a time, in registers."""
    i = U(0)
    while i + U(4) <= n_in:
        s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
        for j in range(n_o):
            dj = d[dst + j]
            r = w0 + j * n_in + i
            s0 += params[r] * dj
            s1 += params[r + U(1)] * dj
            s2 += params[r + U(2)] * dj
            s3 += params[r + U(3)] * dj
        d[src + i] = s0
        d[src + i + U(1)] = s1
        d[src + i + U(2)] = s2
        d[src + i + U(3)] = s3
        i += U(4)
    while i < n_in:
        s0 = 0.0
        for j in range(n_o):
            s0 += params[w0 + j * n_in + i] * d[dst + j]
        d[src + i] = s0
        i += U(1)
    if code == TANH:
        for i in range(n_in):
            d[src + i] *= 1.0 - a[src + i] * a[src + i]
    else:
        for i in range(n_in):
            d[src + i] *= _der(code, z[src + i], a[src + i])


@njit(**JIT)
def _grad_points(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, z, a, d):
    """grad (P,) += summed gradient of points lo..hi-1, one point at a time (small batches)."""
    for n in range(lo, hi):
        _forward_and_delta(params, w_off, b_off, sizes, acts, node, loss_code, x, t, n, z, a, d)
        for l in range(sizes.size - 2, -1, -1):
            n_in, n_o = U(sizes[l]), U(sizes[l + 1])
            src, dst, w0, b0 = U(node[l]), U(node[l + 1]), U(w_off[l]), U(b_off[l])
            for j in range(n_o):
                dj = d[dst + j]
                grad[b0 + j] += dj
                row = w0 + j * n_in
                for i in range(n_in):
                    grad[row + i] += dj * a[src + i]
            if l > 0:
                _delta_below(params, w0, src, dst, n_in, n_o, acts[l - 1], z, a, d)


@njit(**JIT)
def _sgd_points(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, lr, z, a, d):
    """Plain SGD with batch size 1 and no penalty: one fused update per point lo..hi-1.

    The same numbers as _grad_points then _update: each layer's delta for the layer below
    is taken with the old weights first, then that layer's gradient is written to grad
    (the average of one point is the point) and its step applied, so no pass zeroes grad
    and no pass walks the parameters a second time. The helpers are inlined (a call per
    point and layer cost ~10%): the whole loop is one function.
    """
    for n in range(lo, hi):
        _forward_and_delta(params, w_off, b_off, sizes, acts, node, loss_code, x, t, n, z, a, d)
        for l in range(sizes.size - 2, -1, -1):
            n_in, n_o = U(sizes[l]), U(sizes[l + 1])
            src, dst, w0, b0 = U(node[l]), U(node[l + 1]), U(w_off[l]), U(b_off[l])
            if l > 0:  # the delta below first, from the weights before this step
                _delta_below(params, w0, src, dst, n_in, n_o, acts[l - 1], z, a, d)
            for j in range(n_o):
                dj = d[dst + j]
                row = w0 + j * n_in
                for i in range(n_in):
                    g = dj * a[src + i]
                    grad[row + i] = g
                    params[row + i] = params[row + i] - lr * g
            for j in range(n_o):
                g = d[dst + j]
                grad[b0 + j] = g
                params[b0 + j] = params[b0 + j] - lr * g


@njit(**JIT)
def _grad_block(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, Z, A, D):
    """grad (P,) += summed gradient of points lo..hi-1 as one block (larger batches).

    Same sums in the same order as _grad_points (each starts from grad's value and adds
    point after point), organised so inner loops run over points.
    """
    n_layers = sizes.size - 1
    n_out = sizes[-1]
    out0 = node[-2]
    nb = hi - lo
    _forward_block(params, w_off, b_off, sizes, acts, node, x, lo, nb, Z, A)
    for j in range(n_out):  # losses.delta
        for k in range(nb):
            o = A[out0 + j, k]
            if loss_code == TANH_MSE:
                D[out0 + j, k] = (o - t[lo + k, j]) * (1.0 - o * o)
            else:
                D[out0 + j, k] = o - t[lo + k, j]
    for l in range(n_layers - 1, -1, -1):
        n_in, n_o = sizes[l], sizes[l + 1]
        src, dst, w0, b0 = node[l], node[l + 1], w_off[l], b_off[l]
        for j in range(n_o):
            dj = D[dst + j]
            s = grad[b0 + j]
            for k in range(nb):
                s += dj[k]
            grad[b0 + j] = s
            row = w0 + j * n_in
            for i in range(n_in):
                ai = A[src + i]
                s = grad[row + i]
                for k in range(nb):
                    s += dj[k] * ai[k]
                grad[row + i] = s
        if l > 0:  # delta of layer l: (W^T delta) * f'(z)
            code = acts[l - 1]
            for i in range(n_in):
                di = D[src + i]
                for k in range(nb):
                    di[k] = 0.0
                for j in range(n_o):
                    w = params[w0 + j * n_in + i]
                    dj = D[dst + j]
                    for k in range(nb):
                        di[k] += w * dj[k]
                zi = Z[src + i]
                ai = A[src + i]
                for k in range(nb):
                    di[k] *= _der(code, zi[k], ai[k])


@njit(**JIT)
def _accumulate(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, z, a, d, Z, A, D):
    """grad (P,) += summed gradient of points lo..hi-1: point by point for small batches,
    as a block for larger ones (the same numbers either way)."""
    if hi - lo < BLOCK_FROM:
        _grad_points(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, z, a, d)
    else:
        _grad_block(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, Z, A, D)


@njit(**JIT)
def train_batches(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, loss_code, x, t,
                  first, count, batch_size, opt_code, reg_code, hyper, counts, tag, last):
    """Mini-batches first..first+count-1 of an epoch over x (N, n_in), t (N, n_out).

    batches.py's two rules: with b = min(batch_size, N), batch k is points
    [k b, min((k+1) b, N)). Plain SGD (the Playground's) makes N // b updates; each one
    also averages the points summed in acc (P,), and the epoch's last one then sums the
    N mod b leftover points into acc. The others make ceil(N / b) updates, the last
    short. counts (2,) int64: updates so far (Adam's t) and the points in acc; both are
    kept up to date. grad (P,) ends holding the last update's averaged gradient, last (P,)
    the change it made to each parameter. dead, tag: see _update.
    """
    n_points = x.shape[0]
    if n_points == 0 or count <= 0:
        return
    b = max(min(batch_size, n_points), 1)
    carries = opt_code == SGD
    per_epoch = n_points // b if carries else (n_points + b - 1) // b
    node = _node_offsets(sizes)
    total = node[-1]
    z = np.empty(total)            # pre-activations, outputs and d loss / d z of one point
    a = np.empty(total)
    d = np.empty(total)
    if b == 1 and opt_code == SGD and reg_code == NO_REG and counts[1] == 0:
        hi = min(first + count, n_points)
        if hi <= first:
            return
        # all points but the last fused; the last goes through the loop below, which also
        # records its change in `last` (the same numbers either way, as _sgd_points says)
        _sgd_points(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, first, hi - 1, hyper[0],
                    z, a, d)
        counts[0] += hi - 1 - first
        first, count = hi - 1, 1
    width = b if b >= BLOCK_FROM else 1
    Z = np.empty((total, width))   # the same, one column per point of a block batch
    A = np.empty((total, width))
    D = np.empty((total, width))
    n_p = params.size
    for kb in range(first, first + count):
        lo = kb * b
        hi = min(lo + b, n_points)
        if hi <= lo:
            break
        size = hi - lo
        if counts[1] > 0:          # the Playground's leftover: averaged in with this batch
            for p in range(n_p):
                grad[p] = acc[p]
                acc[p] = 0.0
            size += counts[1]
            counts[1] = 0
        else:
            for p in range(n_p):
                grad[p] = 0.0
        _accumulate(params, grad, w_off, b_off, sizes, acts, node, loss_code, x, t, lo, hi, z, a, d, Z, A, D)
        counts[0] += 1
        _update(params, grad, m, v, dead, w_off, b_off, sizes, opt_code, reg_code, hyper, counts[0],
                float(size), tag, last)
        if carries and kb == per_epoch - 1 and per_epoch * b < n_points:
            _accumulate(params, acc, w_off, b_off, sizes, acts, node, loss_code, x, t,
                        per_epoch * b, n_points, z, a, d, Z, A, D)
            counts[1] = n_points - per_epoch * b


@njit(**JIT)
def _stays_frozen(c, params, m, v, acc, dead, w_off, b_off, sizes, opt_code, reg_code, hyper):
    """Whether nothing but a gradient could move the parameters that feed layer c (the
    weight matrices 0..c-1): no carried gradient, no momentum or first moment left, no
    penalty that still pulls a weight, and no 0 / 0 step. With layer c frozen on every
    training point (evaluate's check) their gradient is exactly 0, so they never move."""
    memory = opt_code == MOMENTUM or opt_code == NESTEROV or opt_code == ADAM
    pulls = reg_code != NO_REG and hyper[1] > 0.0
    no_eps = hyper[5] == 0.0 and (opt_code == RMSPROP or opt_code == ADAM)
    for l in range(c):
        for p in range(w_off[l], b_off[l] + sizes[l + 1]):
            if acc[p] != 0.0 or (memory and m[p] != 0.0) or (no_eps and v[p] == 0.0):
                return False
            if pulls and p < b_off[l] and params[p] != 0.0 and dead[p] == 0:
                return False
    return True


@njit(**JIT)
def train_eval(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, loss_code,
               x_tr, t_tr, c_tr, x_te, t_te, c_te, first, count, batch_size,
               opt_code, reg_code, hyper, counts, tag, check, out, last):
    """train_batches, then losses of both sets and gradient sizes: one call per epoch.

    out (5 + L,): train loss, train correct, test loss, test correct, the frozen layer
    (with check = 1: a layer that passes nothing on and never can again, see
    _scan_frozen and _stays_frozen; else -1), then the RMS of each layer's weight gradient
    (scaled by its largest entry when the squares would overflow or underflow, so 1e200 is
    not reported as infinite nor 1e-200 as 0).
    """
    train_batches(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, loss_code, x_tr, t_tr,
                  first, count, batch_size, opt_code, reg_code, hyper, counts, tag, last)
    res = np.empty(3)
    evaluate(params, w_off, b_off, sizes, acts, loss_code, x_tr, t_tr, c_tr, res, check)
    out[0], out[1], out[4] = res[0], res[1], res[2]
    if out[4] >= 0 and not _stays_frozen(int(out[4]), params, m, v, acc, dead, w_off, b_off, sizes,
                                         opt_code, reg_code, hyper):
        out[4] = -1.0
    # check * 0, not a literal 0: a literal would compile a second version of evaluate
    # whenever this function is compiled rather than loaded from the cache
    evaluate(params, w_off, b_off, sizes, acts, loss_code, x_te, t_te, c_te, res, check * 0)
    out[2], out[3] = res[0], res[1]
    for l in range(sizes.size - 1):
        n_w = sizes[l] * sizes[l + 1]
        s = 0.0
        big = 0.0
        for p in range(w_off[l], w_off[l] + n_w):
            s += grad[p] * grad[p]
            big = max(big, abs(grad[p]))
        if (s == 0.0 or s == math.inf) and 0.0 < big < math.inf:   # g^2 under- or overflowed
            s = 0.0
            for p in range(w_off[l], w_off[l] + n_w):
                s += (grad[p] / big) * (grad[p] / big)
            out[5 + l] = big * math.sqrt(s / n_w)
        else:
            out[5 + l] = math.sqrt(s / n_w)


@njit(**JIT)
def train_epoch_run(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, loss_code,
                    x_tr, t_tr, c_tr, x_te, t_te, c_te, batch_size, opt_code, reg_code, hyper,
                    decay, epoch, counts, target_loss, check, rows, last):
    """Whole epochs from an epoch boundary, one train_eval each, results into rows (n, 5 + L).

    Many epochs per call, so the worker takes the GIL once per chunk, not once per epoch.
    hyper[0] is the undecayed rate: epoch e trains with lr / (1 + decay * e), as
    optimizers.decayed_lr. Stops after an epoch whose losses or parameters are not finite,
    whose test loss reaches target_loss (when > 0), or (check = 1) that left a frozen
    layer. Returns the epochs done.
    """
    n_tr, n_te = x_tr.shape[0], x_te.shape[0]
    b = max(min(batch_size, n_tr), 1)
    n_batches = n_tr // b if opt_code == SGD else (n_tr + b - 1) // b
    h = hyper.copy()
    first = np.int64(0)   # not the literal 0, which would compile train_eval a second time
    done = 0
    for e in range(rows.shape[0]):
        h[0] = hyper[0] / (1.0 + decay * float(epoch + e))
        out = rows[e]
        train_eval(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, loss_code,
                   x_tr, t_tr, c_tr, x_te, t_te, c_te, first, n_batches, batch_size,
                   opt_code, reg_code, h, counts, epoch + e + 1, check, out, last)
        done += 1
        bad = (n_tr > 0 and not math.isfinite(out[0])) or (n_te > 0 and not math.isfinite(out[2]))
        for p in range(params.size):
            if not math.isfinite(params[p]):
                bad = True
                break
        if bad or (target_loss > 0.0 and out[2] <= target_loss) or out[4] >= 0:
            break
    return done


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel on a tiny network.

    The types match what the Trainer passes, so no later call compiles again; the GUI
    runs this in the background at start-up.
    """
    sizes = np.array([2, 2, 1], dtype=np.int64)
    w_off = np.array([0, 6], dtype=np.int64)
    b_off = np.array([4, 8], dtype=np.int64)
    acts = np.array([1, 1], dtype=np.int64)
    params = np.full(9, 0.1)
    grad, m, v, acc = np.zeros(9), np.zeros(9), np.zeros(9), np.zeros(9)
    dead = np.zeros(9, dtype=np.int64)
    counts = np.zeros(2, dtype=np.int64)
    x = np.ones((3, 2))
    t = np.ones((3, 1))
    c = np.ones(3, dtype=np.int64)
    hyper = np.array([0.03, 0.0, 0.9, 0.9, 0.999, 1e-8])
    out = np.zeros(5 + 2)
    last = np.zeros(9)
    train_eval(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, 0, x, t, c, x, t, c,
               0, 1, 2, 0, 0, hyper, counts, 1, 1, out, last)
    train_batches(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, 0, x, t, 0, 1, 2, 0, 0, hyper,
                  counts, 1, last)
    train_epoch_run(params, grad, m, v, acc, dead, w_off, b_off, sizes, acts, 0, x, t, c, x, t, c,
                    2, 0, 0, hyper, 0.0, 0, counts, 0.0, 1, np.zeros((1, 5 + 2)), last)
    evaluate(params, w_off, b_off, sizes, acts, 0, x, t, c, np.zeros(3), 1)
    forward_outputs(params, w_off, b_off, sizes, acts, x, np.empty((3, 1)))
    from nnviz.core.model.network import (
        Network,  # the picture kernel (grid_kernel.py), through its one caller
    )
    Network((2, 2, 1), ("tanh",), "tanh_mse", ("x1", "x2")).grid_outputs(compiled=True)
