"""The colour scale and pen widths shared by every view (the Playground's).

Values run from orange #f59322 at -1 through light grey #e8eaeb at 0 to blue #0877bd
at +1. Images use a 256-entry uint8 lookup table over [-1, 1] so pyqtgraph can map
float arrays without recomputing colours per frame.
"""

from __future__ import annotations

import numpy as np

ORANGE = (0xF5, 0x93, 0x22)
GREY = (0xE8, 0xEA, 0xEB)
BLUE = (0x08, 0x77, 0xBD)
# Class colours for K >= 3 classes (then the confidence sets the strength).
CLASS_COLOURS = ((0xF5, 0x93, 0x22), (0x08, 0x77, 0xBD), (0x2C, 0xA0, 0x2C),
                 (0xD6, 0x27, 0x28), (0x94, 0x67, 0xBD), (0x8C, 0x56, 0x4B),
                 (0xE3, 0x77, 0xC2), (0x7F, 0x7F, 0x7F), (0xBC, 0xBD, 0x22), (0x17, 0xBE, 0xCF))
TRAIN_OUTLINE = (255, 255, 255)
TEST_OUTLINE = (40, 40, 40)
TRAIN_CURVE = (140, 140, 140)   # grey, as the Playground
TEST_CURVE = (0, 0, 0)          # black


def _ramp(n: int) -> np.ndarray:
    """(n, 3) float colours from orange (-1) via grey (0) to blue (+1)."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    o, g, b = (np.array(c, dtype=float) for c in (ORANGE, GREY, BLUE))
    return np.where(t < 0, g + (o - g) * (-t), g + (b - g) * t)


LUT = np.clip(np.round(_ramp(256)), 0, 255).astype(np.uint8)  # (256, 3) for ImageItem


def rgb(value: float) -> tuple[int, int, int]:
    """Colour of one value in [-1, 1] (clipped), e.g. a weight or a label."""
    v = float(np.clip(value, -1.0, 1.0)) if np.isfinite(value) else 0.0
    return tuple(int(c) for c in LUT[int(round((v + 1.0) * 127.5))])


def lut_index(values: np.ndarray) -> np.ndarray:
    """Values (any shape) -> int64 rows of LUT: -1 -> 0, 0 -> 128, +1 -> 255; NaN -> grey."""
    v = np.nan_to_num(np.clip(values, -1.0, 1.0))
    return np.round((v + 1.0) * 127.5).astype(np.int64)


def rgb_array(values: np.ndarray) -> np.ndarray:
    """(N,) values -> (N, 3) uint8 colours."""
    return LUT[lut_index(values)]


# Qt's ARGB32 words (0xAARRGGBB, opaque) of the LUT, for pictures made as uint32 arrays
LUT_ARGB = (0xFF000000 | LUT[:, 0].astype(np.uint32) << 16 | LUT[:, 1].astype(np.uint32) << 8
            | LUT[:, 2].astype(np.uint32))


def link_width(weight: float) -> float:
    """Link width in px: 1 at 0 up to 10 at |w| = 5 (the Playground's scale), capped."""
    w = abs(float(weight)) if np.isfinite(weight) else 5.0
    return 1.0 + 9.0 * min(w, 5.0) / 5.0


def cache_axes(plot_item, sides=("left", "bottom")) -> None:
    """Keep each axis as a device pixmap: its text is the slowest thing to draw (~3 ms a
    replay offscreen), and it only changes when the range does."""
    from PySide6.QtWidgets import QGraphicsItem
    for side in sides:
        plot_item.getAxis(side).setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def picture_values(values: np.ndarray, layer: int, last_layer: int, output_kind: str) -> np.ndarray:
    """Map a layer's neuron pictures (n, H, W) onto the [-1, 1] colour scale, the same in
    every view.

    Inputs span +-6 (or 36 for squares), so each is scaled by its largest magnitude as the
    Playground does; probability outputs (sigmoid, softmax) go from 0..1 to -1..1. With a
    two-class softmax, output neuron 0 is the probability of class -1 (orange): its
    picture is turned round so that it, too, is orange where its class wins.
    """
    if layer == 0:
        mag = np.abs(np.nan_to_num(values, posinf=0.0, neginf=0.0))
        peak = mag.max(axis=(-2, -1), keepdims=True) if values.size else 1.0
        return values / np.where(peak > 0, peak, 1.0)
    if layer == last_layer and output_kind in ("sigmoid_bce", "softmax_ce"):
        out = 2.0 * values - 1.0
        if output_kind == "softmax_ce" and values.ndim == 3 and values.shape[0] == 2:
            out[0] = -out[0]
        return out
    return values


def decision_values(output: np.ndarray, output_kind: str) -> np.ndarray:
    """The decision surface of a one- or two-output layer (n_out, H, W) on the [-1, 1]
    scale: blue (+1) where class +1 wins, orange (-1) where class -1 does, grey at even
    odds. Two-class softmax: p(+1) - p(-1), since output 0 is class -1 and 1 class +1."""
    if output.shape[0] == 2:
        return output[1] - output[0]
    if output_kind == "sigmoid_bce":
        return 2.0 * output[0] - 1.0
    return output[0]


def class_image(probs: np.ndarray, discretize: bool = False) -> np.ndarray:
    """Multi-class surface: (K, H, W) probabilities -> (H, W, 3) uint8.

    The winning class gives the hue; its confidence (from 1/K up to 1) the strength,
    blended from the neutral grey.
    """
    k = probs.shape[0]
    win = np.argmax(probs, axis=0)                                    # (H, W)
    conf = np.take_along_axis(probs, win[None], axis=0)[0]            # (H, W)
    strength = np.ones_like(conf) if discretize else np.clip((conf - 1.0 / k) / (1.0 - 1.0 / k), 0, 1)
    cols = np.array(CLASS_COLOURS[:max(k, 1)], dtype=float)[win]       # (H, W, 3)
    grey = np.array(GREY, dtype=float)
    img = grey + (cols - grey) * (0.25 + 0.75 * strength)[..., None]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)
