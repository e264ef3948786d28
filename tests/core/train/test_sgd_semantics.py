"""The Playground's mini-batch SGD, one rule per test (PRODUCT.md section 1, Training)."""

from __future__ import annotations

import numpy as np

from nnviz.core import Config, Dataset, Trainer, make_data
from nnviz.core.train import reference
from nnviz.core.train.optimizers import Hyper, OptimizerState

LR = 0.03


def trainer(**changes) -> Trainer:
    return Trainer(Config(dataset="circle", seed=4, **changes))


def split_weights(t: Trainer, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(all weights, all biases) of a flat parameter vector p (P,)."""
    is_w = np.zeros(p.size, dtype=bool)
    for w0, b0 in zip(t.network.w_off, t.network.b_off):
        is_w[w0:b0] = True
    return p[is_w], p[~is_w]


def test_plain_sgd_step_is_w_minus_lr_times_the_averaged_gradient() -> None:
    t = trainer()
    before = t.network.params.copy()
    t.step_batch()
    assert np.array_equal(t.network.params, before - LR * t.grad)
    x = t._xtr[:10]                     # the first batch, in the stored order
    net = t.network.copy()
    net.set_params(before)
    assert np.max(np.abs(t.grad - reference.gradient(net, x, t._ttr[:10]))) < 1e-15


def test_bias_is_never_regularised() -> None:
    plain, l2 = trainer(), trainer(regularization="l2", reg_rate=1.0)
    w0, b0 = split_weights(plain, plain.network.params.copy())
    plain.step_batch()
    l2.step_batch()
    w_plain, b_plain = split_weights(plain, plain.network.params)
    w_l2, b_l2 = split_weights(l2, l2.network.params)
    assert np.array_equal(b_l2, b_plain)                        # biases: no penalty at all
    # weights: the penalty lr * rate * w uses the weight from before the gradient step
    assert np.max(np.abs(w_l2 - (w_plain - LR * 1.0 * w0))) < 1e-15
    assert np.max(np.abs(w_l2 - w_plain)) > 1e-3


def test_l1_penalty_that_flips_the_sign_sets_the_weight_to_exactly_zero() -> None:
    rate = 0.3                                                  # lr * rate = 0.009 per step
    t = trainer(regularization="l1", reg_rate=rate)
    n_out, n_in = t.network.weights[0].shape
    for j in range(0, n_out, 2):                                # half the neurons get weights
        for i in range(n_in):                                   # smaller than one penalty step
            t.set_weight(0, j, i, 0.004 if (i + j) % 2 else -0.004)
    w = t.network.weights[0].copy()
    t.step_batch()
    w1 = w - LR * t.grad_weights[0]                             # the gradient step
    w2 = w1 - LR * rate * np.sign(w)                            # the penalty step on the old w
    flipped = w1 * w2 < 0
    assert flipped.sum() >= 4 and (~flipped).sum() >= 4
    assert np.all(t.network.weights[0][flipped] == 0.0)
    assert np.max(np.abs(t.network.weights[0][~flipped] - w2[~flipped])) < 1e-15
    # and, as in the Playground, those links are dead: never trained again
    assert np.array_equal(t.dead[0] != 0, flipped) and np.all(t.dead[0][flipped] == 1)
    t.step_batch()
    assert np.all(t.network.weights[0][flipped] == 0.0) and np.all(t.grad_weights[0][flipped] == 0.0)
    assert np.all(t.network.weights[0][~flipped] != w2[~flipped])


def test_gradient_is_averaged_over_the_batch() -> None:
    train, test = make_data("circle", 0, 50, 0)
    p, y = train.x[:1], train.y[:1]
    one = Trainer(Config(batch_size=1), data=(Dataset(p, y, 2), test))
    two = Trainer(Config(batch_size=2), data=(Dataset(np.vstack([p, p]), np.concatenate([y, y]), 2), test))
    assert np.array_equal(one.network.params, two.network.params)
    one.step_batch()
    two.step_batch()
    assert np.array_equal(one.network.params, two.network.params)   # (g + g) / 2 == g exactly
    assert np.array_equal(one.grad, two.grad)


def test_gradient_of_two_points_is_the_mean_of_their_gradients() -> None:
    train, test = make_data("circle", 0, 50, 0)
    t = Trainer(Config(batch_size=2), data=(train.take(slice(0, 2)), test))
    net = t.network.copy()
    g1 = reference.gradient(net, t._xtr[:1], t._ttr[:1])
    g2 = reference.gradient(net, t._xtr[1:2], t._ttr[1:2])
    t.step_batch()
    assert np.max(np.abs(t.grad - (g1 + g2) / 2)) < 1e-15


def test_last_partial_batch_of_the_other_optimisers_is_averaged_over_its_own_size() -> None:
    """Momentum, Nesterov, RMSprop and Adam follow PyTorch's DataLoader(drop_last=False)."""
    train, test = make_data("circle", 0, 50, 0)
    t = Trainer(Config(batch_size=10, optimizer="momentum"), data=(train.take(slice(0, 25)), test))
    assert t.batches_per_epoch == 3
    t.step_batch()
    t.step_batch()
    net = t.network.copy()
    t.step_batch()                                              # points 20..24: five of them
    assert list(t.last_batch) == [20, 21, 22, 23, 24]
    assert np.max(np.abs(t.grad - reference.gradient(net, t._xtr[20:25], t._ttr[20:25]))) < 1e-15
    assert (t.epoch, t.batch) == (1, 0)


def test_batches_follow_the_stored_order_and_are_not_reshuffled() -> None:
    t = trainer()
    seen = []
    for _ in range(2 * t.batches_per_epoch):
        t.step_batch()
        seen.append(list(t.last_batch))
    n = t.batches_per_epoch
    assert seen[0] == list(range(10)) and seen[1] == list(range(10, 20))
    assert seen[:n] == seen[n:]                                 # epoch 2 repeats epoch 1's order


def test_learning_rate_change_keeps_weights_epoch_history_and_optimiser_state() -> None:
    t = trainer(optimizer="momentum")
    t.train_epochs(3)
    t.step_batch()
    t.step_batch()
    keep = (t.network.params.copy(), t._opt.m.copy(), t._opt.t, t.epoch, t.batch,
            list(t.history_train), t.train_loss)
    t.set_learning_rate(0.1)
    t.set_config(t.config.replace(learning_rate=0.3))
    assert t.config.learning_rate == 0.3
    after = (t.network.params, t._opt.m, t._opt.t, t.epoch, t.batch, list(t.history_train), t.train_loss)
    for a, b in zip(keep, after):
        assert np.array_equal(a, b)
    # and the next step uses the new rate with the kept momentum
    net, state = t.network.copy(), OptimizerState(t._opt.m.copy(), t._opt.v.copy(), t._opt.t)
    lo = t.batch * 10
    reference.batch_update(net, state, t._xtr[lo:lo + 10], t._ttr[lo:lo + 10], Hyper("momentum", lr=0.3))
    t.step_batch()
    assert np.max(np.abs(t.network.params - net.params)) < 1e-14


def test_learning_rate_decays_with_completed_epochs() -> None:
    t = trainer(lr_decay=1.0)
    t.step_epoch()                                              # epoch 1: lr_eff = lr / 2
    before = t.network.params.copy()
    t.step_batch()
    assert np.max(np.abs(t.network.params - (before - LR / 2 * t.grad))) < 1e-16
    assert Hyper.from_config(t.config, 4).lr == LR / 5
