"""Mouse and keyboard helpers that drive the network graph like a user."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from nnviz.gui.views.topology.view import TopologyView


def link_mid(v: TopologyView, layer: int, dst: int, src: int) -> QPoint:
    x0, y0, x1, y1 = v.graph_layout.segments[v.graph_layout.link_index(layer, dst, src)]
    return v.view_point((x0 + x1) / 2, (y0 + y1) / 2)


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
