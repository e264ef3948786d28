"""Small building blocks shared by the control sections: headers, steppers, sliders.

Every section follows one contract: it emits `edited(dict)` with the Config fields a
user action changed, and `show_config(config)` repaints its widgets from a Config with
all their signals blocked, so showing a config never looks like a user action.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QObject, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

LONGEST_LABEL = "Regularisation"   # every form's label column is this wide, so all align


@contextmanager
def signals_blocked(root: QObject) -> Iterator[None]:
    """Block the signals of root and every object below it (widgets, button groups).

    Item models are left alone: their signals are how a combo box learns that an item's
    text changed, and blocked they left "Auto (Tanh)" on screen over a softmax network
    until the mouse passed over the box.
    """
    blockers = [QSignalBlocker(obj) for obj in (root, *root.findChildren(QObject))
                if not isinstance(obj, QAbstractItemModel)]
    try:
        yield
    finally:
        for blocker in blockers:
            blocker.unblock()


def device_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0


def pixmap_from_rgb(img: np.ndarray, ratio: float = 1.0) -> QPixmap:
    """(H, W, 3) uint8 -> QPixmap; ratio > 1 for pictures drawn at device resolution."""
    arr = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = arr.shape[:2]
    qimg = QImage(arr.data, w, h, 3 * w, QImage.Format_RGB888).copy()  # copy: own the pixels
    pix = QPixmap.fromImage(qimg)
    pix.setDevicePixelRatio(ratio)
    return pix


def toggle_icon(on: np.ndarray, off: np.ndarray, ratio: float = 1.0) -> QIcon:
    """An icon that shows `on` when its button is checked and `off` when it is not."""
    icon = QIcon()
    icon.addPixmap(pixmap_from_rgb(on, ratio), QIcon.Normal, QIcon.On)
    icon.addPixmap(pixmap_from_rgb(off, ratio), QIcon.Normal, QIcon.Off)
    return icon


def section_header(title: str) -> QLabel:
    label = QLabel(title.upper())
    label.setStyleSheet("QLabel { color: #5f6368; font-weight: 600; letter-spacing: 1px;"
                        " padding: 10px 0 3px 0; border-bottom: 1px solid #dadce0; }")
    return label


def make_form() -> QFormLayout:
    """A two-column form with the same spacing in every section."""
    form = QFormLayout()
    form.setContentsMargins(0, 4, 0, 0)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    form.setLabelAlignment(Qt.AlignLeft | Qt.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form


def add_row(form: QFormLayout, text: str, field: QWidget | QLayout, tip: str = "") -> QLabel:
    """A form row whose label column has the same width in every section."""
    label = QLabel(text)
    label.setFixedWidth(QFontMetrics(label.font()).horizontalAdvance(LONGEST_LABEL) + 6)
    label.setToolTip(tip or (field.toolTip() if isinstance(field, QWidget) else ""))
    form.addRow(label, field)
    return label


def fill_combo(combo: QComboBox, items: list[tuple[str, object]], tip: str,
               min_chars: int = 8) -> QComboBox:
    for text, data in items:
        combo.addItem(text, data)
    combo.setToolTip(tip)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    return combo


def select_data(combo: QComboBox, value: object, text: str | None = None) -> None:
    """Select the item holding `value`; a number the list lacks (e.g. from a session file)
    is added in sorted position so the combo can still show it."""
    for i in range(combo.count()):
        data = combo.itemData(i)
        if data == value or (isinstance(value, float) and isinstance(data, float)
                             and np.isclose(data, value, rtol=1e-12, atol=0)):
            combo.setCurrentIndex(i)
            return
    if not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not an option of {combo.objectName() or 'a combo'}")
    pos = sum(1 for i in range(combo.count()) if combo.itemData(i) < value)
    combo.insertItem(pos, text or f"{value:g}", float(value))
    combo.setCurrentIndex(pos)


def fmt_number(value: float) -> str:
    """0.00001 -> '0.00001', 3.0 -> '3': the Playground's drop-down labels."""
    return np.format_float_positional(float(value), trim="-")


class Stepper(QWidget):
    """"−  n  +" with its bounds: buttons at a bound are disabled, so a click there is a no-op.

    Signal stepped(int): -1 or +1, from a user click only.
    """

    stepped = Signal(int)

    def __init__(self, lo: int, hi: int, what: str, where: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.lo, self.hi = lo, hi
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.minus = self._button("\u2212", f"Remove a {what}{' from ' + where if where else ''}"
                                  f" (at least {lo})")
        self.plus = self._button("+", f"Add a {what}{' to ' + where if where else ''}"
                                 f" (at most {hi})")
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignCenter)
        self.label.setMinimumWidth(24)
        self.label.setStyleSheet("font-weight: 600;")
        self.label.setToolTip(f"Number of {what}s{' in ' + where if where else ''}")
        lay.addWidget(self.minus)
        lay.addWidget(self.label)
        lay.addWidget(self.plus)
        self.minus.clicked.connect(lambda: self.stepped.emit(-1))
        self.plus.clicked.connect(lambda: self.stepped.emit(1))
        self.set_value(lo)

    @staticmethod
    def _button(text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setFixedSize(QSize(24, 24))
        b.setAutoRaise(False)
        return b

    def set_value(self, value: int) -> None:
        self.value = int(value)
        self.label.setText(str(self.value))
        self.minus.setEnabled(self.value > self.lo)
        self.plus.setEnabled(self.value < self.hi)


class ValueSlider(QWidget):
    """A horizontal slider with its current value written beside it.

    Signal value_changed(int): on every value the user drags or keys to.
    """

    value_changed = Signal(int)

    def __init__(self, lo: int, hi: int, tip: str, suffix: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.suffix = suffix
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(lo, hi)
        self.slider.setToolTip(tip)
        self.slider.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.label = QLabel()
        self.label.setMinimumWidth(36)
        self.label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.label.setToolTip(tip)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        self.slider.valueChanged.connect(self._moved)

    def _moved(self, value: int) -> None:
        self.label.setText(f"{value}{self.suffix}")
        self.value_changed.emit(value)

    def set_value(self, value: int) -> None:
        """Show a value; one beyond the slider's range still reads true in the label."""
        self.slider.setValue(int(value))
        self.label.setText(f"{int(value)}{self.suffix}")

    def value(self) -> int:
        return self.slider.value()
