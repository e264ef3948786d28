"""docs/lessons.md is the lesson schema a teacher reads: its example is a working lesson
whose claim holds, and every name it lists is one the reader knows (and none is missing)."""

from __future__ import annotations

import dataclasses
import re

from helpers import ROOT
from nnviz.core.config import Config
from nnviz.core.learn.classroom import CONTROLS
from nnviz.core.learn.lesson_runs import check_lesson
from nnviz.core.learn.lessons import parse_lesson
from nnviz.core.learn.measures import MEASURES

DOC = (ROOT / "docs" / "lessons.md").read_text(encoding="utf-8")


def _table(heading: str) -> list[str]:
    """The first column of the table under `heading` (its names in backquotes)."""
    part = DOC.split(heading, 1)[1]
    rows = re.findall(r"^\| `([^`]+)` +\|", part.split("\n#", 1)[0], re.M)
    assert rows, heading
    return rows


def test_the_example_lesson_reads_and_its_claim_holds() -> None:
    example = re.search(r"## A small lesson\n\n```toml\n(.*?)```", DOC, re.S).group(1)
    lesson = parse_lesson(example, "the example in docs/lessons.md")
    assert [s.id for s in lesson.steps] == ["one"] and lesson.steps[0].question.kind == "number"
    result = check_lesson(lesson)
    assert result.held, result.line()


def test_every_measure_is_listed_and_nothing_else() -> None:
    assert _table("### Measures") == list(MEASURES)


def test_every_classroom_name_is_listed_in_order() -> None:
    assert _table("## Classroom mode") == list(CONTROLS)


def test_every_setting_listed_is_a_setting() -> None:
    fields = {f.name for f in dataclasses.fields(Config)}
    listed = _table("### Settings")
    assert set(listed) <= fields and len(listed) >= 15


def test_the_readme_counts_the_lessons_right() -> None:
    from nnviz.core.learn.lessons import builtin_lessons
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "offers fifteen lessons" in readme and len(builtin_lessons()) == 15
    for name in ("lessons-question.png", "lessons-reveal.png", "classroom.png"):
        assert f"(docs/{name})" in readme and (ROOT / "docs" / name).is_file()
