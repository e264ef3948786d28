"""Writing a teacher's classroom choice into a lesson file: its own module as it is the
one place a lesson is written, not read."""

from __future__ import annotations

from nnviz.core.errors import FormatError
from nnviz.core.files.atomic import atomic_write_bytes
from nnviz.core.learn.classroom import Classroom, replace_table
from nnviz.core.learn.lessons import Lesson, parse_lesson


def with_classroom(lesson: Lesson, classroom: Classroom) -> str:
    """The lesson's own text with its [classroom] table replaced; read back and compared
    before it is returned, so a file whose table cannot be rewritten in place (an inline
    classroom = {...}) is refused with a message rather than written wrong."""
    if not lesson.text:
        raise FormatError("this lesson has no text of its own to rewrite")
    text = replace_table(lesson.text, classroom)
    try:
        again = parse_lesson(text, lesson.id, lesson.id, lesson.path)
    except FormatError as exc:
        raise FormatError(f"the classroom table of {lesson.id} cannot be rewritten in place ({exc}); "
                          "write it as a [classroom] table by hand") from None
    if again.classroom != classroom or again.steps != lesson.steps:
        raise FormatError(f"the classroom table of {lesson.id} cannot be rewritten in place; "
                          "write it as a [classroom] table by hand")
    return text


def save_with_classroom(lesson: Lesson, classroom: Classroom, path) -> None:
    """Write the lesson with `classroom` to `path` (atomically: all or nothing)."""
    atomic_write_bytes(path, with_classroom(lesson, classroom).encode("utf-8"))
