"""Sessions (.nnviz): everything needed to continue a run bit for bit.

A session is an .npz (never a pickle) holding `meta`, a 0-d text array with one JSON
object, and one array per array or number of `Trainer.state_dict()`:

    {"format": "nnviz-session", "version": 1,
     "config": {...dataclasses.asdict(Config), tuples as lists...},
     "extra": {...GUI view settings...},
     "strings": {key: text of the state dict},
     "scalars": {key: "int" | "float" | "bool"},   # stored as 0-d arrays
     "arrays": [keys stored as arrays]}

Saving checks that the file it is about to write loads back (so a session that cannot be
continued, e.g. with NaN weights, is refused with a message instead of written), then
writes atomically. Loading validates everything and rebuilds a Trainer that continues
bit for bit; any problem is a FormatError.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
from nnviz.core.limits import MAX_CLASSES
from nnviz.core.train.trainer import Trainer

SESSION_FORMAT = "nnviz-session"
SESSION_VERSION = 1
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_SCALAR_TYPES = {"int": (int, "iu"), "float": (float, "fiu"), "bool": (bool, "b")}


# -- saving ----------------------------------------------------------------------------
def encode(trainer: Trainer, extra: dict | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) for a session file; ValueError for state that cannot be stored."""
    meta: dict[str, Any] = {"format": SESSION_FORMAT, "version": SESSION_VERSION,
                            "config": trainer.config.to_dict(), "extra": dict(extra or {}),
                            "strings": {}, "scalars": {}, "arrays": []}
    arrays: dict[str, np.ndarray] = {}
    for key, value in trainer.state_dict().items():
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key == "meta":
            raise ValueError(f"cannot store the state entry {key!r} in a session")
        if isinstance(value, str):
            meta["strings"][key] = value
        elif isinstance(value, (bool, np.bool_)):
            meta["scalars"][key] = "bool"
            arrays[key] = np.array(bool(value))
        elif isinstance(value, (int, np.integer)):
            meta["scalars"][key] = "int"
            if not -2**63 <= int(value) < 2**63:
                raise ValueError(f"the counter {key} = {int(value):.3g} is too large to store")
            arrays[key] = np.array(int(value), dtype=np.int64)
        elif isinstance(value, (float, np.floating)):
            meta["scalars"][key] = "float"
            arrays[key] = np.array(float(value), dtype=np.float64)
        elif isinstance(value, np.ndarray) and not value.dtype.hasobject:
            meta["arrays"].append(key)
            arrays[key] = np.ascontiguousarray(value)
        else:
            raise ValueError(f"cannot store the state entry {key!r} of type "
                             f"{type(value).__name__} in a session")
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot store these settings in a session: {exc}") from None
    return meta, arrays


def save_session(trainer: Trainer, path, extra: dict | None = None) -> None:
    """Write the whole session (settings, data, weights, optimiser, counters, history).

    A diverged run is refused, not saved: its weights cannot continue, and a file that
    reopens already diverged would look healthy until the first step. The message says to
    press Reset (which keeps the data); File > Export data saves the points meanwhile.
    """
    if trainer.diverged:
        raise ValueError(f"cannot save a diverged run. {trainer.diverged} File > Export data "
                         f"keeps the points meanwhile.")
    meta, arrays = encode(trainer, extra)
    text = json.dumps(meta, allow_nan=False)
    try:   # the file must load back, or it would only disappoint later
        decode(json.loads(text), arrays, "the session")
    except FormatError as exc:
        raise ValueError(f"cannot save: {exc}") from None
    arrays = {"meta": np.array(np.str_(text)), **arrays}
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


# -- loading ---------------------------------------------------------------------------
def load_session(path) -> tuple[Trainer, dict]:
    """Read a session -> (Trainer ready to continue, extra GUI settings)."""
    name = display_name(path)
    arrays = read_npz(path)
    with reader_boundary(name):
        return decode(json_meta(arrays, name), arrays, name)


def decode(meta: Any, arrays: dict[str, np.ndarray], name: str) -> tuple[Trainer, dict]:
    """Validate meta and arrays and rebuild the Trainer; FormatError for any problem."""
    need(isinstance(meta, dict), f"{name} is not an nnviz session: its metadata is not an object")
    need(meta.get("format") == SESSION_FORMAT,
          f"{name} has the wrong format {quote(meta.get('format'))}; expected {SESSION_FORMAT!r}")
    version = meta.get("version")
    need(type(version) is int and version == SESSION_VERSION,
          f"{name} has session version {quote(version)}; this nnviz reads version {SESSION_VERSION}")
    config = config_from_dict(meta.get("config"), name)
    extra, strings = meta.get("extra", {}), meta.get("strings")
    scalars, listed = meta.get("scalars"), meta.get("arrays")
    need(isinstance(extra, dict), f"{name}: 'extra' is not an object")
    need(isinstance(strings, dict) and all(isinstance(v, str) for v in strings.values()),
          f"{name}: 'strings' is not an object of texts")
    need(isinstance(scalars, dict) and all(v in _SCALAR_TYPES for v in scalars.values()),
          f"{name}: 'scalars' is not an object of int/float/bool")
    need(isinstance(listed, list) and all(isinstance(k, str) for k in listed),
          f"{name}: 'arrays' is not a list of names")
    keys = [*strings, *scalars, *listed]
    need(len(set(keys)) == len(keys), f"{name} names a state entry twice")
    stored = set(arrays) - {"meta"}
    missing, unexpected = sorted((set(scalars) | set(listed)) - stored), sorted(stored - set(keys))
    need(not missing, f"{name} lacks the arrays {quote(', '.join(missing))} (truncated?)")
    need(not unexpected, f"{name} holds unexpected arrays {quote(', '.join(unexpected))}")
    state: dict[str, Any] = dict(strings)
    for key, kind in scalars.items():
        a = arrays[key]
        py, kinds = _SCALAR_TYPES[kind]
        need(a.shape == () and a.dtype.kind in kinds, f"{name}: {quote(key)} is not a single {kind}")
        state[key] = py(a[()])
    for key in listed:
        need(arrays[key].dtype.kind in "biuf", f"{name}: {quote(key)} holds {arrays[key].dtype} values")
        state[key] = arrays[key]
    classes = state.get("n_classes", 0)   # bounded here: the trainer allocates K x K tables
    need(isinstance(classes, int) and 0 <= classes <= MAX_CLASSES,
          f"{name}: {quote(classes)} classes is beyond the sane range 0..{MAX_CLASSES}")
    try:
        trainer = Trainer.from_state_dict(state)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise FormatError(f"{name}: the saved training state is inconsistent: "
                          f"{shorten(str(exc), 200)}") from exc
    need(trainer.config == config,
          f"{name}: the saved settings disagree with the saved training state")
    need(not trainer.diverged, f"{name} holds a run that has diverged (its losses are not "
                               f"finite); nnviz saves no such run")
    return trainer, extra


def config_from_dict(raw: Any, name: str) -> Config:
    """A Config from its JSON form, refusing unknown settings and values of the wrong type."""
    try:
        return Config.from_dict(raw)
    except ValueError as exc:
        raise FormatError(f"{name}: invalid settings: {exc}") from None
