"""The lessons panel in the real window: a whole lesson walked as a learner would (predict,
lock in, Run, reveal, Next), progress kept between runs of the program, and File > Open
lesson refusing a bad file with a message and the session left as it was."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt

from helpers.prompts import FakeMessageBox
from helpers.window import START_MS, act_and_wait, open_window
from nnviz.core.config import Config
from nnviz.core.learn.lessons import builtin_lessons
from nnviz.gui.window.main_window import MainWindow

RUN_MS = 30_000        # a step's run at its own pace (50 epochs at 20/s), on a busy machine


def wait_phase(qtbot, w: MainWindow, *phases: str, timeout: int = RUN_MS) -> None:
    qtbot.waitUntil(lambda: w.lessons.phase in phases, timeout=timeout)


def test_walk_the_backpropagation_lesson_to_its_last_reveal(window, qtbot) -> None:
    w, mode, panel = window, window.lessons, window.lessons.panel
    lesson = next(l for l in builtin_lessons() if l.id == "backpropagation")
    mode.open_key("builtin:backpropagation")
    assert w.lessons.dock.isVisible() and panel.pages.currentIndex() == 1

    # step 1 has no run: it opens explain mode at the backward pass
    wait_phase(qtbot, w, "read")
    qtbot.waitUntil(lambda: w.explain_mode.exp is not None and w.explain_mode.current_stage()[0] == "backward",
                    timeout=START_MS)
    assert not panel.run_button.isVisible() and not panel.question_box.isVisible()
    assert not panel.back_button.isEnabled()
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)

    # step 2: predict first; Run stays off until the prediction is locked in
    wait_phase(qtbot, w, "ready")
    step = lesson.steps[1]
    assert w.latest.config == step.config and w.latest.total_steps == 0
    assert panel.question_box.isVisible() and len(panel.choices.buttons()) == 3
    assert not panel.run_button.isEnabled() and not panel.lock_button.isEnabled()
    panel.choices.button(0).click()                   # "go down a little"
    qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    assert mode.answers[step.id] == 0 and panel.run_button.isEnabled()
    assert "go down a little" in panel.prediction.text()
    assert not panel.choices.button(1).isEnabled()    # locked in: no changing it after the fact
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    result, judged, _ = mode.current
    assert w.latest.total_steps == 1
    assert result.held and result.measures["steps"] == 1
    assert result.measures["train_loss"] < result.measures["start_train_loss"]
    assert judged == (True, "You chose \u201cgo down a little\u201d: right.")
    assert panel.reveal_box.isVisible()
    shown = panel.reveal_text.text()
    assert "\u2714 You chose" in shown and f"{result.measures['train_loss']:.4f}" in shown
    assert "claims hold on your run" in shown
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)

    # step 3: no question; 50 epochs at the step's pace, then the reveal
    wait_phase(qtbot, w, "ready")
    assert panel.run_button.isEnabled() and not panel.question_box.isVisible()
    assert w.training_bar.speed_value() == 20.0
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    result = mode.current[0]
    assert w.latest.epoch == 50 and not w.latest.playing
    assert result.held, result.failures()
    assert result.measures["gradient_last"] < 0.1 * mode.results["one-update"]["gradient_last"]
    assert panel.next_button.text().startswith("Finish")
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)

    # finished: back to the list, the lesson marked done, the learner's pace back
    assert mode.lesson is None and panel.pages.currentIndex() == 0
    assert mode._progress_words("builtin:backpropagation", lesson) == "done"
    # the network left on screen is the lesson's: the next lesson starts without asking to save it
    mode.open_key("builtin:forward-pass")
    assert mode.lesson.id == "forward-pass" and FakeMessageBox.asked == []


def test_the_learners_own_work_is_not_thrown_away_by_a_lesson(window, qtbot) -> None:
    w, mode = window, window.lessons
    act_and_wait(qtbot, w, w.step_epoch_requested.emit, lambda s: s.epoch == 1 and s.unsaved)
    FakeMessageBox.answers = [FakeMessageBox.Cancel]
    mode.open_key("builtin:learning-rate")
    assert len(FakeMessageBox.asked) == 1 and "start the lesson" in str(FakeMessageBox.asked[0])
    assert mode.lesson is None and w.latest.epoch == 1        # cancelled: nothing changed
    mode.open_key("builtin:learning-rate")                    # Discard this time
    wait_phase(qtbot, w, "ready")
    assert w.latest.epoch == 0 and w.latest.config.learning_rate == 0.0001


def test_a_number_prediction_is_judged_against_the_run(window, qtbot) -> None:
    w, mode, panel = window, window.lessons, window.lessons.panel
    mode.open_key("builtin:forward-pass")
    wait_phase(qtbot, w, "read")
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    wait_phase(qtbot, w, "ready")
    step = mode.lesson.steps[1]
    assert step.question.kind == "number" and panel.number.isVisible()
    panel.number.setValue(0.9)
    qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    assert mode.answers[step.id] == 0.9
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    result, (good, words), _ = mode.current
    actual = result.measures[step.question.measure]
    assert result.held, result.failures()
    assert good == (abs(0.9 - actual) <= step.question.close)
    assert f"You predicted 0.9; the run gave" in words


def test_progress_is_kept_between_runs_of_the_program(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path)
    w.lessons.open_key("builtin:forward-pass")
    wait_phase(qtbot, w, "read")
    qtbot.mouseClick(w.lessons.panel.next_button, Qt.LeftButton)
    wait_phase(qtbot, w, "ready")
    w.lessons.panel.number.setValue(0.25)
    qtbot.mouseClick(w.lessons.panel.lock_button, Qt.LeftButton)
    w.close()

    again = open_window(qtbot, tmp_path, remembered=True)      # the same settings file
    assert again.lessons.dock.isVisible() and again.lessons.key == "builtin:forward-pass"
    assert again.lessons.index == 1 and again.lessons.answers == {"pictures": 0.25}
    wait_phase(qtbot, again, "ready")
    assert again.lessons.panel.prediction.isVisible() and again.lessons.panel.run_button.isEnabled()
    again.close()


def test_a_bad_lesson_file_is_refused_and_the_session_is_kept(window, qtbot, tmp_path) -> None:
    w = window
    before = w.latest
    bad = tmp_path / "bad.toml"
    bad.write_text('format = "nnviz-lesson"\ntitle = "Broken"\n[[step]]\ntitle = "x"\ntext = "y"\n'
                   'epochs = 10\nclaims = ["accuracy > 0.5"]\n', encoding="utf-8")
    w.lessons.open_file(str(bad))
    assert 'unknown measure "accuracy"' in w.last_error and "bad.toml" in w.last_error
    assert "Could not open lesson" in w.statusBar().currentMessage()
    assert w.lessons.lesson is None
    assert w.controls.config() == before.config
    assert QSettings(w.settings.fileName(), QSettings.IniFormat).value("lessons/recent") in (None, [], "")


SMALL = """format = "nnviz-lesson"
title = "A teacher's lesson"
summary = "One step on the circle."

[settings]
dataset = "circle"
seed = 3

[[step]]
id = "ten"
title = "Ten epochs"
text = "Train for ten epochs."
epochs = 10
speed = 0
claims = ["epoch == 10"]
reveal = "Test loss {test_loss:.3f} after {epoch} epochs."
"""


def test_a_good_lesson_file_opens_from_anywhere_and_is_listed_after(window, qtbot, tmp_path) -> None:
    w, mode = window, window.lessons
    path = tmp_path / "elsewhere" / "mine.toml"
    path.parent.mkdir()
    path.write_text(SMALL, encoding="utf-8")
    mode.open_file(str(path))
    assert mode.lesson is not None and mode.lesson.title == "A teacher's lesson"
    wait_phase(qtbot, w, "ready")
    assert w.latest.config.seed == 3 and w.latest.config.dataset == "circle"
    qtbot.mouseClick(mode.panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    result = mode.current[0]
    assert result.held and w.latest.epoch == 10
    assert f"Test loss {result.measures['test_loss']:.3f} after 10 epochs." in mode.panel.reveal_text.text()
    qtbot.mouseClick(mode.panel.next_button, Qt.LeftButton)      # Finish
    assert f"file:{path}" in mode.lessons()                      # offered again in the list


def test_leaving_a_lesson_gives_back_the_learners_settings_of_view(window, qtbot) -> None:
    w, mode = window, window.lessons
    pace = w.training_bar.speed.currentIndex()
    mode.open_key("builtin:learning-rate")
    wait_phase(qtbot, w, "ready")
    assert w.training_bar.speed_value() == 60.0 and w.latest.config.learning_rate == 0.0001
    qtbot.mouseClick(mode.panel.list_button, Qt.LeftButton)
    assert mode.lesson is None and w.training_bar.speed.currentIndex() == pace


def test_a_run_paused_midway_goes_on_and_reveals_at_its_epoch(window, qtbot) -> None:
    w, mode, panel = window, window.lessons, window.lessons.panel
    mode.open_key("builtin:learning-rate")                # 300 epochs at 60 epochs/s
    wait_phase(qtbot, w, "ready")
    panel.number.setValue(0.5)
    qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.latest.playing and w.latest.epoch >= 3, timeout=RUN_MS)
    w.toggle_play()                                       # Space: the learner pauses
    wait_phase(qtbot, w, "paused")
    assert panel.run_button.text() == "Go on" and "paused" in panel.status.text()
    assert w.latest.epoch < 300 and mode.current is None  # nothing revealed yet
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    result = mode.current[0]
    assert w.latest.epoch == 300 and result.ended == "" and result.held, result.failures()


def test_a_run_before_the_prediction_is_locked_in_starts_the_step_again(window, qtbot) -> None:
    """The prediction must be blind: Play (or Step, Epoch) before locking it in stops the
    run and sets the step up again from its seed, with a word why."""
    w, mode, panel = window, window.lessons, window.lessons.panel
    mode.open_key("builtin:forward-pass")
    wait_phase(qtbot, w, "read")
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    wait_phase(qtbot, w, "ready")
    start = w.latest.weights[0].copy()
    for press in (w.toggle_play, w.step_epoch_requested.emit):
        press()
        qtbot.waitUntil(lambda: "prediction first" in w.statusBar().currentMessage(), timeout=RUN_MS)
        wait_phase(qtbot, w, "ready")
        qtbot.waitUntil(lambda: w.latest.total_steps == 0 and not w.latest.playing, timeout=RUN_MS)
        assert (w.latest.weights[0] == start).all() and mode.lesson.steps[1].id not in mode.answers
        w.statusBar().clearMessage()
    panel.number.setValue(0.5)                       # locked in: now a run is the step's run
    qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    assert mode.current[0].held


def test_a_step_trains_its_runs_side_by_side_and_reveals_its_own(window, qtbot) -> None:
    """The momentum step asks for plain SGD beside it: both runs start from the same weights,
    share the chart and sit as panels; the reveal is about the step's own run even when the
    learner clicked the other panel meanwhile; the next step brings its own runs, and a step
    without any leaves one run."""
    from nnviz.core.learn.lesson_runs import run_step
    w, mode, panel = window, window.lessons, window.lessons.panel
    lesson = next(l for l in builtin_lessons() if l.id == "momentum")
    sgd, momentum, nesterov = lesson.steps[:3]
    mode.open_key("builtin:momentum")
    wait_phase(qtbot, w, "ready")
    assert w.latest.runs == ()
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)     # plain SGD first: the momentum step's claims name it
    wait_phase(qtbot, w, "revealed")
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    wait_phase(qtbot, w, "ready")
    snap = w.latest
    assert snap.config == momentum.config and snap.active_run == 0
    assert [r.name for r in snap.runs] == ["momentum", "SGD"] and snap.runs[1].config == momentum.compare[0]
    starts = [t.initial_params() for t in w.worker.runs.trainers]
    assert starts[0].tobytes() == starts[1].tobytes()
    qtbot.waitUntil(lambda: len([p for p in w.runs_view.panels if p.isVisible()]) == 2, timeout=START_MS)
    panel.choices.button(0).click()
    qtbot.mouseClick(panel.lock_button, Qt.LeftButton)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.latest.playing and w.latest.epoch >= 2, timeout=RUN_MS)
    qtbot.waitUntil(lambda: w.runs_view.panels[1].width() > 50, timeout=START_MS)
    qtbot.mouseClick(w.runs_view.panels[1], Qt.LeftButton, pos=QPoint(30, 30))   # look at SGD meanwhile
    wait_phase(qtbot, w, "revealed")
    result = mode.current[0]
    snap = w.latest
    assert snap.active_run == 0 and snap.config == momentum.config and snap.epoch == 100
    assert result.held, result.failures()
    assert result.measures["test_loss"] == snap.test_loss == run_step(momentum).test_loss
    # the panel beside it is the first step's run, bit for bit: the SGD its reveal names
    assert snap.runs[1].epoch == 100 and snap.runs[1].test_loss == run_step(sgd).test_loss
    labels = [label.text for _, label in w.curves.legend.items]
    assert labels[:2] == ["momentum", "SGD"]
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    wait_phase(qtbot, w, "ready")
    assert [r.name for r in w.latest.runs] == ["Nesterov", "momentum", "SGD"]
    assert w.latest.config == nesterov.config and w.latest.epoch == 0
    mode.go(0)
    wait_phase(qtbot, w, "ready", "revealed")
    assert w.latest.runs == () and w.latest.config == sgd.config


def test_a_step_without_runs_side_by_side_removes_the_learners(window, qtbot) -> None:
    w, mode = window, window.lessons
    act_and_wait(qtbot, w, w.actions["classic"].trigger, lambda s: len(s.runs) == 3)
    mode.open_key("builtin:learning-rate")
    wait_phase(qtbot, w, "ready")
    assert w.latest.runs == () and w.latest.config == mode.lesson.steps[0].config


def test_a_step_shows_the_landscape_with_the_path_of_its_run(window, qtbot) -> None:
    """The learning-rate lesson's last step opens the Loss landscape tab on the path's plane;
    after its run the panel shows that run's whole path, from the step's fresh start. A step
    with runs side by side shows the Curves tab again, where their curves are."""
    w, mode, panel = window, window.lessons, window.lessons.panel
    lesson = next(l for l in builtin_lessons() if l.id == "learning-rate")
    index, step = next((k, s) for k, s in enumerate(lesson.steps) if s.view.landscape)
    mode.open_key("builtin:learning-rate")
    wait_phase(qtbot, w, "ready")
    assert w.lower_tabs.currentIndex() == 0
    mode.go(index)
    wait_phase(qtbot, w, "ready")
    assert w.lower_tabs.currentWidget() is w.landscape and w.landscape.settings().mode == "pca"
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    wait_phase(qtbot, w, "revealed")
    snap = w.latest
    assert mode.current[0].held, mode.current[0].failures()
    qtbot.waitUntil(lambda: w.landscape._result is not None and w.landscape._result.total_steps == snap.total_steps
                    and not w.landscape._dirty, timeout=60_000)
    r = w.landscape._result
    assert snap.total_steps == step.epochs == 40
    assert r.mode == "pca" and r.has_plane and r.loss == snap.train_loss
    assert len(r.path) == 41 and r.path_steps[0] == 0 and r.path_steps[-1] == 40
    mode.open_key("builtin:momentum")
    mode.go(1)                                   # plain SGD beside it
    wait_phase(qtbot, w, "ready")
    assert len(w.latest.runs) == 2 and w.lower_tabs.currentIndex() == 0


def test_no_two_actions_share_a_shortcut(window) -> None:
    """A shortcut two actions share fires neither (Qt calls it ambiguous)."""
    from PySide6.QtGui import QAction
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            assert key.toString() not in seen, (key.toString(), seen.get(key.toString()), action.text())
            seen[key.toString()] = action.text()
    assert seen["Ctrl+L"] == "Loss lands&cape" and seen["Ctrl+Shift+L"] == "Lessons &panel"
