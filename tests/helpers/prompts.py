"""A stand-in for QMessageBox in nnviz.gui.window.unsaved: no modal dialog in tests.

It records every question and clicks the answer a test queued (Discard when none is),
so the real `unsaved.ask` runs around it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


class FakeMessageBox:
    Warning = QMessageBox.Warning
    Save, Discard, Cancel = QMessageBox.Save, QMessageBox.Discard, QMessageBox.Cancel
    asked: list[dict] = []          # one dict of what was set per question
    answers: list = []              # buttons to click, first first; Discard when empty

    def __init__(self, parent=None):
        self.parent = parent
        self.shown: dict = {}
        self._clicked = None

    def setIcon(self, icon):  # noqa: N802 (Qt names)
        self.shown["icon"] = icon

    def setWindowTitle(self, text):  # noqa: N802
        self.shown["title"] = text

    def setText(self, text):  # noqa: N802
        self.shown["text"] = text

    def setInformativeText(self, text):  # noqa: N802
        self.shown["informative"] = text

    def setStandardButtons(self, buttons):  # noqa: N802
        self.shown["buttons"] = buttons

    def setDefaultButton(self, button):  # noqa: N802
        self.shown["default"] = button

    def setEscapeButton(self, button):  # noqa: N802
        self.shown["escape"] = button

    def exec(self) -> int:
        self._clicked = type(self).answers.pop(0) if type(self).answers else self.Discard
        type(self).asked.append(self.shown)
        return 0

    def clickedButton(self):  # noqa: N802
        return self._clicked

    def standardButton(self, button):  # noqa: N802
        return button

    @classmethod
    def reset(cls) -> None:
        cls.asked, cls.answers = [], []
