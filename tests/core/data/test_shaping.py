"""The data's shape: number of points, class balance, flipped labels, outliers.

Each setting is checked against what it says (exact counts where the set is made class
by class, a binomial bound where each point's class is a chance), and the defaults
against fingerprints of the data the generators made before these settings existed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nnviz.core import Config, Trainer
from nnviz.core.config import CUSTOM, DATASETS, reset_scope
from nnviz.core.data.datasets import BY_REGION, checker_label, generate, make_data, xor_label
from nnviz.core.data.shaping import class_counts, own_points, share

GENERATED = [n for n in DATASETS if n not in CUSTOM]
CLASSIFIED = [n for n in GENERATED if DATASETS[n][0] == "classification"]
BY_CLASS = [n for n in CLASSIFIED if n not in BY_REGION]

# sha256 (first 16 hex digits) of x, y and n_classes of generate(name, 0.1, rng(seed), k),
# written down from the generators as they were before the data's shape had settings
BEFORE = {
    ("circle", 0): "dd8b677487834b4f", ("circle", 12345): "664c1d90b5dc46b1",
    ("xor", 0): "afe02c0b91949347", ("xor", 12345): "b5d7a36ce9bdd0dc",
    ("gauss", 0): "60ebc7d728067978", ("gauss", 12345): "7708383cd10dd27a",
    ("spiral", 0): "f91be5c61f9f4243", ("spiral", 12345): "0663cad71ebef3ab",
    ("reg-plane", 0): "ee35870c034a213f", ("reg-plane", 12345): "5139a660172f515b",
    ("reg-gauss", 0): "5684fd901fe58420", ("reg-gauss", 12345): "05c8b8d5b5a47f8c",
    ("moons", 0): "4a431770033f904b", ("moons", 12345): "0dce7172d3bc0c1d",
    ("checkerboard", 0): "a647c78bdae1ec0a", ("checkerboard", 12345): "b0358b15a7ab5dbd",
    ("blobs", 0): "c2d45d2a8f447e1a", ("blobs", 12345): "27ec928bbb61747f",
    ("spiral3", 0): "08086b6874f57766", ("spiral3", 12345): "1877cd13e0ba110e",
}
BEFORE_BLOBS = {(4, 0): "6c1ab0185597929d", (5, 0): "be23d8d07a9b8835",
                (4, 12345): "6081c9803cb44a20", (5, 12345): "a0ea05d9dbcd4bc0"}


def fingerprint(d) -> str:
    return hashlib.sha256(d.x.tobytes() + d.y.tobytes() + bytes([d.n_classes])).hexdigest()[:16]


def gen(name: str, seed: int = 0, noise: float = 0.0, k: int = 3, **shape):
    return generate(name, noise, np.random.default_rng(seed), k, **shape)


# -- defaults change nothing ---------------------------------------------------------------
@pytest.mark.parametrize("name,seed", sorted(BEFORE))
def test_defaults_give_the_data_of_before_bit_for_bit(name, seed):
    d = gen(name, seed, 0.1)
    assert fingerprint(d) == BEFORE[(name, seed)]
    # the same settings spelled out: the set's own count and an even balance
    same = gen(name, seed, 0.1, points=own_points(name, d.n_classes), balance=50, flipped=0, outliers=0)
    assert fingerprint(same) == BEFORE[(name, seed)]


@pytest.mark.parametrize("k,seed", sorted(BEFORE_BLOBS))
def test_blobs_defaults_unchanged(k, seed):
    assert fingerprint(gen("blobs", seed, 0.1, k)) == BEFORE_BLOBS[(k, seed)]


def test_default_config_makes_the_same_run():
    a = make_data("spiral", 10, 50, 7)
    b = make_data("spiral", 10, 50, 7, **Config(dataset="spiral").data_shape)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.x, y.x)
        np.testing.assert_array_equal(x.y, y.y)


# -- counts and balance --------------------------------------------------------------------
def test_class_counts_by_hand():
    assert class_counts(500, 2, 50).tolist() == [250, 250]
    assert class_counts(501, 2, 50).tolist() == [251, 250]          # a tie goes to the first
    assert class_counts(500, 3, 50).tolist() == [167, 167, 166]     # the blobs' own rule
    assert class_counts(1000, 2, 30).tolist() == [700, 300]
    # weights 40 : 200 : 360 of 600 -> 6.67, 33.33, 60: floors 6, 33, 60, the spare point
    # to the largest remainder (class 0)
    assert class_counts(100, 3, 90).tolist() == [7, 33, 60]
    for n in (50, 333, 10_000):
        for k in (2, 3, 5):
            for b in (10, 37, 50, 90):
                c = class_counts(n, k, b)
                assert c.sum() == n and np.all(c >= 0)
                assert np.all(np.diff(c) >= -1) if b > 50 else np.all(np.diff(c) <= 1)


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("n", [50, 777, 10_000])
def test_points_count(name, n):
    d = gen(name, 1, 0.2, 4, points=n)
    assert len(d) == n and np.all(np.isfinite(d.x))


@pytest.mark.parametrize("name", BY_CLASS)
@pytest.mark.parametrize("balance", [10, 30, 50, 73, 90])
def test_balance_is_exact_for_sets_made_class_by_class(name, balance):
    k = 4 if name == "blobs" else DATASETS[name][1]
    d = gen(name, 2, 0.0, k, points=1000, balance=balance)
    cls = (d.y > 0).astype(int) if k == 2 else d.y.astype(int)
    assert np.bincount(cls, minlength=k).tolist() == class_counts(1000, k, balance).tolist()
    if k == 2:
        assert (d.y > 0).sum() == share(1000, balance)


@pytest.mark.parametrize("name", BY_REGION)
@pytest.mark.parametrize("balance", [10, 25, 50, 80, 90])
def test_balance_is_the_chance_of_class_plus_one_for_region_sets(name, balance):
    n = 10_000
    d = gen(name, 3, 0.0, points=n, balance=balance)
    p = balance / 100
    assert abs((d.y > 0).sum() - n * p) <= 4.5 * np.sqrt(n * p * (1 - p))   # 4.5 sigma
    label = xor_label if name == "xor" else checker_label
    np.testing.assert_array_equal(label(d.x), d.y)        # still labelled by region
    assert np.abs(d.x).max() <= 6.0


def test_balance_mirrors_without_moving_the_other_points():
    even = gen("xor", 5, 0.0, points=2000)
    tilted = gen("xor", 5, 0.0, points=2000, balance=20)
    moved = np.any(even.x != tilted.x, axis=1)
    # only the x coordinate changes sign, and only points that were +1
    np.testing.assert_array_equal(tilted.x[moved, 0], -even.x[moved, 0])
    np.testing.assert_array_equal(tilted.x[:, 1], even.x[:, 1])
    assert np.all(even.y[moved] == 1.0) and np.all(tilted.y[moved] == -1.0)


# -- flipped labels and outliers -----------------------------------------------------------
@pytest.mark.parametrize("name", CLASSIFIED)
@pytest.mark.parametrize("flipped,outliers", [(10, 0), (0, 10), (25, 5), (50, 50)])
def test_flips_and_outliers_are_exact_and_disjoint(name, flipped, outliers):
    k = 5 if name == "blobs" else DATASETS[name][1]
    clean = gen(name, 4, 0.1, k, points=1000)
    d = gen(name, 4, 0.1, k, points=1000, flipped=flipped, outliers=outliers)
    relabelled = d.y != clean.y
    moved = np.any(d.x != clean.x, axis=1)
    assert relabelled.sum() == share(1000, flipped)
    assert moved.sum() == share(1000, outliers)
    assert not np.any(relabelled & moved)
    assert set(np.unique(d.y)) <= set(np.unique(clean.y))
    assert np.abs(d.x[moved]).max(initial=0) <= 6.0
    if k == 2:
        np.testing.assert_array_equal(d.y[relabelled], -clean.y[relabelled])


def test_outliers_spread_over_the_square():
    clean = gen("gauss", 6, 0.0, points=10_000)
    d = gen("gauss", 6, 0.0, points=10_000, outliers=40)
    moved = d.x[np.any(d.x != clean.x, axis=1)]
    assert len(moved) == 4000
    # uniform on [-6, 6]^2: each quadrant a quarter, mean near 0, variance 12^2 / 12 = 12
    quadrant = (moved[:, 0] > 0) * 2 + (moved[:, 1] > 0)
    assert np.all(np.abs(np.bincount(quadrant) - 1000) < 4.5 * np.sqrt(4000 * 0.25 * 0.75))
    np.testing.assert_allclose(moved.var(axis=0), 12.0, rtol=0.08)


def test_regression_keeps_its_targets_and_moves_outliers():
    clean = gen("reg-plane", 1, 0.0, points=600)
    d = gen("reg-plane", 1, 0.0, points=600, flipped=30, outliers=10)
    np.testing.assert_array_equal(d.y, clean.y)       # no classes: nothing to flip
    assert np.any(d.x != clean.x, axis=1).sum() == 60


def test_seeded():
    a = gen("spiral", 11, 0.3, points=3000, balance=70, flipped=15, outliers=5)
    b = gen("spiral", 11, 0.3, points=3000, balance=70, flipped=15, outliers=5)
    c = gen("spiral", 12, 0.3, points=3000, balance=70, flipped=15, outliers=5)
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)


# -- settings ----------------------------------------------------------------------------
@pytest.mark.parametrize("field,bad", [("n_points", 49), ("n_points", 10_001), ("n_points", -1),
                                       ("class_balance", 9), ("class_balance", 91),
                                       ("label_noise", 51), ("label_noise", -1), ("outliers", 51),
                                       ("n_points", 500.0)])
def test_config_refuses_out_of_range(field, bad):
    with pytest.raises(ValueError):
        Config(**{field: bad})


@pytest.mark.parametrize("field,value", [("n_points", 2000), ("class_balance", 30),
                                         ("label_noise", 10), ("outliers", 5)])
def test_every_shape_setting_makes_new_data_and_network(field, value):
    """The Playground's rule for its data controls (noise, ratio): new data, new network."""
    old = Config()
    assert reset_scope(old, old.replace(**{field: value})) == "data"


def test_trainer_uses_the_shape():
    cfg = Config(dataset="circle", n_points=2000, class_balance=20, label_noise=10, train_ratio=70)
    t = Trainer(cfg)
    assert len(t.train_x) == 1400 and len(t.test_x) == 600
    d = gen("circle", 0, 0.0, points=2000, balance=20, flipped=10)
    np.testing.assert_array_equal(np.concatenate([t.train_x, t.test_x]), d.x)
    np.testing.assert_array_equal(np.concatenate([t.train_y, t.test_y]), d.y)
    clean = gen("circle", 0, 0.0, points=2000, balance=20)
    assert (clean.y > 0).sum() == 400 and (d.y != clean.y).sum() == 200
    t.set_config(t.config.replace(outliers=20))
    assert len(t.train_x) + len(t.test_x) == 2000 and t.epoch == 0
    old = Config.from_dict({k: v for k, v in Config().to_dict().items()
                            if k not in ("n_points", "class_balance", "label_noise", "outliers")})
    assert old == Config()       # settings saved before these existed read as the defaults
