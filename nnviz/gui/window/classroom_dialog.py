"""The teacher's dialog of classroom mode: for every control, shown, locked or hidden.

The Playground's fifteen hideable controls come first, then nnviz's own. The choice applies
to the window when accepted; it is saved with the session (File > Save session) or written
into the open lesson's file (Save lesson as…), to hand out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.learn.classroom import NNVIZ_CONTROLS, PLAYGROUND_CONTROLS, Classroom

STATES = ("", "locked", "hidden")          # the columns after the name: Shown, Locked, Hidden


class ClassroomDialog(QDialog):
    """Choose what is hidden and locked; `classroom()` is the choice."""

    def __init__(self, parent: QWidget | None, current: Classroom, lesson_open: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Classroom mode")
        self.groups: dict[str, QButtonGroup] = {}
        lay = QVBoxLayout(self)
        intro = QLabel("Hide or lock controls so a class sees only what the lesson is about. Hidden "
                       "controls disappear with their menu entries and shortcuts; locked ones stay "
                       "visible but cannot be changed. Save the session (or the lesson) to hand it out: "
                       "whoever opens it sees the same.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        rows = [("TensorFlow Playground's hideable controls", None)] + list(PLAYGROUND_CONTROLS.items()) + \
               [("nnviz's own", None)] + list(NNVIZ_CONTROLS.items())
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["Control", "Shown", "Locked", "Hidden"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2, 3):
            head.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        for r, (name, label) in enumerate(rows):
            if label is None:                                    # a group heading
                item = QTableWidgetItem(name)
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                self.table.setItem(r, 0, item)
                self.table.setSpan(r, 0, 1, 4)
                continue
            self.table.setItem(r, 0, QTableWidgetItem(label))
            group = QButtonGroup(self)
            for col, state in enumerate(STATES, start=1):
                cell = QWidget()
                cell_lay = QHBoxLayout(cell)
                cell_lay.setContentsMargins(0, 0, 0, 0)
                cell_lay.setAlignment(Qt.AlignCenter)
                button = QRadioButton()
                button.setToolTip(f"{label}: {'shown' if not state else state}")
                cell_lay.addWidget(button)
                group.addButton(button, col - 1)
                self.table.setCellWidget(r, col, cell)
            group.button(STATES.index(current.state(name))).setChecked(True)
            self.groups[name] = group
        self.table.setMinimumSize(520, 420)
        lay.addWidget(self.table, 1)

        row = QHBoxLayout()
        show_all = QPushButton("Show all")
        show_all.clicked.connect(self._show_all)
        self.save_lesson = QPushButton("Save lesson as\u2026")
        self.save_lesson.setEnabled(lesson_open)
        self.save_lesson.setToolTip("Write the open lesson with this choice in its [classroom] table"
                                    if lesson_open else "Open a lesson first (Lessons menu)")
        self.save_session = QPushButton("Save session as\u2026")
        self.save_session.setToolTip("Save the whole session (network, data, settings) with this choice")
        row.addWidget(show_all)
        row.addStretch(1)
        row.addWidget(self.save_lesson)
        row.addWidget(self.save_session)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.action = ""                       # "lesson" or "session" when a save button closed it
        self.save_lesson.clicked.connect(lambda: self._close_for("lesson"))
        self.save_session.clicked.connect(lambda: self._close_for("session"))

    def _show_all(self) -> None:
        for group in self.groups.values():
            group.button(0).setChecked(True)

    def _close_for(self, action: str) -> None:
        self.action = action
        self.accept()

    def set_state(self, name: str, state: str) -> None:
        """Pick "", "locked" or "hidden" for one control (as a click would)."""
        self.groups[name].button(STATES.index(state)).setChecked(True)

    def classroom(self) -> Classroom:
        hide = frozenset(n for n, g in self.groups.items() if g.checkedId() == 2)
        lock = frozenset(n for n, g in self.groups.items() if g.checkedId() == 1)
        return Classroom(hide, lock)
