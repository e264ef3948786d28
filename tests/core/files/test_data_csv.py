"""Tests for nnviz.core.files.data_csv: points as CSV, written atomically, read defensively."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core.config import CUSTOM, DATASETS
from nnviz.core.data.datasets import Dataset, generate, split
from nnviz.core.errors import FormatError
from nnviz.core.files import atomic
from nnviz.core.files.data_csv import load_csv, save_csv

GENERATED = [n for n in DATASETS if n not in CUSTOM]


def gen(name: str, noise: float, seed: int = 0, k: int = 3) -> Dataset:
    return generate(name, noise, np.random.default_rng(seed), k)


# -- CSV ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GENERATED)
def test_csv_round_trip_is_bit_exact(name: str, tmp_path) -> None:
    d = gen(name, 0.37, seed=21, k=5)
    path = tmp_path / f"{name}.csv"
    save_csv(d, path)
    assert path.read_text().splitlines()[0] == "x,y,label"
    back = load_csv(path)
    assert back.data.x.tobytes() == d.x.tobytes() and back.data.y.tobytes() == d.y.tobytes()
    assert back.data.n_classes == d.n_classes and back.is_test is None
    assert os.listdir(tmp_path) == [f"{name}.csv"]   # no temporary file left behind


@pytest.mark.parametrize("name", ["circle", "blobs", "reg-gauss"])
def test_the_train_test_split_survives_a_round_trip(name: str, tmp_path) -> None:
    """Export data writes a split column; importing it gives back both sets, in order, bit
    for bit, whatever the train ratio and seed of the import."""
    train, test = split(gen(name, 0.2, seed=4, k=4), 70)
    path = tmp_path / "split.csv"
    save_csv(train, path, test)
    text = path.read_text().splitlines()
    assert text[0] == "x,y,label,split" and len(text) == len(train) + len(test) + 1
    assert [t.rsplit(",", 1)[1] for t in text[1:]] == ["train"] * len(train) + ["test"] * len(test)
    back = load_csv(path)
    assert back.is_test.tolist() == [False] * len(train) + [True] * len(test)
    for ratio, seed in ((50, 0), (10, 99)):
        tr, te = back.train_test(ratio, seed)
        assert tr.x.tobytes() == train.x.tobytes() and tr.y.tobytes() == train.y.tobytes()
        assert te.x.tobytes() == test.x.tobytes() and te.y.tobytes() == test.y.tobytes()
        assert tr.n_classes == te.n_classes == train.n_classes


def test_without_a_split_column_the_points_are_split_at_random_as_before(tmp_path) -> None:
    """The old rule: shuffle with the seed, then the first train-ratio percent train."""
    d = gen("circle", 0.0)
    save_csv(d, tmp_path / "d.csv")
    tr, te = load_csv(tmp_path / "d.csv").train_test(30, 7)
    want = d.take(np.random.default_rng(7).permutation(len(d)))
    assert len(tr) == 150 and len(te) == 350
    assert np.array_equal(np.concatenate([tr.x, te.x]), want.x)


@pytest.mark.parametrize("content,message", [
    ("x,y,label,split\n1,2,1,train\n3,4,1,validation\n", "line 3, column split: 'validation' is neither"),
    ("x,y,label,split\n1,2,1,train\n3,4,1,train\n", "marks every point 'train'"),
    ("x,y,label,split\n1,2,1,test\n", "marks every point 'test'"),
])
def test_a_bad_split_column_is_refused(tmp_path, content: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        load_csv(write(tmp_path, content)).train_test(50, 0)


def write(tmp_path, content: str | bytes, name: str = "in.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def read(tmp_path, content):
    return load_csv(write(tmp_path, content)).data


def test_csv_label_inference_and_header_optional(tmp_path) -> None:
    d = read(tmp_path, "1,2,0\n3,4,1\n-7,8.5,1\n")   # no header; 0/1 -> -1/+1
    assert d.n_classes == 2 and d.y.tolist() == [-1.0, 1.0, 1.0]
    assert d.x.tolist() == [[1.0, 2.0], [3.0, 4.0], [-7.0, 8.5]]   # outside [-6, 6] kept
    d = read(tmp_path, "\ufefflabel, y ,x\r\n1,2,3\r\n-1,5,6\r\n")  # BOM, CRLF
    assert d.n_classes == 2 and d.x.tolist() == [[3.0, 2.0], [6.0, 5.0]]
    d = read(tmp_path, "# drawn by hand\nx,y,label\n0,0,0\n1,1,3\n\n2,2,1\n")
    assert d.n_classes == 4 and d.y.tolist() == [0.0, 3.0, 1.0]
    assert read(tmp_path, "0,0,0.5\n1,1,1\n").n_classes == 0
    assert read(tmp_path, "0,0,0\n1,1,12\n").n_classes == 0     # > 10 classes
    assert read(tmp_path, "0,0,-1\n1,1,0\n2,2,1\n").n_classes == 0
    assert read(tmp_path, '"1","2","-1"\n').y.tolist() == [-1.0]
    assert read(tmp_path, "\r1,2,1\r3,4,-1\r").x.tolist() == [[1.0, 2.0], [3.0, 4.0]]   # old Mac ends


@pytest.mark.parametrize("labels,classes,words", [
    ("-1 1 1", 2, "2 classes, because every label is -1 or +1"),
    ("0 1 0", 2, "2 classes, because every label is 0 or 1"),
    ("0 4 2", 5, "5 classes, because every label is a whole number 0..4"),
    (" ".join(map(str, range(20))), 0,
     "regression, because the labels are whole numbers up to 19: as classes they would be 20, "
     "more than the 10 nnviz can show"),
    ("-2 0 1", 0, "regression, because some labels are negative (-2)"),
    ("0 0.25 1", 0, "regression, because some labels are not whole numbers (e.g. 0.25)"),
])
def test_the_problem_type_is_said_with_its_reason(tmp_path, labels: str, classes: int, words: str) -> None:
    """20 whole-number labels do not silently become regression: the reason says why."""
    rows = "".join(f"{i},{i},{v}\n" for i, v in enumerate(labels.split()))
    got = load_csv(write(tmp_path, "x,y,label\n" + rows))
    assert got.data.n_classes == classes and got.reason.startswith(words), got.reason


@pytest.mark.parametrize("content,message", [
    ("x,y,label\n1,2,1\n3,4\n", "line 3: expected 3"),            # truncated line
    ("x,y,label\n1,2,1\n3,4,", "line 3, column label: '' is not a number"),   # cut inside a row
    ("1,abc,1\n", "'abc' is not a number"),                        # text in a number
    ("x,y,label\n1,2,1\n1,2,1_0\n", "not a number"),
    ("x,y,label\n1,nan,1\n", "not finite"),
    ("x,y,label\n1,2,-inf\n", "not finite"),
    ("x,y,label\n1e400,2,1\n", "too large"),
    ("x,y,label\n1,2000001,1\n", "too large"),
    ("", "empty"),
    ("\n\n  \n", "empty"),
    ("x,y,label\n", "no data points"),
    ("a,b,c\n1,2,3\n", "no column x, y, label"),
    ("x,y,label\n1,2,1_0\n", "'1_0' is not a number"),                 # float() would take it
    ("x,y,label\n1,2,\u0661\n", "is not a number"),                      # an Arabic-Indic one
    ("x,y,label\n1,2,Infinity\n", "'Infinity' is not finite"),
    ('x,y,label\n"1,2,1\n', "line 2: not readable as CSV"),                # a quote never closed
    ("x,y\n1,2\n", "no column label"),
    ("1,2\n", "expected 3"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"\xff\xfe\xfa garbage \xc3\x28", "not UTF-8"),
])
def test_bad_csv_raises_format_error(tmp_path, content, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        load_csv(write(tmp_path, content))


def test_unreadable_and_too_many_rows(tmp_path) -> None:
    with pytest.raises(FormatError, match="cannot read"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(FormatError, match="cannot read"):
        load_csv(tmp_path)                                  # a folder
    with pytest.raises(FormatError, match="at most 100,000"):
        load_csv(write(tmp_path, "0,0,1\n" * 100_001))
    assert len(read(tmp_path, "0,0,1\n" * 100_000)) == 100_000
    assert issubclass(FormatError, ValueError)


def test_save_is_atomic(tmp_path, monkeypatch) -> None:
    path = tmp_path / "data.csv"
    path.write_text("old contents\n")
    d = gen("circle", 0.1)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_csv(d, path)
    assert path.read_text() == "old contents\n" and os.listdir(tmp_path) == ["data.csv"]
    monkeypatch.undo()
    bad = Dataset(np.array([[0.0, np.nan]]), np.array([1.0]), 2)
    with pytest.raises(ValueError):
        save_csv(bad, path)
    assert path.read_text() == "old contents\n" and os.listdir(tmp_path) == ["data.csv"]
    save_csv(d, path)
    assert len(load_csv(path).data) == 500


def _load_bytes(blob: bytes) -> None:
    """load_csv on these bytes may succeed or raise FormatError, and nothing else."""
    fd, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        try:
            d = load_csv(path).data
        except FormatError as exc:
            assert len(str(exc)) < 300
            return
        assert len(d) >= 1 and d.x.shape == (len(d), 2)
        assert np.all(np.abs(d.x) <= 1e6) and d.n_classes in (0, 2, *range(3, 11))
    finally:
        os.unlink(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_only_raise_format_error(blob: bytes) -> None:
    _load_bytes(blob)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,-+eE\n\r #\"xylabelnaif\ufeff\t", max_size=120))
def test_csv_like_text_only_raises_format_error(text: str) -> None:
    _load_bytes(text.encode())
