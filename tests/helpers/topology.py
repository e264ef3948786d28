"""Mouse and keyboard helpers that drive the network graph like a user."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from nnviz.gui.views.topology.geometry import hit_test_links
from nnviz.gui.views.topology.view import LINK_TOL_PX, TopologyView


def shown_view(qtbot, width: int, height: int) -> TopologyView:
    """A TopologyView of that size, on screen."""
    v = TopologyView()
    qtbot.addWidget(v)
    v.resize(width, height)
    v.show()
    qtbot.waitExposed(v)
    return v


def link_mid(v: TopologyView, layer: int, dst: int, src: int) -> QPoint:
    """A pixel on the link where the mouse picks it: near its middle, but where no other link
    passes within two pixels (links that cross close to a midpoint would make a click there
    depend on rounding to whole pixels)."""
    lay = v.graph_layout
    k = lay.link_index(layer, dst, src)
    x0, y0, x1, y1 = lay.segments[k]
    best, best_t = -1.0, 0.5
    for t in sorted(np.linspace(0.15, 0.85, 57), key=lambda t: abs(t - 0.5)):   # middle first
        p = v.view_point(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
        scene = v.vb.mapSceneToView(v.view.mapToScene(p))
        if hit_test_links(lay.segments, scene.x(), scene.y(), LINK_TOL_PX) != k:
            continue
        others = np.delete(lay.segments, k, axis=0)
        clear = _distance(others, scene.x(), scene.y())
        if clear >= 2.0:
            return p
        if clear > best:
            best, best_t = clear, t
    return v.view_point(x0 + best_t * (x1 - x0), y0 + best_t * (y1 - y0))


def _distance(segments: np.ndarray, px: float, py: float) -> float:
    """Distance from (px, py) to the nearest of segments (M, 4)."""
    dx, dy = segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]
    rx, ry = px - segments[:, 0], py - segments[:, 1]
    t = np.clip((rx * dx + ry * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
    return float(np.min(np.hypot(rx - t * dx, ry - t * dy))) if len(segments) else np.inf


def node_point(v: TopologyView, column: int, index: int) -> QPoint:
    return v.view_point(*v.graph_layout.node_xy[v.graph_layout.node_flat(column, index)])


def bias_point(v: TopologyView, layer: int, neuron: int) -> QPoint:
    return v.view_point(*v.graph_layout.bias_xy[v.graph_layout.bias_flat(layer, neuron)])


def move(v: TopologyView, p: QPoint) -> None:
    vp = v.view.viewport()
    QApplication.sendEvent(vp, QMouseEvent(QEvent.MouseMove, QPointF(p), QPointF(vp.mapToGlobal(p)),
                                           Qt.NoButton, Qt.NoButton, Qt.NoModifier))


def click(v: TopologyView, p: QPoint, mods=Qt.NoModifier) -> None:
    vp = v.view.viewport()
    for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
        QApplication.sendEvent(vp, QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)),
                                               Qt.LeftButton, Qt.LeftButton, mods))


def wheel(v: TopologyView, p: QPoint, dy: int, mods=Qt.NoModifier) -> None:
    vp = v.view.viewport()
    QApplication.sendEvent(vp, QWheelEvent(QPointF(p), QPointF(vp.mapToGlobal(p)), QPoint(0, 0),
                                           QPoint(0, dy), Qt.NoButton, mods, Qt.NoScrollPhase, False))


def type_and_enter(qtbot, v: TopologyView, text: str) -> None:
    v.editor.selectAll()
    v.editor.del_()
    qtbot.keyClicks(v.editor, text)
    qtbot.keyClick(v.editor, Qt.Key_Return)
