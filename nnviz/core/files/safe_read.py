"""Reading files without trusting them: size limits, no pickles, one error type.

Readers never trust a file: anything wrong with it, whatever the exception underneath,
becomes one `FormatError` whose message says in words what is wrong, so the GUI can show
it and leave the session untouched. Nothing is ever unpickled.
"""

from __future__ import annotations

import contextlib
import io as _bytes_io
import json
import math
import os
import zipfile
from typing import Any, BinaryIO, Iterator

import numpy as np

from nnviz.core.errors import FormatError

MAX_FILE_BYTES = 50 * 2**20       # files larger than this are refused unread
MAX_UNPACKED_BYTES = 256 * 2**20  # an .npz may not unpack to more than this
MAX_MEMBERS = 256                 # arrays in one .npz


def display_name(path) -> str:
    p = os.fspath(path)
    return os.path.basename(p) or p


def quote(value: Any) -> str:
    """A value quoted for a message, cut short: a file may put megabytes in one field."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@contextlib.contextmanager
def reader_boundary(name: str) -> Iterator[None]:
    """Turn any failure inside a reader into a FormatError (KeyboardInterrupt passes)."""
    try:
        yield
    except FormatError:
        raise
    except RecursionError as exc:
        raise FormatError(f"{name} is nested too deeply to be an nnviz file") from exc
    except MemoryError as exc:
        raise FormatError(f"{name} declares arrays too large to load") from exc
    except Exception as exc:  # noqa: BLE001 - the reader boundary: every cause becomes words
        raise FormatError(f"{name} is damaged or not an nnviz file "
                          f"({type(exc).__name__}: {str(exc)[:120]})") from exc


def read_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file, refusing anything larger than `limit` before reading it."""
    name = display_name(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise FormatError(f"{name} is {size / 2**20:.0f} MB; nnviz files are at most "
                                  f"{limit // 2**20} MB")
            data = f.read(limit + 1)
    except OSError as exc:
        raise FormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise FormatError(f"{name} is larger than {limit // 2**20} MB")
    if not data:
        raise FormatError(f"{name} is empty")
    return data


def read_npz(path, limit: int = MAX_FILE_BYTES) -> dict[str, np.ndarray]:
    """Every array of an .npz, checked before loading: no pickles, no zip bombs."""
    name = display_name(path)
    data = read_bytes(path, limit)
    with reader_boundary(name):
        buf = _bytes_io.BytesIO(data)
        if not zipfile.is_zipfile(buf):
            raise FormatError(f"{name} is not an .npz archive (truncated, or not a zip file)")
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise FormatError(f"{name} holds {len(infos)} arrays; too many for an nnviz file")
            budget = MAX_UNPACKED_BYTES
            for info in infos:
                if not info.filename.endswith(".npy") or info.filename.count("/"):
                    raise FormatError(f"{name} is a zip archive but not an .npz "
                                      f"(it holds {quote(info.filename)})")
                budget -= info.file_size
                if budget < 0:
                    raise FormatError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
                with zf.open(info) as f:
                    _check_npy_header(f, f"{name}: {info.filename}")
        buf.seek(0)
        out: dict[str, np.ndarray] = {}
        with np.load(buf, allow_pickle=False) as npz:   # never unpickle: a pickle can run code
            if len(set(npz.files)) != len(npz.files):
                raise FormatError(f"{name} lists an array twice")
            for key in npz.files:
                out[key] = np.asarray(npz[key])
        return out


def _check_npy_header(f: BinaryIO, what: str) -> None:
    """Refuse object arrays and arrays larger than the archive could hold, from the header."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise FormatError(f"{what}: unsupported .npy version {version}")
    if dtype.hasobject:
        raise FormatError(f"{what} is an object array (a pickle); nnviz never loads pickles")
    if math.prod(shape) * dtype.itemsize > MAX_UNPACKED_BYTES:
        raise FormatError(f"{what} declares an array of shape {quote(shape)}: too large")


def need(ok: bool, message: str) -> None:
    if not ok:
        raise FormatError(message)


def refuse_constant(token: str) -> float:
    raise FormatError(f"holds {token}: not a finite number")


def json_meta(arrays: dict[str, np.ndarray], name: str) -> Any:
    """The JSON string stored as the 0-d text array `meta` of an .npz, parsed."""
    meta = arrays.get("meta")
    need(meta is not None, f"{name} has no 'meta' array: not an nnviz file")
    need(meta.dtype.kind == "U" and meta.shape == (), f"{name}: 'meta' is not a text string")
    try:
        return json.loads(str(meta[()]), parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{name}: 'meta' is not valid JSON ({str(exc)[:80]})") from exc


def float_array(a: np.ndarray, what: str) -> np.ndarray:
    """A numeric array as float64 (exact for float64 input); text, bool and complex refused."""
    need(a.dtype.kind in "fiu", f"{what} holds {a.dtype} values, not numbers")
    return np.array(a, dtype=np.float64)
