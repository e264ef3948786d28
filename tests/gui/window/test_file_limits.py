"""The File menu after a divergence and when a writer fails oddly: always an answer in words,
never a diverged run in a file, and good weights that train on."""

from __future__ import annotations

import numpy as np

from helpers.files import epochs, new_window, run_file
from helpers.window import act_and_wait
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer

DIVERGING = Config(dataset="reg-plane", optimizer="momentum", learning_rate=10.0, seed=1)


def _diverge(qtbot, w):
    act_and_wait(qtbot, w, w.play_requested.emit, lambda s: bool(s.diverged) and not s.playing,
                 timeout=30_000)
    return w.latest


def test_a_writer_raising_overflow_is_answered_in_words(qtbot, tmp_path, dialogs, window, monkeypatch):
    """Save raised an OverflowError the file handler did not catch: no answer, no message."""
    def overflow(*args, **kwargs):
        raise OverflowError("Python int too large to convert to C long")
    monkeypatch.setattr(files, "save_session", overflow)
    dialogs.choose(tmp_path / "s.nnviz")
    kind, action, message = run_file(qtbot, window, window.actions["save_as"].trigger)
    assert (kind, action) == ("failed", "save_session")
    assert "OverflowError: Python int too large" in message and not (tmp_path / "s.nnviz").exists()
    epochs(qtbot, window, 1)                                  # the worker goes on


def test_a_diverged_run_is_neither_saved_nor_exported_and_reset_recovers(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "w", DIVERGING)
    try:
        snap = _diverge(qtbot, w)
        assert "press Reset" in snap.diverged
        dialogs.choose(tmp_path / "s.nnviz")
        kind, _, message = run_file(qtbot, w, w.actions["save_as"].trigger)
        assert kind == "failed" and "cannot save a diverged run" in message and "press Reset" in message
        dialogs.choose(tmp_path / "w.json")
        kind, _, message = run_file(qtbot, w, w.actions["export_weights"].trigger)
        assert kind == "failed" and "cannot export a diverged run" in message
        dialogs.choose(tmp_path / "h.csv")
        assert run_file(qtbot, w, w.actions["export_history"].trigger)[0] == "done"
        text = (tmp_path / "h.csv").read_text()
        assert "inf" not in text and "nan" not in text
        dialogs.choose(tmp_path / "d.csv")                    # the points can always be kept
        assert run_file(qtbot, w, w.actions["export_data"].trigger)[0] == "done"
        assert sorted(p.name for p in tmp_path.glob("*.*")) == ["d.csv", "h.csv"]
        act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: not s.diverged)
        dialogs.choose(tmp_path / "s.nnviz")
        assert run_file(qtbot, w, w.actions["save_as"].trigger)[0] == "done"
    finally:
        w.close()


def test_good_weights_imported_after_a_divergence_train_on(qtbot, tmp_path, dialogs):
    """With momentum, the NaN velocity of the blown-up weights made the next batch diverge
    again at once; and Save was refused although the network was healthy."""
    good = Trainer(DIVERGING.replace(learning_rate=0.01))
    good.train_epochs(3)
    files.export_weights(good.network, tmp_path / "good.npz")
    w = new_window(qtbot, tmp_path / "w", DIVERGING)
    try:
        _diverge(qtbot, w)
        dialogs.choose(tmp_path / "good.npz")
        assert run_file(qtbot, w, w.actions["import_weights"].trigger)[0] == "done"
        act_and_wait(qtbot, w, lambda: w.request_settings(w.controls.config().replace(learning_rate=0.01)),
                     lambda s: s.config.learning_rate == 0.01)
        snap = act_and_wait(qtbot, w, w.step_batch_requested.emit)
        assert not snap.diverged and all(np.all(np.isfinite(a)) for a in snap.weights)
        snap = epochs(qtbot, w, 3)
        assert not snap.diverged
        dialogs.choose(tmp_path / "s.nnviz")
        assert run_file(qtbot, w, w.actions["save_as"].trigger)[0] == "done"
        back, _ = files.load_session(tmp_path / "s.nnviz")
        assert back.network.params.tobytes() == w.worker.trainer.network.params.tobytes()
    finally:
        w.close()
