"""The row above the decision surface: the drawing mode, what it paints, and Clear.

Off, it is one button ("Draw points"); on, it also offers the label the left button
paints (a swatch per class, or a target value for regression), Clear (every point goes,
one undo step) and a line saying what the mouse does.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from nnviz.gui.style import palette

HINT = "drag paints · right-drag erases · wheel: eraser size"
STYLE = ("QToolButton { padding: 1px 5px; border: 1px solid #c4c7c5; border-radius: 3px;"
         " background: #f8f9fa; }"
         "QToolButton:checked { background: #e3eef7; border-color: #0877bd; }"
         "QToolButton#drawToggle:checked { background: #0877bd; color: white; }")
SWATCH = 12


def swatch(rgb: tuple[int, int, int]) -> QIcon:
    """A round dot of one colour with the white rim of a training point."""
    pix = QPixmap(SWATCH, SWATCH)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QColor(120, 120, 120))
    p.setBrush(QColor(*rgb))
    p.drawEllipse(1, 1, SWATCH - 2, SWATCH - 2)
    p.end()
    return QIcon(pix)


def class_choices(n_classes: int) -> list[tuple[str, float, tuple[int, int, int], str]]:
    """(text, label, colour, tooltip) of each class the pen can paint."""
    if n_classes == 2:
        return [("+1", 1.0, palette.BLUE, "Paint points of class +1 (blue)"),
                ("\u22121", -1.0, palette.ORANGE, "Paint points of class \u22121 (orange)")]
    cols = palette.CLASS_COLOURS
    return [(str(c), float(c), cols[c % len(cols)], f"Paint points of class {c}") for c in range(n_classes)]


class ElidedLabel(QLabel):
    """A label that a narrow panel shortens with an ellipsis rather than cutting a word."""

    def __init__(self, text: str):
        super().__init__(text)
        self.full_text = text

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.ElideRight, self.width()))


class DrawBar(QWidget):
    """Signals:
        drawing_toggled(bool): the user switched the drawing mode.
        label_chosen(float): the label (class or target) the left button now paints.
        clear_requested(): remove every point.
    """

    drawing_toggled = Signal(bool)
    label_chosen = Signal(float)
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._classes = -1
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 0)
        lay.setSpacing(4)
        self.draw = QToolButton()
        self.draw.setText("\u270e Draw points")
        self.draw.setCheckable(True)
        self.draw.setObjectName("drawToggle")
        self.draw.setToolTip("Draw your own data on the surface (P): click adds a point, drag "
                             "paints several, right-drag or Shift-drag erases; Ctrl+Z undoes a stroke")
        self.draw.toggled.connect(self._toggled)
        lay.addWidget(self.draw)
        self.choices = QWidget()
        self._choice_lay = QHBoxLayout(self.choices)
        self._choice_lay.setContentsMargins(6, 0, 0, 0)
        self._choice_lay.setSpacing(2)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.target = QDoubleSpinBox(self.choices)   # a child even while classes hide it
        self.target.setRange(-1.0, 1.0)
        self.target.setSingleStep(0.1)
        self.target.setDecimals(2)
        self.target.setValue(1.0)
        self.target.setPrefix("target ")
        self.target.setToolTip("The value the points you paint carry (regression)")
        self.target.valueChanged.connect(self.label_chosen)
        lay.addWidget(self.choices)
        self.clear = QToolButton()
        self.clear.setText("Clear")
        self.clear.setToolTip("Remove every point (training and test), to draw a data set "
                              "from scratch; Ctrl+Z brings them back")
        self.clear.clicked.connect(self.clear_requested)
        lay.addWidget(self.clear)
        self.hint = ElidedLabel(HINT)
        self.hint.setStyleSheet("color: #777; font-size: 10px;")
        self.hint.setToolTip("Click: one point. Drag: a trail of points. Right-drag or "
                             "Shift-drag: erase training and test points under the ring. "
                             "Wheel: eraser size. Ctrl+Z: undo a stroke.")
        self.hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # a narrow panel cuts it
        lay.addWidget(self.hint, 1)
        self.setStyleSheet(STYLE)
        self.set_classes(2)
        self._show_tools(False)

    def _toggled(self, on: bool) -> None:
        self._show_tools(on)
        self.drawing_toggled.emit(on)

    def _show_tools(self, on: bool) -> None:
        for w in (self.choices, self.clear, self.hint):
            w.setVisible(on)

    def set_drawing(self, on: bool) -> None:
        """Show the mode without emitting drawing_toggled."""
        self.draw.blockSignals(True)
        self.draw.setChecked(bool(on))
        self.draw.blockSignals(False)
        self._show_tools(bool(on))

    def set_classes(self, n_classes: int) -> None:
        """Offer the classes of the data shown (0: a target value for regression)."""
        if n_classes == self._classes:
            return
        self._classes = n_classes
        for b in self.group.buttons():
            self.group.removeButton(b)
            b.deleteLater()
        self._choice_lay.removeWidget(self.target)
        # hidden, not unparented: a widget without a parent held here would be deleted by
        # Python's cyclic garbage collector in whatever thread it runs
        self.target.hide()
        if n_classes == 0:
            self._choice_lay.addWidget(self.target)
            self.target.show()                     # taken out of a layout, a widget hides
            self.label_chosen.emit(self.target.value())
            return
        for text, label, rgb, tip in class_choices(n_classes):
            b = QToolButton()
            b.setText(text)
            b.setIcon(swatch(rgb))
            b.setIconSize(QSize(SWATCH, SWATCH))
            b.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setProperty("label", label)
            b.clicked.connect(lambda _=False, v=label: self.label_chosen.emit(v))
            self.group.addButton(b)
            self._choice_lay.addWidget(b)
        first = self.group.buttons()[0]
        first.setChecked(True)
        self.label_chosen.emit(first.property("label"))

    def choose(self, label: float) -> None:
        """Select the label the pen paints, as a click on its swatch would."""
        if self._classes == 0:
            self.target.setValue(label)
            return
        for b in self.group.buttons():
            if b.property("label") == float(label):
                b.click()
                return
        raise ValueError(f"no class {label:g} to paint")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(300, 26)
