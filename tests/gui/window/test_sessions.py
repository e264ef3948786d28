"""The File menu through the real window and worker: sessions.

Dialogs are bypassed by a stand-in QFileDialog in nnviz.gui.window.menus that returns a
chosen path; everything after the dialog (the queued request, the file work in the
worker thread, file_done / file_failed, the messages) is the application's own code."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QSettings

from helpers.window import START_MS, act_and_wait
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window import menus
from nnviz.gui.window.main_window import MainWindow

FILE_MS = 30_000   # a file answer; the first ONNX export imports onnx


from helpers.files import DATA_FIELDS, epochs, new_window, run_file, state, watch

# -- 1. sessions --------------------------------------------------------------------------
SESSION_CONFIG = Config(dataset="spiral", noise=10, seed=7, features=("x1", "x2", "sin(x1)"),
                        hidden_layers=(5, 3), activation="tanh", optimizer="adam",
                        learning_rate=0.01, batch_size=7, regularization="l2", reg_rate=0.001)


def test_save_then_open_in_a_new_window_continues_exactly(qtbot, tmp_path, dialogs):
    a = new_window(qtbot, tmp_path / "a", SESSION_CONFIG)
    epochs(qtbot, a, 3)
    a.actions["discretize"].setChecked(True)
    act_and_wait(qtbot, a, a.step_batch_requested.emit)     # mid-epoch: the batch counter too
    saved = a.latest
    stem = tmp_path / "run"
    dialogs.choose(stem, menus.SESSION_FILTER)               # no suffix typed: the filter's is added
    outcome = run_file(qtbot, a, a.actions["save"].trigger)  # Ctrl+S with no session yet: Save as
    path = str(stem) + ".nnviz"
    assert outcome == ("done", "save_session", path)
    assert dialogs.asked == [("save", "Save session")]
    assert os.path.isfile(path) and a.session_path == path and "run.nnviz" in a.windowTitle()
    # Ctrl+S again writes to the same file without asking
    run_file(qtbot, a, a.actions["save"].trigger)
    assert len(dialogs.asked) == 1

    # `nnviz FILE`: a new window asked to open the file at once, before its first Snapshot
    settings = QSettings(str(tmp_path / "b.ini"), QSettings.IniFormat)
    b = MainWindow(Config(), settings=settings)
    b.quiet_errors = True
    qtbot.addWidget(b)
    watch(b)
    b.show()
    b.file_actions.open_session(path)
    qtbot.waitUntil(lambda: len(b.outcomes.items) == 1, timeout=START_MS)
    assert b.outcomes.items[0] == ("done", "open_session", path), b.last_error
    snap = b.latest
    assert snap.config == saved.config == SESSION_CONFIG
    assert b.controls.config() == snap.config
    assert b.actions["discretize"].isChecked() and not b.actions["show_test"].isChecked()
    assert b.session_path == path and "run.nnviz" in b.windowTitle()
    assert (snap.epoch, snap.batch, snap.total_steps) == (saved.epoch, saved.batch, saved.total_steps)
    assert snap.layer_sizes == saved.layer_sizes and snap.n_classes == saved.n_classes
    for x, y in zip(snap.weights + snap.biases, saved.weights + saved.biases):
        assert x.tobytes() == y.tobytes()
    for name in ("history_epoch", "history_train", "history_test", "history_grad", *DATA_FIELDS):
        assert getattr(snap, name).tobytes() == getattr(saved, name).tobytes(), name
    assert b.worker.trainer.network.params.tobytes() == a.worker.trainer.network.params.tobytes()

    # training on continues exactly as in the window that never saved
    ra, rb = epochs(qtbot, a, 5), epochs(qtbot, b, 5)
    assert ra.epoch == rb.epoch == saved.epoch + 5
    for x, y in zip(ra.weights + ra.biases, rb.weights + rb.biases):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rb.history_train, ra.history_train, rtol=0, atol=1e-12)
    a.close()
    b.close()


def test_open_session_through_the_dialog(qtbot, tmp_path, dialogs, window):
    w = window
    trainer = Trainer(Config(dataset="xor", seed=3, hidden_layers=(3,)))
    trainer.train_epochs(2)
    files.save_session(trainer, tmp_path / "x.nnviz", {"show_test": True})
    dialogs.choose(tmp_path / "x.nnviz", menus.SESSION_FILTER)
    assert run_file(qtbot, w, w.actions["open"].trigger)[:2] == ("done", "open_session")
    assert dialogs.asked == [("open", "Open session")]
    assert w.latest.config == trainer.config == w.controls.config()
    assert w.latest.epoch == 2 and w.actions["show_test"].isChecked()
    assert w.worker.trainer.network.params.tobytes() == trainer.network.params.tobytes()


def test_save_while_playing_keeps_playing_and_the_file_continues(qtbot, tmp_path, dialogs, window):
    w = window
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch >= 3, timeout=10_000)
    dialogs.choose(tmp_path / "live.nnviz")
    assert run_file(qtbot, w, w.actions["save"].trigger)[:2] == ("done", "save_session")
    act_and_wait(qtbot, w, lambda: None, lambda s: s.playing)      # training went on
    act_and_wait(qtbot, w, w.toggle_play, lambda s: not s.playing)
    trainer, _ = files.load_session(tmp_path / "live.nnviz")         # a consistent state, saved mid-run
    assert trainer.epoch >= 3 and trainer.batch == 0
    assert len(trainer.history.epoch.array()) == trainer.epoch + 1


def test_a_diverged_session_is_refused_in_words(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "win", Config(dataset="reg-plane", learning_rate=10.0))
    dialogs.choose(tmp_path / "ok.nnviz")
    run_file(qtbot, w, w.actions["save_as"].trigger)
    old = (tmp_path / "ok.nnviz").read_bytes()
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing, timeout=20_000)
    kind, _, message = run_file(qtbot, w, w.actions["save"].trigger)
    assert kind == "failed" and "Reset" in message, message
    assert (tmp_path / "ok.nnviz").read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["ok.nnviz", "win"]
    w.close()


def test_cancelled_dialogs_do_nothing(qtbot, dialogs, window):
    w = window
    before = state(w)
    dialogs.choose("", "")
    with qtbot.assertNotEmitted(w.file_requested, wait=50):
        for name in ("open", "save", "save_as", "import_weights", "export_weights",
                     "export_history", "import_data", "export_data"):
            w.actions[name].trigger()
    assert len(dialogs.asked) == 8 and state(w) == before and w.outcomes.items == []
