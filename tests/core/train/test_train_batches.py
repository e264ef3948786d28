"""Trainer.train_batches: training inside an epoch, for networks whose epoch outlasts a frame.

The reference is the same run made by whole epochs: the weights, counters, history and
scores must be equal bit for bit, and mid-epoch scores must be those of the last epoch end.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer

RUNS = [Config(dataset="spiral", hidden_layers=(6, 4), n_points=300, seed=1),
        Config(dataset="blobs", n_classes=4, optimizer="adam", batch_size=7, lr_decay=0.1),
        Config(dataset="reg-gauss", batch_size=1, hidden_layers=(5,)),
        Config(dataset="xor", regularization="l1", reg_rate=0.003, batch_size=13, optimizer="momentum")]


def state(t: Trainer) -> tuple:
    h = t.history
    return (t.network.params.tobytes(), t.grad.tobytes(), t._opt.m.tobytes(), t._opt.v.tobytes(), t._opt.t,
            t.epoch, t.batch, t.total_steps, np.float64([t.train_loss, t.test_loss, t.train_accuracy]).tobytes(),
            h.epoch.array().tobytes(), h.train.array().tobytes(), h.test.array().tobytes(),
            h.grad.array().tobytes(), t.last_batch.tobytes())


@pytest.mark.parametrize("config", RUNS, ids=lambda c: c.dataset)
def test_steps_in_any_sizes_equal_whole_epochs_bit_for_bit(config):
    whole, steps = Trainer(config), Trainer(config)
    whole.train_epochs(3)
    rng = np.random.default_rng(0)
    while steps.epoch < 3:
        assert steps.train_batches(int(rng.integers(1, 9))) >= 1
    assert state(steps) == state(whole)
    s1, s2 = steps.snapshot(), whole.snapshot()
    np.testing.assert_array_equal(s1.confusion, s2.confusion)
    assert s1.r2_test == s2.r2_test or (np.isnan(s1.r2_test) and np.isnan(s2.r2_test))


def test_a_call_stops_at_the_end_of_the_epoch():
    t = Trainer(Config(batch_size=10))            # 250 training points: 25 updates an epoch
    assert t.train_batches(20) == 20 and t.epoch == 0 and t.batch == 20
    assert t.train_batches(100) == 5 and t.epoch == 1 and t.batch == 0
    assert t.train_batches(0) == 0


def test_mid_epoch_the_scores_are_those_of_the_last_epoch_end():
    config = Config(dataset="circle", noise=20, seed=5)
    t, at_end = Trainer(config), Trainer(config)
    t.train_epochs(2)
    at_end.train_epochs(2)
    ref = at_end.snapshot()                     # scores and outputs of the epoch-2 weights
    t.train_batches(7)                            # no snapshot was taken in between
    s = t.snapshot()
    assert not np.array_equal(s.weights[0], ref.weights[0])          # the weights moved on...
    assert (s.train_loss, s.test_loss, s.test_accuracy) == (ref.train_loss, ref.test_loss, ref.test_accuracy)
    np.testing.assert_array_equal(s.confusion, ref.confusion)        # ...the scores did not
    assert s.test_accuracy == np.trace(s.confusion) / len(t.test_x)
    assert s.batch == 7 and s.epoch == 2


def test_an_edit_mid_epoch_is_scored_at_once():
    t = Trainer(Config(seed=2))
    t.train_batches(3)
    t.set_weight(0, 0, 0, 4.0)
    s = t.snapshot()
    twin = Trainer(Config(seed=2))
    twin.train_batches(3)
    twin.set_weight(0, 0, 0, 4.0)
    twin._refresh()
    assert s.test_loss == twin.test_loss and s.test_accuracy == np.trace(s.confusion) / len(t.test_x)
