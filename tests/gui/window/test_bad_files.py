"""The File menu through the real window and worker: bad files of every kind are refused and change nothing.

Dialogs are bypassed by a stand-in QFileDialog in nnviz.gui.window.menus that returns a
chosen path; everything after the dialog (the queued request, the file work in the
worker thread, file_done / file_failed, the messages) is the application's own code."""

from __future__ import annotations

import io as bytes_io
import json
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from helpers.window import act_and_wait

FILE_MS = 30_000   # a file answer; the first ONNX export imports onnx


from helpers.files import epochs, run_file, state


# -- 2. bad files -------------------------------------------------------------------------
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
    ("open_session", "version.nnviz", lambda g: session(g, meta_set("version", 3)), ["version"]),
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
