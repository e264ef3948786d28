"""The loss-landscape panel: the loss over a plane through the current weights, the
optimiser's path on it, and the loss along the next step's gradient.

Like every view it only draws what it is given (core Landscape objects, computed by the
worker) and says what it wants by signals: the settings it would like computed, and
whether the network graph should let the user pick two parameters. It never holds a
Trainer and never talks to the graph or the worker itself.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.learn.landscape_job import GRID_SIZES, MODE_LABELS, MODES, Landscape, LandscapeSettings
from nnviz.gui.style import pictures
from nnviz.gui.views.landscape.plots import DATA_NAMES, LandscapePlots

RANGES = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)   # half-widths; 0 = fit the path
WIDE_PX = 700          # narrower panels stack the slice under the plane
NOTE_STYLE = "color: #555; font-size: 11px;"
WARN_STYLE = "color: #8a1c1c; font-size: 11px;"
MODE_TIPS = {
    "pca": "The plane of the path's first two principal components (Li et al. 2018): the path "
           "lies as flat on it as any plane allows, and is projected exactly.",
    "random": "Two random directions, filter-normalised (Li et al. 2018): each neuron's part is "
              "scaled to the size of that neuron's weights. Fixed until you ask for new ones (or "
              "the network is rebuilt).",
    "params": "Two weights or biases you pick in the network graph: the axes read their values "
              "relative to now, everything else held where it is.",
}


def _combo(items, tip: str) -> QComboBox:
    box = QComboBox()
    for text in items:
        box.addItem(text)
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
    return box


def _loss(v: float) -> str:
    """A loss to 4 decimals, or to 3 significant digits once it is that small."""
    if not math.isfinite(v):
        return "overflow"
    return f"{v:.4f}" if abs(v) >= 0.001 or v == 0 else f"{v:.3g}"


def _count(n: int) -> str:
    """A whole number with thin spaces between thousands, as the training bar shows them."""
    return f"{n:,}".replace(",", "\u2009")


class LandscapeView(QWidget):
    """The landscape panel.

    Signals:
        settings_changed(object): the core LandscapeSettings the panel wants computed
            (emitted on every change, including becoming visible or hidden: `active`).
        pick_requested(bool): True: let the user pick parameters in the network graph;
            False: stop.
        marks_changed(object): the picked parameters to number on the graph (() for none).
    """

    settings_changed = Signal(object)
    pick_requested = Signal(bool)
    marks_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paint_count = 0
        self._active = False
        self._seed = 0
        self._picks: list[tuple] = []
        self._result: Landscape | None = None
        self._dirty = False

        self.mode = _combo([MODE_LABELS[m] for m in MODES], "What the plane's two axes are")
        self.action = QPushButton("New directions")
        self.data = _combo(["Train", "Test"], "Which loss the plane and the slice show: the training set's or the test set's")
        self.range = _combo(["Fit the path"] + [f"\u00b1{r:g}" for r in RANGES[1:]],
                            "How far the plane reaches: around the path, or a fixed half-width")
        self.grid = _combo([f"{n} \u00d7 {n}" for n in GRID_SIZES], "Grid points of the plane (more: finer, slower)")
        self.grid.setCurrentIndex(GRID_SIZES.index(41))
        self.log = QCheckBox("Log")
        self.log.setToolTip("Colour by the logarithm of the loss: shallow valleys stay visible")
        self.contours = QCheckBox("Contours")
        self.contours.setChecked(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.plots = LandscapePlots()
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(NOTE_STYLE)
        self.caption.setTextInteractionFlags(Qt.TextSelectableByMouse)

        rows = []
        for items in ((("Plane", self.mode), ("", self.action), ("Loss", self.data)),
                      (("Range", self.range), ("Grid", self.grid), ("", self.log), ("", self.contours))):
            row = QHBoxLayout()
            row.setContentsMargins(4, 0, 4, 0)
            row.setSpacing(4)
            for label, widget in items:
                if label:
                    text = QLabel(label)
                    text.setStyleSheet("color: #555;")
                    row.addSpacing(4)
                    row.addWidget(text)
                row.addWidget(widget)
            row.addStretch(1)
            rows.append(row)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        for row in rows:
            lay.addLayout(row)
        lay.addWidget(self.note)
        lay.addWidget(self.plots, 1)
        lay.addWidget(self.caption)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.action.clicked.connect(self._action_clicked)
        for box in (self.data, self.range, self.grid):
            box.currentIndexChanged.connect(self._emit_settings)
        for box in (self.log, self.contours):
            box.toggled.connect(self._redraw)
        self._mode_changed()

    # -- settings -----------------------------------------------------------------------
    def settings(self) -> LandscapeSettings:
        """What the controls ask for now."""
        return LandscapeSettings(mode=MODES[self.mode.currentIndex()], params=tuple(self._picks[-2:]),
                                 data=("train", "test")[self.data.currentIndex()],
                                 n=GRID_SIZES[self.grid.currentIndex()], extent=RANGES[self.range.currentIndex()],
                                 seed=self._seed, active=self._active)

    def set_active(self, on: bool) -> None:
        """The panel is (or is no longer) on screen: the worker computes only while it is."""
        if bool(on) != self._active:
            self._active = bool(on)
            self._emit_settings()

    def add_pick(self, target: tuple) -> None:
        """A parameter picked in the graph: the newest two are the axes."""
        target = tuple(target)
        if target in self._picks:
            return
        self._picks = (self._picks + [target])[-2:]
        if len(self._picks) == 2 and self.action.isChecked():
            self.action.setChecked(False)
            self.pick_requested.emit(False)
        if MODES[self.mode.currentIndex()] != "params":
            self.mode.setCurrentIndex(MODES.index("params"))   # emits through _mode_changed
        else:
            self._emit_settings()
        self.marks_changed.emit(tuple(self._picks))

    def picks(self) -> tuple[tuple, ...]:
        return tuple(self._picks)

    def _mode_changed(self) -> None:
        mode = MODES[self.mode.currentIndex()]
        self.mode.setToolTip(MODE_TIPS[mode])
        self.action.setVisible(mode != "pca")
        picking = mode == "params"
        self.action.setCheckable(picking)
        self.action.setText("Pick in graph" if picking else "New directions")
        self.action.setToolTip("Then click two links or bias squares in the network graph (Ctrl+click "
                               "picks at any time)" if picking else "Draw two new random directions")
        if not picking and self.action.isChecked():
            self.action.setChecked(False)
            self.pick_requested.emit(False)
        self.marks_changed.emit(tuple(self._picks) if picking else ())
        self._emit_settings()

    def _action_clicked(self) -> None:
        if MODES[self.mode.currentIndex()] == "params":
            if self.action.isChecked():
                self._picks = []
                self.marks_changed.emit(())
            self.pick_requested.emit(self.action.isChecked())
        else:
            self._seed += 1
            self._emit_settings()

    def _emit_settings(self) -> None:
        self._dirty = True
        if not self._active:
            self.note.setText("")
        elif self._result is None:
            self.note.setText("Computing the landscape\u2026 (on a new machine its kernel is compiled "
                              "first, which takes a few seconds once)")
        self.settings_changed.emit(self.settings())

    # -- drawing ------------------------------------------------------------------------
    def set_landscape(self, result: Landscape) -> None:
        """Keep the newest result; drawing waits for paint()."""
        self._result = result
        self._dirty = True

    def paint(self) -> None:
        """Draw the stored result if it answers the current settings (older ones are skipped)."""
        r = self._result
        if r is None or not self._dirty:
            return
        if r.settings.replace(active=False) != self.settings().replace(active=False):
            return
        self._dirty = False
        self.paint_count += 1
        self.plots.show(r, self.log.isChecked(), self.contours.isChecked())
        self.note.setText(r.note or self._summary(r))
        self.note.setStyleSheet(WARN_STYLE if r.note and not r.has_plane else NOTE_STYLE)
        self.caption.setText(self._slice_words(r))

    def _redraw(self) -> None:
        self._dirty = True
        self.paint()

    @staticmethod
    def _summary(r: Landscape) -> str:
        n = len(r.a)
        return (f"Epoch {_count(r.epoch)}, step {_count(r.total_steps)}: {n} \u00d7 {n} losses, path of "
                f"{len(r.path)} positions ({1000 * r.seconds:.0f} ms).")

    @staticmethod
    def _slice_words(r: Landscape) -> str:
        """The slice in words: where the next step lands, and why the loss goes where it goes."""
        sl = r.slice
        if sl is None:
            return "No slice: there is no next step to take (no training points, or a zero gradient)."
        data = DATA_NAMES.get(r.settings.data, "loss")
        words = (f"Next step ({r.optimizer}, rate {r.learning_rate:g}) goes {sl.step_t:.3g} along "
                 f"\u2212gradient: {data} {_loss(r.loss)} \u2192 {_loss(sl.next_loss)}")
        batch = [(t, v) for t, v in zip(sl.t, sl.batch_loss) if math.isfinite(v)]
        line = [(t, v) for t, v in zip(sl.t, sl.loss) if math.isfinite(v)]
        if len(batch) > 1 and len(line) > 1:
            bt, bv = zip(*batch)
            before, after = (float(np.interp(x, bt, bv)) for x in (0.0, sl.step_t))
            t_min = min(line, key=lambda p: p[1])[0]
            here = abs(t_min) <= 0.5 * (sl.t[-1] - sl.t[0]) / max(len(sl.t) - 1, 1)   # the sample at 0
            if after > before:
                words += (". It overshoots: even the batch's own loss rises, the rate is too large "
                          "for this valley.")
            elif sl.next_loss > r.loss:
                words += (". The batch's loss falls but the whole set's rises: this batch pulls "
                          "another way than the rest.")
            elif here:
                words += ". The weights already sit at the lowest point along this line."
            elif sl.step_t > t_min:
                words += f". It lands past the lowest point along this line (at {t_min:.3g})."
            else:
                words += f". The lowest point along this line is further on (at {t_min:.3g})."
        if sl.step_off > 0.05:
            words += (f" {100 * sl.step_off:.0f} % of the step's length leaves this line: {r.optimizer} "
                      "does not follow the gradient alone.")
        return words

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Plane and slice side by side only when the panel is wide enough for both; judged
        on the panel, not the plots, whose height changes with the words under them."""
        super().resizeEvent(event)
        self.plots.arrange(self.width() >= WIDE_PX and self.width() > 1.4 * self.height())

    # -- remembered settings and export -------------------------------------------------
    def state(self) -> dict:
        return {"mode": self.mode.currentIndex(), "data": self.data.currentIndex(), "range": self.range.currentIndex(),
                "grid": self.grid.currentIndex(), "log": self.log.isChecked(), "contours": self.contours.isChecked()}

    def restore(self, state: dict) -> None:
        """Controls from state(); values that do not fit are ignored."""
        for key, box in (("mode", self.mode), ("data", self.data), ("range", self.range), ("grid", self.grid)):
            v = state.get(key)
            if isinstance(v, int) and 0 <= v < box.count():
                box.setCurrentIndex(v)
        for key, box in (("log", self.log), ("contours", self.contours)):
            if isinstance(state.get(key), bool):
                box.setChecked(state[key])

    def export_png(self, path: str) -> None:
        """The plane, its colour bar and the slice as PNG (written atomically)."""
        pictures.plot_png(self.plots.ci, path)

    def export_svg(self, path: str) -> None:
        """The same as SVG: curves, contours and text as vectors, the plane embedded as PNG."""
        pictures.plot_svg(self.plots.ci, path, title="nnviz loss landscape")
