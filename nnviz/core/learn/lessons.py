"""Lessons: short sequences of steps a teacher writes as a TOML file, read without trust.

A step says what to look at (its text), sets the network up (settings), may ask the
learner to predict (a choice, or a number such as the test loss), runs (epochs or
mini-batches), and reveals what the network did, checked against the lesson's claims.
docs/lessons.md is the schema; resources/lessons/ holds the built-in curriculum.

Reading follows the rules of every reader in core/files: the size is checked before the
file is parsed, only regular files are read, every mistake becomes one FormatError in
words (which step, which key, the value quoted short), and nothing in the file is ever
executed: claims and texts have a grammar of their own (claims.py), settings go through
Config.from_dict.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nnviz.core.config import COMPARABLE, CUSTOM, Config
from nnviz.core.errors import FormatError, quote
from nnviz.core.files.safe_read import display_name, read_bytes, reader_boundary
from nnviz.core.learn.claims import Claim, ClaimError, check_text, parse_claim
from nnviz.core.learn.classroom import Classroom
from nnviz.core.learn.explain import PHASES
from nnviz.core.learn.lesson_fields import (
    check_keys,
    read_count,
    read_number,
    read_text,
)
from nnviz.core.learn.measures import MEASURES
from nnviz.core.limits import MAX_LESSON_BYTES
from nnviz.core.paths import resource

if sys.version_info >= (3, 11):
    import tomllib
else:   # the same parser, as a package, before Python 3.11
    import tomli as tomllib

LESSON_FORMAT = "nnviz-lesson"
LESSON_VERSION = 1
MAX_STEPS = 30
MAX_TEXT = 4000          # characters of one text (a step's, a reveal's)
MAX_TITLE = 120
MAX_CHOICES = 6
MAX_CLAIMS = 12
MAX_COMPARE = 3          # runs beside the step's own: the window trains at most 4 side by side
MAX_RUN_EPOCHS = 20_000  # a step's run; the headless check runs every one of them
MAX_RUN_BATCHES = 1_000
SPEEDS = (0.0, 1.0, 5.0, 20.0, 60.0, 200.0, 1000.0)   # epochs/s the training bar offers; 0 = fastest
LINK_COLOURS = ("weight", "gradient", "update", "velocity")
VIEW_SWITCHES = ("show_test", "discretize", "log_scale", "highlight")   # the View menu's switches
LANDSCAPE_PLANES = ("pca", "random")   # the landscape panel's planes a lesson may choose (two picked
                                       # parameters are the learner's own choice)
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


@dataclass(frozen=True)
class Choice:
    text: str
    claim: Claim | None = None       # when it holds on the run, this choice is the right one


@dataclass(frozen=True)
class Question:
    """Asked before the run. A choice question has choices and the index of the right
    one; a number question names the measure the learner's guess is compared with."""

    ask: str
    choices: tuple[Choice, ...] = ()
    answer: int = -1                 # 0-based index into choices
    measure: str = ""                # number questions: a name of MEASURES
    close: float = 0.0               # a guess within this of the measure counts as close
    lowest: float = 0.0              # the range the learner may type in
    highest: float = 1.0

    @property
    def kind(self) -> str:
        return "number" if self.measure else "choice"


@dataclass(frozen=True)
class View:
    """What the window shows for a step; None leaves the learner's own choice."""

    show_test: bool | None = None
    discretize: bool | None = None
    log_scale: bool | None = None
    highlight: bool | None = None
    link_colour: str | None = None
    explain: str | None = None       # open explain-one-step mode at this phase
    landscape: bool | str | None = None  # the Loss landscape tab (True, or a plane), or the Curves tab (False)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str
    config: Config                   # the lesson's settings, then the step's, then the run's stop
    epochs: int = 0                  # play this many epochs (0: no run)
    batches: int = 0                 # or make this many single mini-batch updates
    speed: float | None = None       # epochs/s while it runs (None: the learner's speed)
    view: View = field(default_factory=View)
    question: Question | None = None
    claims: tuple[Claim, ...] = ()
    reveal: str = ""
    compare: tuple[Config, ...] = ()  # runs side by side: the step's settings with a few changed

    @property
    def runs(self) -> bool:
        return bool(self.epochs or self.batches)

    def changes(self, index: int) -> dict:
        """The settings comparison run `index` changes, as the Runs menu asks for them."""
        other = self.compare[index]
        return {f: getattr(other, f) for f in COMPARABLE if getattr(other, f) != getattr(self.config, f)}


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    order: int = 1000                # position among the built-in lessons
    classroom: Classroom = Classroom()
    path: str = ""                   # where it was read from ("" for text)
    text: str = ""                   # the TOML text itself, for rewriting its classroom table


# -- reading ---------------------------------------------------------------------------------
def read_lesson(path) -> Lesson:
    """A lesson file, checked from top to bottom; FormatError says what is wrong."""
    name = display_name(path)
    data = read_bytes(path, MAX_LESSON_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{name} is not UTF-8 text (byte {exc.start}): not a lesson file") from None
    stem = Path(os.fspath(path)).stem
    return parse_lesson(text, name, stem if _ID.fullmatch(stem) else "lesson", os.fspath(path))


def parse_lesson(text: str, name: str = "lesson", default_id: str = "lesson", path: str = "") -> Lesson:
    """A lesson from its TOML text; `name` is used in messages."""
    if len(text) > MAX_LESSON_BYTES:
        raise FormatError(f"{name} is {len(text) / 2**10:.0f} kB; a lesson is at most {MAX_LESSON_BYTES // 2**10} kB")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{name} is not valid TOML ({exc})") from None
    except RecursionError:
        raise FormatError(f"{name} is nested too deeply to be a lesson") from None
    with reader_boundary(name):
        return _lesson(raw, name, default_id, path, text)


def _lesson(raw: dict, name: str, default_id: str, path: str, text: str) -> Lesson:
    check_keys(raw, {"format", "version", "id", "title", "summary", "order", "settings", "classroom", "step"}, name)
    if raw.get("format", LESSON_FORMAT) != LESSON_FORMAT:
        raise FormatError(f"{name}: format is {quote(raw.get('format'))}, not \"{LESSON_FORMAT}\"")
    version = raw.get("version", LESSON_VERSION)
    if version != LESSON_VERSION:
        raise FormatError(f"{name} is a lesson of version {quote(version)}; this nnviz reads version {LESSON_VERSION}")
    lesson_id = raw.get("id", default_id)
    if not isinstance(lesson_id, str) or not _ID.fullmatch(lesson_id):
        raise FormatError(f"{name}: id {quote(lesson_id)} must be a short name of letters, digits, - and _")
    title = read_text(raw, "title", name, MAX_TITLE, required=True)
    summary = read_text(raw, "summary", name, MAX_TEXT)
    order = raw.get("order", 1000)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 10**6:
        raise FormatError(f"{name}: order must be a whole number 0..1000000")
    base = raw.get("settings", {})
    if not isinstance(base, dict):
        raise FormatError(f"{name}: settings must be a table of nnviz settings")
    _config(base, {}, 0, f"{name}, settings")
    classroom = Classroom.from_dict(raw.get("classroom"), f"{name}, classroom")
    steps_raw = raw.get("step")
    if not isinstance(steps_raw, list) or not steps_raw or not all(isinstance(s, dict) for s in steps_raw):
        raise FormatError(f"{name} has no steps: write each one as a [[step]] table")
    if len(steps_raw) > MAX_STEPS:
        raise FormatError(f"{name} has {len(steps_raw)} steps; a lesson has at most {MAX_STEPS}")
    steps: list[Step] = []
    for i, s in enumerate(steps_raw):
        steps.append(_step(s, base, tuple(st.id for st in steps), f"{name}, step {i + 1}", i))
    return Lesson(lesson_id, title, summary, tuple(steps), order, classroom, path, text)


def _step(raw: dict, base: dict, earlier: tuple[str, ...], where: str, index: int) -> Step:
    check_keys(raw, {"id", "title", "text", "settings", "epochs", "batches", "speed", "view", "question",
                "claims", "reveal", "compare"}, where)
    step_id = raw.get("id", f"step{index + 1}")
    if not isinstance(step_id, str) or not _ID.fullmatch(step_id) or step_id in MEASURES:
        raise FormatError(f"{where}: id {quote(step_id)} must be a short name of letters, digits, - and _ "
                          "(and not the name of a measure)")
    if step_id in earlier:
        raise FormatError(f"{where}: the id {quote(step_id)} is used by an earlier step")
    title = read_text(raw, "title", where, MAX_TITLE, required=True)
    text = read_text(raw, "text", where, MAX_TEXT, required=True)
    epochs = read_count(raw, "epochs", MAX_RUN_EPOCHS, where)
    batches = read_count(raw, "batches", MAX_RUN_BATCHES, where)
    if epochs and batches:
        raise FormatError(f"{where}: a step runs epochs or batches, not both")
    settings = raw.get("settings", {})
    if not isinstance(settings, dict):
        raise FormatError(f"{where}: settings must be a table of nnviz settings")
    config = _config(base, settings, epochs, f"{where}, settings")
    speed = raw.get("speed")
    if speed is not None and (isinstance(speed, bool) or speed not in SPEEDS):
        raise FormatError(f"{where}: speed {quote(speed)} is not one the training bar offers "
                          f"({', '.join(f'{s:g}' for s in SPEEDS[1:])} epochs/s, or 0 for as fast as it goes)")
    view = _view(raw.get("view", {}), where)
    if view.explain and (epochs or batches):
        raise FormatError(f"{where}: a step that opens explain mode makes no run of its own "
                          "(the learner applies the explained update)")
    compare = _compare(raw.get("compare", []), config, f"{where}, compare")
    if compare and not (epochs or batches):
        raise FormatError(f"{where}: runs side by side (compare) train beside the step's run; "
                          "give the step epochs or batches")
    question = _question(raw["question"], earlier, f"{where}, question") if "question" in raw else None
    if question is not None and not (epochs or batches):
        raise FormatError(f"{where}: a question is asked before a run; give the step epochs or batches")
    claims_raw = raw.get("claims", [])
    if not isinstance(claims_raw, list) or not all(isinstance(c, str) for c in claims_raw):
        raise FormatError(f"{where}: claims must be a list of texts such as \"test_loss < 0.1\"")
    if len(claims_raw) > MAX_CLAIMS:
        raise FormatError(f"{where}: at most {MAX_CLAIMS} claims")
    if claims_raw and not (epochs or batches):
        raise FormatError(f"{where}: claims are about a run; give the step epochs or batches")
    claims = tuple(_claim(c, earlier, where) for c in claims_raw)
    reveal = read_text(raw, "reveal", where, MAX_TEXT)
    for label, t in (("text", text), ("reveal", reveal)):
        try:
            check_text(t, earlier, f"{where}, {label}")
        except ClaimError as exc:
            raise FormatError(str(exc)) from None
    return Step(step_id, title, text, config, epochs, batches, None if speed is None else float(speed),
                view, question, claims, reveal, compare)


def _compare(raw: object, config: Config, where: str) -> tuple[Config, ...]:
    """Each entry: a table of the settings a run side by side changes (the Runs menu's rule:
    never the data or the network's shape), trained from the same start as the step's run."""
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise FormatError(f"{where} must be a list of tables of settings, such as [{{ optimizer = \"sgd\" }}]")
    if len(raw) > MAX_COMPARE:
        raise FormatError(f"{where}: at most {MAX_COMPARE} runs beside the step's own")
    out: list[Config] = []
    for k, changes in enumerate(raw):
        at = f"{where}, run {k + 1}"
        if not changes:
            raise FormatError(f"{at} changes no setting")
        other = sorted(set(changes) - set(COMPARABLE))
        if other:
            raise FormatError(f"{at}: {quote(other[0])} cannot differ in a run side by side, which shares the "
                              f"data and the network's shape (it may change {', '.join(COMPARABLE)})")
        try:
            run = Config.from_dict({**config.to_dict(), **changes})   # the types checked as a file's are
        except ValueError as exc:
            raise FormatError(f"{at}: {exc}") from None
        if run == config:
            raise FormatError(f"{at} changes nothing: its settings are the step's own")
        if run in out:
            raise FormatError(f"{at} is the same as run {out.index(run) + 1}")
        out.append(run)
    return tuple(out)


def _question(raw: object, earlier: tuple[str, ...], where: str) -> Question:
    if not isinstance(raw, dict):
        raise FormatError(f"{where} must be a table with ask = \"...\"")
    check_keys(raw, {"ask", "choices", "answer", "number", "close", "lowest", "highest"}, where)
    ask = read_text(raw, "ask", where, MAX_TEXT, required=True)
    if ("choices" in raw) == ("number" in raw):
        raise FormatError(f"{where}: give either choices = [...] or number = \"a measure\"")
    if "number" in raw:
        measure = raw["number"]
        if measure not in MEASURES:
            raise FormatError(f"{where}: number = {quote(measure)} is not a measure (docs/lessons.md lists them)")
        lowest, highest, close = (read_number(raw, k, d, where) for k, d in (("lowest", 0.0), ("highest", 1.0),
                                                                          ("close", 0.0)))
        if not lowest < highest or close < 0:
            raise FormatError(f"{where}: lowest must be below highest, and close at least 0")
        return Question(ask, measure=measure, close=close or (highest - lowest) / 10, lowest=lowest, highest=highest)
    if set(raw) & {"close", "lowest", "highest"}:
        raise FormatError(f"{where}: close, lowest and highest belong to number questions")
    items = raw["choices"]
    if not isinstance(items, list) or not 2 <= len(items) <= MAX_CHOICES:
        raise FormatError(f"{where}: choices must be a list of 2 to {MAX_CHOICES} answers")
    choices = []
    for k, item in enumerate(items):
        at = f"{where}, choice {k + 1}"
        if isinstance(item, str):
            choices.append(Choice(read_text({"text": item}, "text", at, MAX_TITLE * 2, required=True)))
        elif isinstance(item, dict):
            check_keys(item, {"text", "claim"}, at)
            claim = _claim(item["claim"], earlier, at) if "claim" in item else None
            choices.append(Choice(read_text(item, "text", at, MAX_TITLE * 2, required=True), claim))
        else:
            raise FormatError(f"{at} must be a text, or a table with text and claim")
    if len({c.claim is None for c in choices}) > 1:
        raise FormatError(f"{where}: give every choice a claim, or none")
    answer = raw.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(choices):
        raise FormatError(f"{where}: answer must be the number of the right choice, 1..{len(choices)}")
    return Question(ask, tuple(choices), answer - 1)


def _view(raw: object, where: str) -> View:
    if not isinstance(raw, dict):
        raise FormatError(f"{where}: view must be a table")
    check_keys(raw, {*VIEW_SWITCHES, "link_colour", "explain", "landscape"}, f"{where}, view")
    values = {}
    for key in VIEW_SWITCHES:
        if key in raw:
            if not isinstance(raw[key], bool):
                raise FormatError(f"{where}, view: {key} must be true or false")
            values[key] = raw[key]
    if "link_colour" in raw and raw["link_colour"] not in LINK_COLOURS:
        raise FormatError(f"{where}, view: link_colour must be one of {', '.join(LINK_COLOURS)}")
    if "explain" in raw and raw["explain"] not in PHASES:
        raise FormatError(f"{where}, view: explain must be one of {', '.join(PHASES)}")
    landscape = raw.get("landscape")
    if landscape is not None and not isinstance(landscape, bool) and landscape not in LANDSCAPE_PLANES:
        raise FormatError(f"{where}, view: landscape must be true, false, or a plane: "
                          f"{', '.join(LANDSCAPE_PLANES)}, not {quote(landscape)}")
    return View(**values, link_colour=raw.get("link_colour"), explain=raw.get("explain"), landscape=landscape)


def _config(base: dict, step: dict, epochs: int, where: str) -> Config:
    merged = {**base, **step}
    if epochs:
        merged["stop_epoch"] = epochs      # the run pauses itself there, as Stop at epoch does
    try:
        config = Config.from_dict(merged)
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None
    if config.dataset in CUSTOM:
        raise FormatError(f"{where}: a lesson generates its data; {quote(config.dataset)} holds the user's own points")
    return config


def _claim(text: object, earlier: tuple[str, ...], where: str) -> Claim:
    try:
        return parse_claim(text, earlier)   # type: ignore[arg-type]
    except ClaimError as exc:
        raise FormatError(f"{where}: {exc}") from None


# -- the built-in curriculum -------------------------------------------------------------------
def lesson_files() -> list[Path]:
    """The built-in lesson files (resources/lessons/*.toml), in file-name order."""
    return sorted(resource("lessons").glob("*.toml"))


def builtin_lessons() -> list[Lesson]:
    """Every built-in lesson, in curriculum order (their `order`, then id)."""
    return sorted((read_lesson(p) for p in lesson_files()), key=lambda l: (l.order, l.id))
