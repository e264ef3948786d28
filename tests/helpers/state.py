"""Comparing two Trainers, or two timelines, bit for bit (no Qt)."""

from __future__ import annotations

import numpy as np

from nnviz.core.train.timeline import Timeline


def same_array(x, y) -> bool:
    """Equal dtype, shape and bytes (so -0.0 differs from 0.0, and NaN equals NaN)."""
    if x is None or y is None:
        return x is y
    x, y = np.asarray(x), np.asarray(y)
    return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def assert_same_state(a, b) -> None:
    """Every entry of the two trainers' state dicts equal bit for bit, and what the views
    read besides (losses, last gradient, the stuck and diverged words)."""
    da, db = a.state_dict(), b.state_dict()
    assert da.keys() == db.keys()
    for key in da:
        x, y = da[key], db[key]
        if isinstance(x, np.ndarray):
            assert same_array(x, y), key
        else:
            assert type(x) is type(y) and x == y, key
    assert (a.train_loss, a.test_loss) == (b.train_loss, b.test_loss)
    assert same_array(a.grad, b.grad) and a.stuck == b.stuck and a.diverged == b.diverged


def assert_same_timeline(a: Timeline, b: Timeline) -> None:
    """The same checkpoints: counters, reasons, settings, data, arrays and history marks."""
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a.entries, b.entries)):
        assert (x.epoch, x.batch, x.per_epoch, x.total_steps, x.reason, x.config, x.n_classes, x.data_seed) == \
               (y.epoch, y.batch, y.per_epoch, y.total_steps, y.reason, y.config, y.n_classes, y.data_seed), i
        assert x.ints == y.ints, i
        assert x.arrays.keys() == y.arrays.keys()
        for key in x.arrays:
            assert same_array(x.arrays[key], y.arrays[key]), (i, key)
        for d, e in zip(x.data, y.data):
            assert same_array(d, e), i
        hx, hy = x.history, y.history
        assert (hx.length, hx.stride, hx.epoch, hx.train, hx.test) == (hy.length, hy.stride, hy.epoch, hy.train, hy.test)
        assert same_array(hx.grad, hy.grad)
