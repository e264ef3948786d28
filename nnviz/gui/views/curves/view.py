"""Loss curves with a hover read-out, accuracy / R^2, a confusion matrix and gradient flow
(gradflow.py).

The Playground shows a tiny unlabelled loss chart; here the axes are labelled, the
loss can go log-scale, and the per-layer gradient size over time shows vanishing or
exploding gradients. Like every view it only reads Snapshots; items are made once
and fed new arrays only when the history actually changed.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.snapshot import Snapshot
from nnviz.gui.style import palette, pictures
from nnviz.gui.style.axes import ValueAxis
from nnviz.gui.style.plot_menus import adopt_plot_menus
from nnviz.gui.style.values import readout
from nnviz.gui.style.panels import Repaint
from nnviz.gui.views.curves.gradflow import EDGE, WARN, GradientFlowPlot, run_starts
from nnviz.gui.views.curves.plotting import SAMPLES_PER_PIXEL
from nnviz.gui.views.curves.plotting import fit_range as _fit_range
from nnviz.gui.views.curves.plotting import key as _key
from nnviz.gui.views.curves.plotting import style_plot as _style
from nnviz.gui.views.curves.runs import RunCurves

def _fmt_loss(v: float) -> str:
    """Three decimals as the Playground, but keep small values readable on a log scale."""
    if not math.isfinite(v):
        return "–"
    return readout(v) if abs(v) >= 0.001 or v == 0 else f"{v:.3g}"


def _nearest(epochs: np.ndarray, x: float) -> int:
    """Index of the entry of a rising (H,) array nearest to x."""
    if len(epochs) < 2:
        return 0
    i = int(np.clip(np.searchsorted(epochs, x), 1, len(epochs) - 1))
    return i - 1 if abs(epochs[i - 1] - x) <= abs(epochs[i] - x) else i


class CurvesView(Repaint, QWidget):
    """Training history panel: loss (train grey, test black), metrics, confusion, gradient flow.

    Signals: none; the view is read-only (export of the history as CSV is the core's job).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paint_count = 0                    # real repaints, for benchmarks and tests
        self._snap: Snapshot | None = None
        self._dirty = False
        self._loss_key: tuple | None = None
        self._conf_key: tuple | None = None
        self._hover_x: float | None = None      # data x of the read-out, None = hidden

        self.loss_plot = pg.PlotWidget(background="w", axisItems={"left": ValueAxis("left")})
        item = _style(self.loss_plot.getPlotItem(), "epoch", "loss")
        item.setMenuEnabled(False)
        adopt_plot_menus(self, item)
        self.legend = item.addLegend(offset=(-8, 8), labelTextColor="#333")
        self.train_curve = item.plot([], [], pen=pg.mkPen(palette.TRAIN_CURVE, width=2), name="train",
                                     connect="finite", autoDownsampleFactor=SAMPLES_PER_PIXEL)
        self.test_curve = item.plot([], [], pen=pg.mkPen(palette.TEST_CURVE, width=2), name="test",
                                    connect="finite", autoDownsampleFactor=SAMPLES_PER_PIXEL)
        # an infinite or NaN loss (a run that blew up) has no place on the axis: a mark on
        # the top edge where it happened, so the curve does not seem merely to stop
        self.blown_marks = pg.ScatterPlotItem(symbol="t1", size=10, pen=pg.mkPen(WARN))
        self.blown_marks.setZValue(10)
        item.addItem(self.blown_marks, ignoreBounds=True)
        self.readout_line = pg.InfiniteLine(angle=90, movable=False,
                                            pen=pg.mkPen((90, 90, 90), width=1, style=Qt.DashLine))
        self.readout_text = pg.TextItem(color="#222", fill=pg.mkBrush(255, 255, 255, 220),
                                        border=pg.mkPen("#bbb"), anchor=(0, 0))
        for it in (self.readout_line, self.readout_text):
            it.setZValue(20)
            it.hide()
            item.addItem(it, ignoreBounds=True)
        self.runs = RunCurves(item, self.legend, (self.train_curve, self.test_curve))
        # looking back in time (the timeline): where on the curves the network shown stands
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((180, 30, 30), width=2))
        self.cursor_text = pg.TextItem(color=(180, 30, 30), fill=pg.mkBrush(255, 255, 255, 220), anchor=(0, 1))
        for it in (self.cursor_line, self.cursor_text):
            it.setZValue(15)
            it.hide()
            item.addItem(it, ignoreBounds=True)

        self.metrics_label = QLabel("")
        self.metrics_label.setStyleSheet("color: #222;")
        self.confusion_title = QLabel("Confusion (test)")
        self.confusion_title.setStyleSheet("color: #555; font-size: 10px;")
        self.confusion = QTableWidget(0, 0)
        self.confusion.setToolTip("Test points: rows are the true class, columns the predicted one")
        self.confusion.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.confusion.setSelectionMode(QAbstractItemView.NoSelection)
        self.confusion.setFocusPolicy(Qt.NoFocus)
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.Fixed)
            header.setDefaultSectionSize(38)
            header.setMinimumSectionSize(20)
        self.confusion.verticalHeader().setDefaultSectionSize(20)
        self.confusion.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.confusion.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        self.grad_plot = GradientFlowPlot()
        self.grad_item = self.grad_plot.item     # for tests and exports: the plot itself

        side = QVBoxLayout()
        side.setContentsMargins(4, 0, 4, 0)
        side.addWidget(self.metrics_label)
        side.addWidget(self.confusion_title)
        side.addWidget(self.confusion)
        side.addStretch(1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addLayout(side)
        bottom.addWidget(self.grad_plot, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.loss_plot, 1)
        lay.addLayout(bottom, 1)
        self._show_confusion(False)

        self.loss_plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        item.getViewBox().sigRangeChanged.connect(self._on_range_changed)
        self.loss_plot.viewport().installEventFilter(self)

    # -- inputs ---------------------------------------------------------------------
    def set_snapshot(self, snap: Snapshot) -> None:
        """Remember the newest Snapshot; drawing waits for paint()."""
        if snap is not self._snap:
            self._snap = snap
            self._dirty = True

    def set_log_scale(self, on: bool) -> None:
        """Log y for the loss: late training differences stay visible."""
        self.loss_plot.getPlotItem().setLogMode(x=False, y=bool(on))
        self.loss_plot.getPlotItem().getViewBox().enableAutoRange()   # a range of the old scale means nothing now
        self._loss_key = None   # refit the range in the new scale on the next paint
        self._dirty = True
        if self._hover_x is not None:
            self.show_readout(self._hover_x)

    def log_scale(self) -> bool:
        return bool(self.loss_plot.getPlotItem().getAxis("left").logMode)

    # -- painting -------------------------------------------------------------------
    def paint(self) -> None:
        """Draw the stored Snapshot; nothing happens when nothing changed."""
        snap = self._due()
        if snap is None:
            return
        self._paint_loss(snap)
        self._paint_metrics(snap)
        self._paint_grad(snap)
        if self._hover_x is not None:
            self.show_readout(self._hover_x)

    def _paint_cursor(self, snap: Snapshot) -> None:
        looking = snap.viewing >= 0
        self.cursor_line.setVisible(looking)
        self.cursor_text.setVisible(looking)
        if looking:
            x = snap.epoch + (snap.batch / snap.batches_per_epoch if snap.batches_per_epoch else 0)
            self.cursor_line.setPos(x)
            self.cursor_text.setText(f"epoch {snap.epoch:,}")
            self._place_cursor_text()

    def _place_cursor_text(self) -> None:
        """The cursor's words at the foot of its line, on the side with room."""
        if not self.cursor_text.isVisible():
            return
        (x0, x1), (y0, _) = self.loss_plot.getPlotItem().getViewBox().viewRange()
        x = float(self.cursor_line.value())
        self.cursor_text.setAnchor((1, 1) if x > (x0 + x1) / 2 else (0, 1))
        self.cursor_text.setPos(x, y0)

    def cursor(self) -> float | None:
        """The epoch the cursor marks (a look back), or None."""
        return float(self.cursor_line.value()) if self.cursor_line.isVisible() else None

    def _paint_loss(self, snap: Snapshot) -> None:
        self._paint_cursor(snap)
        key = (_key(snap.history_epoch), _key(snap.history_train), _key(snap.history_test),
               tuple((_key(r.history_test), r.name, r.colour) for r in snap.runs), snap.active_run)
        if key == self._loss_key:
            return
        self._loss_key = key
        drawn = self.runs.show(snap)
        if drawn is not None:
            _fit_range(self.loss_plot.getPlotItem(), *drawn)
            return
        x = np.asarray(snap.history_epoch, dtype=float)          # (H,)
        train = np.asarray(snap.history_train, dtype=float)
        test = np.asarray(snap.history_test, dtype=float)
        def dot(y: np.ndarray) -> str | None:
            """One point draws no line: show it as a dot (none for the nan of an empty set)."""
            return "o" if len(y) == 1 and np.isfinite(y[0]) else None
        self.train_curve.setData(x, train, symbol=dot(train), symbolSize=7, symbolPen=None,
                                 symbolBrush=palette.TRAIN_CURVE)
        self.test_curve.setData(x, test, symbol=dot(test), symbolSize=7, symbolPen=None,
                                symbolBrush=palette.TEST_CURVE)
        _fit_range(self.loss_plot.getPlotItem(), x, np.concatenate([train, test]))
        self._mark_blown(x, train, test)

    def _mark_blown(self, x: np.ndarray, train: np.ndarray, test: np.ndarray) -> None:
        """Up triangles along the top edge where a loss is infinite or NaN: one where each
        such run starts, and one at the latest epoch. (A scatter ignores log mode: the
        view's own y units.)"""
        y0, y1 = self.loss_plot.getPlotItem().getViewBox().viewRange()[1]
        top = y1 - EDGE * (y1 - y0)
        spots = []
        for values, colour in ((train, palette.TRAIN_CURVE), (test, palette.TEST_CURVE)):
            for i in run_starts(~np.isfinite(values)):
                spots.append({"pos": (float(x[i]), top), "brush": pg.mkBrush(colour)})
        self.blown_marks.setData(spots)

    def _paint_metrics(self, snap: Snapshot) -> None:
        if snap.n_classes:
            parts = [f"{name} {100 * v:.1f} %" if math.isfinite(v) else f"{name} –"
                     for name, v in (("train", snap.train_accuracy), ("test", snap.test_accuracy))]
            self.metrics_label.setText("Accuracy\n" + "\n".join(parts))
        else:
            r2 = snap.r2_test
            self.metrics_label.setText(f"R² (test)\n{readout(r2)}")   # a diverged R² of -1e150 too
        conf = np.asarray(snap.confusion)
        show = bool(snap.n_classes) and conf.ndim == 2 and conf.shape[0] == conf.shape[1] and conf.size > 0
        self._show_confusion(show)
        if show:
            self._fill_confusion(conf, snap.n_classes)

    def _show_confusion(self, on: bool) -> None:
        self.confusion.setVisible(on)
        self.confusion_title.setVisible(on)

    def _fill_confusion(self, conf: np.ndarray, n_classes: int) -> None:
        """(K, K) counts, rows = true class; cells shaded by the row's share."""
        key = (_key(conf), n_classes)
        if key == self._conf_key:
            return
        self._conf_key = key
        k = conf.shape[0]
        if self.confusion.rowCount() != k:
            self.confusion.setRowCount(k)
            self.confusion.setColumnCount(k)
            names = ["−1", "+1"] if n_classes == 2 and k == 2 else [str(c) for c in range(k)]
            self.confusion.setHorizontalHeaderLabels(names)
            self.confusion.setVerticalHeaderLabels(names)
            for r in range(k):
                for c in range(k):
                    cell = QTableWidgetItem()
                    cell.setTextAlignment(Qt.AlignCenter)
                    self.confusion.setItem(r, c, cell)
            # the headers' size hints, not their widths: those are laid out later, and a
            # stale row-header width cut off the last column
            frame = 2 * self.confusion.frameWidth() + 2
            h = self.confusion.horizontalHeader().sizeHint().height() + 20 * k + frame
            w = self.confusion.verticalHeader().sizeHint().width() + 38 * k + frame
            self.confusion.setFixedSize(max(w, 60), h)
        rows = conf.sum(axis=1, keepdims=True)
        share = np.divide(conf, rows, out=np.zeros(conf.shape), where=rows > 0)
        white, blue = np.array((255, 255, 255.0)), np.array(palette.BLUE, dtype=float)
        for r in range(k):
            for c in range(k):
                cell = self.confusion.item(r, c)
                cell.setText(str(int(conf[r, c])))
                rgb = np.round(white + (blue - white) * 0.75 * share[r, c]).astype(int)
                cell.setBackground(QBrush(QColor(*rgb)))
                cell.setForeground(QBrush(QColor("white" if share[r, c] > 0.6 else "#222")))

    def _paint_grad(self, snap: Snapshot) -> None:
        self.grad_plot.show_history(snap.history_epoch, snap.history_grad)

    @property
    def grad_curves(self) -> list[pg.PlotDataItem]:
        return self.grad_plot.curves

    @property
    def grad_legend(self) -> pg.LegendItem:
        return self.grad_plot.legend

    # -- hover read-out -------------------------------------------------------------
    def readout_at(self, x: float) -> tuple[int, str] | None:
        """History index nearest to epoch x and its text, or None without history."""
        snap = self._snap
        if snap is None or len(snap.history_epoch) == 0:
            return None
        epochs = np.asarray(snap.history_epoch, dtype=float)
        i = _nearest(epochs, x)
        text = (f"epoch {epochs[i]:g}\ntrain {_fmt_loss(float(snap.history_train[i]))}"
                f"\ntest {_fmt_loss(float(snap.history_test[i]))}")
        if snap.runs:      # every run at that epoch: its test (and train) loss
            lines = [f"epoch {epochs[i]:g}: test (train)"]
            for k, run in enumerate(snap.runs):
                ep = np.asarray(run.history_epoch, dtype=float)
                if len(ep):
                    j = _nearest(ep, epochs[i])
                    lines.append(f"{run.name or f'run {k + 1}'}: {_fmt_loss(float(run.history_test[j]))} "
                                 f"({_fmt_loss(float(run.history_train[j]))})")
            text = "\n".join(lines)
        return i, text

    def show_readout(self, x: float | None) -> None:
        """Put the vertical line and the text at the history point nearest to epoch x."""
        self._hover_x = x
        found = None if x is None else self.readout_at(x)
        if found is None:
            self.readout_line.hide()
            self.readout_text.hide()
            return
        i, text = found
        ex = float(self._snap.history_epoch[i])
        vb = self.loss_plot.getPlotItem().getViewBox()
        (x0, x1), (_, y1) = vb.viewRange()
        self.readout_line.setPos(ex)
        self.readout_text.setText(text)
        self.readout_text.setAnchor((1, 0) if ex > (x0 + x1) / 2 else (0, 0))
        self.readout_text.setPos(ex, y1)
        self.readout_line.show()
        self.readout_text.show()

    def _on_range_changed(self, *_args) -> None:
        self._place_cursor_text()
        if self._hover_x is not None:
            self.show_readout(self._hover_x)

    def readout(self) -> str:
        """The read-out text on screen ('' when hidden)."""
        return self.readout_text.toPlainText() if self.readout_text.isVisible() else ""

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        vb = self.loss_plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            self.show_readout(None)
            return
        self.show_readout(vb.mapSceneToView(scene_pos).x())

    def eventFilter(self, obj, event) -> bool:  # Qt override: hide the read-out when the mouse leaves
        if event.type() == QEvent.Leave:
            self.show_readout(None)
        return super().eventFilter(obj, event)

    # -- export ---------------------------------------------------------------------
    def export_png(self, path: str) -> None:
        """The loss plot as PNG (without the hover read-out)."""
        hover = self._hover_x
        self.show_readout(None)
        try:
            pictures.plot_png(self.loss_plot.getPlotItem(), path)
        finally:
            self.show_readout(hover)

    def export_svg(self, path: str) -> None:
        """The loss plot as SVG (without the hover read-out)."""
        hover = self._hover_x
        self.show_readout(None)
        try:
            pictures.plot_svg(self.loss_plot.getPlotItem(), path)
        finally:
            self.show_readout(hover)
