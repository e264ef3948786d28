"""The lessons panel alone, told what to show with made-up states: the prediction is locked
in before Run, the reveal shows the judged prediction and every claim, a teacher's text is
escaped, not run as markup."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nnviz.core.learn.lesson_runs import judge, judge_answer
from nnviz.core.learn.lessons import parse_lesson
from nnviz.core.learn.measures import MEASURES
from nnviz.gui.views.lessons import LessonsPanel, StepState
from nnviz.gui.views.lessons import texts

LESSON = parse_lesson('''title = "Made up <b>not bold</b>"
[[step]]
id = "a"
title = "Choose"
text = "Look **here** & there."
epochs = 5
claims = ["test_loss < 0.5"]
reveal = "Loss {test_loss:.2f}."
[step.question]
ask = "Which?"
answer = 2
choices = ["up", "down"]
[[step]]
title = "Read"
text = "Nothing runs."
''', "made-up")


def made_up(test_loss: float) -> dict[str, float]:
    return {name: 0.0 for name in MEASURES} | {"test_loss": test_loss}


def test_a_prediction_is_locked_in_before_run(qtbot) -> None:
    panel = LessonsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_step(LESSON, 0, StepState("ready"))
    assert not panel.run_button.isEnabled() and not panel.lock_button.isEnabled()
    assert "<b>here</b> &amp; there" in panel.text.text()
    panel.choices.button(1).click()
    with qtbot.waitSignal(panel.answered) as got:
        qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    assert got.args == [1]
    panel.show_step(LESSON, 0, StepState("ready", answer=1))
    assert panel.run_button.isEnabled() and not panel.choices.button(0).isEnabled()
    with qtbot.waitSignal(panel.run_requested):
        qtbot.mouseClick(panel.run_button, Qt.LeftButton)


def test_the_reveal_shows_the_judged_prediction_and_the_claims(qtbot) -> None:
    panel = LessonsPanel()
    qtbot.addWidget(panel)
    panel.show()
    step = LESSON.steps[0]
    result = judge(step, made_up(0.61), {})
    judged = judge_answer(step.question, 0, result)
    panel.show_step(LESSON, 0, StepState("revealed", 0, "", result, judged), {0})
    shown = panel.reveal_text.text()
    assert panel.reveal_box.isVisible() and "Loss 0.61." in shown
    assert "\u2718 You chose \u201cup\u201d; what happened was \u201cdown\u201d" in shown   # no claims: answer 2 is right
    assert "\u2718" in shown and "test_loss = 0.61 &lt; 0.5" in shown and "Not every claim holds" in shown
    with qtbot.waitSignal(panel.again_requested):
        qtbot.mouseClick(panel.run_button, Qt.LeftButton)       # "Run again"
    panel.show_step(LESSON, 1, StepState("read"), {0})
    assert not panel.run_button.isVisible() and not panel.question_box.isVisible()
    assert panel.next_button.text().startswith("Finish")


def test_catalogue_entries_escape_the_teachers_words(qtbot) -> None:
    panel = LessonsPanel()
    qtbot.addWidget(panel)
    panel.show_catalogue([("file:x", LESSON.title, "a < b", "done")])
    assert panel.list.count() == 1
    words = texts.catalogue_entry(LESSON.title, "a < b", "done")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in words and "a &lt; b" in words and "done" in words
    with qtbot.waitSignal(panel.lesson_chosen) as got:
        qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert got.args == ["file:x"]
