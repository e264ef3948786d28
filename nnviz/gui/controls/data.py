"""The DATA section: problem type, data set pictures, classes, the data's shape (points,
balance, noise, flipped labels, outliers), split, batch, seed."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import BALANCE_RANGE, CUSTOM, DATASETS, MAX_LABEL_NOISE, MAX_OUTLIERS, Config
from nnviz.core.data.shaping import own_points
from nnviz.gui.controls import thumbnails
from nnviz.gui.controls.common import (
    ValueSlider,
    add_row,
    device_ratio,
    make_form,
    pixmap_from_rgb,
    section_header,
    signals_blocked,
)

# name -> (button text, tooltip)
DATASET_LABELS = {
    "circle": ("Circle", "A disc of one class inside a ring of the other"),
    "xor": ("XOR", "Opposite quadrants share a class: no single straight line separates them"),
    "gauss": ("Gauss", "Two gaussian clouds; noise makes them overlap"),
    "spiral": ("Spiral", "Two interleaved spiral arms: the hard one, it needs depth"),
    "moons": ("Moons", "Two interleaving half circles"),
    "checkerboard": ("Checker", "A 4 x 4 checkerboard of the two classes"),
    "blobs": ("Blobs", "3 to 5 gaussian blobs, one class each (softmax output)"),
    "spiral3": ("Spiral ×3", "Three spiral arms, three classes (softmax output)"),
    "custom": ("Custom", "Points loaded from a CSV file or drawn by hand"),
    "custom-regression": ("Custom", "Points with targets loaded from a CSV file or drawn by hand"),
    "reg-plane": ("Plane", "Regression: the target rises linearly along x + y"),
    "reg-gauss": ("Bumps", "Regression: six bumps, alternately positive and negative"),
}
PROBLEMS = ("classification", "regression")
BALANCE_TIP = ("Share of the points in class +1 (blue), percent; 50 is even. XOR and "
               "Checker give each point that chance; changing it makes new data")
BALANCE_TIP_K = ("50 is even; higher gives the later classes more points, the last b : (100 - b) "
                 "times the first's; lower the earlier ones. Changing it makes new data")
ICON = 52        # thumbnail size in px
COLUMNS = 4
SEED_MAX = 2**32 - 1
# the stops of the Points slider (the Playground's 500 and its regression sets' 1200 among them)
POINT_STEPS = (50, 100, 200, 300, 500, 750, 1000, 1200, 1500, 2000, 3000, 5000, 7500, 10_000)


class CountSlider(ValueSlider):
    """A ValueSlider over POINT_STEPS; value_changed gives the count, not the stop."""

    def __init__(self, tip: str, parent: QWidget | None = None):
        super().__init__(0, len(POINT_STEPS) - 1, tip, parent=parent)
        self.label.setMinimumWidth(44)

    def _moved(self, index: int) -> None:
        self.label.setText(f"{POINT_STEPS[index]:,}")
        self.value_changed.emit(POINT_STEPS[index])

    def set_value(self, count: int) -> None:
        """Show a count; one between the stops (501 for the 3-arm spiral) reads true in
        the label, with the handle at the nearest stop."""
        self.slider.setValue(min(range(len(POINT_STEPS)), key=lambda i: abs(POINT_STEPS[i] - count)))
        self.label.setText(f"{int(count):,}")

    def value(self) -> int:
        return POINT_STEPS[self.slider.value()]


class DataSection(QWidget):
    """DATA controls.

    Signals:
        edited(dict): Config fields changed by one user action.
        regenerate_requested(): the user asked for fresh points.
    """

    edited = Signal(dict)
    regenerate_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # the last data set chosen for each problem type, so switching back restores it
        self._last = {"classification": "circle", "regression": "reg-plane"}
        self._n_classes = -1
        self._dataset = "circle"
        self._shown_sets: tuple[str, ...] = ()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(section_header("Data"))

        problem_row = QHBoxLayout()
        problem_row.setSpacing(0)
        self.problem_group = QButtonGroup(self)
        self.problem_buttons: dict[str, QPushButton] = {}
        for i, (kind, tip) in enumerate((
                ("classification", "Predict which class a point belongs to"),
                ("regression", "Predict a real number at each point"))):
            b = QPushButton(kind.capitalize())
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setObjectName("problem" + ("First" if i == 0 else "Last"))
            self.problem_group.addButton(b)
            self.problem_buttons[kind] = b
            problem_row.addWidget(b)
            b.clicked.connect(lambda _=False, k=kind: self._problem_clicked(k))
        lay.addLayout(problem_row)

        self.dataset_group = QButtonGroup(self)
        self.dataset_buttons: dict[str, QToolButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        ratio = device_ratio()
        for name, (text, tip) in DATASET_LABELS.items():
            b = QToolButton()
            b.setText(text)
            b.setToolTip(f"{text}: {tip}")
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
            b.setIconSize(QSize(ICON, ICON))
            b.setIcon(pixmap_from_rgb(thumbnails.dataset_image(name, 3, round(ICON * ratio)),
                                      ratio))
            b.setObjectName("dataset")
            b.clicked.connect(lambda _=False, n=name: self.edited.emit({"dataset": n}))
            self.dataset_group.addButton(b)
            self.dataset_buttons[name] = b
        cell = min(b.sizeHint().width() for b in self.dataset_buttons.values())
        for col in range(COLUMNS):
            grid.setColumnStretch(col, 1)     # a short row keeps the same column widths
            grid.setColumnMinimumWidth(col, cell)
        lay.addLayout(grid)
        self._grid = grid

        form = make_form()
        self.classes = QSpinBox()
        self.classes.setRange(3, 5)
        self.classes.setToolTip("How many classes (blobs) the Blobs data set makes")
        self.classes.valueChanged.connect(lambda v: self.edited.emit({"n_classes": v}))
        add_row(form, "Classes", self.classes)
        self.points = CountSlider("How many points the data set has, training and test "
                                  "together; changing it makes new data")
        self.points.value_changed.connect(self._points_moved)
        add_row(form, "Points", self.points)
        self.balance = ValueSlider(*BALANCE_RANGE, BALANCE_TIP, "%")
        self.balance.value_changed.connect(lambda v: self.edited.emit({"class_balance": v}))
        add_row(form, "Class balance", self.balance)
        self.noise = ValueSlider(0, 50, "How much the points are scattered or mislabelled "
                                 "(percent); changing it makes new data", "%")
        self.noise.value_changed.connect(lambda v: self.edited.emit({"noise": v}))
        add_row(form, "Noise", self.noise)
        self.label_noise = ValueSlider(0, MAX_LABEL_NOISE, "Share of the points given a wrong "
                                       "class on purpose, picked at random (percent); changing "
                                       "it makes new data", "%")
        self.label_noise.value_changed.connect(lambda v: self.edited.emit({"label_noise": v}))
        add_row(form, "Label noise", self.label_noise)
        self.outliers = ValueSlider(0, MAX_OUTLIERS, "Share of the points moved to a random "
                                    "place anywhere in the square, keeping their class or "
                                    "target (percent); changing it makes new data", "%")
        self.outliers.value_changed.connect(lambda v: self.edited.emit({"outliers": v}))
        add_row(form, "Outliers", self.outliers)
        self.ratio = ValueSlider(10, 90, "Share of the points used for training; the rest "
                                 "test how well the network generalises", "%")
        self.ratio.value_changed.connect(lambda v: self.edited.emit({"train_ratio": v}))
        add_row(form, "Training data", self.ratio)
        self.batch = ValueSlider(1, 30, "Points per mini-batch: the weights change once "
                                 "per batch, by the batch's average gradient. With SGD the points "
                                 "left over at an epoch's end join the next epoch's first update, as "
                                 "in the Playground; the other optimisers make a short last batch. A "
                                 "batch larger than the training set uses all of its points")
        self.batch.value_changed.connect(lambda v: self.edited.emit({"batch_size": v}))
        add_row(form, "Batch size", self.batch)

        seed_row = QHBoxLayout()
        seed_row.setSpacing(6)
        self.seed = QDoubleSpinBox()            # a double holds every seed 0..2**32-1 exactly
        self.seed.setDecimals(0)
        self.seed.setRange(0, SEED_MAX)
        self.seed.setMinimumWidth(64)           # the 10-digit range need not set the width
        self.seed.setButtonSymbols(QDoubleSpinBox.NoButtons)  # room for all 10 digits
        self.seed.setKeyboardTracking(False)   # one change per typed number, not per digit
        self.seed.setToolTip("Random seed: the same seed gives the same points and the "
                             "same starting weights (arrow keys step it)")
        self.seed.valueChanged.connect(lambda v: self.edited.emit({"seed": int(v)}))
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("Draw fresh points from the same data set; the network "
                                   "keeps its weights and epoch count")
        self.regenerate.clicked.connect(self.regenerate_requested)
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.regenerate)
        add_row(form, "Seed", seed_row, self.seed.toolTip())
        self.form = form
        lay.addLayout(form)
        self._style()

    def _style(self) -> None:
        self.setStyleSheet(
            "QPushButton#problemFirst, QPushButton#problemLast { padding: 4px 8px;"
            " border: 1px solid #c4c7c5; background: #f8f9fa; }"
            "QPushButton#problemFirst { border-top-left-radius: 4px;"
            " border-bottom-left-radius: 4px; }"
            "QPushButton#problemLast { border-left: none; border-top-right-radius: 4px;"
            " border-bottom-right-radius: 4px; }"
            "QPushButton#problemFirst:checked, QPushButton#problemLast:checked {"
            " background: #0877bd; color: white; border-color: #0877bd; }"
            "QToolButton#dataset { border: 2px solid transparent; border-radius: 4px;"
            " padding: 1px; }"
            "QToolButton#dataset:hover { border-color: #b0c4d8; }"
            "QToolButton#dataset:checked { border-color: #0877bd; background: #e8f1f8; }")

    def _points_moved(self, count: int) -> None:
        """The set's own count is the setting 0, so stopping there is no change at all."""
        own = own_points(self._dataset, DATASETS[self._dataset][1] or 0)
        self.edited.emit({"n_points": 0 if count == own else count})

    def _problem_clicked(self, kind: str) -> None:
        self.edited.emit({"dataset": self._last[kind]})

    def _layout_datasets(self, problem: str, current: str) -> None:
        """Only the sets of the chosen problem type, in a grid; Custom only while in use."""
        names = tuple(n for n in DATASET_LABELS if DATASETS[n][0] == problem
                      and (n not in CUSTOM or current == n))
        if names == self._shown_sets:
            return
        self._shown_sets = names
        for b in self.dataset_buttons.values():
            self._grid.removeWidget(b)
            b.hide()
        for i, name in enumerate(names):
            b = self.dataset_buttons[name]
            self._grid.addWidget(b, i // COLUMNS, i % COLUMNS)
            b.show()

    def _show_classes(self, config: Config) -> None:
        """Blobs: the chosen 3..5, editable. Any other set: the classes it really has (2
        for circle, 3 for the 3-arm spiral, those of loaded points), greyed out."""
        if config.dataset == "blobs":
            self.classes.setRange(3, 5)
            self.classes.setValue(config.n_classes)
            self.classes.setToolTip("How many classes (blobs) the Blobs data set makes")
        else:
            n = max(config.classes, 2)
            self.classes.setRange(n, n)
            self.classes.setValue(n)
            self.classes.setToolTip(f"This data set has {n} classes; only Blobs lets you choose")
        self.classes.setEnabled(config.dataset == "blobs")

    def show_config(self, config: Config) -> None:
        with signals_blocked(self):
            problem = config.problem
            if config.dataset not in CUSTOM:
                self._last[problem] = config.dataset
            self.problem_buttons[problem].setChecked(True)
            self._layout_datasets(problem, config.dataset)
            self.dataset_buttons[config.dataset].setChecked(True)
            if config.n_classes != self._n_classes:
                self._n_classes = config.n_classes
                ratio = device_ratio()
                img = thumbnails.dataset_image("blobs", config.n_classes, round(ICON * ratio))
                self.dataset_buttons["blobs"].setIcon(pixmap_from_rgb(img, ratio))
            self._show_classes(config)
            self.form.setRowVisible(self.classes, problem == "classification")
            self._show_shape(config)
            self.noise.set_value(config.noise)
            self.ratio.set_value(config.train_ratio)
            self.batch.set_value(config.batch_size)
            self.seed.setValue(config.seed)

    def _show_shape(self, config: Config) -> None:
        """Points, balance, label noise and outliers: a generated set's settings. Loaded or
        drawn points have none (greyed); regression has no classes to balance or flip."""
        self._dataset = config.dataset
        generated = config.dataset not in CUSTOM
        classes = config.problem == "classification"
        k = config.classes
        self.points.set_value(config.n_points or own_points(config.dataset, k if classes else 0))
        self.balance.set_value(config.class_balance)
        self.label_noise.set_value(config.label_noise)
        self.outliers.set_value(config.outliers)
        loaded = "These points were loaded or drawn: only generated data have this setting"
        no_classes = "Regression targets have no classes"
        for widget, needs_classes, tip in (
                (self.points, False, self.points.label.toolTip()),
                (self.balance, True, BALANCE_TIP if k == 2 else BALANCE_TIP_K),
                (self.label_noise, True, self.label_noise.label.toolTip()),
                (self.outliers, False, self.outliers.label.toolTip())):
            why = loaded if not generated else no_classes if needs_classes and not classes else ""
            widget.setEnabled(not why)
            widget.slider.setToolTip(why or tip)
