"""Tests for nnviz.core.data.datasets: the generators, Dataset, split and class_index."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core.config import CUSTOM, DATASETS
from nnviz.core.data.datasets import (
    Dataset,
    blob_centres,
    checker_label,
    class_index,
    generate,
    make_data,
    reg_gauss_target,
    split,
)

GENERATED = [n for n in DATASETS if n not in CUSTOM]
# name -> (points, label set); blobs are checked per class count below.
EXPECTED = {
    "circle": (500, {-1.0, 1.0}), "xor": (500, {-1.0, 1.0}), "gauss": (500, {-1.0, 1.0}),
    "spiral": (500, {-1.0, 1.0}), "moons": (500, {-1.0, 1.0}),
    "checkerboard": (500, {-1.0, 1.0}), "spiral3": (501, {0.0, 1.0, 2.0}),
    "reg-plane": (1200, None), "reg-gauss": (1200, None),
}


def gen(name: str, noise: float, seed: int = 0, k: int = 3) -> Dataset:
    return generate(name, noise, np.random.default_rng(seed), k)


def radii(p: np.ndarray) -> np.ndarray:
    return np.hypot(p[:, 0], p[:, 1])


# -- every generator --------------------------------------------------------------------
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_size_labels_range(name: str, noise: float) -> None:
    d = gen(name, noise, seed=3)
    n, labels = EXPECTED[name]
    assert len(d) == n and d.x.shape == (n, 2) and d.y.shape == (n,)
    assert d.x.dtype == np.float64 and d.y.dtype == np.float64
    assert d.n_classes == (DATASETS[name][1])
    assert np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))
    if labels is not None:
        assert set(np.unique(d.y).tolist()) == labels
    if name in ("gauss", "spiral", "moons", "spiral3") or name == "circle" and noise == 0:
        counts = np.unique(d.y, return_counts=True)[1]   # labels given per half / arm
        assert counts.tolist() == [n // len(labels)] * len(labels)
    if name != "gauss" or noise == 0.0:   # gauss, as in the Playground, is not clipped
        assert np.abs(d.x).max() <= 6.0


@pytest.mark.parametrize("k", [3, 4, 5])
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_blobs_size_labels_range(k: int, noise: float) -> None:
    d = gen("blobs", noise, seed=1, k=k)
    assert len(d) == 500 and d.n_classes == k
    labels, counts = np.unique(d.y, return_counts=True)
    assert labels.tolist() == list(range(k))
    assert counts.sum() == 500 and counts.max() - counts.min() <= 1
    assert np.abs(d.x).max() <= 6.0


@pytest.mark.parametrize("name", GENERATED)
def test_deterministic_for_a_seed(name: str) -> None:
    a, b, c = gen(name, 0.3, seed=42), gen(name, 0.3, seed=42), gen(name, 0.3, seed=43)
    assert a.x.tobytes() == b.x.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert a.n_classes == b.n_classes
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", GENERATED)
def test_output_is_shuffled(name: str) -> None:
    """The split takes the first points, so classes must be mixed through the array."""
    d = gen(name, 0.0, seed=5)
    if d.n_classes:
        first = d.y[: len(d) // 4]
        assert len(np.unique(first)) == d.n_classes
    else:   # regression points come from U(-6, 6) anyway; the order still changes
        assert not np.array_equal(d.x, np.sort(d.x, axis=0))


def test_unknown_name_bad_noise_and_bad_classes_are_refused() -> None:
    rng = np.random.default_rng(0)
    for name in ("custom", "custom-regression", "nope"):
        with pytest.raises(ValueError, match="no generator"):
            generate(name, 0.1, rng)
    for noise in (-0.01, 0.51, 20, math.nan):
        with pytest.raises(ValueError, match="fraction"):
            generate("circle", noise, rng)
    for k in (2, 6):
        with pytest.raises(ValueError, match="3..5"):
            generate("blobs", 0.1, rng, k)


# -- noise semantics --------------------------------------------------------------------
def test_circle_noise_flips_labels_not_points() -> None:
    clean = gen("circle", 0.0, seed=7)
    assert np.array_equal(clean.y, np.where(radii(clean.x) < 2.5, 1.0, -1.0))
    noisy = gen("circle", 0.5, seed=7)
    r = radii(noisy.x)
    # the points still obey the ring rule: 250 in r < 2.5, 250 in 3.5 <= r <= 5
    assert np.sum(r < 2.5) == 250 and np.sum((r >= 3.5 - 1e-12) & (r <= 5 + 1e-12)) == 250
    disagree = np.mean(noisy.y != np.where(r < 2.5, 1.0, -1.0))
    assert disagree > 0.05


def test_xor_padding_and_noise() -> None:
    clean = gen("xor", 0.0, seed=8)
    x, y = clean.x[:, 0], clean.x[:, 1]
    assert np.abs(clean.x).min() >= 0.3 and np.abs(clean.x).max() <= 5.3
    assert np.array_equal(clean.y, np.where(x * y >= 0, 1.0, -1.0))
    noisy = gen("xor", 0.5, seed=8)
    assert np.abs(noisy.x).min() >= 0.3 and np.abs(noisy.x).max() <= 5.3
    rule = np.where(noisy.x[:, 0] * noisy.x[:, 1] >= 0, 1.0, -1.0)
    assert np.mean(noisy.y != rule) > 0.05


def test_spiral_lies_on_the_curve_without_noise() -> None:
    clean = gen("spiral", 0.0, seed=9)
    expected = np.repeat(np.arange(250) / 250 * 5.0, 2)       # each radius on both arms
    assert np.allclose(np.sort(radii(clean.x)), expected, atol=1e-12, rtol=0)
    # the angle follows t = 1.75 * 2 pi * r / 5 (+ pi for the -1 arm)
    i = np.rint(radii(clean.x) / 5.0 * 250)
    t = 1.75 * i / 250 * 2 * math.pi + np.where(clean.y > 0, 0.0, math.pi)
    r = i / 250 * 5.0
    assert np.allclose(clean.x, np.column_stack((r * np.sin(t), r * np.cos(t))), atol=1e-12)
    # same seed, noise 0.5: the same draws, so each point moves by U(-1, 1) * 0.5 only
    noisy = gen("spiral", 0.5, seed=9)
    assert np.array_equal(noisy.y, clean.y)
    shift = np.abs(noisy.x - clean.x)
    assert shift.max() <= 0.5 and shift.mean() > 0.2   # U(0, 0.5) has mean 0.25
    assert not np.allclose(np.sort(radii(noisy.x)), expected, atol=1e-3)


def test_spiral3_three_arms_on_the_curve() -> None:
    d = gen("spiral3", 0.0, seed=2)
    expected = np.repeat(np.arange(167) / 167 * 5.0, 3)
    assert np.allclose(np.sort(radii(d.x)), expected, atol=1e-12, rtol=0)
    # a point at step i = 100 of arm k sits at angle 1.75 * 2 pi * 100/167 + 2 pi k / 3
    for k in range(3):
        p = d.x[(d.y == k) & np.isclose(radii(d.x), 100 / 167 * 5)][0]
        t = 1.75 * 100 / 167 * 2 * math.pi + 2 * math.pi * k / 3
        assert np.allclose(p, (100 / 167 * 5 * math.sin(t), 100 / 167 * 5 * math.cos(t)))


@pytest.mark.parametrize("noise,variance", [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_gauss_means_and_variance(noise: float, variance: float) -> None:
    d = gen("gauss", noise, seed=11)
    for label, centre in ((1.0, 2.0), (-1.0, -2.0)):
        p = d.x[d.y == label]                      # (250, 2)
        # mean of 250 draws: std sqrt(var / 250) <= 0.127; allow 4 of those
        assert np.allclose(p.mean(axis=0), centre, atol=4 * math.sqrt(variance / 250))
    centred = np.concatenate([d.x[d.y == 1.0] - 2.0, d.x[d.y == -1.0] + 2.0]).ravel()
    # sample variance of 1000 values has relative std sqrt(2 / 999) = 4.5 %: allow 15 %
    assert abs(centred.var() / variance - 1.0) < 0.15


def test_reg_gauss_targets() -> None:
    d = gen("reg-gauss", 0.0, seed=12)
    assert d.y.min() >= -1.0 and d.y.max() <= 1.0
    assert d.y.min() < -0.9 and d.y.max() > 0.9
    # independent transcription of dataset.ts: strict ">" over the six bumps
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (px, py), target in zip(d.x[:200].tolist(), d.y[:200].tolist()):
        label = 0.0
        for cx, cy, sign in bumps:
            v = sign * min(max(1 - math.hypot(px - cx, py - cy) / 2, 0.0), 1.0)
            if abs(v) > abs(label):
                label = v
        assert target == pytest.approx(label, abs=1e-15)
    noisy = gen("reg-gauss", 0.5, seed=12)
    assert noisy.y.min() >= -1.0 and noisy.y.max() <= 1.0
    assert not np.allclose(noisy.y, reg_gauss_target(noisy.x))
    assert reg_gauss_target(np.array([[0.0, 0.0]])).tolist() == [0.0]   # far from all: 0


def test_reg_plane_targets() -> None:
    clean = gen("reg-plane", 0.0, seed=13)
    assert np.array_equal(clean.y, (clean.x[:, 0] + clean.x[:, 1]) / 10)
    noisy = gen("reg-plane", 0.5, seed=13)
    off = np.abs(noisy.y - (noisy.x[:, 0] + noisy.x[:, 1]) / 10)
    assert off.max() <= 0.6 and off.mean() > 0.05   # |nx + ny| <= 2 * 6 * 0.5, / 10


def test_moons_shape_and_noise() -> None:
    s, c = 10 / 3, np.array([0.5, 0.25])
    clean = gen("moons", 0.0, seed=14)
    up, lo = clean.x[clean.y == 1.0], clean.x[clean.y == -1.0]
    # upper moon: circle of radius 10/3 around (0 - c) * s, upper half
    assert np.allclose(np.hypot(*(up - (-c) * s).T), s, atol=1e-12)
    assert np.all(up[:, 1] >= (0 - 0.25) * s - 1e-12)
    assert np.allclose(np.hypot(*(lo - (np.array([1.0, 0.5]) - c) * s).T), s, atol=1e-12)
    assert np.all(lo[:, 1] <= (0.5 - 0.25) * s + 1e-12)
    assert clean.x[:, 0].min() > -5.01 and clean.x[:, 0].max() < 5.01
    noisy = gen("moons", 0.5, seed=14)
    off = np.abs(np.hypot(*(noisy.x[noisy.y == 1] + c * s).T) - s)
    assert 0.4 < off.mean() < 1.2          # jitter std 1: |N(0,1)|-ish radial error


def test_checkerboard_rule_and_noise() -> None:
    clean = gen("checkerboard", 0.0, seed=15)
    assert np.array_equal(clean.y, checker_label(clean.x))
    assert checker_label(np.array([[-5.0, -5.0], [-2.0, -5.0], [1.0, 1.0], [4.0, -4.0]])
                         ).tolist() == [1.0, -1.0, 1.0, -1.0]
    noisy = gen("checkerboard", 0.5, seed=15)
    assert np.mean(noisy.y != checker_label(noisy.x)) > 0.05


def test_blob_means_follow_the_centres() -> None:
    for k in (3, 4, 5):
        c = blob_centres(k)
        assert np.allclose(np.hypot(*c.T), 3.5) and np.allclose(c[0], (0.0, 3.5))
        d = gen("blobs", 0.0, seed=16, k=k)
        for label in range(k):
            p = d.x[d.y == label]
            assert np.allclose(p.mean(axis=0), c[label], atol=0.2)
            assert np.allclose(p.std(axis=0), 0.6, atol=0.1)


# -- Dataset, split, make_data, class_index ---------------------------------------------
def test_dataset_copies_checks_and_is_read_only() -> None:
    x, y = np.zeros((3, 2)), np.array([1.0, -1.0, 1.0])
    d = Dataset(x, y, 2)
    x[0, 0] = 9.0
    assert d.x[0, 0] == 0.0
    with pytest.raises(ValueError):
        d.x[0, 0] = 1.0
    assert len(Dataset(np.empty((0, 2)), np.empty(0), 2)) == 0
    with pytest.raises(ValueError):
        Dataset(np.zeros((3, 3)), y, 2)
    with pytest.raises(ValueError):
        Dataset(x, y[:2], 2)
    with pytest.raises(ValueError):
        Dataset(x, y, 1)
    t = d.take(np.array([2, 0]))
    assert t.y.tolist() == [1.0, 1.0] and t.n_classes == 2 and len(t) == 2


@pytest.mark.parametrize("name", ["circle", "reg-gauss", "spiral3"])
@pytest.mark.parametrize("ratio", [10, 50, 90])
def test_split_sizes(name: str, ratio: int) -> None:
    d = gen(name, 0.1)
    train, test = split(d, ratio)
    assert len(train) == len(d) * ratio // 100 and len(train) + len(test) == len(d)
    assert np.array_equal(np.vstack((train.x, test.x)), d.x)
    assert np.array_equal(np.concatenate((train.y, test.y)), d.y)
    assert train.n_classes == test.n_classes == d.n_classes
    with pytest.raises(ValueError):
        split(d, 101)


def test_split_counts_exactly() -> None:
    assert [len(split(gen("circle", 0), r)[0]) for r in (10, 50, 90)] == [50, 250, 450]
    assert [len(split(gen("reg-plane", 0), r)[0]) for r in (10, 50, 90)] == [120, 600, 1080]
    assert [len(split(gen("spiral3", 0), r)[0]) for r in (10, 50, 90)] == [50, 250, 450]


def test_make_data_matches_generate_and_split() -> None:
    train, test = make_data("blobs", 20, 70, seed=99, n_classes=4)
    ref = generate("blobs", 0.2, np.random.default_rng(99), 4)
    assert len(train) == 350 and len(test) == 150 and train.n_classes == 4
    assert np.array_equal(np.vstack((train.x, test.x)), ref.x)


def test_class_index() -> None:
    assert class_index(np.array([-1.0, 1.0, 1.0, -1.0]), 2).tolist() == [0, 1, 1, 0]
    out = class_index(np.array([0.0, 2.0, 1.0]), 3)
    assert out.tolist() == [0, 2, 1] and out.dtype == np.int64
    with pytest.raises(ValueError):
        class_index(np.array([0.3]), 0)
