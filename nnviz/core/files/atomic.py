"""Writing a file safely: never a half-written file, never a lost previous one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from typing import BinaryIO, Callable


def atomic_write(path, write_fn: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in the same folder, fsync, then rename into place.

    On any failure the temporary file is removed and the error re-raised (OSError or
    ValueError; anything else is wrapped in ValueError), so the previous file survives.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)   # overwriting keeps the permissions
    except OSError:
        mode = 0o644
    tmp = tempfile.NamedTemporaryFile(dir=folder, prefix=".nnviz-", suffix=".tmp", delete=False)
    try:
        with tmp as f:
            write_fn(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp.name, mode)
        os.replace(tmp.name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        if isinstance(exc, (OSError, ValueError)) or not isinstance(exc, Exception):
            raise
        raise ValueError(f"could not write {os.path.basename(path)}: {exc}") from exc
    with contextlib.suppress(OSError):   # make the rename itself durable where possible
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
