"""CurvesView: curves equal the history, read-out, log scale, metrics and gradient flow."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF

from nnviz.gui.views.curves import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot


@pytest.fixture
def view(qtbot):
    v = CurvesView()
    qtbot.addWidget(v)
    v.resize(640, 520)
    return v


def painted(view: CurvesView, snap) -> CurvesView:
    view.set_snapshot(snap)
    view.paint()
    return view


def test_plotted_data_equals_history(view):
    snap = make_snapshot(n_classes=2, epochs=150)
    painted(view, snap)
    for curve, values in ((view.train_curve, snap.history_train), (view.test_curve, snap.history_test)):
        x, y = curve.getOriginalDataset()
        np.testing.assert_array_equal(x, snap.history_epoch)
        np.testing.assert_array_equal(y, values)
    item = view.loss_plot.getPlotItem()
    assert item.getAxis("left").labelText == "loss"
    assert item.getAxis("bottom").labelText == "epoch"
    assert [label.text for _, label in view.legend.items] == ["train", "test"]


def test_a_single_epoch_shows_as_dots_inside_the_view(view):
    """At epoch 0 the history holds one point, which draws no line: both losses show as a
    dot, inside the visible range; from the second point on, lines only."""
    snap = make_snapshot(n_classes=2, epochs=150)
    first = dataclasses.replace(snap, history_epoch=snap.history_epoch[:1], history_train=snap.history_train[:1],
                                history_test=snap.history_test[:1], history_grad=snap.history_grad[:1])
    painted(view, first)
    (x0, x1), (y0, y1) = view.loss_plot.getPlotItem().getViewBox().viewRange()
    for curve, values in ((view.train_curve, first.history_train), (view.test_curve, first.history_test)):
        assert curve.opts["symbol"] == "o"
        x, y = curve.getOriginalDataset()
        assert len(x) == 1 and x0 <= x[0] <= x1 and y0 < values[0] < y1
    painted(view, snap)
    assert view.train_curve.opts["symbol"] is None and view.test_curve.opts["symbol"] is None


def test_log_toggle_sets_axis_mode(view):
    painted(view, make_snapshot())
    item = view.loss_plot.getPlotItem()
    assert not view.log_scale()
    view.set_log_scale(True)
    assert view.log_scale() and item.getAxis("left").logMode
    assert view.train_curve.opts["logMode"] == [False, True]
    view.set_log_scale(False)
    assert not item.getAxis("left").logMode


@pytest.mark.parametrize("log", [False, True])
def test_readout_under_simulated_mouse(qtbot, view, log):
    snap = make_snapshot(epochs=200)
    painted(view, snap)
    view.set_log_scale(log)
    view.show()
    qtbot.waitExposed(view)
    vb = view.loss_plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] >= 200)   # auto-range runs on the first paint
    y_mid = float(np.mean(vb.viewRange()[1]))
    scene_pos = vb.mapViewToScene(QPointF(57.3, y_mid))
    view.loss_plot.scene().sigMouseMoved.emit(scene_pos)
    text = view.readout()
    assert "epoch 57" in text
    assert f"train {snap.history_train[57]:.3f}" in text
    assert f"test {snap.history_test[57]:.3f}" in text
    assert view.readout_line.isVisible() and view.readout_line.value() == pytest.approx(57.0)
    # the text hangs from the top of the visible range (log units in log mode)
    (x0, x1), (_, y1) = vb.viewRange()
    pos = view.readout_text.pos()
    assert x0 <= pos.x() <= x1 and pos.y() == pytest.approx(y1)
    view.loss_plot.scene().sigMouseMoved.emit(QPointF(-50, -50))
    assert view.readout() == "" and not view.readout_line.isVisible()


def test_readout_follows_new_history(view):
    snap = make_snapshot(epochs=100)
    painted(view, snap)
    view.show_readout(40)
    longer = make_snapshot(epochs=300, seed=3, seq=2)
    painted(view, longer)
    assert f"train {longer.history_train[40]:.3f}" in view.readout()


def test_gradient_flow_has_one_curve_per_layer(view):
    snap = make_snapshot(hidden=(6, 5, 4))
    painted(view, snap)
    n_layers = snap.history_grad.shape[1]
    assert n_layers == len(snap.weights) == 4
    assert len(view.grad_curves) == n_layers
    # named by the layers they join, not "L1", which reads as a regularisation
    assert [label.text for _, label in view.grad_legend.items] == [
        "inputs\u21921", "1\u21922", "2\u21923", "3\u2192output"]
    for layer, curve in enumerate(view.grad_curves):
        np.testing.assert_array_equal(curve.getOriginalDataset()[1], snap.history_grad[:, layer])
    assert view.grad_item.getAxis("left").logMode
    assert view.grad_plot.mark_counts() == (0, 0) and view.grad_plot.note == ""
    painted(view, make_snapshot(hidden=(3,), seq=5))
    assert len(view.grad_curves) == 2 and len(view.grad_legend.items) == 2
    assert len([c for c in view.grad_item.listDataItems() if isinstance(c, pg.PlotDataItem)]) == 2


def test_gradient_flow_shows_zero_and_infinite_gradients_at_the_edges_with_words(view):
    """An explosion (1e237, then inf, then NaN) and a dead layer (exactly 0): on a log axis
    neither 0 nor inf has a place, so both sit at an edge, marked, and are named."""
    snap = make_snapshot(hidden=(4, 2), epochs=9)
    g = snap.history_grad.copy()                    # (10, 3)
    g[4:, 0] = 0.0                                  # inputs -> 1: dead from epoch 4
    g[5, 2], g[6, 2], g[7:, 2] = 1e237, np.inf, np.nan   # 2 -> output: explodes
    painted(view, dataclasses.replace(snap, history_grad=g, seq=9))
    (y0, y1) = view.grad_item.getViewBox().viewRange()[1]
    assert y1 >= 237 > y0                           # 1e237 is on the plot, not off it
    drawn = [np.log10(c.getOriginalDataset()[1]) for c in view.grad_curves]
    assert all(np.all(np.isfinite(d)) and np.all((d > y0) & (d < y1)) for d in drawn)
    assert np.all(drawn[0][4:] < y0 + 0.05 * (y1 - y0))      # zeros along the bottom edge
    assert np.all(drawn[2][6:] > y1 - 0.05 * (y1 - y0))      # inf and NaN along the top edge
    assert drawn[2][5] == 237
    assert view.grad_plot.mark_counts() == (2, 2)            # each run: where it starts, and now
    zero_at = sorted(p.pos().x() for p in view.grad_plot.zero_marks.points())
    assert zero_at == [4.0, 9.0]
    assert view.grad_plot.note == "\u25b2 infinite or NaN in 2\u2192output \u00b7 \u25bc exactly 0 in inputs\u21921"
    assert view.grad_item.titleLabel.text == view.grad_plot.note      # in the title's place
    painted(view, dataclasses.replace(snap, seq=10))
    assert view.grad_plot.note == "" and view.grad_item.titleLabel.text == "Gradient flow"


def test_gradient_flow_of_a_dead_network_is_drawn_not_blank(view):
    """Every gradient 0 from epoch 1 on (nothing finite above 0 but the first row)."""
    snap = make_snapshot(hidden=(4, 2), epochs=20)
    g = snap.history_grad.copy()
    g[1:] = 0.0
    painted(view, dataclasses.replace(snap, history_grad=g, seq=3))
    assert view.grad_plot.note == "\u25bc exactly 0 in every layer"
    assert all(len(c.getOriginalDataset()[1]) == 21 for c in view.grad_curves)
    g[:] = 0.0                                      # not one value a log axis can place
    painted(view, dataclasses.replace(snap, history_grad=g, seq=4))
    (y0, y1) = view.grad_item.getViewBox().viewRange()[1]
    assert np.isfinite([y0, y1]).all() and y1 > y0
    assert view.grad_plot.mark_counts() == (6, 0)


def test_metrics_and_confusion_for_classes(view):
    snap = make_snapshot(n_classes=3)
    painted(view, snap)
    assert f"{100 * snap.test_accuracy:.1f} %" in view.metrics_label.text()
    assert f"{100 * snap.train_accuracy:.1f} %" in view.metrics_label.text()
    table = view.confusion
    assert not table.isHidden()
    assert table.rowCount() == table.columnCount() == 3
    got = np.array([[int(table.item(r, c).text()) for c in range(3)] for r in range(3)])
    np.testing.assert_array_equal(got, snap.confusion)
    assert [table.horizontalHeaderItem(i).text() for i in range(3)] == ["0", "1", "2"]
    painted(view, make_snapshot(n_classes=2, seq=4))
    assert table.rowCount() == 2
    assert [table.verticalHeaderItem(i).text() for i in range(2)] == ["−1", "+1"]


def test_regression_shows_r2_without_confusion(view):
    snap = make_snapshot(n_classes=0)
    painted(view, snap)
    assert "R²" in view.metrics_label.text() and f"{snap.r2_test:.3f}" in view.metrics_label.text()
    assert view.confusion.isHidden()


def test_paint_is_a_no_op_without_changes(view):
    snap = make_snapshot()
    painted(view, snap)
    view.paint()
    view.set_snapshot(snap)
    view.paint()
    assert view.paint_count == 1
    painted(view, dataclasses.replace(snap, seq=snap.seq + 1))
    assert view.paint_count == 2


def test_export_png_and_svg(view, tmp_path):
    painted(view, make_snapshot())
    view.show_readout(10)
    png, svg = tmp_path / "loss.png", tmp_path / "loss.svg"
    view.export_png(str(png))
    view.export_svg(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert b"<svg" in svg.read_bytes()[:400]
    assert "epoch 10" in view.readout()      # the read-out comes back after the export


@pytest.mark.parametrize("log", [False, True])
def test_range_holds_all_data_and_moves_rarely_while_training(view, log):
    """Each new range redraws the axes' text, so a growing history moves it now and then,
    never on every frame, and every point stays inside it."""
    full = make_snapshot(n_classes=2, epochs=2000)
    view.set_log_scale(log)
    vb = view.loss_plot.getPlotItem().getViewBox()
    ranges = []
    for n in range(20, 2001, 20):                    # 100 frames of a run to epoch 2000
        snap = dataclasses.replace(full, history_epoch=full.history_epoch[:n], history_train=full.history_train[:n],
                                   history_test=full.history_test[:n], history_grad=full.history_grad[:n],
                                   seq=n)
        painted(view, snap)
        (x0, x1), (y0, y1) = vb.viewRange()
        y = np.concatenate([snap.history_train, snap.history_test])
        y = np.log10(y) if log else y
        assert x0 <= snap.history_epoch[0] and snap.history_epoch[-1] <= x1
        assert y0 <= y.min() and y.max() <= y1
        ranges.append(((x0, x1), (y0, y1)))
    changes = sum(a != b for a, b in zip(ranges, ranges[1:]))
    assert 0 < changes <= 25, changes


@pytest.mark.parametrize("lo,hi,px", [(-2.5, -0.5, 80), (-2.2, -1.9, 80), (-6.3, 0.2, 80), (-1.3, 0.7, 200),
                                      (-0.4, -0.2, 200), (-12.0, 3.0, 60), (-1.05, -0.95, 300),
                                      (-10.13, -0.29, 48)])
def test_log_axis_labels_fit_and_lie_in_range(lo, hi, px):
    from nnviz.gui.style.axes import LABEL_PX, log_ticks
    (spacing, labelled), (_, marks) = log_ticks(lo, hi, px)
    assert 1 <= len(labelled) and all(lo <= v <= hi for v in labelled + marks)
    pixels = np.diff(labelled) / (hi - lo) * px if len(labelled) > 1 else np.array([px])
    assert np.all(pixels >= LABEL_PX * 0.99), (labelled, pixels)
    values = 10.0 ** np.array(labelled)                   # each label a 1, 2 or 5 (or 1..9) times 10^k
    mantissa = values / 10.0 ** np.floor(np.log10(values) + 1e-9)
    assert np.allclose(mantissa, np.round(mantissa))
    assert not set(np.round(labelled, 9)) & set(np.round(marks, 9))


def test_many_decades_on_a_short_axis_read_as_two_clear_labels():
    """The gradient-flow plot of the vanishing-gradients lesson at 1280x800: eight decades
    in 48 px. Two labels, both clear of the axis ends (10^-10 sat on the bottom edge and
    was cut, leaving one label), and decade marks only, not 80 minor marks."""
    from nnviz.gui.style.axes import EDGE_PX, log_ticks
    lo, hi, px = -10.13, -0.29, 48.4
    (_, labelled), (_, marks) = log_ticks(lo, hi, px)
    assert len(labelled) == 2
    to_px = px / (hi - lo)
    assert all(min(v - lo, hi - v) * to_px >= EDGE_PX for v in labelled)
    assert all(float(v).is_integer() for v in labelled + marks) and len(marks) <= 10


def test_short_log_range_shows_readable_labels(qtbot, view):
    """At epoch 0 the gradient sizes span less than a decade: no pile of minor labels."""
    snap = make_snapshot(n_classes=2, epochs=1)
    painted(view, snap)
    axis = view.grad_item.getAxis("left")
    (y0, y1) = view.grad_item.getViewBox().viewRange()[1]
    levels = axis.tickValues(y0, y1, 80)
    assert y1 - y0 >= 1.0 and 1 <= len(levels[0][1]) <= 4


@pytest.mark.parametrize("width", [260, 420, 900])
def test_gradient_flow_legend_fits_its_width(qtbot, width):
    """No legend entry is cut off at the right edge, however narrow the plot."""
    from nnviz.gui.views.curves.gradflow import GradientFlowPlot
    plot = GradientFlowPlot()
    qtbot.addWidget(plot)
    snap = make_snapshot(hidden=(8, 8, 8, 8))
    plot.show_history(snap.history_epoch, snap.history_grad)
    plot.resize(width, 220)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: plot.sceneRect().width() <= width + 1, timeout=2_000)
    texts = [t.item for _, t in plot.legend.items]
    right = max(t.mapRectToScene(t.boundingRect()).right() for t in texts)
    assert right <= width and (width < 600 or plot.legend.columnCount == len(plot.legend.items))


@pytest.mark.parametrize("log", [False, True])
def test_an_infinite_loss_is_marked_on_the_top_edge(view, log):
    """A run that blew up: the last losses are inf and NaN, which a curve cannot draw;
    a triangle on the top edge marks where that began and the latest epoch, per curve."""
    view.set_log_scale(log)
    snap = make_snapshot(n_classes=2, epochs=20)
    train, test = snap.history_train.copy(), snap.history_test.copy()     # (21,)
    train[18:], test[19], test[20] = np.inf, np.nan, np.inf
    painted(view, dataclasses.replace(snap, history_train=train, history_test=test, seq=5))
    y0, y1 = view.loss_plot.getPlotItem().getViewBox().viewRange()[1]
    spots = sorted((p.pos().x(), p.pos().y()) for p in view.blown_marks.points())
    assert [x for x, _ in spots] == [18.0, 19.0, 20.0, 20.0]     # train 18 and now, test 19 and now
    assert all(y1 - 0.05 * (y1 - y0) < y < y1 for _, y in spots)
    finite = np.concatenate([train[:18], test[:19]])
    lo, hi = (np.log10(finite.min()), np.log10(finite.max())) if log else (finite.min(), finite.max())
    assert y0 <= lo and hi <= y1                                 # the finite history still fits
    painted(view, dataclasses.replace(snap, seq=6))
    assert len(view.blown_marks.points()) == 0


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_the_confusion_table_shows_every_cell_whole(qtbot, view, classes):
    view.show()
    qtbot.waitExposed(view)
    painted(view, make_snapshot(n_classes=classes, epochs=5))
    table = view.confusion
    k = table.columnCount()
    assert k == classes
    assert table.viewport().width() >= sum(table.columnWidth(c) for c in range(k))
    assert table.viewport().height() >= sum(table.rowHeight(r) for r in range(k))


def test_a_deep_networks_gradient_flow_keeps_its_plot(qtbot):
    """Seven weight layers in a panel as small as at 1280 x 800: the legend names the
    ends of the colour ramp, and the plot keeps its height (a row per layer left it 13 px
    at this size; title and axis take 90 px of the 180)."""
    from nnviz.gui.views.curves.gradflow import GradientFlowPlot
    plot = GradientFlowPlot()
    qtbot.addWidget(plot)
    snap = make_snapshot(hidden=(8,) * 6)
    plot.show_history(snap.history_epoch, snap.history_grad)
    plot.resize(280, 180)
    plot.show()
    qtbot.waitExposed(plot)
    assert len(plot.curves) == 7
    assert [t.text for _, t in plot.legend.items] == ["inputs\u21921", "\u22ef", "6\u2192output"]
    assert plot.legend.items[1][0].item is plot.curves[3]          # the middle colour
    qtbot.waitUntil(lambda: plot.item.getViewBox().sceneBoundingRect().height() > 40, timeout=2_000)
