"""Driving the File menu through the real window and worker: a stand-in file dialog,
the worker's answers recorded in the GUI thread, and the state a failed action must keep."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Slot

from helpers.window import act_and_wait, open_window
from nnviz.core.config import Config
from nnviz.gui.window.main_window import MainWindow

FILE_MS = 30_000   # a file answer; the first ONNX export imports onnx


class Outcomes(QObject):
    """Records the worker's file answers in the GUI thread.

    Connected after FileActions, so when an answer is recorded here the window has
    already handled it (queued calls to the GUI thread run in the order they were posted).
    """

    def __init__(self, worker, parent: QObject | None = None):
        super().__init__(parent)
        self.items: list[tuple[str, str, str]] = []
        worker.file_done.connect(self.done)
        worker.file_failed.connect(self.failed)

    @Slot(str, str)
    def done(self, action: str, path: str) -> None:
        self.items.append(("done", action, path))

    @Slot(str, str)
    def failed(self, action: str, message: str) -> None:
        self.items.append(("failed", action, message))


def watch(w: MainWindow) -> MainWindow:
    w.outcomes = Outcomes(w.worker, w)   # deleted with the window, not by the collector
    return w


def run_file(qtbot, w: MainWindow, fn, timeout=FILE_MS) -> tuple[str, str, str]:
    """Call fn (a menu action) and wait for the worker's answer to be handled."""
    n = len(w.outcomes.items)
    fn()
    qtbot.waitUntil(lambda: len(w.outcomes.items) > n, timeout=timeout)
    assert len(w.outcomes.items) == n + 1, w.outcomes.items[n:]
    return w.outcomes.items[n]


class Dialogs:
    """Stands in for QFileDialog in nnviz.gui.menus: returns the next chosen path."""

    def __init__(self):
        self.answer = ("", "")
        self.asked: list[tuple[str, str]] = []   # (kind, title)

    def choose(self, path, chosen_filter: str = "") -> None:
        self.answer = (os.fspath(path), chosen_filter)

    def getSaveFileName(self, parent, title, directory="", filters="", *args):  # noqa: N802 (Qt name)
        self.asked.append(("save", title))
        return self.answer

    def getOpenFileName(self, parent, title, directory="", filters="", *args):  # noqa: N802 (Qt name)
        self.asked.append(("open", title))
        return self.answer


class ColumnsDialog:
    """Stands in for menus.ask_columns (the CSV column dialog): answers (go on, columns);
    the default, (True, None), imports with the reader's own choice of columns."""

    def __init__(self):
        self.answer: tuple = (True, None)
        self.asked: list[tuple[str, int]] = []   # (path, train ratio)

    def __call__(self, parent, path, train_ratio):
        self.asked.append((path, train_ratio))
        return self.answer


def epochs(qtbot, w: MainWindow, n: int):
    for _ in range(n):
        epoch = w.latest.epoch
        act_and_wait(qtbot, w, w.step_epoch_requested.emit, lambda s, e=epoch: s.epoch == e + 1)
    return w.latest


DATA_FIELDS = ("train_x", "train_y", "test_x", "test_y")


def state(w: MainWindow) -> dict:
    """Everything a failed file action must leave alone, as bytes and values."""
    t, snap = w.worker.trainer, w.latest   # read while the worker is idle
    out = {"params": t.network.params.tobytes(), "layer_sizes": t.network.layer_sizes,
           "trainer_config": t.config, "snapshot_config": snap.config,
           "controls_config": w.controls.config(), "epoch": t.epoch, "steps": t.total_steps,
           "n_classes": t.n_classes, "session_path": w.session_path, "title": w.windowTitle()}
    out.update({f"snap_w{l}": a.tobytes() for l, a in enumerate(snap.weights)})
    out.update({f"snap_b{l}": a.tobytes() for l, a in enumerate(snap.biases)})
    for name in DATA_FIELDS:
        out[f"trainer_{name}"] = getattr(t, name).tobytes()
        out[f"snap_{name}"] = getattr(snap, name).tobytes()
    return out


def new_window(qtbot, folder, config: Config | None = None) -> MainWindow:
    folder.mkdir(parents=True, exist_ok=True)
    return watch(open_window(qtbot, folder, config))
