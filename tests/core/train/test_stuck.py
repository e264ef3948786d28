"""A network that can no longer learn is found, said in words, and never on a healthy run.

The claim checked independently: after the Trainer says "stuck", more training leaves
every parameter feeding the frozen layer bit for bit unchanged and the output the same on
every training point, while the targets differ.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer
from nnviz.core.learn import presets
from nnviz.core.train import kernels
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper

DEEP_RELU_LR10 = Config(dataset="spiral", hidden_layers=(8, 8, 8, 8), activation="relu",
                        learning_rate=10.0, seed=2)


def frozen_part(t: Trainer, layer: int) -> np.ndarray:
    """The parameters of the weight matrices that feed `layer` (1 = first hidden)."""
    net = t.network
    return net.params[:net.b_off[layer - 1] + net.layer_sizes[layer]].copy()


def test_a_deep_relu_network_at_learning_rate_10_dies_and_is_stopped() -> None:
    t = Trainer(DEEP_RELU_LR10)
    assert t.train_epochs(50) == 1 and t.epoch == 1          # stopped at the epoch it died
    message = t.stuck
    assert "every ReLU of hidden layer 4 is switched off on every training point (it outputs 0" in message
    assert "learning rate (10 now)" in message and "Reset" in message and not t.diverged
    zs, outs = t.network.forward(t._xtr)
    assert np.all(zs[3] <= 0) and np.all(outs[4] == 0)     # every ReLU of layer 4 is off
    before = frozen_part(t, 4)
    assert t.train_epochs(100) == 100                       # told once: Play trains on
    assert np.array_equal(frozen_part(t, 4), before)         # nothing below it moved
    out = t.network.forward(t._xtr)[1][-1]
    assert np.ptp(out) == 0 and np.ptp(t._ttr) > 0           # one output for all points, targets differ
    assert t.snapshot().stuck == message


def test_a_saturated_tanh_output_is_stuck_too() -> None:
    t = Trainer(DEEP_RELU_LR10.replace(dataset="xor", seed=1))
    t.train_epochs(50)
    assert "the output is saturated at" in t.stuck
    out = t.network.forward(t._xtr)[1][-1]
    assert np.all(np.abs(out) == 1.0) and np.ptp(out) == 0


def test_zero_initialised_relu_network_is_told_to_change_the_initialisation() -> None:
    t = Trainer(Config(dataset="circle", hidden_layers=(4, 4), activation="relu", init="zeros"))
    t.step_batch()
    assert "hidden layer 1" in t.stuck and "initialisation" in t.stuck


def test_reset_and_edits_clear_it() -> None:
    t = Trainer(DEEP_RELU_LR10)
    t.train_epochs(5)
    assert t.stuck
    t.set_bias(3, 0, 5.0)                     # switches a unit of layer 4 back on
    assert t.stuck == ""
    t.train_epochs(5)
    t.reset()
    assert t.stuck == "" and t.epoch == 0


def test_only_a_gradient_free_layer_that_nothing_else_can_move_counts() -> None:
    """kernels._stays_frozen: momentum left, a penalty still pulling, or a carried gradient
    could move the weights under the frozen layer, so then it is not (yet) stuck."""
    t = Trainer(DEEP_RELU_LR10)
    t.train_epochs(1)
    net, codes = t.network, (OPT_CODES, REG_CODES)
    sizes = np.array(net.layer_sizes, dtype=np.int64)
    hyper = Hyper.from_config(t.config, 0).vector()

    def stays(opt="sgd", reg="none", m=None, acc=None, rate=0.0) -> bool:
        h = hyper.copy()
        h[1] = rate
        return kernels._stays_frozen(4, net.params, np.zeros_like(net.params) if m is None else m,
                                     np.ones_like(net.params), np.zeros_like(net.params) if acc is None else acc,
                                     t._dead, net.w_off, net.b_off, sizes, codes[0][opt], codes[1][reg], h)

    below = np.zeros_like(net.params)
    below[3] = 1e-300                                   # a weight of the first matrix
    assert stays() and stays("momentum") and stays("adam") and stays("rmsprop")
    assert not stays("momentum", m=below) and not stays("nesterov", m=below) and not stays("adam", m=below)
    assert stays("rmsprop", m=below)                     # RMSprop keeps no first moment
    assert not stays(acc=below)                          # the Playground's carried gradient
    assert not stays(reg="l2", rate=0.001) and stays(reg="l2", rate=0.0)
    above = np.zeros_like(net.params)
    above[net.w_off[4]] = 1.0                            # the output layer may move freely
    assert stays("momentum", m=above)


@pytest.mark.parametrize("config", [
    Config(), Config(dataset="spiral", hidden_layers=(8, 8, 8, 8), activation="relu"),
    Config(dataset="xor", hidden_layers=(8, 8), activation="relu", learning_rate=0.3),
    Config(dataset="circle", hidden_layers=(4,), activation="relu", regularization="l1", reg_rate=0.01),
    Config(dataset="reg-gauss", hidden_layers=(6, 6), activation="relu", learning_rate=0.1),
    Config(dataset="blobs", hidden_layers=(8,), activation="relu", output="softmax_ce"),
], ids=["default", "deep-relu", "xor-relu-0.3", "l1", "regression", "softmax"])
def test_healthy_runs_are_never_stopped(config: Config) -> None:
    t = Trainer(config)
    assert t.train_epochs(400) == 400 and t.stuck == ""


def test_no_preset_is_ever_stopped() -> None:
    for name, (_, config, _) in presets.PRESETS.items():
        t = Trainer(config)
        done = t.train_epochs(200)
        assert t.stuck == "" and (done == 200 or t.diverged), name   # "exploding" diverges on purpose
