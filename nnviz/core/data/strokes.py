"""Points drawn and erased by hand, one stroke at a time, and taking a stroke back exactly.

A stroke is one gesture on the decision surface (press, drag, release) and one undo step.
Its DataChange says exactly what it did: which rows it removed from each set (with their
values, and where they were) and which points it appended to the training set. Undo puts
the removed rows back where they were and drops the appended ones, so the data are the
ones before the stroke bit for bit; redo does the stroke again. Each change carries
fingerprints of the data before and after it, so an undo aimed at data that has changed
since (other points loaded or generated) is refused instead of doing something else.

Erasing takes every point within the radius of the stroke's path: a polyline through the
mouse positions, so a fast drag erases a continuous band, as drawn on screen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.data.datasets import Dataset

CHUNK = 64               # path segments measured at once (N x CHUNK distances)
Array = np.ndarray


def _rows() -> Array:
    return np.zeros(0, dtype=np.int64)


def _points() -> Array:
    return np.zeros((0, 2))


def _values() -> Array:
    return np.zeros(0)


def fingerprint(train: Dataset, test: Dataset) -> str:
    """A digest of both sets' points, labels and class count: equal only for equal data."""
    h = hashlib.blake2b(digest_size=16)
    for d in (train, test):
        h.update(np.int64(len(d)).tobytes())
        h.update(np.ascontiguousarray(d.x).tobytes())
        h.update(np.ascontiguousarray(d.y).tobytes())
    h.update(np.int64(train.n_classes).tobytes())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class DataChange:
    """What one stroke did to (train, test); see the module doc."""

    words: str                               # for the undo history: "Draw 12 points"
    before: str                              # fingerprint of the data before the stroke
    after: str                               # and after it
    train_rows: Array = field(default_factory=_rows)     # (R,) rows removed from the training set
    train_x: Array = field(default_factory=_points)     # (R, 2) their points
    train_y: Array = field(default_factory=_values)     # (R,) their labels
    test_rows: Array = field(default_factory=_rows)      # (S,) the same for the test set
    test_x: Array = field(default_factory=_points)
    test_y: Array = field(default_factory=_values)
    added_x: Array = field(default_factory=_points)     # (M, 2) appended to the training set
    added_y: Array = field(default_factory=_values)     # (M,)
    settings: tuple = ()     # the Trainer's: the data settings before and after the stroke

    @property
    def removed(self) -> int:
        return int(self.train_rows.size + self.test_rows.size)

    @property
    def added(self) -> int:
        return int(self.added_y.size)


def _check_points(xy: Array, labels: Array, n_classes: int) -> tuple[Array, Array]:
    """(M, 2), (M,) float64 copies; ValueError for a point that is no point or a label of
    no class. How large and how many, the Trainer's data check says for every way points
    come in (core.limits)."""
    xy = np.array(xy, dtype=np.float64).reshape(-1, 2)
    labels = np.array(labels, dtype=np.float64).reshape(-1)
    if len(xy) != len(labels):
        raise ValueError(f"{len(xy)} points but {len(labels)} labels")
    if not (np.all(np.isfinite(xy)) and np.all(np.isfinite(labels))):
        raise ValueError("a point needs finite coordinates and label")
    k = n_classes
    bad = (~np.isin(labels, (-1.0, 1.0)) if k == 2 else
           ~np.isin(labels, np.arange(k, dtype=np.float64)) if k >= 3 else np.zeros(len(labels), bool))
    if bad.any():
        raise ValueError(f"label {labels[bad][0]:g} does not fit {k} classes")
    return xy, labels


def add(train: Dataset, test: Dataset, xy, labels) -> DataChange:
    """A stroke appending points (M, 2) with labels (M,) to the training set."""
    xy, labels = _check_points(xy, labels, train.n_classes)   # the data's own limits: check_data
    n = len(xy)
    change = DataChange(f"Draw {n} point{'s' * (n != 1)}", fingerprint(train, test), "",
                        added_x=xy, added_y=labels)
    return _with_after(train, test, change)


def near_path(points: Array, path: Array, radius: float) -> Array:
    """(N,) bool: points (N, 2) within `radius` of the polyline through path (M, 2)
    (of the point itself when M = 1), distances compared squared."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    hit = np.zeros(len(points), dtype=bool)
    if len(path) == 0 or len(points) == 0:
        return hit
    r2 = float(radius) ** 2
    lo, hi = path.min(axis=0) - radius, path.max(axis=0) + radius
    cand = np.flatnonzero(np.all((points >= lo) & (points <= hi), axis=1))   # inside the box
    p = points[cand]                                                         # (K, 2)
    a = path[:-1] if len(path) > 1 else path
    b = path[1:] if len(path) > 1 else path
    for s in range(0, len(a), CHUNK):
        a0, d = a[s:s + CHUNK], b[s:s + CHUNK] - a[s:s + CHUNK]            # (C, 2)
        rx = p[:, None, 0] - a0[:, 0]                                        # (K, C)
        ry = p[:, None, 1] - a0[:, 1]
        dd = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]                           # (C,)
        t = np.clip((rx * d[:, 0] + ry * d[:, 1]) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
        ex, ey = rx - t * d[:, 0], ry - t * d[:, 1]
        hit[cand] |= np.any(ex * ex + ey * ey <= r2, axis=1)
    return hit


def erase(train: Dataset, test: Dataset, path, radius: float) -> DataChange | None:
    """A stroke removing every point (train and test) within radius of the path (M, 2);
    None when it touches no point."""
    radius = float(radius)
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    if not (math.isfinite(radius) and radius >= 0 and np.all(np.isfinite(path))):
        raise ValueError("an eraser needs a finite path and radius")
    return _remove(train, test, near_path(train.x, path, radius), near_path(test.x, path, radius), "Erase")


def clear(train: Dataset, test: Dataset) -> DataChange | None:
    """A stroke removing every point: a blank square to draw on."""
    return _remove(train, test, np.ones(len(train), bool), np.ones(len(test), bool), "Clear")


def _remove(train: Dataset, test: Dataset, gone_tr: Array, gone_te: Array, verb: str) -> DataChange | None:
    rows_tr, rows_te = np.flatnonzero(gone_tr), np.flatnonzero(gone_te)
    n = rows_tr.size + rows_te.size
    if n == 0:
        return None
    change = DataChange(f"{verb} {n} point{'s' * (n != 1)}", fingerprint(train, test), "",
                        train_rows=rows_tr, train_x=train.x[rows_tr], train_y=train.y[rows_tr],
                        test_rows=rows_te, test_x=test.x[rows_te], test_y=test.y[rows_te])
    return _with_after(train, test, change)


def _with_after(train: Dataset, test: Dataset, change: DataChange) -> DataChange:
    new_train, new_test = forward(train, test, change)
    return dataclasses.replace(change, after=fingerprint(new_train, new_test))


def forward(train: Dataset, test: Dataset, change: DataChange) -> tuple[Dataset, Dataset]:
    """The data after the stroke: rows removed, then points appended to the training set."""
    k = train.n_classes
    keep_tr = np.ones(len(train), bool)
    keep_tr[change.train_rows] = False
    keep_te = np.ones(len(test), bool)
    keep_te[change.test_rows] = False
    new_train = Dataset(np.vstack([train.x[keep_tr], change.added_x]),
                        np.concatenate([train.y[keep_tr], change.added_y]), k)
    return new_train, Dataset(test.x[keep_te], test.y[keep_te], k)


def backward(train: Dataset, test: Dataset, change: DataChange) -> tuple[Dataset, Dataset]:
    """The data before the stroke: appended points dropped, removed rows put back in place."""
    k = train.n_classes
    n_kept = len(train) - change.added
    return (_reinsert(train.x[:n_kept], train.y[:n_kept], change.train_rows, change.train_x, change.train_y, k),
            _reinsert(test.x, test.y, change.test_rows, change.test_x, change.test_y, k))


def _reinsert(x: Array, y: Array, rows: Array, rx: Array, ry: Array, k: int) -> Dataset:
    n = len(x) + len(rows)
    out_x, out_y = np.empty((n, 2)), np.empty(n)
    kept = np.ones(n, bool)
    kept[rows] = False
    out_x[kept], out_y[kept] = x, y
    out_x[rows], out_y[rows] = rx, ry
    return Dataset(out_x, out_y, k)


def replay(train: Dataset, test: Dataset, change: DataChange, undo: bool) -> tuple[Dataset, Dataset]:
    """Undo (undo=True) or redo a stroke; ValueError unless the data are exactly the ones
    the stroke left (for undo) or found (for redo)."""
    if fingerprint(train, test) != (change.after if undo else change.before):
        raise ValueError("the points have changed since that stroke (other data were loaded or made)")
    return (backward if undo else forward)(train, test, change)
