"""Sessions (.nnviz): every run side by side, each with its timeline, so that every run
continues bit for bit.

A session is an .npz (never a pickle) holding `meta`, a 0-d text array with one JSON
object, and one array per array or number of each run's `Trainer.state_dict()`:

    {"format": "nnviz-session", "version": 2,
     "config": {...dataclasses.asdict(Config), tuples as lists...},   # the first run's
     "extra": {...GUI view settings...},
     "strings": {key: text of the state dict},
     "scalars": {key: "int" | "float" | "bool"},   # stored as 0-d arrays
     "arrays": [keys stored as arrays],
     "timeline": {...},          # the first run's checkpoints: see timeline_file.py
     "note": "", "colour": 0,    # the first run's words in a legend, and its colour
     "active": 0,                # the run the big views show
     "runs": [{"prefix": "r1_", "strings": ..., "scalars": ..., "arrays": [...],
               "timeline": ..., "note": ..., "colour": ...}, ...]}   # the others

The first run's entries sit at the top under their own names (as version 1 had its only
run); every other run's arrays carry its prefix. Version 1 files (one run, no timeline)
still open: their run gets a timeline of one checkpoint, the state as saved.

Saving checks that the file it is about to write loads back (so a session that cannot be
continued, e.g. with NaN weights, is refused with a message instead of written), then
writes atomically. Loading validates everything and rebuilds the Trainers; any problem is
a FormatError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.files.atomic import atomic_write
from nnviz.core.files.safe_read import (
    display_name,
    json_meta,
    need,
    quote,
    read_npz,
    reader_boundary,
    shorten,
)
from nnviz.core.files.timeline_file import decode_timeline, encode_timeline
from nnviz.core.limits import MAX_CLASSES
from nnviz.core.train.trainer import Trainer

SESSION_FORMAT = "nnviz-session"
SESSION_VERSION = 2     # 2: several runs and their timelines; 1: one run
MAX_RUNS = 4
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_SCALAR_TYPES = {"int": (int, "iu"), "float": (float, "fiu"), "bool": (bool, "b")}


@dataclass
class SavedRuns:
    """What a session holds: the runs' trainers (each with its timeline), their notes and
    colours, which one is active, and the GUI's settings."""

    trainers: list[Trainer]
    notes: list[str] = field(default_factory=list)
    colours: list[int] = field(default_factory=list)
    active: int = 0
    extra: dict = field(default_factory=dict)


# -- saving ----------------------------------------------------------------------------
def _encode_state(trainer: Trainer, prefix: str, section: dict, arrays: dict[str, np.ndarray]) -> None:
    """The trainer's state dict into section's strings/scalars/arrays, its arrays under prefix."""
    section.update(strings={}, scalars={}, arrays=[])
    for key, value in trainer.state_dict().items():
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key == "meta":
            raise ValueError(f"cannot store the state entry {key!r} in a session")
        if isinstance(value, str):
            section["strings"][key] = value
        elif isinstance(value, (bool, np.bool_)):
            section["scalars"][key] = "bool"
            arrays[prefix + key] = np.array(bool(value))
        elif isinstance(value, (int, np.integer)):
            section["scalars"][key] = "int"
            if not -2**63 <= int(value) < 2**63:
                raise ValueError(f"the counter {key} = {int(value):.3g} is too large to store")
            arrays[prefix + key] = np.array(int(value), dtype=np.int64)
        elif isinstance(value, (float, np.floating)):
            section["scalars"][key] = "float"
            arrays[prefix + key] = np.array(float(value), dtype=np.float64)
        elif isinstance(value, np.ndarray) and not value.dtype.hasobject:
            section["arrays"].append(key)
            arrays[prefix + key] = np.ascontiguousarray(value)
        else:
            raise ValueError(f"cannot store the state entry {key!r} of type "
                             f"{type(value).__name__} in a session")
    section["timeline"], timeline_arrays = encode_timeline(trainer, prefix)
    arrays.update(timeline_arrays)


def encode(runs: Trainer | Sequence[Trainer], extra: dict | None = None, active: int = 0,
           notes: Sequence[str] = (), colours: Sequence[int] = ()) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) for a session file; ValueError for state that cannot be stored."""
    trainers = [runs] if isinstance(runs, Trainer) else list(runs)
    if not 1 <= len(trainers) <= MAX_RUNS or not 0 <= active < len(trainers):
        raise ValueError(f"a session holds 1 to {MAX_RUNS} runs, one of them active")
    notes = list(notes) or [""] * len(trainers)
    colours = list(colours) or list(range(len(trainers)))
    meta: dict[str, Any] = {"format": SESSION_FORMAT, "version": SESSION_VERSION,
                            "config": trainers[0].config.to_dict(), "extra": dict(extra or {}),
                            "active": int(active), "runs": []}
    arrays: dict[str, np.ndarray] = {}
    for k, t in enumerate(trainers):
        section = meta if k == 0 else {"prefix": f"r{k}_"}
        _encode_state(t, section.get("prefix", ""), section, arrays)
        section.update(note=str(notes[k]), colour=int(colours[k]))
        if k:
            meta["runs"].append(section)
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot store these settings in a session: {exc}") from None
    return meta, arrays


def save_session(runs: Trainer | Sequence[Trainer], path, extra: dict | None = None, active: int = 0,
                 notes: Sequence[str] = (), colours: Sequence[int] = ()) -> None:
    """Write the whole session: for each run its settings, data, weights, optimiser,
    counters, history and timeline.

    A diverged run is refused, not saved: its weights cannot continue, and a file that
    reopens already diverged would look healthy until the first step. The message says to
    press Reset (which keeps the data) or, among several runs, to remove that one (Reset
    restarts them all); File > Export data saves the points meanwhile.
    """
    trainers = [runs] if isinstance(runs, Trainer) else list(runs)
    for k, t in enumerate(trainers):
        if t.diverged:
            which = f"run {k + 1}: it has diverged (remove it first)" if len(trainers) > 1 else "a diverged run"
            raise ValueError(f"cannot save {which}. {t.diverged} File > Export data keeps the points meanwhile.")
    meta, arrays = encode(trainers, extra, active, notes, colours)
    text = json.dumps(meta, allow_nan=False)
    try:   # the file must load back, or it would only disappoint later
        decode(json.loads(text), arrays, "the session")
    except FormatError as exc:
        raise ValueError(f"cannot save: {exc}") from None
    arrays = {"meta": np.array(np.str_(text)), **arrays}
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


# -- loading ---------------------------------------------------------------------------
def load_session(path) -> tuple[Trainer, dict]:
    """Read a session -> (the active run's Trainer, ready to continue; extra GUI settings)."""
    saved = load_runs(path)
    return saved.trainers[saved.active], saved.extra


def load_runs(path) -> SavedRuns:
    """Read a session with every run in it."""
    name = display_name(path)
    arrays = read_npz(path)
    with reader_boundary(name):
        return decode(json_meta(arrays, name), arrays, name)


def decode(meta: Any, arrays: dict[str, np.ndarray], name: str) -> SavedRuns:
    """Validate meta and arrays and rebuild the Trainers; FormatError for any problem."""
    need(isinstance(meta, dict), f"{name} is not an nnviz session: its metadata is not an object")
    need(meta.get("format") == SESSION_FORMAT,
          f"{name} has the wrong format {quote(meta.get('format'))}; expected {SESSION_FORMAT!r}")
    version = meta.get("version")
    need(type(version) is int and version in (1, SESSION_VERSION),
          f"{name} has session version {quote(version)}; this nnviz reads versions 1 and {SESSION_VERSION}")
    config = config_from_dict(meta.get("config"), name)
    extra = meta.get("extra", {})
    need(isinstance(extra, dict), f"{name}: 'extra' is not an object")
    sections = [meta] + (_other_runs(meta, name) if version >= 2 else [])
    expected: set[str] = set()
    saved = SavedRuns([], extra=extra)
    for k, section in enumerate(sections):
        prefix = section.get("prefix", "") if k else ""
        what = name if k == 0 else f"{name}, run {k + 1},"
        trainer, keys = _decode_state(section, arrays, prefix, what)
        expected |= keys
        if version >= 2:
            trainer.timeline = decode_timeline(section.get("timeline"), arrays, prefix, trainer, name)
            expected |= {key for key in arrays if key.startswith(prefix + "tl_")}
            note, colour = section.get("note", ""), section.get("colour", k)
            need(isinstance(note, str) and len(note) <= 200 and type(colour) is int and 0 <= colour < 16,
                 f"{what}: its note or colour is invalid")
            saved.notes.append(note)
            saved.colours.append(colour)
        else:
            saved.notes.append("")
            saved.colours.append(0)
        saved.trainers.append(trainer)
    unexpected = sorted(set(arrays) - {"meta"} - expected)
    need(not unexpected, f"{name} holds unexpected arrays {quote(', '.join(unexpected))}")
    need(saved.trainers[0].config == config, f"{name}: the saved settings disagree with the saved training state")
    active = meta.get("active", 0)
    need(type(active) is int and 0 <= active < len(sections), f"{name}: the active run {quote(active)} does not exist")
    saved.active = active
    return saved


def _other_runs(meta: dict, name: str) -> list[dict]:
    runs = meta.get("runs", [])
    need(isinstance(runs, list) and len(runs) < MAX_RUNS and all(isinstance(r, dict) for r in runs),
         f"{name}: 'runs' is not a list of at most {MAX_RUNS - 1} more runs")
    for k, run in enumerate(runs, start=1):
        need(run.get("prefix") == f"r{k}_", f"{name}: run {k + 1} has the prefix {quote(run.get('prefix'))}")
    return runs


def _decode_state(section: dict, arrays: dict[str, np.ndarray], prefix: str, name: str) -> tuple[Trainer, set]:
    """One run's Trainer from its section of the metadata; also the array keys it used."""
    strings, scalars, listed = section.get("strings"), section.get("scalars"), section.get("arrays")
    need(isinstance(strings, dict) and all(isinstance(v, str) for v in strings.values()),
          f"{name}: 'strings' is not an object of texts")
    need(isinstance(scalars, dict) and all(v in _SCALAR_TYPES for v in scalars.values()),
          f"{name}: 'scalars' is not an object of int/float/bool")
    need(isinstance(listed, list) and all(isinstance(k, str) for k in listed),
          f"{name}: 'arrays' is not a list of names")
    keys = [*strings, *scalars, *listed]
    need(len(set(keys)) == len(keys), f"{name} names a state entry twice")
    stored = {prefix + k for k in (*scalars, *listed)}
    missing = sorted(k for k in stored if k not in arrays)
    need(not missing, f"{name} lacks the arrays {quote(', '.join(missing))} (truncated?)")
    state: dict[str, Any] = dict(strings)
    for key, kind in scalars.items():
        a = arrays[prefix + key]
        py, kinds = _SCALAR_TYPES[kind]
        need(a.shape == () and a.dtype.kind in kinds, f"{name}: {quote(key)} is not a single {kind}")
        state[key] = py(a[()])
    for key in listed:
        a = arrays[prefix + key]
        need(a.dtype.kind in "biuf", f"{name}: {quote(key)} holds {a.dtype} values")
        state[key] = a
    classes = state.get("n_classes", 0)   # bounded here: the trainer allocates K x K tables
    need(isinstance(classes, int) and 0 <= classes <= MAX_CLASSES,
          f"{name}: {quote(classes)} classes is beyond the sane range 0..{MAX_CLASSES}")
    try:
        trainer = Trainer.from_state_dict(state)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise FormatError(f"{name}: the saved training state is inconsistent: "
                          f"{shorten(str(exc), 200)}") from exc
    need(not trainer.diverged, f"{name} holds a run that has diverged (its losses are not "
                               f"finite); nnviz saves no such run")
    return trainer, stored


def config_from_dict(raw: Any, name: str) -> Config:
    """A Config from its JSON form, refusing unknown settings and values of the wrong type."""
    try:
        return Config.from_dict(raw)
    except ValueError as exc:
        raise FormatError(f"{name}: invalid settings: {exc}") from None
