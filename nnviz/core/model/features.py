"""The seven input features of the Playground, computed from raw points (x, y)."""

from __future__ import annotations

import numpy as np

# name -> (display label, function of x and y)
FEATURES = {
    "x1": ("X\u2081", lambda x, y: x),
    "x2": ("X\u2082", lambda x, y: y),
    "x1^2": ("X\u2081\u00b2", lambda x, y: x * x),
    "x2^2": ("X\u2082\u00b2", lambda x, y: y * y),
    "x1*x2": ("X\u2081X\u2082", lambda x, y: x * y),
    "sin(x1)": ("sin(X\u2081)", lambda x, y: np.sin(x)),
    "sin(x2)": ("sin(X\u2082)", lambda x, y: np.sin(y)),
}
CODES = {name: i for i, name in enumerate(FEATURES)}


def transform(points: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """(N, 2) raw points -> (N, len(names)) feature matrix, float64, C order."""
    pts = np.asarray(points, dtype=np.float64)
    x, y = pts[:, 0], pts[:, 1]
    out = np.empty((len(pts), len(names)))
    for k, name in enumerate(names):
        out[:, k] = FEATURES[name][1](x, y)
    return out


def label(name: str) -> str:
    return FEATURES[name][0]
