"""The learner's progress as kept in the settings file: a round trip, and a hand-edited or
spoiled entry read as far as it can be trusted, never more."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from nnviz.core.learn.lessons import builtin_lessons
from nnviz.core.learn.measures import MEASURES
from nnviz.gui.window.lesson_progress import fits, load_progress, save_progress, store_key


def test_round_trip_and_spoiled_entries(tmp_path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    measured = {name: 0.25 for name in MEASURES}
    save_progress(settings, "builtin:learning-rate", 2, {"small": 0.3, "large": 1}, {"small": measured}, {"small"})
    got = load_progress(settings, "builtin:learning-rate")
    assert got == {"known": True, "step": 2, "answers": {"small": 0.3, "large": 1},
                   "results": {"small": measured}, "done": {"small"}}
    assert load_progress(settings, "builtin:momentum")["known"] is False

    spoiled = {"step": True, "answers": {"a": "x", "b": 2}, "results": {"small": {"epoch": 1}},
               "done": ["small", 3]}
    settings.setValue(store_key("builtin:learning-rate"), json.dumps(spoiled))
    got = load_progress(settings, "builtin:learning-rate")
    assert got["step"] == 0 and got["answers"] == {"b": 2} and got["results"] == {} and got["done"] == {"small"}
    settings.setValue(store_key("builtin:learning-rate"), "{not json")
    assert load_progress(settings, "builtin:learning-rate")["known"] is False


def test_a_file_lessons_key_holds_no_slashes_and_answers_must_fit() -> None:
    assert "/" not in store_key("file:/home/me/lessons/mine.toml").removeprefix("lessons/progress/")
    lesson = next(l for l in builtin_lessons() if l.id == "learning-rate")
    number, choice = lesson.steps[0].question, lesson.steps[2].question
    assert fits(number, 0.5) and not fits(number, 7.0) and not fits(number, True)
    assert fits(choice, 2) and not fits(choice, 3) and not fits(choice, 1.0)
