"""The worker's slots that live in its mixins (worker/explain.py, loop.py, stops.py) run in
the worker thread when the window's queued signals reach them, never in the GUI thread."""

from __future__ import annotations

import threading

from helpers.window import Heard, act_and_wait, open_window, pause


def recorder(worker, name: str, monkeypatch) -> list:
    """Record the thread each call of worker.<name> runs in (the worker calls it on self)."""
    seen, real = [], getattr(worker, name)
    monkeypatch.setattr(worker, name, lambda *a: (seen.append(threading.current_thread()), real(*a))[1])
    return seen


def test_explain_and_apply_run_in_the_worker_thread(qtbot, tmp_path, monkeypatch) -> None:
    w = open_window(qtbot, tmp_path)
    pause(qtbot, w)
    paused = recorder(w.worker, "_pause_quietly", monkeypatch)   # the first thing both slots do
    heard = Heard(w.worker.explanation_ready)
    w.explain_requested.emit(None)
    qtbot.waitUntil(lambda: bool(heard.items), timeout=10_000)
    assert paused and all(t is not threading.main_thread() for t in paused)
    n, key = len(paused), heard.items[0][1].preview.state_key
    act_and_wait(qtbot, w, lambda: w.explain_apply_requested.emit(key))
    assert len(paused) > n and all(t is not threading.main_thread() for t in paused)


def test_the_training_loop_runs_in_the_worker_thread(qtbot, tmp_path, monkeypatch) -> None:
    w = open_window(qtbot, tmp_path)
    armed = recorder(w.worker, "_arm_stop_conditions", monkeypatch)
    ticks = recorder(w.worker, "_stop_reason", monkeypatch)   # asked on every chunk of _tick
    act_and_wait(qtbot, w, w.play_requested.emit, lambda s: s.playing and s.epoch > 3)
    pause(qtbot, w)
    assert armed and all(t is not threading.main_thread() for t in armed)
    assert ticks and all(t is not threading.main_thread() for t in ticks)
