"""The Lessons menu, File > Open lesson, classroom mode's dialog and View > Presentation mode.

Kept apart from menus.py because they are built after the lessons and classroom controllers
that they drive (lessons_mode.py, classroom.py).
"""

from __future__ import annotations

import os

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from nnviz.core.errors import FormatError
from nnviz.core.learn.lesson_classroom import save_with_classroom
from nnviz.gui.window.classroom_dialog import ClassroomDialog
from nnviz.gui.window.lessons_mode import LESSON_FILTER
from nnviz.gui.window.menus import _add


def build_lessons_menu(w) -> dict[str, QAction]:
    """The Lessons menu (before Help), File > Open lesson, View > Presentation mode."""
    acts: dict[str, QAction] = {}
    bar = w.menuBar()
    help_action = next(a for a in bar.actions() if a.text() == "&Help")
    menu = bar.addMenu("&Lessons")
    bar.insertMenu(help_action, menu)
    panel = w.lessons.dock.toggleViewAction()
    panel.setText("Lessons &panel")
    panel.setShortcut(QKeySequence("Ctrl+Shift+L"))   # Ctrl+L: View > Loss landscape
    panel.setStatusTip("Show or hide the lessons: predict, run, and see what happened")
    menu.addAction(panel)
    acts["lessons_panel"] = panel
    menu.addSeparator()
    for key, lesson in w.lessons.builtin.items():
        acts[f"lesson:{lesson.id}"] = _add(menu, w, lesson.title, lambda _=False, k=key: w.lessons.open_key(k),
                                           tip=lesson.summary)
    menu.addSeparator()
    acts["open_lesson"] = _add(menu, w, "&Open lesson file\u2026", lambda: w.lessons.open_file(), "Ctrl+Shift+O",
                               "Open a lesson written as a .toml file (docs/lessons.md)")
    menu.addSeparator()
    acts["classroom"] = _add(menu, w, "&Classroom mode\u2026", lambda: edit_classroom(w),
                             tip="Hide or lock controls for a class, and save that with a session or lesson")
    acts["save_lesson"] = _add(menu, w, "&Save lesson as\u2026", lambda: save_lesson_as(w),
                               tip="Write the open lesson, with the classroom choice, to a file to hand out")
    menu.aboutToShow.connect(lambda: acts["save_lesson"].setEnabled(w.lessons.lesson is not None))

    file_menu = bar.actions()[0].menu()
    after = w.recent_menu.menuAction()
    following = file_menu.actions()[file_menu.actions().index(after) + 1]
    file_open_lesson = _add(file_menu, w, "Open &lesson\u2026", lambda: w.lessons.open_file(),
                            tip="Open a lesson written as a .toml file")
    file_menu.removeAction(file_open_lesson)        # added at the end; it belongs after Open recent
    file_menu.insertAction(following, file_open_lesson)
    acts["file_open_lesson"] = file_open_lesson

    view_menu = next(a.menu() for a in bar.actions() if a.text() == "&View")
    view_menu.addSeparator()
    acts["presentation"] = _add(view_menu, w, "&Presentation mode", w.presentation.set_active, "F11",
                                "Full screen with larger text, for a projector (F11 again to leave)",
                                checkable=True)
    return acts


def edit_classroom(w) -> None:
    """The teacher's dialog; OK applies the choice, a save button also saves it."""
    dialog = ClassroomDialog(w, w.classroom.current, w.lessons.lesson is not None)
    if not dialog.exec():
        return
    w.classroom.apply(dialog.classroom())
    if dialog.action == "session":
        w.file_actions.save_session_as()
    elif dialog.action == "lesson":
        save_lesson_as(w)


def save_lesson_as(w, path: str = "") -> bool:
    """Write the open lesson with the window's classroom choice (a file dialog unless `path`)."""
    lesson = w.lessons.lesson
    if lesson is None:
        w.show_message("Open a lesson first: Lessons menu, or File > Open lesson.")
        return False
    if not path:
        name = os.path.basename(lesson.path) if lesson.path else f"{lesson.id}.toml"
        folder = str(w.settings.value("files/last_dir", os.path.expanduser("~")))
        path, _ = QFileDialog.getSaveFileName(w, "Save lesson", os.path.join(folder, name), LESSON_FILTER)
        if not path:
            return False
        if not os.path.splitext(path)[1]:
            path += ".toml"
        w.settings.setValue("files/last_dir", os.path.dirname(path))
    try:
        save_with_classroom(lesson, w.classroom.current, path)
    except FormatError as exc:
        w.file_actions.on_failed("save_lesson", str(exc))
        return False
    except OSError as exc:
        w.file_actions.on_failed("save_lesson", f"{path}: {exc.strerror or exc}")
        return False
    w.show_message(f"Saved the lesson with its classroom settings: {path}")
    return True
