"""The File menu through the real window and worker (issue 5, "Must show": GUI tests).

Dialogs are bypassed by a stand-in QFileDialog in nnviz.gui.menus that returns a chosen
path; everything after the dialog (the queued request, the file work in the worker
thread, file_done / file_failed, the messages) is the application's own code.
"""

from __future__ import annotations

import csv
import io as bytes_io
import json
import os
import subprocess
import threading

import numpy as np
import pytest
from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QMessageBox

from helpers.window import START_MS, act_and_wait, open_window
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window import menus
from nnviz.gui.window.main_window import MainWindow

FILE_MS = 30_000   # a file answer; the first ONNX export imports onnx


# -- helpers ------------------------------------------------------------------------------
class Outcomes(QObject):
    """Records the worker's file answers in the GUI thread.

    Connected after FileActions, so when an answer is recorded here the window has
    already handled it (queued calls to the GUI thread run in the order they were posted).
    """

    def __init__(self, worker):
        super().__init__()
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
    w.outcomes = Outcomes(w.worker)
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


@pytest.fixture(autouse=True)
def no_cross_thread_widget_use(qtlog):
    """Qt warns when a widget or timer is touched from the worker thread: none may be."""
    yield
    bad = [r.message for r in qtlog.records if "thread" in r.message.lower()]
    assert not bad, bad


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    d = Dialogs()
    monkeypatch.setattr(menus, "QFileDialog", d)
    return d


def new_window(qtbot, folder, config: Config | None = None) -> MainWindow:
    folder.mkdir(parents=True, exist_ok=True)
    return watch(open_window(qtbot, folder, config))


@pytest.fixture
def window(qtbot, tmp_path):
    w = new_window(qtbot, tmp_path / "win")
    yield w
    w.close()


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


# -- 2. bad files -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, bytes]:
    """Valid files that fit a default window (Config()), to be spoiled."""
    folder = tmp_path_factory.mktemp("good")
    t = Trainer(Config())
    t.train_epochs(2)
    files.save_session(t, folder / "s.nnviz", {"discretize": True})
    files.export_weights(t.network, folder / "w.json")
    files.export_weights(t.network, folder / "w.npz")
    out = {s: (folder / n).read_bytes() for s, n in ((".nnviz", "s.nnviz"), (".json", "w.json"),
                                                      (".npz", "w.npz"))}
    out[".csv"] = b"x,y,label\n" + b"".join(b"%r,%r,%d\n" % (float(x), float(y), c) for (x, y), c in
                                             zip(np.random.default_rng(1).uniform(-5, 5, (30, 2)),
                                                 [0, 1, 2] * 10))
    other = Trainer(Config(hidden_layers=(8,)))        # a valid file for another network
    files.export_weights(other.network, folder / "other.json")
    files.export_weights(other.network, folder / "other.npz")
    out["other.json"] = (folder / "other.json").read_bytes()
    out["other.npz"] = (folder / "other.npz").read_bytes()
    other = Trainer(Config(activation="relu"))
    files.export_weights(other.network, folder / "relu.json")
    out["relu.json"] = (folder / "relu.json").read_bytes()
    return out


def npz_arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(bytes_io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def npz_bytes(arrays: dict) -> bytes:
    buf = bytes_io.BytesIO()
    np.savez(buf, **arrays)     # allow_pickle is on when saving: object arrays become pickles
    return buf.getvalue()


def session(good, meta_text=None, **arrays) -> bytes:
    """The good session with its meta JSON text rewritten and some arrays replaced."""
    a = npz_arrays(good[".nnviz"])
    text = str(a["meta"][()])
    if meta_text is not None:
        changed = meta_text(text)
        assert changed != text, "the spoiler changed nothing"
        text = changed
    a.update(arrays)
    a["meta"] = np.array(text)
    return npz_bytes(a)


def meta_set(key, value):
    def change(text):
        meta = json.loads(text)
        meta[key] = value
        return json.dumps(meta)
    return change


def config_set(key, value):
    def change(text):
        meta = json.loads(text)
        meta["config"][key] = value
        return json.dumps(meta)
    return change


def params_of(good):
    return npz_arrays(good[".nnviz"])["params"]


def with_nan(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a[1] = np.nan
    return a


def json_doc(good, change) -> bytes:
    d = json.loads(good[".json"])
    change(d)
    return json.dumps(d).encode()


def json_text(good, old: str, new: str) -> bytes:
    text = good[".json"].decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def first_bias(good) -> str:
    return repr(json.loads(good[".json"])["biases"][0][0])


def weights_npz(good, **arrays) -> bytes:
    a = npz_arrays(good[".npz"])
    a.update(arrays)
    return npz_bytes(a)


def npz_meta(good, key, value) -> np.ndarray:
    meta = json.loads(str(npz_arrays(good[".npz"])["meta"][()]))
    meta[key] = value
    return np.array(json.dumps(meta))


RANDOM = np.random.default_rng(99).integers(0, 256, 4096, dtype=np.uint8).tobytes()
CSV_HEAD = b"x,y,label\n"

# (action, file name, bytes or builder(good) -> bytes, words one of which the message holds)
BAD_FILES = [
    # Open session
    ("open_session", "truncated.nnviz", lambda g: g[".nnviz"][: len(g[".nnviz"]) // 2], ["truncated"]),
    ("open_session", "tail_cut.nnviz", lambda g: g[".nnviz"][:-30], ["truncated"]),
    ("open_session", "text.nnviz", b"this is not a session\n", ["not an .npz"]),
    ("open_session", "random.nnviz", RANDOM, ["not an .npz"]),
    ("open_session", "empty.nnviz", b"", ["empty"]),
    ("open_session", "json.nnviz", lambda g: g[".json"], ["not an .npz"]),
    ("open_session", "format.nnviz", lambda g: session(g, meta_set("format", "keras")), ["format"]),
    ("open_session", "version.nnviz", lambda g: session(g, meta_set("version", 2)), ["version"]),
    ("open_session", "meta.nnviz", lambda g: session(g, lambda t: t[:-5]), ["JSON"]),
    ("open_session", "shapes.nnviz", lambda g: session(g, params=params_of(g)[:-1]), ["shape"]),
    ("open_session", "nan.nnviz", lambda g: session(g, params=with_nan(params_of(g))), ["NaN"]),
    ("open_session", "inf.nnviz", lambda g: session(g, params=params_of(g) * np.inf), ["infinite"]),
    ("open_session", "1e400.nnviz", lambda g: session(g, lambda t: t.replace('"learning_rate": 0.03',
                                                                            '"learning_rate": 1e400')),
     ["learning_rate"]),
    ("open_session", "pickle.nnviz",
     lambda g: session(g, params=np.array([None, {"a": 1}], dtype=object)), ["pickle"]),
    ("open_session", "activation.nnviz", lambda g: session(g, config_set("activation", "swish")),
     ["activation"]),
    ("open_session", "huge.nnviz", lambda g: session(g, config_set("hidden_layers", [4, 1000])),
     ["neurons"]),
    ("open_session", "missing.nnviz", lambda g: npz_bytes({k: v for k, v in npz_arrays(g[".nnviz"]).items()
                                                           if k != "opt_m"}), ["lacks"]),
    # Import weights
    ("import_weights", "truncated.json", lambda g: g[".json"][: len(g[".json"]) // 2], ["truncated"]),
    ("import_weights", "text.json", b"hello, world", ["not valid JSON"]),
    ("import_weights", "random.json", RANDOM, ["JSON"]),
    ("import_weights", "empty.json", b"", ["empty"]),
    ("import_weights", "format.json", lambda g: json_doc(g, lambda d: d.update(format="keras")), ["format"]),
    ("import_weights", "version.json", lambda g: json_doc(g, lambda d: d.update(version=2)), ["version"]),
    ("import_weights", "shapes.json", lambda g: json_doc(g, lambda d: d["weights"][1].pop()), ["shape"]),
    ("import_weights", "nan.json", lambda g: json_text(g, first_bias(g), "NaN"), ["finite"]),
    ("import_weights", "1e400.json", lambda g: json_text(g, first_bias(g), "1e400"), ["too large"]),
    ("import_weights", "big.json", lambda g: json_text(g, first_bias(g), "-3e7"), ["too large"]),
    ("import_weights", "activation.json",
     lambda g: json_doc(g, lambda d: d.update(activations=["swish", "tanh"])), ["activation"]),
    ("import_weights", "feature.json",
     lambda g: json_doc(g, lambda d: d.update(features=["x1", "x3"])), ["feature"]),
    ("import_weights", "other.json", lambda g: g["other.json"], ["2-8-1", "current"]),
    ("import_weights", "relu.json", lambda g: g["relu.json"], ["activations"]),
    ("import_weights", "truncated.npz", lambda g: g[".npz"][: len(g[".npz"]) // 2], ["truncated"]),
    ("import_weights", "random.npz", RANDOM, ["not an .npz"]),
    ("import_weights", "pickle.npz",
     lambda g: weights_npz(g, w0=np.array([None, object()], dtype=object)), ["pickle"]),
    ("import_weights", "shapes.npz", lambda g: weights_npz(g, w0=npz_arrays(g[".npz"])["w0"].T), ["shape"]),
    ("import_weights", "nan.npz", lambda g: weights_npz(g, b1=np.array([0.1, np.nan])), ["finite"]),
    ("import_weights", "inf.npz", lambda g: weights_npz(g, b1=np.array([0.1, np.inf])), ["finite"]),
    ("import_weights", "version.npz", lambda g: weights_npz(g, meta=npz_meta(g, "version", 7)), ["version"]),
    ("import_weights", "activation.npz",
     lambda g: weights_npz(g, meta=npz_meta(g, "activations", ["gelu", "tanh"])), ["activation"]),
    ("import_weights", "other.npz", lambda g: g["other.npz"], ["2-8-1", "current"]),
    ("import_weights", "weights.onnx", b"\x08\x07", ["ONNX"]),
    ("import_weights", "weights.txt", b"{}", [".json or .npz"]),
    # Import data (CSV)
    ("import_data", "truncated.csv", lambda g: g[".csv"][:-9], ["truncated"]),
    ("import_data", "random.csv", RANDOM, ["binary", "UTF-8"]),
    ("import_data", "text.csv", b"hello, world\n", ["header"]),
    ("import_data", "empty.csv", b"", ["empty"]),
    ("import_data", "shapes.csv", CSV_HEAD + b"1,2,1\n3,4,1,5\n", ["expected 3"]),
    ("import_data", "two_columns.csv", b"1,2\n3,4\n", ["expected 3"]),
    ("import_data", "nan.csv", CSV_HEAD + b"1,2,1\nnan,4,-1\n", ["not finite"]),
    ("import_data", "1e400.csv", CSV_HEAD + b"1,2,1\n1e400,4,-1\n", ["too large"]),
    ("import_data", "label.csv", CSV_HEAD + b"1,2,1\n3,4,yes\n", ["not a number"]),
    ("import_data", "one_point.csv", CSV_HEAD + b"1,2,1\n", ["fewer than two"]),
    ("import_data", "session.csv", lambda g: g[".nnviz"], ["binary", "UTF-8"]),
]


@pytest.mark.parametrize("action,filename,content,words", BAD_FILES,
                         ids=[f"{a}-{f}" for a, f, _, _ in BAD_FILES])
def test_bad_file_shows_a_message_and_changes_nothing(qtbot, tmp_path, dialogs, window, good,
                                                      action, filename, content, words):
    w = window
    epochs(qtbot, w, 2)
    w.actions["show_test"].setChecked(True)
    data = content(good) if callable(content) else content
    path = tmp_path / filename
    path.write_bytes(data)
    before = state(w)
    w.last_error = ""
    dialogs.choose(path)
    kind, answered, message = run_file(qtbot, w, getattr(w.file_actions, action))
    assert (kind, answered) == ("failed", action), message
    assert w.last_error == message and filename in message
    assert any(word.lower() in message.lower() for word in words), message
    assert state(w) == before                              # weights, settings, data: bit-identical
    assert w.actions["show_test"].isChecked()
    assert path.read_bytes() == data                       # a reader never writes
    # the session goes on as before
    snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    assert snap.epoch == before["epoch"] + 1


def test_missing_file_and_folder_are_refused(qtbot, tmp_path, dialogs, window):
    w = window
    before = state(w)
    for action, path in (("open_session", tmp_path / "gone.nnviz"),
                         ("import_weights", tmp_path / "gone.json"),
                         ("import_data", tmp_path / "gone.csv"), ("open_session", tmp_path)):
        dialogs.choose(path)
        kind, _, message = run_file(qtbot, w, getattr(w.file_actions, action))
        assert kind == "failed" and "cannot read" in message, message
    assert state(w) == before


def test_the_message_box_says_nothing_was_changed(qtbot, tmp_path, dialogs, window, monkeypatch):
    w = window
    w.quiet_errors = False
    shown = []

    def warning(parent, title, text, *args):
        shown.append((parent, text, threading.current_thread() is threading.main_thread()))
        return QMessageBox.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    (tmp_path / "bad.json").write_text('{"format": "nnviz-weights", "version": 1, "layer_sizes": [2, ')
    before = state(w)
    dialogs.choose(tmp_path / "bad.json")
    run_file(qtbot, w, w.actions["import_weights"].trigger)
    assert len(shown) == 1
    parent, text, in_gui_thread = shown[0]
    assert parent is w and in_gui_thread            # widgets only ever from the GUI thread
    assert "Could not import weights" in text and "bad.json" in text and "truncated" in text
    assert "Nothing was changed" in text
    assert w.statusBar().currentMessage() == "Could not import weights."
    assert state(w) == before


def test_outcomes_are_handled_in_the_gui_thread(qtbot, tmp_path, dialogs, window, monkeypatch):
    w = window
    threads = []
    show = w.show_message
    monkeypatch.setattr(w, "show_message",
                        lambda text: (threads.append(threading.current_thread()), show(text)))
    dialogs.choose(tmp_path / "s.nnviz")
    run_file(qtbot, w, w.actions["save_as"].trigger)
    dialogs.choose(tmp_path / "missing.nnviz")
    run_file(qtbot, w, w.actions["open"].trigger)
    assert threads and all(t is threading.main_thread() for t in threads)


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
    for view in ("topology", "surface", "curves"):
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
    assert rows[0] == ["x", "y", "label"] and len(rows) == n + 1
    table = np.loadtxt(tmp_path / "data.csv", delimiter=",", skiprows=1)
    assert table.shape == (n, 3)
    assert np.array_equal(table[:, :2], np.concatenate([snap.train_x, snap.test_x]))
    assert np.array_equal(table[:, 2], np.concatenate([snap.train_y, snap.test_y]))

    # the exported data read back: the same points, now "custom", two classes
    before = w.worker.trainer.network.layer_sizes
    dialogs.choose(tmp_path / "data.csv")
    assert run_file(qtbot, w, w.actions["import_data"].trigger)[:2] == ("done", "import_data")
    got = w.latest
    assert got.config.dataset == "custom" and w.controls.config() == got.config
    assert got.n_classes == 2 and got.layer_sizes == before
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
    w.controls.config_changed.emit(w.controls.config().replace(learning_rate=0.1))
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
    for view in ("surface", "curves", "topology"):
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
