"""The network graph: links coloured and sized by weight, neuron pictures, hover and edit.

Design: a pyqtgraph `GraphicsView` holding one `ViewBox` (y inverted, aspect locked,
mouse pan/zoom and menu off). pyqtgraph gives the fast paths the project relies on
(`arrayToQPath` for bucketed links, RGBA `ImageItem`s for the node pictures) and the
ViewBox fits the whole graph into the widget; with pan/zoom off a hover position always
maps to the same scene point. The layout (nnviz.gui.geometry) is rebuilt for the
viewport's size, so one scene unit is about one pixel and labels, node pictures and link
widths keep their on-screen sizes. Hit tests are numpy, not QGraphicsItem shapes, so
10k links cost one vectorised distance computation per mouse move.

The view only reads Snapshots and emits requests; it never holds a Trainer or Network.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from nnviz.core.snapshot import Snapshot
from nnviz.gui.style import pictures
from nnviz.gui.views.topology.card import (
    CARD_STYLE,
    InlineEditor,
    feature_labels,
    header_font,
    header_html,
    link_card,
    neuron_card,
)
from nnviz.gui.views.topology.editing import EditingMixin
from nnviz.gui.views.topology.explain_layer import ExplainDecor, hover_target
from nnviz.gui.views.topology.geometry import (
    GraphLayout,
    build_layout,
    hit_test_biases,
    hit_test_links,
    hit_test_nodes,
)
from nnviz.gui.views.topology.items import LinksItem, NodeImages, NodesOverlay
from nnviz.gui.views.topology.marks import PickMarks

LINK_TOL_PX = 4.0    # hover distance to a link, in screen pixels


class TopologyView(EditingMixin, QWidget):
    """The network graph with live hover cards and inline editing of weights and biases.

    Signals:
        weight_edit_requested(int layer, int dst, int src, float value, int network): set
            weights[layer][dst, src] (layer 0 = the first weight matrix) of the network
            Snapshot.network_id `network`, the one on screen when the link was picked.
        bias_edit_requested(int layer, int neuron, float value, int network): set
            biases[layer][neuron]; the output neuron is biases[n_layers - 1][0].
        neuron_hovered(int layer, int index): the mouse is over a neuron (layer 0 = inputs,
            the last = outputs); (-1, -1) once it is over no neuron.
        message_posted(str): a typed value was refused, in words.
        link_mode_changed(str): the user picked what the links show (explain_layer.LINK_MODES).
        parameter_picked(object): a link or bias square was picked, as ("weight", layer,
            dst, src) or ("bias", layer, neuron): a click in pick mode, or Ctrl+click.
    """

    weight_edit_requested = Signal(int, int, int, float, int)
    bias_edit_requested = Signal(int, int, float, int)
    neuron_hovered = Signal(int, int)
    message_posted = Signal(str)
    link_mode_changed = Signal(str)
    parameter_picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsView(background="w")
        self.vb = pg.ViewBox(lockAspect=True, enableMouse=False, invertY=True, enableMenu=False,
                             defaultPadding=0.0)
        self.vb.setMouseEnabled(False, False)
        self.view.setCentralItem(self.vb)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view)
        self.links = LinksItem()
        self.overlay = NodesOverlay()
        self.links.setZValue(0)
        self.overlay.setZValue(2)
        self.vb.addItem(self.links)
        self.vb.addItem(self.overlay)
        self.images = NodeImages(self.vb)
        self.marks = PickMarks(self.vb)
        self._picking = False
        self._texts: list[pg.TextItem] = []
        self.decor = ExplainDecor(self.vb, self)       # link colouring modes, an explained step
        lay.addWidget(self.decor.bar)
        self.decor.mode_changed.connect(self._link_mode_picked)

        self.card = QLabel(self)
        self.card.setStyleSheet(CARD_STYLE)
        self.card.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.card.hide()
        self.inline = InlineEditor(self, self._apply_edit, self._post_message)
        self.editor, self.editor_message = self.inline.line, self.inline.message  # for tests

        self.editable = True                            # clicks and the wheel edit (classroom mode may lock it)
        self.paint_count = 0
        self._snap: Snapshot | None = None
        self._painted: Snapshot | None = None
        self._layout: GraphLayout | None = None
        self._layout_key: tuple | None = None
        self._width_scale = 1.0
        self._hover: tuple[str, int] | None = None      # ("link" | "node" | "bias", row in layout)
        self._hovered_neuron = (-1, -1)
        self._mouse: QPointF | None = None              # last mouse position, viewport pixels
        self._pending: dict[tuple, float] = {}          # nudged values not yet in a Snapshot
        self._editing_network = 0                       # network the open editor was aimed at
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self._render)
        viewport = self.view.viewport()
        viewport.setMouseTracking(True)
        viewport.installEventFilter(self)

    # -- public API ----------------------------------------------------------------------
    def set_snapshot(self, snap: Snapshot) -> None:
        """Keep the newest Snapshot; nothing is drawn until paint()."""
        self._snap = snap

    def paint(self) -> None:
        """Re-render if the stored Snapshot is not the one on screen."""
        if self._snap is not None and self._snap is not self._painted:
            self._render()

    @property
    def graph_layout(self) -> GraphLayout | None:
        """The geometry on screen (scene units); None before the first paint."""
        return self._layout

    def hovered_link(self) -> tuple[int, int, int] | None:
        """(layer, dst, src) of the link under the mouse, or None."""
        if self._hover is None or self._hover[0] != "link" or self._layout is None:
            return None
        return tuple(int(v) for v in self._layout.link_ids[self._hover[1]])

    def card_text(self) -> str:
        """The hover card's text as plain lines ('' when no card is shown)."""
        return self._card_lines()[0] if self.card.isVisible() else ""

    def label_texts(self) -> list[str]:
        """Plain text of every label on the graph (feature names, then column headers)."""
        return [t.textItem.toPlainText() for t in self._texts]

    def view_point(self, x: float, y: float) -> QPoint:
        """Viewport pixel of the scene point (x, y): where to move the mouse in tests."""
        return self.view.mapFromScene(self.vb.mapViewToScene(QPointF(x, y)))

    def export_png(self, path: str) -> None:
        """The graph as on screen (without card or editor); written atomically."""
        pictures.save_png(self.view.grab().toImage(), path)

    def export_svg(self, path: str) -> None:
        """The graph as an SVG (lines and text as vectors, pictures embedded); atomic."""
        with pictures.uncached(self.view.scene()):
            pictures.save_svg(self.view.render, self.view.viewport().size(), path, "nnviz network graph")

    def close_editor(self) -> None:
        self.inline.close()

    def set_pick_mode(self, on: bool) -> None:
        """While on, a click on a link or bias square picks it instead of editing it."""
        self._picking = bool(on)
        self.close_editor()
        if self._picking:
            self.view.viewport().setCursor(Qt.CrossCursor)
        else:
            self.view.viewport().unsetCursor()

    def set_marks(self, targets: tuple[tuple, ...]) -> None:
        """Number these parameters on the graph (1, 2, ...); () clears the marks."""
        self.marks.show(self._layout, targets)

    def set_link_mode(self, mode: str) -> None:
        """What the links show: "weight", "gradient", "update" or "velocity"."""
        self.decor.set_mode(mode)

    def link_mode(self) -> str:
        return self.decor.mode

    def set_explain(self, exp, stage: tuple[str, int], row: int, average: bool) -> None:
        """Draw an explained step (core.learn.explain.Explanation) at a stage, for batch point
        `row`, gradients as the batch average when `average`; None leaves it."""
        self.decor.explain = None if exp is None else (exp, stage, row, average)
        if self._snap is not None:
            self._render()

    def _link_mode_picked(self, mode: str) -> None:
        if self._snap is not None:
            self._render()
        self.link_mode_changed.emit(mode)

    # -- rendering -----------------------------------------------------------------------
    def _render(self) -> None:
        snap = self._snap
        if snap is None:
            return
        vp = self.view.viewport().size()
        room = self.decor.room()    # kept free right of the outputs for an explained step's numbers
        size = (max(vp.width(), 320) - room, max(vp.height(), 240))
        headers = tuple(header_html(snap, c) for c in range(len(snap.layer_sizes)))
        key = (tuple(snap.layer_sizes), tuple(snap.feature_names), headers, size, room)
        if key != self._layout_key:
            if self._layout_key is not None and key[:2] != self._layout_key[:2]:
                self.close_editor()  # a new network: the link being edited is gone
            self._build(snap, size, room)
            self._layout_key = key
            self.marks.show(self._layout, tuple(t for t in self.marks.targets if self._target_valid(snap, t)))
        lay = self._layout
        values, full_at = self.decor.link_values(snap)                                    # (M,)
        biases = np.concatenate([np.asarray(b, float).ravel() for b in snap.biases])       # (B,)
        dead = np.concatenate([np.asarray(d).ravel() != 0 for d in snap.dead]) if snap.dead else None  # (M,)
        self.links.settle = not snap.playing    # paused: the links' picture is finished at once
        self.links.set_links(lay, values, self._width_scale, dead, full_at)
        self.decor.render(lay)
        self.overlay.set_biases(biases)
        self.images.set_pictures(snap.grid, snap.config.output_kind)
        if snap is not self._painted:
            self._pending.clear()  # the new Snapshot holds (or overrides) every nudge sent so far
        self._painted = snap
        self.paint_count += 1
        self._update_hover()

    def _build(self, snap: Snapshot, size: tuple[int, int], room: int = 0) -> None:
        """New structure or size: new geometry, labels and headers; hover state re-checked."""
        lay = build_layout(tuple(snap.layer_sizes), *size)
        self._layout = lay
        self._width_scale = float(np.clip(lay.node_size / 27.0, 0.35, 1.0))   # thin links beside small nodes
        self.overlay.set_layout(lay)
        self.decor.overlay.set_layout(lay, room)
        self.images.set_layout(lay)
        for t in self._texts:
            self.vb.removeItem(t)
        self._texts = []
        font = QFont()
        font.setPointSizeF(8.5)
        for k, name in enumerate(feature_labels(snap)):
            x, y = lay.node_xy[lay.node_flat(0, k)]
            self._add_text(name, x - lay.node_size / 2 - 4, y, (1.0, 0.5), font)
        compact, head_font = header_font(font, lay.gap - 8)
        top = min(lay.column_top(c) for c in range(len(lay.layer_sizes))) - 2  # one header row
        for c in range(len(lay.layer_sizes)):
            self._add_text(header_html(snap, c, compact), lay.column_x[c], top, (0.5, 1.0), head_font)
        self.vb.setRange(QRectF(0, 0, lay.width + room, lay.height), padding=0.0)

    def _add_text(self, html: str, x: float, y: float, anchor: tuple[float, float], font: QFont) -> None:
        item = pg.TextItem(anchor=anchor)
        item.setFont(font)
        item.setHtml(f"<div style='color:#333' align='center'>{html}</div>")
        item.textItem.setTextWidth(item.textItem.document().idealWidth())  # so lines centre
        item.setPos(float(x), float(y))
        item.setZValue(3)
        item.textItem.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # laid-out text is slow to redraw
        self.vb.addItem(item)
        self._texts.append(item)

    # -- card ---------------------------------------------------------------------------
    def _card_lines(self) -> tuple[str, str]:
        """(plain text, rich text) of the card for the current hover, live from the Snapshot."""
        if self._hover is None or self._snap is None or self._layout is None:
            return "", ""
        kind, row = self._hover
        explained = self.decor.card(hover_target(self._layout, kind, row))
        if explained is not None:
            return explained
        if kind == "link":
            target = ("weight", *(int(v) for v in self._layout.link_ids[row]))
            return link_card(self._snap, *target[1:], self._current_value(target))
        column, index = self._hover_neuron_of(kind, row)
        bias = self._current_value(("bias", column - 1, index)) if column > 0 else 0.0
        return neuron_card(self._snap, column, index, bias)

    def _hover_neuron_of(self, kind: str, row: int) -> tuple[int, int]:
        lay = self._layout
        if kind == "node":
            return int(lay.node_layer[row]), int(lay.node_index[row])
        return int(lay.bias_ids[row, 0]) + 1, int(lay.bias_ids[row, 1])

    # -- mouse -----------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.view.viewport():
            etype = event.type()
            if etype == QEvent.MouseMove:
                self._mouse = QPointF(event.position())
                self._update_hover()
            elif etype == QEvent.Leave:
                self._mouse = None
                self._update_hover()
            elif etype == QEvent.MouseButtonPress and event.button() == Qt.LeftButton:
                return self._on_click(event)
            elif etype == QEvent.Wheel:
                return self._on_wheel(event)
            elif etype == QEvent.Resize and self._snap is not None:
                self._relayout.start()
        return super().eventFilter(obj, event)

    def _hit(self, pos: QPointF) -> tuple[str, int] | None:
        lay = self._layout
        if lay is None:
            return None
        pt = self.vb.mapSceneToView(self.view.mapToScene(pos.toPoint()))
        x, y = pt.x(), pt.y()
        px = self.vb.viewPixelSize()[0] or 1.0
        b = hit_test_biases(lay.bias_xy, lay.bias_size, x, y, pad=2.0 * px)
        if b >= 0:
            return ("bias", b)
        n = hit_test_nodes(lay.node_xy, lay.node_size, x, y)
        if n >= 0:
            return ("node", n)
        k = hit_test_links(lay.segments, x, y, LINK_TOL_PX * px)
        return ("link", k) if k >= 0 else None

    def _update_hover(self) -> None:
        """Re-hit-test at the last mouse position and refresh highlight, card and signal."""
        hover = self._hit(self._mouse) if self._mouse is not None else None
        self._hover = hover
        lay = self._layout
        if hover is not None and hover[0] == "link":
            self.links.set_highlight(lay.segments[hover[1]], self.decor.link_value(hover[1]), self._width_scale,
                                     self.decor.full_at)
        else:
            self.links.set_highlight(None)
        if hover is not None and hover[0] != "link":
            centre = lay.node_xy[hover[1]] if hover[0] == "node" else lay.bias_xy[hover[1]]
            side = lay.node_size if hover[0] == "node" else lay.bias_size
            self.overlay.set_hover(QRectF(centre[0] - side / 2, centre[1] - side / 2, side, side))
            neuron = self._hover_neuron_of(*hover)
        else:
            self.overlay.set_hover(None)
            neuron = (-1, -1)
        if neuron != self._hovered_neuron:
            self._hovered_neuron = neuron
            self.neuron_hovered.emit(*neuron)
        self._show_card()

    def _show_card(self) -> None:
        plain, rich = self._card_lines()
        if not plain or self._mouse is None or self.inline.is_open():
            self.card.hide()
            return
        self.card.setText(rich)
        self.card.adjustSize()
        anchor = self.view.viewport().mapTo(self, self._mouse.toPoint())
        x, y = anchor.x() + 16, anchor.y() + 16
        if x + self.card.width() > self.width():
            x = anchor.x() - 12 - self.card.width()
        if y + self.card.height() > self.height():
            y = anchor.y() - 12 - self.card.height()
        if self.decor.explain is not None:   # long formula cards: a corner that hides no neuron
            x, y = self.decor.card_spot(self, (x, y), self.card.size())
        self.card.move(max(x, 0), max(y, 0))
        self.card.show()
        self.card.raise_()

    def sizeHint(self) -> QSize:
        return QSize(720, 480)

