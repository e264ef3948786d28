"""File > Export weights for PyTorch, through the real window and worker: the script with
its weights, data and optimiser state, the question before replacing those, and a
read-only folder that leaves everything as it was."""

from __future__ import annotations

import os

import numpy as np
from safetensors.numpy import load_file

from helpers.files import epochs, new_window, run_file, state
from nnviz.core.config import Config
from gui.window.test_file_exports import read_only_folder  # noqa: F401 (a fixture)
from nnviz.gui.window import menus

SCRIPT_FILTER = "PyTorch script, weights and data (*.py)"
CONFIG = Config(dataset="xor", seed=5, features=("x1", "x2", "x1*x2"), hidden_layers=(6, 3),
                activation=("relu", "tanh"), optimizer="adam")


class Answers:
    """Stands in for QMessageBox.question: records the questions, answers with `reply`."""

    def __init__(self, reply):
        self.reply, self.asked = reply, []

    def __call__(self, parent, title, text, *args):
        self.asked.append(text)
        return self.reply


def test_export_a_script_and_safetensors_from_the_menu(qtbot, tmp_path, dialogs, monkeypatch):
    w = new_window(qtbot, tmp_path / "win", CONFIG)
    epochs(qtbot, w, 3)
    out = tmp_path / "out"
    out.mkdir()
    dialogs.choose(out / "xor", SCRIPT_FILTER)                  # the suffix comes from the filter
    assert run_file(qtbot, w, w.actions["export_weights"].trigger) == ("done", "export_weights",
                                                                        str(out / "xor.py"))
    assert sorted(os.listdir(out)) == ["xor-optimizer.safetensors", "xor.csv", "xor.py", "xor.safetensors"]
    assert "PyTorch script" in w.statusBar().currentMessage()
    text = (out / "xor.py").read_text()
    compile(text, "xor.py", "exec")
    assert "START_EPOCH = 3" in text and "torch.optim.Adam(" in text
    net = w.worker.trainer.network
    weights = load_file(out / "xor.safetensors")
    assert weights["3.weight"].tobytes() == net.weights[1].tobytes()
    n = len(w.latest.train_x) + len(w.latest.test_x)
    assert len((out / "xor.csv").read_text().splitlines()) == n + 1

    dialogs.choose(out / "w", "safetensors (*.safetensors)")
    assert run_file(qtbot, w, w.actions["export_weights"].trigger)[:2] == ("done", "export_weights")
    assert load_file(out / "w.safetensors")["5.bias"].tobytes() == net.biases[2].tobytes()

    # exporting the script again asks before replacing its companions; Cancel writes nothing
    epochs(qtbot, w, 1)
    old = {name: (out / name).read_bytes() for name in os.listdir(out)}
    no = Answers(menus.QMessageBox.Cancel)
    monkeypatch.setattr(menus.QMessageBox, "question", no)
    dialogs.choose(out / "xor.py", SCRIPT_FILTER)
    with qtbot.assertNotEmitted(w.file_requested):            # no request reaches the worker
        w.actions["export_weights"].trigger()
    assert len(no.asked) == 1 and "xor.safetensors and xor.csv and xor-optimizer.safetensors" in no.asked[0]
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == old
    yes = Answers(menus.QMessageBox.Yes)
    monkeypatch.setattr(menus.QMessageBox, "question", yes)
    assert run_file(qtbot, w, w.actions["export_weights"].trigger)[0] == "done"
    assert "START_EPOCH = 4" in (out / "xor.py").read_text() and len(yes.asked) == 1
    w.close()


def test_a_script_export_into_a_read_only_folder_changes_nothing(qtbot, tmp_path, dialogs, read_only_folder):
    w = new_window(qtbot, tmp_path / "win", CONFIG)
    epochs(qtbot, w, 1)
    folder = read_only_folder
    listing = sorted(os.listdir(folder))
    before = state(w)
    for name in ("m.py", "m.safetensors"):
        dialogs.choose(folder / name)
        kind, action, message = run_file(qtbot, w, w.actions["export_weights"].trigger)
        assert (kind, action) == ("failed", "export_weights"), message
        assert str(folder / name) in message and ("Read-only" in message or "Permission" in message), message
        assert sorted(os.listdir(folder)) == listing and state(w) == before
    w.close()


def test_a_failed_script_export_says_so_and_keeps_the_session(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "win", CONFIG)
    epochs(qtbot, w, 2)
    before = state(w)
    dialogs.choose(tmp_path / "missing" / "m.py")
    kind, action, message = run_file(qtbot, w, w.actions["export_weights"].trigger)
    assert (kind, action) == ("failed", "export_weights")
    assert str(tmp_path / "missing" / "m.py") in message and "No such file" in message
    assert w.last_error == message and state(w) == before
    assert np.isfinite(w.latest.train_loss)
    w.close()
