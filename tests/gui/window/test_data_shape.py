"""The data's shape set in the DATA controls: the points the worker then trains on are
what the controls say (counts, balance, flipped labels, outliers), seeded."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.window import act_and_wait, open_window
from nnviz.core.config import Config
from nnviz.core.data.datasets import make_data
from nnviz.gui.controls.data import POINT_STEPS


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(dataset="gauss", seed=4))
    yield w
    w.close()


def everything(snap) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([snap.train_x, snap.test_x]), np.concatenate([snap.train_y, snap.test_y])


def slide(qtbot, w, slider, value, cond):
    return act_and_wait(qtbot, w, lambda: slider.slider.setValue(value), cond, timeout=20_000)


def test_points_balance_label_noise_and_outliers_do_what_they_say(qtbot, window):
    w = window
    data = w.controls.data
    assert data.points.label.text() == "500" and data.balance.label.text() == "50%"
    snap = slide(qtbot, w, data.points, POINT_STEPS.index(2000), lambda s: s.config.n_points == 2000)
    x, y = everything(snap)
    assert len(x) == 2000 and len(snap.train_x) == 1000 and snap.epoch == 0
    snap = slide(qtbot, w, data.balance, 30, lambda s: s.config.class_balance == 30)
    x, y = everything(snap)
    assert (y > 0).sum() == 600 and (y < 0).sum() == 1400
    clean = x.copy(), y.copy()
    snap = slide(qtbot, w, data.label_noise, 10, lambda s: s.config.label_noise == 10)
    x, y = everything(snap)
    np.testing.assert_array_equal(x, clean[0])                  # the same points...
    assert (y != clean[1]).sum() == 200                          # ...10 % of them relabelled
    snap = slide(qtbot, w, data.outliers, 5, lambda s: s.config.outliers == 5)
    x2, y2 = everything(snap)
    assert np.any(x2 != x, axis=1).sum() == 100 and np.array_equal(y2, y)
    # exactly what the core makes for these settings with this seed
    train, test = make_data("gauss", 0, 50, 4, points=2000, balance=30, flipped=10, outliers=5)
    np.testing.assert_array_equal(snap.train_x, train.x)
    np.testing.assert_array_equal(snap.test_y, test.y)


def test_the_own_count_is_the_default_and_regression_has_no_classes_to_shape(qtbot, window):
    w = window
    data = w.controls.data
    slide(qtbot, w, data.points, POINT_STEPS.index(3000), lambda s: s.config.n_points == 3000)
    snap = slide(qtbot, w, data.points, POINT_STEPS.index(500), lambda s: s.config.n_points == 0)
    assert len(snap.train_x) + len(snap.test_x) == 500
    act_and_wait(qtbot, w, lambda: data.problem_buttons["regression"].click(),
                 lambda s: s.config.problem == "regression")
    assert data.points.label.text() == "1,200"
    assert not data.balance.isEnabled() and not data.label_noise.isEnabled() and data.outliers.isEnabled()


def test_seeded_and_drawn_data_have_no_shape_controls(qtbot, window):
    w = window
    data = w.controls.data
    first = slide(qtbot, w, data.label_noise, 20, lambda s: s.config.label_noise == 20)
    other = act_and_wait(qtbot, w, lambda: data.seed.setValue(5), lambda s: s.config.seed == 5)
    back = act_and_wait(qtbot, w, lambda: data.seed.setValue(4), lambda s: s.config.seed == 4)
    assert not np.array_equal(everything(other)[1], everything(first)[1])
    for a, b in zip(everything(first), everything(back)):
        np.testing.assert_array_equal(a, b)
    act_and_wait(qtbot, w, lambda: w.points_add_requested.emit(0.0, 0.0, 1.0), lambda s: s.config.dataset == "custom")
    qtbot.waitUntil(lambda: not data.points.isEnabled(), timeout=2_000)
    assert not any(s.isEnabled() for s in (data.balance, data.label_noise, data.outliers))
