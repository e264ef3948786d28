"""Ask before the user's work is thrown away: Save / Discard / Cancel.

Quit (closing the window), Open, Import weights or data, a change of setting that builds
a new network or new data, and Reset all throw away what training and hand edits made
of the network. While the worker says there is such unsaved work (Snapshot.unsaved) they
ask first: Discard goes on, Cancel leaves everything exactly as it was, Save saves the
session (asking for a name if it has none) and goes on only once the save succeeded.
A diverged network cannot be saved, so nothing is asked for it.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def ask(parent: QMainWindow, what: str) -> str:
    """The question itself (a modal message box): SAVE, DISCARD or CANCEL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning)
    box.setWindowTitle("nnviz")
    box.setText("The network has been trained or edited since it was last saved.")
    box.setInformativeText(f"Save the session before you {what}? If you do not save, the training "
                           "and edits since then are lost.")
    box.setStandardButtons(QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
    box.setDefaultButton(QMessageBox.Save)
    box.setEscapeButton(QMessageBox.Cancel)
    box.exec()
    button = box.standardButton(box.clickedButton())
    return SAVE if button == QMessageBox.Save else DISCARD if button == QMessageBox.Discard else CANCEL


class UnsavedGuard(QObject):
    """The window's gate in front of every action that throws the network away."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.w = window
        self._after_save: tuple[Callable[[], None], Callable[[], None] | None] | None = None
        # connected after the File menu's own handlers: the path and title are set first
        window.worker.file_done.connect(self._file_done)
        window.worker.file_failed.connect(self._file_failed)

    def unsaved(self) -> bool:
        snap = self.w.latest
        return bool(snap is not None and snap.unsaved and not snap.diverged)

    def choose(self, what: str) -> str:
        """DISCARD straight away when nothing is unsaved, else the user's answer."""
        return ask(self.w, what) if self.unsaved() else DISCARD

    def confirm(self, what: str, proceed: Callable[[], None],
                cancelled: Callable[[], None] | None = None) -> None:
        """Run proceed now, after a successful save, or never (then cancelled, if given)."""
        choice = self.choose(what)
        if choice == DISCARD:
            proceed()
        elif choice == SAVE:
            self.save_then(proceed, cancelled)
        elif cancelled is not None:
            cancelled()

    def save_then(self, proceed: Callable[[], None], cancelled: Callable[[], None] | None = None) -> None:
        """Save the session (File > Save); proceed once the worker reports it written."""
        self._after_save = (proceed, cancelled)
        if not self.w.file_actions.save_session():    # the user closed the file dialog
            self._give_up()

    def _give_up(self) -> None:
        pending, self._after_save = self._after_save, None
        if pending is not None and pending[1] is not None:
            pending[1]()

    @Slot(str, str)
    def _file_done(self, action: str, path: str) -> None:
        if action == "save_session" and self._after_save is not None:
            proceed, self._after_save = self._after_save[0], None
            proceed()

    @Slot(str, str)
    def _file_failed(self, action: str, message: str) -> None:
        if action == "save_session":     # the failure was shown; the action does not go on
            self._give_up()
