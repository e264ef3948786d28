"""The classic lessons, with fixed seeds, both sides asserted (Playground defaults:
learning rate 0.03, batch 10, tanh, noise 0, train ratio 50 %).

Measured on these seeds (test loss = mean 0.5 (out - t)^2):
- circle, X1 X2: 1 hidden neuron 0.4069 after 1000 epochs (a line cannot cut out a
  disc); 3 neurons 0.0130 after 500 (test accuracy 100 %).
- xor, X1 X2: one layer of 2 neurons 0.2209 after 1000 epochs (84 % accuracy);
  one layer of 4 gets 0.0231.
- spiral, all 7 features, 6 layers of 8: 0.0080 after 300 epochs; the same data with
  X1 X2 and one layer of 8 is still at 0.3434 after 1000.
"""

from __future__ import annotations

from nnviz.core import Config, Trainer
from nnviz.core.config import FEATURES


def trained(config: Config, epochs: int) -> Trainer:
    t = Trainer(config)
    assert t.train_epochs(epochs) == epochs and not t.diverged
    return t


def test_circle_one_neuron_cannot_learn_it() -> None:
    t = trained(Config(dataset="circle", hidden_layers=(1,), seed=0), 1000)
    assert t.test_loss > 0.38 and t.test_accuracy < 0.75


def test_circle_three_neurons_learn_it() -> None:
    t = trained(Config(dataset="circle", hidden_layers=(3,), seed=0), 500)
    assert t.test_loss < 0.02 and t.test_accuracy > 0.99


def test_xor_two_neurons_get_stuck() -> None:
    t = trained(Config(dataset="xor", hidden_layers=(2,), seed=0), 1000)
    assert t.test_loss > 0.19 and t.test_accuracy < 0.9


def test_xor_four_neurons_learn_it() -> None:
    t = trained(Config(dataset="xor", hidden_layers=(4,), seed=0), 1000)
    assert t.test_loss < 0.035 and t.test_accuracy > 0.97


def test_spiral_needs_depth() -> None:
    deep = trained(Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6, seed=0), 300)
    assert deep.test_loss < 0.015 and deep.test_accuracy > 0.98
    shallow = trained(Config(dataset="spiral", hidden_layers=(8,), seed=0), 1000)
    assert shallow.test_loss > 0.3 and shallow.test_accuracy < 0.85


def test_symmetry_keeps_every_neuron_of_a_layer_a_copy() -> None:
    from nnviz.core.learn.presets import PRESETS
    config = PRESETS["symmetry"][1]
    t = trained(config.replace(seed=0), 500)
    for w, b in zip(t.network.weights[:-1], t.network.biases[:-1]):
        assert (w == w[0]).all() and (b == b[0]).all()
    assert t.test_loss > 0.3
