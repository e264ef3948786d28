"""Drawing on the surface alone (no worker): the requests are exactly the points and
paths the mouse made, in data units read off the plot's own axes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.surface import SurfaceView
from nnviz.gui.views.surface.drawing import SPACING_PX


@pytest.fixture
def view(qtbot):
    v = SurfaceView()
    qtbot.addWidget(v)
    v.resize(520, 560)
    v.set_snapshot(make_snapshot(n_classes=2))
    v.paint()
    v.show()
    qtbot.waitExposed(v)
    vb = v.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: abs(vb.viewRange()[0][0] + 6) < 0.01)   # the plot has found its square
    return v


def pixel(view: SurfaceView, x: float, y: float) -> QPoint:
    """The viewport pixel nearest to data (x, y)."""
    vb = view.plot.getPlotItem().getViewBox()
    return view.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def data_at(view: SurfaceView, p: QPoint) -> np.ndarray:
    """Data coordinates of a viewport pixel: a straight line per axis through the scene
    places of the square's corners (-6, -6) and (6, 6); y grows upwards."""
    vb = view.plot.getPlotItem().getViewBox()
    s = view.plot.viewportTransform().inverted()[0].map(QPointF(p))
    lo, hi = vb.mapViewToScene(QPointF(-6, -6)), vb.mapViewToScene(QPointF(6, 6))
    return np.array([-6 + 12 * (s.x() - lo.x()) / (hi.x() - lo.x()),
                     -6 + 12 * (s.y() - lo.y()) / (hi.y() - lo.y())])


def test_nothing_is_requested_unless_drawing(qtbot, view):
    vp = view.plot.viewport()
    with qtbot.assertNotEmitted(view.points_add_requested), qtbot.assertNotEmitted(view.points_erase_requested):
        qtbot.mouseClick(vp, Qt.LeftButton, pos=pixel(view, 1, 2))
        qtbot.mouseClick(vp, Qt.RightButton, pos=pixel(view, 1, 2))
    assert not view.drawing()


@pytest.mark.parametrize("label", [1.0, -1.0])
def test_a_click_adds_exactly_the_clicked_point_with_the_chosen_label(qtbot, view, label):
    view.bar.draw.click()
    assert view.drawing()
    view.bar.choose(label)
    p = pixel(view, 2.0, -3.0)
    with qtbot.waitSignal(view.points_add_requested) as got:
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=p)
    xy, labels = got.args
    assert xy.shape == (1, 2) and labels.tolist() == [label]
    np.testing.assert_allclose(xy[0], data_at(view, p), atol=1e-9)
    np.testing.assert_allclose(xy[0], [2.0, -3.0], atol=0.05)       # within a pixel of the aim


def test_a_drag_paints_evenly_spaced_points_along_the_path(qtbot, view):
    view.set_drawing(True)
    vp = view.plot.viewport()
    a = pixel(view, -4.0, -2.0)
    b = a + QPoint(320, -160)                     # moves along a line of whole pixels
    with qtbot.waitSignal(view.points_add_requested) as got:
        qtbot.mousePress(vp, Qt.LeftButton, pos=a)
        for k in range(1, 9):                     # a few coarse moves: the tool fills in
            qtbot.mouseMove(vp, a + QPoint(40 * k, -20 * k))
        qtbot.mouseRelease(vp, Qt.LeftButton, pos=b)
    xy, labels = got.args
    start, end = data_at(view, a), data_at(view, b)
    step = SPACING_PX * view.plot.getPlotItem().getViewBox().viewPixelSize()[0]
    n = int(np.floor(np.linalg.norm(end - start) / step + 1e-9)) + 1
    want = start + np.outer(np.arange(n) * step, (end - start) / np.linalg.norm(end - start))
    assert len(xy) == n > 10
    np.testing.assert_allclose(xy, want, atol=1e-9)
    assert np.all(labels == 1.0)


@pytest.mark.parametrize("how", ["right", "shift"])
def test_an_erase_stroke_sends_the_mouse_path_and_the_radius(qtbot, view, how):
    view.set_drawing(True)
    view.erase_radius = 0.9
    vp = view.plot.viewport()
    button, mods = (Qt.RightButton, Qt.NoModifier) if how == "right" else (Qt.LeftButton, Qt.ShiftModifier)
    path = [pixel(view, x, y) for x, y in ((-3, 0), (-1, 1), (1, -1), (3, 0))]
    with qtbot.assertNotEmitted(view.points_add_requested):
        with qtbot.waitSignal(view.points_erase_requested) as got:
            qtbot.mousePress(vp, button, mods, pos=path[0])
            for p in path[1:]:
                qtbot.mouseMove(vp, p)
            qtbot.mouseRelease(vp, button, mods, pos=path[-1])
    sent, radius = got.args
    np.testing.assert_allclose(sent, [data_at(view, p) for p in path], atol=1e-9)
    assert radius == 0.9


def test_the_stroke_stays_shown_until_its_data_arrive(qtbot, view):
    view.set_drawing(True)
    snap = view._snap
    with qtbot.waitSignal(view.points_add_requested) as got:
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=pixel(view, 1, 1))
    assert len(view.tool.pending.data) == 1
    view.set_snapshot(dataclasses.replace(snap, seq=snap.seq + 1))      # training went on
    view.paint()
    assert len(view.tool.pending.data) == 1
    xy, labels = got.args
    view.set_snapshot(dataclasses.replace(snap, seq=snap.seq + 2, train_x=np.vstack([snap.train_x, xy]),
                                          train_y=np.concatenate([snap.train_y, labels])))
    view.paint()
    assert len(view.tool.pending.data) == 0


def test_classes_and_targets_to_paint(qtbot, view):
    view.set_drawing(True)
    view.set_snapshot(make_snapshot(n_classes=4))
    assert [b.text() for b in view.bar.group.buttons()] == ["0", "1", "2", "3"]
    view.bar.choose(3)
    with qtbot.waitSignal(view.points_add_requested) as got:
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=pixel(view, 0, 0))
    assert got.args[1].tolist() == [3.0]
    view.set_snapshot(make_snapshot(n_classes=0))
    assert view.bar.group.buttons() == [] and view.bar.target.isVisibleTo(view)
    view.bar.target.setValue(-0.35)
    with qtbot.waitSignal(view.points_add_requested) as got:
        qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, pos=pixel(view, 0, 0))
    assert got.args[1].tolist() == [-0.35]


def test_wheel_sizes_the_eraser_and_clear_asks(qtbot, view):
    view.set_drawing(True)
    r = view.erase_radius
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    pos = QPointF(pixel(view, 0, 0))
    ev = QWheelEvent(pos, QPointF(view.plot.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 240),
                     Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.plot.viewport(), ev)
    assert view.erase_radius == pytest.approx(r * 1.15 ** 2)
    assert view.tool.ring.isVisible()
    with qtbot.waitSignal(view.points_clear_requested):
        view.bar.clear.click()


def test_the_read_out_goes_when_the_mouse_leaves(qtbot, view):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication
    view._on_mouse_moved(view.plot.getPlotItem().getViewBox().mapViewToScene(QPointF(1, 1)))
    assert view.hover_label.isVisible()
    QApplication.sendEvent(view.plot.viewport(), QEvent(QEvent.Leave))
    assert not view.hover_label.isVisible()


def test_a_narrow_panel_shortens_the_hint_with_an_ellipsis(qtbot, view):
    view.set_drawing(True)
    view.resize(380, 400)
    qtbot.waitUntil(lambda: view.bar.hint.text().endswith("\u2026"))
    assert view.bar.hint.full_text.startswith(view.bar.hint.text()[:-1])
