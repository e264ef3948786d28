"""Strokes drawn by hand: exactly the points asked for, exactly the points near the path,
and undo that gives back the data bit for bit (references: plain loops and copies)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import Config, Dataset, Trainer
from nnviz.core.data import strokes


def sets(t: Trainer) -> tuple[np.ndarray, ...]:
    return tuple(a.copy() for a in (t.train_x, t.train_y, t.test_x, t.test_y))


def assert_same(a: tuple, b: tuple) -> None:
    for u, v in zip(a, b):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert u.tobytes() == v.tobytes()           # bit for bit, -0.0 and all


def segment_distance(p, a, b) -> float:
    """Distance from p to the segment a-b, the textbook way, one point at a time."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def near_by_loops(points, path, radius) -> np.ndarray:
    pairs = list(zip(path[:-1], path[1:])) if len(path) > 1 else [(path[0], path[0])]
    return np.array([min(segment_distance(p, a, b) for a, b in pairs) <= radius for p in points])


def test_add_appends_exactly_the_points_with_their_labels():
    t = Trainer(Config(dataset="circle"))
    before = sets(t)
    w = [a.copy() for a in t.network.weights]
    xy = np.array([[1.25, -2.5], [0.1, 0.2], [-5.9, 5.9]])
    change = t.add_points(xy, [1.0, -1.0, 1.0])
    np.testing.assert_array_equal(t.train_x, np.vstack([before[0], xy]))
    np.testing.assert_array_equal(t.train_y, np.concatenate([before[1], [1.0, -1.0, 1.0]]))
    assert_same((t.test_x, t.test_y), before[2:])
    assert change.added == 3 and change.removed == 0 and change.words == "Draw 3 points"
    assert t.config.dataset == "custom" and t.n_classes == 2
    for a, b in zip(w, t.network.weights):            # the network keeps its weights
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("path", [[[0.3, 0.4]], [[-4.0, -4.0], [4.0, 3.0]],
                                  [[-5, 0], [-2, 3], [0, -1], [3, 2], [5, -4], [5, -4.5]]])
def test_erase_removes_exactly_the_points_within_the_radius_of_the_path(path):
    t = Trainer(Config(dataset="gauss", noise=30, n_points=3000))
    path = np.array(path, dtype=float)
    radius = 0.8
    train, test = sets(t)[:2], sets(t)[2:]
    far_tr = ~near_by_loops(train[0], path, radius)
    far_te = ~near_by_loops(test[0], path, radius)
    change = t.erase_along(path, radius)
    assert change.removed == (~far_tr).sum() + (~far_te).sum() > 0
    np.testing.assert_array_equal(t.train_x, train[0][far_tr])     # the others, in order
    np.testing.assert_array_equal(t.train_y, train[1][far_tr])
    np.testing.assert_array_equal(t.test_x, test[0][far_te])
    np.testing.assert_array_equal(t.test_y, test[1][far_te])


def test_near_path_matches_loops_on_random_paths():
    rng = np.random.default_rng(5)
    pts = rng.uniform(-6, 6, (2000, 2))
    for m in (1, 2, 7, 150):                     # 150 segments: more than one chunk
        path = np.cumsum(rng.normal(0, 1.0, (m, 2)), axis=0)
        r = rng.uniform(0.1, 1.5)
        got = strokes.near_path(pts, path, r)
        want = near_by_loops(pts, path, r)
        d = np.array([min(segment_distance(p, a, b) for a, b in
                          (zip(path[:-1], path[1:]) if m > 1 else [(path[0], path[0])])) for p in pts])
        sure = np.abs(d - r) > 1e-9              # rounding may decide a point on the rim
        np.testing.assert_array_equal(got[sure], want[sure])


def test_undo_restores_the_data_and_settings_bit_for_bit_and_redo_repeats():
    t = Trainer(Config(dataset="spiral", noise=20, n_points=1000, seed=3))
    config0, data0, fp0 = t.config, sets(t), strokes.fingerprint(*t._sets())
    c1 = t.add_points(np.array([[1.0, 1.0], [2.0, -3.0]]), [1.0, 1.0])
    data1 = sets(t)
    c2 = t.erase_along(np.array([[-3.0, 0.0], [3.0, 0.5]]), 1.0)
    data2 = sets(t)
    c3 = t.clear_points()
    assert len(t.train_x) == len(t.test_x) == 0
    t.replay_stroke(c3, undo=True)
    assert_same(sets(t), data2)
    t.replay_stroke(c2, undo=True)
    assert_same(sets(t), data1)
    t.replay_stroke(c1, undo=True)
    assert_same(sets(t), data0)
    assert strokes.fingerprint(*t._sets()) == fp0
    assert t.config == config0 and t.config.dataset == "spiral"     # the generated set again
    t.replay_stroke(c1, undo=False)
    t.replay_stroke(c2, undo=False)
    assert_same(sets(t), data2)
    assert t.config.dataset == "custom"


def test_undo_of_changed_data_is_refused_and_changes_nothing():
    t = Trainer(Config(dataset="xor"))
    change = t.add_points([[0.5, 0.5]], [-1.0])
    t.set_data(Dataset(t.train_x[:-5], t.train_y[:-5], 2), Dataset(t.test_x, t.test_y, 2))
    now, config = sets(t), t.config
    with pytest.raises(ValueError, match="changed since"):
        t.replay_stroke(change, undo=True)
    assert_same(sets(t), now)
    assert t.config == config


def test_multi_class_and_regression_strokes():
    t = Trainer(Config(dataset="blobs", n_classes=4))
    t.add_points([[0, 0], [1, 1]], [3, 0])
    assert t.train_y[-2:].tolist() == [3.0, 0.0] and t.config.custom_classes == 4
    with pytest.raises(ValueError, match="does not fit 4 classes"):
        t.add_points([[0, 0]], [4])
    r = Trainer(Config(dataset="reg-plane"))
    r.add_points([[1, 2]], [0.37])
    assert r.train_y[-1] == 0.37 and r.config.dataset == "custom-regression"


@pytest.mark.parametrize("xy,label", [([[math.nan, 0]], [1.0]), ([[0, 0]], [0.5]), ([[0, 0]], [math.inf]),
                                      ([[2e6, 0]], [1.0]), ([[0, 0], [1, 1]], [1.0])])
def test_bad_points_are_refused_before_anything_changes(xy, label):
    t = Trainer(Config())
    before, config = sets(t), t.config
    with pytest.raises(ValueError):
        t.add_points(xy, label)
    assert_same(sets(t), before)
    assert t.config == config


def test_an_eraser_that_misses_changes_nothing():
    t = Trainer(Config(dataset="gauss"))
    t.clear_points()
    assert t.erase_along([[0, 0]], 3.0) is None and t.clear_points() is None
