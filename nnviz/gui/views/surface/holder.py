"""The room under the drawing row where the decision surface's plot is placed by hand.

The plot is fitted as a centred square by the view (SurfaceView._fit_square) rather than
with layout margins: margins would count towards the panel's minimum size and keep the
window from shrinking after a wide, short moment.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QWidget


class Holder(QWidget):
    """The room under the drawing row, where the plot is placed by hand (_fit_square).

    Signals:
        resized(): the room changed size; the view fits the plot in it again. A signal
            rather than a stored callback of the view: the view holds this widget, and a
            reference back would make a cycle only Python's garbage collector frees.
    """

    resized = Signal()

    def __init__(self, plot: QWidget) -> None:
        super().__init__()
        self._plot = plot
        self.row_height = 0               # of the drawing row, set by the view
        plot.setParent(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.resized.emit()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self._plot.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # the drawing row above takes its height out of the plot's minimum, so the panel,
        # and the window, can be made as small as without the row (the plot then shrinks)
        hint = self._plot.minimumSizeHint()
        return QSize(hint.width(), max(hint.height() - self.row_height, 0))
