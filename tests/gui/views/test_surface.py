"""SurfaceView: the picture shown is the Snapshot's grid, points and modes do what they say."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.core.snapshot import GRID, GRID_AXIS
from nnviz.gui.style import palette
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.surface import SurfaceView


@pytest.fixture
def view(qtbot):
    v = SurfaceView()
    qtbot.addWidget(v)
    v.resize(500, 500)
    return v


def painted(view: SurfaceView, snap) -> SurfaceView:
    view.set_snapshot(snap)
    view.paint()
    return view


def test_image_is_output_grid_with_y_up(view):
    snap = make_snapshot(n_classes=2)
    painted(view, snap)
    np.testing.assert_array_equal(view.image.image, snap.grid[-1][0])
    assert view.image.image.shape == (GRID, GRID)
    # pixel (ix, iy) sits at (GRID_AXIS[ix], GRID_AXIS[iy]): iy = 0 is the bottom row, y = -6
    vb = view.plot.getPlotItem().getViewBox()
    assert not vb.yInverted()
    for ix, iy in ((0, 0), (10, 80), (99, 3)):
        p = view.image.mapToParent(QPointF(ix + 0.5, iy + 0.5))
        assert p.x() == pytest.approx(GRID_AXIS[ix], abs=1e-6)
        assert p.y() == pytest.approx(GRID_AXIS[iy], abs=1e-6)
    levels = np.asarray(view.image.getLevels(), dtype=float)
    np.testing.assert_allclose(levels, [-1.0, 1.0])
    np.testing.assert_array_equal(view.image.lut, palette.LUT)


@pytest.mark.parametrize("k", [2, 0])
def test_discretize_gives_only_plus_minus_one(view, k):
    snap = make_snapshot(n_classes=k)
    view.set_discretize(True)
    painted(view, snap)
    values = np.unique(view.image.image)
    assert set(values.tolist()) == {-1.0, 1.0}
    expected = np.where(snap.grid[-1][0] >= 0, 1.0, -1.0)
    np.testing.assert_array_equal(view.image.image, expected)
    view.set_discretize(False)
    view.paint()
    np.testing.assert_array_equal(view.image.image, snap.grid[-1][0])


def test_show_test_toggles_test_points(view):
    snap = make_snapshot(n_classes=2)
    painted(view, snap)
    assert len(view.train_scatter.data) == len(snap.train_x)
    assert len(view.test_scatter.data) == 0
    view.set_show_test(True)
    view.paint()
    assert len(view.test_scatter.data) == len(snap.test_x)
    x, y = view.test_scatter.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), snap.test_x)
    pen = view.test_scatter.opts["pen"].color()
    assert (pen.red(), pen.green(), pen.blue()) == palette.TEST_OUTLINE
    view.set_show_test(False)
    view.paint()
    assert len(view.test_scatter.data) == 0


def test_point_colours_follow_labels(view):
    snap = make_snapshot(n_classes=2)
    painted(view, snap)
    brushes = view.train_scatter.data["brush"]
    for brush, label in zip(brushes[:40], snap.train_y[:40]):
        c = brush.color()
        assert (c.red(), c.green(), c.blue()) == (palette.BLUE if label > 0 else palette.ORANGE)
    pen = view.train_scatter.opts["pen"].color()
    assert (pen.red(), pen.green(), pen.blue()) == palette.TRAIN_OUTLINE


def test_batch_highlight_marks_exactly_the_last_batch(view):
    snap = make_snapshot(n_classes=2, last_batch=7)
    painted(view, snap)
    assert len(view.highlight_scatter.data) == len(snap.last_batch) == 7
    x, y = view.highlight_scatter.getData()
    got = np.column_stack([x, y])
    want = snap.train_x[snap.last_batch]
    np.testing.assert_allclose(got[np.lexsort(got.T)], want[np.lexsort(want.T)])
    view.set_highlight_batch(False)
    view.paint()
    assert len(view.highlight_scatter.data) == 0
    view.set_highlight_batch(True)
    view.paint()
    empty = dataclasses.replace(snap, last_batch=np.empty(0, dtype=np.int64), seq=snap.seq + 1)
    painted(view, empty)
    assert len(view.highlight_scatter.data) == 0


def test_points_carried_into_the_next_update_get_a_dashed_ring(view):
    """The Playground's leftover: not applied yet, so not the filled batch ring."""
    snap = make_snapshot(n_classes=2, last_batch=10, carried=4)
    painted(view, snap)
    x, y = view.carried_scatter.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), snap.train_x[snap.carried])
    assert len(view.highlight_scatter.data) == 10
    assert view.carried_scatter.opts["pen"].style() == Qt.DashLine
    painted(view, dataclasses.replace(snap, playing=True, seq=snap.seq + 1))   # no rings while playing
    assert len(view.carried_scatter.data) == 0 and len(view.highlight_scatter.data) == 0


def test_three_classes_give_rgb_image(view):
    snap = make_snapshot(n_classes=3)
    painted(view, snap)
    img = view.image.image
    assert img.shape == (GRID, GRID, 3) and img.dtype == np.uint8
    np.testing.assert_array_equal(img, palette.class_image(snap.grid[-1]))
    assert view.image.lut is None
    brushes = view.train_scatter.data["brush"]
    c = brushes[0].color()
    assert (c.red(), c.green(), c.blue()) == palette.CLASS_COLOURS[int(snap.train_y[0])]
    # and back to a scalar picture for a two-class snapshot
    painted(view, make_snapshot(n_classes=2, seq=9))
    assert view.image.image.ndim == 2


def test_neuron_view_switches_and_back(view):
    snap = make_snapshot(n_classes=2, hidden=(4, 3))
    painted(view, snap)
    view.show_neuron(1, 2)
    view.paint()
    np.testing.assert_array_equal(view.image.image, snap.grid[1][2])
    assert "neuron 3" in view.plot.getPlotItem().titleLabel.text
    view.show_neuron(0, 1)          # an input feature is scaled to fill the colour range
    view.paint()
    np.testing.assert_allclose(view.image.image, snap.grid[0][1] / np.abs(snap.grid[0][1]).max())
    view.show_neuron(1, None)
    view.paint()
    np.testing.assert_array_equal(view.image.image, snap.grid[-1][0])
    view.show_neuron(5, 0)          # no such layer (the network changed): the output again
    view.paint()
    np.testing.assert_array_equal(view.image.image, snap.grid[-1][0])


def test_paint_is_a_no_op_without_changes(view):
    snap = make_snapshot(n_classes=2)
    painted(view, snap)
    assert view.paint_count == 1
    view.paint()
    view.set_snapshot(snap)
    view.paint()
    view.set_discretize(False)
    view.paint()
    assert view.paint_count == 1
    # a new snapshot with equal point arrays repaints the image but keeps the scatter data
    data_before = view.train_scatter.data
    copy = dataclasses.replace(snap, train_x=snap.train_x.copy(), train_y=snap.train_y.copy(), seq=2)
    painted(view, copy)
    assert view.paint_count == 2
    assert view.train_scatter.data is data_before


def test_hover_text_reads_the_picture(view):
    snap = make_snapshot(n_classes=2)
    painted(view, snap)
    ix, iy = 70, 20
    text = view.hover_text(float(GRID_AXIS[ix]), float(GRID_AXIS[iy]))
    assert f"out {snap.grid[-1][0][iy, ix]:.3f}" in text
    assert f"x {GRID_AXIS[ix]:.2f}" in text and f"y {GRID_AXIS[iy]:.2f}" in text


def test_export_png_and_svg(view, tmp_path):
    painted(view, make_snapshot(n_classes=2))
    png, svg = tmp_path / "surface.png", tmp_path / "surface.svg"
    view.export_png(str(png))
    view.export_svg(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert b"<svg" in svg.read_bytes()[:400]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["surface.png", "surface.svg"]  # no temp files left


@pytest.mark.parametrize("size", [(900, 320), (320, 700), (500, 500)])
def test_plot_stays_a_square_on_the_data_in_any_panel_shape(qtbot, size):
    """A wide or tall panel does not stretch the axes past the data square: the plot is
    kept square and centred, so both axes show [-6, 6]."""
    v = SurfaceView()
    qtbot.addWidget(v)
    v.resize(*size)
    v.show()
    qtbot.waitExposed(v)
    vb = v.plot.getPlotItem().getViewBox()

    def square() -> bool:
        (x0, x1), (y0, y1) = vb.viewRange()
        return max(abs(x0 + 6), abs(x1 - 6), abs(y0 + 6), abs(y1 - 6)) < 0.2

    qtbot.waitUntil(square)
    rect = vb.sceneBoundingRect()
    assert rect.width() == pytest.approx(rect.height(), abs=3)
    centre, holder = v.plot.geometry().center(), v.plot.parentWidget()   # under the drawing row
    assert centre.x() == pytest.approx(holder.width() / 2, abs=2)
    assert centre.y() == pytest.approx(holder.height() / 2, abs=2)
