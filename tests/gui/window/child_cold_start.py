"""Run by test_first_start.py in a child process with an empty numba cache (NUMBA_CACHE_DIR):
Play trains and the views draw within 3 s of the window appearing, while the kernel
compiles in the background; once it is loaded the run goes on as the kernel's own."""

from __future__ import annotations

import time

import numpy as np

from helpers.window import act_and_wait, params, pause
from nnviz.core import compiled
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window.main_window import MainWindow
from PySide6.QtCore import QSettings

FIRST_START_S = 3.0


def test_play_trains_at_once_while_the_kernel_compiles(qtbot, tmp_path):
    w = MainWindow(Config(), settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    w.quiet_errors = True
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    shown = time.perf_counter()
    qtbot.waitUntil(lambda: w.latest is not None, timeout=int(FIRST_START_S * 1000))
    w.toggle_play()
    qtbot.waitUntil(lambda: w.latest.epoch >= 3 and w.painted_seq == w.latest.seq,
                    timeout=max(1, int((FIRST_START_S - (time.perf_counter() - shown)) * 1000)))
    elapsed = time.perf_counter() - shown
    assert elapsed < FIRST_START_S
    assert w.topology.paint_count > 0 and w.surface.isVisible() and w.curves.paint_count > 0
    # it is the numpy reference that trains: the kernel is still compiling, and the status bar says so
    assert not compiled.available() and not w.worker._kernel.finished
    assert w.engine_label.isVisible() and "compiled" in w.engine_label.text()
    print(f"epoch {w.latest.epoch} painted {elapsed:.2f} s after the window appeared")

    # the compile ends, the kernel takes over, and the status bar says it is ready
    qtbot.waitUntil(lambda: not w.engine_label.isVisible(), timeout=300_000)
    assert compiled.available()
    qtbot.waitUntil(lambda: "kernel is ready" in w.statusBar().currentMessage(), timeout=5_000)
    at = w.latest.epoch
    qtbot.waitUntil(lambda: w.latest.epoch > at + 5, timeout=10_000)
    snap = pause(qtbot, w)
    # no jump at the switch: the same run as the kernel alone would have made
    ref = Trainer(Config())
    ref.train_epochs(snap.epoch)
    assert snap.batch == 0
    np.testing.assert_allclose(params(snap), ref.network.params, rtol=0, atol=1e-9)
    assert np.allclose(snap.history_test, ref.history.test.array(), rtol=0, atol=1e-9)
    act_and_wait(qtbot, w, w.step_epoch_requested.emit)   # and steps on the kernel
    w.close()
