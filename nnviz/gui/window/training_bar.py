"""The transport bar: Play/Pause, steps, Reset, speed, and the run's counters.

It only emits requests and shows numbers from a Snapshot; it never talks to the worker.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.snapshot import Snapshot
from nnviz.gui.style.values import readout

# (label, epochs per second; 0 = as fast as it goes). 60 is the Playground's one epoch a frame.
SPEEDS = (("1 epoch/s", 1.0), ("5 epochs/s", 5.0), ("20 epochs/s", 20.0),
          ("1 epoch/frame (60/s)", 60.0), ("200 epochs/s", 200.0), ("1000 epochs/s", 1000.0),
          ("Fastest", 0.0))
FASTEST = len(SPEEDS) - 1
# A newcomer should see the network learn, not a finished run: the Playground's pace.
DEFAULT_SPEED = [s for _, s in SPEEDS].index(60.0)


def _fmt(value: float, digits: int = 3) -> str:
    return "–" if value is None else readout(value, digits)


def batch_readout(snap: Snapshot) -> tuple[str, str]:
    """The Batch read-out ("k / n", plus the points carried into the next update) and a
    tooltip saying what a step covers under the run's rule (core/train/batches.py)."""
    n, size, per_epoch = len(snap.train_x), snap.config.batch_size, snap.batches_per_epoch
    text = f"{snap.batch} / {per_epoch}"
    if snap.carried_count:
        text += f" <span style='font-size:11px; color:#777'>+{snap.carried_count} carried</span>"
    r = n % size if size <= n else 0
    if n == 0:
        tip = "There are no training points."
    elif size > n:
        tip = (f"The batch size {size} is larger than the {n} training points: each update uses all "
               f"{n} of them, one update per epoch.")
    elif r and snap.config.optimizer == "sgd":
        tip = (f"{n} training points in batches of {size}: {per_epoch} updates per epoch. The {r} "
               f"points left at the end of an epoch are not applied then: their gradient is carried "
               f"into the next epoch's first update, which averages {size + r} points (as TensorFlow "
               f"Playground does).")
    elif r:
        tip = (f"{n} training points in batches of {size}: {per_epoch} updates per epoch, the last "
               f"of {r} points averaged over its own size (as PyTorch's DataLoader).")
    else:
        tip = f"{n} training points in batches of {size}: {per_epoch} updates per epoch."
    return text, tip + (" Step one mini-batch (B) makes the next update and rings the points it "
                        "averaged; a dashed ring marks points carried into the next update.")


def _stat(title: str) -> tuple[QWidget, QLabel, QLabel]:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(6, 0, 6, 0)
    lay.setSpacing(0)
    head = QLabel(title)
    head.setStyleSheet("color: #777; font-size: 10px;")
    value = QLabel("–")
    value.setStyleSheet("font-size: 17px; font-weight: 500;")
    value.setTextInteractionFlags(Qt.TextSelectableByMouse)
    lay.addWidget(head)
    lay.addWidget(value)
    return box, head, value


class TrainingBar(QFrame):
    """Transport controls and read-outs.

    Signals:
        play_toggled(bool): True to play, False to pause.
        step_batch_requested(), step_epoch_requested(), reset_requested()
        speed_changed(float): epochs per second, 0 = as fast as it goes.
        explain_requested(): enter or leave explain-one-step mode.
    """

    play_toggled = Signal(bool)
    step_batch_requested = Signal()
    step_epoch_requested = Signal()
    reset_requested = Signal()
    speed_changed = Signal(float)
    explain_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingBar")
        self.setStyleSheet("#trainingBar { background: #f4f5f6; border-bottom: 1px solid #ddd; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        style = self.style()
        self._icons = {name: style.standardIcon(getattr(QStyle, name)) for name in
                       ("SP_MediaPlay", "SP_MediaPause", "SP_MediaSkipForward", "SP_MediaSeekForward",
                        "SP_BrowserReload", "SP_MessageBoxQuestion")}
        self.reset_button = self._button("Reset", "Reset the network: new random weights, epoch 0 (Ctrl+R)",
                                         "SP_BrowserReload")
        self.play_button = self._button("", "Play / pause training (Space)", "SP_MediaPlay", big=True)
        self.play_button.setCheckable(True)
        self.step_batch_button = self._button("Batch", "Make one update from the next mini-batch and ring "
                                              "the points it averaged (B)", "SP_MediaSkipForward")
        self.step_epoch_button = self._button("Epoch", "Train to the end of the current epoch (E)",
                                              "SP_MediaSeekForward")
        self.speed = QComboBox()
        for label, _ in SPEEDS:
            self.speed.addItem(label)
        self.speed.setCurrentIndex(DEFAULT_SPEED)
        self.speed.setToolTip("How fast to train while playing")
        # "Fastest" one click away, and back: a toggle that mirrors the combo box
        self.fastest_button = QToolButton()
        self.fastest_button.setText("Fastest")
        self.fastest_button.setCheckable(True)
        self.fastest_button.setToolTip("Train as fast as the computer can (F); click again for the pace chosen before")
        self.fastest_button.setMinimumHeight(32)
        self.fastest_button.setStyleSheet("padding: 2px 8px;")
        self._pace = DEFAULT_SPEED       # the pace to return to from Fastest
        self.explain_button = self._button("Explain", "Walk through the next update: forward pass, loss, "
                                           "backpropagation and update, with the numbers (X)", "SP_MessageBoxQuestion")
        self.explain_button.setCheckable(True)
        for w in (self.reset_button, self.play_button, self.step_batch_button, self.step_epoch_button,
                  self.explain_button):
            lay.addWidget(w)
        self.speed_label = QLabel("Speed")
        self.speed_label.setStyleSheet("color: #777;")
        lay.addSpacing(8)
        lay.addWidget(self.speed_label)
        lay.addWidget(self.speed)
        lay.addWidget(self.fastest_button)
        lay.addSpacing(12)
        self.labels: dict[str, QLabel] = {}
        self.heads: dict[str, QLabel] = {}
        for key, title in (("epoch", "Epoch"), ("batch", "Batch"), ("train", "Training loss"),
                           ("test", "Test loss"), ("acc", "Test accuracy")):
            box, self.heads[key], self.labels[key] = _stat(title)
            lay.addWidget(box)
        lay.addStretch(1)
        self.reset_button.clicked.connect(self.reset_requested)
        self.play_button.toggled.connect(self._on_play)
        self.step_batch_button.clicked.connect(self.step_batch_requested)
        self.step_epoch_button.clicked.connect(self.step_epoch_requested)
        self.speed.currentIndexChanged.connect(self._speed_chosen)
        self.fastest_button.toggled.connect(self._fastest_toggled)
        self.explain_button.clicked.connect(self._explain_clicked)

    def _button(self, text: str, tip: str, icon: str, big: bool = False) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setIcon(self._icons[icon])
        b.setIconSize(QSize(28, 28) if big else QSize(16, 16))
        b.setToolButtonStyle(Qt.ToolButtonIconOnly if big else Qt.ToolButtonTextBesideIcon)
        b.setMinimumHeight(40 if big else 32)
        b.setMinimumWidth(48 if big else 0)
        b.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        b.setStyleSheet("padding: 2px 8px;")
        return b

    def _speed_chosen(self, index: int) -> None:
        if index != FASTEST:
            self._pace = index
        self.fastest_button.blockSignals(True)
        self.fastest_button.setChecked(index == FASTEST)
        self.fastest_button.blockSignals(False)
        self.speed_changed.emit(SPEEDS[index][1])

    def _fastest_toggled(self, on: bool) -> None:
        self.speed.setCurrentIndex(FASTEST if on else self._pace)

    def toggle_fastest(self) -> None:
        self.fastest_button.toggle()

    def _show_play_icon(self, playing: bool) -> None:
        self.play_button.setIcon(self._icons["SP_MediaPause" if playing else "SP_MediaPlay"])

    def _on_play(self, playing: bool) -> None:
        self._show_play_icon(playing)
        self.play_toggled.emit(playing)

    def set_playing(self, playing: bool) -> None:
        """Show the worker's state without emitting a request."""
        if self.play_button.isChecked() != playing:
            self.play_button.blockSignals(True)
            self.play_button.setChecked(playing)
            self._show_play_icon(playing)
            self.play_button.blockSignals(False)

    def _explain_clicked(self) -> None:
        self.explain_button.setChecked(not self.explain_button.isChecked())   # the window says when it is on
        self.explain_requested.emit()

    def set_explaining(self, on: bool) -> None:
        """Show whether explain-one-step mode is on (without emitting a request)."""
        self.explain_button.setChecked(bool(on))

    def speed_value(self) -> float:
        return SPEEDS[self.speed.currentIndex()][1]

    def show_snapshot(self, snap: Snapshot) -> None:
        self.labels["epoch"].setText(f"{snap.epoch:,}".replace(",", " "))
        text, tip = batch_readout(snap)
        self.labels["batch"].setText(text)
        self.labels["batch"].parentWidget().setToolTip(tip)
        self.labels["train"].setText(_fmt(snap.train_loss))
        self.labels["test"].setText(_fmt(snap.test_loss))
        if snap.n_classes:
            self.heads["acc"].setText("Test accuracy")
            self.labels["acc"].setText("–" if not math.isfinite(snap.test_accuracy)
                                       else f"{100 * snap.test_accuracy:.1f} %")
        else:   # regression: the share of the test targets' variance explained
            self.heads["acc"].setText("Test R²")
            self.labels["acc"].setText(_fmt(snap.r2_test))
        self.set_playing(snap.playing)
