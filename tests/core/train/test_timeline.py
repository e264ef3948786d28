"""The timeline: a restored trainer continues bit for bit as the run did; checkpoints stay
bounded in number and bytes; the spacing grows; the history comes back as it was."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.state import assert_same_state
from nnviz.core import Config, Dataset, Trainer, compiled
from nnviz.core.config import FEATURES
from nnviz.core.train import timeline as tl
from nnviz.core.train.metrics import History

NETWORK_B = Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6)


def _script(t: Trainer, upto: int) -> None:
    """The run the tests replay: 5 epochs, a hand edit, three single batches, then on to
    epoch `upto`, with a learning-rate change at epoch 9."""
    t.train_epochs(5)
    t.set_weight(0, 1, 0, 0.75)
    for _ in range(3):
        t.step_batch()
    t.train_epochs(9 - t.epoch)
    t.set_learning_rate(t.config.learning_rate / 2)
    t.train_epochs(upto - t.epoch)


CASES = [Config(optimizer=opt, batch_size=b) for opt in ("sgd", "adam") for b in (1, 10, 7)]
CASES.append(Config(optimizer="sgd", batch_size=7, regularization="l1", reg_rate=0.01, hidden_layers=(6, 4)))


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: f"{c.optimizer}-b{c.batch_size}-{c.regularization}")
def test_restore_then_train_equals_uninterrupted_training(cfg) -> None:
    """Restore to k, train to m: the same state as training straight to m, bit for bit
    (weights, optimiser memory, carried points, dead links, counters, scores, history),
    with a hand edit, single steps and a rate change on the way. Batch 7 leaves 5 of the
    250 training points over each epoch (carried by SGD, a short batch for Adam)."""
    straight = Trainer(cfg)
    _script(straight, 20)
    t = Trainer(cfg)
    _script(t, 40)
    assert t.restore(12) == 12 and t.epoch == 12 and t.timeline.epochs[-1] == 12   # the future is gone
    t.train_epochs(8)
    assert_same_state(t, straight)
    # the newest checkpoint in epoch 5 is the one before the third single step: mid-epoch
    assert t.restore(5) == 5 and t.batch == 2
    t.step_batch()
    t.train_epochs(9 - t.epoch)
    t.set_learning_rate(t.config.learning_rate / 2)
    t.train_epochs(20 - t.epoch)
    assert_same_state(t, straight)


@pytest.mark.parametrize("cfg", [CASES[2], CASES[4], CASES[6]], ids=["sgd-b7", "adam-b10", "sgd-b7-l1"])
def test_the_numpy_path_keeps_the_same_timeline_and_restores_bit_for_bit(cfg) -> None:
    """While the kernel compiles (a first start) the numpy path trains epoch by epoch; its
    checkpoints fall on the same epochs, and a restore continues bit for bit there too."""
    with compiled.numpy_only():
        straight = Trainer(cfg)
        _script(straight, 20)
        t = Trainer(cfg)
        _script(t, 30)
        assert compiled.available() is False
    kernel = Trainer(cfg)
    _script(kernel, 30)
    assert t.timeline.epochs == kernel.timeline.epochs
    assert [c.reason for c in t.timeline.entries] == [c.reason for c in kernel.timeline.entries]
    with compiled.numpy_only():
        assert t.restore(12) == 12
        t.train_epochs(8)
    assert_same_state(t, straight)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_restore_before_an_edit_then_the_same_edit_gives_the_same_run(optimizer) -> None:
    cfg = Config(optimizer=optimizer, batch_size=7)
    straight = Trainer(cfg)
    _script(straight, 20)
    t = Trainer(cfg)
    _script(t, 30)
    assert t.restore(3) == 3
    t.train_epochs(2)
    t.set_weight(0, 1, 0, 0.75)
    for _ in range(3):
        t.step_batch()
    t.train_epochs(9 - t.epoch)
    t.set_learning_rate(t.config.learning_rate / 2)
    t.train_epochs(20 - t.epoch)
    assert_same_state(t, straight)


def test_checkpoints_before_each_edit_step_and_change() -> None:
    t = Trainer(Config())
    t.train_epochs(3)
    assert t.timeline.epochs == [0, 1, 2, 3]
    t.set_weight(0, 0, 0, 0.5)                      # epoch 3's checkpoint is the state before it
    before = t.get_bias(1, 0)
    t.set_bias(1, 0, 0.25)                          # the state after the first edit is kept
    assert [c.reason for c in t.timeline.entries][-1] == "edit" and len(t.timeline) == 5
    assert t.timeline[-1].arrays["params"][t.network.b_off[1]] == before
    t.step_batch()                                  # the state after both edits, before the step
    t.step_batch()
    assert [c.reason for c in t.timeline.entries][-2:] == ["step", "step"]
    assert [c.batch for c in t.timeline.entries][-2:] == [0, 1]
    t.regenerate(7)
    assert t.timeline[-1].reason == "data" and t.timeline[-1].data[0] is not t.train_x
    t.step_epoch()                                  # from mid-epoch 3, after the new data
    assert [c.reason for c in t.timeline.entries][-2:] == ["step", "epoch"]
    assert t.timeline[-2].data[0] is t.train_x and t.timeline[-1].epoch == 4
    n = len(t.timeline)
    t.step_epoch()
    assert len(t.timeline) == n + 1 and t.timeline[-1].reason == "epoch"


def test_restore_brings_back_the_old_data_and_settings() -> None:
    t = Trainer(Config())
    t.train_epochs(10)
    old = (t.train_x, t.train_y, t.test_x, t.test_y)
    t.regenerate(99)
    t.set_learning_rate(0.3)
    t.train_epochs(10)
    straight = Trainer(Config())
    straight.train_epochs(15)
    # at epoch 10: its end (the old data), before the rate change, before training went on
    assert [c.reason for c in t.timeline.entries if c.epoch == 10] == ["epoch", "settings", "resume"]
    assert t.restore(10) == 10 and t.train_x is not old[0] and t.config.learning_rate == 0.3
    t.restore_checkpoint(t.timeline.epochs.index(10))
    assert all(a is b for a, b in zip((t.train_x, t.train_y, t.test_x, t.test_y), old)) and t.config == Config()
    t.train_epochs(5)
    assert_same_state(t, straight)


def test_restore_before_the_timeline_is_refused_and_changes_nothing() -> None:
    t = Trainer(Config())
    t.train_epochs(4)
    with pytest.raises(ValueError, match="begins at epoch 0"):
        t.restore(-1)
    assert t.epoch == 4
    t.reset()
    assert t.timeline.epochs == [0]


def test_a_diverged_network_is_not_kept() -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    t.train_epochs(50)
    assert t.diverged and t.epoch < 50
    for cp in t.timeline.entries:
        assert np.all(np.isfinite(cp.arrays["params"]))
    epoch = t.restore(t.timeline.epochs[-1])
    assert not t.diverged and t.epoch == epoch


def test_the_bound_holds_after_100000_epochs_of_network_b() -> None:
    """Network B (7 features, 6 x 8 tanh, P = 433) under SGD with L1, batch 7: the carried
    gradient and the dead-link mask are held too. Its 20 first points make an epoch fast;
    what a checkpoint costs depends on the network alone."""
    t = Trainer(NETWORK_B.replace(regularization="l1", reg_rate=0.001, batch_size=7))
    t.set_data(Dataset(t.train_x[:20], t.train_y[:20], 2), Dataset(t.test_x[:20], t.test_y[:20], 2))
    while t.epoch < 100_000:
        t.train_epochs(100_000 - t.epoch)
    p = t.network.params.size
    assert p == 433 and t.epoch == 100_000
    assert len(t.timeline) == tl.CAPACITY
    # each: params, grad, last update, carried gradient, dead links (8 bytes each), the
    # scores (5 + L floats), the last batch's and the carried points' indices (at most 7 + 6)
    one = 5 * 8 * p + 8 * (5 + 7) + 8 * 13
    assert max(c.nbytes for c in t.timeline.entries) <= one
    assert t.timeline.nbytes <= tl.CAPACITY * one <= tl.BUDGET
    assert t.timeline.data_bytes == 8 * 3 * (500 + 40)        # the 40 points, and the 500 before them
    epochs = np.array(t.timeline.epochs)
    assert np.all(np.diff(epochs) >= 0) and 100_000 - tl.stride(100_000) < epochs[-1] <= 100_000
    assert set(range(6)) <= set(epochs.tolist())              # dense at the start
    assert epochs[-1] - epochs[-2] == tl.stride(100_000)      # and now
    gaps = np.diff(epochs[epochs > 100])
    assert gaps.max() > 10 * gaps.min()                       # sparser in between
    # the README's list: the first (and the state after the new data), then denser at both ends
    assert epochs[:13].tolist() == [0, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20]
    assert epochs[-4:].tolist() == [92160, 94208, 96256, 98304] and 61440 in epochs and 69632 in epochs
    assert 0 < t.restore(50_000) <= 50_000


@pytest.mark.parametrize("optimizer,arrays,fit", [("sgd", 3, 26), ("momentum", 4, 20), ("adam", 5, 16)])
def test_the_largest_network_is_bounded_by_bytes(optimizer, arrays, fit) -> None:
    """Ten hidden layers of 32 (P = 9,793): 78 kB an array, 3 to 5 arrays a checkpoint (the
    README's figures); one more may fit while the first, made before the optimiser's memory
    or the last update held anything, is kept."""
    t = Trainer(Config(features=FEATURES, hidden_layers=(32,) * 10, optimizer=optimizer, learning_rate=0.001))
    t.set_data(Dataset(t.train_x[:10], t.train_y[:10], 2), Dataset(t.test_x[:10], t.test_y[:10], 2))
    t.train_epochs(300)
    p = t.network.params.size
    assert p == 9793
    one = arrays * 8 * p + 8 * (5 + 11) + 8 * 10
    assert max(c.nbytes for c in t.timeline.entries) <= one
    assert t.timeline.nbytes <= tl.BUDGET and tl.BUDGET // one == fit <= len(t.timeline) <= fit + 1


def test_the_candidate_grid() -> None:
    assert [tl.stride(e) for e in (1, 63, 64, 127, 128, 100_000)] == [1, 1, 2, 2, 4, 2048]
    assert sum(tl.due(e) for e in range(1, 64)) == 63
    assert sum(tl.due(e) for e in range(64, 128)) == sum(tl.due(e) for e in range(4096, 8192)) == 32
    for e in (0, 63, 64, 65, 127, 1000, 99_999):
        n = tl.next_due(e)
        assert n > e and tl.due(n) and not any(tl.due(k) for k in range(e + 1, n))


def _fake(epoch: int, total: int = 1) -> tl.Checkpoint:
    return tl.Checkpoint(epoch=epoch, batch=0, per_epoch=1, total_steps=total, reason="epoch", config=Config(),
                         data=(np.zeros((1, 2)),) * 4, n_classes=2, data_seed=0,
                         arrays={"params": np.zeros(10)}, ints={}, history=None)


def test_thinning_keeps_the_first_the_newest_and_the_start() -> None:
    line = tl.Timeline(capacity=16)
    line.add(_fake(0, total=0))
    line.add(_fake(0, total=0))          # the start: edits before training
    for e in range(1, 500):
        line.add(_fake(e, total=e))
    epochs = line.epochs
    assert len(line) == 16 and epochs[:2] == [0, 0] and epochs[-1] == 499 and line.start == 1
    # the spacing grows with the distance from the nearer end
    gaps = np.diff(epochs[1:])
    assert epochs[2] <= 2 and epochs[-2] >= 497 and np.argmax(gaps) in range(4, 10)
    assert np.all(np.diff(gaps[:6]) >= 0) and np.all(np.diff(gaps[-6:]) <= 0)


def test_history_cut_back_is_exact_while_not_thinned(monkeypatch) -> None:
    t = Trainer(Config())
    t.train_epochs(30)
    straight = (t.history.epoch.array().copy(), t.history.train.array().copy())
    t.train_epochs(30)
    t.restore(30)
    assert np.array_equal(t.history.epoch.array(), straight[0])
    assert t.history.train.array().tobytes() == straight[1].tobytes()
    monkeypatch.setattr(History, "CAP", 16)
    t = Trainer(Config())
    t.train_epochs(40)
    assert t.history.stride > 1
    t.restore(21)
    epochs = t.history.epoch.array()
    assert epochs[-1] == 21 and np.all(epochs[:-1] % t.history.stride == 0) and np.all(np.diff(epochs) > 0)


def test_fork_is_independent() -> None:
    t = Trainer(Config(optimizer="momentum"))
    t.train_epochs(7)
    f = t.fork()
    assert_same_state(f, t)
    f.train_epochs(5)
    f.set_weight(0, 0, 0, 0.1)
    assert t.epoch == 7 and t.get_weight(0, 0, 0) != 0.1
    t.train_epochs(5)
    g = Trainer(Config(optimizer="momentum"))
    g.train_epochs(12)
    assert_same_state(t, g)
    assert f.timeline[0] is t.timeline[0]      # checkpoints are shared, never copied
    for net in (f.network, t.network):         # the weights are views into each one's own params
        assert all(np.shares_memory(w, net.params) for w in net.weights + net.biases)


def test_view_checkpoint_leaves_the_trainer_alone() -> None:
    t = Trainer(Config())
    t.train_epochs(20)
    before = t.state_dict()
    v = t.view_checkpoint(3)
    assert v.epoch == 3 and t.epoch == 20 and len(t.timeline) == 21
    assert before["params"].tobytes() == t.state_dict()["params"].tobytes()
    ref = Trainer(Config())
    ref.train_epochs(3)
    assert v.network.params.tobytes() == ref.network.params.tobytes() and v.test_loss == ref.test_loss
    snap, want = v.snapshot(), ref.snapshot()
    for a, b in zip(snap.weights + snap.biases + snap.grid, want.weights + want.biases + want.grid):
        assert a.tobytes() == b.tobytes()


def test_part_epochs_keep_the_timeline_and_restore_bit_for_bit() -> None:
    """The worker's time box trains a long epoch in parts (train_batches): an edit in the
    middle is kept before it, and a restore there continues as the run did."""
    def run(t: Trainer, upto: int) -> None:
        t.train_batches(7)
        t.set_weight(0, 1, 0, 0.75)                      # mid-epoch, after unscored batches
        t.train_batches(30)                              # stops at the epoch's end (25 batches)
        while t.epoch < upto:
            t.train_batches(9)

    cfg = Config(optimizer="adam", batch_size=10)
    straight = Trainer(cfg)
    run(straight, 6)
    t = Trainer(cfg)
    run(t, 12)
    edit = [c for c in t.timeline.entries if c.reason == "edit"]
    assert len(edit) == 1 and (edit[0].epoch, edit[0].batch) == (0, 7)
    assert t.restore(4) == 4 and t.batch == 0
    while t.epoch < 6:
        t.train_batches(9)
    assert_same_state(t, straight)


def test_a_stroke_and_its_undo_are_steps_on_the_timeline() -> None:
    t = Trainer(Config())
    n = len(t.train_x)
    t.train_epochs(3)
    change = t.add_points([[3.0, 3.0], [4.0, 4.0]], [1.0, -1.0])
    t.train_epochs(2)
    t.replay_stroke(change, undo=True)                    # the drawn points go again
    assert len(t.train_x) == n and len(t.timeline[-1].data[0]) == n + 2   # kept from before it
    assert t.restore(5) == 5 and len(t.train_x) == n + 2  # back to before the undo
    t.restore_checkpoint(t.timeline.epochs.index(3))      # and to before the stroke
    assert len(t.train_x) == n and t.config == Config()
