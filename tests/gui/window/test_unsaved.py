"""Unsaved work: the title's mark, and Save / Discard / Cancel before it is thrown away.

The question is the real `unsaved.ask` around a stand-in QMessageBox (tests/helpers/
prompts.py) that records it and clicks the queued answer; the file dialog is a stand-in
too. Everything else is the application's own code: the window, the worker, the file.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from helpers.files import epochs, new_window, run_file, state
from helpers.window import act_and_wait
from nnviz.core import files
from nnviz.core.config import Config

SAVE, DISCARD, CANCEL = QMessageBox.Save, QMessageBox.Discard, QMessageBox.Cancel


def unsaved(w) -> bool:
    return w.isWindowModified() and w.latest.unsaved


def trained(qtbot, w, n=2):
    snap = epochs(qtbot, w, n)
    qtbot.waitUntil(lambda: w.isWindowModified(), timeout=2_000)
    return snap


def settle(qtbot, w):
    """Let queued answers from the worker arrive (a request that was never sent sends none)."""
    act_and_wait(qtbot, w, w.pause_requested.emit)


def test_the_mark_follows_training_editing_and_saving(qtbot, window, dialogs, tmp_path, prompts):
    w = window
    assert w.windowTitle() == "nnviz[*]" and not w.isWindowModified() and not w.latest.unsaved
    trained(qtbot, w)
    assert unsaved(w)
    dialogs.choose(tmp_path / "run.nnviz")
    assert run_file(qtbot, w, w.actions["save_as"].trigger)[0] == "done"
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=2_000)
    assert w.windowTitle() == "nnviz \u2014 run.nnviz[*]" and not w.latest.unsaved
    act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 0.5, w.latest.network_id), lambda s: s.unsaved)
    assert unsaved(w)
    run_file(qtbot, w, w.actions["save"].trigger)                  # Ctrl+S over the same file
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=2_000)
    act_and_wait(qtbot, w, lambda: w.points_add_requested.emit(1.0, 1.0, 1.0), lambda s: s.unsaved)
    # a learning-rate change is a setting, not work: nothing to ask, mark unchanged
    act_and_wait(qtbot, w, lambda: w.request_settings(w.latest.config.replace(learning_rate=0.1)))
    assert prompts.asked == []
    # opening a session: what is shown is what is on disk
    dialogs.choose(tmp_path / "run.nnviz")
    assert run_file(qtbot, w, w.actions["open"].trigger)[0] == "done"
    assert len(prompts.asked) == 1                                  # the drawn point was unsaved
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=2_000)
    assert not w.latest.unsaved


def test_nothing_is_asked_without_unsaved_work(qtbot, window, prompts):
    w = window
    w.request_reset()
    w.controls.data.dataset_buttons["xor"].click()
    settle(qtbot, w)
    assert prompts.asked == [] and w.latest.config.dataset == "xor"
    w.close()
    assert not w.isVisible() and prompts.asked == []


@pytest.mark.parametrize("how", ["reset", "open", "data set", "layers", "import weights", "import data"])
def test_cancel_leaves_everything_exactly_as_it_was(qtbot, window, dialogs, tmp_path, prompts, how):
    w = window
    trained(qtbot, w, 3)
    dialogs.choose(tmp_path / "elsewhere.nnviz")
    before = state(w)
    controls = w.controls.config()
    prompts.answers = [CANCEL]
    {"reset": w.request_reset, "open": w.actions["open"].trigger,
     "data set": w.controls.data.dataset_buttons["spiral"].click,
     "layers": w.controls.network.layers.plus.click,
     "import weights": w.actions["import_weights"].trigger,
     "import data": w.actions["import_data"].trigger}[how]()
    settle(qtbot, w)
    assert len(prompts.asked) == 1 and dialogs.asked == []          # no file dialog either
    asked = prompts.asked[0]
    assert asked["text"] == "The network has been trained or edited since it was last saved."
    assert asked["informative"].startswith("Save the session before you ")
    assert asked["default"] == SAVE and asked["escape"] == CANCEL
    assert w.controls.config() == controls == w.latest.config
    assert w.controls.data.dataset_buttons["circle"].isChecked()
    assert state(w) == before and unsaved(w)


@pytest.mark.parametrize("how", ["reset", "data set"])
def test_discard_goes_on(qtbot, window, prompts, how):
    w = window
    trained(qtbot, w)
    prompts.answers = [DISCARD]
    if how == "reset":
        w.request_reset()
    else:
        w.controls.data.dataset_buttons["spiral"].click()
    qtbot.waitUntil(lambda: w.latest.epoch == 0 and w.latest.total_steps == 0, timeout=10_000)
    assert len(prompts.asked) == 1 and not w.isWindowModified()
    assert w.latest.config.dataset == ("spiral" if how == "data set" else "circle")


def test_save_saves_first_then_goes_on(qtbot, window, dialogs, tmp_path, prompts):
    w = window
    snap = trained(qtbot, w, 3)
    params = w.worker.trainer.network.params.copy()
    path = tmp_path / "before-reset.nnviz"
    dialogs.choose(path)                                 # no session yet: Save asks for a name
    prompts.answers = [SAVE]
    w.request_reset()
    qtbot.waitUntil(lambda: w.latest.epoch == 0, timeout=10_000)
    assert dialogs.asked == [("save", "Save session")]
    saved, _ = files.load_session(path)
    assert saved.epoch == snap.epoch and saved.network.params.tobytes() == params.tobytes()
    assert w.session_path == str(path) and not w.isWindowModified()


def test_a_failed_or_cancelled_save_does_not_go_on(qtbot, window, dialogs, tmp_path, prompts):
    w = window
    trained(qtbot, w)
    before = state(w)
    dialogs.choose("")                                   # the user closes the file dialog
    prompts.answers = [SAVE]
    w.request_reset()
    settle(qtbot, w)
    assert state(w) == before
    dialogs.choose(tmp_path / "no such folder" / "s.nnviz")
    prompts.answers = [SAVE]
    w.last_error = ""
    w.request_reset()
    qtbot.waitUntil(lambda: bool(w.outcomes.items) and w.outcomes.items[-1][0] == "failed", timeout=10_000)
    settle(qtbot, w)
    assert "no such folder" in w.last_error
    before.update(session_path=None)
    assert state(w) == before and unsaved(w)


def test_quit_asks(qtbot, window, dialogs, tmp_path, prompts):
    w = window
    trained(qtbot, w)
    prompts.answers = [CANCEL]
    w.close()
    assert w.isVisible() and w.thread.isRunning() and len(prompts.asked) == 1
    prompts.answers = [SAVE]
    dialogs.choose(tmp_path / "last.nnviz")
    w.close()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=10_000)
    assert os.path.isfile(tmp_path / "last.nnviz") and not w.thread.isRunning()
    back, _ = files.load_session(tmp_path / "last.nnviz")
    assert back.epoch == w.latest.epoch


def test_quit_with_discard_closes_and_a_diverged_network_asks_nothing(qtbot, tmp_path, prompts):
    w = new_window(qtbot, tmp_path / "a", Config(seed=1))
    trained(qtbot, w)
    prompts.answers = [DISCARD]
    w.close()
    assert not w.isVisible() and len(prompts.asked) == 1
    d = new_window(qtbot, tmp_path / "b", Config(dataset="reg-plane", learning_rate=10.0))
    act_and_wait(qtbot, d, d.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(d.latest.diverged), timeout=20_000)
    d.request_reset()                                    # nothing that could be saved is lost
    qtbot.waitUntil(lambda: not d.latest.diverged, timeout=10_000)
    assert len(prompts.asked) == 1
    d.close_without_asking()


def test_drawn_points_stay_unsaved_through_a_reset(qtbot, window, prompts):
    """Reset builds a new network but keeps the points the user drew: still unsaved."""
    w = window
    act_and_wait(qtbot, w, lambda: w.points_add_requested.emit(0.5, 0.5, -1.0), lambda s: s.unsaved)
    prompts.answers = [DISCARD]
    w.request_reset()
    qtbot.waitUntil(lambda: len(prompts.asked) == 1, timeout=2_000)
    settle(qtbot, w)
    assert w.latest.config.dataset == "custom" and unsaved(w)
    assert np.any(np.all(w.latest.train_x == [0.5, 0.5], axis=1))


def test_regenerate_shows_its_seed_and_moves_the_first_point(qtbot, window):
    w = window
    first = w.latest.history_train[0]
    snap = act_and_wait(qtbot, w, lambda: w.regenerate_requested.emit(4242), lambda s: s.config.seed == 4242)
    qtbot.waitUntil(lambda: w.painted_seq == snap.seq, timeout=5_000)
    assert w.controls.data.seed.value() == 4242 and w.controls.config().seed == 4242
    assert snap.history_train[0] == snap.train_loss != first        # epoch 0: the new data's loss
    x, y = w.curves.train_curve.getData()
    assert x[0] == 0 and y[0] == snap.train_loss
    assert unsaved(w)
