"""The landscape panel's two plots in one pyqtgraph layout: the plane with its colour bar,
and the slice along the gradient. One layout, so a picture export holds both.

Every item is made once and fed new arrays (never recreated per refresh). The plane is
an RGBA image made here from a sequential colour map (viridis: dark valleys, bright
ridges; the orange-blue scale of the other panels means a sign, which a loss has not),
so a cell whose loss overflowed stays blank instead of taking a colour it has not.
"""

from __future__ import annotations

import math

import contourpy
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter

from nnviz.core.learn.landscape_job import Landscape
from nnviz.gui.style import palette
from nnviz.gui.style.plot_menus import adopt_plot_menus

CMAP = "viridis"
N_CONTOURS = 10
PATH_PEN = pg.mkPen((255, 255, 255), width=1.6)
NOW = (228, 26, 28)                 # red: where the weights are
DOTS_UP_TO = 60                     # path positions drawn as dots as well as a line
DATA_NAMES = {"train": "train loss", "test": "test loss"}
PLANE_KEY = ("<span style='background-color:#3b528b; color:white'>&nbsp;○—•— path&nbsp;</span>"
             "&nbsp; <span style='color:#e41a1c'>●</span> now &nbsp;"
             "<span style='color:#e41a1c'>○</span> next step")


def display_values(z: np.ndarray, log: bool) -> np.ndarray:
    """What the colours show: the loss, or its log10 (non-positive and non-finite -> nan)."""
    z = np.asarray(z, dtype=float)
    if not log:
        return np.where(np.isfinite(z), z, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(z) & (z > 0), np.log10(np.where(z > 0, z, 1.0)), np.nan)


def levels(v: np.ndarray) -> tuple[float, float]:
    """(low, high) of the finite values, never an empty range."""
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo - 0.5 * max(abs(lo), 1e-12), hi + 0.5 * max(abs(hi), 1e-12))


def contour_lines(v: np.ndarray, a: np.ndarray, b: np.ndarray, count: int = N_CONTOURS) -> tuple[np.ndarray, np.ndarray]:
    """x, y of `count` iso-lines of v (n_a, n_b) in plane coordinates, nan between lines.

    contourpy (matplotlib's contouring, compiled) takes a third of a millisecond for ten
    levels of a 41 x 41 plane; pyqtgraph's pure-Python isocurve took 6 to 20 ms of the GUI
    thread on every refresh.
    """
    lo, hi = levels(v)
    filled = np.where(np.isfinite(v), v, hi)      # overflowed cells count as high ground
    gen = contourpy.contour_generator(a, b, filled.T, line_type=contourpy.LineType.ChunkCombinedNan)
    parts = []
    for level in np.linspace(lo, hi, count + 2)[1:-1]:
        for chunk in gen.lines(level)[0]:
            if chunk is not None:
                parts += [chunk, np.full((1, 2), np.nan)]
    if not parts:
        return np.zeros(0), np.zeros(0)
    xy = np.concatenate(parts)
    return xy[:, 0], xy[:, 1]


def _at(t: np.ndarray, y: np.ndarray, x: float) -> float:
    """y at x by linear interpolation between the finite samples; nan if there are too few."""
    ok = np.isfinite(y)
    return float(np.interp(x, t[ok], y[ok])) if ok.sum() > 1 else math.nan


def _style(item: pg.PlotItem) -> None:
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen("#666"))
        axis.setTextPen(pg.mkPen("#333"))
        axis.enableAutoSIPrefix(False)
    item.setMenuEnabled(False)
    item.hideButtons()
    palette.cache_axes(item)


class LandscapePlots(pg.GraphicsLayoutWidget):
    """Plane (image, contours, path, now, next step, colour bar) and slice (two curves, marks)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.setRenderHint(QPainter.SmoothPixmapTransform, True)   # a smooth, not blocky, plane
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.cmap = pg.colormap.get(CMAP)
        self.plane = pg.PlotItem()
        _style(self.plane)
        self.plane.getViewBox().setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")      # image[j, i]: b up, a right
        self.contours = pg.PlotCurveItem(pen=pg.mkPen(255, 255, 255, 110, width=1), connect="finite")
        self.path = pg.PlotDataItem(pen=PATH_PEN, symbol="o", symbolSize=4, symbolPen=pg.mkPen(40, 40, 40),
                                    symbolBrush=(255, 255, 255), name="path")
        self.start = pg.ScatterPlotItem(size=10, pen=pg.mkPen(255, 255, 255, width=2), brush=None, name="start")
        self.step_line = pg.PlotCurveItem(pen=pg.mkPen(NOW, width=1.6, style=Qt.DashLine))
        self.step_end = pg.ScatterPlotItem(size=10, pen=pg.mkPen(NOW, width=2), brush=None, name="next step")
        self.now = pg.ScatterPlotItem(size=11, pen=pg.mkPen("w", width=1.5), brush=pg.mkBrush(NOW), name="now")
        for z, item in enumerate((self.image, self.contours, self.path, self.start, self.step_line,
                                  self.step_end, self.now)):
            item.setZValue(z - 10)
            self.plane.addItem(item)
        self.readout = pg.TextItem(color="#111", fill=pg.mkBrush(255, 255, 255, 220), anchor=(1, 0))
        self.readout.setZValue(30)
        self.readout.hide()
        self.plane.addItem(self.readout, ignoreBounds=True)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False, width=12,
                                   colorMapMenu=False)
        self.bar.axis.enableAutoSIPrefix(False)
        self.slice = pg.PlotItem()
        _style(self.slice)
        self.slice.getViewBox().setMouseEnabled(x=False, y=False)
        self.slice.setLabel("bottom", "distance along \u2212gradient", color="#333")
        self.slice_curve = self.slice.plot([], [], pen=pg.mkPen(30, 30, 30, width=2))
        self.batch_curve = self.slice.plot([], [], pen=pg.mkPen(150, 150, 150, width=1.5, style=Qt.DashLine))
        self.zero_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen(NOW, width=1))
        self.level_line = pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen(120, 120, 120, width=1, style=Qt.DotLine))
        self.step_mark = pg.ScatterPlotItem(size=10, pen=pg.mkPen(NOW, width=2), brush=pg.mkBrush(255, 255, 255))
        self.batch_mark = pg.ScatterPlotItem(size=7, pen=pg.mkPen(NOW, width=1.5), brush=pg.mkBrush(255, 255, 255))
        self.now_mark = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=1), brush=pg.mkBrush(NOW))
        for item in (self.zero_line, self.level_line, self.step_mark, self.batch_mark, self.now_mark):
            self.slice.addItem(item)
        adopt_plot_menus(self, self.plane, self.bar, self.slice)
        self._wide: bool | None = None
        self.arrange(False)
        self.result: Landscape | None = None
        self._values: np.ndarray | None = None   # (n_a, n_b) what the colours show
        self.plane.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- layout -----------------------------------------------------------------------
    def arrange(self, wide: bool) -> None:
        """Plane and slice side by side (wide) or one above the other."""
        if wide == self._wide:
            return
        self._wide = wide
        for item in (self.plane, self.bar, self.slice):
            if item.scene() is not None:
                self.ci.removeItem(item)
        self.ci.addItem(self.plane, row=0, col=0)
        self.ci.addItem(self.bar, row=0, col=1)
        if wide:
            self.ci.addItem(self.slice, row=0, col=2)
            self.ci.layout.setColumnStretchFactor(0, 3)
            self.ci.layout.setColumnStretchFactor(2, 2)
            self.ci.layout.setRowStretchFactor(0, 1)
        else:
            self.ci.addItem(self.slice, row=1, col=0, colspan=2)
            self.ci.layout.setColumnStretchFactor(2, 0)
            self.ci.layout.setRowStretchFactor(0, 2)
            self.ci.layout.setRowStretchFactor(1, 1)

    # -- drawing ----------------------------------------------------------------------
    def show(self, result: Landscape, log: bool, contours: bool) -> None:
        self.result = result
        data = DATA_NAMES.get(result.settings.data, "loss")
        if result.has_plane:
            self._show_plane(result, log, contours, data)
        else:
            self._values = None
            for item in (self.image, self.contours, self.path, self.start, self.step_line, self.step_end, self.now):
                item.hide()
        self._show_slice(result, data)

    def _show_plane(self, r: Landscape, log: bool, contours: bool, data: str) -> None:
        v = display_values(r.z, log)
        self._values = v
        lo, hi = levels(v)
        norm = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
        rgba = self.cmap.map(np.where(np.isfinite(norm), norm, 0.0).T, mode="byte")     # (n_b, n_a, 4)
        rgba[~np.isfinite(norm).T] = 0                                                  # blank
        a, b = r.a, r.b
        da = (a[-1] - a[0]) / (len(a) - 1)
        db = (b[-1] - b[0]) / (len(b) - 1)
        self.image.setImage(rgba, autoLevels=False)
        self.image.setRect(QRectF(a[0] - da / 2, b[0] - db / 2, da * len(a), db * len(b)))
        self.image.show()
        if contours:
            self.contours.setData(*contour_lines(v, a, b))
        self.contours.setVisible(contours)
        path = r.path
        shown = path if len(path) > 1 else np.zeros((0, 2))     # one position is just "now"
        # a dot per position while they can be told apart; beyond that they would merge into a band
        self.path.setData(shown[:, 0], shown[:, 1], symbol="o" if len(shown) <= DOTS_UP_TO else None)
        self.start.setData(shown[:1, 0], shown[:1, 1])
        nx = r.next_xy
        if np.all(np.isfinite(nx)):
            self.step_line.setData([0.0, nx[0]], [0.0, nx[1]])
            self.step_end.setData([nx[0]], [nx[1]])
        else:
            self.step_line.setData([], [])
            self.step_end.setData([], [])
        self.now.setData([0.0], [0.0])
        for item in (self.path, self.start, self.step_line, self.step_end, self.now):
            item.show()
        self.plane.setTitle(PLANE_KEY, size="8pt", color="#333")
        self.plane.setLabel("bottom", r.labels[0], color="#333")
        self.plane.setLabel("left", r.labels[1], color="#333")
        vb = self.plane.getViewBox()
        vb.setRange(xRange=(a[0] - da / 2, a[-1] + da / 2), yRange=(b[0] - db / 2, b[-1] + db / 2), padding=0)
        self.bar.setLevels((lo, hi))
        self.bar.axis.setLogMode(log)
        self.bar.axis.setLabel(f"{data} (log scale)" if log else data, color="#333")

    def _show_slice(self, r: Landscape, data: str) -> None:
        """Both curves as the change from now, so the set's and the batch's loss share an
        axis (their levels differ) and "rises" or "falls" reads against the line at 0."""
        sl = r.slice
        if sl is None:
            for item in (self.slice_curve, self.batch_curve):
                item.setData([], [])
            for item in (self.step_mark, self.batch_mark, self.now_mark):
                item.setData([], [])
            self.slice.setLabel("left", "")
            self.slice.setTitle(None)
            return
        set_d = sl.loss - _at(sl.t, sl.loss, 0.0)
        batch_d = sl.batch_loss - _at(sl.t, sl.batch_loss, 0.0)
        self.slice_curve.setData(sl.t, set_d, connect="finite")
        self.batch_curve.setData(sl.t, batch_d, connect="finite")
        self.slice.setTitle(f"<span style='color:#1e1e1e'>\u2014 {data}</span>&nbsp;&nbsp;<span "
                            f"style='color:#7a7a7a'>- - the next batch's loss</span>", size="8pt")
        self.now_mark.setData([0.0], [0.0])
        for mark, ys in ((self.step_mark, set_d), (self.batch_mark, batch_d)):
            at = _at(sl.t, ys, sl.step_t)
            finite = math.isfinite(at)
            mark.setData([sl.step_t] if finite else [], [at] if finite else [])
        self.slice.setLabel("left", "change from now", color="#333")
        ys = np.concatenate([set_d, batch_d])
        ys = ys[np.isfinite(ys)]
        lo, hi = (float(ys.min()), float(ys.max())) if ys.size else (-1.0, 1.0)
        pad = 0.08 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1e-6)
        self.slice.getViewBox().setRange(xRange=(float(sl.t[0]), float(sl.t[-1])), yRange=(lo - pad, hi + pad),
                                         padding=0)

    # -- hover ------------------------------------------------------------------------
    def readout_at(self, x: float, y: float) -> str:
        """Text for the plane point (x, y): its coordinates and the loss of the nearest cell."""
        r = self.result
        if r is None or not r.has_plane:
            return ""
        i = int(np.argmin(np.abs(r.a - x)))
        j = int(np.argmin(np.abs(r.b - y)))
        loss = float(r.z[i, j])
        shown = f"{loss:.4g}" if math.isfinite(loss) else "overflow"
        return f"({r.a[i]:.3g}, {r.b[j]:.3g})  {DATA_NAMES.get(r.settings.data, 'loss')} {shown}"

    def _on_mouse_moved(self, pos) -> None:
        vb = self.plane.getViewBox()
        if self.result is None or not self.result.has_plane or not vb.sceneBoundingRect().contains(pos):
            self.readout.hide()
            return
        p = vb.mapSceneToView(pos)
        self.readout.setText(self.readout_at(p.x(), p.y()))
        (x0, x1), (y0, y1) = vb.viewRange()
        self.readout.setPos(x1, y1)
        self.readout.show()

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.readout.hide()
        super().leaveEvent(event)
