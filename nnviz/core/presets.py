"""Guided presets: the classic lessons, each a Config and what it should show.

The numbers in the lessons are the ones tests/core/test_lessons.py asserts.
"""

from __future__ import annotations

from .config import FEATURES, Config

# name -> (title, config, what to watch for)
PRESETS: dict[str, tuple[str, Config, str]] = {
    "circle-one-neuron": (
        "Circle: one neuron is not enough",
        Config(dataset="circle", hidden_layers=(1,)),
        "A single hidden neuron draws one straight edge, so the ring stays mixed: "
        "the test loss stalls near 0.4."),
    "circle-three-neurons": (
        "Circle: three neurons succeed",
        Config(dataset="circle", hidden_layers=(3,)),
        "Three edges can enclose the disc: the test loss falls below 0.02."),
    "xor-two-neurons": (
        "XOR: two neurons struggle",
        Config(dataset="xor", hidden_layers=(2,)),
        "Opposite quadrants share a class; two neurons rarely find it (test loss about 0.2)."),
    "xor-four-neurons": (
        "XOR: four neurons learn it",
        Config(dataset="xor", hidden_layers=(4,)),
        "With four neurons the quadrants separate (test loss below 0.035)."),
    "xor-with-feature": (
        "XOR: the right feature needs no hidden layer",
        Config(dataset="xor", features=("x1*x2",), hidden_layers=()),
        "X1·X2 is already the answer: a network without hidden layers learns it at once."),
    "spiral-shallow": (
        "Spiral: shallow fails",
        Config(dataset="spiral", hidden_layers=(8,)),
        "One layer of 8 on X1, X2 cannot follow the arms (test loss stays above 0.3)."),
    "spiral-deep": (
        "Spiral: depth and features succeed",
        Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6),
        "Six layers of 8 with all seven features wind around the arms (test loss below 0.015)."),
    "vanishing-gradients": (
        "Vanishing gradients: deep sigmoid",
        Config(dataset="circle", activation="sigmoid", hidden_layers=(8,) * 8, learning_rate=0.3),
        "Watch the gradient-flow plot: the first layers get gradients orders of magnitude "
        "smaller than the last, and learning crawls."),
    "exploding": (
        "Too large a learning rate",
        Config(dataset="reg-plane", learning_rate=10.0),
        "The loss becomes infinite within a few epochs; training pauses and says why."),
    "symmetry": (
        "Zero initialisation: symmetry never breaks",
        Config(dataset="circle", hidden_layers=(4, 4), init="zeros"),
        "With every weight equal, every neuron of a layer learns the same thing."),
}
