"""Shared helpers for tests that drive the real MainWindow and worker."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, Slot

from nnviz.core.config import Config
from nnviz.gui.window.main_window import MainWindow

START_MS = 60_000  # the first start may compile the kernel


def open_window(qtbot, tmp_path, config: Config | None = None, remembered: bool = False) -> MainWindow:
    """A window with its own settings file; remembered=True starts from what it remembers."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(None if remembered else (config or Config()), settings=settings)
    w.quiet_errors = True
    qtbot.addWidget(w)
    w.setWindowState(Qt.WindowNoState)   # not maximised on the small offscreen screen: this size
    w.resize(1400, 900)
    w.show()
    qtbot.waitUntil(lambda: w.latest is not None, timeout=START_MS)
    return w


def act_and_wait(qtbot, w: MainWindow, action, cond=lambda s: True, timeout=10_000):
    """Run an action and wait for a newer Snapshot that satisfies cond; return it."""
    seq = w.latest.seq
    action()
    qtbot.waitUntil(lambda: w.latest.seq > seq and cond(w.latest), timeout=timeout)
    return w.latest


def pause(qtbot, w: MainWindow):
    return act_and_wait(qtbot, w, w.pause_requested.emit, lambda s: not s.playing)


def params(snap) -> np.ndarray:
    return np.concatenate([a.ravel() for pair in zip(snap.weights, snap.biases) for a in pair])


class Heard(QObject):
    """Every emission of a worker's one-argument signal, recorded in the GUI thread: a QObject
    of this thread, so Qt queues the call (pytest-qt's waitSignal on a worker's signal would
    run its own timer's slot in the worker thread)."""

    def __init__(self, signal):
        super().__init__()
        self.items: list = []
        signal.connect(self.take)

    @Slot(object)
    def take(self, payload) -> None:
        self.items.append(payload)

