"""Backpropagation (reference.gradient) against central finite differences.

Every hidden activation x every output/loss pair x four shapes, in float64. The error
measure is ||g_backprop - g_fd|| / ||g_fd|| over all parameters; central differences
with h = 1e-6 agree to 2e-8 at worst here, so 1e-6 leaves room without hiding a bug
(a wrong derivative gives errors of order 1e-2 or more).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core.config import ACTIVATIONS
from nnviz.core.model import losses
from nnviz.core.model.network import Network
from nnviz.core.train import reference

KINDS = ("tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse")
SHAPES = ((), (3,), (4, 2), (5, 3, 2))
H = 1e-6
N_IN, N_POINTS = 3, 7


def make_case(activation: str, kind: str, hidden: tuple[int, ...], seed: int = 0):
    """A network with random weights and biases, a batch of points and their targets."""
    rng = np.random.default_rng(seed)
    k = 3 if kind == "softmax_ce" else 2                # softmax with K = 3 classes
    n_out = k if kind == "softmax_ce" else 1
    net = Network((N_IN, *hidden, n_out), (activation,) * len(hidden), kind, ("x1", "x2", "x1^2"))
    net.params[:] = rng.normal(0.0, 0.7, net.params.size)
    x = rng.normal(0.0, 1.0, (N_POINTS, N_IN))                               # (B, n_in)
    if kind == "linear_mse":
        y, n_classes = rng.normal(0.0, 1.0, N_POINTS), 0
    elif kind == "softmax_ce":
        y, n_classes = rng.integers(0, k, N_POINTS).astype(float), k
    else:
        y, n_classes = rng.choice([-1.0, 1.0], N_POINTS), 2
    return net, x, losses.targets(kind, y, n_classes)                        # t (B, n_out)


def mean_loss(net: Network, x: np.ndarray, t: np.ndarray) -> float:
    """The loss as displayed, from the logits: its slope must be what backprop computes."""
    return float(np.mean(losses.loss_from_logits(net.output_kind, net.forward(x)[0][-1], t)))


def finite_differences(net: Network, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    g = np.zeros_like(net.params)
    for p in range(net.params.size):
        keep = net.params[p]
        net.params[p] = keep + H
        up = mean_loss(net, x, t)
        net.params[p] = keep - H
        down = mean_loss(net, x, t)
        net.params[p] = keep
        g[p] = (up - down) / (2 * H)
    return g


@pytest.mark.parametrize("hidden", SHAPES, ids=lambda s: "x".join(map(str, s)) or "none")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_equals_finite_differences(activation: str, kind: str, hidden: tuple[int, ...]) -> None:
    net, x, t = make_case(activation, kind, hidden)
    analytic = reference.gradient(net, x, t)
    numeric = finite_differences(net, x, t)
    assert np.linalg.norm(numeric) > 1e-4, "degenerate case: no gradient to compare"
    rel = np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-6, f"relative error {rel:.2e}"


def test_a_wrong_derivative_is_caught() -> None:
    """The check has teeth: a gradient off by a small fraction fails it."""
    net, x, t = make_case("tanh", "tanh_mse", (4, 2))
    numeric = finite_differences(net, x, t)
    wrong = reference.gradient(net, x, t) * 1.001
    assert np.linalg.norm(wrong - numeric) / np.linalg.norm(numeric) > 1e-4
