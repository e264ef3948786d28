"""What the curve plots share: fingerprints of history arrays, the view range that follows
the data without redrawing the axes every frame, and the plots' common look."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from nnviz.gui.style import palette

SAMPLES_PER_PIXEL = 1.0   # auto-downsampling target (pyqtgraph's default 5); "peak" keeps min and max


def key(a: np.ndarray) -> tuple:
    """A cheap, exact fingerprint of a history array."""
    a = np.ascontiguousarray(a)
    return a.shape, hash(a.tobytes())


def fit_range(item: pg.PlotItem, x: np.ndarray, y: np.ndarray) -> None:
    """Set the view range now, instead of pyqtgraph's auto-range, which defers it to the
    next paint and so paints every update twice. Follows the axis' log mode.

    The range only moves when the data leave it or shrink well inside it, and then with
    room to grow: a new range redraws both axes' text (~10 ms offscreen), so while
    training it changes every second or two, not on every frame.
    """
    vb = item.getViewBox()
    log = item.getAxis("left").logMode
    if log:
        y = np.log10(y[np.isfinite(y) & (y > 0)])
    y = y[np.isfinite(y)]
    if len(x) == 0 or len(y) == 0:
        vb.enableAutoRange()
        return
    x0, x1 = float(x[0]), max(float(x[-1]), float(x[0]) + 10.0)
    if len(x) == 1:
        x0 -= 0.5   # room for the dot a lone point is drawn as
    lo, hi = float(y.min()), float(y.max())
    pad = 0.1 * (hi - lo) if hi > lo else 0.5 * max(abs(hi), 1e-3)
    (vx0, vx1), (vy0, vy1) = vb.viewRange()
    if vb.autoRangeEnabled()[0] or not (vx0 == x0 and x1 <= vx1 <= x1 + 0.3 * (x1 - x0) + 10.0):
        vx0, vx1 = x0, x1 + 0.2 * (x1 - x0)                    # 20 % room to the right
    # log scale: at least one decade, so the axis has labels to read (see axes.py)
    min_span = 1.0 if log else 0.0
    if vb.autoRangeEnabled()[1] or not (vy0 <= lo and hi <= vy1
                                        and vy1 - vy0 <= max((hi - lo) / 0.7, 1.0001 * min_span)):
        vy0, vy1 = lo - pad, hi + pad                           # 10 % room both ways
        if vy1 - vy0 < min_span:
            mid = 0.5 * (lo + hi)
            vy0, vy1 = mid - 0.5 * min_span, mid + 0.5 * min_span
    vb.setRange(xRange=(vx0, vx1), yRange=(vy0, vy1), padding=0)
    vb.disableAutoRange()


def style_plot(item: pg.PlotItem, bottom: str, left: str) -> pg.PlotItem:
    for side, text in (("bottom", bottom), ("left", left)):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen("#666"))
        axis.setTextPen(pg.mkPen("#333"))
        axis.enableAutoSIPrefix(False)          # "loss (x0.001)" with ticks of 500 misleads
        if text:
            item.setLabel(side, text, color="#333")
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setDownsampling(auto=True, mode="peak")   # each curve's target: SAMPLES_PER_PIXEL
    item.setClipToView(True)
    palette.cache_axes(item)
    return item
