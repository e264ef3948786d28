"""Activation functions, each beside its derivative (as the Playground's nn.ts pairs them).

The derivative takes both the pre-activation z and the output a = f(z), because for
tanh and sigmoid the output form is the cheap one. The integer codes are what the
compiled kernel branches on; keep them in step with kernels.py.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01
CODES = {"linear": 0, "tanh": 1, "sigmoid": 2, "relu": 3, "leaky_relu": 4, "elu": 5, "sine": 6,
         "softmax": 7}
LABELS = {"linear": "Linear", "tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU",
          "leaky_relu": "Leaky ReLU", "elu": "ELU", "sine": "Sine", "softmax": "Softmax"}


def sigmoid(z: Array) -> Array:
    # exp of a negative number only, so large |z| cannot overflow
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: Array) -> Array:
    """Row-wise softmax of (N, K) logits."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


FUNCTIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array, Array], Array]]] = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
    # the Playground's ReLU derivative is 0 at z = 0
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0).astype(z.dtype)),
    "sine": (np.sin, lambda z, a: np.cos(z)),
    "softmax": (softmax, lambda z, a: np.ones_like(z)),  # only used fused with cross-entropy
}


def apply(name: str, z: Array) -> Array:
    return FUNCTIONS[name][0](z)


def derivative(name: str, z: Array, a: Array) -> Array:
    return FUNCTIONS[name][1](z, a)
