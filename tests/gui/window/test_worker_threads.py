"""The worker's slots that live in its mixins (worker/explain.py, loop.py, stops.py) run
in the worker thread when the window's queued signals reach them, never in the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from helpers.window import act_and_wait, open_window, pause


def test_explain_and_apply_run_in_the_worker_thread(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path)
    worker, seen = w.worker, []
    # a direct connection reports the thread the emitting slot runs in
    record = lambda *args: seen.append(threading.current_thread())   # noqa: E731
    worker.explanation_ready.connect(record, Qt.DirectConnection)
    worker.status_posted.connect(record, Qt.DirectConnection)
    pause(qtbot, w)
    with qtbot.waitSignal(worker.explanation_ready, timeout=10_000):
        w.explain_requested.emit(None)
    assert seen and seen[-1] is not threading.main_thread()
    n = len(seen)
    with qtbot.waitSignal(worker.status_posted, timeout=10_000):   # a stale key: nothing applied
        w.explain_apply_requested.emit("not the state key")
    assert len(seen) > n and seen[-1] is not threading.main_thread()


def test_the_training_loop_runs_in_the_worker_thread(qtbot, tmp_path, monkeypatch) -> None:
    w = open_window(qtbot, tmp_path)
    seen = []
    real = w.worker._arm_stop_conditions
    monkeypatch.setattr(w.worker, "_arm_stop_conditions", lambda: (seen.append(threading.current_thread()), real()))
    ticks = []
    w.worker.snapshot_ready.connect(lambda s: ticks.append(threading.current_thread()), Qt.DirectConnection)
    act_and_wait(qtbot, w, w.play_requested.emit, lambda s: s.playing and s.epoch > 3)
    pause(qtbot, w)
    assert seen and all(t is not threading.main_thread() for t in seen)
    assert ticks and all(t is not threading.main_thread() for t in ticks)
