"""Numbered marks on picked links and bias squares ("1", "2"): which parameters another
panel uses. The graph draws them where it is told; it does not know what they are for."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

from nnviz.gui.views.topology.geometry import GraphLayout

MARK_HTML = ("<span style='background-color:#222; color:white; font-weight:600;'>"
             "&nbsp;{}&nbsp;</span>")


def mark_position(lay: GraphLayout, target: tuple) -> tuple[float, float] | None:
    """Scene point of a mark: a link's midpoint, or just above a bias square; None if absent."""
    try:
        if target[0] == "weight":
            x0, y0, x1, y1 = lay.segments[lay.link_index(*(int(v) for v in target[1:4]))]
            return (x0 + x1) / 2, (y0 + y1) / 2
        if target[0] == "bias":
            x, y = lay.bias_xy[lay.bias_flat(int(target[1]), int(target[2]))]
            return float(x), float(y) - lay.bias_size
    except (IndexError, ValueError, TypeError):
        pass
    return None


class PickMarks:
    """The marks on one ViewBox; `show(layout, targets)` places one per target, numbered from 1."""

    def __init__(self, vb: pg.ViewBox):
        self._vb = vb
        self._items: list[pg.TextItem] = []
        self.targets: tuple[tuple, ...] = ()

    def show(self, lay: GraphLayout | None, targets: tuple[tuple, ...]) -> None:
        self.targets = tuple(targets)
        for item in self._items:
            self._vb.removeItem(item)
        self._items = []
        if lay is None:
            return
        font = QFont()
        font.setPointSizeF(8.0)
        for k, target in enumerate(self.targets):
            where = mark_position(lay, target)
            if where is None:
                continue
            item = pg.TextItem(anchor=(0.5, 0.5))
            item.setFont(font)
            item.setHtml(MARK_HTML.format(k + 1))
            item.setPos(*where)
            item.setZValue(5)
            item.textItem.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            self._vb.addItem(item)
            self._items.append(item)

    def texts(self) -> list[str]:
        """The marks' plain texts, in order (for tests)."""
        return [item.textItem.toPlainText().strip() for item in self._items]
