"""The lessons panel: the list of lessons, and one lesson step by step.

A step shows what to look at and why, asks for a prediction before the run (a choice or a
number, locked in before Run can be pressed), runs, and reveals what the network did with
the lesson's claims checked. Back and Next move between steps.

A view like the others: it is told what to show (`show_catalogue`, `show_step` with a
StepState) and emits requests; the window sets the network up, runs it and judges it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.learn.lesson_runs import Outcome
from nnviz.core.learn.lessons import Lesson, Question, Step
from nnviz.gui.views.lessons import texts

PANEL_WIDTH = 340
BOX_STYLE = ("QFrame#%s { background: %s; border: 1px solid %s; border-radius: 6px; }")


@dataclass(frozen=True)
class StepState:
    """What the panel shows of the current step.

    phase: "setup" (the network is being set up), "ready" (Run may be pressed, once any
    question is answered), "running", "paused" (the learner paused the run), "revealed",
    or "read" (a step without a run).
    """

    phase: str = "setup"
    answer: object = None                        # the locked-in prediction: a choice index or a number
    progress: str = ""                           # e.g. "Epoch 120 of 300"
    outcome: Outcome | None = None
    judged: tuple[bool, str] | None = None       # how the prediction fared
    earlier: bool = False                        # the outcome is from a run made before (progress kept)


def _box(name: str, background: str, border: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    frame.setStyleSheet(BOX_STYLE % (name, background, border))
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(10, 8, 10, 8)
    lay.setSpacing(6)
    return frame, lay


def _label(rich: bool = True) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.RichText if rich else Qt.PlainText)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # wraps instead of widening the dock
    return label


class LessonsPanel(QWidget):
    """The catalogue page and the step page.

    Signals (requests):
        lesson_chosen(str): open the lesson with this key (see the window's lessons mode).
        open_file_requested(): the learner wants a lesson file of their own.
        catalogue_requested(): back to the list of lessons.
        step_requested(int): go to step k (Back / Next).
        answered(object): the prediction locked in: a choice index (int) or a number (float).
        run_requested(): run the step (or go on with a paused run).
        again_requested(): set the step up again and run it once more.
    """

    lesson_chosen = Signal(str)
    open_file_requested = Signal()
    catalogue_requested = Signal()
    step_requested = Signal(int)
    answered = Signal(object)
    run_requested = Signal()
    again_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lesson: Lesson | None = None
        self.index = 0
        self.state = StepState()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._catalogue_page())
        self.pages.addWidget(self._step_page())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.pages)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(PANEL_WIDTH, 700)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(260, 300)

    # -- the list of lessons ------------------------------------------------------------
    def _catalogue_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(8, 8, 8, 8)
        intro = _label()
        intro.setText("<div style='font-size: large; font-weight: 600'>Lessons</div>"
                      "<div style='color:#5f6368'>Each lesson sets the network up, asks what you expect, "
                      "runs it, and shows what happened. Double-click one to start.</div>")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda item: self.lesson_chosen.emit(item.data(Qt.UserRole)))
        self.open_button = QPushButton("Open a lesson file\u2026")
        self.open_button.setToolTip("A lesson a teacher wrote (a .toml file; docs/lessons.md says how)")
        self.open_button.clicked.connect(self.open_file_requested)
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start_chosen)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.start_button)
        lay.addWidget(intro)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        return page

    def _start_chosen(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is not None:
            self.lesson_chosen.emit(item.data(Qt.UserRole))

    def show_catalogue(self, entries: list[tuple[str, str, str, str]]) -> None:
        """entries: (key, title, summary, progress words) in curriculum order."""
        self.lesson = None
        self.list.clear()
        for key, title, summary, progress in entries:
            item = QListWidgetItem()
            item.setData(Qt.UserRole, key)
            label = _label()
            label.setText(texts.catalogue_entry(title, summary, progress))
            label.setContentsMargins(4, 4, 4, 4)
            label.setAttribute(Qt.WA_TransparentForMouseEvents)
            item.setToolTip(summary)
            self.list.addItem(item)
            self.list.setItemWidget(item, label)
            item.setSizeHint(QSize(0, label.heightForWidth(PANEL_WIDTH - 40) + 10))
        self.pages.setCurrentIndex(0)

    # -- one step -------------------------------------------------------------------------
    def _step_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(8, 6, 8, 8)
        outer.setSpacing(6)
        top = QHBoxLayout()
        self.list_button = QPushButton("\u2190 All lessons")
        self.list_button.setFlat(True)
        self.list_button.setToolTip("Back to the list of lessons (your progress is kept)")
        self.list_button.clicked.connect(self.catalogue_requested)
        top.addWidget(self.list_button)
        top.addStretch(1)
        outer.addLayout(top)

        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(0, 0, 4, 0)
        col.setSpacing(8)
        self.heading = _label()
        self.text = _label()
        col.addWidget(self.heading)
        col.addWidget(self.text)

        self.question_box, qlay = _box("questionBox", "#f3f7fb", "#b9d3ea")
        self.question_text = _label()
        qlay.addWidget(self.question_text)
        self.choices = QButtonGroup(self)
        self.choice_box = QWidget()
        self.choice_lay = QVBoxLayout(self.choice_box)
        self.choice_lay.setContentsMargins(0, 0, 0, 0)
        qlay.addWidget(self.choice_box)
        self.number = QDoubleSpinBox()
        self.number.setKeyboardTracking(True)
        qlay.addWidget(self.number)
        self.lock_button = QPushButton("Lock in my prediction")
        self.lock_button.clicked.connect(self._lock)
        self.choices.buttonToggled.connect(lambda *_: self._refresh_lock())
        qlay.addWidget(self.lock_button)
        self.prediction = _label()
        qlay.addWidget(self.prediction)
        col.addWidget(self.question_box)

        run_row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setMinimumHeight(32)
        self.run_button.clicked.connect(self._run_clicked)
        self.status = _label()
        self.status.setStyleSheet("color: #5f6368;")
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.status, 1)
        col.addLayout(run_row)

        self.reveal_box, rlay = _box("revealBox", "#fbfbf3", "#d8d6a8")
        self.reveal_title = QLabel("What happened")
        self.reveal_title.setStyleSheet("font-weight: 600;")
        self.reveal_text = _label()
        rlay.addWidget(self.reveal_title)
        rlay.addWidget(self.reveal_text)
        col.addWidget(self.reveal_box)
        col.addStretch(1)

        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll, 1)

        nav = QHBoxLayout()
        self.back_button = QPushButton("\u25c0 Back")
        self.next_button = QPushButton("Next \u25b6")
        self.back_button.clicked.connect(lambda: self.step_requested.emit(self.index - 1))
        self.next_button.clicked.connect(lambda: self.step_requested.emit(self.index + 1))
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        outer.addLayout(nav)
        return page

    def show_step(self, lesson: Lesson, index: int, state: StepState, done: set[int] = frozenset()) -> None:
        """Show step `index` of `lesson` in `state`; a new step rebuilds its question."""
        new_step = self.lesson is not lesson or self.index != index
        self.lesson, self.index, self.state = lesson, index, state
        step = lesson.steps[index]
        self.heading.setText(texts.heading(lesson.title, step.title, index, len(lesson.steps), set(done)))
        self.text.setText(texts.paragraphs(step.text))
        if new_step:
            self._build_question(step.question)
            self.scroll.verticalScrollBar().setValue(0)
        self._show_question(step.question, state)
        self._show_run(step, state)
        self._show_reveal(state)
        self.back_button.setEnabled(index > 0)
        last = index == len(lesson.steps) - 1
        self.next_button.setText("Finish \u2714" if last else "Next \u25b6")
        self.next_button.setToolTip("Back to the list of lessons" if last else "The next step")
        self.pages.setCurrentIndex(1)

    def _build_question(self, q: Question | None) -> None:
        for b in self.choices.buttons():
            self.choices.removeButton(b)
            b.deleteLater()
        self.question_box.setVisible(q is not None)
        if q is None:
            return
        self.question_text.setText("<b>Predict first.</b> " + texts.paragraphs(q.ask).replace(
            "<p style='margin: 0 0 8px 0'>", "", 1).replace("</p>", "", 1))
        for i, choice in enumerate(q.choices):
            b = QRadioButton(choice.text)
            b.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            self.choices.addButton(b, i)
            self.choice_lay.addWidget(b)
        self.choice_box.setVisible(q.kind == "choice")
        self.number.setVisible(q.kind == "number")
        if q.kind == "number":
            span = q.highest - q.lowest
            decimals = 3 if span <= 2 else 2 if span <= 20 else 0
            self.number.setDecimals(decimals)
            self.number.setRange(q.lowest, q.highest)
            self.number.setSingleStep(10 ** -max(decimals - 1, 0) if decimals else max(1, span // 20))
            self.number.setValue(q.lowest)
            self.number.setSpecialValueText("")

    def _show_question(self, q: Question | None, state: StepState) -> None:
        if q is None:
            return
        locked = state.answer is not None
        for b in self.choices.buttons():
            b.setEnabled(not locked)
        self.number.setEnabled(not locked)
        self.lock_button.setVisible(not locked)
        if locked:
            if q.kind == "choice":
                self.choices.button(int(state.answer)).setChecked(True)
                said = q.choices[int(state.answer)].text
            else:
                self.number.setValue(float(state.answer))
                said = self.number.textFromValue(float(state.answer))
            self.prediction.setText(f"Your prediction: <b>{said}</b>")
        else:
            self.prediction.setText("")
        self.prediction.setVisible(locked)
        self._refresh_lock()

    def _refresh_lock(self) -> None:
        q = self.lesson.steps[self.index].question if self.lesson is not None else None
        chosen = q is not None and (q.kind == "number" or self.choices.checkedId() >= 0)
        self.lock_button.setEnabled(chosen)

    def _lock(self) -> None:
        q = self.lesson.steps[self.index].question
        if q.kind == "choice":
            if self.choices.checkedId() >= 0:
                self.answered.emit(self.choices.checkedId())
        else:
            self.answered.emit(float(self.number.value()))

    def _show_run(self, step: Step, state: StepState) -> None:
        self.run_button.setVisible(step.runs)
        waiting = step.question is not None and state.answer is None
        what = f"{step.epochs:,} epochs" if step.epochs else (
            "one mini-batch update" if step.batches == 1 else f"{step.batches} mini-batch updates")
        texts_by_phase = {
            "setup": ("Run", False, "Setting the network up\u2026"),
            "ready": ("Run", not waiting, "Lock in a prediction first." if waiting else f"Runs {what}."),
            "running": ("Running\u2026", False, state.progress),
            "paused": ("Go on", True, state.progress + " \u2014 paused."),
            "revealed": ("Run again", True, "Sets the step up again and runs it."),
            "read": ("Run", False, ""),
        }
        label, enabled, status = texts_by_phase[state.phase]
        self.run_button.setText(label)
        self.run_button.setEnabled(enabled)
        self.run_button.setToolTip(f"Train the network for {what}" if step.runs else "")
        self.status.setText(status if step.runs else "")
        self.status.setVisible(step.runs)

    def _run_clicked(self) -> None:
        (self.again_requested if self.state.phase == "revealed" else self.run_requested).emit()

    def _show_reveal(self, state: StepState) -> None:
        self.reveal_box.setVisible(state.outcome is not None)
        if state.outcome is not None:
            self.reveal_text.setText(texts.reveal(state.outcome, state.judged, state.earlier))
