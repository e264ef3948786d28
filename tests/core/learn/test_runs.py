"""Runs side by side: fair starts (same data, seed and initial weights), the same pace,
legends that name what differs, branches from the timeline."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer
from nnviz.core.learn.runs import MAX_RUNS, RunSet, differences


def test_two_runs_with_identical_settings_give_bit_identical_curves() -> None:
    runs = RunSet(Trainer(Config(batch_size=7)))
    runs.duplicate()
    for _ in range(3):
        runs.step_batch()
    runs.train_epochs(40)
    a, b = runs.trainers
    assert a.epoch == b.epoch == 40
    for name in ("epoch", "train", "test", "grad"):
        x, y = getattr(a.history, name).array(), getattr(b.history, name).array()
        assert x.tobytes() == y.tobytes(), name
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert runs.names() == ["run 1", "run 2"]


def test_runs_that_differ_only_in_the_optimiser_start_from_identical_weights() -> None:
    base = Trainer(Config())
    base.set_weight(0, 0, 0, 0.42)          # a hand-set start counts as the initial weights
    base.train_epochs(30)                    # the base has moved on; duplicates start where it started
    runs = RunSet(base)
    start = base.timeline[base.timeline.start].arrays["params"]
    assert start[0] == 0.42
    for opt in ("momentum", "adam"):
        k = runs.duplicate(0, optimizer=opt)
        t = runs.runs[k].trainer
        assert t.epoch == 0 and t.config == base.config.replace(optimizer=opt)
        assert t.network.params.tobytes() == start.tobytes()
        assert t.train_x.tobytes() == base.train_x.tobytes() and t.test_y.tobytes() == base.test_y.tobytes()
        assert t.data_seed == base.data_seed
    assert runs.names() == ["SGD", "momentum", "Adam"]
    # a different init, by contrast, draws its own weights from the same seed
    k = runs.duplicate(0, init="xavier")
    assert runs.runs[k].trainer.network.params.tobytes() == Trainer(base.config.replace(init="xavier")).network.params.tobytes()
    assert runs.names()[k] == "SGD, Xavier init"


def test_a_duplicate_trains_as_a_fresh_run_with_its_settings_would() -> None:
    runs = RunSet(Trainer(Config()))
    k = runs.duplicate(0, learning_rate=0.1, batch_size=5, activation="relu", regularization="l2", reg_rate=0.001)
    runs.train_epochs(25)
    alone = Trainer(Config(learning_rate=0.1, batch_size=5, activation="relu", regularization="l2", reg_rate=0.001))
    alone.train_epochs(25)
    assert runs.runs[k].trainer.network.params.tobytes() == alone.network.params.tobytes()
    assert runs.names() == ["lr 0.03, batch 10, Tanh, no regularisation",
                            "lr 0.1, batch 5, ReLU, L2 0.001"]


def test_same_pace_and_the_active_run_sets_it() -> None:
    runs = RunSet(Trainer(Config(learning_rate=0.003)))
    runs.duplicate(0, learning_rate=0.3)
    runs.select(1)
    ref = Trainer(Config(learning_rate=0.3))
    ref.train_epochs(200)
    target = float(ref.history.test.array()[20])
    done = runs.train_epochs(200, target_loss=target)
    assert done == runs.trainer.epoch <= 20 and runs.runs[0].trainer.epoch == done


def test_changes_that_touch_the_data_or_the_shape_are_refused() -> None:
    runs = RunSet(Trainer(Config()))
    with pytest.raises(ValueError, match="hidden_layers"):
        runs.duplicate(hidden_layers=(3,))
    with pytest.raises(ValueError):
        runs.duplicate(learning_rate=-1.0)
    for _ in range(MAX_RUNS - 1):
        runs.duplicate()
    with pytest.raises(ValueError, match="at most 4"):
        runs.duplicate()
    assert len(runs) == MAX_RUNS


def test_remove_keep_only_and_colours_stay_with_their_runs() -> None:
    runs = RunSet(Trainer(Config()))
    for opt in ("momentum", "adam", "rmsprop"):
        runs.duplicate(0, optimizer=opt)
    runs.select(2)
    adam = runs.trainer
    runs.remove(1)
    assert runs.trainer is adam and [r.colour for r in runs.runs] == [0, 2, 3]
    k = runs.duplicate(0, optimizer="nesterov")
    assert runs.runs[k].colour == 1                 # the free colour is used again
    runs.remove(runs.active)
    assert runs.active == 1 and len(runs) == 3
    runs.keep_only(2)
    assert len(runs) == 1 and runs.active == 0 and runs.trainer.config.optimizer == "nesterov"
    with pytest.raises(ValueError, match="only run"):
        runs.remove(0)
    assert runs.names() == [""] and runs.views() == ()


def test_a_branch_starts_from_the_checkpoint_and_leaves_the_original() -> None:
    t = Trainer(Config(optimizer="adam"))
    t.train_epochs(30)
    before = t.state_dict()["params"].tobytes()
    runs = RunSet(t)
    k = runs.branch(0, t.timeline.index_at(12))
    b = runs.runs[k].trainer
    assert b.epoch == 12 and t.epoch == 30 and t.state_dict()["params"].tobytes() == before
    assert runs.names() == ["run 1", "from epoch 12"]
    b.set_learning_rate(0.001)
    assert runs.names() == ["lr 0.03", "lr 0.001, from epoch 12"]
    ref = Trainer(Config(optimizer="adam"))
    ref.train_epochs(12)
    assert b.network.params.tobytes() == ref.network.params.tobytes()


def test_views_copy_what_the_small_panels_need() -> None:
    runs = RunSet(Trainer(Config()))
    runs.duplicate(0, optimizer="adam")
    runs.train_epochs(5)
    views = runs.views()
    assert [v.name for v in views] == ["SGD", "Adam"] and [v.colour for v in views] == [0, 1]
    for v, t in zip(views, runs.trainers):
        assert v.surface.shape == (1, 100, 100) and v.surface.dtype == np.float32
        assert np.array_equal(v.surface, t.network.grid_outputs()[-1])
        assert v.history_test.tobytes() == t.history.test.array().tobytes() and v.epoch == 5
        assert v.history_test is not t.history.test.array()


def test_differences_names_only_what_differs() -> None:
    cfgs = [Config(), Config(optimizer="momentum", momentum=0.5), Config(regularization="l1", reg_rate=0.01)]
    assert differences(cfgs) == ["SGD, momentum 0.9, no regularisation", "momentum, momentum 0.5, no regularisation",
                                 "SGD, momentum 0.9, L1 0.01"]
    assert differences([Config(), Config()]) == ["", ""]


def test_a_run_rebuilt_with_another_shape_is_named_by_it() -> None:
    runs = RunSet(Trainer(Config()))
    runs.duplicate()
    runs.runs[1].trainer.set_config(Config(hidden_layers=(8,), features=("x1", "x2", "x1^2")))
    assert runs.names() == ["4-2 neurons, X1 X2", "8 neurons, X1 X2 X1^2"]
