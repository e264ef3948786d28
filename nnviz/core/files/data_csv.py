"""Data sets as CSV files (x, y, label): written atomically, read defensively.

Reading never trusts the file: anything wrong with it becomes a FormatError whose
message says, in words, what and where, so the GUI can show it and keep the session.
"""

from __future__ import annotations

import os
import re

import numpy as np

from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError
from nnviz.core.files.atomic import atomic_write

HEADER = "x,y,label"
MAX_ROWS = 100_000
MAX_ABS = 1e6                      # coordinates and labels beyond this are refused
MAX_BYTES = 64 * 1024 * 1024       # far above MAX_ROWS rows; stops reading huge files
MAX_CLASSES = 10
LABEL_NAMES = ("label", "target", "class")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def save_csv(data: Dataset, path) -> None:
    """Write the header and one '%.17g' row per point (reads back bit for bit).

    The text goes to a temporary file in the same folder, then os.replace swaps it in,
    so a crash or a full disk never leaves a half-written file at `path`.
    """
    rows = np.column_stack((data.x, data.y))   # (N, 3)
    if not np.all(np.isfinite(rows)):
        raise ValueError("cannot save a data set holding NaN or infinite values")
    lines = [HEADER, *("%.17g,%.17g,%.17g" % (a, b, c) for a, b, c in rows.tolist())]
    text = "\n".join(lines) + "\n"
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def load_csv(path) -> Dataset:
    """Read "x,y,label" rows (header optional) and infer the kind of labels.

    Labels all -1/+1 -> 2 classes; all 0/1 -> 2 classes as -1/+1; all integers 0..K-1
    with 3 <= K <= 10 -> K classes; anything else -> regression. Points outside
    [-6, 6]^2 are kept. Every problem raises FormatError.
    """
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    rows = _rows(_read_text(path, name), name)
    values = _parse(rows, name)                 # (N, 3)
    y, k = _infer_labels(values[:, 2])
    return Dataset(values[:, :2], y, k)


def _read_text(path, name: str) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise FormatError(f"cannot read {name}: {e.strerror or e}") from e
    if len(raw) > MAX_BYTES:
        raise FormatError(f"{name} is larger than {MAX_BYTES // 2**20} MB: not a point file")
    if b"\x00" in raw:
        raise FormatError(f"{name} is a binary file, not CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormatError(f"{name} is not UTF-8 text (bad byte at offset {e.start})") from e


def _fields(line: str) -> list[str]:
    return [f.strip().strip('"').strip() for f in line.split(",")]


def _rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """(line number, the x, y, label fields) per data line; blank and '#' lines skipped."""
    lines = [(n, s.strip()) for n, s in
             enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
    lines = [(n, s) for n, s in lines if s and not s.startswith("#")]
    if not lines:
        raise FormatError(f"{name} is empty: no data points")
    first = _fields(lines[0][1])
    if any(_NUMBER.fullmatch(f) or _NONFINITE.fullmatch(f) for f in first):
        width, cols = 3, (0, 1, 2)   # a number: no header, so x, y, label by position
    else:
        names = [f.lower() for f in first]
        label = next((c for c in LABEL_NAMES if c in names), None)
        missing = [c for c, have in (("x", "x" in names), ("y", "y" in names),
                                     ("label", label is not None)) if not have]
        if missing:
            raise FormatError(f"{name}: the header names no column {', '.join(missing)} "
                              f"(expected {HEADER})")
        width, cols = len(names), (names.index("x"), names.index("y"), names.index(label))
        lines = lines[1:]
    if not lines:
        raise FormatError(f"{name} has a header but no data points")
    if len(lines) > MAX_ROWS:
        raise FormatError(f"{name} has {len(lines)} rows; at most {MAX_ROWS} are allowed")
    out = []
    for n, line in lines:
        fields = _fields(line)
        if len(fields) != width:
            raise FormatError(f"{name} line {n}: expected {width} comma-separated values, "
                              f"found {len(fields)} (truncated or malformed line?)")
        out.append((n, [fields[c] for c in cols]))
    return out


def _parse(rows: list[tuple[int, list[str]]], name: str) -> np.ndarray:
    """Fields -> (N, 3) float64, refusing text, NaN, infinities and huge values."""
    out = np.empty((len(rows), 3))
    for i, (n, fields) in enumerate(rows):
        for j, (col, s) in enumerate(zip(("x", "y", "label"), fields)):
            if not _NUMBER.fullmatch(s):
                what = "not finite" if _NONFINITE.fullmatch(s) else "not a number"
                raise FormatError(f"{name} line {n}, column {col}: {s[:40]!r} is {what}")
            v = float(s)
            if not abs(v) <= MAX_ABS:   # also catches overflow to inf, e.g. 1e400
                raise FormatError(f"{name} line {n}, column {col}: {s[:40]} is too large "
                                  f"(values must lie within +-{MAX_ABS:.0f})")
            out[i, j] = v
    return out


def _infer_labels(y: np.ndarray) -> tuple[np.ndarray, int]:
    """(N,) raw labels -> (labels in nnviz's convention, n_classes)."""
    if np.all((y == -1.0) | (y == 1.0)):
        return y, 2
    if np.all((y == 0.0) | (y == 1.0)):
        return np.where(y > 0, 1.0, -1.0), 2
    if np.all(y == np.floor(y)) and y.min() >= 0:
        k = int(y.max()) + 1
        if 3 <= k <= MAX_CLASSES:
            return y + 0.0, k                   # + 0.0: a "-0" label becomes class 0
    return y, 0
