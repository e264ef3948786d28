"""Small pictures for the controls: each data set's points and each input feature's value.

Pure numpy (no Qt), so the pictures can be tested and cached without a display; the
controls turn the (H, W, 3) uint8 arrays into icons. Colours come from the shared
palette, so a thumbnail reads exactly like the decision surface it stands for.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from nnviz.gui.style import palette

THUMB_SEED = 1          # fixed, so a thumbnail never changes between runs
EXTENT = 6.0            # points live in [-6, 6]^2
BACKGROUND = (255, 255, 255)
SUPERSAMPLE = 4         # draw 4x larger and average down: cheap anti-aliasing


def label_colours(y: np.ndarray, n_classes: int) -> np.ndarray:
    """(N,) labels -> (N, 3) uint8: the orange/blue scale for 2 classes and regression,
    the class colours for K >= 3 classes."""
    y = np.asarray(y, dtype=np.float64)
    if n_classes >= 3:
        table = np.array(palette.CLASS_COLOURS, dtype=np.uint8)
        return table[np.clip(y.astype(np.int64), 0, len(table) - 1)]
    return palette.rgb_array(y)


def scatter_image(points: np.ndarray, colours: np.ndarray, size: int = 56,
                  radius: float = 1.4, background: tuple[int, int, int] = BACKGROUND
                  ) -> np.ndarray:
    """Draw (N, 2) points over [-6, 6]^2 (y up) as discs; later points cover earlier ones.

    Returns (size, size, 3) uint8.
    """
    big = size * SUPERSAMPLE
    img = np.empty((big, big, 3), dtype=np.float64)
    img[:] = background
    pts = np.asarray(points, dtype=np.float64)
    if len(pts):
        px = (pts[:, 0] + EXTENT) / (2 * EXTENT) * big              # (N,) columns
        py = (EXTENT - pts[:, 1]) / (2 * EXTENT) * big              # (N,) rows, y up
        r = radius * SUPERSAMPLE
        span = np.arange(-math.ceil(r), math.ceil(r) + 1)
        dy, dx = np.meshgrid(span, span, indexing="ij")
        inside = dx * dx + dy * dy <= r * r
        dy, dx = dy[inside], dx[inside]                             # (M,) disc offsets
        rows = (py.astype(np.int64)[:, None] + dy[None, :]).ravel()  # (N * M,)
        cols = (px.astype(np.int64)[:, None] + dx[None, :]).ravel()
        cols_rgb = np.repeat(np.asarray(colours, dtype=np.float64), len(dy), axis=0)
        ok = (rows >= 0) & (rows < big) & (cols >= 0) & (cols < big)
        img[rows[ok], cols[ok]] = cols_rgb[ok]
    small = img.reshape(size, SUPERSAMPLE, size, SUPERSAMPLE, 3).mean(axis=(1, 3))
    return np.clip(np.round(small), 0, 255).astype(np.uint8)


def _sample(name: str, n_classes: int) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Noise-free points of a data set from the core generator, or None if it has none."""
    try:
        from nnviz.core.data import datasets  # lazy: the controls must open even without it
        data = datasets.generate(name, 0.0, np.random.default_rng(THUMB_SEED), n_classes)
    except (ImportError, ValueError):
        return None
    return data.x, data.y, data.n_classes


@lru_cache(maxsize=64)
def dataset_image(name: str, n_classes: int = 3, size: int = 56) -> np.ndarray:
    """(size, size, 3) uint8 picture of a data set's points in the palette colours.

    A set without a generator (e.g. "custom") gets a blank picture. The array is
    read-only because it is cached and shared.
    """
    sample = _sample(name, n_classes)
    if sample is None:
        img = np.full((size, size, 3), 245, dtype=np.uint8)
    else:
        x, y, k = sample
        radius = 1.1 if len(x) > 600 else 1.4      # regression sets have 1200 points
        img = scatter_image(x, label_colours(y, k), size, radius * size / 56)
    img.setflags(write=False)
    return img


def feature_values(name: str, size: int) -> np.ndarray:
    """(size, size) feature value over [-6, 6]^2 (row 0 at the top, y = +6), scaled to
    [-1, 1] by its largest magnitude, as the Playground draws its feature squares."""
    from nnviz.core.model.features import FEATURES
    c = (np.arange(size) + 0.5) / size * 2 * EXTENT - EXTENT       # pixel centres
    x, y = np.meshgrid(c, c[::-1])                                  # (size, size), y up
    v = np.asarray(FEATURES[name][1](x, y), dtype=np.float64)
    peak = float(np.max(np.abs(v)))
    return v / peak if peak > 0 else v


@lru_cache(maxsize=32)
def feature_image(name: str, size: int = 36) -> np.ndarray:
    """(size, size, 3) uint8 picture of one input feature in the palette colours."""
    img = palette.rgb_array(feature_values(name, size).ravel()).reshape(size, size, 3)
    img.setflags(write=False)
    return img


def faded(img: np.ndarray, amount: float = 0.65) -> np.ndarray:
    """The picture blended towards white: how a switched-off toggle looks."""
    out = img.astype(np.float64) * (1.0 - amount) + 255.0 * amount
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
