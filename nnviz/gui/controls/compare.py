"""The "Runs side by side" dialog: which settings the new run changes.

A run side by side shares the data, the seed and (where the shapes allow) the initial
weights of the run it copies (core/learn/runs.py), so only settings that leave the data
and the network's shape alone are offered. The form starts at the current run's values;
the rows changed are marked, and the legend will name exactly those. One click also adds
the classic comparison of optimisers: SGD, momentum and Adam.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import ACTIVATIONS, INITS, LEARNING_RATES, OPTIMIZERS, REG_RATES, REGULARIZATIONS, Config
from nnviz.core.model import activations
from nnviz.gui.controls.common import add_row, fill_combo, fmt_number, make_form, select_data
from nnviz.gui.controls.network import INIT_LABELS
from nnviz.gui.controls.training import OPTIMIZER_LABELS, REG_LABELS

CLASSIC = ("sgd", "momentum", "adam")     # the optimisers "SGD, momentum and Adam" compares


def classic_changes(config: Config, free: int) -> list[dict]:
    """The runs to add so that SGD, momentum and Adam train side by side: one per optimiser
    of CLASSIC the current run does not use, at most `free` of them."""
    return [{"optimizer": o} for o in CLASSIC if o != config.optimizer][:max(free, 0)]


class CompareDialog(QDialog):
    """Asks which settings a new run side by side changes; `changes()` after exec()."""

    def __init__(self, config: Config, free: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Runs side by side")
        self._config = config
        self.classic = False            # the user chose SGD, momentum and Adam at once
        intro = QLabel("A new run trains beside this one at the same pace, from the same data and "
                       "initial weights. Change what you want to compare; the legend names it.")
        intro.setWordWrap(True)
        form = make_form()
        self.boxes: dict[str, QComboBox | QSpinBox] = {
            "optimizer": fill_combo(QComboBox(), [(OPTIMIZER_LABELS[o], o) for o in OPTIMIZERS], "Optimiser"),
            "learning_rate": fill_combo(QComboBox(), [(fmt_number(v), float(v)) for v in LEARNING_RATES],
                                        "Learning rate"),
            "batch_size": QSpinBox(),
            "activation": fill_combo(QComboBox(), [(activations.LABELS[a], a) for a in ACTIVATIONS],
                                     "Activation of every hidden layer"),
            "regularization": fill_combo(QComboBox(), [(REG_LABELS[r], r) for r in REGULARIZATIONS],
                                         "Regularisation"),
            "reg_rate": fill_combo(QComboBox(), [(fmt_number(v), float(v)) for v in REG_RATES],
                                   "Regularisation rate"),
            "init": fill_combo(QComboBox(), [(INIT_LABELS[i], i) for i in INITS],
                               "Initialisation: another init draws other initial weights"),
        }
        self.boxes["batch_size"].setRange(1, 1000)
        names = {"optimizer": "Optimiser", "learning_rate": "Learning rate", "batch_size": "Batch size",
                 "activation": "Activation", "regularization": "Regularisation", "reg_rate": "Reg. rate",
                 "init": "Initialisation"}
        self.labels = {k: add_row(form, names[k], box) for k, box in self.boxes.items()}
        for key, box in self.boxes.items():
            self._set(key, getattr(config, key) if key != "activation" else config.activations[0]
                      if config.activations else "tanh")
            (box.valueChanged if isinstance(box, QSpinBox) else box.currentIndexChanged).connect(self._mark)
        self.boxes["activation"].setEnabled(bool(config.hidden_layers))
        self.classic_button = QPushButton("SGD, momentum and Adam")
        self.classic_button.setToolTip("Add a run for each of these optimisers the current run does not use")
        self.classic_button.setEnabled(bool(classic_changes(config, free)))
        self.classic_button.clicked.connect(self._choose_classic)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Add run")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.classic_button)
        lay.addWidget(buttons)
        self._mark()

    def _set(self, key: str, value) -> None:
        box = self.boxes[key]
        if isinstance(box, QSpinBox):
            box.setValue(int(value))
        else:
            select_data(box, value)

    def _value(self, key: str):
        box = self.boxes[key]
        return box.value() if isinstance(box, QSpinBox) else box.currentData()

    def changes(self) -> dict:
        """The settings that differ from the current run's (an empty dict: an exact copy)."""
        out = {}
        for key in self.boxes:
            value = self._value(key)
            current = getattr(self._config, key)
            if key == "activation":
                if self._config.hidden_layers and (value,) * len(self._config.hidden_layers) != self._config.activations:
                    out[key] = value
            elif value != current:
                out[key] = value
        return out

    def _mark(self) -> None:
        changed = self.changes()
        for key, label in self.labels.items():
            label.setStyleSheet("font-weight: 600; color: #0a5;" if key in changed else "")

    def _choose_classic(self) -> None:
        self.classic = True
        self.accept()
