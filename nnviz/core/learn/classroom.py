"""Classroom mode: the controls a teacher hides or locks, by name, and how that is stored.

TensorFlow Playground lets a teacher hide fifteen of its controls and hand out the page's
address; nnviz names the same fifteen and its own, and stores the choice in a lesson file
(a `[classroom]` table) or in a session (its view settings). Hidden controls are not shown
at all; locked ones are shown but cannot be changed. This module holds only the names and
the checks, so the lesson reader (Qt-free) can refuse a misspelt name; the window maps
each name to its widgets and menu entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nnviz.core.errors import FormatError, quote

# name -> what the teacher sees in the classroom dialog. The first fifteen are the
# Playground's hideable controls, in its order; the rest are nnviz's own.
PLAYGROUND_CONTROLS: dict[str, str] = {
    "show_test": "Show test data",
    "discretize": "Discretize output",
    "play": "Play button",
    "step": "Step buttons (one mini-batch, one epoch)",
    "reset": "Reset button",
    "learning_rate": "Learning rate",
    "activation": "Activation",
    "regularization": "Regularisation",
    "reg_rate": "Regularisation rate",
    "problem": "Problem type",
    "dataset": "Which data set",
    "train_ratio": "Ratio of training to test data",
    "noise": "Noise level",
    "batch_size": "Batch size",
    "hidden_layers": "Number of hidden layers",
}
NNVIZ_CONTROLS: dict[str, str] = {
    "features": "Input features",
    "neurons": "Neurons per hidden layer",
    "classes": "Number of classes (Blobs)",
    "seed": "Seed",
    "regenerate": "Regenerate data",
    "points": "Number of points",
    "balance": "Class balance",
    "label_noise": "Label noise (flipped labels)",
    "outliers": "Outliers",
    "draw": "Drawing and erasing points",
    "output": "Output and loss",
    "init": "Weight initialisation and its scale",
    "optimizer": "Optimiser and its parameters",
    "lr_decay": "Learning-rate decay",
    "stop": "Stop conditions (epoch, loss)",
    "speed": "Speed",
    "explain": "Explain one step",
    "edit": "Editing weights and biases by hand",
    "link_colour": "Link colouring",
    "log_scale": "Log-scale loss",
}
CONTROLS: dict[str, str] = {**PLAYGROUND_CONTROLS, **NNVIZ_CONTROLS}


@dataclass(frozen=True)
class Classroom:
    """Which controls are hidden and which locked (a control is never both: hidden wins)."""

    hide: frozenset[str] = frozenset()
    lock: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted((self.hide | self.lock) - set(CONTROLS))
        if unknown:
            raise FormatError(f"unknown control {quote(unknown[0])}; the names are listed in docs/lessons.md")
        object.__setattr__(self, "lock", frozenset(self.lock - self.hide))

    @property
    def active(self) -> bool:
        return bool(self.hide or self.lock)

    def state(self, name: str) -> str:
        """"hidden", "locked" or "" for one control."""
        return "hidden" if name in self.hide else "locked" if name in self.lock else ""

    def to_dict(self) -> dict[str, list[str]]:
        """The stored form, in the order of CONTROLS (so files diff well)."""
        return {"hide": [n for n in CONTROLS if n in self.hide],
                "lock": [n for n in CONTROLS if n in self.lock]}

    @classmethod
    def from_dict(cls, raw: object, where: str = "classroom") -> "Classroom":
        """From {"hide": [...], "lock": [...]}; FormatError says what is wrong."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise FormatError(f"{where} must be a table with hide = [...] and lock = [...]")
        extra = sorted(set(raw) - {"hide", "lock"})
        if extra:
            raise FormatError(f"{where}: unknown key {quote(extra[0])} (only hide and lock)")
        lists = {}
        for key in ("hide", "lock"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise FormatError(f"{where}.{key} must be a list of control names")
            if len(value) > len(CONTROLS):
                raise FormatError(f"{where}.{key} lists {len(value)} names; there are {len(CONTROLS)} controls")
            lists[key] = frozenset(value)
        try:
            return cls(lists["hide"], lists["lock"])
        except FormatError as exc:
            raise FormatError(f"{where}: {exc}") from None

    def to_toml(self) -> str:
        """The `[classroom]` table of a lesson file."""
        d = self.to_dict()
        return ("[classroom]\n" + "".join(f"{key} = [{', '.join(chr(34) + n + chr(34) for n in d[key])}]\n"
                                          for key in ("hide", "lock")))


_TABLE = re.compile(r"^\s*\[\s*classroom\s*\]\s*(#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[")


def replace_table(text: str, classroom: Classroom) -> str:
    """A lesson's TOML text with its `[classroom]` table replaced by `classroom` (added at the
    end if it had none, removed if `classroom` is empty). The rest of the text, comments
    included, is kept as the teacher wrote it. The caller reads the result back before
    writing it, so a file this cannot rewrite (e.g. an inline classroom = {...}) is refused."""
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if _TABLE.match(line):
            skipping = True
            continue
        if skipping and _ANY_TABLE.match(line):
            skipping = False
        if not skipping:
            out.append(line)
    kept = "".join(out).rstrip("\n")
    if not classroom.active:
        return kept + "\n"
    return kept + "\n\n" + classroom.to_toml()
