"""The views' parts of an explained step, each on its own: the surface's marks, picture and
point picking; the graph's numbers, link values and cards; the explain panel's stages."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from helpers.cards import equation_lines, recompute
from helpers.topology import link_mid, move, node_point
from nnviz.core import Config, Trainer, explain_step
from nnviz.core.learn.explain import stage_link_values, stages
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.explain import ExplainPanel
from nnviz.gui.views.surface import SurfaceView
from nnviz.gui.views.topology.explain_layer import mode_values, node_labels
from nnviz.gui.views.topology.view import TopologyView


@pytest.fixture(scope="module")
def explained():
    t = Trainer(Config(optimizer="adam", batch_size=7))
    for _ in range(3):
        t.step_batch()
    return t, explain_step(t)


def test_surface_marks_the_batch_and_the_point_and_shows_a_picture_instead_of_the_output(qtbot):
    view = SurfaceView()
    qtbot.addWidget(view)
    snap = make_snapshot(n_classes=2, last_batch=10)
    view.set_snapshot(snap)
    view.paint()
    batch, chosen = snap.train_x[:5], snap.train_x[2:3]
    view.set_explain_marks(batch, np.empty((0, 2)), chosen)
    change = np.linspace(-1, 1, 100 * 100, dtype=np.float32).reshape(100, 100)
    view.set_picture_override(change, "Change (full colour \u00b10.01)")
    view.paint()
    assert np.array_equal(view.highlight_scatter.data["x"], batch[:, 0])
    assert np.array_equal(view.chosen_scatter.data["y"], chosen[:, 1])
    assert np.array_equal(view.image.image, change)
    assert view.plot.getPlotItem().titleLabel.text.startswith("Change")
    view.set_explain_marks(None)
    view.set_picture_override(None)
    view.paint()
    assert len(view.chosen_scatter.data) == 0
    assert np.array_equal(np.sort(view.highlight_scatter.data["x"]), np.sort(snap.train_x[snap.last_batch, 0]))
    np.testing.assert_array_equal(view.image.image, snap.grid[-1][0])


def test_surface_pick_mode_emits_the_nearest_training_point(qtbot):
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    snap = make_snapshot(n_classes=2)
    view.set_snapshot(snap)
    view.paint()
    x, y = snap.train_x[7]
    vb = view.plot.getPlotItem().getViewBox()
    pos = view.plot.mapFromScene(vb.mapViewToScene(QPointF(x + 0.02, y - 0.02)))
    with qtbot.assertNotEmitted(view.training_point_picked):
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=pos)     # pick mode is off
    view.set_pick_mode(True)
    with qtbot.waitSignal(view.training_point_picked) as blocker:
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=pos)
    assert blocker.args == [7]
    assert view.handle_pick(50.0, 50.0) == -1                                # nothing near


def test_graph_draws_each_stages_numbers_and_links(qtbot, explained):
    t, e = explained
    view = TopologyView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_snapshot(t.snapshot(seq=1))
    view.paint()
    for stage in stages(e.n_layers):
        view.set_explain(e, stage, 2, stage[0] == "backward")
        raw, name = stage_link_values(e, stage, 2, stage[0] == "backward")
        assert np.allclose(view.decor.values * np.max(np.abs(raw)), raw, rtol=1e-12, atol=0)
        assert name in view.decor.legend.text() and not view.decor.combo.isEnabled()
        labels = {(c, j): text for c, j, text in node_labels(e, stage, 2, stage[0] == "backward")}
        assert len(view.decor.overlay._labels) == len(labels)
        phase, col = stage
        if phase == "forward":
            assert labels[(col, 0)] == f"z {e.z[col][2, 0]:.3g}\na {e.a[col][2, 0]:.3g}".replace("-", "\u2212")
        if phase == "update":
            assert labels[(1, 0)] == f"\u0394b {e.update_biases[0][0]:.3g}".replace("-", "\u2212")
        assert view.decor.overlay._point == tuple(e.xy[2])
        move(view, node_point(view, 1, 1))
        text = view.card_text()
        for line in equation_lines(text):
            again, shown, tol = recompute(line)
            assert abs(again - shown) <= tol * 1.000001, (text, line)
    move(view, link_mid(view, 0, 1, 0))
    assert view.card_text().startswith("Update: X\u2081 \u2192 layer 1, neuron 2")
    view.set_explain(None, ("forward", 1), 0, False)
    assert view.decor.overlay._labels == [] and view.decor.combo.isEnabled()
    assert view.card_text().startswith("Weight ")


def test_link_modes_scale_by_the_largest_magnitude_and_say_so():
    snap = make_snapshot(n_classes=2)
    values, full, legend = mode_values(snap, "gradient")
    raw = np.concatenate([g.ravel() for g in snap.grad_weights])
    assert full == 1.0 and np.max(np.abs(values)) == 1.0 and np.allclose(values * np.max(np.abs(raw)), raw)
    assert "full at \u00b1" in legend
    assert "keeps no velocity" in mode_values(snap, "velocity")[2]      # the demo's SGD
    assert mode_values(snap, "weight")[1] == 5.0


def test_panel_walks_its_stages_and_asks_for_apply(qtbot, explained):
    _, e = explained
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    assert not panel.apply_button.isEnabled()
    panel.set_explanation(e)
    assert panel.table.rowCount() == len(e.points) and panel.apply_button.isEnabled()
    for k, (phase, _) in enumerate(stages(e.n_layers)):
        panel.set_focus(k, 1, False, "change")
        assert panel.phase_buttons[phase].isChecked()
        assert panel.surface_row.isVisibleTo(panel) == (phase == "update")
    assert "Adam" in panel.stage_text() and "m_hat" in panel.stage_text()
    with qtbot.waitSignal(panel.stage_requested) as blocker:
        panel.prev_button.click()
    assert blocker.args == [len(stages(e.n_layers)) - 2]
    with qtbot.waitSignal(panel.point_requested) as blocker:
        panel.table.selectRow(4)
    assert blocker.args == [4]
    with qtbot.waitSignal(panel.apply_requested):
        panel.apply_button.click()


@pytest.mark.parametrize("config, size", [
    (Config(dataset="blobs", n_classes=4, hidden_layers=(6, 6)), (560, 520)),
    (Config(dataset="spiral", hidden_layers=(8, 8, 8), features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)",
                                                                  "sin(x2)")), (480, 520)),
    (Config(), (900, 600))], ids=["4-outputs", "dense", "default"])
def test_numbers_on_the_graph_never_overlap_each_other_or_a_neuron(qtbot, config, size):
    t = Trainer(config)
    e = explain_step(t)
    view = TopologyView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_snapshot(t.snapshot(seq=1))
    view.paint()
    for stage in stages(e.n_layers):
        view.set_explain(e, stage, 0, False)
        view.view.viewport().grab()                      # paints the overlay
        overlay = view.decor.overlay
        boxes = overlay.boxes
        assert len(boxes) + overlay.left_out == len(overlay._labels)
        lay = view.graph_layout
        s = lay.node_size
        nodes = []
        for cx, cy in lay.node_xy.tolist():
            a, b = view.view_point(cx - s / 2, cy - s / 2), view.view_point(cx + s / 2, cy + s / 2)
            nodes.append((a.x(), a.y(), b.x(), b.y()))
        for k, box in enumerate(boxes):
            assert not any(box.intersects(other) for other in boxes[k + 1:]), stage
            assert not any(box.intersects(type(box)(x0, y0, x1 - x0, y1 - y0)) for x0, y0, x1, y1 in nodes), stage
            assert box.left() >= 0 and box.right() <= view.view.viewport().width(), stage
        if config == Config():
            assert overlay.left_out == 0, stage              # the default network has room for all
