"""The decision surface over [-6, 6]^2 with the data points on top (the Playground's big panel).

Painting is kept cheap because it runs up to 60 times a second while training: one
ImageItem and three ScatterPlotItems are created once and only fed new arrays (recreating
pyqtgraph items every frame is what makes plots slow); the scatters are refilled only
when their data actually changed.

Above the plot, the drawing row (toolbar.py) turns on drawing points by hand; the strokes
themselves are drawing.py's. The view only emits requests for them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from nnviz.core.snapshot import Snapshot
from nnviz.gui.style import palette, pictures
from nnviz.gui.style.panels import Repaint
from nnviz.gui.style.plot_menus import adopt_plot_menus
from nnviz.gui.views.surface.drawing import StrokeTool
from nnviz.gui.views.surface.holder import Holder
from nnviz.gui.views.surface.pointer import _CELL, EXTENT, PointerMixin
from nnviz.gui.views.surface.toolbar import DrawBar

POINT_SIZE = 7
HIGHLIGHT_SIZE = 15
SURFACE_ALPHA = 160 / 255                      # the Playground paints its surface at alpha 160 on white


def _key(a: np.ndarray) -> tuple:
    """A cheap, exact fingerprint of an array (20 KB hashes in ~20 us)."""
    a = np.ascontiguousarray(a)
    return a.shape, a.dtype.str, hash(a.tobytes())


class SurfaceView(Repaint, PointerMixin, QWidget):
    """Decision surface (or one neuron's picture) with training, test and batch points.

    Signals (requests; the view never changes data itself):
        points_add_requested(object xy, object labels): a stroke painted points (M, 2)
            with labels (M,) while drawing.
        points_erase_requested(object path, float radius): a stroke erased every point
            within radius of the polyline path (M, 2).
        points_clear_requested(): Clear in the drawing row.
        drawing_toggled(bool): the user switched drawing on or off in the drawing row.
        training_point_picked(int): in pick mode, the training point nearest a click.
    """

    points_add_requested = Signal(object, object)
    points_erase_requested = Signal(object, float)
    points_clear_requested = Signal()
    drawing_toggled = Signal(bool)
    training_point_picked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paint_count = 0                    # real repaints, for benchmarks and tests
        self._snap: Snapshot | None = None
        self._dirty = False
        self._discretize = False
        self._show_test = False
        self._highlight_batch = True
        self._neuron: tuple[int, int] | None = None   # (grid layer, index) or None = output
        self._values: np.ndarray | None = None  # what the hover reads: (H, W) or (K, H, W)
        self._hover_xy: tuple[float, float] | None = None   # data point under the mouse
        self._train_key: tuple | None = None
        self._data_key: tuple | None = None
        self._test_key: tuple | None = None
        self._batch_key: tuple | None = None
        self._brushes: dict[tuple[int, int, int], QBrush] = {}
        self._pick = False                      # clicks pick a training point (an explained step)
        self._marks: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None   # batch, carried, chosen (k, 2)
        self._override: tuple[np.ndarray, str] | None = None   # a picture shown instead of the output

        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.setTitle("Output", size="9pt", color="#444")
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen("#666"))
            axis.setTextPen(pg.mkPen("#333"))
            axis.setTickSpacing(2, 1)
        palette.cache_axes(item)
        item.hideButtons()
        item.setMenuEnabled(False)
        adopt_plot_menus(self, item)
        vb = item.getViewBox()
        vb.setMouseEnabled(x=False, y=False)    # a fixed square, as the Playground
        vb.setAspectLocked(True)
        vb.setRange(xRange=(-EXTENT, EXTENT), yRange=(-EXTENT, EXTENT), padding=0)
        vb.disableAutoRange()

        self.image = pg.ImageItem(axisOrder="row-major")   # image[iy, ix]; iy = 0 at the bottom
        # pixel centres on the grid points; passed with every setImage (needs the image's size)
        self._rect = QRectF(-EXTENT - _CELL / 2, -EXTENT - _CELL / 2, 2 * EXTENT + _CELL, 2 * EXTENT + _CELL)
        self.image.setZValue(-10)
        self.image.setOpacity(SURFACE_ALPHA)
        self.highlight_scatter = pg.ScatterPlotItem(
            size=HIGHLIGHT_SIZE, pen=pg.mkPen(0, 0, 0, width=1.5), brush=pg.mkBrush(255, 214, 0))
        self.highlight_scatter.setZValue(5)
        # points whose gradient waits for the next update (the Playground's leftover): a
        # dashed ring, not filled, since they have not moved the weights yet
        self.carried_scatter = pg.ScatterPlotItem(
            size=HIGHLIGHT_SIZE, pen=pg.mkPen(30, 30, 30, width=2, style=Qt.DashLine), brush=pg.mkBrush(0, 0, 0, 0))
        self.carried_scatter.setZValue(5)
        # the point an explained step follows: a dark ring drawn over everything
        self.chosen_scatter = pg.ScatterPlotItem(size=HIGHLIGHT_SIZE + 6, pen=pg.mkPen(20, 20, 20, width=2.5),
                                                 brush=pg.mkBrush(0, 0, 0, 0))
        self.chosen_scatter.setZValue(11)
        item.addItem(self.chosen_scatter)
        self.test_scatter = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(palette.TEST_OUTLINE, width=1))
        self.test_scatter.setZValue(9)
        self.train_scatter = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(palette.TRAIN_OUTLINE, width=1))
        self.train_scatter.setZValue(10)
        for scatter in (self.test_scatter, self.train_scatter):
            # drawn once into a pixmap while their points stay: a frame of 10,000 points
            # then repaints the surface under them, not 10,000 markers
            scatter.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        for it in (self.image, self.highlight_scatter, self.carried_scatter, self.test_scatter, self.train_scatter):
            item.addItem(it)

        self.hover_label = QLabel(self.plot)    # thin overlay; not part of exports
        self.hover_label.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.hover_label.setStyleSheet("background: rgba(255,255,255,200); color: #222;"
                                       " padding: 1px 4px; font-size: 10px;")
        self.hover_label.move(48, 24)
        self.hover_label.hide()

        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.plot.viewport().installEventFilter(self)     # the read-out goes with the mouse
        self.tool = StrokeTool(self.plot, self._stroke_brushes, self)
        self.tool.add_requested.connect(self.points_add_requested)
        self.tool.erase_requested.connect(self.points_erase_requested)
        self.bar = DrawBar()
        self.bar.drawing_toggled.connect(self._drawing_toggled)
        self.bar.label_chosen.connect(self.set_draw_label)
        self.bar.clear_requested.connect(self.points_clear_requested)
        self._holder = Holder(self.plot)                    # the plot, kept square inside it
        self._holder.resized.connect(self._fit_square)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.bar)
        lay.addWidget(self._holder, 1)
        self._holder.row_height = self.bar.minimumSizeHint().height()
        vb.sigResized.connect(self._fit_square)

    def _fit_square(self) -> None:
        """Keep the plot a square box, centred: in a wide (or tall) panel the locked aspect
        would otherwise stretch one axis far past the data (to +-10 for +-6).

        The plot is placed by hand rather than with layout margins: margins count towards
        a widget's minimum size, so the room they took in a wide, short window stayed as
        the panel's minimum, and the window could never be made narrow again.
        """
        rect = self.plot.getPlotItem().getViewBox().sceneBoundingRect()   # the data area, px
        if rect.width() < 1 or rect.height() < 1:
            self.plot.setGeometry(0, 0, self._holder.width(), self._holder.height())
            return
        frame_w = self.plot.width() - rect.width()     # axes and title around the data area
        frame_h = self.plot.height() - rect.height()
        holder = self._holder
        side = max(min(holder.width() - frame_w, holder.height() - frame_h), 0)
        w = min(int(round(side + frame_w)), holder.width())
        h = min(int(round(side + frame_h)), holder.height())
        want = QRect((holder.width() - w) // 2, (holder.height() - h) // 2, w, h)
        if self.plot.geometry() != want:
            self.plot.setGeometry(want)

    # -- inputs ---------------------------------------------------------------------
    def set_snapshot(self, snap: Snapshot) -> None:
        """Remember the newest Snapshot; drawing waits for paint()."""
        if snap is not self._snap:
            self._snap = snap
            self._dirty = True
            self.bar.set_classes(snap.n_classes)

    def _set_option(self, name: str, value) -> None:
        if getattr(self, name) != value:
            setattr(self, name, value)
            self._dirty = True

    def set_discretize(self, on: bool) -> None:
        """Threshold the picture at 0 (the Playground's "Discretize output")."""
        self._set_option("_discretize", bool(on))

    def set_show_test(self, on: bool) -> None:
        self._set_option("_show_test", bool(on))

    def set_highlight_batch(self, on: bool) -> None:
        """Ring the points of the last mini-batch (useful when stepping batch by batch)."""
        self._set_option("_highlight_batch", bool(on))

    def show_neuron(self, layer: int, index: int | None) -> None:
        """Show neuron `index` of Snapshot.grid[layer] (0 = inputs) large; None = the output."""
        self._set_option("_neuron", None if index is None or layer < 0 else (int(layer), int(index)))

    def set_explain_marks(self, batch: np.ndarray | None, carried: np.ndarray | None = None,
                          chosen: np.ndarray | None = None) -> None:
        """Points of an explained step, (k, 2) coordinates each: the batch (ringed, instead of
        the last batch), its carried points (dashed) and the one followed (a dark ring);
        batch None returns to the last batch."""
        marks = None if batch is None else tuple(np.empty((0, 2)) if a is None else np.asarray(a, float).reshape(-1, 2)
                                                 for a in (batch, carried, chosen))
        self._marks = marks
        self._dirty = True

    def set_picture_override(self, values: np.ndarray | None, title: str = "") -> None:
        """Show `values` instead of the output: (H, W) on the -1..1 colour scale or (K, H, W)
        class probabilities (an explained step's surface before, after, or its change)."""
        self._override = None if values is None else (np.asarray(values), title)
        self._dirty = True

    def set_drawing(self, on: bool) -> None:
        """Drawing points by hand on or off (the drawing row shows it; nothing is emitted)."""
        self.bar.set_drawing(on)
        self.tool.set_active(on)
        self.plot.viewport().setCursor(Qt.CrossCursor if on else Qt.ArrowCursor)

    def drawing(self) -> bool:
        return self.tool.active

    def _drawing_toggled(self, on: bool) -> None:
        self.set_drawing(on)
        self.drawing_toggled.emit(on)

    def set_draw_label(self, value: float) -> None:
        """What the left button paints: +-1, a class index, or a regression target."""
        self.tool.label = float(value)

    def draw_label(self) -> float:
        return self.tool.label

    @property
    def erase_radius(self) -> float:
        """The eraser's radius, data units (the wheel changes it while drawing)."""
        return self.tool.radius

    @erase_radius.setter
    def erase_radius(self, value: float) -> None:
        self.tool.set_radius(value)

    def _classes(self) -> int:
        return self._snap.n_classes if self._snap is not None else 2

    # -- painting -------------------------------------------------------------------
    def paint(self) -> None:
        """Draw the stored Snapshot; nothing happens when nothing changed."""
        snap = self._due()
        if snap is None:
            return
        self._paint_image(snap)
        self._paint_points(snap)
        if self._hover_xy is not None:          # the value under a still mouse changes as it learns
            self.hover_label.setText(self.hover_text(*self._hover_xy))
            self.hover_label.adjustSize()

    def _picture(self, snap: Snapshot) -> tuple[np.ndarray, str]:
        """The raw values to show, (H, W) or (K, H, W) probabilities, and a title."""
        kind = snap.config.output_kind
        last = len(snap.grid) - 1
        if self._override is not None and self._neuron is None:
            return self._override
        if self._neuron is not None:
            layer, idx = self._neuron
            if 0 <= layer <= last and 0 <= idx < snap.grid[layer].shape[0]:
                values = palette.picture_values(snap.grid[layer], layer, last, kind)[idx]
                if layer == 0:
                    name = snap.feature_names[idx] if idx < len(snap.feature_names) else f"input {idx + 1}"
                    return values, f"Input {name}"
                if layer == last:
                    return values, f"Output neuron {idx + 1}"
                return values, f"Layer {layer}, neuron {idx + 1}"
        out = snap.grid[last]
        if out.shape[0] >= 3:
            return out, "Output (classes)"
        return palette.decision_values(out, kind), "Output"

    def _paint_image(self, snap: Snapshot) -> None:
        values, title = self._picture(snap)
        self._values = values
        item = self.plot.getPlotItem()
        if item.titleLabel.text != title:
            item.setTitle(title, size="9pt", color="#444")
        if values.ndim == 3:      # (K, H, W) class probabilities -> (H, W, 3) uint8
            self.image.setImage(palette.class_image(values, self._discretize),
                                autoLevels=False, levels=(0, 255), lut=None, rect=self._rect)
            return
        if self._discretize:
            values = np.where(values >= 0, 1.0, -1.0).astype(np.float32)
        self.image.setImage(values, autoLevels=False, levels=(-1.0, 1.0), lut=palette.LUT,
                            rect=self._rect)

    def _stroke_brushes(self, labels: np.ndarray) -> list[QBrush]:
        """The drawing tool's colours for labels (M,): those of the data shown."""
        return self._brushes_for(labels, self._classes())

    def _brushes_for(self, labels: np.ndarray, n_classes: int) -> list[QBrush]:
        """One shared QBrush per distinct colour (at most 256), cached across paints."""
        if n_classes >= 3:
            cols = np.asarray(palette.CLASS_COLOURS, dtype=np.uint8)
            rgb = cols[np.clip(labels.astype(np.int64), 0, len(cols) - 1)]
        else:
            rgb = palette.rgb_array(labels)                          # (N, 3)
        out = []
        cache = self._brushes
        for r, g, b in rgb.tolist():
            brush = cache.get((r, g, b))
            if brush is None:
                brush = cache[(r, g, b)] = QBrush(QColor(r, g, b))
            out.append(brush)
        return out

    def _paint_points(self, snap: Snapshot) -> None:
        train_key = (_key(snap.train_x), _key(snap.train_y), snap.n_classes)
        data_key = (train_key, _key(snap.test_x))
        if data_key != self._data_key:
            if self._data_key is not None:
                self.tool.data_arrived()          # a stroke's points are in the data now
            self._data_key = data_key
        if train_key != self._train_key:
            self._train_key = train_key
            self.train_scatter.setData(pos=snap.train_x, brush=self._brushes_for(snap.train_y, snap.n_classes))
        test_key = (_key(snap.test_x), _key(snap.test_y), snap.n_classes) if self._show_test else None
        if test_key != self._test_key:
            self._test_key = test_key
            if test_key is None:
                self.test_scatter.setData(pos=np.empty((0, 2)))
            else:
                self.test_scatter.setData(pos=snap.test_x, brush=self._brushes_for(snap.test_y, snap.n_classes))
        if self._marks is not None:     # an explained step's points, whatever the options
            batch_key = tuple(_key(m) for m in self._marks)
            if batch_key != self._batch_key:
                self._batch_key = batch_key
                for scatter, pos in zip((self.highlight_scatter, self.carried_scatter, self.chosen_scatter),
                                        self._marks):
                    scatter.setData(pos=pos)
            return
        # rings only while paused: during play they would flicker over random batches
        show = self._highlight_batch and not snap.playing
        batch = snap.last_batch if show else np.empty(0, dtype=np.int64)
        carried = snap.carried if show else np.empty(0, dtype=np.int64)
        batch_key = (train_key, _key(batch), _key(carried))
        if batch_key != self._batch_key:
            self._batch_key = batch_key
            self.chosen_scatter.setData(pos=np.empty((0, 2)))
            for scatter, which in ((self.highlight_scatter, batch), (self.carried_scatter, carried)):
                idx = which[(which >= 0) & (which < len(snap.train_x))].astype(np.int64)
                scatter.setData(pos=snap.train_x[idx].reshape(-1, 2))

    # -- mouse ----------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Leave and obj is self.plot.viewport():
            self._hover_xy = None
            self.hover_label.hide()
        return False

    # -- export ---------------------------------------------------------------------
    def export_png(self, path: str) -> None:
        pictures.plot_png(self.plot.getPlotItem(), path)

    def export_svg(self, path: str) -> None:
        pictures.plot_svg(self.plot.getPlotItem(), path)

