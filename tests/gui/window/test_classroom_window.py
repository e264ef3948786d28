"""Classroom mode in the real window: what the teacher hides is gone (widget, menu entry,
shortcut), what they lock is greyed out, and the choice survives saving a session or a
lesson and opening it in another window; presentation mode enlarges the text and gives it back."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from helpers.files import new_window, run_file
from helpers.window import START_MS
from nnviz.core.config import Config
from nnviz.core.learn.classroom import CONTROLS, Classroom
from nnviz.core.learn.lessons import read_lesson
from nnviz.gui.window import menus
from nnviz.gui.window.classroom_dialog import ClassroomDialog
from nnviz.gui.window.lessons_menu import save_lesson_as
from nnviz.gui.window.main_window import MainWindow

ROOM = Classroom(hide=frozenset({"learning_rate", "play", "dataset", "edit", "draw", "label_noise"}),
                 lock=frozenset({"seed", "activation", "reset"}))


def looks_like(w: MainWindow, room: Classroom) -> None:
    """The window shows `room`: hidden things gone, locked things greyed, the rest as usual."""
    train, data, bar, net = w.controls.training, w.controls.data, w.training_bar, w.controls.network
    hidden = "learning_rate" in room.hide
    assert train.form.isRowVisible(train.learning_rate) is not hidden
    assert bar.play_button.isVisibleTo(w) is ("play" not in room.hide)
    assert w.actions["play"].isVisible() is ("play" not in room.hide)
    shown = [b.isVisibleTo(w) for b in data.dataset_buttons.values()]   # a problem type shows its own sets
    assert not any(shown) if "dataset" in room.hide else sum(shown) >= 4
    assert data.seed.isEnabled() is ("seed" not in room.lock)
    assert net.activation.isEnabled() is ("activation" not in room.lock)
    assert bar.reset_button.isEnabled() is ("reset" not in room.lock)
    assert w.actions["reset"].isEnabled() is ("reset" not in room.lock)
    assert w.topology.editable is ("edit" not in room.hide | room.lock)
    assert w.actions["draw"].isVisible() is ("draw" not in room.hide)
    assert data.form.isRowVisible(data.label_noise) is ("label_noise" not in room.hide)
    assert train.form.isRowVisible(train.reg_rate) and data.noise.isEnabled()    # untouched
    assert w.classroom.note.isVisibleTo(w) is room.active


def test_every_control_name_has_something_on_screen(window) -> None:
    targets = window.classroom.targets
    assert set(targets) == set(CONTROLS) and len(CONTROLS) == 35
    assert all(t.rows or t.widgets or t.actions for n, t in targets.items() if n != "edit")


def test_hiding_survives_saving_the_session_and_opening_it_elsewhere(qtbot, tmp_path, dialogs) -> None:
    a = new_window(qtbot, tmp_path / "a")
    a.classroom.apply(ROOM)
    looks_like(a, ROOM)
    a.actions["play"].trigger()                     # a hidden action does nothing, even by shortcut
    assert not a.latest.playing
    path = tmp_path / "class.nnviz"
    dialogs.choose(path, menus.SESSION_FILTER)
    assert run_file(qtbot, a, a.actions["save_as"].trigger)[:2] == ("done", "save_session")

    b = new_window(qtbot, tmp_path / "b")
    looks_like(b, Classroom())
    assert run_file(qtbot, b, lambda: b.file_actions.open_session(str(path)))[:2] == ("done", "open_session")
    assert b.classroom.current == ROOM
    looks_like(b, ROOM)
    # the controls panel redraws rows for each Config (Adam's parameters, say): the choice holds
    b.controls.set_config(b.controls.config().replace(optimizer="adam"))
    looks_like(b, ROOM)
    b.classroom.apply(Classroom())                  # the teacher shows everything again
    looks_like(b, Classroom())
    a.close()
    b.close()


def test_the_choice_is_kept_when_the_program_starts_again(qtbot, tmp_path) -> None:
    from helpers.window import open_window
    a = open_window(qtbot, tmp_path)
    a.classroom.apply(ROOM)
    a.close()
    b = open_window(qtbot, tmp_path, remembered=True)
    assert b.classroom.current == ROOM
    looks_like(b, ROOM)
    b.close()


def test_hiding_saved_with_a_lesson_comes_back_when_it_is_opened(qtbot, tmp_path) -> None:
    a = new_window(qtbot, tmp_path / "a")
    a.lessons.open_key("builtin:learning-rate")
    qtbot.waitUntil(lambda: a.lessons.phase == "ready", timeout=START_MS)
    a.classroom.apply(ROOM)
    path = tmp_path / "handout" / "rate.toml"
    path.parent.mkdir()
    assert save_lesson_as(a, str(path))
    handed = read_lesson(path)
    assert handed.classroom == ROOM and handed.steps == a.lessons.lesson.steps   # the lesson itself unchanged
    a.close()

    b = new_window(qtbot, tmp_path / "b")
    b.lessons.open_file(str(path))
    qtbot.waitUntil(lambda: b.lessons.phase == "ready", timeout=START_MS)
    assert b.classroom.current == ROOM
    looks_like(b, ROOM)
    qtbot.mouseClick(b.lessons.panel.list_button, Qt.LeftButton)   # leaving the lesson: its hiding goes
    looks_like(b, Classroom())
    b.close()


def test_the_teachers_dialog_reads_and_makes_the_choice(qtbot) -> None:
    dialog = ClassroomDialog(None, ROOM, lesson_open=False)
    qtbot.addWidget(dialog)
    assert dialog.classroom() == ROOM
    assert not dialog.save_lesson.isEnabled()
    dialog.set_state("noise", "hidden")
    dialog.set_state("seed", "")
    assert dialog.classroom() == Classroom(ROOM.hide | {"noise"}, ROOM.lock - {"seed"})
    dialog._show_all()
    assert dialog.classroom() == Classroom()


def test_presentation_mode_enlarges_the_text_and_gives_it_back(window, qtbot) -> None:
    app = QApplication.instance()
    size = app.font().pointSizeF()
    window.actions["presentation"].setChecked(True)
    assert window.presentation.active and app.font().pointSizeF() > 1.3 * size
    qtbot.waitUntil(window.isFullScreen, timeout=5_000)
    window.actions["presentation"].setChecked(False)
    assert app.font().pointSizeF() == size and not window.isFullScreen()
    assert window.actions["presentation"].shortcut().toString() == "F11"


def test_a_file_read_unlocking_the_controls_keeps_the_teachers_locks(window) -> None:
    window.classroom.apply(ROOM)
    window.begin_file_read("a file")         # the window locks every setting while a file is read…
    window.end_file_read()                   # …and unlocks them after: not the teacher's
    looks_like(window, ROOM)
