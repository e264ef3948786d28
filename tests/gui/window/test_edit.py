"""Editing weights and biases through the real window and worker (issue: hover and edit)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from helpers.topology import bias_point, click, link_mid, move, type_and_enter
from helpers.window import act_and_wait, open_window, params, pause
from nnviz.core.config import Config
from nnviz.core.model.network import Network

GRID_POINTS = np.random.default_rng(7).uniform(-6, 6, size=(200, 2))


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    yield w
    w.close()


def network_of(snap) -> Network:
    """An independent Network rebuilt from a Snapshot's copies."""
    cfg = snap.config
    net = Network(snap.layer_sizes, cfg.activations, cfg.output_kind, cfg.features)
    for l, (wt, b) in enumerate(zip(snap.weights, snap.biases)):
        net.weights[l][:] = wt
        net.biases[l][:] = b
    return net


def test_hover_shows_the_live_weight(qtbot, window):
    w = window
    v = w.topology
    move(v, link_mid(v, 1, 1, 2))
    qtbot.waitUntil(lambda: v.hovered_link() is not None, timeout=2_000)
    assert v.hovered_link() == (1, 1, 2)
    assert f"{w.latest.weights[1][1, 2]:.3g}" in v.card_text()
    snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit)   # the card follows training
    qtbot.waitUntil(lambda: w.painted_seq == snap.seq, timeout=2_000)
    assert f"{snap.weights[1][1, 2]:.3g}" in v.card_text()


def test_edit_while_paused_is_exact_in_snapshot_and_predict(qtbot, window):
    w = window
    v = w.topology
    click(v, link_mid(v, 0, 2, 1))
    assert v.editor.isVisible()
    seq = w.latest.seq
    type_and_enter(qtbot, v, "0.7071")
    qtbot.waitUntil(lambda: w.latest.seq > seq, timeout=5_000)
    snap = w.latest
    assert snap.weights[0][2, 1] == 0.7071
    trainer_net = w.worker.trainer.network          # paused: the worker is idle
    assert abs(trainer_net.weights[0][2, 1] - 0.7071) <= 1e-12
    np.testing.assert_allclose(trainer_net.predict(GRID_POINTS), network_of(snap).predict(GRID_POINTS),
                               rtol=0, atol=1e-12)
    assert any("w[0][2,1] = 0.7071" in line for line in snap.edit_log)
    # the views repaint within one frame of the edit
    qtbot.waitUntil(lambda: w.painted_seq == snap.seq, timeout=100)


def test_output_bias_edit(qtbot, window):
    w = window
    v = w.topology
    last = len(w.latest.biases) - 1
    click(v, bias_point(v, last, 0))
    assert v.editor.isVisible()
    snap = act_and_wait(qtbot, w, lambda: type_and_enter(qtbot, v, "-0.25"))
    assert snap.biases[last][0] == -0.25
    out = network_of(snap).predict(np.zeros((1, 2)))
    assert out[0] == pytest.approx(w.worker.trainer.network.predict(np.zeros((1, 2)))[0], abs=1e-12)


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "1e400", "2e6", "-1e7"])
def test_invalid_input_changes_nothing(qtbot, window, text):
    w = window
    v = w.topology
    before = w.worker.trainer.network.params.copy()
    seq = w.latest.seq
    click(v, link_mid(v, 1, 0, 0))
    with qtbot.assertNotEmitted(v.weight_edit_requested, wait=50):
        type_and_enter(qtbot, v, text)
    assert v.editor_message.isVisible() and v.editor_message.text()
    QApplication.processEvents()
    assert w.latest.seq == seq
    assert np.array_equal(w.worker.trainer.network.params, before)  # bit-identical


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e400, 5e6])
def test_worker_refuses_bad_values_sent_directly(qtbot, window, value):
    w = window
    before = params(w.latest)
    snap = act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), value, w.latest.network_id))
    assert np.array_equal(params(snap), before)


def test_edit_while_playing_lands_at_a_step_boundary(qtbot, tmp_path):
    # a tiny learning rate, so the edited value is still visible after further steps
    w = open_window(qtbot, tmp_path, Config(learning_rate=0.00001))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 20, timeout=10_000)
    w.request_edit(("weight", 1, 0, 3), 1.2345, w.latest.network_id)
    snap = act_and_wait(qtbot, w, lambda: None, lambda s: any("w[1][0,3] = 1.2345" in e for e in s.edit_log))
    entry = next(e for e in snap.edit_log if "w[1][0,3]" in e)
    assert entry.startswith("epoch ") and ", step " in entry          # applied between two steps
    assert snap.playing and abs(snap.weights[1][0, 3] - 1.2345) < 1e-3
    snap = pause(qtbot, w)
    assert abs(snap.weights[1][0, 3] - 1.2345) < 1e-3
    w.close()
