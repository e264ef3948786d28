"""Strokes of points drawn by hand on the window's undo stack, and the drawing actions.

Each stroke (points painted, points erased, Clear) is one QUndoCommand on the same
`window.undo_stack` as the weight edits (undo.py), pushed when the worker reports the
change it applied. Undo asks the worker to put the data back exactly as before the
stroke (settings too: undoing the first stroke on the circle makes it the generated
circle again); redo does the stroke again. The worker refuses either, with a message,
when the points have changed since (other data loaded or generated).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QMainWindow, QMenu


class StrokeEdit(QUndoCommand):
    """One stroke; its DataChange (core.data.strokes) knows how to take it back."""

    def __init__(self, window: QMainWindow, change, network: int):
        super().__init__(change.words)
        self.window, self.change, self.network = window, change, network
        self._applied = True                 # the worker applied it before it was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.window.stroke_replay_requested.emit((self.change, False, "Redo"))

    def undo(self) -> None:
        self.window.stroke_replay_requested.emit((self.change, True, "Undo"))


class StrokeHistory(QObject):
    """Pushes every stroke the worker applied onto the window's undo stack."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)          # a QObject in the GUI thread: the slot runs there
        self.window = window
        window.worker.data_edited.connect(self.data_edited)

    @Slot(object)
    def data_edited(self, record: tuple) -> None:
        change, network = record
        self.window.edit_history.follow(network)     # a new network has a new stack
        self.window.undo_stack.push(StrokeEdit(self.window, change, network))


def build_draw_actions(window: QMainWindow, menu: QMenu) -> dict[str, QAction]:
    """Edit > Draw points (P) and Clear all points; the drawing row shows the same mode."""
    menu.addSeparator()
    draw = QAction("&Draw points", window)
    draw.setCheckable(True)
    draw.setShortcut(QKeySequence("P"))
    draw.setShortcutContext(Qt.WindowShortcut)
    draw.setStatusTip("Draw on the decision surface: click adds a point, drag paints "
                      "several, right-drag or Shift-drag erases; each stroke is one undo step")
    draw.toggled.connect(window.surface.set_drawing)
    window.surface.drawing_toggled.connect(draw.setChecked)
    menu.addAction(draw)
    clear = QAction("&Clear all points", window)
    clear.setStatusTip("Remove every point, to draw a data set from scratch (undoable)")
    clear.triggered.connect(window.surface.points_clear_requested.emit)   # as the row's Clear
    menu.addAction(clear)
    return {"draw": draw, "clear_points": clear}
