"""Graphics items of the network graph: links, node pictures, node outlines and bias squares.

Never one item per link: 216 items took ~270 ms to draw, two bucketed ones ~20 ms. All
links live in one `LinksItem` that draws one list of lines per (colour, width) bucket;
all node pictures of a column are one RGBA `ImageItem`; outlines and bias squares are one
`NodesOverlay`. So a 10k-link network is a few dozen drawLines calls and a dozen images,
whatever its size.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from nnviz.gui.style import palette
from nnviz.gui.views.topology.geometry import GraphLayout

HIGHLIGHT = QColor(30, 30, 30)
OUTLINE = QColor(150, 150, 150)
DEAD = QColor(120, 120, 120)    # a dead link (L1 under the Playground's SGD): grey and dashed


def link_buckets(weights: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """Group links by quantised weight: [(colour value, |w| for the width, indices)].

    Colour and width both follow w, so w itself is quantised: to 1/16 within [-1, 1]
    (where the colour changes; width steps of 0.11 px) and to 0.2 beyond (only the width
    changes, 0.36 px steps) up to 5. That is at most 73 buckets whatever the network
    size, each stroked as one path. Thin buckets come first so thick links are on top.
    """
    w = np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0, posinf=1e6, neginf=-1e6)  # (M,)
    mag = np.minimum(np.abs(w), 5.0)
    steps = np.where(mag <= 1.0, np.round(mag * 16), 16 + np.round((mag - 1.0) * 5))   # 0..36
    keys = (np.sign(w) * steps).astype(np.int64)                                       # -36..36
    uniq, inv = np.unique(keys, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(inv, minlength=uniq.size))[:-1])
    out = []
    for k, g in zip(uniq, groups):
        q = abs(int(k))
        level = q / 16.0 if q <= 16 else 1.0 + (q - 16) / 5.0     # representative |w|
        value = level if k >= 0 else -level
        out.append((float(np.clip(value, -1.0, 1.0)), level, g))
    out.sort(key=lambda b: b[1])
    return out


def _pen(rgb: tuple[int, int, int] | QColor, width: float, dashed: bool = False) -> QPen:
    pen = QPen(QColor(*rgb) if isinstance(rgb, tuple) else rgb)
    pen.setWidthF(width)
    pen.setCosmetic(True)           # widths are pixels, as the Playground's, whatever the zoom
    pen.setCapStyle(Qt.FlatCap)     # so links end at the node edges
    if dashed:
        pen.setDashPattern([3.0, 3.0])   # in widths: short dashes, unlike any live link
    return pen


class LinksItem(pg.GraphicsObject):
    """Every link of the graph, drawn bucket by bucket, plus the hovered one on top.

    The QLineF of each link is made once per layout and the pen once per bucket key, so a
    new frame only regroups the lines (about 1 ms for the 6 x 8 network, not 6).
    """

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._buckets: list[tuple[QPen, list[QLineF]]] = []
        self._highlight: tuple[QPen, QPen, QPainterPath] | None = None
        self._lines_of: GraphLayout | None = None
        self._lines: list[QLineF] = []
        self._pens: dict[tuple[float, float], QPen] = {}

    def _pen_for(self, colour: float, width: float) -> QPen:
        pen = self._pens.get((colour, width))
        if pen is None:
            if len(self._pens) > 1000:   # width scales come and go with window sizes
                self._pens.clear()
            pen = self._pens[(colour, width)] = _pen(palette.rgb(colour), width)
        return pen

    def set_links(self, layout: GraphLayout, weights: np.ndarray, width_scale: float,
                  dead: np.ndarray | None = None, full_at: float = 5.0) -> None:
        """weights: (M,) in the order of layout.segments; dead (M,) bool marks links that
        no longer train: drawn in one dashed grey bucket of their own, under the rest.
        full_at: the magnitude drawn at the full 10 px (5 for weights, as the Playground;
        1 for values already scaled into [-1, 1], such as gradients)."""
        rect = QRectF(0, 0, layout.width, layout.height)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        if layout is not self._lines_of:
            self._lines = [QLineF(*map(float, s)) for s in layout.segments]
            self._lines_of = layout
        lines = self._lines
        live = np.arange(len(lines)) if dead is None or not np.any(dead) else np.flatnonzero(~dead)
        gain = 5.0 / full_at
        self._buckets = [(self._pen_for(colour, palette.link_width(mag * gain) * width_scale),
                          [lines[live[i]] for i in idx])
                         for colour, mag, idx in link_buckets(np.asarray(weights)[live])]
        if len(live) < len(lines):
            self._buckets.insert(0, (_pen(DEAD, max(1.5 * width_scale, 1.0), dashed=True),
                                     [lines[i] for i in np.flatnonzero(dead)]))
        self.update()

    def set_highlight(self, segment: np.ndarray | None, weight: float = 0.0, width_scale: float = 1.0,
                      full_at: float = 5.0) -> None:
        """Draw one link (x0, y0, x1, y1) emphasised: a dark casing under its own colour."""
        if segment is None:
            self._highlight = None
        else:
            path = QPainterPath()
            path.moveTo(float(segment[0]), float(segment[1]))
            path.lineTo(float(segment[2]), float(segment[3]))
            width = max(palette.link_width(weight * 5.0 / full_at) * width_scale, 2.0)
            self._highlight = (_pen(HIGHLIGHT, width + 3.0), _pen(palette.rgb(weight), width), path)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        for pen, lines in self._buckets:
            painter.setPen(pen)
            painter.drawLines(lines)
        if self._highlight is not None:
            casing, pen, path = self._highlight
            for p in (casing, pen):
                painter.setPen(p)
                painter.drawPath(path)


class NodesOverlay(pg.GraphicsObject):
    """Node outlines, bias squares (filled with the bias colour) and the hover outline."""

    def __init__(self) -> None:
        super().__init__()
        self._layout: GraphLayout | None = None
        self._outlines = QPainterPath()
        self._bias_rects: list[QRectF] = []
        self._bias_colours: list[QColor] = []
        self._hover_rect: QRectF | None = None

    def set_layout(self, layout: GraphLayout) -> None:
        self.prepareGeometryChange()
        self._layout = layout
        s, b = layout.node_size, layout.bias_size
        self._outlines = QPainterPath()
        for x, y in layout.node_xy:
            self._outlines.addRect(QRectF(x - s / 2, y - s / 2, s, s))
        self._bias_rects = [QRectF(x - b / 2, y - b / 2, b, b) for x, y in layout.bias_xy]
        self._bias_colours = [QColor(*palette.GREY)] * len(self._bias_rects)
        self._hover_rect = None
        self.update()

    def set_biases(self, biases: np.ndarray) -> None:
        """biases: (B,) in the order of layout.bias_xy."""
        self._bias_colours = [QColor(int(r), int(g), int(b)) for r, g, b in palette.rgb_array(biases)]
        self.update()

    def set_hover(self, rect: QRectF | None) -> None:
        self._hover_rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        if self._layout is None:
            return QRectF()
        return QRectF(0, 0, self._layout.width, self._layout.height)

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(_pen(OUTLINE, 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._outlines)
        for rect, colour in zip(self._bias_rects, self._bias_colours):
            painter.fillRect(rect, colour)
            painter.drawRect(rect)
        if self._hover_rect is not None:
            painter.setPen(_pen(HIGHLIGHT, 2.0))
            painter.drawRect(self._hover_rect)


class NodeImages:
    """One RGBA ImageItem per column holding every node picture of that column.

    Pictures are sampled (nearest) to about one pixel per scene unit, so a 12-px node of a
    32-neuron layer costs 12 x 12 pixels, not 100 x 100. Gaps between nodes stay transparent.
    """

    def __init__(self, viewbox: pg.ViewBox) -> None:
        self._vb = viewbox
        self._items: list[pg.ImageItem] = []
        self._layout: GraphLayout | None = None

    def set_layout(self, layout: GraphLayout) -> None:
        self._layout = layout
        while len(self._items) < len(layout.layer_sizes):
            item = pg.ImageItem(axisOrder="col-major")
            item.setZValue(1)
            self._vb.addItem(item)
            self._items.append(item)
        for k, item in enumerate(self._items):
            item.setVisible(k < len(layout.layer_sizes))

    def set_pictures(self, grid: tuple[np.ndarray, ...], output_kind: str = "tanh_mse") -> None:
        """grid[c]: (n_c, G, G) outputs, [neuron, iy, ix] with iy = 0 at the bottom."""
        lay = self._layout
        if lay is None:
            return
        s, p = lay.node_size, lay.pitch
        px = int(np.clip(round(s), 4, 100))                  # picture side in pixels
        for c, n in enumerate(lay.layer_sizes):
            pics = grid[c] if c < len(grid) else np.zeros((n, 1, 1), np.float32)
            if pics.shape[0] != n:
                pics = np.zeros((n, 1, 1), np.float32)
            pics = palette.picture_values(pics, c, len(lay.layer_sizes) - 1, output_kind)
            g = pics.shape[1]
            idx = (np.arange(px) * g) // px                       # (px,) nearest sample
            sampled = pics[:, ::-1, :][:, idx][:, :, idx]         # (n, px, px), row 0 = top (y = +6)
            offsets = np.round(np.arange(n) * p * px / s).astype(np.int64)   # (n,) top row of each node
            canvas = np.zeros((offsets[-1] + px, px, 4), np.uint8)           # (H, px, RGBA) row-major
            rows = offsets[:, None] + np.arange(px)                          # (n, px)
            canvas[rows, :, :3] = palette.rgb_array(sampled)
            canvas[rows, :, 3] = 255
            item = self._items[c]
            item.setImage(canvas.transpose(1, 0, 2), autoLevels=False)      # col-major: [x, y, c]
            item.setRect(QRectF(lay.column_x[c] - s / 2, lay.column_top(c), s, canvas.shape[0] * s / px))
