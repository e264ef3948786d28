"""The network graph: hover cards, inline editing, wheel nudges, repaint bookkeeping."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication

from helpers.topology import bias_point, click, link_mid, move, node_point, type_and_enter, wheel
from nnviz.core.config import FEATURES, Config
from nnviz.core.model import features
from nnviz.core.model.network import Network
from nnviz.core.snapshot import Snapshot
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.topology.view import TopologyView


def fake_snapshot(sizes: tuple[int, ...], seed: int = 0, seq: int = 1) -> Snapshot:
    """A Snapshot of a real (untrained) network with `sizes`: real pictures, made-up metrics."""
    n_in, *hidden, _ = sizes
    cfg = Config(features=FEATURES[:n_in], hidden_layers=tuple(hidden))
    assert cfg.layer_sizes == tuple(sizes)
    net = Network(cfg.layer_sizes, cfg.activations, cfg.output_kind, cfg.features)
    net.initialize("playground", np.random.default_rng(seed))
    return dataclasses.replace(
        make_snapshot(2, hidden=tuple(hidden), seed=seed), config=cfg, layer_sizes=cfg.layer_sizes,
        feature_names=tuple(features.label(f) for f in cfg.features),
        weights=tuple(w.copy() for w in net.weights), biases=tuple(b.copy() for b in net.biases),
        grad_weights=tuple(0.01 * w for w in net.weights), grad_biases=tuple(np.full(b.shape, -0.002)
                                                                           for b in net.biases),
        grid=net.grid_outputs(), seq=seq, network_id=7)


def with_weight(snap: Snapshot, layer: int, dst: int, src: int, value: float) -> Snapshot:
    weights = [w.copy() for w in snap.weights]
    weights[layer][dst, src] = value
    return dataclasses.replace(snap, weights=tuple(weights), seq=snap.seq + 1)


@pytest.fixture
def view(qtbot):
    v = TopologyView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_snapshot(fake_snapshot((2, 4, 2, 1)))
    v.paint()
    QApplication.processEvents()
    return v


def test_hover_link_card_shows_weight_endpoints_and_gradient(view):
    snap = view._snap
    move(view, link_mid(view, 0, 2, 1))
    assert view.hovered_link() == (0, 2, 1)
    text = view.card_text()
    assert view.card.isVisible()
    assert f"Weight {snap.weights[0][2, 1]:.3g}" in text
    assert "X\u2082 \u2192 layer 1, neuron 3" in text
    assert f"gradient {snap.grad_weights[0][2, 1]:.3g}" in text
    move(view, link_mid(view, 2, 0, 1))
    assert view.hovered_link() == (2, 0, 1)
    assert "layer 2, neuron 2 \u2192 output" in view.card_text()
    assert f"{snap.weights[2][0, 1]:.3g}" in view.card_text()


def test_card_follows_each_new_snapshot(view):
    move(view, link_mid(view, 1, 0, 3))
    view.set_snapshot(with_weight(view._snap, 1, 0, 3, 0.7777))
    view.paint()
    assert "Weight 0.778" in view.card_text()
    view.set_snapshot(with_weight(view._snap, 1, 0, 3, -2.5))
    view.paint()
    assert "Weight -2.5" in view.card_text()
    assert view.hovered_link() == (1, 0, 3)


def test_leaving_hides_card_and_reports_no_neuron(qtbot, view):
    with qtbot.waitSignal(view.neuron_hovered) as sig:
        move(view, node_point(view, 1, 2))
    assert sig.args == [1, 2]
    assert "Layer 1, neuron 3" in view.card_text() and "bias 0.1" in view.card_text()
    assert "activation Tanh" in view.card_text() and "bias gradient -0.002" in view.card_text()
    with qtbot.waitSignal(view.neuron_hovered) as sig:
        QApplication.sendEvent(view.view.viewport(), QEvent(QEvent.Leave))
    assert sig.args == [-1, -1]
    assert view.card_text() == "" and not view.card.isVisible()


def test_hover_input_and_bias_square(qtbot, view):
    with qtbot.waitSignal(view.neuron_hovered) as sig:
        move(view, node_point(view, 0, 1))
    assert sig.args == [0, 1] and "Input X\u2082" in view.card_text()
    with qtbot.waitSignal(view.neuron_hovered) as sig:
        move(view, bias_point(view, 1, 0))    # bias square of layer 2, neuron 1
    assert sig.args == [2, 0] and "Layer 2, neuron 1" in view.card_text()
    with qtbot.waitSignal(view.neuron_hovered) as sig:
        move(view, view.view_point(5.0, 5.0))  # empty corner
    assert sig.args == [-1, -1]


def test_click_link_then_enter_emits_exact_request(qtbot, view):
    w = view._snap.weights[0][3, 0]
    click(view, link_mid(view, 0, 3, 0))
    assert view.editor.isVisible()
    assert float(view.editor.text()) == pytest.approx(w, rel=1e-5)
    with qtbot.waitSignal(view.weight_edit_requested) as sig:
        type_and_enter(qtbot, view, "0.25")
    assert sig.args == [0, 3, 0, 0.25, 7]   # the network on screen
    assert not view.editor.isVisible()


def test_an_editor_opened_on_another_network_sends_nothing(qtbot, view):
    """The network is rebuilt (same shape: a Reset) while the user types: the edit was
    aimed at the old one, so it is refused in words and nothing is sent."""
    click(view, link_mid(view, 0, 3, 0))
    assert view.editor.isVisible()
    view.set_snapshot(dataclasses.replace(fake_snapshot((2, 4, 2, 1), seed=5, seq=2), network_id=8))
    view.paint()
    assert view.editor.isVisible()      # same shape: the editor stays, the Enter is refused
    with qtbot.assertNotEmitted(view.weight_edit_requested):
        with qtbot.waitSignal(view.message_posted) as sig:
            type_and_enter(qtbot, view, "0.25")
    assert "changed while you typed" in sig.args[0] and view.editor_message.isVisible()
    click(view, link_mid(view, 0, 3, 0))      # picked again on the new network: sent, with its number
    with qtbot.waitSignal(view.weight_edit_requested) as sig:
        type_and_enter(qtbot, view, "0.25")
    assert sig.args == [0, 3, 0, 0.25, 8]


def test_escape_cancels_without_emitting(qtbot, view):
    click(view, link_mid(view, 1, 1, 2))
    assert view.editor.isVisible()
    with qtbot.assertNotEmitted(view.weight_edit_requested), qtbot.assertNotEmitted(view.bias_edit_requested):
        qtbot.keyClicks(view.editor, "9")
        qtbot.keyClick(view.editor, Qt.Key_Escape)
        QApplication.processEvents()
    assert not view.editor.isVisible()


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "-inf", "1e400", "2e6"])
def test_invalid_input_is_refused_visibly(qtbot, view, text):
    click(view, link_mid(view, 0, 0, 0))
    with qtbot.assertNotEmitted(view.weight_edit_requested):
        with qtbot.waitSignal(view.message_posted) as sig:
            type_and_enter(qtbot, view, text)
    assert sig.args[0] and view.editor_message.isVisible()
    assert view.editor_message.text() == sig.args[0]
    assert view.editor.isVisible()  # still open so the user can fix the value
    with qtbot.waitSignal(view.weight_edit_requested) as ok:
        type_and_enter(qtbot, view, "-1.5")
    assert ok.args == [0, 0, 0, -1.5, 7] and not view.editor_message.isVisible()


def test_wheel_nudges_the_hovered_weight(qtbot, view):
    w = float(view._snap.weights[1][1, 0])
    p = link_mid(view, 1, 1, 0)
    move(view, p)
    with qtbot.waitSignal(view.weight_edit_requested) as sig:
        wheel(view, p, 120)
    assert sig.args[:3] == [1, 1, 0] and sig.args[4] == 7 and sig.args[3] == pytest.approx(w + 0.05, abs=1e-12)
    with qtbot.waitSignal(view.weight_edit_requested) as sig:   # builds on the nudge not yet applied
        wheel(view, p, -120, Qt.ShiftModifier)
    assert sig.args[3] == pytest.approx(w + 0.05 - 0.01, abs=1e-12)
    assert f"Weight {w + 0.04:.3g}" in view.card_text()
    with qtbot.assertNotEmitted(view.weight_edit_requested):
        wheel(view, view.view_point(5.0, 5.0), 120)          # not over a link: nothing


def test_output_bias_is_editable(qtbot, view):
    last = view._snap.n_layers - 1
    click(view, node_point(view, last + 1, 0))
    assert view.editor.isVisible() and float(view.editor.text()) == pytest.approx(0.1)
    with qtbot.waitSignal(view.bias_edit_requested) as sig:
        type_and_enter(qtbot, view, "0.3")
    assert sig.args == [last, 0, 0.3, 7]
    click(view, bias_point(view, last, 0))
    with qtbot.waitSignal(view.bias_edit_requested) as sig:
        type_and_enter(qtbot, view, "-2")
    assert sig.args == [last, 0, -2.0, 7]


def test_clicking_an_input_or_empty_space_opens_nothing(view):
    click(view, node_point(view, 0, 0))
    assert not view.editor.isVisible()
    click(view, link_mid(view, 0, 0, 0))
    assert view.editor.isVisible()
    click(view, view.view_point(5.0, 5.0))
    assert not view.editor.isVisible()


def test_paint_only_when_the_snapshot_changes(view):
    count = view.paint_count
    for _ in range(5):
        view.paint()
    assert view.paint_count == count
    view.set_snapshot(with_weight(view._snap, 0, 0, 0, 0.5))
    view.paint()
    view.paint()
    assert view.paint_count == count + 1


def test_resize_relayouts_to_the_new_size(qtbot, view):
    view.resize(1200, 700)
    qtbot.waitUntil(lambda: view.graph_layout.width == view.view.viewport().width())
    move(view, link_mid(view, 0, 1, 0))
    assert view.hovered_link() == (0, 1, 0)


def test_new_structure_rebuilds_geometry(qtbot, view):
    click(view, link_mid(view, 2, 0, 1))
    deep = fake_snapshot((7, 8, 8, 8, 8, 8, 8, 1))
    view.set_snapshot(deep)
    view.paint()
    assert view.graph_layout.layer_sizes == (7, 8, 8, 8, 8, 8, 8, 1)
    assert not view.editor.isVisible()  # the edited link belongs to the old network
    move(view, link_mid(view, 0, 7, 6))   # the bottom link of the gap: alone at pixel scale
    assert view.hovered_link() == (0, 7, 6)
    assert "sin(X\u2082) \u2192 layer 1, neuron 8" in view.card_text()
    assert_hover_is_nearest(view, link_mid(view, 3, 4, 6), deep)


def test_headers_and_labels_follow_the_config(view):
    texts = view.label_texts()
    assert texts[:2] == ["X\u2081", "X\u2082"]
    assert "4 neurons\nTanh" in texts and "2 neurons\nTanh" in texts and "Output\nTanh" in texts
    snap = view._snap
    relu = dataclasses.replace(snap, config=snap.config.replace(activation="relu"), seq=snap.seq + 1)
    view.set_snapshot(relu)
    view.paint()
    assert "4 neurons\nReLU" in view.label_texts() and "Output\nTanh" in view.label_texts()


def test_diverged_values_do_not_break_painting(view):
    snap = view._snap
    bad = dataclasses.replace(
        snap, seq=snap.seq + 1,
        weights=tuple(np.full(w.shape, np.nan) for w in snap.weights),
        biases=tuple(np.full(b.shape, np.inf) for b in snap.biases),
        grad_weights=(), grad_biases=(), grid=tuple(np.full(g.shape, np.nan, np.float32) for g in snap.grid))
    view.set_snapshot(bad)
    view.paint()
    move(view, link_mid(view, 0, 0, 0))
    assert "Weight nan" in view.card_text() and "gradient n/a" in view.card_text()
    move(view, node_point(view, 1, 0))
    assert "bias inf" in view.card_text()


def test_largest_network_hover(qtbot, view):
    big = fake_snapshot((7,) + (32,) * 10 + (1,))
    view.set_snapshot(big)
    view.paint()
    move(view, link_mid(view, 5, 0, 0))        # the top link of its gap: alone at pixel scale
    assert view.hovered_link() == (5, 0, 0)
    assert f"{big.weights[5][0, 0]:.3g}" in view.card_text()
    assert_hover_is_nearest(view, link_mid(view, 5, 17, 30), big)


def assert_hover_is_nearest(view: TopologyView, p: QPoint, snap: Snapshot) -> None:
    """In a dense gap a pixel may hold several links: the card names one within a pixel."""
    move(view, p)
    l, dst, src = view.hovered_link()
    assert f"Weight {snap.weights[l][dst, src]:.3g}" in view.card_text()
    pt = view.vb.mapSceneToView(view.view.mapToScene(p))
    x0, y0, x1, y1 = view.graph_layout.segments[view.graph_layout.link_index(l, dst, src)]
    t = np.clip(((pt.x() - x0) * (x1 - x0) + (pt.y() - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2), 0, 1)
    assert np.hypot(x0 + t * (x1 - x0) - pt.x(), y0 + t * (y1 - y0) - pt.y()) < 1.0


def test_export_png_and_svg(view, tmp_path):
    view.export_png(str(tmp_path / "g.png"))
    view.export_svg(str(tmp_path / "g.svg"))
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]  # no temp files left


def test_dead_links_are_drawn_dashed_grey_and_the_card_says_why(view):
    """A link L1 killed under the Playground's SGD: its own dashed grey bucket, under the
    live links, and a card that says since when and what revives it."""
    snap = view._snap
    dead = tuple(np.zeros(w.shape, dtype=np.int64) for w in snap.weights)
    dead[0][2, 1] = 37
    snap = dataclasses.replace(with_weight(snap, 0, 2, 1, 0.0), dead=dead)
    view.set_snapshot(snap)
    view.paint()
    pen, lines = view.links.strokes()[0]
    assert pen.style() == Qt.CustomDashLine and pen.color().getRgb()[:3] == (120, 120, 120)
    seg = view.graph_layout.segments[view.graph_layout.link_index(0, 2, 1)]
    assert [(ln.x1(), ln.y1(), ln.x2(), ln.y2()) for ln in lines] == [tuple(map(float, seg))]
    assert sum(len(b[1]) for b in view.links.strokes()) == len(view.graph_layout.segments)
    move(view, link_mid(view, 0, 2, 1))
    text = view.card_text()
    assert text.startswith("Dead link (weight 0)") and "dead since epoch 37" in text
    assert "no longer trained" in text and "Reset or an edit revives it" in text
    move(view, link_mid(view, 0, 1, 1))
    assert view.card_text().startswith("Weight") and "gradient" in view.card_text()
