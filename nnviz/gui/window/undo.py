"""Undo and redo of hand edits (Ctrl+Z, Ctrl+Shift+Z), on Qt's QUndoStack.

The stack lives on the main window (`window.undo_stack`); one QUndoCommand class per
kind of edit. A command is pushed when the worker reports an edit it applied, with the
value the edit replaced as the worker read it (exact bits). What undo means:

- Undo puts back exactly the value the weight (or bias) had just before the edit, and a
  dead link the edit revived is dead again; redo puts back the typed value. If training
  ran after the edit, only that one value is set back: every other weight keeps what
  training made of it, and so does the edited one until it is undone.
- Consecutive edits of the same value within MERGE_S seconds (wheel nudges) are one step.
- When the network is rebuilt (Reset, a new shape or data set, an opened session,
  imported weights) the stack is cleared: its edits belong to weights that are gone.

The history is visible in Edit > Edit history, a dock with a QUndoView.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QUndoView

from nnviz.gui.style.values import format_value
from nnviz.gui.views.topology.card import node_words

MERGE_S = 1.0          # edits of one value closer together than this are one undo step
DOCK_WIDTH = 200       # px: the history beside the panels, not instead of them


class ParamEdit(QUndoCommand):
    """One hand edit of a network value; subclasses name the kind (see WeightEdit)."""

    KIND = ""
    ID = -1

    def __init__(self, window: QMainWindow, target: tuple, old: float, new: float, network: int,
                 where: str, at: float | None = None, was_dead: bool = False):
        super().__init__()
        self.window, self.target, self.network = window, target, network
        self.was_dead = was_dead            # a dead link (SGD under L1) that the edit revived
        self.old, self.new, self.where = float(old), float(new), where
        self.at = time.monotonic() if at is None else at    # when it landed, for merging
        self._applied = True                                # the worker applied it already
        self._describe()

    def _describe(self) -> None:
        self.setText(f"{self.KIND} {self.where}: {format_value(self.old, 4)} \u2192 {format_value(self.new, 4)}")

    def _send(self, value: float, words: str, dead: bool = False) -> None:
        self.window.edit_replay_requested.emit((self.target, value, self.network, words, dead))

    def redo(self) -> None:
        if self._applied:          # pushed after the worker applied it: nothing to do yet
            self._applied = False
            return
        self._send(self.new, "Redo")

    def undo(self) -> None:
        self._send(self.old, "Undo", self.was_dead)

    def id(self) -> int:           # noqa: A003 (Qt's name)
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        """Wheel nudges: one step from the first old value to the last new one."""
        if (not isinstance(other, type(self)) or other.target != self.target
                or other.network != self.network or other.at - self.at > MERGE_S):
            return False
        self.new, self.at = other.new, other.at
        self._describe()
        return True


class WeightEdit(ParamEdit):
    """target ("weight", layer, dst, src): weights[layer][dst, src]."""

    KIND = "Weight"
    ID = 1


class BiasEdit(ParamEdit):
    """target ("bias", layer, neuron): biases[layer][neuron]."""

    KIND = "Bias"
    ID = 2


def describe(snap, target: tuple) -> str:
    """Where an edit is, in words: 'X₁ → layer 1, neuron 2' or 'of layer 1, neuron 3'."""
    if snap is None:
        return str(list(target[1:]))
    try:
        if target[0] == "weight":
            _, layer, dst, src = target
            return f"{node_words(snap, layer, src)} \u2192 {node_words(snap, layer + 1, dst)}"
        return f"of {node_words(snap, target[1] + 1, target[2])}"
    except (IndexError, TypeError):
        return str(list(target[1:]))


class EditHistory(QObject):
    """Feeds the window's undo stack from the worker and clears it on a new network."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.stack: QUndoStack = window.undo_stack
        self.network = 0                 # the network the stack's commands belong to
        window.worker.edit_applied.connect(self.edit_applied)

    def follow(self, network: int) -> None:
        """A Snapshot of network `network` arrived: a new network empties the stack."""
        if network != self.network:
            self.network = network
            self.stack.clear()

    @Slot(object)
    def edit_applied(self, record: tuple) -> None:
        target, old, new, network, was_dead = record
        self.follow(network)
        kind = WeightEdit if target[0] == "weight" else BiasEdit
        self.stack.push(kind(self.window, target, old, new, network, describe(self.window.latest, target),
                             was_dead=was_dead))


def build_edit_menu(window: QMainWindow, bar) -> dict[str, QAction]:
    """The Edit menu: Undo, Redo and the edit history (a dock with a QUndoView)."""
    stack = window.undo_stack
    menu = bar.addMenu("&Edit")
    window.edit_menu = menu
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.Undo)
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for act in (undo, redo):
        act.setShortcutContext(Qt.WindowShortcut)
        menu.addAction(act)
    undo.setStatusTip("Take back the last edit exactly: a weight or bias, or a stroke of points")
    redo.setStatusTip("Apply the undone edit or stroke again")
    view = QUndoView(stack)
    view.setEmptyLabel("Network as built")
    view.setWordWrap(True)                  # an entry names both ends of a link: let it wrap
    view.setTextElideMode(Qt.ElideNone)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    view.setToolTip("Hand edits of this network, oldest first; click one to go back to it")
    dock = QDockWidget("Edit history", window)
    dock.setObjectName("editHistory")
    dock.setWidget(view)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [DOCK_WIDTH], Qt.Horizontal)
    dock.hide()
    window.undo_view, window.history_dock = view, dock
    menu.addSeparator()
    history = dock.toggleViewAction()
    history.setText("Edit &history")
    history.setStatusTip("Show the list of hand edits; undo and redo move along it")
    menu.addAction(history)
    return {"undo": undo, "redo": redo, "edit_history": history}
