"""Explain-one-step mode through the real window and worker: enter, walk every stage with
the keyboard, pick points on the surface, read the formula cards, Apply and Leave."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from helpers.cards import equation_lines, recompute
from helpers.topology import link_mid, move, node_point
from helpers.window import act_and_wait, open_window
from nnviz.core.config import Config
from nnviz.core.learn.explain import stages

WAIT_MS = 20_000


def enter(qtbot, w) -> None:
    """Enter the mode with its key, as a user does, and wait for the explanation."""
    w.activateWindow()
    qtbot.keyClick(w.topology, Qt.Key_X)
    qtbot.waitUntil(lambda: w.explain_mode.exp is not None, timeout=WAIT_MS)
    assert w.lower_stack.currentWidget() is w.explain_panel and w.training_bar.explain_button.isChecked()


def key(qtbot, w, k) -> None:
    qtbot.keyClick(w.explain_panel, k)


def trainer_state(w) -> tuple:
    t = w.worker.trainer           # read while the worker is idle (paused, nothing queued)
    return t.network.params.tobytes(), t.batch, t.epoch, t.total_steps, t.state_key()


def surface_click(qtbot, w, x: float, y: float) -> None:
    vb = w.surface.plot.getPlotItem().getViewBox()
    pos = w.surface.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(w.surface.plot.viewport(), Qt.LeftButton, pos=pos)


def test_walk_every_stage_with_the_keyboard_then_apply_makes_exactly_one_step(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(hidden_layers=(4, 2)))
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    before = trainer_state(w)
    enter(qtbot, w)
    mode, exp = w.explain_mode, w.explain_mode.exp
    walk = stages(exp.n_layers)
    assert len(walk) == 8 and mode.stage == 0
    seen = []
    for k, (phase, col) in enumerate(walk):
        assert mode.stage == k and mode.current_stage() == (phase, col)
        text = w.explain_panel.stage_text()
        legend = w.topology.decor.legend.text()
        seen.append(phase)
        if phase == "forward":
            assert "Forward" in text and "contribution w·a" in legend
            labels = {(c, j): t for c, j, t in _labels(w)}
            assert labels[(col, 0)].startswith("z ") and (col + 1, 0) not in labels
        elif phase == "loss":
            assert "Loss" in text and f"{float(exp.loss[0]):.4g}".replace("-", "\u2212") in text
        elif phase == "backward":
            assert "Backward" in text and "gradient" in legend
        else:
            assert "Update" in text and "update Δw" in legend
            assert w.surface.plot.getPlotItem().titleLabel.text.startswith("Change")
        key(qtbot, w, Qt.Key_Right)
    assert seen == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["update"]
    assert mode.stage == len(walk) - 1                   # the last stage stays the last
    key(qtbot, w, Qt.Key_Left)
    assert mode.current_stage() == ("backward", 1)
    key(qtbot, w, Qt.Key_Down)                           # the next point of the batch
    assert mode.row == 1
    assert np.array_equal(w.surface.chosen_scatter.data["x"], exp.xy[1:2, 0])
    key(qtbot, w, Qt.Key_A)                              # gradients as the batch average
    assert mode.average and "batch-average gradient" in w.topology.decor.legend.text()
    assert trainer_state(w) == before, "walking through the step changed the trainer"
    seq = w.latest.seq
    key(qtbot, w, Qt.Key_Return)                         # Apply
    qtbot.waitUntil(lambda: w.latest.seq > seq and w.latest.total_steps == 3, timeout=WAIT_MS)
    snap = w.latest
    assert not mode.active and w.lower_stack.currentWidget() is w.curves
    assert (snap.batch, snap.epoch, snap.total_steps) == (before[1] + 1, before[2], before[3] + 1)
    after = np.concatenate([np.concatenate([a.ravel(), b]) for a, b in zip(exp.weights_after, exp.biases_after)])
    assert np.array_equal(w.worker.trainer.network.params, after)
    w.close()


def _labels(w):
    from nnviz.gui.views.topology.explain_layer import node_labels
    mode = w.explain_mode
    return node_labels(mode.exp, mode.current_stage(), mode.row, mode.average)


def test_leaving_without_apply_changes_nothing(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(optimizer="adam"))
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    before, snap_before = trainer_state(w), w.latest
    enter(qtbot, w)
    for _ in range(7):
        key(qtbot, w, Qt.Key_Right)
    key(qtbot, w, Qt.Key_Escape)
    assert not w.explain_mode.active and not w.training_bar.explain_button.isChecked()
    assert w.lower_stack.currentWidget() is w.curves
    assert "weight" in w.topology.decor.legend.text()
    assert trainer_state(w) == before
    assert np.array_equal(w.latest.weights[0], snap_before.weights[0]) and w.latest.batch == snap_before.batch
    w.close()


def test_clicking_points_on_the_surface(qtbot, tmp_path):
    """A point of the batch is followed; another point gets an update of its own, which
    Apply makes without moving the batch counter."""
    w = open_window(qtbot, tmp_path, Config())
    enter(qtbot, w)
    mode = w.explain_mode
    exp = mode.exp
    surface_click(qtbot, w, *exp.xy[3])
    assert mode.row == 3 and mode.exp is exp
    assert np.array_equal(w.surface.chosen_scatter.data["x"], exp.xy[3:4, 0])
    assert w.topology.decor.overlay._point == tuple(exp.xy[3])
    seq = w.latest.seq
    w.explain_panel.apply_button.click()                 # the batch's update, followed at point 3
    qtbot.waitUntil(lambda: w.latest.seq > seq, timeout=WAIT_MS)
    assert (w.latest.batch, w.latest.total_steps) == (1, 1)
    enter(qtbot, w)
    exp = mode.exp
    outside = next(i for i in range(len(w.latest.train_x)) if i not in set(exp.points.tolist())
                   and np.min(np.hypot(*(w.latest.train_x - w.latest.train_x[i]).T)[np.arange(len(w.latest.train_x)) != i]) > 0.4)
    surface_click(qtbot, w, *w.latest.train_x[outside])
    qtbot.waitUntil(lambda: mode.exp is not None and mode.exp is not exp, timeout=WAIT_MS)
    alone = mode.exp
    assert alone.preview.chosen and alone.points.tolist() == [outside] and mode.row == 0
    assert "alone" in w.explain_panel.heading.text() and w.explain_panel.batch_button.isVisible()
    before = trainer_state(w)
    seq = w.latest.seq
    w.explain_panel.apply_button.click()
    qtbot.waitUntil(lambda: w.latest.seq > seq, timeout=WAIT_MS)
    assert (w.latest.batch, w.latest.total_steps) == (before[1], before[3] + 1)
    assert w.latest.last_batch.tolist() == [outside]
    after = np.concatenate([np.concatenate([a.ravel(), b]) for a, b in zip(alone.weights_after, alone.biases_after)])
    assert np.array_equal(w.worker.trainer.network.params, after)
    w.close()


def test_formula_cards_under_the_mouse_recompute_their_result(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(optimizer="momentum", regularization="l2", reg_rate=0.01))
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    enter(qtbot, w)
    topo = w.topology
    checked = 0
    for target_stage in range(8):
        w.explain_mode.go_stage(target_stage)
        for point in (node_point(topo, 1, 2), node_point(topo, 3, 0), link_mid(topo, 1, 1, 2)):
            move(topo, point)
            text = topo.card_text()
            assert text, "no card under the mouse"
            for line in equation_lines(text):
                again, shown, tol = recompute(line)
                assert abs(again - shown) <= tol * 1.000001, (text, line)
                checked += 1
    move(topo, link_mid(topo, 1, 1, 2))
    assert "w_new" in topo.card_text() and "v = 0.9 ×" in topo.card_text()
    assert checked > 20
    w.close()


def test_any_other_request_leaves_the_mode_cleanly(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config())
    enter(qtbot, w)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)      # Play leaves and plays
    assert not w.explain_mode.active and w.lower_stack.currentWidget() is w.curves
    act_and_wait(qtbot, w, w.pause_requested.emit, lambda s: not s.playing)
    enter(qtbot, w)
    act_and_wait(qtbot, w, lambda: w.request_settings(w.controls.config().replace(learning_rate=0.1)))
    assert not w.explain_mode.active
    enter(qtbot, w)
    act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 0.25, w.latest.network_id))   # an edit
    assert not w.explain_mode.active
    assert w.worker.trainer.network.weights[0][0, 0] == 0.25
    qtbot.waitUntil(lambda: w.undo_stack.canUndo(), timeout=WAIT_MS)
    enter(qtbot, w)
    act_and_wait(qtbot, w, w.undo_stack.undo)                                    # its undo
    assert not w.explain_mode.active and w.worker.trainer.network.weights[0][0, 0] != 0.25
    enter(qtbot, w)
    path = tmp_path / "history.csv"
    w.file_requested.emit("export_history", (str(path),))                       # a file
    assert not w.explain_mode.active
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    w.close()


def test_link_colouring_modes_from_the_view_menu(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(optimizer="momentum"))
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    snap = w.latest
    for mode, words in (("gradient", "last gradient"), ("update", "last update"), ("velocity", "momentum velocity"),
                        ("weight", "weight")):
        w.actions[f"links_{mode}"].trigger()
        assert w.topology.link_mode() == mode and words in w.topology.decor.legend.text()
        source = {"gradient": snap.grad_weights, "update": snap.last_update, "velocity": snap.velocity,
                  "weight": snap.weights}[mode]
        raw = np.concatenate([np.asarray(a).ravel() for a in source])
        shown = w.topology.decor.values * (5.0 if mode == "weight" else np.max(np.abs(raw))) / (
            5.0 if mode == "weight" else 1.0)
        assert np.allclose(shown, raw, rtol=1e-12, atol=0)
    w.close()


def test_a_diverged_network_cannot_be_explained_and_says_why(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(dataset="reg-plane", learning_rate=10.0))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing, timeout=20_000)
    seq = w.latest.seq
    w.explain_mode.toggle()
    qtbot.waitUntil(lambda: w.latest.seq > seq and not w.explain_mode.active, timeout=WAIT_MS)
    assert "Reset" in w.statusBar().currentMessage()
    assert w.lower_stack.currentWidget() is w.curves and not w.training_bar.explain_button.isChecked()
    w.close()


def test_the_link_colouring_is_remembered(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config())
    w.actions["links_update"].trigger()
    w.close()
    again = open_window(qtbot, tmp_path, Config())
    assert again.topology.link_mode() == "update" and again.actions["links_update"].isChecked()
    again.close()
