"""The numbers a lesson may make claims about, read from one Snapshot.

A lesson's claims ("test_loss > 0.38") and the numbers in its reveal text
("{test_loss:.2f}") name these measures. They come from a Snapshot alone, so the window
measures the learner's own run from the Snapshot on screen, and the headless check
(`python -m nnviz.lessons --check`, the tests) measures a Trainer's run from
`trainer.snapshot()`: the same function on the same kind of object.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.snapshot import Snapshot

# name -> what it is, in the words the lesson schema (docs/lessons.md) uses
MEASURES: dict[str, str] = {
    "epoch": "epochs completed",
    "steps": "mini-batch updates since the network was built",
    "train_loss": "training loss (the mean per-point loss, as the training bar shows it)",
    "test_loss": "test loss",
    "gap": "test loss minus training loss (large: the network learned its training points by heart)",
    "start_train_loss": "training loss at epoch 0, before any update",
    "start_test_loss": "test loss at epoch 0",
    "train_accuracy": "share of training points classified right, 0..1",
    "test_accuracy": "share of test points classified right, 0..1",
    "r2": "R\u00b2 on the test points (regression): 1 is perfect, 0 no better than the mean",
    "diverged": "1 if the loss or a weight blew up (training paused itself), else 0",
    "stuck": "1 if the network was found unable to learn (training paused itself), else 0",
    "loss_rises": "share of epochs after which the training loss was higher than after the one "
                  "before (0: it only ever fell)",
    "gradient_first": "RMS gradient of the first layer of weights in the last update",
    "gradient_last": "RMS gradient of the last layer of weights (into the output) in the last update",
    "gradient_ratio": "gradient_first / gradient_last: far below 1 the gradient vanishes on its way "
                      "back, far above 1 it explodes",
    "links": "number of weights (links) in the network",
    "zero_weights": "weights that are exactly 0",
    "dead_links": "links L1 has killed (plain SGD): 0 and never trained again",
    "inputs_used": "input features with at least one non-zero link into the network",
    "max_weight": "the largest weight, in size",
    "layer_spread": "the largest difference between two neurons of one hidden layer (their "
                    "incoming weights and bias): 0 means each layer's neurons are copies",
    "saturated": "share of the tanh and sigmoid neurons' outputs over the picture grid that sit "
                 "within 1 % of the activation's limits, where its slope is almost 0",
}

FLAGS = ("diverged", "stuck")   # measures that are 1 or 0: a claim may name them alone ("not stuck")
SATURATION = 0.01     # within 1 % of the activation's range from a limit counts as saturated
_LIMITS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}   # activations that saturate, and where


def measure(snap: Snapshot) -> dict[str, float]:
    """Every measure of MEASURES for the run shown by `snap`; nan where one does not apply
    (accuracy for regression, a gradient before any update, a diverged loss)."""
    weights = snap.weights
    m: dict[str, float] = {
        "epoch": float(snap.epoch), "steps": float(snap.total_steps),
        "train_loss": float(snap.train_loss), "test_loss": float(snap.test_loss),
        "train_accuracy": float(snap.train_accuracy), "test_accuracy": float(snap.test_accuracy),
        "r2": float(snap.r2_test), "diverged": float(bool(snap.diverged)), "stuck": float(bool(snap.stuck)),
    }
    m["gap"] = m["test_loss"] - m["train_loss"]
    history = snap.history_train
    first = snap.history_epoch[0] == 0 if len(snap.history_epoch) else False
    m["start_train_loss"] = float(history[0]) if first else math.nan
    m["start_test_loss"] = float(snap.history_test[0]) if first else math.nan
    with np.errstate(invalid="ignore"):
        m["loss_rises"] = float(np.mean(np.diff(history) > 0)) if len(history) > 1 else math.nan
    g_first, g_last = (_rms(snap.grad_weights[0]), _rms(snap.grad_weights[-1])) if snap.total_steps else (math.nan,) * 2
    m["gradient_first"], m["gradient_last"] = g_first, g_last
    m["gradient_ratio"] = g_first / g_last if g_last > 0 else math.nan
    m["links"] = float(sum(w.size for w in weights))
    m["zero_weights"] = float(sum(int(np.count_nonzero(w == 0)) for w in weights))
    m["dead_links"] = float(sum(int(np.count_nonzero(d)) for d in snap.dead))
    m["inputs_used"] = float(np.count_nonzero(np.any(weights[0] != 0, axis=0)))   # columns of (n_1, n_in)
    m["max_weight"] = float(max((np.max(np.abs(w)) for w in weights if w.size), default=0.0))
    m["layer_spread"] = layer_spread(snap)
    m["saturated"] = saturated(snap)
    return m


def _rms(a: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.mean(np.square(a)))) if a.size else math.nan


def layer_spread(snap: Snapshot) -> float:
    """max over hidden layers of max_j |(W_j, b_j) - (W_0, b_0)|: 0 when every neuron of
    every hidden layer has the same incoming weights and bias as its layer's first."""
    spread = 0.0
    for w, b in zip(snap.weights[:-1], snap.biases[:-1]):   # into each hidden layer
        rows = np.column_stack([w, b])                       # (n_out, n_in + 1)
        with np.errstate(invalid="ignore"):
            spread = max(spread, float(np.max(np.abs(rows - rows[0]))))
    return spread


def saturated(snap: Snapshot) -> float:
    """Share of tanh/sigmoid hidden outputs over the grid within SATURATION of a limit; nan
    when no hidden layer uses one of them. The grid covers the data's square, so this is
    how much of the plane the neurons see at their flat ends."""
    acts = snap.config.activations
    hits, total = 0, 0
    for layer, act in enumerate(acts, start=1):
        if act not in _LIMITS or layer >= len(snap.grid):
            continue
        lo, hi = _LIMITS[act]
        a = snap.grid[layer]                                  # (n, GRID, GRID) float32
        margin = SATURATION * (hi - lo)
        hits += int(np.count_nonzero((a <= lo + margin) | (a >= hi - margin)))
        total += a.size
    return hits / total if total else math.nan
