"""The runs panel, the timeline bar and the curves with several runs, each alone with a
made-up Snapshot: what they draw and the requests they emit."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from nnviz.core.snapshot import GRID
from nnviz.gui.style import palette
from nnviz.gui.views.curves import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot, with_runs, with_timeline
from nnviz.gui.views.runs import RunsView
from nnviz.gui.views.timeline import TimelineBar


def test_surface_rgb_colours_as_the_big_surface_on_white() -> None:
    out = np.zeros((1, GRID, GRID), dtype=np.float32)
    out[0, -1, :] = 1.0          # the top row of the grid (y = +6) is class +1
    out[0, 0, :] = -1.0
    rgb = palette.surface_rgb(out, "tanh_mse")
    alpha = 160 / 255
    blue = np.round(255 + (np.array(palette.BLUE) - 255) * alpha)
    orange = np.round(255 + (np.array(palette.ORANGE) - 255) * alpha)
    assert rgb.shape == (GRID, GRID, 3) and rgb.dtype == np.uint8
    assert np.array_equal(rgb[0, 5], blue) and np.array_equal(rgb[-1, 5], orange)   # row 0 is the top
    assert np.array_equal(palette.surface_rgb(out, "tanh_mse", discretize=True)[50, 5], blue)


@pytest.mark.parametrize("kind,n_out", [("tanh_mse", 1), ("sigmoid_bce", 1), ("softmax_ce", 2), ("softmax_ce", 3)])
@pytest.mark.parametrize("discretize", [False, True])
def test_surface_argb_is_surface_rgb_packed(kind, n_out, discretize) -> None:
    rng = np.random.default_rng(3)
    out = rng.uniform(-1.2, 1.2, (n_out, GRID, GRID)).astype(np.float32)
    if kind != "tanh_mse":
        out = np.abs(out) / np.abs(out).sum(axis=0) if n_out > 1 else (out + 1.2) / 2.4
    if n_out < 3:                # a diverged network's values on the [-1, 1] scale
        out[0, 3, :4] = [np.nan, np.inf, -np.inf, 0.0]
    rgb = palette.surface_rgb(out, kind, discretize).astype(np.uint32)
    want = 0xFF000000 | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    got = palette.surface_argb(out, kind, discretize)
    assert got.dtype == np.uint32 and got.flags.c_contiguous and np.array_equal(got, want)


def test_runs_view_draws_a_panel_per_run_and_asks_to_select(qtbot) -> None:
    view = RunsView()
    qtbot.addWidget(view)
    view.resize(560, 240)
    view.show()
    view.set_snapshot(make_snapshot())
    view.paint()
    assert not any(p.isVisible() for p in view.panels) and view.maximumHeight() < 80   # one run: the button
    view.set_snapshot(with_runs(make_snapshot(), active=1))
    view.paint()
    qtbot.waitUntil(lambda: view.panels[2].width() > 60)
    assert [p.isVisible() for p in view.panels] == [True] * 3 and [p.active for p in view.panels] == [False, True, False]
    assert view.remove_button.isVisible() and view.keep_button.isVisible()
    picture = view.panels[1].grab().toImage()
    side = view.panels[1]._side()
    x0 = (view.panels[1].width() - side) // 2
    frame = picture.pixelColor(x0 + 1, 4 + side // 2)                     # the thick frame's colour
    assert (frame.red(), frame.green(), frame.blue()) == palette.run_rgb(1)
    with qtbot.waitSignal(view.select_requested) as sig:
        qtbot.mouseClick(view.panels[2], Qt.LeftButton, pos=QPoint(40, 40))
    assert sig.args == [2]
    with qtbot.waitSignal(view.keep_only_requested) as sig:
        view.keep_button.click()
    assert sig.args == [1]


def test_timeline_bar_follows_the_snapshot_and_asks_to_look(qtbot) -> None:
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.resize(700, 40)
    bar.show()
    live = with_timeline(make_snapshot(epochs=200))
    n = len(live.timeline_epochs)
    bar.show_snapshot(live)
    assert bar.slider.maximum() == n and bar.slider.value() == n and "Live" in bar.label.text()
    assert not bar.restore_button.isEnabled()
    with qtbot.waitSignal(bar.look_requested) as sig:
        bar.slider.setValue(7)
    assert sig.args == [7]
    bar.show_snapshot(with_timeline(make_snapshot(epochs=200), viewing=7))
    assert bar.slider.value() == 7 and "Epoch 7" in bar.label.text() and bar.restore_button.isEnabled()
    with qtbot.waitSignal(bar.restore_requested) as sig:
        bar.restore_button.click()
    assert sig.args == [7]
    with qtbot.waitSignal(bar.branch_requested) as sig:
        bar.branch_button.click()
    assert sig.args == [7]
    with qtbot.waitSignal(bar.live_requested):
        bar.slider.setValue(n)
    # a Snapshot moving the slider asks for nothing
    with qtbot.assertNotEmitted(bar.look_requested):
        bar.show_snapshot(with_timeline(make_snapshot(epochs=200), viewing=3))


def test_curves_of_runs_share_the_chart_and_the_cursor_marks_the_look(qtbot) -> None:
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(640, 520)
    view.show()
    snap = with_timeline(with_runs(make_snapshot(epochs=200)), viewing=12)
    view.set_snapshot(snap)
    view.paint()
    assert [c[0].isVisible() for c in view.runs.curves] == [True, True, True]
    assert not view.test_curve.isVisible() and view.cursor() == 12.0
    x, y = view.runs.curves[2][0].getData()
    assert np.array_equal(y, snap.runs[2].history_test)
    assert [label.text for _, label in view.legend.items] == ["SGD", "momentum", "Adam", "dashed: train"]
    single = make_snapshot(epochs=200)
    view.set_snapshot(single)
    view.paint()
    assert view.test_curve.isVisible() and not any(c[0].isVisible() for c in view.runs.curves)
    assert view.cursor() is None and [label.text for _, label in view.legend.items] == ["train", "test"]


def test_the_chart_spans_the_longest_run_when_a_later_one_is_shorter(qtbot) -> None:
    """Runs added at epoch 0 beside one at epoch 200: the x range still reaches 200."""
    from dataclasses import replace

    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(640, 520)
    view.show()
    snap = with_runs(make_snapshot(epochs=200))
    first = snap.runs[0]
    late = tuple(replace(r, epoch=0, history_epoch=first.history_epoch[:1], history_test=r.history_test[:1],
                         history_train=r.history_train[:1]) for r in snap.runs[1:])
    view.set_snapshot(replace(snap, runs=(first, *late)))
    view.paint()
    (x0, x1), _ = view.loss_plot.getPlotItem().getViewBox().viewRange()
    assert x0 == 0.0 and 200.0 <= x1 <= 250.0


def test_run_curves_of_one_epoch_are_dots_and_take_their_pens_once(qtbot) -> None:
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(640, 520)
    view.show()
    view.set_snapshot(with_runs(make_snapshot(epochs=0)))
    view.paint()
    test, train = view.runs.curves[1]
    assert test.opts["symbol"] == "o" and train.opts["symbol"] == "o"
    view.set_snapshot(with_runs(make_snapshot(epochs=50), active=1))
    view.paint()
    assert test.opts["symbol"] is None and test.opts["pen"].widthF() == 3        # the active run's is wider
    assert test.opts["pen"].color().getRgb()[:3] == palette.run_rgb(1) and len(test.getData()[0]) == 51
