"""Undo and redo of weight and bias edits through the real window and worker.

Edits are made as a user makes them (click a link or bias square, type, Enter); undo and
redo through the Edit menu's actions and their keys. "Exact" means the float64 bits.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from helpers.files import epochs, run_file
from helpers.topology import bias_point, click, link_mid, type_and_enter, wheel
from helpers.window import act_and_wait, open_window, pause
from nnviz.core.config import Config
from nnviz.gui.window import undo


def bits(x) -> bytes:
    return np.float64(x).tobytes()


def edit_link(qtbot, w, layer, dst, src, text):
    v = w.topology
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    click(v, link_mid(v, layer, dst, src))
    assert v.editor.isVisible()
    # the stack is fed before this Snapshot arrives (both come queued from the worker, in order)
    return act_and_wait(qtbot, w, lambda: type_and_enter(qtbot, v, text),
                        lambda s: s.weights[layer][dst, src] == float(text))


def do(qtbot, w, name):
    """Trigger Edit > Undo or Redo and wait for the worker's Snapshot."""
    return act_and_wait(qtbot, w, w.actions[name].trigger)


def trainer_weight(w, layer, dst, src) -> float:
    return w.worker.trainer.network.weights[layer][dst, src]    # read while the worker is idle


def test_undo_restores_the_exact_bits_and_redo_the_typed_value(qtbot, window):
    w = window
    epochs(qtbot, w, 3)                   # weights with arbitrary bits, not the initial ones
    before = trainer_weight(w, 0, 2, 1)
    assert not w.actions["undo"].isEnabled()
    snap = edit_link(qtbot, w, 0, 2, 1, "0.7071")
    assert snap.weights[0][2, 1] == 0.7071 and w.undo_stack.count() == 1
    cmd = w.undo_stack.command(0)
    assert isinstance(cmd, undo.WeightEdit) and bits(cmd.old) == bits(before) and cmd.new == 0.7071
    assert cmd.text().startswith("Weight X\u2082 \u2192 layer 1, neuron 3:") and cmd.text().endswith("\u2192 0.7071")
    assert w.actions["undo"].isEnabled() and w.actions["undo"].text().startswith("&Undo")

    snap = do(qtbot, w, "undo")
    assert bits(snap.weights[0][2, 1]) == bits(before) == bits(trainer_weight(w, 0, 2, 1))
    assert w.undo_stack.index() == 0 and w.actions["redo"].isEnabled()
    snap = do(qtbot, w, "redo")
    assert bits(snap.weights[0][2, 1]) == bits(0.7071) and w.undo_stack.index() == 1
    # the other weights were never touched
    snap2 = do(qtbot, w, "undo")
    for l, (a, b) in enumerate(zip(snap2.weights, snap.weights)):
        mask = np.ones(a.shape, bool)
        if l == 0:
            mask[2, 1] = False
        assert a[mask].tobytes() == b[mask].tobytes()


def test_bias_edit_undo_with_the_keys(qtbot, window):
    w = window
    epochs(qtbot, w, 2)
    v = w.topology
    before = w.worker.trainer.network.biases[1][0]
    click(v, bias_point(v, 1, 0))
    act_and_wait(qtbot, w, lambda: type_and_enter(qtbot, v, "-1.5"))
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1, timeout=5_000)
    assert isinstance(w.undo_stack.command(0), undo.BiasEdit)
    assert w.undo_stack.command(0).text().startswith("Bias of layer 2, neuron 1:")
    assert w.actions["undo"].shortcut() == QKeySequence("Ctrl+Z")
    assert QKeySequence("Ctrl+Shift+Z") in w.actions["redo"].shortcuts()
    w.activateWindow()
    w.setFocus()
    snap = act_and_wait(qtbot, w, lambda: qtbot.keyClick(w, Qt.Key_Z, Qt.ControlModifier))
    assert bits(snap.biases[1][0]) == bits(before)
    snap = act_and_wait(qtbot, w, lambda: qtbot.keyClick(w, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier))
    assert snap.biases[1][0] == -1.5


def test_undo_after_training_sets_back_only_the_edited_value(qtbot, window):
    """What undo means once training has run: that one value goes back to exactly what it
    was before the edit; every other weight keeps what training made of it."""
    w = window
    epochs(qtbot, w, 2)
    before = trainer_weight(w, 1, 1, 2)
    edit_link(qtbot, w, 1, 1, 2, "2.5")
    trained = epochs(qtbot, w, 3)
    assert trained.weights[1][1, 2] != 2.5                       # training moved it on
    snap = do(qtbot, w, "undo")
    assert bits(snap.weights[1][1, 2]) == bits(before)
    for l, (a, b) in enumerate(zip(snap.weights, trained.weights)):
        mask = np.ones(a.shape, bool)
        if l == 1:
            mask[1, 2] = False
        assert a[mask].tobytes() == b[mask].tobytes()
    assert snap.epoch == trained.epoch


def test_an_edit_while_playing_undoes_to_the_value_it_replaced(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(seed=5))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 20, timeout=10_000)
    w.request_edit(("weight", 0, 1, 0), 0.125, w.latest.network_id)   # lands between two chunks
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1, timeout=5_000)
    cmd = w.undo_stack.command(0)
    pause(qtbot, w)
    snap = do(qtbot, w, "undo")
    assert bits(snap.weights[0][1, 0]) == bits(cmd.old) and cmd.old != 0.125
    w.close()


def test_nudges_merge_into_one_step_and_typed_edits_stay_apart(qtbot, window, monkeypatch):
    w = window
    v = w.topology
    before = trainer_weight(w, 1, 0, 1)
    monkeypatch.setattr(undo, "MERGE_S", 1e9)            # every nudge counts as "close together"
    for _ in range(3):
        act_and_wait(qtbot, w, lambda: wheel(v, link_mid(v, 1, 0, 1), 120))
    qtbot.waitUntil(lambda: abs(w.latest.weights[1][0, 1] - (before + 0.15)) < 1e-12, timeout=5_000)
    assert w.undo_stack.count() == 1
    snap = do(qtbot, w, "undo")
    assert bits(snap.weights[1][0, 1]) == bits(before)
    monkeypatch.setattr(undo, "MERGE_S", -1.0)           # none is
    edit_link(qtbot, w, 1, 0, 1, "0.5")
    edit_link(qtbot, w, 1, 0, 1, "0.75")
    assert w.undo_stack.count() == 2                     # the undone nudge step was dropped
    assert do(qtbot, w, "undo").weights[1][0, 1] == 0.5


@pytest.mark.parametrize("rebuild", ["reset", "shape", "data set", "open", "import weights"])
def test_a_new_network_clears_the_stack(qtbot, window, tmp_path, dialogs, rebuild):
    w = window
    dialogs.choose(tmp_path / "s.nnviz")
    run_file(qtbot, w, w.actions["save_as"].trigger)
    dialogs.choose(tmp_path / "w.json")
    run_file(qtbot, w, w.actions["export_weights"].trigger)
    edit_link(qtbot, w, 0, 0, 0, "1.25")
    assert w.undo_stack.count() == 1 and w.actions["undo"].isEnabled()
    network = w.latest.network_id
    if rebuild == "reset":
        w.request_reset()
    elif rebuild == "shape":
        w.controls.network.layers.plus.click()
    elif rebuild == "data set":
        w.controls.data.dataset_buttons["xor"].click()
    else:
        dialogs.choose(tmp_path / ("s.nnviz" if rebuild == "open" else "w.json"))
        run_file(qtbot, w, w.actions["open" if rebuild == "open" else "import_weights"].trigger)
    qtbot.waitUntil(lambda: w.latest.network_id != network, timeout=10_000)
    assert w.undo_stack.count() == 0 and not w.actions["undo"].isEnabled()


def test_an_undo_aimed_at_a_rebuilt_network_is_refused(qtbot, window):
    w = window
    edit_link(qtbot, w, 0, 0, 0, "1.25")
    cmd = w.undo_stack.command(0)
    act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: s.network_id != cmd.network)
    before = w.worker.trainer.network.params.copy()
    snap = act_and_wait(qtbot, w, lambda: w.edit_replay_requested.emit((cmd.target, cmd.old, cmd.network, "Undo", False)))
    assert w.worker.trainer.network.params.tobytes() == before.tobytes()
    assert np.array_equal(np.concatenate([x.ravel() for x in snap.weights]),
                          np.concatenate([x.ravel() for x in w.worker.trainer.network.weights]))
    qtbot.waitUntil(lambda: "rebuilt" in w.statusBar().currentMessage(), timeout=2_000)
    assert w.statusBar().currentMessage().startswith("Undo refused")


def test_the_edit_history_is_visible(qtbot, window):
    w = window
    edit_link(qtbot, w, 0, 0, 0, "1.25")
    edit_link(qtbot, w, 1, 1, 0, "-0.5")
    assert not w.history_dock.isVisible()
    w.actions["edit_history"].trigger()
    assert w.history_dock.isVisible() and w.history_dock.widget() is w.undo_view
    model = w.undo_view.model()
    rows = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert rows == ["Network as built", w.undo_stack.text(0), w.undo_stack.text(1)]
    assert rows[1].startswith("Weight X\u2081 \u2192 layer 1, neuron 1:") and rows[2].endswith("\u2192 -0.5")
    # clicking the first row undoes both edits
    w.undo_view.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: w.undo_stack.index() == 0, timeout=2_000)
    qtbot.waitUntil(lambda: w.latest.weights[0][0, 0] != 1.25 and w.latest.weights[1][1, 0] != -0.5,
                    timeout=5_000)
    menu_texts = [a.text() for a in w.menuBar().actions()]
    assert menu_texts[:2] == ["&File", "&Edit"]


def test_undo_of_an_edit_that_revived_a_dead_link_puts_it_back_dead(qtbot, tmp_path):
    """Under L1, plain SGD kills a link whose weight the penalty pushes across zero; an
    edit revives it, and its undo makes it dead again: weight 0 and never trained."""
    w = open_window(qtbot, tmp_path, Config(regularization="l1", reg_rate=0.03, learning_rate=0.1))
    snap = epochs(qtbot, w, 3)
    assert snap.dead[0][0, 1] and snap.weights[0][0, 1] == 0.0
    snap = edit_link(qtbot, w, 0, 0, 1, "0.5")
    assert not snap.dead[0][0, 1] and not w.worker.trainer.dead[0][0, 1]
    snap = do(qtbot, w, "undo")
    assert snap.dead[0][0, 1] and bits(snap.weights[0][0, 1]) == bits(0.0)
    snap = epochs(qtbot, w, 2)                   # a dead link is never updated again
    assert snap.dead[0][0, 1] and snap.weights[0][0, 1] == 0.0
    snap = do(qtbot, w, "redo")                  # redo revives it, as the edit did
    assert not snap.dead[0][0, 1] and snap.weights[0][0, 1] == 0.5
    w.close()
