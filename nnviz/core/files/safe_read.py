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
import stat
import zipfile
from typing import Any, BinaryIO, Iterator

import numpy as np

from nnviz.core.errors import FormatError, quote, shorten
from nnviz.core.limits import (
    MAX_FILE_BYTES,
    MAX_JSON_CONTAINERS,
    MAX_JSON_ITEMS,
    MAX_META_BYTES,
    MAX_UNPACKED_BYTES,
)

MAX_MEMBERS = 256                 # arrays in one .npz
__all__ = ["FormatError", "quote", "shorten"]   # re-exported for the readers


def display_name(path) -> str:
    p = os.fspath(path)
    return os.path.basename(p) or p


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
                          f"({type(exc).__name__}: {shorten(str(exc), 80)})") from exc


def open_regular(path, name: str | None = None) -> BinaryIO:
    """The file opened for reading in binary, refusing anything that is not a regular file.

    A FIFO would block open() (and then training and quitting) until some other program
    writes to it, and a device such as /dev/zero never ends: so the file is opened without
    blocking and its kind checked on the open descriptor, which also closes the gap between
    a check and the open.
    """
    name = name or display_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise FormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise FormatError(f"cannot read {name}: it is {kind}, not a file")
    with contextlib.suppress(OSError, AttributeError):   # plain blocking reads from here on
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file, refusing anything larger than `limit` before reading it."""
    name = display_name(path)
    try:
        with open_regular(path, name) as f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise FormatError(f"{name} is {size / 2**20:.1f} MB; nnviz files are at most "
                                  f"{limit / 2**20:g} MB")
            data = f.read(size + 1)   # not limit + 1: read() allocates what it is asked for
    except OSError as exc:
        raise FormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise FormatError(f"{name} is larger than {limit // 2**20} MB")
    if not data:
        raise FormatError(f"{name} is empty")
    return data


def check_json_size(text: str | bytes, what: str, limit: int) -> None:
    """Refuse JSON text that would expand into too many objects, before parsing it.

    json.loads holds the GIL for the whole parse and builds a Python object per element
    (an empty list "[]," costs 56 bytes for 3 characters), so the text's length and its
    number of containers and items are bounded first by counting characters (str.count
    runs at memory speed and counts those inside strings too, which only errs on the
    side of refusing).
    """
    if len(text) > limit:
        raise FormatError(f"{what} is {len(text) / 2**20:.1f} MB of JSON text; at most "
                          f"{limit / 2**20:g} MB is allowed")
    b = (lambda c: c.encode()) if isinstance(text, bytes) else (lambda c: c)
    containers = text.count(b("[")) + text.count(b("{"))
    if containers > MAX_JSON_CONTAINERS:
        raise FormatError(f"{what} holds {containers:,} JSON lists or objects; an nnviz file "
                          f"has at most {MAX_JSON_CONTAINERS:,}")
    items = text.count(b(","))
    if items > MAX_JSON_ITEMS:
        raise FormatError(f"{what} holds {items:,} JSON items; an nnviz file has at most "
                          f"{MAX_JSON_ITEMS:,}")


def read_npz(path, limit: int = MAX_FILE_BYTES) -> dict[str, np.ndarray]:
    """Every array of an .npz, checked before loading: no pickles, no zip bombs.

    Memory stays within a few times the file: the archive may list at most MAX_MEMBERS
    arrays (counted from its end record, before zipfile builds an entry per listing), its
    members may unpack to MAX_UNPACKED_BYTES in all (zipfile stops a member at its listed
    size), and no array may claim more than its member holds (numpy allocates the claimed
    shape before reading). The JSON text in `meta` is bounded again in json_meta.
    """
    name = display_name(path)
    data = read_bytes(path, limit)
    with reader_boundary(name):
        _check_member_count(data, name)
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
                    raise FormatError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; "
                                      f"an nnviz file is far smaller")
                if info.filename == "meta.npy" and info.file_size > 4 * MAX_META_BYTES + 256:
                    raise FormatError(f"{name}: its 'meta' text unpacks to "
                                      f"{info.file_size / 2**20:.0f} MB; an nnviz file's is a few kB")
                with zf.open(info) as f:
                    _check_npy_header(f, f"{name}: {info.filename}", info.file_size)
        buf.seek(0)
        out: dict[str, np.ndarray] = {}
        with np.load(buf, allow_pickle=False) as npz:   # never unpickle: a pickle can run code
            if len(set(npz.files)) != len(npz.files):
                raise FormatError(f"{name} lists an array twice")
            for key in npz.files:
                out[key] = np.asarray(npz[key])
        return out


_END_RECORD = b"PK\x05\x06"   # a zip's end of central directory record


def _check_member_count(data: bytes, name: str) -> None:
    """Refuse an archive whose end record lists more members than an .npz of nnviz has."""
    at = data.rfind(_END_RECORD, max(0, len(data) - 65_557))   # the record and its comment
    if at < 0 or at + 22 > len(data):
        return   # not a zip: is_zipfile says so in words
    entries = int.from_bytes(data[at + 10:at + 12], "little")
    directory = int.from_bytes(data[at + 12:at + 16], "little")
    if entries > MAX_MEMBERS or directory > MAX_MEMBERS * 1024:
        raise FormatError(f"{name} lists {entries:,} members; an nnviz file holds at most "
                          f"{MAX_MEMBERS}")


def _check_npy_header(f: BinaryIO, what: str, member_size: int) -> None:
    """Refuse object arrays, and arrays larger than their member, from the header."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise FormatError(f"{what}: unsupported .npy version {version}")
    if dtype.hasobject:
        raise FormatError(f"{what} is an object array (a pickle); nnviz never loads pickles")
    if math.prod(shape) * dtype.itemsize > member_size:
        raise FormatError(f"{what} declares an array of shape {quote(shape)}, larger than "
                          f"the data it holds (truncated?)")


def need(ok: bool, message: str) -> None:
    if not ok:
        raise FormatError(message)


def refuse_constant(token: str) -> float:
    raise FormatError(f"holds {token}: not a finite number")


def json_meta(arrays: dict[str, np.ndarray], name: str) -> Any:
    """The JSON string stored as the 0-d text array `meta` of an .npz, parsed (bounded first)."""
    meta = arrays.get("meta")
    need(meta is not None, f"{name} has no 'meta' array: not an nnviz file")
    need(meta.dtype.kind == "U" and meta.shape == (), f"{name}: 'meta' is not a text string")
    text = str(meta[()])
    check_json_size(text, f"{name}: 'meta'", MAX_META_BYTES)
    try:
        return json.loads(text, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{name}: 'meta' is not valid JSON ({shorten(str(exc), 80)})") from exc


def float_array(a: np.ndarray, what: str) -> np.ndarray:
    """A numeric array as float64 (exact for float64 input); text, bool and complex refused."""
    need(a.dtype.kind in "fiu", f"{what} holds {a.dtype} values, not numbers")
    return np.array(a, dtype=np.float64)
