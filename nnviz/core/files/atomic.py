"""Writing a file safely: never a half-written file, never a lost previous one.

Every file nnviz writes (sessions, weights, CSVs, pictures) goes through atomic_write.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from typing import BinaryIO, Callable

NEW_FILE_MODE = 0o666   # narrowed by the user's umask, as any program's new file is


def _temp_beside(path: str) -> tuple[str, int]:
    """A new, empty temporary file in the folder of `path`: (name, fd).

    Created with os.open(..., 0o666), so the kernel applies the umask (and any default
    ACL) exactly as it would to the final file; tempfile's 0600 would stick to it.
    """
    head, tail = os.path.split(os.path.abspath(path))
    for attempt in range(100):
        tmp = os.path.join(head, f".{tail[:120]}.{os.getpid()}-{attempt}.part")   # short: NAME_MAX
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                                NEW_FILE_MODE)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {tail}")


def atomic_write(path, write_fn: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in the same folder, fsync, then rename into place.

    A new file gets the usual mode (0666 less the umask); an overwritten one keeps its
    mode. On any failure (a full disk, an error in write_fn) the temporary file is
    removed and the error re-raised (OSError or ValueError; anything else is wrapped in
    ValueError), so the previous file survives byte for byte.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        old_mode = stat.S_IMODE(os.stat(path).st_mode)   # overwriting keeps the permissions
    except OSError:
        old_mode = None
    tmp, fd = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write_fn(f)
            f.flush()
            os.fsync(f.fileno())
        if old_mode is not None:
            os.chmod(tmp, old_mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, (OSError, ValueError)) or not isinstance(exc, Exception):
            raise
        raise ValueError(f"could not write {os.path.basename(path)}: {exc}") from exc
    with contextlib.suppress(OSError):   # make the rename itself durable where possible
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_write_bytes(path, data: bytes) -> None:
    """atomic_write of bytes already in memory (pictures, small text files)."""
    atomic_write(path, lambda f: f.write(data))


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
