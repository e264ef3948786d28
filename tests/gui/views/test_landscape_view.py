"""The landscape panel alone, with made-up Landscapes: what it draws, what it asks for."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnviz.core.learn.landscape_job import GRID_SIZES, LandscapeSettings
from nnviz.gui.views.landscape.demo import make_landscape
from nnviz.gui.views.landscape.plots import contour_lines, display_values, levels
from nnviz.gui.views.landscape.view import RANGES, LandscapeView


@pytest.fixture
def view(qtbot) -> LandscapeView:
    v = LandscapeView()
    qtbot.addWidget(v)
    v.resize(460, 560)
    v.show()
    v.set_active(True)
    return v


def shown(v: LandscapeView, **kw):
    r = make_landscape(settings=v.settings(), **kw)
    v.set_landscape(r)
    v.paint()
    return r


def test_the_plane_the_path_and_the_slice_are_drawn(view: LandscapeView) -> None:
    r = shown(view)
    p = view.plots
    assert view.paint_count == 1
    assert p.image.image.shape == (len(r.b), len(r.a), 4)          # rows are b (up), columns a
    x, y = p.path.getData()
    assert np.array_equal(x, r.path[:, 0]) and np.array_equal(y, r.path[:, 1])
    assert np.array_equal(p.now.getData()[0], [0.0]) and np.allclose(p.step_end.getData()[0], [r.next_xy[0]])
    assert p.contours.isVisible() and len(p.contours.getData()[0]) > 0
    sx, sy = p.slice_curve.getData()
    assert np.array_equal(sx, r.slice.t)
    assert np.allclose(sy, r.slice.loss - r.loss, atol=1e-12)       # the change from now
    assert p.plane.getAxis("bottom").labelText == r.labels[0]
    assert "Next step (sgd, rate 0.8)" in view.caption.text()
    assert "Epoch 24, step 24" in view.note.text()


def test_colours_follow_the_loss_and_the_log_option(view: LandscapeView) -> None:
    r = shown(view)
    img = view.plots.image.image
    i, j = np.unravel_index(np.argmin(r.z), r.z.shape)
    k, m = np.unravel_index(np.argmax(r.z), r.z.shape)
    lo, hi = view.plots.cmap.map(np.array([0.0, 1.0]), mode="byte")
    assert np.array_equal(img[j, i], lo) and np.array_equal(img[m, k], hi)   # viridis: dark valley
    assert view.plots.bar.levels() == pytest.approx((r.z.min(), r.z.max()))
    view.log.setChecked(True)
    assert view.paint_count == 2 and view.plots.bar.axis.logMode
    assert view.plots.bar.levels() == pytest.approx((np.log10(r.z.min()), np.log10(r.z.max())))
    view.contours.setChecked(False)
    assert not view.plots.contours.isVisible()


def test_overflowed_cells_stay_blank_and_helpers_handle_edges() -> None:
    z = np.array([[1.0, np.inf], [np.nan, 4.0]])
    assert np.isnan(display_values(z, False)[0, 1]) and display_values(z, False)[1, 1] == 4.0
    assert np.allclose(display_values(np.array([[100.0, 0.0]]), True), [[2.0, np.nan]], equal_nan=True)
    assert levels(np.array([np.nan])) == (0.0, 1.0)
    lo, hi = levels(np.array([2.0, 2.0]))
    assert lo < 2.0 < hi
    a = b = np.linspace(-1, 1, 21)
    x, y = contour_lines(np.add.outer(a, 0 * b), a, b, count=3)     # z = a: vertical lines
    levels_hit = np.unique(np.round(x[np.isfinite(x)], 9))
    assert np.allclose(levels_hit, [-0.5, 0.0, 0.5], atol=1e-9)     # at the true levels, in plane units


def test_a_result_for_other_settings_is_not_drawn(view: LandscapeView) -> None:
    old = make_landscape(settings=view.settings())
    view.data.setCurrentIndex(1)                        # the user asked for the test loss meanwhile
    view.set_landscape(old)
    view.paint()
    assert view.paint_count == 0
    shown(view)
    assert view.paint_count == 1


def test_the_controls_ask_for_settings(qtbot, view: LandscapeView) -> None:
    with qtbot.waitSignal(view.settings_changed) as sig:
        view.grid.setCurrentIndex(GRID_SIZES.index(61))
    assert sig.args[0].n == 61 and sig.args[0].active
    with qtbot.waitSignal(view.settings_changed) as sig:
        view.range.setCurrentIndex(RANGES.index(0.5))
    assert sig.args[0].extent == 0.5
    view.mode.setCurrentIndex(1)                         # random directions
    assert view.action.text() == "New directions" and view.action.isVisible()
    seed = view.settings().seed
    with qtbot.waitSignal(view.settings_changed) as sig:
        view.action.click()
    assert sig.args[0].seed == seed + 1
    with qtbot.waitSignal(view.settings_changed) as sig:
        view.set_active(False)
    assert not sig.args[0].active


def test_picking_two_parameters(qtbot, view: LandscapeView) -> None:
    asked, marks = [], []
    view.pick_requested.connect(asked.append)
    view.marks_changed.connect(marks.append)
    view.mode.setCurrentIndex(2)
    assert view.action.text() == "Pick in graph" and view.action.isCheckable()
    view.action.click()
    assert asked == [True]
    view.add_pick(("weight", 0, 1, 0))
    view.add_pick(("weight", 0, 1, 0))                   # the same one again: still one
    assert view.picks() == (("weight", 0, 1, 0),)
    with qtbot.waitSignal(view.settings_changed) as sig:
        view.add_pick(("bias", 1, 0))
    assert asked == [True, False] and not view.action.isChecked()
    assert sig.args[0].mode == "params" and sig.args[0].params == (("weight", 0, 1, 0), ("bias", 1, 0))
    assert marks[-1] == (("weight", 0, 1, 0), ("bias", 1, 0))
    view.add_pick(("bias", 0, 2))                        # a third: the newest two are the axes
    assert view.picks() == (("bias", 1, 0), ("bias", 0, 2))
    view.mode.setCurrentIndex(0)
    assert marks[-1] == ()                               # other planes: no marks in the graph


def test_a_pick_switches_the_plane_to_two_parameters(view: LandscapeView) -> None:
    assert view.settings().mode == "pca"
    view.add_pick(("bias", 0, 1))
    assert view.settings().mode == "params" and view.settings().params == (("bias", 0, 1),)


def test_hover_reads_the_nearest_loss(qtbot, view: LandscapeView) -> None:
    r = shown(view)
    i, j = 7, 30
    assert view.plots.readout_at(r.a[i], r.b[j]) == (f"({r.a[i]:.3g}, {r.b[j]:.3g})  train loss {r.z[i, j]:.4g}")
    vb = view.plots.plane.getViewBox()
    view.plots._on_mouse_moved(vb.mapViewToScene(QPointF(r.a[i], r.b[j])))
    assert view.plots.readout.isVisible() and f"{r.z[i, j]:.4g}" in view.plots.readout.textItem.toPlainText()


def test_notes_for_a_missing_plane_and_the_layout_follows_the_width(qtbot, view: LandscapeView) -> None:
    r = make_landscape(settings=view.settings())
    empty = type(r)(**{**r.__dict__, "a": np.zeros(0), "b": np.zeros(0), "z": np.zeros((0, 0)),
                       "note": "Pick two parameters: press it.", "slice": None})
    view.set_landscape(empty)
    view.paint()
    assert view.note.text() == "Pick two parameters: press it." and not view.plots.image.isVisible()
    assert view.caption.text().startswith("No slice")
    assert view.plots._wide is False
    view.resize(900, 420)
    qtbot.waitUntil(lambda: view.plots._wide is True)


def test_settings_are_remembered_and_bad_ones_ignored(view: LandscapeView) -> None:
    view.mode.setCurrentIndex(1)
    view.log.setChecked(True)
    state = view.state()
    other = LandscapeView()
    other.restore(state)
    assert other.state() == state
    other.restore({"mode": 99, "grid": "x", "log": "yes"})
    assert other.state() == state
    assert isinstance(other.settings(), LandscapeSettings)


def test_export_writes_both_plots(tmp_path, view: LandscapeView) -> None:
    shown(view)
    png, svg = tmp_path / "l.png", tmp_path / "l.svg"
    view.export_png(str(png))
    view.export_svg(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = svg.read_text()
    assert "<svg" in text and "<image" in text           # the plane is embedded as a picture


@pytest.mark.parametrize("case, words", [
    ({"loss": [1.0, 0.9, 1.2], "batch": [1.0, 0.8, 1.1], "step_t": 2.0, "next": 1.2}, "overshoots"),
    ({"loss": [1.0, 0.9, 1.2], "batch": [1.0, 0.8, 0.7], "step_t": 2.0, "next": 1.2}, "pulls another way"),
    ({"loss": [1.0, 0.8, 0.9], "batch": [1.0, 0.8, 0.7], "step_t": 1.5, "next": 0.85}, "lands past the lowest point"),
    ({"loss": [1.0, 0.9, 0.8], "batch": [1.0, 0.9, 0.8], "step_t": 0.5, "next": 0.95}, "further on (at 2)"),
    ({"loss": [0.9, 1.0, 1.1], "batch": [1.0, 0.9, 0.8], "step_t": 0.5, "next": 0.95}, "already sit at the lowest"),
])
def test_the_words_under_the_slice(case: dict, words: str) -> None:
    from nnviz.core.learn.landscape import Slice
    r = make_landscape()
    sl = Slice(np.array([0.0, 1.0, 2.0]), np.array(case["loss"]), np.array(case["batch"]), case["step_t"],
               0.0, case["next"], 1.0)
    text = LandscapeView._slice_words(type(r)(**{**r.__dict__, "slice": sl, "loss": 1.0}))
    assert words in text and "1.0000 \u2192" in text
    tiny = LandscapeView._slice_words(type(r)(**{**r.__dict__, "slice": sl, "loss": 2.5e-6}))
    assert "2.5e-06 \u2192" in tiny
    off = Slice(sl.t, sl.loss, sl.batch_loss, sl.step_t, 0.42, sl.next_loss, 1.0)
    text = LandscapeView._slice_words(type(r)(**{**r.__dict__, "slice": off, "loss": 1.0, "optimizer": "adam"}))
    assert "42 % of the step's length leaves this line: adam" in text
