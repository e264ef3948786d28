"""Tests for nnviz.core.files.data_csv: points as CSV, written atomically, read defensively."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core.config import CUSTOM, DATASETS
from nnviz.core.data.datasets import Dataset, generate
from nnviz.core.errors import FormatError
from nnviz.core.files import data_csv
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
    assert back.x.tobytes() == d.x.tobytes() and back.y.tobytes() == d.y.tobytes()
    assert back.n_classes == d.n_classes
    assert os.listdir(tmp_path) == [f"{name}.csv"]   # no temporary file left behind


def write(tmp_path, content: str | bytes, name: str = "in.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_csv_label_inference_and_header_optional(tmp_path) -> None:
    d = load_csv(write(tmp_path, "1,2,0\n3,4,1\n-7,8.5,1\n"))   # no header; 0/1 -> -1/+1
    assert d.n_classes == 2 and d.y.tolist() == [-1.0, 1.0, 1.0]
    assert d.x.tolist() == [[1.0, 2.0], [3.0, 4.0], [-7.0, 8.5]]   # outside [-6, 6] kept
    d = load_csv(write(tmp_path, "\ufefflabel, y ,x\r\n1,2,3\r\n-1,5,6\r\n"))  # BOM, CRLF
    assert d.n_classes == 2 and d.x.tolist() == [[3.0, 2.0], [6.0, 5.0]]
    d = load_csv(write(tmp_path, "# drawn by hand\nx,y,label\n0,0,0\n1,1,3\n\n2,2,1\n"))
    assert d.n_classes == 4 and d.y.tolist() == [0.0, 3.0, 1.0]
    assert load_csv(write(tmp_path, "0,0,0.5\n1,1,1\n")).n_classes == 0
    assert load_csv(write(tmp_path, "0,0,0\n1,1,12\n")).n_classes == 0     # > 10 classes
    assert load_csv(write(tmp_path, "0,0,-1\n1,1,0\n2,2,1\n")).n_classes == 0
    assert load_csv(write(tmp_path, '"1","2","-1"\n')).y.tolist() == [-1.0]


@pytest.mark.parametrize("content,message", [
    ("x,y,label\n1,2,1\n3,4\n", "line 3: expected 3"),            # truncated line
    ("x,y,label\n1,2,1\n3,4,", "line 3, column label"),            # cut inside a row
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
    with pytest.raises(FormatError, match="at most 100000"):
        load_csv(write(tmp_path, "0,0,1\n" * 100_001))
    assert len(load_csv(write(tmp_path, "0,0,1\n" * 100_000))) == 100_000
    assert issubclass(FormatError, ValueError)


def test_save_is_atomic(tmp_path, monkeypatch) -> None:
    path = tmp_path / "data.csv"
    path.write_text("old contents\n")
    d = gen("circle", 0.1)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(data_csv.os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_csv(d, path)
    assert path.read_text() == "old contents\n" and os.listdir(tmp_path) == ["data.csv"]
    monkeypatch.undo()
    bad = Dataset(np.array([[0.0, np.nan]]), np.array([1.0]), 2)
    with pytest.raises(ValueError):
        save_csv(bad, path)
    assert path.read_text() == "old contents\n" and os.listdir(tmp_path) == ["data.csv"]
    save_csv(d, path)
    assert len(load_csv(path)) == 500


def _load_bytes(blob: bytes) -> None:
    """load_csv on these bytes may succeed or raise FormatError, and nothing else."""
    fd, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        try:
            d = load_csv(path)
        except FormatError:
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
