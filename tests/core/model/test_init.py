"""Weight initialisation: the schemes, the scale, and the constant start that never breaks symmetry."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer
from nnviz.core.model.network import Network


def _net() -> Network:
    return Network((2, 4, 3, 1), ("tanh", "tanh"), "tanh_mse", ("x1", "x2"))


def test_constant_gives_every_weight_the_scale_and_every_bias_0_1() -> None:
    net = _net()
    net.initialize("constant", np.random.default_rng(0), 0.7)
    assert all(np.all(w == 0.7) for w in net.weights) and all(np.all(b == 0.1) for b in net.biases)


@pytest.mark.parametrize("method", ["playground", "xavier", "he"])
def test_the_scale_multiplies_a_random_start_and_leaves_the_biases(method) -> None:
    one, ten = _net(), _net()
    one.initialize(method, np.random.default_rng(5))
    ten.initialize(method, np.random.default_rng(5), 10.0)
    for w1, w10, b1, b10 in zip(one.weights, ten.weights, one.biases, ten.biases):
        assert np.array_equal(w10, 10.0 * w1) and np.array_equal(b1, b10)


def test_the_default_scale_leaves_the_playgrounds_start_bit_for_bit() -> None:
    a = Trainer(Config(seed=9)).network.params
    rng = np.random.default_rng([9, 1])          # the Trainer's weight stream for seed 9
    assert np.array_equal(a[:8], rng.uniform(-0.5, 0.5, size=8))   # the first layer, row-major


def test_a_constant_start_keeps_the_neurons_of_a_layer_identical_while_training() -> None:
    t = Trainer(Config(init="constant", init_scale=0.5, hidden_layers=(4, 3), optimizer="adam"))
    t.train_epochs(50)
    for w, b in zip(t.network.weights[:-1], t.network.biases[:-1]):
        assert np.array_equal(w, np.broadcast_to(w[0], w.shape)) and np.all(b == b[0])
    # and every column of the next layer too: a neuron's outgoing links stay alike
    for w in t.network.weights[1:]:
        assert np.array_equal(w, np.broadcast_to(w[:, :1], w.shape))
    assert not np.all(t.network.weights[0] == 0.5)


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), float("inf"), 100.5, "2"])
def test_a_bad_scale_is_refused(scale) -> None:
    with pytest.raises((ValueError, TypeError)):
        Config(init_scale=scale)


def test_the_scale_round_trips_through_the_settings_and_old_settings_get_1() -> None:
    c = Config(init="constant", init_scale=2.5)
    assert Config.from_dict(c.to_dict()) == c
    old = c.to_dict()
    del old["init_scale"]
    assert Config.from_dict(old).init_scale == 1.0
