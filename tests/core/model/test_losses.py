"""Cross-entropy from the logits: exact where the output saturates, in numpy and the kernel.

At a logit of 50, a sigmoid output rounds to exactly 1.0 and a two-way softmax to
(1.0, 2e-22); probabilities clipped to 1e-15 would report 34.5 for the wrong class and 0
for the right one. The true values are 50 + log1p(e^-50), which rounds to 50.0, and
log1p(e^-50) = 1.9287498479639178e-22.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core.model import losses
from nnviz.core.model.network import Network
from nnviz.core.train import kernels

TINY = math.log1p(math.exp(-50.0))   # 1.9287498479639178e-22


def test_sigmoid_cross_entropy_at_logits_of_50() -> None:
    z = np.array([[50.0], [50.0], [-50.0], [-50.0]])
    t = np.array([[1.0], [0.0], [1.0], [0.0]])
    assert losses.loss_from_logits("sigmoid_bce", z, t).tolist() == [TINY, 50.0, 50.0, TINY]


def test_softmax_cross_entropy_at_logits_of_50() -> None:
    z = np.array([[50.0, 0.0], [50.0, 0.0], [0.0, 50.0], [-50.0, 0.0]])
    t = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    assert losses.loss_from_logits("softmax_ce", z, t).tolist() == [TINY, 50.0, 50.0, 50.0]
    # three classes, two tied at the top: log(2 + e^-50) from the first
    z3 = np.array([[50.0, 50.0, 0.0]])
    assert losses.loss_from_logits("softmax_ce", z3, np.array([[0.0, 1.0, 0.0]]))[0] == math.log1p(1.0)


def test_cross_entropy_equals_the_textbook_formula_where_nothing_saturates() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 2.0, (50, 4))
    t = np.eye(4)[rng.integers(0, 4, 50)]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.max(np.abs(losses.loss_from_logits("softmax_ce", z, t) + np.sum(t * np.log(p), axis=1))) < 1e-13
    s = 1.0 / (1.0 + np.exp(-z[:, :1]))
    y = t[:, :1]
    want = -(y * np.log(s) + (1 - y) * np.log(1 - s))[:, 0]
    assert np.max(np.abs(losses.loss_from_logits("sigmoid_bce", z[:, :1], y) - want)) < 1e-13


@pytest.mark.parametrize("kind, z, t, want", [
    ("sigmoid_bce", [50.0], [[0.0]], 50.0), ("sigmoid_bce", [50.0], [[1.0]], TINY),
    ("softmax_ce", [50.0, 0.0], [[0.0, 1.0]], 50.0), ("softmax_ce", [50.0, 0.0], [[1.0, 0.0]], TINY)])
def test_the_kernel_reports_the_same_loss_at_logits_of_50(kind: str, z, t, want: float) -> None:
    """One output layer with no hidden layer: weights 0, biases = the logits."""
    n_out = len(z)
    net = Network((1, n_out), (), kind, ("x1",))
    net.biases[0][:] = z
    out = np.zeros(3)
    kernels.evaluate(net.params, net.w_off, net.b_off, np.array(net.layer_sizes, dtype=np.int64),
                     net.activation_codes(), losses.code(kind), np.zeros((1, 1)), np.array(t),
                     np.zeros(1, dtype=np.int64), out, 0)
    assert out[0] == want
