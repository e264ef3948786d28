"""The measures lessons make claims about, each against an independent computation."""

from __future__ import annotations

import math

import numpy as np

from nnviz.core import Config, Trainer
from nnviz.core.learn.measures import MEASURES, measure
from nnviz.core.snapshot import GRID_AXIS


def test_every_measure_is_computed_and_described() -> None:
    t = Trainer(Config(seed=3))
    t.train_epochs(20)
    m = measure(t.snapshot())
    assert set(m) == set(MEASURES)
    assert m["epoch"] == 20 and m["steps"] == 20 * 25 and m["links"] == 2 * 4 + 4 * 2 + 2
    assert m["train_loss"] == t.train_loss and m["gap"] == t.test_loss - t.train_loss
    assert m["test_accuracy"] == t.test_accuracy and math.isnan(m["r2"])
    assert m["diverged"] == 0 and m["stuck"] == 0


def test_losses_at_the_start_and_how_often_they_rose() -> None:
    t = Trainer(Config(dataset="circle", noise=20, learning_rate=1.0))
    start = (t.train_loss, t.test_loss)
    t.train_epochs(50)
    m = measure(t.snapshot())
    assert (m["start_train_loss"], m["start_test_loss"]) == start
    curve = t.history.train.array()
    rises = sum(curve[i] > curve[i - 1] for i in range(1, len(curve))) / (len(curve) - 1)
    assert m["loss_rises"] == rises and 0 < rises < 1


def test_gradient_sizes_from_the_last_update() -> None:
    t = Trainer(Config(hidden_layers=(3, 3)))
    assert math.isnan(measure(t.snapshot())["gradient_first"])      # no update yet
    t.step_batch()
    m = measure(t.snapshot())
    g = t.grad_weights
    first = math.sqrt(sum(v * v for v in g[0].ravel()) / g[0].size)
    last = math.sqrt(sum(v * v for v in g[-1].ravel()) / g[-1].size)
    assert math.isclose(m["gradient_first"], first, rel_tol=1e-12)
    assert math.isclose(m["gradient_ratio"], first / last, rel_tol=1e-12)


def test_links_weights_and_the_spread_inside_a_layer() -> None:
    t = Trainer(Config(hidden_layers=(3, 2)))
    t.set_weight(0, 1, 0, 0.0)
    t.set_weight(0, 1, 1, 0.0)          # neuron 1 of the first layer gets no input
    w0 = t.network.weights[0]
    spread = 0.0
    for layer in (0, 1):
        w, b = t.network.weights[layer], t.network.biases[layer]
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                spread = max(spread, abs(w[j, i] - w[0, i]))
            spread = max(spread, abs(b[j] - b[0]))
    m = measure(t.snapshot())
    assert m["zero_weights"] == 2 and m["layer_spread"] == spread
    assert m["max_weight"] == max(abs(v) for w in t.network.weights for v in w.ravel())
    assert m["inputs_used"] == 2 and np.any(w0[:, 0] != 0)
    for j in range(3):
        t.set_weight(0, j, 0, 0.0)
    assert measure(t.snapshot())["inputs_used"] == 1


def test_dead_links_are_counted_as_the_trainer_marks_them() -> None:
    t = Trainer(Config(regularization="l1", reg_rate=0.03))
    t.train_epochs(100)
    m = measure(t.snapshot())
    assert m["dead_links"] == sum(int((d > 0).sum()) for d in t.dead) > 0


def test_saturation_against_tanh_over_the_grid() -> None:
    t = Trainer(Config(init_scale=10.0, hidden_layers=(4,)))
    w, b = t.network.weights[0], t.network.biases[0]
    xx, yy = np.meshgrid(GRID_AXIS, GRID_AXIS)
    a = np.tanh(np.einsum("ji,ni->nj", w, np.column_stack([xx.ravel(), yy.ravel()])) + b)   # (G*G, 4)
    expected = np.mean(np.abs(a) >= 0.98)     # within 1 % of tanh's range (2) from -1 or +1
    got = measure(t.snapshot())["saturated"]
    assert abs(got - expected) < 1e-3            # the grid is float32: a value on the edge may differ
    assert got > 0.7
    assert math.isnan(measure(Trainer(Config(activation="relu")).snapshot())["saturated"])


def test_a_diverged_run_measures_as_diverged() -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    t.train_epochs(50)
    m = measure(t.snapshot())
    assert m["diverged"] == 1 and math.isnan(m["test_loss"]) and m["epoch"] < 50
