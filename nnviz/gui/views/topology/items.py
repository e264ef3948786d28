"""Graphics items of the network graph: links, node pictures, node outlines and bias squares.

Never one item per link: 216 items took ~270 ms to draw, two bucketed ones ~20 ms. All
links live in one `LinksItem` that strokes one list of lines per (colour, width) bucket
into a picture per gap between two columns, redrawn only when a link's bucket changed
and within a time budget per frame (link_pictures.py); all node pictures of a column are
one RGBA `ImageItem`; outlines and bias squares are one `NodesOverlay`. So a frame of a
10k-link network costs a dozen image copies plus what its budget allows.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEngine, QPen

from nnviz.gui.style import palette
from nnviz.gui.views.topology.geometry import GraphLayout
from nnviz.gui.views.topology.link_pictures import LinkPictures

HIGHLIGHT = QColor(30, 30, 30)
OUTLINE = QColor(150, 150, 150)
DEAD = QColor(120, 120, 120)    # a dead link (L1 under the Playground's SGD): grey and dashed


DEAD_KEY = 1000      # the key of a dead link, which no weight has


def link_keys(weights: np.ndarray, dead: np.ndarray | None = None) -> np.ndarray:
    """(M,) weights -> (M,) int64 steps -36..36, the quantised weight a link is drawn with
    (DEAD_KEY where dead (M,) bool is set).

    Colour and width both follow w, so w itself is quantised: to 1/16 within [-1, 1]
    (where the colour changes; width steps of 0.11 px) and to 0.2 beyond (only the width
    changes, 0.36 px steps) up to 5: the sign times the step. Links of equal keys look
    the same, so a picture drawn for some keys stays exact while they do not change.
    """
    w = np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0, posinf=1e6, neginf=-1e6)  # (M,)
    mag = np.minimum(np.abs(w), 5.0)
    steps = np.where(mag <= 1.0, np.round(mag * 16), 16 + np.round((mag - 1.0) * 5))   # 0..36
    keys = (np.sign(w) * steps).astype(np.int64)
    if dead is not None:
        keys[np.asarray(dead, dtype=bool)] = DEAD_KEY
    return keys


def key_buckets(keys: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """Group links by key: [(colour value, |w| for the width, indices)], thinnest first
    (so thick links are on top); at most 73 buckets whatever the network size."""
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


def link_buckets(weights: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """Group links by quantised weight (link_keys): [(colour value, |w| for the width, indices)]."""
    return key_buckets(link_keys(weights))


def _pen(rgb: tuple[int, int, int] | QColor, width: float, dashed: bool = False) -> QPen:
    pen = QPen(QColor(*rgb) if isinstance(rgb, tuple) else rgb)
    pen.setWidthF(width)
    pen.setCosmetic(True)           # widths are pixels, as the Playground's, whatever the zoom
    pen.setCapStyle(Qt.FlatCap)     # so links end at the node edges
    if dashed:
        pen.setDashPattern([3.0, 3.0])   # in widths: short dashes, unlike any live link
    return pen


class LinksItem(pg.GraphicsObject):
    """Every link of the graph, as pictures per gap (link_pictures.py), plus the hovered one
    on top. Exported as SVG, the links are strokes, not pictures."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._highlight: tuple[QPen, QPen, QPainterPath] | None = None
        self._pens: dict[tuple[float, float], QPen] = {}
        self._width_scale = 1.0
        self._gain = 1.0              # width gain: 5 / the magnitude drawn at the full 10 px
        self._layout: GraphLayout | None = None
        self._keys = np.zeros(0, dtype=np.int64)
        self._device_scale = 1.0      # device pixels per scene unit, as last painted
        self.pictures = LinkPictures()
        # While training plays, links are redrawn only within each frame's budget; paused,
        # a timer finishes the picture between events (the view sets `settle`).
        self.settle = True
        self._catch_up = QTimer(self, singleShot=True, interval=0)
        self._catch_up.timeout.connect(self._redraw)

    def _pen_for(self, colour: float, width: float) -> QPen:
        pen = self._pens.get((colour, width))
        if pen is None:
            if len(self._pens) > 1000:   # width scales come and go with window sizes
                self._pens.clear()
            pen = self._pens[(colour, width)] = _pen(palette.rgb(colour), width)
        return pen

    def _buckets(self, keys: np.ndarray) -> list[tuple[QPen, np.ndarray]]:
        """(pen, indices into keys) per bucket in drawing order: dead links first, in one
        dashed grey bucket under the rest, then the live ones, thinnest first."""
        dead = keys == DEAD_KEY
        out = []
        if dead.any():
            out.append((_pen(DEAD, max(1.5 * self._width_scale, 1.0), dashed=True), np.flatnonzero(dead)))
        live = np.flatnonzero(~dead)
        out += [(self._pen_for(colour, palette.link_width(mag * self._gain) * self._width_scale), live[idx])
                for colour, mag, idx in key_buckets(keys[live])]
        return out

    def strokes(self) -> list[tuple[QPen, list[QLineF]]]:
        """(pen, lines) of every link as drawn, gap by gap, for the current weights."""
        return [(pen, [gap.lines[i] for i in idx]) for gap in self.pictures.gaps
                for pen, idx in self._buckets(self._keys[gap.rows])]

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
        self._layout, self._keys, self._width_scale = layout, link_keys(weights, dead), width_scale
        self._gain = 5.0 / full_at
        self._redraw()

    def _redraw(self) -> None:
        if self._layout is None:
            return
        look = (self._width_scale, self._gain, self._device_scale)
        self.pictures.set_keys(self._layout, self._keys, look)
        if self.pictures.redraw(self._buckets) and self.settle:
            self._catch_up.start()
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
        engine = painter.paintEngine()
        if engine is not None and engine.type() not in (QPaintEngine.Raster, QPaintEngine.OpenGL2):
            self.pictures.draw_lines(painter, self._buckets)     # a vector page: strokes
        else:
            t, device = painter.combinedTransform(), painter.device()
            dpr = device.devicePixelRatioF() if device is not None else 1.0
            scale = round(min(max(math.hypot(t.m11(), t.m12()) * dpr, 0.1), 8.0), 3)   # device px a unit
            if scale != self._device_scale:     # pictures for another size: redo them soon
                self._device_scale = scale
                self._catch_up.start()          # (while playing, the next frame would anyway)
            self.pictures.blit(painter)
        if self._highlight is not None:
            painter.setRenderHint(QPainter.Antialiasing)
            casing, pen, path = self._highlight
            for p in (casing, pen):
                painter.setPen(p)
                painter.drawPath(path)


class NodesOverlay(pg.GraphicsObject):
    """Node outlines, bias squares (filled with the bias colour) and the hover outline.

    The fills are one small image per column (made with numpy, like the node pictures)
    and the outlines one drawRects call: 330 squares of a 10 x 32 network were 660 painter
    calls, 3 ms of every frame, before.
    """

    def __init__(self) -> None:
        super().__init__()
        self._layout: GraphLayout | None = None
        self._outlines: list[QRectF] = []
        self._fills: list[tuple[QRectF, QImage, np.ndarray]] = []    # target, image, its buffer
        self._bias_rgb: np.ndarray | None = None
        self._hover_rect: QRectF | None = None

    def set_layout(self, layout: GraphLayout) -> None:
        self.prepareGeometryChange()
        self._layout = layout
        s, b = layout.node_size, layout.bias_size
        self._outlines = ([QRectF(x - s / 2, y - s / 2, s, s) for x, y in layout.node_xy]
                          + [QRectF(x - b / 2, y - b / 2, b, b) for x, y in layout.bias_xy])
        self._fills = []
        self._bias_rgb = None
        self._hover_rect = None
        self.set_biases(np.zeros(len(layout.bias_xy)))

    def set_biases(self, biases: np.ndarray) -> None:
        """biases: (B,) in the order of layout.bias_xy; repainted only if a colour changed."""
        lay = self._layout
        words = palette.LUT_ARGB[palette.lut_index(biases)]                # (B,) ARGB32
        if lay is None or (self._bias_rgb is not None and np.array_equal(words, self._bias_rgb)):
            return
        self._bias_rgb = words
        b, px = lay.bias_size, max(int(round(lay.bias_size)), 1)
        self._fills = []
        for c in range(1, len(lay.layer_sizes)):
            rows = slice(lay.node_start[c] - lay.node_start[1], lay.node_start[c + 1] - lay.node_start[1])
            ys = lay.bias_xy[rows, 1]                                      # (n,) centres, top to bottom
            top = float(ys[0]) - b / 2
            offsets = np.round((ys - ys[0]) * px / b).astype(np.int64)     # (n,) first row of each square
            canvas = np.zeros((offsets[-1] + px, px), np.uint32)           # ARGB32, transparent between
            canvas[offsets[:, None] + np.arange(px)] = words[rows][:, None, None]
            image = QImage(canvas.data, px, canvas.shape[0], 4 * px, QImage.Format_ARGB32_Premultiplied)
            x = float(lay.bias_xy[rows.start, 0]) - b / 2
            self._fills.append((QRectF(x, top, b, canvas.shape[0] * b / px), image, canvas))
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
        for target, image, _ in self._fills:
            painter.drawImage(target, image)
        painter.setPen(_pen(OUTLINE, 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRects(self._outlines)
        if self._hover_rect is not None:
            painter.setPen(_pen(HIGHLIGHT, 2.0))
            painter.drawRect(self._hover_rect)


class NodeImages(pg.GraphicsObject):
    """Every node picture, one RGBA image per column, painted by one item.

    Pictures are sampled (nearest) to about one pixel per scene unit, so a 12-px node of a
    32-neuron layer costs 12 x 12 pixels, not 100 x 100; all columns are coloured in one
    pass, and the images are QImages over numpy buffers, drawn as they are (a pyqtgraph
    ImageItem per column converted and drew them again each frame: 5 ms of a 10 x 32
    network's frame). Gaps between nodes stay transparent.
    """

    def __init__(self, viewbox: pg.ViewBox) -> None:
        super().__init__()
        self.setZValue(1)
        viewbox.addItem(self)
        self._layout: GraphLayout | None = None
        self._columns: list[tuple[QRectF, QImage, np.ndarray]] = []   # target, image, its buffer
        self._plan_key: tuple | None = None
        self._plan_cols: list[tuple] = []

    def set_layout(self, layout: GraphLayout) -> None:
        self.prepareGeometryChange()
        self._layout = layout
        self._columns = []
        self.update()

    def boundingRect(self) -> QRectF:
        lay = self._layout
        return QRectF() if lay is None else QRectF(0, 0, lay.width, lay.height)

    def _plan(self, lay: GraphLayout, g: int) -> list[tuple]:
        """Per column, made once per layout and grid size: the grid samples of a picture
        (px * px,), where each node's rows go in its canvas (n, px), the canvas (H, px)
        of Qt ARGB32 words with the QImage over it, and the target rectangle."""
        if self._plan_key is None or self._plan_key[0] is not lay or self._plan_key[1] != g:
            s, p = lay.node_size, lay.pitch
            px = int(np.clip(round(s), 4, 100))                       # picture side in pixels
            idx = (np.arange(px) * g) // px                           # (px,) nearest sample
            flat = ((g - 1 - idx)[:, None] * g + idx[None, :]).ravel()   # row 0 = top (y = +6)
            plan = []
            for c, n in enumerate(lay.layer_sizes):
                offsets = np.round(np.arange(n) * p * px / s).astype(np.int64)   # (n,) top row of each node
                # transparent between nodes; the nodes' pixels opaque, so premultiplied as they are
                canvas = np.zeros((offsets[-1] + px, px), np.uint32)
                image = QImage(canvas.data, px, canvas.shape[0], 4 * px, QImage.Format_ARGB32_Premultiplied)
                target = QRectF(lay.column_x[c] - s / 2, lay.column_top(c), s, canvas.shape[0] * s / px)
                plan.append((n, flat, offsets[:, None] + np.arange(px), canvas, image, target))
            self._plan_key, self._plan_cols = (lay, g), plan
        return self._plan_cols

    def set_pictures(self, grid: tuple[np.ndarray, ...], output_kind: str = "tanh_mse") -> None:
        """grid[c]: (n_c, G, G) outputs, [neuron, iy, ix] with iy = 0 at the bottom."""
        lay = self._layout
        if lay is None or len(grid) != len(lay.layer_sizes):
            return
        plan = self._plan(lay, grid[0].shape[1])
        last = len(plan) - 1
        samples = []
        for c, ((n, flat, *_), pics) in enumerate(zip(plan, grid)):
            if pics.shape[0] != n:
                return
            if c == 0:     # inputs are scaled by their largest magnitude over the whole grid
                pics = palette.picture_values(pics, c, last, output_kind)
            sampled = pics.reshape(n, -1)[:, flat]                          # (n, px * px)
            samples.append(sampled if c == 0 else palette.picture_values(sampled, c, last, output_kind))
        colours = palette.LUT_ARGB[palette.lut_index(np.concatenate(samples))]   # (nodes, px * px)
        first = 0
        for n, flat, rows, canvas, _, _ in plan:
            canvas[rows] = colours[first:first + n].reshape(n, rows.shape[1], rows.shape[1])
            first += n
        self._columns = [(target, image, canvas) for _, _, _, canvas, image, target in plan]
        self.update()

    def paint(self, painter: QPainter, *args) -> None:
        for target, image, _ in self._columns:
            painter.drawImage(target, image)
