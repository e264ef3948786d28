"""Point files of any columns: the reader takes the column choice, the preview is bounded,
and the suggestions and summary the column dialog shows come from the core."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnviz.core.errors import FormatError
from nnviz.core.files.csv_rows import CsvColumns, preview_csv, suggest_columns
from nnviz.core.files.data_csv import load_csv, preview_summary
from nnviz.core.limits import MAX_CSV_BYTES


def write(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


WIDE = "id,a,b,c,d\n" + "".join(f"{i},{i / 2},{-i / 4},{i % 3},{'test' if i % 4 else 'train'}\n"
                                for i in range(12))


def test_the_chosen_columns_are_read(tmp_path) -> None:
    got = load_csv(write(tmp_path, WIDE), CsvColumns(x=2, y=1, label=3, split=4, header=True))
    want = np.array([[-i / 4, i / 2] for i in range(12)])
    assert np.array_equal(got.data.x, want) and got.data.y.tolist() == [i % 3 for i in range(12)]
    assert got.data.n_classes == 3 and got.is_test.tolist() == [bool(i % 4) for i in range(12)]
    # the same file without the split: no split column, and by position a 5-column file is
    # refused with a pointer to the dialog
    assert load_csv(write(tmp_path, WIDE), CsvColumns(2, 1, 3, None, True)).is_test is None
    with pytest.raises(FormatError, match="choose the columns in File > Import data"):
        load_csv(write(tmp_path, WIDE))


def test_without_a_header_the_first_row_is_a_point(tmp_path) -> None:
    path = write(tmp_path, "9,1.5,2.5,1\n8,3.5,4.5,-1\n")
    got = load_csv(path, CsvColumns(1, 2, 3, None, header=False))
    assert got.data.x.tolist() == [[1.5, 2.5], [3.5, 4.5]] and got.data.y.tolist() == [1.0, -1.0]
    with pytest.raises(FormatError, match="line 1, column x: 'id' is not a number"):
        load_csv(write(tmp_path, "id,x,y,label\n1,2,3,1\n"), CsvColumns(0, 1, 2, None, header=False))


@pytest.mark.parametrize("delimiter,text", [
    (";", "x;y;label\n0,5;-1,25;1\n2;3,75;-1\n"),
    ("\t", "x\ty\tlabel\n0.5\t-1.25\t1\n2\t3.75\t-1\n"),
])
def test_semicolons_and_tabs_with_decimal_commas(tmp_path, delimiter, text) -> None:
    for columns in (None, CsvColumns(0, 1, 2, None, True, delimiter)):
        got = load_csv(write(tmp_path, text), columns)
        assert got.data.x.tolist() == [[0.5, -1.25], [2.0, 3.75]] and got.data.n_classes == 2


def test_a_headless_file_of_decimal_commas_is_read_by_position(tmp_path) -> None:
    got = load_csv(write(tmp_path, "0,5;1,5;1\n-2;3,25;-1\n"))
    assert got.data.x.tolist() == [[0.5, 1.5], [-2.0, 3.25]] and got.data.y.tolist() == [1.0, -1.0]


def test_quoted_fields_may_hold_the_separator(tmp_path) -> None:
    text = 'name,x,y,label\n"Smith, J",1,2,1\n"Doe, A",3,4,-1\n'
    got = load_csv(write(tmp_path, text), CsvColumns(1, 2, 3, None, True))
    assert got.data.x.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("columns,message", [
    (CsvColumns(0, 0, 2), "must be different columns"),
    (CsvColumns(0, 1, 7), "its rows have 5 columns, but column 8 was chosen"),
    (CsvColumns(0, 1, 2, 2), "must be different columns"),
    (CsvColumns(0, 1, 2, delimiter="|"), "is not a comma, semicolon or tab"),
    (CsvColumns(0, 1, 2, 4), "line 2, column split: 'train' is neither|neither 'train' nor 'test'"),
])
def test_a_bad_choice_is_refused_in_words(tmp_path, columns, message) -> None:
    text = WIDE.replace("train", "maybe") if columns.split == 4 else WIDE
    with pytest.raises(FormatError, match=message):
        load_csv(write(tmp_path, text), columns)


def test_a_point_file_beyond_64_mb_is_refused_unread(tmp_path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:             # sparse: no disk is used
        f.truncate(MAX_CSV_BYTES + 1)
    with pytest.raises(FormatError, match="64.0 MB; a point file is at most 64 MB"):
        load_csv(path)
    os.truncate(path, 0)
    with pytest.raises(FormatError, match="empty"):
        load_csv(path)


def test_suggestions_and_summary_for_the_dialog() -> None:
    rows = [tuple(r.split(",")) for r in WIDE.splitlines()]
    cols = suggest_columns(rows, ",")
    assert cols == CsvColumns(1, 2, 3, 4, True, ",")     # fractions for x, y; whole label; words
    assert preview_summary(rows, cols) == (True, "3 classes, because every label is a whole "
                                                 "number 0..2 (in the first 12 rows).")
    named = [("y", "X", "target"), ("1", "2", "0.5")]
    assert suggest_columns(named, ",") == CsvColumns(1, 0, 2, None, True, ",")
    ok, text = preview_summary(named, CsvColumns(1, 0, 2, None, True, ","))
    assert ok and text.startswith("Regression, because some labels are not whole numbers (e.g. 0.5)")
    ok, text = preview_summary(rows, CsvColumns(0, 1, 4, None, True, ","))
    assert not ok and text == "Row 2, the label column: 'train' is not a number."
    assert preview_summary(rows[:1], cols) == (False, "No data rows: the file holds only a header.")


def test_the_preview_keeps_fields_short_and_rows_whole(tmp_path) -> None:
    path = write(tmp_path, "x,y,label\n" + f"{'1' * 500},2,1\n" * 3)
    p = preview_csv(path)
    assert p.complete and len(p.rows) == 4 and p.rows[1][0] == "1" * 40
    p = preview_csv(path, max_bytes=700)                 # the second row is cut: left out
    assert not p.complete and len(p.rows) == 2
