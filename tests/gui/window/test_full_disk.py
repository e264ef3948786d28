"""A full disk: every kind of file the window writes fails in words and keeps the old file.

The disk is a real tmpfs filled to the last byte when the tests run as root and may
mount one; otherwise (and always, as a second case) the atomic writer's file is wrapped
in one that writes part of the data and then fails with ENOSPC, as a full disk does.
Every export goes through the real menus, worker and message path; only the file dialog
is a stand-in.
"""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from helpers.files import epochs, run_file
from nnviz.core.files import atomic
from nnviz.gui.window import menus

DISK_SIZE = "3m"
# (name, how the window writes it): worker files by their menu action, pictures by view
WORKER_FILES = [("s.nnviz", "save_as"), ("w.json", "export_weights"), ("w.npz", "export_weights"),
                ("w.onnx", "export_weights"), ("w.safetensors", "export_weights"),
                ("model.py", "export_weights"), ("loss.csv", "export_history"), ("data.csv", "export_data")]
COMPANIONS = ["model.safetensors", "model.csv"]      # written with model.py (SGD keeps no memory)
PICTURES = [(f"{view}{ext}", view) for view in ("topology", "surface", "curves") for ext in (".png", ".svg")]
ALL_NAMES = [n for n, _ in WORKER_FILES + PICTURES] + COMPANIONS


@pytest.fixture(autouse=True)
def replace_companions(monkeypatch):
    """Writing model.py again asks before replacing its companions: yes."""
    monkeypatch.setattr(menus.QMessageBox, "question", lambda *args: menus.QMessageBox.Yes)


def write_everything(qtbot, w, dialogs, folder) -> dict[str, str]:
    """Write every kind of file into folder through the window: name -> "" or the error
    (a script's companions share its answer)."""
    out = {}
    for name, action in WORKER_FILES:
        w.last_error = ""
        dialogs.choose(folder / name)
        kind, _, message = run_file(qtbot, w, w.actions[action].trigger)
        out[name] = "" if kind == "done" else message
    for name, view in PICTURES:
        w.last_error = ""
        dialogs.choose(folder / name)
        w.file_actions.export_picture(view)                 # pictures are written in the GUI thread
        out[name] = w.last_error
    for name in COMPANIONS:
        out[name] = out["model.py"]
    return out


class FailingFile:
    """A file that takes `budget` bytes, then fails as a full disk does (ENOSPC)."""

    def __init__(self, f, budget: int):
        self.f, self.left = f, budget

    def write(self, data) -> int:
        data = bytes(data)
        if len(data) > self.left:
            self.f.write(data[:self.left])
            self.f.flush()
            self.left = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.left -= len(data)
        return self.f.write(data)

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()


@pytest.fixture(params=["tmpfs", "failing writer"])
def full_disk(request, tmp_path, monkeypatch):
    """(folder, fill): fill() makes every later write into folder fail with ENOSPC."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if request.param == "failing writer":
        real = os.fdopen

        def fill() -> None:
            monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: FailingFile(real(fd, mode), 100))
        yield folder, fill
        return
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(folder)],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")

    def fill() -> None:
        # unbuffered: a buffered file would keep the bytes that did not fit and fail
        # again when closed, depending on how much room the files before it left
        with open(folder / "filler", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        with pytest.raises(OSError):
            with open(folder / "probe", "wb") as f:
                f.write(b"x" * 4096)
                f.flush()
                os.fsync(f.fileno())
        os.remove(folder / "probe")
    try:
        yield folder, fill
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def test_every_export_onto_a_full_disk_keeps_the_old_file(qtbot, dialogs, window, full_disk):
    w = window
    folder, fill = full_disk
    epochs(qtbot, w, 2)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    assert write_everything(qtbot, w, dialogs, folder) == dict.fromkeys(ALL_NAMES, "")
    old = {name: (folder / name).read_bytes() for name in ALL_NAMES}
    listing = sorted(os.listdir(folder))

    epochs(qtbot, w, 3)                            # every file would now come out different
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    session_path, title = w.session_path, w.windowTitle()
    fill()
    listing = sorted(os.listdir(folder))
    errors = write_everything(qtbot, w, dialogs, folder)
    for name in ALL_NAMES:
        assert "No space left on device" in errors[name], (name, errors[name])
        assert str(folder / (name if name not in COMPANIONS else "model.py")) in errors[name]
        assert (folder / name).read_bytes() == old[name], f"{name} was changed"
    assert sorted(os.listdir(folder)) == listing             # no temporary file left behind
    message = w.statusBar().currentMessage()
    assert message.startswith("Could not") and "Saved" not in message, message
    assert w.session_path == session_path and w.windowTitle() == title


def test_written_files_get_the_usual_mode_and_keep_a_changed_one(qtbot, dialogs, window, tmp_path):
    w = window
    folder = tmp_path / "out"
    folder.mkdir()
    umask = os.umask(0o022)
    os.umask(umask)
    assert write_everything(qtbot, w, dialogs, folder) == dict.fromkeys(ALL_NAMES, "")
    for name in ALL_NAMES:
        assert (os.stat(folder / name).st_mode & 0o777) == 0o666 & ~umask, name
        os.chmod(folder / name, 0o600)
    epochs(qtbot, w, 1)
    assert write_everything(qtbot, w, dialogs, folder) == dict.fromkeys(ALL_NAMES, "")
    for name in ALL_NAMES:
        assert (os.stat(folder / name).st_mode & 0o777) == 0o600, name
