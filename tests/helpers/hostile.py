"""Files built to cost a reader time or memory, each written in chunks so that making one
costs the test little. Each is what fuzzing found against the readers, at the size found."""

from __future__ import annotations

import io as bytes_io
import json
import zipfile
from pathlib import Path

import numpy as np

from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.model.network import Network

CHUNK = 1 << 20


def _repeat(path: Path, head: bytes, unit: bytes, count: int, tail: bytes = b"") -> Path:
    """head + unit * count + tail, written a megabyte at a time."""
    per = max(1, CHUNK // len(unit))
    with open(path, "wb") as f:
        f.write(head)
        while count > 0:
            n = min(per, count)
            f.write(unit * n)
            count -= n
        f.write(tail)
    return path


def csv_digit_field(folder: Path, digits: int = 1_000_000) -> Path:
    """One field of a megabyte of digits and then a letter: the old number pattern
    backtracked over every split of the digits (16,000 digits took 4 s; this, hours)."""
    return _repeat(folder / "digits.csv", b"x,y,label\n1,2,1\n", b"1", digits, b"x,2,1\n")


def csv_blank_lines(folder: Path, megabytes: int = 8) -> Path:
    """Blank lines: the old reader kept a tuple per line before any check (1 GB for 8 MB)."""
    return _repeat(folder / "blank.csv", b"x,y,label\n", b"\n", megabytes * CHUNK)


def csv_too_many_rows(folder: Path, rows: int = 300_000) -> Path:
    """Short valid rows past the row limit: refused as they come, not after reading all."""
    return _repeat(folder / "rows.csv", b"x,y,label\n", b"0,0,1\n", rows)


def _network_doc() -> dict:
    net = Network((2, 4, 2, 1), ("tanh", "tanh"), "tanh_mse", ("x1", "x2"))
    net.params[:] = np.linspace(-0.5, 0.5, net.params.size)
    return json.loads(files.weights_json(net))


def json_extra_key(folder: Path, lists: int = 16_000_000) -> Path:
    """A valid weights file with an ignored extra key of millions of empty lists (48 MB;
    the old reader parsed it, 1.2 GB, and accepted it)."""
    text = json.dumps(_network_doc())
    head = (text[:-1] + ', "junk": [').encode()
    return _repeat(folder / "junk.json", head, b"[],", lists - 1, b"[]]}")


def npz_meta_lists(folder: Path, lists: int = 5_000_000) -> Path:
    """A weights .npz whose 'meta' text is millions of empty lists: a few hundred kB packed,
    60 MB as the text array and hundreds of MB once parsed by the old reader."""
    path = folder / "meta.npz"
    text_len = 3 * lists + 1      # "[" + "[]," * (lists - 1) + "[]]"
    header = bytes_io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": f"<U{text_len}", "fortran_order": False,
                                                  "shape": ()})
    unit = "[],".encode("utf-32-le")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("meta.npy", "w", force_zip64=True) as f:
            f.write(header.getvalue())
            f.write("[".encode("utf-32-le"))
            left = lists - 1
            while left > 0:
                n = min(left, CHUNK // len(unit))
                f.write(unit * n)
                left -= n
            f.write("[]]".encode("utf-32-le"))
        buf = bytes_io.BytesIO()
        np.save(buf, np.zeros((1, 2)))
        zf.writestr("w0.npy", buf.getvalue())
    return path


def session_many_points(folder: Path, points: int = 900_000) -> Path:
    """A session holding 900,000 points (the old loader accepted it, then every chunk of
    training froze the window)."""
    from nnviz.core.train.trainer import Trainer
    t = Trainer(Config())
    path = folder / "big.nnviz"
    files.save_session(t, path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    rng = np.random.default_rng(0)
    arrays["train_x"] = rng.uniform(-6, 6, (points, 2))
    arrays["train_y"] = np.where(rng.random(points) < 0.5, -1.0, 1.0)
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)
    return path


# (name, builder, reader): reader is "csv", "weights" or "session"
HOSTILE = [
    ("csv_digit_field", csv_digit_field, "csv"),
    ("csv_blank_lines", csv_blank_lines, "csv"),
    ("csv_too_many_rows", csv_too_many_rows, "csv"),
    ("json_extra_key", json_extra_key, "weights"),
    ("npz_meta_lists", npz_meta_lists, "weights"),
    ("session_many_points", session_many_points, "session"),
]
