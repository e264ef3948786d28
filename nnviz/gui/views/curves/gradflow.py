"""Gradient flow: the size of each weight layer's gradient over the epochs, on a log scale.

Vanishing gradients show as curves far below the others, exploding ones as curves
climbing away. A log axis can show neither 0 nor infinity, yet those are the news when
they happen: a gradient of exactly 0 (a dead layer) is drawn along the bottom edge and
marked with a down triangle, an infinite or NaN one (an explosion) along the top edge
with an up triangle, and the title turns into words that name the layers (in the title's
place, as over the plot they would hide the marks, and under it they would take height
the plot, about 60 px at 1280 x 800, cannot give).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QSizePolicy

from nnviz.gui.style.axes import ValueAxis
from nnviz.gui.style.plot_menus import adopt_plot_menus
from nnviz.gui.views.curves.plotting import SAMPLES_PER_PIXEL, fit_range, key, style_plot

EDGE = 0.04                 # clamped points sit this share of the range inside its edge
EMPTY_RANGE = (-8.0, 0.0)   # log10 range when no gradient is finite and above 0
TITLE = "Gradient flow"
WARN = "#a12622"
MAX_NAMED = 4               # layers named one by one in the legend; deeper: the ends and "⋯"


def layer_names(n_layers: int) -> list[str]:
    """Plain names of the weight layers, by the neurons they join: 'inputs → 1', '1 → 2',
    …, 'n → output' (not 'L1', which reads as a regularisation)."""
    ends = ["inputs", *(str(k) for k in range(1, n_layers)), "output"]
    return [f"{a}\u2192{b}" for a, b in zip(ends[:-1], ends[1:])]


def legend_entries(names: list[str]) -> list[tuple[int, str]]:
    """(layer, name) for the legend: every layer up to MAX_NAMED, else the first, the
    middle one as a "⋯" that stands for all between, and the last. The colours run from
    dark at the inputs to light at the output, so the ends name the whole ramp; a row per
    layer would squeeze a deep network's plot flat in a small window."""
    if len(names) <= MAX_NAMED:
        return list(enumerate(names))
    return [(0, names[0]), (len(names) // 2, "\u22ef"), (len(names) - 1, names[-1])]


def edge_values(g: np.ndarray, y0: float, y1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(drawn, zero, blown): g (H, L) with exact zeros moved to just above the bottom edge
    and inf / NaN to just below the top edge of the log10 range y0..y1; the two masks."""
    zero = g == 0.0
    blown = ~np.isfinite(g)
    span = y1 - y0
    lo, hi = (10.0 ** min(max(v, -300.0), 300.0) for v in (y0 + EDGE * span, y1 - EDGE * span))
    return np.where(zero, lo, np.where(blown, hi, g)), zero, blown


def run_starts(mask: np.ndarray) -> np.ndarray:
    """Indices where a run of True begins, and the last index if True: where marks go
    (a mark per point would be thousands of triangles over a long run)."""
    starts = np.flatnonzero(mask & ~np.concatenate([[False], mask[:-1]]))
    if mask.size and mask[-1] and (starts.size == 0 or starts[-1] != mask.size - 1):
        starts = np.append(starts, mask.size - 1)
    return starts


def note(names: list[str], zero: np.ndarray, blown: np.ndarray) -> str:
    """Words for the latest epoch's zero and exploded layers ('' when all is ordinary)."""
    def which(mask: np.ndarray) -> str:
        picked = [n for n, m in zip(names, mask) if m]
        if len(picked) == len(names):
            return "every layer" if len(names) > 1 else "the layer"
        return ", ".join(picked[:3]) + (f" and {len(picked) - 3} more" if len(picked) > 3 else "")
    parts = []
    if blown.any():
        parts.append(f"\u25b2 infinite or NaN in {which(blown)}")
    if zero.any():
        parts.append(f"\u25bc exactly 0 in {which(zero)}")
    return " \u00b7 ".join(parts)


class GradientFlowPlot(pg.GraphicsLayoutWidget):
    """The plot with its legend under it (inside it would hide the curves, beside it it is
    cut off in a narrow window). Fed by show_history; a read-only view."""

    def __init__(self) -> None:
        super().__init__()
        self.setBackground("w")
        self.ci.setContentsMargins(2, 2, 2, 2)   # every pixel of height to the plot
        self.ci.layout.setVerticalSpacing(0)
        self.item = style_plot(self.addPlot(row=0, col=0, axisItems={"left": ValueAxis("left")}),
                               "epoch", "RMS gradient")
        self.item.setMenuEnabled(False)
        adopt_plot_menus(self, self.item)
        self.item.setLogMode(x=False, y=True)
        self.item.setTitle(TITLE, size="9pt", color="#444")
        self.setToolTip("Size (root mean square) of each weight layer's last gradient, named by the "
                        "layers it joins, from the inputs to the output. Curves far apart mean vanishing "
                        "or exploding gradients; \u25bc on the bottom edge marks a gradient of exactly 0, "
                        "\u25b2 on the top edge an infinite or NaN one.")
        self.legend = pg.LegendItem(labelTextColor="#333", verSpacing=-4, horSpacing=8)
        self.addItem(self.legend, row=1, col=0)
        self.legend.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)  # spare height: the plot
        self.curves: list[pg.PlotDataItem] = []
        # scatters, not plot items: a plot item's clipping and downsampling would drop points
        # but not their brushes; a scatter ignores the log mode, so it gets log10 values
        self.zero_marks = pg.ScatterPlotItem(symbol="t", size=9, pen=pg.mkPen("#333"))
        self.blown_marks = pg.ScatterPlotItem(symbol="t1", size=9, pen=pg.mkPen(WARN))
        for marks in (self.zero_marks, self.blown_marks):
            marks.setZValue(10)
            self.item.addItem(marks, ignoreBounds=True)
        self.note = ""                           # the words in the title's place, '' if none
        self._key: tuple | None = None

    def show_history(self, epochs: np.ndarray, g: np.ndarray) -> None:
        """epochs (H,) and g (H, L) RMS gradients per weight layer; redrawn only on change."""
        g = np.asarray(g, dtype=float)
        g = g.reshape(len(g), -1) if g.ndim != 2 else g
        k = (key(epochs), key(g))
        if k == self._key:
            return
        self._key = k
        if g.shape[1] != len(self.curves):
            self._rebuild(g.shape[1])
        x = np.asarray(epochs, dtype=float)
        if len(x) != len(g):
            x = np.arange(len(g), dtype=float)
        fine = g[np.isfinite(g) & (g > 0)]
        fit_range(self.item, x, fine)
        vb = self.item.getViewBox()
        if fine.size == 0:   # nothing a log axis can place: a fixed range for the edge marks
            x1 = max(float(x[-1]), float(x[0]) + 10.0) if len(x) else 10.0
            vb.setRange(xRange=(float(x[0]) if len(x) else 0.0, x1), yRange=EMPTY_RANGE, padding=0)
            vb.disableAutoRange()
        y0, y1 = vb.viewRange()[1]
        drawn, zero, blown = edge_values(g, y0, y1)
        for layer, curve in enumerate(self.curves):
            curve.setData(x, drawn[:, layer])
        self._marks(self.zero_marks, x, drawn, zero)
        self._marks(self.blown_marks, x, drawn, blown)
        names = layer_names(g.shape[1])
        self.note = note(names, zero[-1], blown[-1]) if len(g) else ""
        if self.note:
            self.item.setTitle(self.note, size="8pt", color=WARN)
        else:
            self.item.setTitle(TITLE, size="9pt", color="#444")

    def _marks(self, item: pg.ScatterPlotItem, x: np.ndarray, drawn: np.ndarray, mask: np.ndarray) -> None:
        spots = []
        for layer, curve in enumerate(self.curves):
            brush = pg.mkBrush(curve.opts["pen"].color())
            for i in run_starts(mask[:, layer]):
                spots.append({"pos": (float(x[i]), float(np.log10(drawn[i, layer]))), "brush": brush})
        item.setData(spots)

    def mark_counts(self) -> tuple[int, int]:
        """(zero marks, exploded marks) on the plot, for tests."""
        return len(self.zero_marks.data), len(self.blown_marks.data)

    def _rebuild(self, n_layers: int) -> None:
        """One curve per weight layer, coloured from input (dark) to output (light)."""
        for curve in self.curves:
            self.item.removeItem(curve)
            # out of the scene it is Python's again, and the legend's hidden old entry keeps
            # a reference to it in pyqtgraph's cycles: delete it now, in this (GUI) thread,
            # not when Python's cyclic collector runs in whatever thread
            curve.deleteLater()
        self.legend.clear()
        cmap = pg.colormap.get("viridis")
        self.curves = []
        names = layer_names(n_layers)
        for layer in range(n_layers):
            t = 0.1 + 0.75 * layer / max(n_layers - 1, 1)
            pen = pg.mkPen(cmap.map(t, mode="qcolor"), width=1)     # 1 px: Qt's fast line path
            curve = self.item.plot([], [], pen=pen, connect="finite", autoDownsampleFactor=SAMPLES_PER_PIXEL)
            self.curves.append(curve)
        for layer, name in legend_entries(names):
            self.legend.addItem(self.curves[layer], name)
        self._fit_legend()

    def _fit_legend(self) -> None:
        """As many legend columns as the widest entry fits side by side."""
        legend = getattr(self, "legend", None)   # resize events come already while Qt builds the widget
        if legend is None or not legend.items:
            return
        # the text's own width: a LabelItem's bounding box is its (stretched) layout cell
        cell = max(s.boundingRect().width() + t.item.boundingRect().width() for s, t in legend.items) + 16
        legend.setColumnCount(int(np.clip((self.width() - 8) // cell, 1, len(legend.items))))

    def resizeEvent(self, event) -> None:  # Qt override: re-flow the legend to the new width
        super().resizeEvent(event)
        self._fit_legend()
