"""Output units with their losses.

Each output kind fixes the output activation and the loss; `delta` is the gradient of
the per-point loss with respect to the output layer's pre-activation z, which is where
backpropagation starts. Squared error is the Playground's 0.5 * (out - target)^2.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model.activations import CODES, apply

Array = np.ndarray
# kind -> output activation
OUTPUT_ACTIVATION = {"tanh_mse": "tanh", "sigmoid_bce": "sigmoid", "softmax_ce": "softmax",
                     "linear_mse": "linear"}
CODES_LOSS = {"tanh_mse": 0, "sigmoid_bce": 1, "softmax_ce": 2, "linear_mse": 3}
LABELS = {"tanh_mse": "Tanh + squared error", "sigmoid_bce": "Sigmoid + cross-entropy",
          "softmax_ce": "Softmax + cross-entropy", "linear_mse": "Linear + squared error"}


def targets(kind: str, y: Array, n_classes: int) -> Array:
    """Training targets (N, n_out) for labels y (N,): -1/+1, 0..K-1 or real values."""
    y = np.asarray(y, dtype=np.float64)
    if kind == "sigmoid_bce":
        return (y > 0).astype(np.float64)[:, None] if n_classes == 2 else y[:, None]
    if kind == "softmax_ce":
        k = max(n_classes, 2)
        idx = (y > 0).astype(np.int64) if n_classes == 2 else y.astype(np.int64)
        return np.eye(k)[idx]
    return y[:, None]


def output(kind: str, z: Array) -> Array:
    return apply(OUTPUT_ACTIVATION[kind], z)


def loss_from_logits(kind: str, z: Array, t: Array) -> Array:
    """Per-point loss (N,) from the output layer's pre-activations z and targets t (N, n_out).

    Cross-entropy is computed from the logits, never from rounded probabilities, so it is
    the loss being minimised even where the output saturates: at a logit of 50 a wrong
    class costs exactly 50 and a right one log1p(e^-50) = 1.9e-22 (clipped probabilities
    would say 34.5 and 0). Sigmoid + BCE: softplus(z) - t z, written as
    max(z, 0) - t z + log1p(e^-|z|). Softmax + CE: with m the largest logit (the first,
    index c), log-sum-exp = m + log1p(sum over j != c of e^(z_j - m)), so the right class
    loses nothing to 1 + tiny rounding to 1.
    """
    z = np.asarray(z, dtype=np.float64)
    if kind in ("tanh_mse", "linear_mse"):
        return 0.5 * np.sum((output(kind, z) - t) ** 2, axis=1)
    if kind == "sigmoid_bce":
        return np.sum(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z))), axis=1)
    top = np.argmax(z, axis=1)                                  # (N,)
    m = z[np.arange(len(z)), top][:, None]                      # (N, 1)
    e = np.exp(z - m)
    e[np.arange(len(z)), top] = 0.0
    lse_minus_m = np.log1p(np.sum(e, axis=1))[:, None]          # log-sum-exp - m, (N, 1)
    return np.sum(t * ((m - z) + lse_minus_m), axis=1)


def delta(kind: str, out: Array, t: Array) -> Array:
    """d loss / d z of the output layer, (N, n_out)."""
    if kind == "tanh_mse":
        return (out - t) * (1.0 - out * out)
    return out - t  # linear+MSE, sigmoid+BCE and softmax+CE all reduce to this


def predicted_class(kind: str, out: Array) -> Array:
    """Class index (N,) from outputs (N, n_out); for two classes 1 means label +1."""
    if kind == "softmax_ce":
        return np.argmax(out, axis=1)
    threshold = 0.5 if kind == "sigmoid_bce" else 0.0
    return (out[:, 0] >= threshold).astype(np.int64)


def code(kind: str) -> int:
    return CODES_LOSS[kind]


def output_code(kind: str) -> int:
    return CODES[OUTPUT_ACTIVATION[kind]]
