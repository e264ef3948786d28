"""PathRecorder: bounded memory, the newest half exact, the first position kept, duplicates
and non-finite vectors refused, a new network starts a new path."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import PathRecorder


def test_the_path_is_kept_exactly_until_it_is_full() -> None:
    rec = PathRecorder(capacity=16)
    pts = np.random.default_rng(0).normal(size=(16, 5))
    for k, p in enumerate(pts):
        assert rec.record(p, step=k, epoch=k // 4)
    assert len(rec) == 16 and np.array_equal(rec.points, pts)
    assert list(rec.steps) == list(range(16)) and list(rec.epochs) == [k // 4 for k in range(16)]
    with pytest.raises(ValueError):
        rec.points[0, 0] = 1.0                         # a read-only view


def test_memory_is_bounded_the_newest_half_is_exact_and_the_first_position_stays() -> None:
    cap = 32
    rec = PathRecorder(capacity=cap)
    for k in range(10_000):
        rec.record(np.full(3, float(k)), step=k, epoch=0)
        assert len(rec) <= cap
    steps = rec.steps
    assert steps[0] == 0 and steps[-1] == 9_999
    assert np.all(np.diff(steps) > 0)
    newest = steps[-cap // 2:]
    assert list(newest) == list(range(10_000 - cap // 2, 10_000))     # every one of the last steps
    assert np.array_equal(rec.points[:, 0], steps.astype(float))     # vectors stay with their counters
    assert rec.nbytes == cap * 3 * 8 + 2 * cap * 8


def test_the_bound_for_the_largest_network() -> None:
    rec = PathRecorder()                                # the default the landscape uses
    rec.record(np.zeros(9793), 0, 0)
    assert rec.capacity == 256
    assert rec.nbytes - 2 * 256 * 8 == 256 * 9793 * 8 == 20_056_064


def test_duplicates_non_finite_and_new_networks() -> None:
    rec = PathRecorder(capacity=8)
    p = np.arange(4.0)
    assert rec.record(p, 1, 0) and not rec.record(p.copy(), 1, 0)
    assert rec.record(p + 1, 2, 0) and len(rec) == 2
    with pytest.raises(ValueError, match="finite"):
        rec.record(np.array([0.0, np.nan, 0, 0]), 3, 0)
    assert len(rec) == 2
    assert rec.record(np.zeros(6), 0, 0) and len(rec) == 1 and rec.size == 6    # another shape: a new path
    rec.clear()
    assert len(rec) == 0 and rec.points.shape == (0, 6)
    with pytest.raises(ValueError):
        PathRecorder(capacity=2)
