"""The Trainer's numpy path (while the kernel compiles on a first start) against its kernel
path: the same run to 1e-12, whichever path takes whichever step, a hand-over mid-epoch
included; the scores, the outputs and the pictures agree too."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import compiled
from nnviz.core.config import FEATURES, Config
from nnviz.core.train import kernels
from nnviz.core.train.trainer import Trainer

TOL = 1e-12
CONFIGS = [
    Config(),                                                            # the Playground's default
    Config(batch_size=7, regularization="l1", reg_rate=0.03),            # carried points, dead links
    Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 3, batch_size=1),   # batch-1 SGD
    Config(dataset="xor", optimizer="adam", regularization="l1", reg_rate=0.003, lr_decay=0.05),
    Config(dataset="spiral3", output="softmax_ce", activation="relu", optimizer="nesterov", batch_size=7),
    Config(dataset="reg-gauss", regularization="l2", reg_rate=0.01,
           optimizer="rmsprop", learning_rate=0.001),
]


def state(t: Trainer) -> np.ndarray:
    return np.concatenate([t.network.params, t.grad, t._opt.m, t._opt.v, t._carry.acc, t._dead, t.last_update])


def no_kernel(*args):
    raise AssertionError("a kernel was called on the numpy path")


def steps(t: Trainer) -> None:
    """Epochs, single batches, a half epoch and updates inside an epoch without scores, as
    the worker and the buttons make them."""
    t.train_epochs(2)
    t.step_batch()
    t.step_batch()
    t.train_epochs(1)             # finishes the started epoch
    t.step_epoch()
    t.train_batches(3)              # the worker's chunks inside an epoch of a big network
    t.train_batches(t.batches_per_epoch)   # to the epoch's end, scored
    t.train_batches(2)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.dataset}-{c.optimizer}")
def test_the_numpy_path_trains_as_the_kernel(config, monkeypatch):
    kernel = Trainer(config)
    steps(kernel)
    with monkeypatch.context() as patch, compiled.numpy_only():
        for name in ("train_eval", "train_batches", "train_epoch_run", "evaluate", "forward_outputs"):
            patch.setattr(kernels, name, no_kernel)   # a call would compile in the worker's thread
        assert not compiled.available()
        ref = Trainer(config)
        steps(ref)
    assert compiled.available()
    assert (ref.epoch, ref.batch, ref.total_steps, ref._opt.t, ref._carry.count) == (
        kernel.epoch, kernel.batch, kernel.total_steps, kernel._opt.t, kernel._carry.count)
    np.testing.assert_array_equal(ref.last_batch, kernel.last_batch)
    np.testing.assert_allclose(state(ref), state(kernel), rtol=0, atol=TOL)
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        a, b = getattr(ref, name), getattr(kernel, name)
        assert a == pytest.approx(b, abs=TOL, nan_ok=True), name
    np.testing.assert_allclose(ref.history.test.array(), kernel.history.test.array(), rtol=0, atol=TOL)
    np.testing.assert_allclose(ref.history.grad.array(), kernel.history.grad.array(), rtol=0, atol=TOL)


def test_a_hand_over_mid_epoch_goes_on_where_it_was():
    config = Config(dataset="spiral", features=FEATURES, hidden_layers=(6, 6), batch_size=7,
                    regularization="l1", reg_rate=0.01)              # the carry and the dead links too
    kernel = Trainer(config)
    for _ in range(3):
        kernel.step_batch()
    kernel.train_epochs(4)
    with compiled.numpy_only():
        mixed = Trainer(config)
        mixed.step_batch()
        mixed.step_batch()
    mixed.step_batch()               # the kernel takes over inside the first epoch
    mixed.train_epochs(4)
    np.testing.assert_allclose(state(mixed), state(kernel), rtol=0, atol=TOL)
    assert mixed.epoch == kernel.epoch and len(mixed.history.epoch) == len(kernel.history.epoch)


def test_snapshots_agree_pictures_to_float32():
    config = Config(dataset="spiral3", output="softmax_ce", features=FEATURES, hidden_layers=(5, 4))
    t = Trainer(config)
    t.train_epochs(3)
    fast = t.snapshot()
    with compiled.numpy_only():
        slow = t.snapshot()
    for a, b in zip(fast.grid, slow.grid):
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=0, atol=2e-5)
    np.testing.assert_array_equal(slow.confusion, fast.confusion)
    assert slow.test_loss == fast.test_loss


def test_a_diverged_network_is_reported_the_same_without_warnings():
    config = Config(dataset="reg-plane", learning_rate=10.0)
    kernel = Trainer(config)
    kernel.train_epochs(50)
    with compiled.numpy_only(), np.errstate(all="raise"):   # the numpy path must not warn
        ref = Trainer(config)
        ref.train_epochs(50)
        ref.snapshot()
    # numpy looks after every epoch, the kernel only for NaN/inf inside one call of many
    # epochs (weights past the limit are found when it returns): numpy may stop sooner
    assert kernel.diverged and ref.diverged and 1 <= ref.epoch <= kernel.epoch


@pytest.mark.parametrize("config", CONFIGS[:3], ids=lambda c: f"{c.dataset}-{c.optimizer}")
def test_the_step_preview_is_the_same_on_numpy(config):
    t = Trainer(config)
    t.train_epochs(2)
    t.step_batch()
    fast = t.preview_step()
    chosen = t.preview_step([3, 1, 4, 15, 9])
    with compiled.numpy_only():
        slow = t.preview_step()
        slow_chosen = t.preview_step([3, 1, 4, 15, 9])
    for a, b in ((fast, slow), (chosen, slow_chosen)):
        for name in ("params_after", "grad", "m_after", "v_after", "dead_after"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=0, atol=TOL, err_msg=name)
        assert a.t == b.t
