"""Data sets as CSV files (x, y, label and the train/test split): written atomically, read
defensively and streamed.

Reading never trusts the file: anything wrong with it becomes a FormatError whose
message says, in words, what and where, so the GUI can show it and keep the session. The
rows are streamed (csv_rows.py) and their numbers kept in compact arrays, with the row
limit checked as they come, so memory stays near the size of the numbers kept.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from nnviz.core.data.datasets import Dataset, split
from nnviz.core.errors import FormatError, quote
from nnviz.core.files.atomic import atomic_write
from nnviz.core.files.csv_rows import (
    DELIMITERS,
    LABEL_NAMES,
    SPLIT_WORDS,
    CsvColumns,
    guess_columns,
    is_header,
    lines,
    not_a_number,
    number,
    open_text,
    records,
)
from nnviz.core.limits import MAX_CLASSES, MAX_COORD, MAX_POINTS

HEADER = "x,y,label"
SPLIT_HEADER = "x,y,label,split"
MAX_ROWS = MAX_POINTS
MAX_ABS = MAX_COORD                # coordinates and labels beyond this are refused


@dataclass(frozen=True)
class CsvPoints:
    """What a point file holds: every row in file order, its split if it has one, and the
    kind of problem its labels make, with the reason in words."""

    data: Dataset
    is_test: np.ndarray | None      # (N,) bool from the split column; None: no such column
    reason: str                     # e.g. "2 classes, because every label is -1 or +1"

    def train_test(self, train_ratio: int, seed: int) -> tuple[Dataset, Dataset]:
        """(train, test): the file's own split, or a shuffle by seed then the train ratio,
        as generated data is split. FormatError if either part would be empty."""
        if self.is_test is None:
            rng = np.random.default_rng(seed)
            train, test = split(self.data.take(rng.permutation(len(self.data))), train_ratio)
            if len(train) == 0 or len(test) == 0:
                raise FormatError("too few points to split into training and test sets")
            return train, test
        train, test = self.data.take(~self.is_test), self.data.take(self.is_test)
        for part, other in ((train, "test"), (test, "train")):
            if len(part) == 0:
                raise FormatError(f"the split column marks every point '{other}'; both a "
                                  f"training and a test set are needed")
        return train, test


def save_csv(data: Dataset, path, test: Dataset | None = None) -> None:
    """Write the header and one '%.17g' row per point (reads back bit for bit).

    With `test`, `data` is the training set: its rows, then the test rows, each marked in
    a fourth column `split` (train/test), so importing the file keeps the split. The text
    goes to a temporary file in the same folder, then os.replace swaps it in, so a crash
    or a full disk never leaves a half-written file at `path`.
    """
    parts = [(data, "train")] + ([(test, "test")] if test is not None else [])
    lines_out = [HEADER if test is None else SPLIT_HEADER]
    for part, word in parts:
        rows = np.column_stack((part.x, part.y))   # (N, 3)
        if not np.all(np.isfinite(rows)):
            raise ValueError("cannot save a data set holding NaN or infinite values")
        tail = "" if test is None else "," + word
        lines_out.extend("%.17g,%.17g,%.17g%s" % (a, b, c, tail) for a, b, c in rows.tolist())
    text = "\n".join(lines_out) + "\n"
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def load_csv(path, columns: CsvColumns | None = None) -> CsvPoints:
    """Read the points of a CSV file, streaming it.

    `columns` says which columns hold x, y, the label and the split, whether the first row
    is a header, and the delimiter; None reads "x,y,label[,split]" by the header's names,
    or by position without a header. Labels all -1/+1 -> 2 classes; all 0/1 -> 2 classes
    as -1/+1; all whole numbers 0..K-1 with 3 <= K <= 10 -> K classes; anything else ->
    regression (CsvPoints.reason says which and why). Points outside [-6, 6]^2 are kept.
    Every problem raises FormatError.
    """
    f, name = open_text(path)
    with f:
        values, tests = _read(records(lines(f, name), name, columns and columns.delimiter),
                              columns, name)
    xyl = np.frombuffer(values, dtype=np.float64).reshape(-1, 3)   # (N, 3)
    y, k, reason = infer_labels(xyl[:, 2])
    is_test = None if tests is None else np.frombuffer(tests, dtype=np.uint8).astype(bool)
    return CsvPoints(Dataset(xyl[:, :2], y, k), is_test, reason)


def _read(rows, columns: CsvColumns | None, name: str) -> tuple[array, bytearray | None]:
    """The chosen fields of every row as numbers: x, y, label interleaved, and the split."""
    first = next(rows, None)
    if first is None:
        raise FormatError(f"{name} is empty: no data points")
    n, fields, delimiter = first
    cols = columns or guess_columns(fields, delimiter)
    if cols is None:
        if is_header(fields, delimiter != ","):
            raise FormatError(f"{name}: the header names no column {', '.join(_missing(fields))} "
                              f"(expected {HEADER}, or choose the columns in File > Import data)")
        raise FormatError(f"{name} line {n}: expected 3 {DELIMITERS[delimiter]}-separated "
                          f"values, found {len(fields)} (choose the columns in File > Import data)")
    width = len(fields)
    cols.check(width, name)
    comma = delimiter != ","   # "0,5" is a number in files separated by ; or tab
    values = array("d")
    tests = None if cols.split is None else bytearray()
    count = 0
    if not cols.header:
        rows = _chain(first, rows)
    for n, fields, _ in rows:
        if len(fields) != width:
            raise FormatError(f"{name} line {n}: expected {width} {DELIMITERS[delimiter]}-separated "
                              f"values, found {len(fields)} (truncated or malformed line?)")
        count += 1
        if count > MAX_ROWS:
            raise FormatError(f"{name} has more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} "
                              f"points are allowed")
        for col, what in ((cols.x, "x"), (cols.y, "y"), (cols.label, "label")):
            v = number(fields[col], comma)
            if v is None:
                raise FormatError(f"{name} line {n}, column {what}: {not_a_number(fields[col])}")
            if not abs(v) <= MAX_ABS:   # also catches overflow to inf, e.g. 1e400
                raise FormatError(f"{name} line {n}, column {what}: {fields[col][:24]} is too "
                                  f"large (values must lie within +-{MAX_ABS:.0f})")
            values.append(v)
        if tests is not None:
            word = fields[cols.split].lower()
            if word not in SPLIT_WORDS:
                raise FormatError(f"{name} line {n}, column split: {quote(fields[cols.split])} "
                                  f"is neither 'train' nor 'test'")
            tests.append(SPLIT_WORDS[word])
    if count == 0:
        raise FormatError(f"{name} has a header but no data points")
    return values, tests


def _chain(first, rest):
    yield first
    yield from rest


def _missing(header: list[str]) -> list[str]:
    names = [h.lower() for h in header]
    have_label = any(n in names for n in LABEL_NAMES)
    return [c for c, have in (("x", "x" in names), ("y", "y" in names), ("label", have_label))
            if not have]


def infer_labels(y: np.ndarray) -> tuple[np.ndarray, int, str]:
    """(N,) raw labels -> (labels in nnviz's convention, n_classes, the choice in words)."""
    if len(y) and np.all((y == -1.0) | (y == 1.0)):
        return y, 2, "2 classes, because every label is -1 or +1"
    if len(y) and np.all((y == 0.0) | (y == 1.0)):
        return np.where(y > 0, 1.0, -1.0), 2, "2 classes, because every label is 0 or 1"
    whole = bool(np.all(y == np.floor(y)))
    if whole and len(y) and y.min() >= 0:
        k = int(y.max()) + 1
        if 3 <= k <= MAX_CLASSES:   # + 0.0: a "-0" label becomes class 0
            return y + 0.0, k, f"{k} classes, because every label is a whole number 0..{k - 1}"
        return y, 0, (f"regression, because the labels are whole numbers up to "   # k > 10
                      f"{y.max():.0f}: as classes they would be {k}, more than the "
                      f"{MAX_CLASSES} nnviz can show")
    if whole:
        return y, 0, (f"regression, because some labels are negative ({y.min():g}); classes "
                      f"are -1/+1, 0/1 or 0..{MAX_CLASSES - 1}")
    frac = y[y != np.floor(y)][0]
    return y, 0, f"regression, because some labels are not whole numbers (e.g. {frac:.6g})"


def preview_summary(rows, columns: CsvColumns) -> tuple[bool, str]:
    """(importable, words) for the column dialog: the problem type the preview's labels
    make and why, or the first field of the chosen columns that is not a number."""
    try:
        columns.check(max((len(r) for r in rows), default=0), "the file")
    except FormatError as exc:
        text = str(exc).removeprefix("the file: ")
        return False, text[0].upper() + text[1:] + "."
    data = rows[1:] if columns.header else rows
    comma = columns.delimiter != ","
    labels = []
    for i, row in enumerate(data, 2 if columns.header else 1):
        for col, what in ((columns.x, "x"), (columns.y, "y"), (columns.label, "label")):
            field = row[col] if col < len(row) else ""
            v = number(field, comma)
            if v is None or not abs(v) <= MAX_ABS:
                why = not_a_number(field) if v is None else f"{field[:24]} is too large"
                return False, f"Row {i}, the {what} column: {why}."
        if columns.split is not None and (row[columns.split] if columns.split < len(row) else "").lower() \
                not in SPLIT_WORDS:
            return False, f"Row {i}, the split column: neither 'train' nor 'test'."
        labels.append(number(row[columns.label], comma))
    if not labels:
        return False, "No data rows: the file holds only a header."
    reason = infer_labels(np.array(labels))[2]
    rows_read = "row" if len(labels) == 1 else f"{len(labels)} rows"
    return True, f"{reason[0].upper()}{reason[1:]} (in the first {rows_read})."
