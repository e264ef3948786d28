"""`python -m nnviz.lessons`: list the lessons, or run every claim they make, without a window.

    python -m nnviz.lessons                 the built-in lessons, one line each
    python -m nnviz.lessons --check         run each lesson's steps headless, one line per lesson
    python -m nnviz.lessons --check my.toml check a lesson file of your own (any number of them)

The check makes each step's run as the window would (same settings and seed) and judges
its claims, exactly as the tests do; the exit status is 0 when every claim holds, 1 when
one does not, 2 when a file cannot be read. No Qt is imported.
"""

from __future__ import annotations

import argparse
import sys

from nnviz.core.errors import FormatError
from nnviz.core.learn.lessons import Lesson, builtin_lessons, read_lesson


def _load(paths: list[str]) -> tuple[list[Lesson], list[str]]:
    if not paths:
        return builtin_lessons(), []
    lessons, errors = [], []
    for path in paths:
        try:
            lessons.append(read_lesson(path))
        except FormatError as exc:
            errors.append(f"{path}: {exc}")
    return lessons, errors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnviz.lessons", description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="*", help="lesson files (default: the built-in lessons)")
    p.add_argument("--check", action="store_true", help="run every step's claims headless")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    lessons, errors = _load(args.files)
    for line in errors:
        print(line, file=sys.stderr)
    if not args.check:
        for lesson in lessons:
            print(f"{lesson.id:24s} {lesson.title} ({len(lesson.steps)} steps)")
        return 2 if errors else 0
    from nnviz.core.learn.lesson_runs import check_lesson
    failed = False
    for lesson in lessons:
        result = check_lesson(lesson)
        failed |= not result.held
        print(result.line(), flush=True)
    return 2 if errors else 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
