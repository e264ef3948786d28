"""Drawing and erasing points on the decision surface with the mouse.

A stroke is one gesture: press, drag, release. The left button paints points of the
chosen label along the path, one every SPACING_PX screen pixels (a click: one point,
where clicked). The right button, or the left one with Shift held, erases every point
within the eraser's radius of the path; the ring under the mouse shows the radius and
the wheel changes it. On release the whole stroke becomes one request (and one undo step
in the window), so a drag of fifty points is one new data set for the worker, not fifty.

Until the data with the stroke come back in a Snapshot, the stroke stays drawn on top
(painted points in their colours, the erased band veiled), so nothing blinks between
the release and the worker's answer while training goes on.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem

EXTENT = 6.0                   # points are drawn inside [-EXTENT, EXTENT]^2
SPACING_PX = 12.0              # screen pixels between the points of a painted drag
RADIUS = 0.6                   # the eraser's radius at start, data units
RADIUS_RANGE = (0.15, 3.0)
WHEEL_STEP = 1.15              # the eraser grows or shrinks by this per wheel notch
WAIT_MS = 3000                 # a stroke's preview goes at the latest after this (a refused stroke)
POINT_SIZE = 7                 # as the surface's training points
VEIL = QColor(255, 255, 255, 170)


class StrokeTool(QObject):
    """Turns mouse gestures on a PlotWidget into stroke requests while `active`.

    Signals:
        add_requested(object xy, object labels): points (M, 2) and labels (M,) to add.
        erase_requested(object path, float radius): erase within radius of the polyline
            path (M, 2), in data units.
    """

    add_requested = Signal(object, object)
    erase_requested = Signal(object, float)

    def __init__(self, plot: pg.PlotWidget, brushes, parent: QObject | None = None):
        """brushes: a bound method of the view that owns this tool, labels (M,) -> list of
        QBrush, as the surface colours them. It is held weakly: the view holds the tool, and
        a strong reference back would make a cycle that only Python's garbage collector
        frees, in whatever thread it runs, with this tool's event filter still installed."""
        super().__init__(parent)
        self.plot = plot
        self.vb = plot.getPlotItem().getViewBox()
        self._brushes = weakref.WeakMethod(brushes)
        self.active = False
        self.label = 1.0                 # what the left button paints
        self.radius = RADIUS
        self._mode: str | None = None    # "add" or "erase" while a stroke is drawn
        self._pts: list[tuple[float, float]] = []   # points painted, or the eraser's path
        self._labels: list[float] = []
        self._waiting = False            # released, its data not shown yet

        self.pending = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(255, 255, 255, width=1))
        self.pending.setZValue(11)
        self.band = QGraphicsPathItem()
        self.band.setBrush(QBrush(VEIL))
        self.band.setPen(QPen(Qt.NoPen))
        self.band.setZValue(12)
        self.ring = QGraphicsEllipseItem()
        self.ring.setPen(_cosmetic(QColor(30, 30, 30), Qt.SolidLine))
        self.ring.setZValue(13)
        self.ring.hide()
        for item in (self.pending, self.band, self.ring):
            self.vb.addItem(item, ignoreBounds=True)
        self._timeout = QTimer(self, singleShot=True, interval=WAIT_MS)
        self._timeout.timeout.connect(self.data_arrived)
        plot.viewport().installEventFilter(self)

    # -- state -------------------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        self.active = bool(on)
        if not on:
            self.cancel()
            self.ring.hide()

    def set_radius(self, radius: float) -> None:
        lo, hi = RADIUS_RANGE
        self.radius = float(np.clip(radius, lo, hi))
        if self.ring.isVisible():
            self._place_ring(self.ring.rect().center())

    def drawing(self) -> bool:
        """A stroke is being drawn (pressed, not released)."""
        return self._mode is not None

    # -- strokes (the mouse calls these; so can a test or a script) ------------------------
    def begin(self, mode: str, x: float, y: float) -> None:
        """Start a stroke at (x, y): "add" paints a point there, "erase" starts the path."""
        if mode not in ("add", "erase"):
            raise ValueError(f"a stroke adds or erases, not {mode!r}")
        self.data_arrived()              # a new stroke replaces an old preview
        self._mode, self._pts, self._labels = mode, [(x, y)], []
        if mode == "add":
            self._labels.append(self.label)
        self._show()

    def extend(self, x: float, y: float) -> None:
        """The mouse moved to (x, y) with the button held."""
        if self._mode == "erase":
            if self._pts[-1] != (x, y):
                self._pts.append((x, y))
        elif self._mode == "add":
            step = SPACING_PX * self._pixel()
            lx, ly = self._pts[-1]
            dist = math.hypot(x - lx, y - ly)
            while dist >= step > 0:        # evenly spaced, however fast the mouse moved
                lx, ly = lx + (x - lx) * step / dist, ly + (y - ly) * step / dist
                self._pts.append((lx, ly))
                self._labels.append(self.label)
                dist -= step
        else:
            return
        self._show()

    def finish(self) -> None:
        """Release: the stroke becomes one request; its preview stays until its data arrive."""
        mode, pts = self._mode, np.array(self._pts, dtype=np.float64).reshape(-1, 2)
        if mode is None:
            return
        self._mode = None
        self._waiting = True
        self._timeout.start()
        if mode == "add":
            self.add_requested.emit(pts, np.array(self._labels, dtype=np.float64))
        else:
            self.erase_requested.emit(pts, float(self.radius))

    def cancel(self) -> None:
        """Drop a stroke being drawn, without a request."""
        self._mode = None
        self.data_arrived()

    def data_arrived(self) -> None:
        """New data are shown (or the wait is over): the preview of a finished stroke goes."""
        if self._mode is not None:
            return
        self._waiting = False
        self._timeout.stop()
        self._pts, self._labels = [], []
        self.pending.setData(pos=np.empty((0, 2)))
        self.band.setPath(QPainterPath())

    # -- drawing -----------------------------------------------------------------------
    def _pixel(self) -> float:
        """Data units per screen pixel (the square's scale)."""
        return float(self.vb.viewPixelSize()[0] or 0.0)

    def _show(self) -> None:
        brushes = self._brushes()
        if self._labels and brushes is not None:
            labels = np.array(self._labels)
            self.pending.setData(pos=np.array(self._pts), brush=brushes(labels))
        elif not self._labels:
            self.band.setPath(_band(self._pts, self.radius))

    def _place_ring(self, centre: QPointF) -> None:
        r = self.radius
        self.ring.setRect(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r))

    # -- mouse ---------------------------------------------------------------------------
    def _data_at(self, pos: QPointF, clamp: bool = False) -> tuple[float, float] | None:
        """Viewport pixel -> data (x, y); None outside the square unless clamp."""
        p = self.vb.mapSceneToView(self.plot.mapToScene(pos.toPoint()))
        x, y = p.x(), p.y()
        if clamp:
            return float(np.clip(x, -EXTENT, EXTENT)), float(np.clip(y, -EXTENT, EXTENT))
        if abs(x) > EXTENT or abs(y) > EXTENT:
            return None
        return x, y

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if not self.active:
            return False
        kind = event.type()
        if kind == QEvent.MouseButtonPress and event.button() in (Qt.LeftButton, Qt.RightButton):
            xy = self._data_at(event.position())
            if xy is None:
                return False
            erase = event.button() == Qt.RightButton or bool(event.modifiers() & Qt.ShiftModifier)
            self.begin("erase" if erase else "add", *xy)
            self._show_ring(xy, erase)
            return True
        if kind == QEvent.MouseMove:
            xy = self._data_at(event.position(), clamp=True)
            self.extend(*xy)
            self._show_ring(xy, self._mode == "erase" or bool(event.modifiers() & Qt.ShiftModifier))
            return False                 # the read-out under the mouse goes on
        if kind == QEvent.MouseButtonRelease and self._mode is not None:
            self.finish()
            return True
        if kind == QEvent.Wheel:
            notches = event.angleDelta().y() / 120.0
            self.set_radius(self.radius * WHEEL_STEP ** notches)
            self._show_ring(self._data_at(event.position(), clamp=True), True)
            return True
        if kind == QEvent.Leave:
            self.ring.hide()
        return False

    def _show_ring(self, xy: tuple[float, float], erasing: bool) -> None:
        """The eraser's size under the mouse while it erases (or Shift says it would)."""
        if erasing:
            self._place_ring(QPointF(*xy))
        self.ring.setVisible(erasing)


def _cosmetic(colour: QColor, style: Qt.PenStyle) -> QPen:
    pen = QPen(colour)
    pen.setCosmetic(True)          # one pixel whatever the scale
    pen.setWidthF(1.0)
    pen.setStyle(style)
    return pen


def _band(path: list[tuple[float, float]], radius: float) -> QPainterPath:
    """The area within radius of the polyline (round ends and joins), in data units:
    exactly what the eraser takes (strokes.near_path)."""
    out = QPainterPath()
    if not path:
        return out
    x0, y0 = path[0]
    if len(path) == 1:
        out.addEllipse(QPointF(x0, y0), radius, radius)
        return out
    line = QPainterPath(QPointF(x0, y0))
    for x, y in path[1:]:
        line.lineTo(x, y)
    stroker = QPainterPathStroker()
    stroker.setWidth(2 * radius)
    stroker.setCapStyle(Qt.RoundCap)
    stroker.setJoinStyle(Qt.RoundJoin)
    out = stroker.createStroke(line)
    out.setFillRule(Qt.WindingFill)     # where the band crosses itself it stays veiled once
    return out
