"""The TRAINING section: learning rate and decay, optimiser and its parameters, regularisation,
and the stop conditions (an epoch limit and a target test loss)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QVBoxLayout, QWidget

from nnviz.core.config import (
    LEARNING_RATES,
    MAX_STOP_EPOCH,
    OPTIMIZERS,
    REG_RATES,
    REGULARIZATIONS,
    Config,
)
from nnviz.gui.controls.common import (
    add_row,
    fill_combo,
    fmt_number,
    make_form,
    section_header,
    select_data,
    signals_blocked,
)

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                    "rmsprop": "RMSprop", "adam": "Adam"}
REG_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
EPSILONS = (1e-10, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3)
# which parameter rows each optimiser uses
PARAMS = {"sgd": (), "momentum": ("momentum",), "nesterov": ("momentum",),
          "rmsprop": ("beta2", "epsilon"), "adam": ("beta1", "beta2", "epsilon")}


Box = QComboBox | QSpinBox | QDoubleSpinBox   # what a row of this section holds


def _spin(lo: float, hi: float, decimals: int, step: float, tip: str,
          never: str = "") -> QSpinBox | QDoubleSpinBox:
    """A number box (whole numbers when decimals is 0); `never` names its lowest value."""
    box = QSpinBox() if decimals == 0 else QDoubleSpinBox()
    box.setRange(lo, hi)
    if decimals:
        box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setSpecialValueText(never)
    box.setKeyboardTracking(False)   # one change per typed number, not per keystroke
    box.setToolTip(tip)
    return box


class TrainingSection(QWidget):
    """TRAINING controls; only the parameters of the chosen optimiser are shown.

    Signal edited(dict): the Config fields one user action changed.
    """

    edited = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(section_header("Training"))
        self.form = make_form()

        self.learning_rate = self._row("Learning rate", "learning_rate", fill_combo(
            QComboBox(), [(fmt_number(v), float(v)) for v in LEARNING_RATES],
            "How big a step each update takes. Too small learns slowly, too large "
            "overshoots or diverges. Changing it keeps training going"))
        self.lr_decay = self._row("Rate decay", "lr_decay", _spin(
            0.0, 1.0, 4, 0.001, "Shrinks the learning rate as training goes on: "
            "rate / (1 + decay \u00d7 epoch). None keeps it constant. Momentum and Nesterov keep "
            "their velocity as PyTorch does, without the rate in it, so each step scales the "
            "whole velocity by the current rate", never="None"))

        self.optimizer = self._row("Optimiser", "optimizer", fill_combo(
            QComboBox(), [(OPTIMIZER_LABELS[o], o) for o in OPTIMIZERS],
            "How the gradient becomes a step: plain SGD (exactly the Playground's: points left "
            "over at an epoch's end join the next epoch's first update, and L1 kills links), "
            "with momentum, Nesterov's look-ahead momentum, RMSprop or Adam (per-weight step "
            "sizes); these four train as PyTorch does, with a short last batch"))
        self.momentum = self._row("Momentum", "momentum", _spin(
            0.0, 0.999, 3, 0.01, "Momentum: how much of the previous step is kept (0 = none)"))
        self.beta1 = self._row("\u03b2\u2081", "beta1", _spin(
            0.0, 0.999, 3, 0.01, "Adam \u03b2\u2081: how slowly the average gradient forgets"))
        self.beta2 = self._row("\u03b2\u2082", "beta2", _spin(0.0, 0.9999, 4, 0.001, ""))
        self.epsilon = self._row("\u03b5", "epsilon", fill_combo(
            QComboBox(), [(f"{e:.0e}", e) for e in EPSILONS],
            "\u03b5: a tiny number added before dividing by the gradient's size, so a "
            "weight with almost no gradient does not take a huge step"))

        self.regularization = self._row("Regularisation", "regularization", fill_combo(
            QComboBox(), [(REG_LABELS[r], r) for r in REGULARIZATIONS],
            "A penalty that pulls weights towards zero to keep the network simple: "
            "L1 sets small weights to exactly zero (under SGD, as in the Playground, such a "
            "link is dead from then on: drawn dashed, never trained again until Reset), L2 "
            "shrinks all of them"))
        self.reg_rate = self._row("Reg. rate", "reg_rate", fill_combo(
            QComboBox(), [(fmt_number(v), float(v)) for v in REG_RATES],
            "How strongly the regularisation penalty pulls the weights towards zero"))

        self.stop_epoch = self._row("Stop at epoch", "stop_epoch", _spin(
            0, MAX_STOP_EPOCH, 0, 100, "Play pauses by itself on reaching this epoch (Never: it runs on)",
            never="Never"))
        self.stop_loss = self._row("Stop at loss", "stop_loss", _spin(
            0.0, 10.0, 4, 0.001, "Play pauses by itself once the test loss is at most this (Never: it runs on)",
            never="Never"))
        lay.addLayout(self.form)

    def _row(self, label: str, field: str, widget: Box) -> Box:
        """A form row whose changes are emitted as {field: value}; returns the widget."""
        add_row(self.form, label, widget)
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(
                lambda: self.edited.emit({field: widget.currentData()}))
        else:   # a QSpinBox gives int, a QDoubleSpinBox float: the Config field's type
            widget.valueChanged.connect(lambda v: self.edited.emit({field: v}))
        return widget

    def show_config(self, config: Config) -> None:
        with signals_blocked(self):
            select_data(self.learning_rate, float(config.learning_rate),
                        fmt_number(config.learning_rate))
            self.lr_decay.setValue(config.lr_decay)
            self.optimizer.setCurrentIndex(self.optimizer.findData(config.optimizer))
            self.momentum.setValue(config.momentum)
            self.beta1.setValue(config.beta1)
            self.beta2.setValue(config.beta2)
            select_data(self.epsilon, float(config.epsilon), f"{config.epsilon:.1e}")
            self.regularization.setCurrentIndex(
                self.regularization.findData(config.regularization))
            select_data(self.reg_rate, float(config.reg_rate), fmt_number(config.reg_rate))
            self.reg_rate.setEnabled(config.regularization != "none")
            self.stop_epoch.setValue(config.stop_epoch)
            self.stop_loss.setValue(config.stop_loss)
            self._show_params(config.optimizer)

    def _show_params(self, optimizer: str) -> None:
        used = PARAMS[optimizer]
        for name in ("momentum", "beta1", "beta2", "epsilon"):
            self.form.setRowVisible(getattr(self, name), name in used)
        rms = optimizer == "rmsprop"
        label = self.form.labelForField(self.beta2)
        label.setText("Decay \u03c1" if rms else "\u03b2\u2082")
        self.beta2.setToolTip(
            "RMSprop decay \u03c1: how slowly the average squared gradient forgets"
            if rms else "Adam \u03b2\u2082: how slowly the average squared gradient forgets")
