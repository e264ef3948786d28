"""explain_step against independent references: the kernel's own step (Trainer.step_batch),
finite differences of each point's loss, a network small enough to compute by hand, and
the trainer's state before and after (the explanation must not touch it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import Config, Dataset, Trainer, explain_step
from nnviz.core.learn.explain import stages
from nnviz.core.model import losses
from nnviz.core.model.network import Network

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
ROUNDING = 2.0 ** -53   # the unit roundoff of float64


def state(t: Trainer) -> dict:
    """Everything of a Trainer an explanation could touch, as bytes and values."""
    d = {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in t.state_dict().items()}
    d.update(grad=t.grad.tobytes(), last=t.last_update.tobytes(), key=t.state_key(), carried_count=t.carried_count,
             train_loss=t.train_loss, test_loss=t.test_loss, last_batch=t.last_batch.tobytes())
    return d


def flat(weights, biases) -> np.ndarray:
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weights, biases)])


def check_step(t: Trainer) -> None:
    """Explain the next update, make it with step_batch(), and hold the two to each other."""
    before = state(t)
    e = explain_step(t)
    assert state(t) == before, "the explanation changed the trainer"
    t.step_batch()
    # the weights the explanation says the step leaves are the step's, bit for bit
    assert np.array_equal(flat(e.weights_after, e.biases_after), t.network.params)
    # before + update: update = after - before is rounded once, so adding it back can be one
    # rounding away from `after` (an ulp: below 1e-15 here); most entries are exact
    w0, u, w1 = flat(e.weights_before, e.biases_before), flat(e.update_weights, e.update_biases), t.network.params
    assert np.all(np.abs(w0 + u - w1) <= ROUNDING * (np.abs(u) + np.abs(w1)))
    assert np.max(np.abs(w0 + u - w1)) <= 1e-15
    # the average of the per-point gradients is the gradient the kernel used (dead links: 0)
    live = ~np.concatenate([np.concatenate([d.ravel(), np.zeros(len(b), bool)]) for d, b in zip(e.dead, e.biases_before)])
    # (when the carried sum is stale, the update used the stored sum: so does this check)
    rows = np.ones(len(e.points), bool) if e.carry_fresh else ~e.carried
    mean = flat([g[rows].sum(axis=0) for g in e.grad_weights], [g[rows].sum(axis=0) for g in e.grad_biases])
    if e.preview.carry_count and not e.carried[rows].any():
        mean = mean + e.preview.carry_sum       # the carried sum as stored
    mean /= e.size
    assert np.max(np.abs(np.where(live, mean, 0.0) - t.grad)) <= 1e-12
    assert np.array_equal(flat(e.mean_grad_weights, e.mean_grad_biases), t.grad)
    assert np.array_equal(e.rule.after, t.network.params), "the rule taken apart is not the kernel's"
    assert np.array_equal(t.last_update, flat(e.update_weights, e.update_biases))


@pytest.mark.parametrize("regularization", ("none", "l1", "l2"))
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_explained_update_is_the_step_it_explains(optimizer: str, regularization: str) -> None:
    """40 updates at batch 7 over 250 points: SGD's epoch ends with 5 points carried into
    the next epoch's first update (the others end on a short batch of 5)."""
    rate = 0.3 if regularization == "l1" else 0.01
    t = Trainer(Config(optimizer=optimizer, regularization=regularization, reg_rate=rate, batch_size=7,
                       learning_rate=0.1 if optimizer == "sgd" else 0.01, seed=3))
    saw_carry = saw_dead = saw_dies = False
    for _ in range(40):
        e = explain_step(t)
        saw_carry |= bool(e.carried.any())
        saw_dead |= bool(any(d.any() for d in e.dead))
        saw_dies |= bool(any(d.any() for d in e.dies))
        check_step(t)
    assert saw_carry == (optimizer == "sgd")
    if optimizer == "sgd" and regularization == "l1":
        assert saw_dies and saw_dead, "no link died: the test does not reach the dead-link rule"


@pytest.mark.parametrize("batch", (1, 5, 16, 30, 400))
def test_batch_sizes_on_both_kernel_paths_and_larger_than_the_set(batch: int) -> None:
    for optimizer in ("sgd", "adam"):
        t = Trainer(Config(dataset="spiral", hidden_layers=(6, 3), batch_size=batch, optimizer=optimizer,
                           features=("x1", "x2", "sin(x1)")))
        for _ in range(4):
            check_step(t)


def test_the_carried_points_come_first_and_are_counted_in_the_average() -> None:
    t = Trainer(Config(batch_size=7))                    # 250 points: 35 updates, 5 carried
    for _ in range(35):
        t.step_batch()
    assert t.batch == 0 and t.carried_count == 5
    e = explain_step(t)
    assert e.points.tolist() == [245, 246, 247, 248, 249, 0, 1, 2, 3, 4, 5, 6]
    assert e.carried.tolist() == [True] * 5 + [False] * 7 and e.size == 12 and e.carry_fresh
    check_step(t)


def test_an_edit_after_the_epoch_end_makes_the_carried_sum_stale_and_the_step_still_matches() -> None:
    t = Trainer(Config(batch_size=7))
    for _ in range(35):
        t.step_batch()
    t.set_weight(0, 1, 0, 0.7)       # the carried gradient was taken at the old weight
    e = explain_step(t)
    assert not e.carry_fresh
    check_step(t)


def test_chosen_points_explain_an_update_of_their_own_which_step_points_makes() -> None:
    for optimizer in OPTIMIZERS:
        t = Trainer(Config(optimizer=optimizer, regularization="l2", reg_rate=0.01, batch_size=7))
        for _ in range(35):
            t.step_batch()
        batch, carry, steps, opt_t = t.batch, t.carried_count, t.total_steps, t._opt.t
        before = state(t)
        e = explain_step(t, [17])
        assert state(t) == before
        assert e.points.tolist() == [17] and e.size == 1 and not e.carried.any()
        t.step_points([17])
        assert np.array_equal(flat(e.weights_after, e.biases_after), t.network.params)
        assert (t.batch, t.carried_count, t.total_steps, t._opt.t) == (batch, carry, steps + 1, opt_t + 1)
        assert t.last_batch.tolist() == [17]


def test_bad_point_lists_are_refused_with_words() -> None:
    t = Trainer(Config())
    for bad, words in (([], "non-empty"), ([3, 3], "twice"), ([10_000], "out of range"), ([1.5], "indices")):
        with pytest.raises(ValueError, match=words):
            explain_step(t, bad)
    empty = Trainer(Config(dataset="custom"), data=(Dataset(np.zeros((0, 2)), np.zeros(0), 2),
                                                    Dataset(np.ones((1, 2)), np.ones(1), 2)))
    with pytest.raises(ValueError, match="no training points"):
        explain_step(empty)


KINDS = (("tanh_mse", Config(activation="tanh")), ("sigmoid_bce", Config(output="sigmoid_bce", activation="sigmoid")),
         ("softmax_ce", Config(dataset="blobs", n_classes=4, activation="sine")),
         ("linear_mse", Config(dataset="reg-gauss", activation="elu")))


@pytest.mark.parametrize("kind, config", KINDS, ids=[k for k, _ in KINDS])
def test_per_point_gradients_equal_central_differences_of_each_points_loss(kind: str, config: Config) -> None:
    t = Trainer(config.replace(hidden_layers=(4, 3), features=("x1", "x2", "x1*x2"), batch_size=4))
    t.train_epochs(3)
    e = explain_step(t)
    net = t.network
    assert net.output_kind == kind
    probe = Network(net.layer_sizes, net.hidden_activations, kind, net.feature_names)
    h = 1e-6
    for b in range(len(e.points)):
        x, target = e.inputs[b:b + 1], e.targets[b:b + 1]

        def loss(params: np.ndarray, x=x, target=target) -> float:
            probe.set_params(params)
            return float(losses.loss_from_logits(kind, probe.forward(x)[0][-1], target)[0])

        fd = np.empty(net.params.size)
        for k in range(net.params.size):
            up, down = net.params.copy(), net.params.copy()
            up[k] += h
            down[k] -= h
            fd[k] = (loss(up) - loss(down)) / (2 * h)
        analytic = flat([g[b] for g in e.grad_weights], [g[b] for g in e.grad_biases])
        assert np.max(np.abs(analytic - fd)) <= 1e-7 * max(1.0, np.max(np.abs(fd)))
        assert loss(net.params) == pytest.approx(float(e.loss[b]), rel=1e-13, abs=1e-15)


def test_a_network_small_enough_to_compute_by_hand() -> None:
    """Point (1, 2), label +1; one tanh neuron w = (0.5, -0.25), b = 0.1; the output tanh
    neuron w = 2, b = 0; squared error; SGD with rate 0.1 and batch 1."""
    data = Dataset(np.array([[1.0, 2.0]]), np.array([1.0]), 2)
    t = Trainer(Config(dataset="custom", hidden_layers=(1,), batch_size=1, learning_rate=0.1), data=(data, data))
    for l, j, i, v in ((0, 0, 0, 0.5), (0, 0, 1, -0.25), (1, 0, 0, 2.0)):
        t.set_weight(l, j, i, v)
    t.set_bias(0, 0, 0.1)
    t.set_bias(1, 0, 0.0)
    e = explain_step(t)
    z1 = 0.5 * 1.0 - 0.25 * 2.0 + 0.1
    a1 = math.tanh(z1)
    z2 = 2.0 * a1
    out = math.tanh(z2)
    d2 = (out - 1.0) * (1.0 - out * out)
    d1 = 2.0 * d2 * (1.0 - a1 * a1)
    assert e.z[1][0, 0] == pytest.approx(z1, abs=1e-15) and e.a[1][0, 0] == pytest.approx(a1, abs=1e-15)
    assert e.output[0, 0] == pytest.approx(out, abs=1e-15)
    assert e.loss[0] == pytest.approx(0.5 * (out - 1.0) ** 2, abs=1e-15)
    assert e.delta[2][0, 0] == pytest.approx(d2, abs=1e-15) and e.delta[1][0, 0] == pytest.approx(d1, abs=1e-15)
    assert e.delta[0][0].tolist() == pytest.approx([0.5 * d1, -0.25 * d1], abs=1e-15)
    assert e.grad_weights[0][0, 0].tolist() == pytest.approx([d1 * 1.0, d1 * 2.0], abs=1e-15)
    assert e.grad_weights[1][0, 0, 0] == pytest.approx(d2 * a1, abs=1e-15)
    assert e.update_weights[1][0, 0] == pytest.approx(-0.1 * d2 * a1, abs=1e-15)
    assert e.update_biases[0][0] == pytest.approx(-0.1 * d1, abs=1e-15)
    assert e.weights_after[0][0, 1] == pytest.approx(-0.25 - 0.1 * d1 * 2.0, abs=1e-15)


def test_forward_numbers_are_the_networks_and_the_stages_walk_every_layer_both_ways() -> None:
    t = Trainer(Config(hidden_layers=(4, 2), batch_size=10))
    e = explain_step(t)
    zs, outs = t.network.forward(e.inputs)
    for c in range(1, 4):
        assert np.allclose(e.z[c], zs[c - 1], rtol=0, atol=1e-15) and np.allclose(e.a[c], outs[c], rtol=0, atol=1e-15)
    assert [s.shape for s in e.a] == [(10, 2), (10, 4), (10, 2), (10, 1)]
    assert e.grad_weights[1].shape == (10, 2, 4) and e.update_weights[1].shape == (2, 4)
    assert stages(3) == [("forward", 1), ("forward", 2), ("forward", 3), ("loss", 3), ("backward", 3),
                         ("backward", 2), ("backward", 1), ("update", 0)]
    assert np.mean(e.loss) == pytest.approx(
        float(np.mean(losses.loss_from_logits("tanh_mse", zs[-1], e.targets))), abs=1e-15)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_snapshot_carries_the_last_update_and_the_velocity_as_copies(optimizer: str) -> None:
    """What the graph's link colourings need: each weight's change by the last update, also
    when a whole epoch runs in one kernel call (batch 1: SGD's fused path), and the velocity."""
    whole, steps = (Trainer(Config(optimizer=optimizer, batch_size=1)) for _ in range(2))
    assert all(not u.any() for u in whole.snapshot().last_update)
    whole.train_epochs(1)                       # one kernel call, 250 updates
    for _ in range(steps.batches_per_epoch):
        before = steps.network.params.copy()
        steps.step_batch()
    assert np.array_equal(whole.network.params, steps.network.params)
    assert np.array_equal(steps.last_update, steps.network.params - before)
    assert np.array_equal(whole.last_update, steps.last_update)
    snap = whole.snapshot()
    assert np.array_equal(np.concatenate([u.ravel() for u in snap.last_update]),
                          np.concatenate([u.ravel() for u in whole._weight_views(whole.last_update)]))
    if optimizer in ("momentum", "nesterov", "adam"):
        assert np.array_equal(np.concatenate([v.ravel() for v in snap.velocity]),
                              np.concatenate([m.ravel() for m in whole._weight_views(whole._opt.m)]))
    else:
        assert snap.velocity == ()
    snap.last_update[0][0, 0] = 99.0           # a copy: the trainer's array is untouched
    assert whole.last_update[0] != 99.0


def test_the_readme_example_runs_and_its_comments_hold() -> None:
    import re

    from helpers import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):readme.index("## Files")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    example = next(b for b in blocks if "explain_step" in b)
    namespace = {"trainer": Trainer(Config(batch_size=7))}
    for _ in range(35):
        namespace["trainer"].step_batch()           # at an epoch's start: 5 points carried in
    exec(compile(example, "README.md", "exec"), namespace)
    e, t = namespace["e"], namespace["trainer"]
    assert e.points[:5].tolist() == [245, 246, 247, 248, 249] and e.inputs.shape == (12, 2)
    assert e.z[1].shape == e.a[1].shape == e.delta[1].shape == (12, 4)
    assert e.output.shape == (12, 1) and e.loss.shape == (12,) and e.grad_weights[0].shape == (12, 4, 2)
    assert e.mean_grad_weights[0].shape == (4, 2) and [u.shape for u in e.update_biases] == [(4,), (2,), (1,)]
    assert np.array_equal(flat(e.weights_after, e.biases_after), t.network.params)
