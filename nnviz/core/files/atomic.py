"""Writing a file safely: never a half-written file, never a lost previous one."""

from __future__ import annotations

import contextlib
import os
import secrets
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


def atomic_write_all(writes: list[tuple[object, Callable[[BinaryIO], None]]]) -> None:
    """Write several files that belong together (a script and its weights), all or none.

    Each is first written in full, through atomic_write, to a hidden file beside its
    target; only once every one is written are they renamed into place. A failure before
    that removes the hidden files and leaves every old file as it was.
    """
    staged: list[tuple[str, str]] = []
    try:
        for path, write_fn in writes:
            path = os.fspath(path)
            folder, name = os.path.split(os.path.abspath(path))
            stage = os.path.join(folder, f".nnviz-{secrets.token_hex(6)}-{name}.part")
            staged.append((stage, path))
            atomic_write(stage, write_fn)
        for stage, path in staged:
            with contextlib.suppress(OSError):   # overwriting keeps the permissions
                os.chmod(stage, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(stage, path)
    except BaseException:
        for stage, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(stage)
        raise
