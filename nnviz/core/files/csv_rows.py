"""Reading the rows of a text table without trusting it: streamed, bounded, no backtracking.

A point file may be 64 MB of anything. Lines are read one at a time with a length limit
(so a megabyte of digits costs a megabyte, once), split into fields by Python's csv module
(quotes, other delimiters), and numbers are parsed by float(), which is linear in the
length of its text, then checked for what float() accepts beyond plain decimals; never by a
regular expression: a pattern that could backtrack once took hours, holding the GIL, on one
long field. Nothing here keeps more than one line and its fields; the caller
keeps the numbers it wants.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from nnviz.core.errors import FormatError, quote
from nnviz.core.files.safe_read import display_name, open_regular
from nnviz.core.limits import MAX_CSV_BYTES, MAX_CSV_LINE, MAX_CSV_LINES, MAX_QUOTE

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
LABEL_NAMES = ("label", "target", "class", "y_true")
SPLIT_NAME = "split"
SPLIT_WORDS = {"train": False, "test": True}    # the split column's words -> is_test
PREVIEW_BYTES = 64 * 1024       # what the column dialog reads of a file
PREVIEW_ROWS = 100
_NONFINITE = ("nan", "inf", "infinity")


@dataclass(frozen=True)
class CsvColumns:
    """Which columns of a point file hold what; columns count from 0.

    split names a column of "train"/"test" words (None: the points are split at random by
    the train ratio); header says the first row names the columns and holds no point.
    """

    x: int = 0
    y: int = 1
    label: int = 2
    split: int | None = None
    header: bool = True
    delimiter: str = ","

    def check(self, width: int, name: str) -> None:
        """FormatError unless the chosen columns are distinct and exist in rows of `width`."""
        chosen = [c for c in (self.x, self.y, self.label, self.split) if c is not None]
        if self.delimiter not in DELIMITERS:
            raise FormatError(f"{name}: the delimiter {quote(self.delimiter)} is not a comma, "
                              f"semicolon or tab")
        if len(set(chosen)) != len(chosen):
            raise FormatError(f"{name}: x, y, label and split must be different columns")
        outside = [c for c in chosen if not 0 <= c < width]
        if outside:
            raise FormatError(f"{name}: its rows have {width} columns, but column "
                              f"{outside[0] + 1} was chosen")


def number(text: str, decimal_comma: bool = False) -> float | None:
    """The float a field spells, or None when it is not a plain decimal number.

    float() is linear in the length of its text, but it also accepts "1_000", "infinity",
    "nan" and digits of other scripts: those are refused after it (1e400 stays, as inf,
    for the caller's range check to call too large). decimal_comma reads "0,5" as 0.5, as
    spreadsheets write numbers in files separated by semicolons or tabs.
    """
    if decimal_comma and "," in text:
        text = text.replace(",", ".")
    try:
        v = float(text)
    except ValueError:
        return None
    if "_" in text or not text.isascii() or (not math.isfinite(v) and _has_word(text)):
        return None
    return v


def _has_word(text: str) -> bool:
    low = text.lower()
    return "n" in low or "i" in low


def not_a_number(text: str) -> str:
    """Why a field that number() refused is refused, quoting at most a few dozen characters."""
    word = text[:12].lower().lstrip("+-")
    what = "not finite" if word in _NONFINITE else "not a number"
    return f"{quote(text)} is {what}"


def guess_delimiter(line: str) -> str:
    """The delimiter of a first line: the one that splits it into the most fields. On a tie
    a semicolon or tab wins over a comma, because "0,5;1,5" is how spreadsheets in many
    languages write two numbers."""
    best = max((";", "\t", ","), key=lambda d: line.count(d))
    return best if line.count(best) else ","


def is_header(fields: list[str], decimal_comma: bool = False) -> bool:
    """A first row naming columns holds no number (nor nan/inf, which are numbers gone bad)."""
    return not any(number(f, decimal_comma) is not None or f[:12].lower().lstrip("+-") in _NONFINITE
                   for f in fields)


def guess_columns(first: list[str], delimiter: str) -> CsvColumns | None:
    """The columns a first row implies: by name (x, y, label/target/class, split) under a
    header, by position (x, y, label[, split]) without one; None when it cannot tell."""
    if is_header(first, delimiter != ","):
        names = [f.lower() for f in first]
        label = next((names.index(n) for n in LABEL_NAMES if n in names), None)
        if "x" not in names or "y" not in names or label is None:
            return None
        split = names.index(SPLIT_NAME) if SPLIT_NAME in names else None
        return CsvColumns(names.index("x"), names.index("y"), label, split, True, delimiter)
    if len(first) == 3:
        return CsvColumns(0, 1, 2, None, False, delimiter)
    if len(first) == 4 and first[3].lower() in SPLIT_WORDS:
        return CsvColumns(0, 1, 2, 3, False, delimiter)
    return None


def suggest_columns(rows: list[tuple[str, ...]] | tuple, delimiter: str) -> CsvColumns:
    """The reader's own choice when it has one (guess_columns), else a best effort for the
    column dialog: named columns first, then the columns that hold numbers, in order."""
    guess = guess_columns(list(rows[0]), delimiter) if rows else None
    if guess is not None:
        return guess
    header = bool(rows) and is_header(list(rows[0]), delimiter != ",")
    names = [f.lower() for f in rows[0]] if header else []
    data = rows[1:] if header else rows
    width = max((len(r) for r in rows), default=0)
    comma = delimiter != ","

    def column(c: int) -> list[str]:
        return [r[c] for r in data if c < len(r)]

    values = {c: [number(f, comma) for f in column(c)] for c in range(width)}
    numeric = [c for c in range(width) if values[c] and None not in values[c]]
    # coordinates usually have fractions, labels and row numbers are whole
    whole = [c for c in numeric if all(float(v).is_integer() for v in values[c])]
    fractional = [c for c in numeric if c not in whole]
    words = [c for c in range(width) if column(c) and all(f.lower() in SPLIT_WORDS for f in column(c))]
    picked: list[int] = []
    for wanted, order in ((("x",), fractional + numeric), (("y",), fractional + numeric),
                          (LABEL_NAMES, whole[::-1] + numeric[::-1])):
        named = [names.index(n) for n in wanted if n in names and names.index(n) not in picked]
        rest = [c for c in order + list(range(width)) if c not in picked]
        picked.append(named[0] if named else rest[0] if rest else len(picked))
    split = names.index(SPLIT_NAME) if SPLIT_NAME in names else words[0] if words else None
    split = None if split in picked else split
    return CsvColumns(*picked, split, header, delimiter)


# -- streaming -------------------------------------------------------------------------------
def open_text(path, limit: int = MAX_CSV_BYTES) -> tuple[BinaryIO, str]:
    """(binary file, display name), refused if not a regular file, too large or binary."""
    name = display_name(path)
    f = open_regular(path, name)
    try:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise FormatError(f"{name} is {size / 2**20:.1f} MB; a point file is at most "
                              f"{limit / 2**20:g} MB")
        if b"\x00" in f.read(8192):     # how file(1) and git tell binary from text
            raise FormatError(f"{name} is a binary file, not CSV text")
        f.seek(0)
    except BaseException:
        f.close()
        raise
    return f, name


def lines(f: BinaryIO, name: str, max_lines: int = MAX_CSV_LINES) -> Iterator[tuple[int, str]]:
    """(line number from 1, text without its line end) for every line, bounded in length.

    Universal newlines: "\\n", "\\r\\n" and a lone "\\r" all end a line. A line longer than
    MAX_CSV_LINE characters is refused on reading that many, so memory and time per line stay
    bounded whatever the file holds.
    """
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline=None)
    n = 0
    while True:
        try:
            line = text.readline(MAX_CSV_LINE + 1)
        except UnicodeDecodeError as exc:
            raise FormatError(f"{name} is not UTF-8 text (a bad byte on line {n + 1})") from exc
        if not line:
            return
        n += 1
        if n > max_lines:
            raise FormatError(f"{name} has more than {max_lines:,} lines: not a point file")
        if line.endswith("\n"):
            line = line[:-1]
        elif len(line) > MAX_CSV_LINE:
            raise FormatError(f"{name} line {n} is longer than {MAX_CSV_LINE:,} characters: "
                              f"not a point file")
        if "\x00" in line:
            raise FormatError(f"{name} is a binary file, not CSV text (line {n})")
        yield n, line


def records(numbered: Iterator[tuple[int, str]], name: str, delimiter: str | None = None
            ) -> Iterator[tuple[int, list[str], str]]:
    """(line number, stripped fields, delimiter) per row; blank and '#' lines are skipped.

    The delimiter is the given one, or guessed from the first row. Quoted fields may hold
    the delimiter and even line breaks (csv's own field limit, 128 kB, bounds them).
    """
    where = [0]

    def content() -> Iterator[str]:
        for n, line in numbered:
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                where[0] = n
                yield line

    source = content()
    first = next(source, None)
    if first is None:
        return
    delimiter = delimiter or guess_delimiter(first)

    def again() -> Iterator[str]:
        yield first
        yield from source

    reader = csv.reader(again(), delimiter=delimiter, skipinitialspace=True, strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"{name} line {where[0]}: not readable as CSV "
                              f"({str(exc)[:MAX_QUOTE * 2]})") from exc
        yield where[0], [field.strip() for field in row], delimiter


@dataclass(frozen=True)
class CsvPreview:
    """The first rows of a point file, for the column dialog (fields cut to a few dozen
    characters), and what the reader would choose by itself (None: it could not tell)."""

    rows: tuple[tuple[str, ...], ...]
    delimiter: str
    guess: CsvColumns | None
    complete: bool        # the rows are the whole file


def preview_csv(path, delimiter: str | None = None, max_rows: int = PREVIEW_ROWS,
                max_bytes: int = PREVIEW_BYTES) -> CsvPreview:
    """Read at most max_bytes and max_rows of a point file (FormatError if it is no text);
    delimiter None guesses it from the first row."""
    f, name = open_text(path)
    with f:
        head = f.read(max_bytes + 1)
    complete = len(head) <= max_bytes
    if not complete:   # the last line may be cut in the middle: leave it out
        head = head[:max_bytes]
        cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
        head = head[:cut + 1] if cut >= 0 else b""
    rows: list[tuple[str, ...]] = []
    for _, fields, delimiter in records(lines(io.BytesIO(head), name), name, delimiter):
        if len(rows) == max_rows:
            complete = False
            break
        rows.append(tuple(field[:MAX_QUOTE] for field in fields))
    if not rows:
        raise FormatError(f"{name} is empty: no data points" if complete else
                          f"{name}: its first line is longer than {max_bytes // 1024} kB")
    return CsvPreview(tuple(rows), delimiter, guess_columns(list(rows[0]), delimiter), complete)
