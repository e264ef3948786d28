"""The compiled kernel against the numpy reference (reference.py + optimizers.py).

Same network, same data, same batches: after 50 mini-batch updates every parameter,
the gradient, the optimiser state, SGD's carried gradient and its dead links must agree
to 1e-12 (they differ only by the order of floating-point sums, ~1e-16 per operation).
47 points never divide into the batches used, so SGD carries a leftover every epoch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core.config import ACTIVATIONS
from nnviz.core.data.datasets import class_index, make_data
from nnviz.core.model import features, losses
from nnviz.core.model.network import Network
from nnviz.core.train import batches, kernels, metrics, reference
from nnviz.core.train.batches import Carry
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper, OptimizerState

TOL = 1e-12
# RMSprop's first steps are lr / sqrt(1 - beta2) ~ 32 lr per parameter; at lr 0.03 those
# ~1-unit jumps make training chaotic and any 1e-16 difference grows ~2x per update.
# lr 0.001 gives it steps of the size the others take at 0.03.
LR = {"rmsprop": 0.001}
FEATURES = ("x1", "x2", "sin(x1)")


def data(kind: str, n: int = 47, seed: int = 1):
    """n circle points (features (n, 3)), their targets (n, n_out), labels and classes."""
    name, k = {"softmax_ce": ("spiral3", 3), "linear_mse": ("reg-gauss", 0)}.get(kind, ("circle", 2))
    train, _ = make_data(name, 10, 50, seed)
    x = np.ascontiguousarray(features.transform(train.x[:n], FEATURES))
    y = train.y[:n]
    t = np.array(losses.targets(kind, y, k), order="C")
    c = class_index(y, k) if k else np.zeros(n, dtype=np.int64)
    return x, t, y, np.ascontiguousarray(c, dtype=np.int64), k


def network(kind: str, hidden=(4, 3), activation: str = "tanh", seed: int = 2) -> Network:
    n_out = 3 if kind == "softmax_ce" else 1
    net = Network((len(FEATURES), *hidden, n_out), (activation,) * len(hidden), kind, FEATURES)
    net.initialize("playground", np.random.default_rng(seed))
    return net


def run_both(net: Network, x, t, h: Hyper, batch: int, updates: int):
    """`updates` batch updates through the kernel and through the reference, one call each,
    epoch after epoch; returns (params, grad, m, v, carried sum, dead, last change) of each."""
    bpe = batches.batches_per_epoch(len(x), batch, h.optimizer)
    ref, state, carry = net.copy(), OptimizerState.zeros(net.params.size), Carry.zeros(net.params.size)
    dead_ref = np.zeros(net.params.size, dtype=np.int64)
    g_ref, last_ref = np.zeros_like(net.params), np.zeros_like(net.params)
    for k in range(updates):
        g_ref = reference.train_batches(ref, state, x, t, batch, k % bpe, 1, h, carry, dead_ref, 1 + k // bpe,
                                        last_ref)
    p, g = net.params.copy(), np.zeros_like(net.params)
    m, v, acc, last = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    dead, counts = np.zeros(p.size, dtype=np.int64), np.zeros(2, dtype=np.int64)
    sizes = np.array(net.layer_sizes, dtype=np.int64)
    code = losses.code(net.output_kind)
    for k in range(updates):
        kernels.train_batches(p, g, m, v, acc, dead, net.w_off, net.b_off, sizes, net.activation_codes(), code,
                              x, t, k % bpe, 1, batch, OPT_CODES[h.optimizer],
                              REG_CODES[h.regularization], h.vector(), counts, 1 + k // bpe, last)
    assert counts[0] == state.t == updates and counts[1] == carry.count
    return (p, g, m, v, acc, dead, last), (ref.params, g_ref, state.m, state.v, carry.acc, dead_ref, last_ref)


def assert_close(kernel, ref) -> None:
    for name, a, b in zip(("params", "grad", "m", "v", "carry"), kernel, ref):
        err = np.max(np.abs(a - b))
        assert err <= TOL, f"{name} differs by {err:.2e}"
    assert np.array_equal(kernel[5], ref[5]), "the dead links differ"
    err = np.max(np.abs(kernel[6] - ref[6]))
    assert err <= TOL, f"the last update's change differs by {err:.2e}"


@pytest.mark.parametrize("regularization", ("none", "l1", "l2"))
@pytest.mark.parametrize("optimizer", tuple(OPT_CODES))
def test_kernel_equals_reference_after_50_updates(optimizer: str, regularization: str) -> None:
    x, t, *_ = data("tanh_mse")
    h = Hyper(optimizer, regularization, lr=LR.get(optimizer, 0.03), reg_rate=0.01)
    kernel, ref = run_both(network("tanh_mse"), x, t, h, batch=10, updates=50)
    assert np.max(np.abs(kernel[0] - network("tanh_mse").params)) > 0.1, "nothing was learned"
    assert_close(kernel, ref)


@pytest.mark.parametrize("optimizer", tuple(OPT_CODES))
def test_kernel_equals_reference_when_l1_zeroes_weights(optimizer: str) -> None:
    x, t, *_ = data("tanh_mse")
    # a penalty step lr * reg_rate of ~0.01 per update zeroes 12..17 weights in 50 updates
    rate = {"rmsprop": 10.0}.get(optimizer, 1.0)
    h = Hyper(optimizer, "l1", lr=LR.get(optimizer, 0.03), reg_rate=rate)
    kernel, ref = run_both(network("tanh_mse"), x, t, h, batch=10, updates=50)
    assert_close(kernel, ref)
    zeros = kernel[0] == 0.0
    assert zeros.sum() >= 10 and np.array_equal(zeros, ref[0] == 0.0)


@pytest.mark.parametrize("kind", ("tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse"))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_kernel_equals_reference_for_every_activation_and_output(activation: str, kind: str) -> None:
    x, t, *_ = data(kind)
    h = Hyper("adam", "l2", lr=0.01, reg_rate=0.003)
    assert_close(*run_both(network(kind, activation=activation), x, t, h, batch=10, updates=50))


@pytest.mark.parametrize("batch", (1, 2, 7, 8, 10, 30, 47, 100))
def test_kernel_equals_reference_for_any_batch_size(batch: int) -> None:
    """Small batches go point by point, larger ones as a block (kernels.BLOCK_FROM)."""
    x, t, *_ = data("tanh_mse")
    h = Hyper("momentum", "l1", lr=0.03, reg_rate=0.003)
    assert_close(*run_both(network("tanh_mse", hidden=(5, 4, 3)), x, t, h, batch=batch, updates=50))


@pytest.mark.parametrize("kind", ("tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse"))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fused_batch_one_sgd_step_is_the_general_step(activation: str, kind: str) -> None:
    """Batch 1, plain SGD, no penalty takes the fused kernel path (kernels._sgd_points). It
    matches the reference, and bit for bit the general path, reached here through an L2
    penalty of rate 0 (which subtracts an exact 0)."""
    x, t, *_ = data(kind)
    net = network(kind, activation=activation)
    fused, ref = run_both(net, x, t, Hyper("sgd", "none", lr=0.1), batch=1, updates=60)
    assert_close(fused, ref)
    general, _ = run_both(net, x, t, Hyper("sgd", "l2", lr=0.1, reg_rate=0.0), batch=1, updates=60)
    assert np.array_equal(fused[0], general[0]) and np.array_equal(fused[1], general[1])
    assert np.array_equal(fused[6], general[6])


def test_batch_one_run_of_many_points_equals_one_call_per_point() -> None:
    """train_batches runs a batch-1 range as one loop over its points (kernels._sgd_points):
    the same numbers as one call per point, and a range past the end stops at the end."""
    x, t, *_ = data("tanh_mse")
    net = network("tanh_mse", hidden=(8, 5))
    sizes, code = np.array(net.layer_sizes, dtype=np.int64), losses.code("tanh_mse")
    h = Hyper("sgd", "none", lr=0.1).vector()
    runs = []
    for calls in ([(0, len(x))], [(k, 1) for k in range(len(x))], [(0, 20), (20, 1000)]):
        p, g, m, v, acc = net.params.copy(), np.zeros_like(net.params), np.zeros(0), np.zeros(0), np.zeros(0)
        counts, dead, last = np.zeros(2, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros_like(p)
        for first, count in calls:
            kernels.train_batches(p, g, m, v, acc, dead, net.w_off, net.b_off, sizes, net.activation_codes(),
                                  code, x, t, first, count, 1, OPT_CODES["sgd"], REG_CODES["none"], h, counts, 1,
                                  last)
        assert counts[0] == len(x) and counts[1] == 0
        runs.append((p, g, last))
    for p, g, last in runs[1:]:
        assert np.array_equal(p, runs[0][0]) and np.array_equal(g, runs[0][1])
        assert np.array_equal(last, runs[0][2])
    assert np.max(np.abs(runs[0][0] - net.params)) > 0.01


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=st.lists(st.integers(1, 32), min_size=0, max_size=4),
       activation=st.sampled_from(ACTIVATIONS), batch=st.integers(1, 30),
       optimizer=st.sampled_from(("sgd", "momentum", "adam")), kind=st.sampled_from(("tanh_mse", "softmax_ce")))
def test_kernel_equals_reference_for_any_shape(hidden, activation, batch, optimizer, kind) -> None:
    """Widths 1..32 reach every remainder of the four-at-a-time loops, and batch sizes on
    both sides of kernels.BLOCK_FROM take the point and the block paths."""
    x, t, *_ = data(kind)
    h = Hyper(optimizer, "none", lr=0.01)
    assert_close(*run_both(network(kind, hidden=tuple(hidden), activation=activation), x, t, h,
                           batch=batch, updates=12))


def test_point_and_block_gradients_agree_bit_for_bit() -> None:
    x, t, *_ = data("tanh_mse")
    net = network("tanh_mse", hidden=(8, 5))
    sizes = np.array(net.layer_sizes, dtype=np.int64)
    node = kernels._node_offsets(sizes)
    g1, g2 = np.zeros_like(net.params), np.zeros_like(net.params)
    one = [np.empty(node[-1]) for _ in range(3)]
    block = [np.empty((node[-1], 20)) for _ in range(3)]
    args = (net.w_off, net.b_off, sizes, net.activation_codes(), node, 0, x, t, 3, 23)
    kernels._grad_points(net.params, g1, *args, *one)
    kernels._grad_block(net.params, g2, *args, *block)
    assert np.array_equal(g1, g2)
    # added onto a carried sum, point after point, both ways: still the same bits
    carried = reference.gradient_sum(net, x[30:37], t[30:37])
    g1, g2 = carried.copy(), carried.copy()
    kernels._grad_points(net.params, g1, *args, *one)
    kernels._grad_block(net.params, g2, *args, *block)
    assert np.array_equal(g1, g2) and not np.array_equal(g1, carried)


@pytest.mark.parametrize("kind", ("tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse"))
def test_evaluate_equals_reference_loss_and_accuracy(kind: str) -> None:
    x, t, y, c, k = data(kind, n=200)   # several blocks of kernels.BLOCK points
    net = network(kind, activation="elu")
    out = np.zeros(3)
    kernels.evaluate(net.params, net.w_off, net.b_off, np.array(net.layer_sizes, dtype=np.int64),
                     net.activation_codes(), losses.code(kind), x, t, c, out, 1)
    assert out[2] == -1   # a healthy network has no frozen layer
    assert abs(out[0] - reference.mean_loss(net, x, t)) < TOL
    if k:
        assert out[1] / len(x) == metrics.accuracy(kind, net.forward(x)[1][-1], y, k)


@pytest.mark.parametrize("kind", ["tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse"])
def test_forward_outputs_equals_the_numpy_forward_pass(kind: str) -> None:
    x, *_ = data(kind, n=200)
    net = network(kind, activation="sine")
    out = np.empty((len(x), net.layer_sizes[-1]))
    kernels.forward_outputs(net.params, net.w_off, net.b_off, np.array(net.layer_sizes, dtype=np.int64),
                            net.activation_codes(), x, out)
    assert np.max(np.abs(out - net.forward(x)[1][-1])) < TOL


def test_fast_tanh_is_within_4_ulp_of_numpy() -> None:
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.uniform(-3, 3, 200_000), rng.normal(0, 10, 50_000),
                        np.geomspace(1e-300, 40, 2000), -np.geomspace(1e-300, 40, 2000),
                        [0.0, -0.0, 0.625, -0.625, np.nextafter(0.625, 0), 19.0, 20.0, 1e300, np.inf, -np.inf]])
    want = np.tanh(z)
    net = Network((1, 1), (), "tanh_mse", ("x1",))   # one tanh neuron: out = tanh(1 * z + 0)
    net.params[:] = [1.0, 0.0]
    ours = np.array([kernels._tanh(v) for v in z[-3000:]])  # the scalar function itself
    assert np.all(np.abs(ours - want[-3000:]) <= 4 * np.spacing(np.abs(want[-3000:])))
    sizes = np.array([1, 1], dtype=np.int64)
    x = np.ascontiguousarray(z[:, None])
    out = np.empty((len(z), 1))   # the vectorised loop of the block code, value by value
    kernels.forward_outputs(net.params, net.w_off, net.b_off, sizes, net.activation_codes(), x, out)
    assert np.all(np.abs(out[:, 0] - want) <= 4 * np.spacing(np.abs(want)))
    t = np.zeros((len(z), 1))
    loss = np.zeros(3)
    kernels.evaluate(net.params, net.w_off, net.b_off, sizes, net.activation_codes(), 0, x, t,
                     np.zeros(len(z), dtype=np.int64), loss, 0)
    # mean of 0.5 tanh(z)^2 from the kernel equals numpy's to rounding
    assert abs(loss[0] - np.mean(0.5 * want ** 2)) < 1e-14
    assert kernels._tanh(50.0) == 1.0 and kernels._tanh(-50.0) == -1.0 and kernels._tanh(0.0) == 0.0
    assert np.isnan(kernels._tanh(np.nan)) and math.copysign(1.0, kernels._tanh(-0.0)) == -1.0


def test_warm_up_compiles_the_one_signature_the_trainer_uses() -> None:
    from nnviz.core import Config, Trainer
    kernels.warm_up()
    t = Trainer(Config(dataset="reg-plane"))   # read-only data arrays must not add a signature
    t.step_batch()
    t.train_epochs(2)
    t.train_batches(3)                         # the worker's parts of a long epoch
    t.train_batches(t.batches_per_epoch)
    t.score()
    t.set_weight(0, 0, 0, 0.5)
    assert len(kernels.train_eval.signatures) == 1, kernels.train_eval.signatures
    assert len(kernels.evaluate.signatures) == 1, kernels.evaluate.signatures
    assert len(kernels.train_epoch_run.signatures) == 1
    assert len(kernels.train_batches.signatures) == 1, kernels.train_batches.signatures
