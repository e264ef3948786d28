"""Drawing points through the real window and worker: real mouse events on the surface,
the data the worker then holds, and undo through the window's undo stack."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from helpers.window import act_and_wait, open_window, pause
from nnviz.core.config import Config
from nnviz.gui.window.stroke_undo import StrokeEdit

DATA = ("train_x", "train_y", "test_x", "test_y")


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(dataset="circle", seed=2))
    vb = w.surface.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: abs(vb.viewRange()[0][0] + 6) < 0.01 and w.painted_seq == w.latest.seq)
    yield w
    w.close()


def data_of(snap) -> tuple[bytes, ...]:
    return tuple(getattr(snap, name).tobytes() for name in DATA)


def pixel(w, x: float, y: float) -> QPoint:
    vb = w.surface.plot.getPlotItem().getViewBox()
    return w.surface.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def draw(qtbot, w, points, button=Qt.LeftButton):
    """Press at the first data point, move through the others, release at the last; returns
    the request the surface sent and the Snapshot with its result (its undo step pushed)."""
    vp = w.surface.plot.viewport()
    signal = w.surface.points_erase_requested if button == Qt.RightButton else w.surface.points_add_requested
    before, index = data_of(w.latest), w.undo_stack.index()
    with qtbot.waitSignal(signal) as sent:
        QTest.mousePress(vp, button, Qt.NoModifier, pixel(w, *points[0]))
        for p in points[1:]:
            QTest.mouseMove(vp, pixel(w, *p))
        QTest.mouseRelease(vp, button, Qt.NoModifier, pixel(w, *points[-1]))
    qtbot.waitUntil(lambda: data_of(w.latest) != before and w.undo_stack.index() == index + 1, timeout=10_000)
    return sent.args, w.latest


def near(points: np.ndarray, path: np.ndarray, r: float) -> np.ndarray:
    """Within r of the polyline, one point and one segment at a time."""
    def dist(p, a, b):
        d = b - a
        t = 0.0 if not d.any() else min(1.0, max(0.0, float(np.dot(p - a, d) / np.dot(d, d))))
        return math.hypot(*(p - a - t * d))
    segs = list(zip(path[:-1], path[1:])) or [(path[0], path[0])]
    return np.array([min(dist(p, a, b) for a, b in segs) <= r for p in points], dtype=bool)


def test_p_turns_drawing_on_and_the_row_follows(qtbot, window):
    w = window
    w.activateWindow()
    w.actions["draw"].trigger()
    assert w.surface.drawing() and w.surface.bar.draw.isChecked()
    w.surface.bar.draw.click()
    assert not w.surface.drawing() and not w.actions["draw"].isChecked()
    assert w.actions["draw"].shortcut().toString() == "P"


@pytest.mark.parametrize("label", [1.0, -1.0])
def test_a_click_adds_exactly_that_point_with_the_chosen_label(qtbot, window, label):
    w = window
    w.actions["draw"].trigger()
    w.surface.bar.choose(label)
    before = w.latest
    (xy, labels), snap = draw(qtbot, w, [(2.5, -1.5)])
    assert len(snap.train_x) == len(before.train_x) + 1
    np.testing.assert_array_equal(snap.train_x[:-1], before.train_x)
    assert snap.train_x[-1].tolist() == xy[0].tolist() and snap.train_y[-1] == label
    assert abs(xy[0][0] - 2.5) < 0.05 and abs(xy[0][1] + 1.5) < 0.05
    assert data_of(snap)[2:] == data_of(before)[2:]               # the test set is untouched
    assert snap.config.dataset == "custom" and w.controls.config().dataset == "custom"


def test_a_drag_adds_the_painted_points_as_one_undo_step(qtbot, window):
    w = window
    w.actions["draw"].trigger()
    before = w.latest
    (xy, labels), snap = draw(qtbot, w, [(-5, 5), (-3, 4), (-1, 5), (1, 4)])
    assert len(xy) > 5
    np.testing.assert_array_equal(snap.train_x, np.vstack([before.train_x, xy]))
    np.testing.assert_array_equal(snap.train_y, np.concatenate([before.train_y, labels]))
    assert np.all(labels == 1.0)
    assert w.undo_stack.count() == 1 and isinstance(w.undo_stack.command(0), StrokeEdit)
    assert w.undo_stack.text(0) == f"Draw {len(xy)} points"


def test_erasing_removes_exactly_the_points_within_the_radius(qtbot, window):
    w = window
    w.actions["draw"].trigger()
    w.surface.erase_radius = 1.1
    before = w.latest
    (path, radius), snap = draw(qtbot, w, [(-4, -1), (-1, 0.5), (2, -0.5), (4, 1)], Qt.RightButton)
    assert radius == 1.1
    for x, y in (("train_x", "train_y"), ("test_x", "test_y")):
        gone = near(getattr(before, x), path, radius)
        assert gone.any()
        np.testing.assert_array_equal(getattr(snap, x), getattr(before, x)[~gone])
        np.testing.assert_array_equal(getattr(snap, y), getattr(before, y)[~gone])


def test_undo_restores_the_data_bit_for_bit_and_redo_the_strokes(qtbot, window):
    w = window
    w.actions["draw"].trigger()
    original = w.latest
    _, one = draw(qtbot, w, [(3, 3), (4, 4), (5, 3)])
    _, two = draw(qtbot, w, [(-2, -2), (2, 2)], Qt.RightButton)
    w.surface.bar.choose(-1.0)
    _, three = draw(qtbot, w, [(0, -5)])
    assert w.undo_stack.count() == 3
    for expected in (two, one, original):
        snap = act_and_wait(qtbot, w, lambda: QTest.keyClick(w, Qt.Key_Z, Qt.ControlModifier),
                            lambda s, e=expected: data_of(s) == data_of(e))
        assert data_of(snap) == data_of(expected)
    assert snap.config.dataset == "circle" and snap.config == original.config   # the generated circle again
    qtbot.waitUntil(lambda: w.controls.config().dataset == "circle", timeout=2_000)
    for expected in (one, two, three):
        snap = act_and_wait(qtbot, w, lambda: QTest.keyClick(w, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier),
                            lambda s, e=expected: data_of(s) == data_of(e))
    assert snap.config.dataset == "custom"


def test_training_goes_on_while_drawing(qtbot, window):
    w = window
    w.actions["draw"].trigger()
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing and s.epoch > 5, timeout=20_000)
    epoch = w.latest.epoch
    (xy, _), snap = draw(qtbot, w, [(-5, -5), (-4, -5), (-3, -5)])
    qtbot.waitUntil(lambda: w.latest.epoch > epoch + 5 and w.latest.playing, timeout=20_000)
    np.testing.assert_array_equal(w.latest.train_x[-len(xy):], xy)
    pause(qtbot, w)


def test_a_hand_drawn_data_set_is_learned(qtbot, window):
    """Clear, draw two classes by hand (a blue disc in an orange ring), train: the network
    separates what was drawn."""
    w = window
    w.actions["draw"].trigger()
    act_and_wait(qtbot, w, w.surface.bar.clear.click, lambda s: len(s.train_x) == len(s.test_x) == 0)
    ring = [(4.5 * math.cos(a), 4.5 * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 40)]
    w.surface.bar.choose(-1.0)
    draw(qtbot, w, ring)
    w.surface.bar.choose(1.0)
    for r in (0.6, 1.4):
        draw(qtbot, w, [(r * math.cos(a), r * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 16)])
    snap = w.latest
    assert set(snap.train_y.tolist()) == {-1.0, 1.0} and len(snap.train_x) > 40
    assert w.undo_stack.count() == 4            # Clear and three strokes
    snap = act_and_wait(qtbot, w, w.toggle_play, lambda s: s.epoch >= 300, timeout=60_000)
    pause(qtbot, w)
    assert w.latest.train_accuracy == 1.0
