"""Trainer: counters, history, edits, settings, snapshots, state round trip, divergence."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nnviz.core import Config, Dataset, Snapshot, Trainer, make_data
from nnviz.core.train import reference
from nnviz.core.train.metrics import History
from nnviz.core.train.optimizers import Hyper, OptimizerState


def test_two_batches_then_step_epoch_ends_on_the_epoch_boundary() -> None:
    t = Trainer(Config())
    assert (t.epoch, t.batch, t.batches_per_epoch) == (0, 0, 25)
    t.step_batch()
    t.step_batch()
    assert (t.epoch, t.batch, t.total_steps) == (0, 2, 2)
    t.step_epoch()
    assert (t.epoch, t.batch, t.total_steps) == (1, 0, 25)
    t.step_epoch()
    assert (t.epoch, t.batch, t.total_steps) == (2, 0, 50)


def test_history_starts_at_epoch_0_and_grows_at_every_epoch_end() -> None:
    t = Trainer(Config())
    assert list(t.history_epoch) == [0] and t.history_train[0] == t.train_loss
    assert t.history_grad[0].shape == (3,) and np.all(t.history_grad[0] > 0)
    for _ in range(30):
        t.step_batch()                       # epoch 1 ends at the 25th batch
    assert t.train_epochs(3) == 3
    assert list(t.history_epoch) == [0, 1, 2, 3, 4]
    assert t.history_train[-1] == t.train_loss and t.history_test[-1] == t.test_loss
    assert np.array_equal(t.history_grad[-1], t.grad_norms())
    assert np.asarray(t.history_grad).shape == (5, 3)


def test_history_is_thinned_beyond_its_cap(monkeypatch) -> None:
    monkeypatch.setattr(History, "CAP", 8)
    t = Trainer(Config())
    t.train_epochs(40)
    epochs = np.asarray(t.history_epoch)
    assert len(epochs) <= 8 and epochs[0] == 0 and np.all(epochs[:-1] % t.history.stride == 0)
    assert epochs[-1] == t.epoch == 40 and t.history_train[-1] == t.train_loss   # the latest is kept
    assert len(t.history_train) == len(t.history_test) == len(t.history_grad) == len(epochs)


@pytest.mark.parametrize("cfg", [Config(batch_size=7), Config(batch_size=1, hidden_layers=(8, 8)),
                                 Config(optimizer="adam", regularization="l1", reg_rate=0.003, lr_decay=0.3,
                                        batch_size=3, hidden_layers=(5, 3), activation="relu"),
                                 Config(dataset="blobs", n_classes=3, optimizer="momentum", lr_decay=1.0)])
def test_train_epochs_equals_step_epoch(cfg) -> None:
    """Many epochs in one kernel call give exactly what step_epoch() does one at a time:
    parameters, optimiser state, counters, losses and the whole history, bit for bit."""
    a, b = Trainer(cfg), Trainer(cfg)
    a.step_batch()
    b.step_batch()
    assert a.train_epochs(9) == 9
    for _ in range(9):
        b.step_epoch()
    assert np.array_equal(a.network.params, b.network.params) and a.epoch == b.epoch == 9
    assert np.array_equal(a._opt.m, b._opt.m) and np.array_equal(a._opt.v, b._opt.v) and a._opt.t == b._opt.t
    assert (a.batch, a.total_steps, a.train_loss, a.test_loss) == (b.batch, b.total_steps, b.train_loss, b.test_loss)
    assert np.array_equal(a.grad, b.grad) and np.array_equal(a.last_batch, b.last_batch)
    for name in ("history_epoch", "history_train", "history_test", "history_grad"):
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name))), name


def test_train_epochs_stops_at_the_epoch_that_reaches_the_target_loss() -> None:
    ref = Trainer(Config())
    ref.train_epochs(60)
    target = float(np.asarray(ref.history_test)[30])     # first reached at some epoch e <= 30
    first = int(np.argmax(np.asarray(ref.history_test) <= target))
    t = Trainer(Config())
    done = t.train_epochs(60, target_loss=target)
    assert done == t.epoch == first and t.test_loss <= target
    assert np.array_equal(np.asarray(t.history_test), np.asarray(ref.history_test)[:first + 1])


def test_step_batch_matches_the_reference_while_the_optimiser_holds_state() -> None:
    cfg = Config(optimizer="adam", regularization="l2", reg_rate=0.003, lr_decay=0.5, batch_size=30)
    t = Trainer(cfg)
    net, state = t.network.copy(), OptimizerState.zeros(t.network.params.size)
    for _ in range(2 * t.batches_per_epoch + 3):
        h = Hyper.from_config(cfg, t.epoch)
        lo = t.batch * cfg.batch_size
        reference.batch_update(net, state, t._xtr[lo:lo + 30], t._ttr[lo:lo + 30], h)
        t.step_batch()
        assert np.max(np.abs(t.network.params - net.params)) < 1e-12
    assert t._opt.t == state.t and np.max(np.abs(t._opt.v - state.v)) < 1e-12


def npz_round_trip(d: dict) -> dict:
    """Through an .npz in memory, as a session file stores it (no pickle)."""
    buf = io.BytesIO()
    np.savez(buf, **d)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_state_dict_round_trip_continues_bit_for_bit() -> None:
    cfg = Config(dataset="spiral", hidden_layers=(6, 4), optimizer="adam", regularization="l1",
                 reg_rate=0.001, lr_decay=0.1, batch_size=7)
    t = Trainer(cfg)
    t.train_epochs(3)
    t.step_batch()
    t.step_batch()
    d = npz_round_trip(t.state_dict())
    assert all(isinstance(v, (np.ndarray, int, float, str)) for v in t.state_dict().values())
    copies = [Trainer.from_state_dict(d), Trainer(Config(dataset="xor"))]
    copies[1].load_state_dict(d)
    for u in (t, *copies):
        u.train_epochs(4)
        u.step_batch()
    for u in copies:
        assert u.config == cfg and (u.epoch, u.batch, u.total_steps) == (t.epoch, t.batch, t.total_steps)
        assert np.max(np.abs(u.network.params - t.network.params)) <= 1e-12
        assert np.array_equal(u.network.params, t.network.params)        # in fact exactly
        assert np.array_equal(np.asarray(u.history_train), np.asarray(t.history_train))
        assert np.array_equal(np.asarray(u.history_grad), np.asarray(t.history_grad))
        assert u.test_loss == t.test_loss and np.array_equal(u.grad, t.grad)


@pytest.mark.parametrize("damage", ["missing", "shape", "nan", "config", "format", "labels", "batch"])
def test_a_bad_state_dict_is_refused_and_changes_nothing(damage: str) -> None:
    good = Trainer(Config(hidden_layers=(3,)))
    good.train_epochs(2)
    d = good.state_dict()
    if damage == "missing":
        del d["opt_m"]
    elif damage == "shape":
        d["params"] = d["params"][:-1]
    elif damage == "nan":
        d["params"][0] = np.nan
    elif damage == "config":
        d["config"] = d["config"].replace('"noise": 0', '"noise": 99')
    elif damage == "format":
        d["format"] = "something else"
    elif damage == "labels":
        d["train_y"] = d["train_y"] * 3
    else:
        d["batch"] = 10_000
    t = Trainer(Config(dataset="xor"))
    t.step_batch()
    before = (t.network.params.copy(), t.epoch, t.batch, t.config, t.train_x.copy())
    with pytest.raises(ValueError):
        t.load_state_dict(d)
    assert np.array_equal(before[0], t.network.params) and before[1:4] == (t.epoch, t.batch, t.config)
    assert np.array_equal(before[4], t.train_x)


def test_divergence_at_learning_rate_10_is_reported_in_words_and_reset_recovers() -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    assert t.diverged == ""
    done = t.train_epochs(100)
    assert done < 100
    message = t.diverged
    assert "learning rate (10)" in message and "Reset" in message and f"epoch {t.epoch}" in message
    assert t.train_epochs(5) == 0                # nothing more happens until reset
    t.reset()
    assert t.diverged == "" and t.epoch == 0 and len(t.history_epoch) == 1


def test_set_weight_and_bias_change_the_loss_at_once_and_refuse_bad_values() -> None:
    t = Trainer(Config())
    loss = t.test_loss
    t.set_weight(2, 0, 1, 3.5)
    assert t.network.weights[2][0, 1] == 3.5 and t.test_loss != loss
    t.set_bias(2, 0, -0.75)                      # the output neuron's bias too
    assert t.network.biases[2][0] == -0.75
    assert t.test_loss == pytest.approx(reference.mean_loss(t.network, t._xte, t._tte), abs=1e-12)
    params = t.network.params.copy()
    for bad in [(3, 0, 0, 1.0), (0, 4, 0, 1.0), (0, 0, 2, 1.0), (-1, 0, 0, 1.0), (0, 0, 0, float("nan")),
                (0, 0, 0, float("inf")), (0, 0, 0, "text"), (0, 0, 0, 1e400), (0, 0, 0, 1e9)]:
        with pytest.raises(ValueError):
            t.set_weight(*bad)
    with pytest.raises(ValueError):
        t.set_bias(1, 2, 0.0)
    assert np.array_equal(params, t.network.params)


def test_set_config_follows_the_reset_scope() -> None:
    t = Trainer(Config())
    t.train_epochs(3)
    x = t.train_x.copy()
    t.set_config(t.config.replace(hidden_layers=(5,)))           # 'network'
    assert t.network.layer_sizes == (2, 5, 1) and t.epoch == 0 and len(t.history_epoch) == 1
    assert np.array_equal(t.train_x, x) and t._opt.t == 0
    t.train_epochs(2)
    t.set_config(t.config.replace(noise=20))                       # 'data'
    assert t.epoch == 0 and not np.array_equal(t.train_y, Trainer(Config()).train_y)
    fresh = Trainer(t.config)
    assert np.array_equal(t.network.params, fresh.network.params)  # same seed, same start
    t.set_config(t.config.replace(dataset="blobs", n_classes=4))   # 4 classes: softmax
    assert t.network.layer_sizes[-1] == 4 and t.n_classes == 4


def test_regenerate_replaces_the_data_and_keeps_weights_epoch_and_history() -> None:
    t = Trainer(Config())
    t.train_epochs(3)
    keep = (t.network.params.copy(), t.epoch, list(t.history_train))
    old = t.train_x.copy()
    t.regenerate(123)
    assert not np.array_equal(old, t.train_x)
    assert np.array_equal(keep[0], t.network.params) and (t.epoch, list(t.history_train)) == keep[1:]
    # the new seed is in the settings (the Seed box shows it): they make the same points again
    assert t.config == Config(seed=123) and np.array_equal(Trainer(t.config).train_x, t.train_x)
    t.step_epoch()
    assert t.epoch == 4


def test_before_any_step_the_epoch_0_point_follows_regenerate_and_edits() -> None:
    t = Trainer(Config(seed=2))
    t.regenerate(77)
    assert list(t.history_epoch) == [0]
    assert (t.history_train[0], t.history_test[0]) == (t.train_loss, t.test_loss)
    other = Trainer(Config(seed=77))                        # the same points, other weights...
    other.load_params(t.network.params)                     # ...made the same
    assert (t.train_loss, t.test_loss) == (other.train_loss, other.test_loss)
    t.set_weight(0, 1, 0, 2.5)
    t.set_bias(1, 0, -0.5)
    assert (t.history_train[0], t.history_test[0]) == (t.train_loss, t.test_loss)
    assert np.array_equal(t.history_grad[0], t._first_grad_norms())
    t.step_batch()                          # trained: from now on the history is history
    first = (t.history_train[0], t.history_test[0])
    t.set_weight(0, 1, 0, -2.5)
    t.regenerate(5)
    assert (t.history_train[0], t.history_test[0]) == first and list(t.history_epoch) == [0]


def test_set_data_uses_the_given_points_and_rebuilds_only_when_the_output_must_change() -> None:
    t = Trainer(Config())
    t.train_epochs(2)
    params = t.network.params.copy()
    train, test = make_data("xor", 0, 50, 5)
    t.set_data(train, test)
    assert t.config.dataset == "custom" and np.array_equal(t.train_x, train.x)
    assert np.array_equal(t.network.params, params) and t.epoch == 2
    train3, test3 = make_data("spiral3", 0, 50, 5)
    t.set_data(train3, test3)
    assert t.network.output_kind == "softmax_ce" and t.network.layer_sizes[-1] == 3 and t.epoch == 0
    t.add_point(1.0, 2.0, 2)
    assert len(t.train_x) == len(train3) + 1 and t.train_y[-1] == 2
    with pytest.raises(ValueError):
        t.add_point(0.0, 0.0, 7)
    t.erase_points(1.0, 2.0, 0.01)
    assert len(t.train_x) == len(train3)
    t.train_epochs(2)
    assert not t.diverged


def test_snapshot_fills_every_field_with_copies() -> None:
    t = Trainer(Config(hidden_layers=(4, 2)))
    t.step_batch()
    s = t.snapshot(seq=7, playing=True)
    assert isinstance(s, Snapshot) and s.seq == 7 and s.playing and s.diverged == ""
    assert [w.shape for w in s.weights] == [(4, 2), (2, 4), (1, 2)]
    assert [g.shape for g in s.grad_weights] == [(4, 2), (2, 4), (1, 2)]
    assert [g.shape for g in s.grid] == [(2, 100, 100), (4, 100, 100), (2, 100, 100), (1, 100, 100)]
    assert (s.epoch, s.batch, s.batches_per_epoch, s.total_steps) == (0, 1, 25, 1)
    assert s.confusion.shape == (2, 2) and s.confusion.sum() == len(t.test_x)
    assert s.test_accuracy == np.trace(s.confusion) / len(t.test_x) and np.isnan(s.r2_test)
    assert s.history_grad.shape == (1, 3) and list(s.last_batch) == list(range(10))
    assert s.feature_names == ("X\u2081", "X\u2082")
    s.weights[0][:] = 99.0
    s.grad_weights[0][:] = 99.0
    s.train_x[:] = 99.0
    s.history_train[:] = 99.0
    s.last_batch[:] = 99
    assert not np.any(t.network.weights[0] == 99.0) and not np.any(t.grad == 99.0)
    assert not np.any(t.train_x == 99.0) and t.history_train[0] != 99.0 and t.last_batch[0] == 0


def test_regression_scores() -> None:
    t = Trainer(Config(dataset="reg-plane"))
    t.train_epochs(20)
    s = t.snapshot()
    assert s.confusion.shape == (0, 0) and np.isnan(s.test_accuracy) and 0.9 < s.r2_test <= 1.0


def test_reset_returns_to_the_seeded_initial_weights() -> None:
    t = Trainer(Config(seed=3))
    start = t.network.params.copy()
    t.train_epochs(2)
    t.reset()
    assert np.array_equal(t.network.params, start) and t.epoch == 0 and t.total_steps == 0
    assert not np.array_equal(start, Trainer(Config(seed=4)).network.params)


def test_gradient_views_share_the_flat_gradient() -> None:
    t = Trainer(Config(hidden_layers=(3, 2)))
    t.step_batch()
    assert [g.shape for g in t.grad_weights] == [w.shape for w in t.network.weights]
    assert [g.shape for g in t.grad_biases] == [b.shape for b in t.network.biases]
    assert np.shares_memory(t.grad_weights[1], t.grad)
    rms = [np.sqrt(np.mean(g ** 2)) for g in t.grad_weights]
    assert np.allclose(t.grad_norms(), rms, rtol=1e-15, atol=0)


def test_custom_data_with_an_empty_test_set_trains() -> None:
    train, _ = make_data("circle", 0, 50, 0)
    t = Trainer(Config(), data=(train, Dataset(np.zeros((0, 2)), np.zeros(0), 2)))
    t.train_epochs(2)
    assert t.epoch == 2 and t.diverged == "" and np.isnan(t.test_loss)


@pytest.mark.parametrize("config", [Config(), Config(optimizer="adam", batch_size=7, regularization="l1",
                                                      reg_rate=0.003, lr_decay=0.1),
                                    # the Playground's leftover points carried, links dying under L1
                                    Config(batch_size=30, regularization="l1", reg_rate=0.03, learning_rate=0.3)])
def test_train_batches_is_step_batch_repeated_and_stops_at_the_epoch_end(config) -> None:
    """The worker's way through a long epoch: k batches in one call, bit for bit the same
    as k single steps, never past the epoch's end (the epoch is then recorded once)."""
    a, b = Trainer(config), Trainer(config)
    bpe = a.batches_per_epoch
    a.train_epochs(2)
    b.train_epochs(2)
    assert a.train_batches(3) == 3
    assert a.train_batches(bpe) == bpe - 3          # only what is left of the epoch
    assert a.train_batches(4) == 4                  # on into the next epoch
    for _ in range(bpe + 4):
        b.step_batch()
    assert (a.epoch, a.batch, a.total_steps) == (b.epoch, b.batch, b.total_steps) == (3, 4, 3 * bpe + 4)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.grad.tobytes() == b.grad.tobytes()
    assert [d.tobytes() for d in a.dead] == [d.tobytes() for d in b.dead]
    assert a.carried_count == b.carried_count and a.last_batch.tolist() == b.last_batch.tolist()
    # the epoch's end was scored as step_epoch scores it: the same history, bit for bit
    assert list(a.history_epoch) == list(b.history_epoch) == [0, 1, 2, 3]
    for name in ("history_train", "history_test", "history_grad"):
        assert np.asarray(getattr(a, name)).tobytes() == np.asarray(getattr(b, name)).tobytes(), name
    # four batches into epoch 4 the losses are still those of the epoch's end, until scored
    assert a.train_loss == a.history_train[-1] != b.train_loss
    a.score()
    assert (a.train_loss, a.test_loss, a.train_accuracy) == (b.train_loss, b.test_loss, b.train_accuracy)
    assert a.train_batches(0) == 0 and a.total_steps == 3 * bpe + 4
