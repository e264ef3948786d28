"""The explain panel: which stage of one update is shown, the words and equation of that
stage, the points of the batch to pick from, and Apply / Leave.

A view like the others: it reads an Explanation (core/learn/explain.py) and the focus the
window gives it, and emits requests; the window moves the graph and the surface along.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.learn.explain import PHASES, Explanation, stages
from nnviz.gui.views.explain import texts

PHASE_LABELS = {"forward": "1 Forward", "loss": "2 Loss", "backward": "3 Backward", "update": "4 Update"}
SURFACES = (("before", "Before"), ("after", "After"), ("change", "Change"))
KEYS_HINT = "\u2190 \u2192 stages \u00b7 \u2191 \u2193 points \u00b7 A average \u00b7 Enter apply \u00b7 Esc leave"


def _tool(text: str, tip: str, checkable: bool = False) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setCheckable(checkable)
    b.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
    return b


class ExplainPanel(QWidget):
    """Stage stepper, stage text, batch table, surface choice, Apply and Leave.

    Signals (requests):
        stage_requested(int): show stage k of core.learn.explain.stages().
        point_requested(int): follow row k of the batch.
        average_toggled(bool): gradients as the batch average (True) or the point's.
        surface_requested(str): "before", "after" or "change" in the Update stage.
        batch_requested(): back to the next mini-batch after following a point alone.
        apply_requested(), leave_requested()
    """

    stage_requested = Signal(int)
    point_requested = Signal(int)
    average_toggled = Signal(bool)
    surface_requested = Signal(str)
    batch_requested = Signal()
    apply_requested = Signal()
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self.exp: Explanation | None = None
        self._stages: list[tuple[str, int]] = []
        self._stage = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        top = QHBoxLayout()
        self.heading = QLabel("Explain one step")
        self.heading.setStyleSheet("font-weight: 600;")
        self.heading.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # never widens the column
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Make this update (Enter)")
        self.leave_button = QPushButton("Leave")
        self.leave_button.setToolTip("Back to training; nothing is changed (Esc)")
        self.batch_button = QPushButton("Next batch")
        self.batch_button.setToolTip("Explain the next mini-batch again, instead of the point alone")
        self.batch_button.hide()
        top.addWidget(self.heading, 1)
        top.addWidget(self.batch_button)
        top.addWidget(self.leave_button)
        top.addWidget(self.apply_button)
        lay.addLayout(top)

        steps = QHBoxLayout()
        steps.setSpacing(2)
        self.prev_button = _tool("\u25c0", "Previous stage (\u2190)")
        self.next_button = _tool("\u25b6", "Next stage (\u2192)")
        self.phase_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        steps.addWidget(self.prev_button)
        for phase in PHASES:
            b = _tool(PHASE_LABELS[phase], f"Go to the {phase} phase", checkable=True)
            group.addButton(b)
            self.phase_buttons[phase] = b
            steps.addWidget(b)
            b.clicked.connect(lambda _=False, p=phase: self._go_phase(p))
        steps.addWidget(self.next_button)
        self.where = QLabel()
        self.where.setStyleSheet("color: #555;")
        steps.addWidget(self.where, 1)
        lay.addLayout(steps)

        body = QHBoxLayout()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(self.text)
        # neither the words nor the table may widen the window's right column
        scroll.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
        body.addWidget(scroll, 5)
        side = QVBoxLayout()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["point", "label", "out", "loss"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(18)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("font-size: 10px;")
        self.table.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
        side.addWidget(self.table, 1)
        self.average_box = QCheckBox("Batch average")
        self.average_box.setToolTip("Backward: show the gradients averaged over the batch, as the update uses "
                                    "them (A)")
        side.addWidget(self.average_box)
        surf = QHBoxLayout()
        surf.addWidget(QLabel("Surface:"))
        self.surface_buttons: dict[str, QToolButton] = {}
        sgroup = QButtonGroup(self)
        for key, label in SURFACES:
            b = _tool(label, f"Show the decision surface {label.lower()}", checkable=True)
            sgroup.addButton(b)
            self.surface_buttons[key] = b
            surf.addWidget(b)
            b.clicked.connect(lambda _=False, k=key: self.surface_requested.emit(k))
        self.surface_row = QWidget()
        self.surface_row.setLayout(surf)
        surf.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.surface_row)
        body.addLayout(side, 4)
        lay.addLayout(body, 1)
        hint = QLabel(KEYS_HINT)
        hint.setStyleSheet("color: #888; font-size: 10px;")
        lay.addWidget(hint)

        self.batch_button.clicked.connect(self.batch_requested)
        self.apply_button.clicked.connect(self.apply_requested)
        self.leave_button.clicked.connect(self.leave_requested)
        self.prev_button.clicked.connect(lambda: self.stage_requested.emit(max(self._stage - 1, 0)))
        self.next_button.clicked.connect(lambda: self.stage_requested.emit(min(self._stage + 1, len(self._stages) - 1)))
        self.table.itemSelectionChanged.connect(self._row_picked)
        self.average_box.toggled.connect(self.average_toggled)
        self.show_waiting("Working out the next update\u2026")

    # -- what the window tells it -------------------------------------------------------
    def show_waiting(self, text: str) -> None:
        """Before an explanation arrives (or when none can be made): a line, nothing to apply."""
        self.exp = None
        self.heading.setText("Explain one step")
        self.text.setText(text)
        self.table.setRowCount(0)
        self.apply_button.setEnabled(False)
        for b in (self.prev_button, self.next_button, *self.phase_buttons.values()):
            b.setEnabled(False)
        self.where.setText("")

    def set_explanation(self, exp: Explanation) -> None:
        """A new step to walk through: the batch table and the heading."""
        self.exp = exp
        self._stages = stages(exp.n_layers)
        self.heading.setText(texts.title(exp))
        self.heading.setToolTip(texts.title(exp))
        self.batch_button.setVisible(exp.preview.chosen)
        self.apply_button.setEnabled(True)
        for b in (self.prev_button, self.next_button, *self.phase_buttons.values()):
            b.setEnabled(True)
        self.table.blockSignals(True)
        self.table.setRowCount(len(exp.points))
        for r in range(len(exp.points)):
            for c, cell in enumerate(texts.point_row(exp, r)):
                item = QTableWidgetItem(cell)
                if exp.carried[r]:
                    item.setForeground(Qt.darkGray)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)

    def set_focus(self, stage: int, row: int, average: bool, surface: str) -> None:
        """Show stage `stage` for batch row `row` (see the signals for the rest)."""
        exp = self.exp
        if exp is None:
            return
        self._stage = stage
        phase, col = self._stages[stage]
        self.phase_buttons[phase].setChecked(True)
        self.prev_button.setEnabled(stage > 0)
        self.next_button.setEnabled(stage < len(self._stages) - 1)
        self.where.setText(f"  step {stage + 1} of {len(self._stages)}")
        self.text.setText(texts.stage_html(exp, (phase, col), row, average, surface))
        if self.table.currentRow() != row:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)
        self.average_box.blockSignals(True)
        self.average_box.setChecked(average)
        self.average_box.blockSignals(False)
        self.average_box.setEnabled(phase == "backward")
        self.surface_row.setVisible(phase == "update")
        self.surface_buttons[surface].setChecked(True)

    def stage_text(self) -> str:
        """The stage's words as plain text (tests)."""
        return self.text.text()

    # -- user -----------------------------------------------------------------------------
    def _go_phase(self, phase: str) -> None:
        for k, (p, _) in enumerate(self._stages):
            if p == phase:
                self.stage_requested.emit(k)
                return

    def _row_picked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.point_requested.emit(rows[0].row())
