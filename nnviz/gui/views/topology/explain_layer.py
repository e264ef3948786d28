"""What the network graph draws beyond weights: link colouring modes, and an explained step.

Link colouring (any time): weight (the Playground's), the last gradient, the last update
or the optimiser's velocity. All but weight are scaled by their largest magnitude, so the
largest link is drawn at full colour and 10 px; the legend under the graph says which
quantity is shown and at what size a link is full.

An explained step (core/learn/explain.py) takes over the links and adds numbers: in each
stage the links show that stage's quantity (contribution w·a, gradient, update), every
neuron its numbers (z and a, δ, Δb), every neuron picture a cross where the point lies,
and hovering an item shows its formula card (core/learn/update_cards.py).

Kept apart from view.py so the graph's own code stays about drawing and editing.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

from nnviz.core.learn.explain import Explanation, stage_link_values
from nnviz.core.learn.formulas import Card
from nnviz.core.learn.update_cards import card_for
from nnviz.core.snapshot import Snapshot
from nnviz.gui.views.topology.geometry import GraphLayout

LINK_MODES = {"weight": "Weight", "gradient": "Last gradient", "update": "Last update", "velocity": "Velocity"}
MINUS = "\u2212"
MIN_NODE_FOR_NUMBERS = 14.0    # scene units (~px): smaller nodes get no numbers, only cards
ROOM_PX = 76                   # kept free right of the outputs for their numbers in an explained step
WRAP = 64                      # characters of an equation line on a card before it wraps


def short(x: float) -> str:
    """A number for a label on the graph: 3 significant digits, a true minus."""
    return f"{x:.3g}".replace("-", MINUS) if math.isfinite(x) else "nan"


def mode_values(snap: Snapshot, mode: str) -> tuple[np.ndarray, float, str]:
    """(M,) link values for a colouring mode, the magnitude drawn full, and the legend."""
    if mode == "weight":
        values = np.concatenate([np.asarray(w, float).ravel() for w in snap.weights])
        return values, 5.0, "Links: weight \u00b7 orange \u2212, blue + \u00b7 10 px at |w| = 5"
    source = {"gradient": snap.grad_weights, "update": snap.last_update, "velocity": snap.velocity}[mode]
    n = sum(np.asarray(w).size for w in snap.weights)
    if len(source) != len(snap.weights):
        reason = (f"{snap.config.optimizer} keeps no velocity" if mode == "velocity" else "no update yet")
        return np.zeros(n), 1.0, f"Links: {LINK_MODES[mode].lower()} \u00b7 {reason}"
    values = np.concatenate([np.asarray(v, float).ravel() for v in source])
    what = {"gradient": "last gradient \u2202L/\u2202w", "update": "last update \u0394w",
            "velocity": "Adam's first moment m" if snap.config.optimizer == "adam" else "momentum velocity v"}[mode]
    return _scaled(values, f"Links: {what}")


def _scaled(values: np.ndarray, what: str) -> tuple[np.ndarray, float, str]:
    """Values divided by their largest finite magnitude, with the legend saying that size."""
    finite = np.abs(values[np.isfinite(values)])
    peak = float(finite.max()) if finite.size else 0.0
    if peak == 0.0:
        return np.zeros_like(values), 1.0, f"{what} \u00b7 all 0"
    return values / peak, 1.0, f"{what} \u00b7 full at \u00b1{short(peak)}"


def card_html(card: Card) -> str:
    """Rich text of a formula card: title, the rule in grey, equations wrapped at sums."""
    def wrap(line: str) -> str:
        if len(line) <= WRAP:
            return line
        out, width = [], 0
        for k, piece in enumerate(line.split(" + ")):
            if k and width + len(piece) > WRAP:
                out.append("<br>&nbsp;&nbsp;&nbsp;&nbsp;+ " + piece)
                width = len(piece) + 6
            else:
                out.append((" + " if k else "") + piece)
                width += len(piece) + 3
        return "".join(out)

    rows = [f"<b>{card.title}</b>"]
    rows += [f"<span style='color:#777'><i>{f}</i></span>" for f in card.formula]
    rows += [wrap(e.text()) for e in card.equations]
    rows += [f"<span style='color:#777'>{n}</span>" for n in card.notes]
    return "<br>".join(rows)


class NumbersOverlay(pg.GraphicsObject):
    """Numbers beside the neurons and a cross on every neuron picture at the point's place.

    Painted in device pixels (the painter's transform is reset per label), so the text keeps
    its size whatever the graph's scale, and one item draws every label.
    """

    def __init__(self) -> None:
        super().__init__()
        self._layout: GraphLayout | None = None
        self._room = 0.0                              # scene units right of the layout, in view
        self._labels: list[tuple[int, str]] = []      # (node row, text with \n)
        self._point: tuple[float, float] | None = None
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self.left_out = 0                             # labels the last paint found no room for
        self.boxes: list[QRectF] = []                 # where the last paint put the labels, device px

    def set_layout(self, layout: GraphLayout, room: float = 0.0) -> None:
        self.prepareGeometryChange()
        self._layout, self._room = layout, float(room)
        self.update()

    def set_content(self, labels: list[tuple[int, str]], point: tuple[float, float] | None) -> None:
        self._labels, self._point = labels, point
        self.update()

    def boundingRect(self) -> QRectF:
        lay = self._layout
        return QRectF() if lay is None else QRectF(0, 0, lay.width + self._room, lay.height)

    def paint(self, painter: QPainter, *args) -> None:
        lay = self._layout
        if lay is None:
            return
        s = lay.node_size
        if self._point is not None:
            x, y = self._point
            pen = QPen(QColor(20, 20, 20))
            pen.setWidthF(1.5 if s >= 24 else 1.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            arm = max(min(s * 0.12, 5.0), 2.0)
            for cx, cy in lay.node_xy.tolist():         # the picture spans [-6, 6]^2, y up
                px, py = cx + x / 12.0 * s, cy - y / 12.0 * s
                painter.drawLine(QPointF(px - arm, py), QPointF(px + arm, py))
                painter.drawLine(QPointF(px, py - arm), QPointF(px, py + arm))
        if not self._labels:
            self.left_out, self.boxes = 0, []
            return
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        metrics = QFontMetricsF(self._font)
        line_h = metrics.height()
        bounds = QRectF(to_device.map(QPointF(0.0, 0.0)), to_device.map(QPointF(lay.width + self._room, lay.height)))
        b = lay.bias_size
        taken = [QRectF(to_device.map(QPointF(cx - d / 2 - 1, cy - d / 2 - 1)),
                        to_device.map(QPointF(cx + d / 2 + 1, cy + d / 2 + 1)))
                 for xy, d in ((lay.node_xy, s), (lay.bias_xy, b)) for cx, cy in xy.tolist()]   # neurons, biases
        top = min(lay.column_top(c) for c in range(len(lay.layer_sizes)))
        taken.append(QRectF(to_device.map(QPointF(0.0, top - 30.0)),              # the column headers
                            to_device.map(QPointF(lay.width + self._room, top - 1.0))))
        for cx, cy in lay.node_xy[:lay.layer_sizes[0]].tolist():                   # the feature names
            taken.append(QRectF(to_device.map(QPointF(0.0, cy - s / 2)), to_device.map(QPointF(cx - s / 2, cy + s / 2))))
        self.left_out, self.boxes = 0, []
        for row, text in self._labels:
            full = text.split("\n")
            # too tight for every line: the activation alone (or the first line), then nothing
            for lines in (full, [next((t for t in full if t.startswith("a ")), full[0])]):
                box = self._place(lay, row, to_device, max(metrics.horizontalAdvance(t) for t in lines) + 6,
                                  line_h * len(lines) + 2, bounds, taken)
                if box is not None:
                    break
            if box is None:          # no room anywhere: the neuron's card still has its numbers
                self.left_out += 1
                continue
            taken.append(box)
            self.boxes.append(box)
            painter.fillRect(box, QColor(255, 255, 255, 225))
            painter.setPen(QColor(40, 40, 40))
            for k, t in enumerate(lines):
                painter.drawText(QPointF(box.x() + 3, box.y() + 1 + metrics.ascent() + k * line_h), t)
        if self.left_out:
            painter.setPen(QColor(120, 120, 120))
            painter.drawText(QPointF(bounds.left() + 4, bounds.bottom() - 4),
                             f"{self.left_out} number{'s' if self.left_out > 1 else ''} left out for room: "
                             "hover a neuron for its card")
        painter.restore()

    @staticmethod
    def _place(lay: GraphLayout, row: int, to_device, w: float, h: float, bounds: QRectF,
               taken: list[QRectF]) -> QRectF | None:
        """A box (device pixels) for a label of node `row`: right of it, else left of it,
        below or above it; the first that stays in view and covers no neuron or other label."""
        s = lay.node_size
        cx, cy = (float(v) for v in lay.node_xy[row])
        top_left = to_device.map(QPointF(cx - s / 2, cy - s / 2))
        bottom_right = to_device.map(QPointF(cx + s / 2, cy + s / 2))
        for x, y in ((bottom_right.x() + 3, top_left.y()), (top_left.x() - 3 - w, top_left.y()),
                     (top_left.x(), bottom_right.y() + 2), (top_left.x(), top_left.y() - 2 - h)):
            box = QRectF(x, y, w, h)
            if bounds.contains(box) and not any(box.intersects(t) for t in taken):
                return box
        return None


class ExplainDecor(QObject):
    """The graph's link colouring mode and explained-step layer, with the legend under it.

    Signals:
        mode_changed(str): the user picked a link colouring (a key of LINK_MODES).
    """

    mode_changed = Signal(str)

    def __init__(self, viewbox: pg.ViewBox, parent: QWidget) -> None:
        super().__init__(parent)
        self.overlay = NumbersOverlay()
        self.overlay.setZValue(4)
        viewbox.addItem(self.overlay)
        self.mode = "weight"
        self.explain: tuple[Explanation, tuple[str, int], int, bool] | None = None
        self.values = np.zeros(0)         # (M,) what the links show now (scaled)
        self.full_at = 5.0
        self.bar = QWidget(parent)
        lay = QHBoxLayout(self.bar)
        lay.setContentsMargins(6, 0, 6, 2)
        self.legend = QLabel()
        self.legend.setStyleSheet("color: #555; font-size: 11px;")
        self.legend.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # never widens the graph
        self.combo = QComboBox()
        for key, label in LINK_MODES.items():
            self.combo.addItem(label, key)
        self.combo.setToolTip("What the links' colour and width show")
        self.combo_label = QLabel("Links:")
        lay.addWidget(self.legend, 1)
        lay.addWidget(self.combo_label)
        lay.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(lambda i: self._picked(self.combo.itemData(i)))

    def _picked(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.mode_changed.emit(mode)

    def set_mode(self, mode: str) -> None:
        """Show links by `mode` (a key of LINK_MODES); the view repaints on mode_changed."""
        if mode not in LINK_MODES:
            raise ValueError(f"link mode must be one of {tuple(LINK_MODES)}")
        self.combo.setCurrentIndex(list(LINK_MODES).index(mode))   # emits mode_changed once

    def link_values(self, snap: Snapshot) -> tuple[np.ndarray, float]:
        """(M,) values for the links now and the magnitude drawn full; updates the legend."""
        if self.explain is not None and tuple(self.explain[0].layer_sizes) == tuple(snap.layer_sizes):
            exp, stage, row, average = self.explain
            raw, name = stage_link_values(exp, stage, row, average)
            values, full_at, legend = _scaled(raw, f"Links: {name}")
            self.combo.setEnabled(False)
        else:
            values, full_at, legend = mode_values(snap, self.mode)
            self.combo.setEnabled(True)
        self.values, self.full_at = values, full_at
        self.legend.setText(legend)
        self.legend.setToolTip(legend)
        return values, full_at

    def link_value(self, row: int) -> float:
        return float(self.values[row]) if 0 <= row < self.values.size else 0.0

    def card(self, target: tuple) -> tuple[str, str] | None:
        """(plain, rich) formula card of a hovered item in the explained step, else None.
        target: ("node", column, j), ("link", layer, dst, src) or ("bias", layer, j)."""
        if self.explain is None:
            return None
        exp, stage, row, average = self.explain
        try:
            card = card_for(exp, stage, target, row, average)
        except IndexError:          # a Snapshot of another network is on screen
            return None
        return card.text(), card_html(card)

    def room(self) -> int:
        """Pixels the graph keeps free right of its outputs: their numbers go there."""
        return ROOM_PX if self.explain is not None else 0

    def card_spot(self, view: QWidget, near: tuple[int, int], size) -> tuple[int, int]:
        """Where a formula card goes: beside the mouse (`near`, view pixels) unless it would hide
        a neuron; then the first corner of the graph that hides none (there is room above
        and below a network that is wider than tall); else beside the mouse after all."""
        lay = getattr(view, "graph_layout", None)
        if lay is None:
            return near
        w, h = size.width(), size.height()
        s = lay.node_size
        nodes = []
        for cx, cy in lay.node_xy.tolist():
            a, b = view.view_point(cx - s / 2, cy - s / 2), view.view_point(cx + s / 2, cy + s / 2)
            vp = view.view.viewport()
            a, b = vp.mapTo(view, a), vp.mapTo(view, b)
            nodes.append(QRectF(QPointF(a), QPointF(b)).normalized())
        bottom = view.decor.bar.y() if view.decor.bar.isVisible() else view.height()
        spots = [near, (4, 4), (4, bottom - h - 4), (view.width() - w - 4, 4), (view.width() - w - 4, bottom - h - 4)]
        for x, y in spots:
            rect = QRectF(x, y, w, h)
            if x >= 0 and y >= 0 and not any(rect.intersects(n) for n in nodes):
                return x, y
        return near

    def render(self, layout: GraphLayout) -> None:
        """The numbers and point crosses of the explained step (nothing outside one)."""
        if self.explain is None or tuple(self.explain[0].layer_sizes) != tuple(layout.layer_sizes):
            self.overlay.set_content([], None)
            return
        exp, stage, row, average = self.explain
        labels = node_labels(exp, stage, row, average) if layout.node_size >= MIN_NODE_FOR_NUMBERS else []
        rows = [(int(layout.node_start[c] + j), text) for c, j, text in labels]
        self.overlay.set_content(rows, tuple(float(v) for v in exp.xy[row]))


def hover_target(layout: GraphLayout, kind: str, row: int) -> tuple:
    """A hovered item ("link" | "node" | "bias", row in the layout) as the cards name it."""
    if kind == "link":
        return ("link", *(int(v) for v in layout.link_ids[row]))
    if kind == "bias":
        return ("bias", *(int(v) for v in layout.bias_ids[row]))
    return ("node", int(layout.node_layer[row]), int(layout.node_index[row]))


def node_labels(exp: Explanation, stage: tuple[str, int], row: int, average: bool) -> list[tuple[int, int, str]]:
    """(column, neuron, text) for every neuron with a number in this stage."""
    phase, col = stage
    L = exp.n_layers
    out = []
    for c in range(L + 1):
        for j in range(exp.layer_sizes[c]):
            if phase in ("forward", "loss"):
                if c == 0:
                    out.append((c, j, short(exp.inputs[row, j])))
                elif c <= col:
                    text = f"z {short(exp.z[c][row, j])}\na {short(exp.a[c][row, j])}"
                    if phase == "loss" and c == L:
                        text += f"\nt {short(exp.targets[row, j])}" + (f"\nL {short(exp.loss[row])}" if j == 0 else "")
                    out.append((c, j, text))
            elif phase == "backward":
                if c >= col or (c == 0 and col == 1):
                    if c == 0:
                        out.append((c, j, f"\u2202L/\u2202x {short(exp.delta[0][row, j])}"))
                    elif average:
                        out.append((c, j, f"\u03b4 avg {short(exp.mean_grad_biases[c - 1][j])}"))
                    else:
                        out.append((c, j, f"\u03b4 {short(exp.delta[c][row, j])}"))
            elif c > 0:
                out.append((c, j, f"\u0394b {short(exp.update_biases[c - 1][j])}"))
    return out
