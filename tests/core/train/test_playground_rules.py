"""The Playground's two SGD rules on cases small enough to compute by hand.

The independent reference is `playground_epochs` below: TensorFlow Playground's
playground.ts oneStep() and nn.ts backProp/updateWeights written out in plain Python
floats, for one linear neuron (out = sum w_i x_i + b, loss 0.5 (out - t)^2), so each
derivative is (out - t) x_i. It accumulates per point and updates after every
batch_size-th point of the epoch, the count starting again each epoch; under L1 a weight
the penalty pushes across zero is set to 0 and its link is dead: no longer accumulated
nor updated.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Dataset, Trainer

X = np.array([[1.0, 0.5], [2.0, -1.0], [-1.0, 2.0], [0.5, 0.0], [3.0, 1.0]])   # 5 points (x1, x2)
T = np.array([1.0, 0.0, -1.0, 0.5, 2.0])                                      # regression targets


def playground_epochs(w: list[float], b: float, epochs: int, batch: int, lr: float,
                      l1: float = 0.0) -> tuple[list[float], float, list[bool], list[list[float]]]:
    """The Playground's loop on X, T: (weights, bias, dead flags, weights after each update)."""
    w, dead = list(w), [False] * len(w)
    acc_w, acc_b, n = [0.0] * len(w), 0.0, 0       # nn.ts accErrorDer, accInputDer, numAccumulatedDers
    trace = []
    for _ in range(epochs):
        for i, (x, t) in enumerate(zip(X.tolist(), T.tolist())):
            out = b + sum(wi * xi for wi, xi in zip(w, x))
            der = out - t
            acc_b += der
            n += 1
            for k in range(len(w)):
                if not dead[k]:
                    acc_w[k] += der * x[k]
            if (i + 1) % batch == 0:
                b -= lr * acc_b / n
                for k in range(len(w)):
                    if dead[k]:
                        continue
                    reg = (-1.0 if w[k] < 0 else 1.0 if w[k] > 0 else 0.0) if l1 else 0.0
                    w[k] = w[k] - lr / n * acc_w[k]
                    new = w[k] - lr * l1 * reg
                    if l1 and w[k] * new < 0:
                        w[k], dead[k] = 0.0, True
                    else:
                        w[k] = new
                    acc_w[k] = 0.0
                acc_b, n = 0.0, 0
                trace.append(list(w))
    return w, b, dead, trace


def neuron(batch: int, lr: float, w=(0.5, -0.2), b: float = 0.1, **changes) -> Trainer:
    """One linear output neuron on the 5 points (X as raw points, features x1 and x2)."""
    cfg = Config(dataset="custom-regression", features=("x1", "x2"), hidden_layers=(), batch_size=batch,
                 learning_rate=lr, **changes)
    t = Trainer(cfg, data=(Dataset(X, T, 0), Dataset(X[:2], T[:2], 0)))
    for i, v in enumerate(w):
        t.set_weight(0, 0, i, v)
    t.set_bias(0, 0, b)
    return t


def test_the_first_update_by_hand() -> None:
    """w = (0.5, -0.2), b = 0.1, lr 0.1, points 0 and 1:
    point 0: out = 0.1 + 0.5 - 0.1 = 0.5, error -0.5, gradient (-0.5, -0.25; -0.5)
    point 1: out = 0.1 + 1.0 + 0.2 = 1.3, error 1.3, gradient (2.6, -1.3; 1.3)
    mean (1.05, -0.775; 0.4): w = (0.395, -0.1225), b = 0.06."""
    t = neuron(batch=2, lr=0.1)
    t.step_batch()
    assert np.allclose(t.network.weights[0][0], [0.395, -0.1225], atol=1e-15)
    assert abs(t.network.biases[0][0] - 0.06) < 1e-15


def test_five_points_batch_two_three_epochs_carry_the_leftover_point() -> None:
    """Two updates an epoch; point 4 is left over and joins the next epoch's first update,
    which averages three points (4, 0, 1). Each step agrees with the Playground's loop."""
    t = neuron(batch=2, lr=0.1)
    _, _, _, trace = playground_epochs([0.5, -0.2], 0.1, 3, 2, 0.1)
    assert t.batches_per_epoch == 2 and len(trace) == 6
    rings, counters = [], []
    for want in trace:
        t.step_batch()
        assert np.max(np.abs(t.network.weights[0][0] - want)) < 1e-15
        rings.append(t.last_batch.tolist())
        counters.append((t.epoch, t.batch, t.carried.tolist(), t.carried_count))
    assert rings == [[0, 1], [2, 3], [4, 0, 1], [2, 3], [4, 0, 1], [2, 3]]
    assert counters == [(0, 1, [], 0), (1, 0, [4], 1), (1, 1, [], 0), (2, 0, [4], 1),
                        (2, 1, [], 0), (3, 0, [4], 1)]
    _, b, _, _ = playground_epochs([0.5, -0.2], 0.1, 3, 2, 0.1)
    assert abs(t.network.biases[0][0] - b) < 1e-15
    # what the third update averaged: the leftover point 4 (at the weights it met) and 0, 1
    assert t.total_steps == 6 and t._opt.t == 6


def test_whole_epochs_in_one_call_equal_steps_one_by_one() -> None:
    stepped, played = neuron(batch=2, lr=0.1), neuron(batch=2, lr=0.1)
    for _ in range(3 * stepped.batches_per_epoch):
        stepped.step_batch()
    played.train_epochs(3)
    assert np.array_equal(stepped.network.params, played.network.params)
    assert np.array_equal(stepped._carry.acc, played._carry.acc) and played.carried.tolist() == [4]
    assert played.last_batch.tolist() == [2, 3] and played.epoch == 3


def test_l1_weight_crossing_zero_is_dead_and_never_updated_again() -> None:
    """w2 = 0.004: its gradient step takes it to 0.004 + 0.1 * 0.6475 = 0.06875, and the
    penalty lr * rate = 0.1 would push it below 0, so it is set to 0 in the first update
    and the link is dead from epoch 1 on."""
    t = neuron(batch=2, lr=0.1, w=(0.5, 0.004), regularization="l1", reg_rate=1.0)
    w, b, dead, trace = playground_epochs([0.5, 0.004], 0.1, 3, 2, 0.1, l1=1.0)
    assert dead == [False, True]
    t.step_batch()
    assert t.network.weights[0][0, 1] == 0.0 and t.dead[0].tolist() == [[0, 1]]
    assert np.max(np.abs(t.network.weights[0][0] - trace[0])) < 1e-15
    for want in trace[1:]:
        t.step_batch()
        assert t.network.weights[0][0, 1] == 0.0 and t.grad_weights[0][0, 1] == 0.0
        assert np.max(np.abs(t.network.weights[0][0] - want)) < 1e-15
    assert abs(t.network.biases[0][0] - b) < 1e-15
    assert t.network.weights[0][0, 0] != trace[0][0]        # the live link kept learning
    snap = t.snapshot()
    assert snap.dead[0].tolist() == [[0, 1]]               # the view is told, and since when
    t.reset()
    assert not np.any(t.dead[0])                           # Reset revives every link


def test_a_link_dying_later_is_marked_with_its_epoch() -> None:
    """At rate 0.3 the weight swings across zero by its gradient (allowed) and dies in the
    fifth update, the first of epoch 3."""
    t = neuron(batch=2, lr=0.1, w=(0.5, 0.004), regularization="l1", reg_rate=0.3)
    _, _, _, trace = playground_epochs([0.5, 0.004], 0.1, 3, 2, 0.1, l1=0.3)
    t.train_epochs(3)
    assert np.max(np.abs(t.network.weights[0][0] - trace[-1])) < 1e-15
    assert t.dead[0].tolist() == [[0, 3]]


def test_a_hand_edit_revives_a_dead_link() -> None:
    t = neuron(batch=2, lr=0.1, w=(0.5, 0.004), regularization="l1", reg_rate=1.0)
    t.step_batch()
    assert t.dead[0][0, 1] == 1
    t.set_weight(0, 0, 1, 0.8)
    assert t.dead[0][0, 1] == 0
    t.step_batch()
    assert t.network.weights[0][0, 1] not in (0.0, 0.8)


def test_other_optimisers_never_kill_links() -> None:
    t = neuron(batch=2, lr=0.1, w=(0.5, 0.004), regularization="l1", reg_rate=0.3, optimizer="adam")
    t.train_epochs(3)
    assert not np.any(t.dead[0]) and t.carried_count == 0


@pytest.mark.parametrize("optimizer", ("sgd", "momentum"))
def test_a_batch_larger_than_the_training_set_takes_all_its_points(optimizer: str) -> None:
    """Batch 10 on 5 points: one update a epoch of all five (the Playground would never update)."""
    t = neuron(batch=10, lr=0.1, optimizer=optimizer)
    assert t.batches_per_epoch == 1
    before = t.network.params.copy()
    t.step_batch()
    assert (t.epoch, t.batch, t.last_batch.tolist(), t.carried_count) == (1, 0, [0, 1, 2, 3, 4], 0)
    one = neuron(batch=5, lr=0.1, optimizer=optimizer)
    one.step_batch()
    assert np.array_equal(t.network.params, one.network.params) and not np.array_equal(before, one.network.params)


def test_the_leftover_survives_regenerate_and_pauses_with_a_session(tmp_path) -> None:
    """Saved at an epoch's end, the carried gradient comes back bit for bit."""
    from nnviz.core import files
    a = Trainer(Config(dataset="circle", batch_size=30, seed=3))
    a.train_epochs(2)
    assert a.carried_count == 10 and a.carried.tolist() == list(range(240, 250))
    files.save_session(a, tmp_path / "s.nnviz")
    b, _ = files.load_session(tmp_path / "s.nnviz")
    assert np.array_equal(b._carry.acc, a._carry.acc) and b.carried.tolist() == a.carried.tolist()
    a.train_epochs(3)
    b.train_epochs(3)
    assert np.array_equal(a.network.params, b.network.params)
    a.regenerate(9)                       # new points, same weights: the carry stays (nn.ts keeps it)
    assert a.carried_count == 10 and a.carried.size == 0
    a.step_batch()
    assert a.carried_count == 0 and len(a.last_batch) == 30
