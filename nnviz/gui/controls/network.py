"""The FEATURES and NETWORK sections: input toggles, layers and neurons, activations, output."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import (
    ACTIVATIONS,
    FEATURES,
    INITS,
    MAX_INIT_SCALE,
    MAX_LAYERS,
    MAX_NEURONS,
    OUTPUTS,
    Config,
)
from nnviz.core.model import activations, losses
from nnviz.core.model.features import label as feature_label
from nnviz.gui.controls import thumbnails
from nnviz.gui.controls.common import (
    Stepper,
    add_row,
    device_ratio,
    fill_combo,
    make_form,
    section_header,
    signals_blocked,
    toggle_icon,
)

FEATURE_TIPS = {
    "x1": "the point's horizontal position",
    "x2": "the point's vertical position",
    "x1^2": "x squared: the same on the left and the right, good for circles",
    "x2^2": "y squared: the same above and below, good for circles",
    "x1*x2": "x times y: positive in two opposite quadrants, the XOR pattern",
    "sin(x1)": "sine of x: stripes that repeat from left to right",
    "sin(x2)": "sine of y: stripes that repeat from bottom to top",
}
INIT_LABELS = {"playground": "Playground U(\u22120.5, 0.5)", "xavier": "Xavier / Glorot",
               "he": "He", "zeros": "Zeros", "constant": "Constant (symmetric)"}
NEW_LAYER_NEURONS = 2   # what the Playground gives a freshly added layer
FEATURE_ICON = 34
FEATURE_COLUMNS = 4


class FeaturesSection(QWidget):
    """FEATURES: one toggle per input feature, each showing the feature's own picture.

    Signal edited(dict): {"features": (...)} in the canonical FEATURES order.
    """

    edited = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(section_header("Features"))
        grid = QGridLayout()
        grid.setSpacing(4)
        ratio = device_ratio()
        self.buttons: dict[str, QToolButton] = {}
        for i, name in enumerate(FEATURES):
            img = thumbnails.feature_image(name, round(FEATURE_ICON * ratio))
            b = QToolButton()
            b.setObjectName("feature")
            b.setCheckable(True)
            b.setText(feature_label(name))
            b.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
            b.setIconSize(QSize(FEATURE_ICON, FEATURE_ICON))
            b.setIcon(toggle_icon(img, thumbnails.faded(img), ratio))
            b.setToolTip(f"Feed {feature_label(name)} to the network: {FEATURE_TIPS[name]}. "
                         "Orange is negative, blue positive.")
            b.clicked.connect(self._clicked)
            grid.addWidget(b, i // FEATURE_COLUMNS, i % FEATURE_COLUMNS)
            self.buttons[name] = b
        lay.addLayout(grid)
        self.setStyleSheet(
            "QToolButton#feature { border: 2px solid transparent; border-radius: 4px;"
            " padding: 1px; color: #80868b; }"
            "QToolButton#feature:hover { border-color: #b0c4d8; }"
            "QToolButton#feature:checked { border-color: #0877bd; background: #e8f1f8;"
            " color: #202124; font-weight: 600; }")

    def _clicked(self) -> None:
        chosen = tuple(n for n in FEATURES if self.buttons[n].isChecked())
        self.edited.emit({"features": chosen})  # empty is refused by the panel

    def show_config(self, config: Config) -> None:
        with signals_blocked(self):
            for name, b in self.buttons.items():
                b.setChecked(name in config.features)


class LayerRow(QWidget):
    """One hidden layer: its neuron count and an optional activation of its own."""

    def __init__(self, index: int, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.neurons = Stepper(1, MAX_NEURONS, "neuron", f"layer {index + 1}")
        self.activation = fill_combo(
            QComboBox(), [("Same", "same")] + [(activations.LABELS[a], a) for a in ACTIVATIONS],
            f"Activation of hidden layer {index + 1}; \"Same\" uses the one chosen above",
            min_chars=6)
        lay.addWidget(self.neurons)
        lay.addStretch(1)
        lay.addWidget(self.activation, 1)


def _caption(left: str, right: str) -> QWidget:
    """Grey column titles above the layer rows."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for text, align in ((left, Qt.AlignLeft), (right, Qt.AlignRight)):
        label = QLabel(text)
        label.setStyleSheet("color: #80868b; font-size: 11px;")
        lay.addWidget(label, 1, align)
    return box


class NetworkSection(QWidget):
    """NETWORK: hidden layers, neurons per layer, activations, output/loss, init.

    Signal edited(dict): the Config fields one user action changed.
    """

    edited = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = Config()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(section_header("Network"))
        form = make_form()
        self.form = form
        self.layers = Stepper(0, MAX_LAYERS, "hidden layer")
        layers_box = QWidget()
        layers_lay = QHBoxLayout(layers_box)
        layers_lay.setContentsMargins(0, 0, 0, 0)
        layers_lay.addWidget(self.layers)
        layers_lay.addStretch(1)
        add_row(form, "Hidden layers", layers_box,
                f"How many hidden layers the network has (0..{MAX_LAYERS})")
        self.activation = fill_combo(
            QComboBox(), [(activations.LABELS[a], a) for a in ACTIVATIONS],
            "The function each hidden neuron applies to its weighted sum (all layers, "
            "unless a layer below picks its own)")
        self.activation.currentIndexChanged.connect(self._activation_changed)
        add_row(form, "Activation", self.activation)
        self.caption = _caption("neurons", "activation")
        form.addRow("", self.caption)

        self.rows: list[LayerRow] = []
        for i in range(MAX_LAYERS):
            row = LayerRow(i)
            row.neurons.stepped.connect(lambda d, i=i: self._neurons_stepped(i, d))
            row.activation.currentIndexChanged.connect(self._activation_changed)
            add_row(form, f"Layer {i + 1}", row,
                    f"Hidden layer {i + 1}: its neurons (1..{MAX_NEURONS}) and activation")
            self.rows.append(row)
        self.layers.stepped.connect(self._layers_stepped)

        self.output = fill_combo(
            QComboBox(), [("Auto", "auto")] + [(losses.LABELS[o], o) for o in OUTPUTS[1:]],
            "The output neuron(s) and the loss they learn from. Auto: tanh + squared error "
            "for two classes (as the Playground), softmax + cross-entropy for more classes, "
            "linear for regression")
        self.output.currentIndexChanged.connect(
            lambda: self.edited.emit({"output": self.output.currentData()}))
        add_row(form, "Output", self.output)
        self.init = fill_combo(
            QComboBox(), [(INIT_LABELS[i], i) for i in INITS],
            "How the weights start: the Playground's small uniform values, Xavier/Glorot "
            "(for tanh), He (for ReLU); all zero (nothing learns), or one constant for every "
            "weight (every neuron of a layer stays a copy of the others): why the start must "
            "be random")
        self.init.currentIndexChanged.connect(
            lambda: self.edited.emit({"init": self.init.currentData()}))
        add_row(form, "Weight init", self.init)
        self.init_scale = QDoubleSpinBox()
        self.init_scale.setRange(0.01, MAX_INIT_SCALE)
        self.init_scale.setDecimals(2)
        self.init_scale.setSingleStep(0.5)
        self.init_scale.setPrefix("\u00d7 ")
        self.init_scale.setKeyboardTracking(False)   # one change per typed number
        self.init_scale.setToolTip(
            "The starting weights times this (1 = the scheme's own size). Large starts saturate "
            "tanh and sigmoid units; with Constant it is the value every weight starts at")
        self.init_scale.valueChanged.connect(lambda v: self.edited.emit({"init_scale": float(v)}))
        add_row(form, "Init scale", self.init_scale)
        lay.addLayout(form)

    # -- user actions --------------------------------------------------------------
    def _derived_activation(self, n_layers: int) -> str | tuple[str, ...]:
        """The Config.activation the widgets stand for: one name, or one per layer."""
        shared = self.activation.currentData()
        valid = len(self._config.hidden_layers)   # rows beyond this are new layers: "same"
        own = [self.rows[i].activation.currentData() if i < valid else "same"
               for i in range(n_layers)]
        if all(a == "same" for a in own):
            return shared
        return tuple(shared if a == "same" else a for a in own)

    def _layers_stepped(self, delta: int) -> None:
        old = self._config.hidden_layers
        layers = old[:-1] if delta < 0 else old + (NEW_LAYER_NEURONS,)
        if len(layers) > MAX_LAYERS or (delta < 0 and not old):
            return
        self.edited.emit({"hidden_layers": layers,
                          "activation": self._derived_activation(len(layers))})

    def _neurons_stepped(self, index: int, delta: int) -> None:
        layers = list(self._config.hidden_layers)
        if index >= len(layers):
            return
        layers[index] = min(max(layers[index] + delta, 1), MAX_NEURONS)
        self.edited.emit({"hidden_layers": tuple(layers)})

    def _activation_changed(self) -> None:
        n = len(self._config.hidden_layers)
        self.edited.emit({"activation": self._derived_activation(n)})

    # -- showing a config ----------------------------------------------------------
    def show_config(self, config: Config) -> None:
        with signals_blocked(self):
            self._show_layers(config)
            self._show_activations(config)
            self._show_output(config)
            self.init.setCurrentIndex(self.init.findData(config.init))
            self.init_scale.setValue(config.init_scale)
            self.form.setRowVisible(self.init_scale, config.init != "zeros")
        self._config = config

    def _show_layers(self, config: Config) -> None:
        n = len(config.hidden_layers)
        self.layers.set_value(n)
        self.form.setRowVisible(self.caption, n > 0)
        for i, row in enumerate(self.rows):
            self.form.setRowVisible(row, i < n)
            if i < n:
                row.neurons.set_value(config.hidden_layers[i])
            else:
                row.activation.setCurrentIndex(0)          # a removed layer forgets its own

    def _show_activations(self, config: Config) -> None:
        n = len(config.hidden_layers)
        act = config.activation
        if isinstance(act, str):
            self.activation.setCurrentIndex(self.activation.findData(act))
            for row in self.rows:
                row.activation.setCurrentIndex(0)
            return
        self._config = config   # so the check below reads every visible row
        if self._derived_activation(n) == tuple(act):
            return                                          # the widgets already say so
        shared = self.activation.currentData()
        own = ["same" if a == shared else a for a in act]
        if all(a == "same" for a in own):
            own = list(act)         # a per-layer tuple stays one: name each layer explicitly
        for row, a in zip(self.rows, own):
            row.activation.setCurrentIndex(row.activation.findData(a))

    def _show_output(self, config: Config) -> None:
        auto = losses.LABELS[config.replace(output="auto").output_kind]
        self.output.setItemText(0, f"Auto ({auto.split(' + ')[0]})")
        self.output.setItemData(0, f"Auto, here: {auto}", Qt.ToolTipRole)
        model = self.output.model()
        for i, kind in enumerate(OUTPUTS):
            try:
                config.replace(output=kind)
                ok = True
            except ValueError:
                ok = False
            model.item(i).setEnabled(ok)
        self.output.setCurrentIndex(self.output.findData(config.output))
