"""The File menu through the real window and worker: weights, loss history and data files, a read-only folder, recent files.

Dialogs are bypassed by a stand-in QFileDialog in nnviz.gui.window.menus that returns a
chosen path; everything after the dialog (the queued request, the file work in the
worker thread, file_done / file_failed, the messages) is the application's own code."""

from __future__ import annotations

import csv
import json
import os
import subprocess

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from helpers.window import act_and_wait
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window import menus

FILE_MS = 30_000   # a file answer; the first ONNX export imports onnx


from helpers.files import epochs, new_window, run_file, state

# -- 3. weights ---------------------------------------------------------------------------
WEIGHTS_CONFIG = Config(dataset="xor", seed=5, features=("x1", "x2", "x1*x2", "sin(x2)"),
                        hidden_layers=(6, 3), activation=("relu", "sigmoid"))


def test_export_weights_and_import_them_back(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "win", WEIGHTS_CONFIG)
    exported = epochs(qtbot, w, 3)
    want = w.worker.trainer.network.params.copy()
    for name, chosen in (("w.json", ""), ("w", "NumPy (*.npz)"), ("model.onnx", "ONNX model (*.onnx)")):
        dialogs.choose(tmp_path / name, chosen)
        path = str(tmp_path / name) + (".npz" if name == "w" else "")
        assert run_file(qtbot, w, w.actions["export_weights"].trigger) == ("done", "export_weights", path)
        assert os.path.getsize(path) > 0
    assert sorted(os.listdir(tmp_path)) == ["model.onnx", "w.json", "w.npz", "win"]   # no temp files
    assert json.loads((tmp_path / "w.json").read_text())["layer_sizes"] == [4, 6, 3, 1]

    for name in ("w.json", "w.npz"):
        changed = epochs(qtbot, w, 2)
        assert not np.array_equal(w.worker.trainer.network.params, want)
        dialogs.choose(tmp_path / name)
        seq = changed.seq
        assert run_file(qtbot, w, w.actions["import_weights"].trigger)[:2] == ("done", "import_weights")
        assert w.latest.seq > seq
        assert w.worker.trainer.network.params.tobytes() == want.tobytes()
        for x, y in zip(w.latest.weights + w.latest.biases, exported.weights + exported.biases):
            assert x.tobytes() == y.tobytes()
        assert w.latest.epoch == changed.epoch                 # counters are kept
        assert any("weights imported" in e for e in w.latest.edit_log)
        assert w.latest.config == w.controls.config() == WEIGHTS_CONFIG

    ort = pytest.importorskip("onnxruntime")
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(tmp_path / "model.onnx"), opts, providers=["CPUExecutionProvider"])
    pts = np.random.default_rng(3).uniform(-6, 6, (100, 2))
    got = sess.run(None, {"points": pts})[0]
    expected = w.worker.trainer.network.predict(pts).reshape(100, -1)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    w.close()


def test_import_weights_into_a_three_class_network(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "win", Config(dataset="blobs", n_classes=4, hidden_layers=(5,)))
    epochs(qtbot, w, 2)
    dialogs.choose(tmp_path / "w.npz")
    run_file(qtbot, w, w.actions["export_weights"].trigger)
    want = w.worker.trainer.network.params.tobytes()
    act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: s.epoch == 0)
    assert w.worker.trainer.network.params.tobytes() != want
    assert run_file(qtbot, w, w.actions["import_weights"].trigger)[0] == "done"
    assert w.worker.trainer.network.params.tobytes() == want
    assert w.latest.layer_sizes == (2, 5, 4)
    w.close()


def test_export_pictures(qtbot, tmp_path, dialogs, window):
    from xml.etree import ElementTree

    from PySide6.QtGui import QImage
    w = window
    epochs(qtbot, w, 1)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    for view in ("topology", "surface", "curves", "landscape"):
        for suffix, chosen in ((".png", "PNG image (*.png)"), (".svg", "SVG drawing (*.svg)")):
            dialogs.choose(tmp_path / view, chosen)               # the suffix comes from the filter
            w.file_actions.export_picture(view)
            path = tmp_path / (view + suffix)
            assert path.is_file() and w.last_error == "", w.last_error
            if suffix == ".png":
                image = QImage(str(path))
                assert not image.isNull() and image.width() > 100
            else:
                assert ElementTree.parse(path).getroot().tag.endswith("svg")
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]   # no temporary files


# -- 4. loss history and data as CSV ------------------------------------------------------
def test_export_history_and_data(qtbot, tmp_path, dialogs, window):
    w = window
    snap = epochs(qtbot, w, 4)
    dialogs.choose(tmp_path / "loss", menus.CSV_FILTER)
    assert run_file(qtbot, w, w.actions["export_history"].trigger) == (
        "done", "export_history", str(tmp_path / "loss.csv"))
    rows = list(csv.reader((tmp_path / "loss.csv").open()))
    assert rows[0] == ["epoch", "train_loss", "test_loss"] and len(rows) == len(snap.history_epoch) + 1
    table = np.loadtxt(tmp_path / "loss.csv", delimiter=",", skiprows=1, ndmin=2)
    assert table.shape == (len(snap.history_epoch), 3)
    assert np.array_equal(table[:, 0], snap.history_epoch)
    assert np.array_equal(table[:, 1], snap.history_train) and np.array_equal(table[:, 2], snap.history_test)

    dialogs.choose(tmp_path / "data.csv", menus.CSV_FILTER)
    assert run_file(qtbot, w, w.actions["export_data"].trigger)[:2] == ("done", "export_data")
    rows = list(csv.reader((tmp_path / "data.csv").open()))
    n = len(snap.train_x) + len(snap.test_x)
    assert rows[0] == ["x", "y", "label", "split"] and len(rows) == n + 1
    assert [r[3] for r in rows[1:]] == ["train"] * len(snap.train_x) + ["test"] * len(snap.test_x)
    table = np.loadtxt(tmp_path / "data.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2))
    assert table.shape == (n, 3)
    assert np.array_equal(table[:, :2], np.concatenate([snap.train_x, snap.test_x]))
    assert np.array_equal(table[:, 2], np.concatenate([snap.train_y, snap.test_y]))

    # the exported data read back: the same points in the same train/test split, now
    # "custom", two classes
    before = w.worker.trainer.network.layer_sizes
    dialogs.choose(tmp_path / "data.csv")
    assert run_file(qtbot, w, w.actions["import_data"].trigger)[:2] == ("done", "import_data")
    got = w.latest
    assert got.config.dataset == "custom" and w.controls.config() == got.config
    assert got.n_classes == 2 and got.layer_sizes == before
    for name in ("train_x", "train_y", "test_x", "test_y"):
        assert getattr(got, name).tobytes() == getattr(snap, name).tobytes(), name
    assert sorted_rows(got) == sorted(map(tuple, table.tolist()))


def sorted_rows(snap) -> list[tuple]:
    x = np.concatenate([snap.train_x, snap.test_x])
    y = np.concatenate([snap.train_y, snap.test_y])
    return sorted(map(tuple, np.column_stack([x, y]).tolist()))


def test_import_three_class_data_switches_to_softmax(qtbot, tmp_path, dialogs, window, good):
    w = window
    (tmp_path / "three.csv").write_bytes(good[".csv"])
    dialogs.choose(tmp_path / "three.csv")
    assert run_file(qtbot, w, w.actions["import_data"].trigger)[:2] == ("done", "import_data")
    snap = w.latest
    assert snap.n_classes == 3 and snap.layer_sizes[-1] == 3
    assert snap.config.dataset == "custom" and snap.config.custom_classes == 3
    assert snap.config.output_kind == "softmax_ce" and w.worker.trainer.network.output_kind == "softmax_ce"
    assert w.controls.config() == snap.config                 # the controls show "custom"
    assert len(snap.train_x) + len(snap.test_x) == 30
    table = np.loadtxt(tmp_path / "three.csv", delimiter=",", skiprows=1)
    assert sorted_rows(snap) == sorted(map(tuple, table.tolist()))
    # a later edit in the controls keeps the imported points (they are the "custom" data)
    seq = snap.seq
    w.request_settings(w.controls.config().replace(learning_rate=0.1))
    qtbot.waitUntil(lambda: w.latest.seq > seq and w.latest.config.learning_rate == 0.1, timeout=10_000)
    assert sorted_rows(w.latest) == sorted_rows(snap)
    # and it trains: 3 classes, softmax
    snap = epochs(qtbot, w, 2)
    assert snap.epoch == 2 and np.isfinite(snap.train_loss) and snap.confusion.shape == (3, 3)


# -- 5. a read-only folder ----------------------------------------------------------------
@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no write can go into (tmpfs remounted read-only as root), holding old.nnviz."""
    folder = tmp_path / "ro"
    folder.mkdir()
    old = Trainer(Config(dataset="gauss", seed=11))
    old.train_epochs(1)
    if os.geteuid() == 0:
        def sh(*cmd):
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        r = sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder))
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
        try:
            files.save_session(old, folder / "old.nnviz")
            r = sh("mount", "-o", "remount,ro", str(folder))
            if r.returncode != 0:
                pytest.skip(f"cannot remount read-only: {r.stderr.strip()}")
            yield folder
        finally:
            sh("umount", "-l", str(folder))
    else:
        files.save_session(old, folder / "old.nnviz")
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_writes_into_a_read_only_folder_fail_and_keep_the_old_file(qtbot, dialogs, window,
                                                                   read_only_folder):
    w = window
    folder = read_only_folder
    old = folder / "old.nnviz"
    old_bytes = old.read_bytes()
    listing = sorted(os.listdir(folder))
    with pytest.raises(OSError):
        (folder / "probe").write_bytes(b"x")                 # really read-only
    # open the old session from there (reading works), train on, then Ctrl+S over it
    dialogs.choose(old)
    assert run_file(qtbot, w, w.actions["open"].trigger)[:2] == ("done", "open_session")
    epochs(qtbot, w, 2)
    before = state(w)
    cases = [(w.actions["save"].trigger, "save_session", old),
             (w.actions["save_as"].trigger, "save_session", folder / "new.nnviz"),
             (w.actions["export_weights"].trigger, "export_weights", folder / "w.json"),
             (w.actions["export_weights"].trigger, "export_weights", folder / "w.npz"),
             (w.actions["export_weights"].trigger, "export_weights", folder / "w.onnx"),
             (w.actions["export_history"].trigger, "export_history", folder / "loss.csv"),
             (w.actions["export_data"].trigger, "export_data", folder / "data.csv")]
    for trigger, action, path in cases:
        w.last_error = ""
        dialogs.choose(path)
        kind, answered, message = run_file(qtbot, w, trigger)
        assert (kind, answered) == ("failed", action), message
        assert w.last_error == message
        assert str(path) in message and ("Read-only" in message or "Permission" in message), message
        assert old.read_bytes() == old_bytes
        assert sorted(os.listdir(folder)) == listing           # no temporary file left behind
    for view in ("surface", "curves", "topology", "landscape"):
        w.last_error = ""
        dialogs.choose(folder / f"{view}.png")
        w.file_actions.export_picture(view)                     # pictures are written in the GUI thread
        assert str(folder / f"{view}.png") in w.last_error, w.last_error
        assert sorted(os.listdir(folder)) == listing and old.read_bytes() == old_bytes
    # the failed Save as did not move the session to the new path
    assert w.session_path == str(old) and state(w) == before


# -- 6. recent files ----------------------------------------------------------------------
def test_recent_files(qtbot, tmp_path, dialogs, window):
    w = window
    assert w.file_actions.recent() == [] and not w.recent_menu.isEnabled()
    paths = [str(tmp_path / f"s{i}.nnviz") for i in range(3)]
    for p in paths:
        dialogs.choose(p)
        run_file(qtbot, w, w.actions["save_as"].trigger)
        assert w.file_actions.recent()[0] == p
        tips = [a.toolTip() for a in w.recent_menu.actions()]
        assert tips[0] == p and w.recent_menu.isEnabled()
    assert w.file_actions.recent() == paths[::-1]
    # saving an older one again moves it to the top, with no duplicate
    dialogs.choose(paths[0])
    run_file(qtbot, w, w.actions["save_as"].trigger)
    assert w.file_actions.recent() == [paths[0], paths[2], paths[1]]
    assert [a.text() for a in w.recent_menu.actions()] == ["s0.nnviz", "s2.nnviz", "s1.nnviz"]
    # a failed open does not join the list; a recent entry opens its session
    dialogs.choose(tmp_path / "nope.nnviz")
    run_file(qtbot, w, w.actions["open"].trigger)
    assert w.file_actions.recent() == [paths[0], paths[2], paths[1]]
    epochs(qtbot, w, 1)
    entry = next(a for a in w.recent_menu.actions() if a.toolTip() == paths[1])
    assert run_file(qtbot, w, entry.trigger) == ("done", "open_session", paths[1])
    assert w.latest.epoch == 0 and w.file_actions.recent()[0] == paths[1]
    # the list outlives the window (it is in the settings)
    settings = w.settings
    settings.sync()
    assert QSettings(settings.fileName(), QSettings.IniFormat).value("files/recent")[0] == paths[1]
    for i in range(menus.MAX_RECENT + 2):
        w.file_actions.add_recent(str(tmp_path / f"r{i}.nnviz"))
    assert len(w.file_actions.recent()) == len(w.recent_menu.actions()) == menus.MAX_RECENT
