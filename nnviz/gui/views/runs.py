"""Runs side by side: each run's decision surface as a small panel, named by what differs.

A panel shows the run's surface over [-6, 6]^2 with the training points, a frame in the
run's colour (the colour of its curves in the chart), its name, epoch and test loss. The
run the big views show has a thick frame; clicking another makes it that run. Each panel
is one QImage made with numpy and one cached picture of the points, so four panels cost
little at 60 frames a second. The view only reads Snapshots and emits requests.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from nnviz.core.snapshot import RunView, Snapshot
from nnviz.gui.style import palette
from nnviz.gui.style.panels import Repaint, demo_app, show_alone

EXTENT = 6.0
LABEL_H = 30          # px under each surface: the name, then epoch and test loss
PANELS_MIN_H = 200    # the view's height with panels: surfaces of about 130 px


def _fmt(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:.3f}"


class RunPanel(QWidget):
    """One run's small surface; see the module doc. Emits clicked(index), menu(index, pos)."""

    clicked = Signal(int)
    menu_requested = Signal(int, object)

    def __init__(self, index: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.view: RunView | None = None
        self.active = False
        self._image: QImage | None = None
        self._points: QPixmap | None = None
        self._points_key: tuple | None = None
        self.setMinimumSize(70, 70 + LABEL_H)
        self.setCursor(Qt.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_run(self, view: RunView, active: bool, snap: Snapshot, discretize: bool) -> None:
        self.view, self.active = view, active
        # 0xffRRGGBB words: the format a painter draws without converting (RGB888 took 0.8 ms a panel)
        argb = palette.surface_argb(view.surface, view.output_kind, discretize)   # (H, W)
        self._image = QImage(argb.data, argb.shape[1], argb.shape[0], 4 * argb.shape[1], QImage.Format_RGB32).copy()
        key = (hash(snap.train_x.tobytes()), hash(snap.train_y.tobytes()), self._side())   # ~20 us for 500 points
        if key != self._points_key:
            self._points_key = key
            self._points = self._draw_points(snap.train_x, snap.train_y, snap.n_classes)
        self.setToolTip(f"<b>{view.name or 'this run'}</b><br>epoch {view.epoch:,}, train loss "
                        f"{_fmt(view.train_loss)}, test loss {_fmt(view.test_loss)}"
                        + (f"<br><span style='color:#a00'>{view.diverged}</span>" if view.diverged else "")
                        + "<br>Click to show this run in the big views; right-click for more.")
        self.update()

    def _side(self) -> int:
        return max(10, min(self.width(), self.height() - LABEL_H) - 8)

    def _draw_points(self, x: np.ndarray, y: np.ndarray, n_classes: int) -> QPixmap:
        """The training points as dots, drawn once per data set and size."""
        side = self._side()
        pix = QPixmap(side, side)
        pix.fill(Qt.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(Qt.NoPen)
        if n_classes >= 3:
            cols = np.asarray(palette.CLASS_COLOURS)[np.clip(y.astype(np.int64), 0, 9)]
        else:
            cols = palette.rgb_array(y if n_classes else np.clip(y, -1, 1))
        px = (x[:, 0] + EXTENT) / (2 * EXTENT) * side
        py = (EXTENT - x[:, 1]) / (2 * EXTENT) * side
        r = max(1.2, side / 110)
        for c in np.unique(cols, axis=0):
            p.setBrush(QColor(*map(int, c)))
            for i in np.flatnonzero(np.all(cols == c, axis=1)):
                p.drawEllipse(QPointF(px[i], py[i]), r, r)
        p.end()
        return pix

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._points_key = None          # redrawn at the new size on the next Snapshot

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if self.view is None:
            return
        p = QPainter(self)
        side = self._side()
        x0 = (self.width() - side) / 2
        target = QRectF(x0, 4, side, side)
        p.drawImage(target, self._image)
        if self._points is not None and self._points.width() == side:
            p.drawPixmap(int(x0), 4, self._points)
        colour = QColor(*palette.run_rgb(self.view.colour))
        p.setPen(QPen(colour, 5 if self.active else 2))
        p.drawRect(target.adjusted(-1, -1, 1, 1))
        if self.view.diverged:
            p.fillRect(target, QColor(255, 255, 255, 170))
            p.setPen(QColor(160, 0, 0))
            p.drawText(target, Qt.AlignCenter, "diverged")
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        font.setBold(self.active)
        p.setFont(font)
        p.setPen(colour)
        rect = QRectF(0, 6 + side, self.width(), 14)
        name = p.fontMetrics().elidedText(self.view.name or "this run", Qt.ElideRight, self.width())
        p.drawText(rect, Qt.AlignHCenter | Qt.AlignTop, name)
        font.setBold(False)
        p.setFont(font)
        p.setPen(QColor("#555"))
        line = f"epoch {self.view.epoch:,} · test {_fmt(self.view.test_loss)}"
        p.drawText(QRectF(0, 20 + side, self.width(), 14), Qt.AlignHCenter | Qt.AlignTop,
                   p.fontMetrics().elidedText(line, Qt.ElideRight, self.width()))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.LeftButton:
            self.clicked.emit(self.index)
        elif event.button() == Qt.RightButton:
            self.menu_requested.emit(self.index, event.globalPosition().toPoint())

    def sizeHint(self) -> QSize:
        return QSize(130, 130 + LABEL_H)


class RunsView(Repaint, QWidget):
    """The row of run panels and the buttons to compare runs.

    Signals:
        select_requested(int): show run `index` in the big views (the controls act on it).
        remove_requested(int): drop run `index`.
        keep_only_requested(int): keep run `index` alone.
        compare_requested(): the user wants a run side by side (the window asks which).
    """

    select_requested = Signal(int)
    remove_requested = Signal(int)
    keep_only_requested = Signal(int)
    compare_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paint_count = 0
        self._snap: Snapshot | None = None
        self._dirty = False
        self._discretize = False
        self._compact: bool | None = None
        self.panels: list[RunPanel] = []
        self.compare_button = QPushButton("Runs side by side…")
        self.compare_button.setToolTip("Train a copy of this run with other settings beside it, from the "
                                       "same data and initial weights (up to four runs)")
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setToolTip("Remove the run shown in the big views")
        self.keep_button = QToolButton()
        self.keep_button.setText("Keep only this")
        self.keep_button.setToolTip("Keep the run shown in the big views and remove the others")
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.keep_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        lay.addLayout(self.row, 1)
        lay.addLayout(buttons)
        self.compare_button.clicked.connect(self.compare_requested)
        self.remove_button.clicked.connect(lambda: self._snap and self.remove_requested.emit(self._snap.active_run))
        self.keep_button.clicked.connect(lambda: self._snap and self.keep_only_requested.emit(self._snap.active_run))
        self._show_buttons(1)

    def set_snapshot(self, snap: Snapshot) -> None:
        if snap is not self._snap:
            self._snap = snap
            self._dirty = True

    def set_discretize(self, on: bool) -> None:
        self._discretize = bool(on)
        self._dirty = True

    def paint(self) -> None:
        snap = self._due()
        if snap is None:
            return
        runs = snap.runs
        while len(self.panels) < len(runs):
            panel = RunPanel(len(self.panels))
            panel.clicked.connect(self.select_requested)
            panel.menu_requested.connect(self._menu)
            self.row.addWidget(panel, 1)
            self.panels.append(panel)
        for k, panel in enumerate(self.panels):
            panel.setVisible(k < len(runs))
            if k < len(runs):
                panel.set_run(runs[k], k == snap.active_run, snap, self._discretize)
        self._show_buttons(len(runs))

    def _show_buttons(self, n: int) -> None:
        """With one run only the button to add another shows (the big surface is its panel)."""
        self.remove_button.setVisible(n > 1)
        self.keep_button.setVisible(n > 1)
        self.compare_button.setEnabled(n < 4)
        compact = n < 2
        if compact != self._compact:
            self._compact = compact
            self.setMinimumHeight(0 if compact else PANELS_MIN_H)
            self.setMaximumHeight(self.compare_button.sizeHint().height() + 12 if compact else 16777215)

    def _menu(self, index: int, pos) -> None:
        menu = QMenu(self)
        menu.addAction("Show in the big views", lambda: self.select_requested.emit(index))
        menu.addAction("Remove this run", lambda: self.remove_requested.emit(index))
        menu.addAction("Keep only this run", lambda: self.keep_only_requested.emit(index))
        menu.exec(pos)

    def sizeHint(self) -> QSize:
        return QSize(520, 190)


def main() -> None:
    """Show the panel alone with made-up runs: `python -m nnviz.gui.views.runs`."""
    from nnviz.gui.views.demo_snapshot import make_snapshot, with_runs

    demo_app()
    view = RunsView()
    view.select_requested.connect(lambda k: print(f"select run {k + 1}"))
    view.compare_requested.connect(lambda: print("compare"))
    view.set_snapshot(with_runs(make_snapshot(n_classes=2), active=1))
    view.paint()
    show_alone(view, 560, 220, "nnviz: runs side by side")


if __name__ == "__main__":
    main()
