"""What a divergence leaves behind never reaches a file, and good weights imported after one
train as if the divergence had never happened."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError
from nnviz.core.files import session
from nnviz.core.model.network import Network
from nnviz.core.train import reference
from nnviz.core.train.trainer import Trainer


def _diverge(config: Config) -> Trainer:
    t = Trainer(config)
    t.train_epochs(200)
    assert t.diverged
    return t


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "sgd"])
def test_importing_good_weights_after_a_divergence_clears_the_optimiser_state(tmp_path, optimizer) -> None:
    """The NaN gradient and velocity belonged to the blown-up weights: with momentum the next
    batch diverged again at once, and Save was refused although the network was healthy."""
    cfg = Config(dataset="reg-plane", optimizer=optimizer, learning_rate=10.0, hidden_layers=(6, 4), seed=1)
    good = Trainer(cfg.replace(learning_rate=0.03))
    good.train_epochs(5)
    files.export_weights(good.network, tmp_path / "good.json")

    t = _diverge(cfg)
    assert not np.all(np.isfinite(t.grad))
    t.set_config(t.config.replace(learning_rate=0.03))            # the lesson learned
    net = files.import_weights(tmp_path / "good.json")
    files.check_fits(net, t.network)
    t.load_params(net.params)
    assert not t.diverged
    assert not t.grad.any() and not t._opt.m.any() and not t._opt.v.any() and t._opt.t == 0

    # one batch from these weights equals the same optimiser's first step from scratch
    fresh = Trainer(cfg.replace(learning_rate=0.03), data=(Dataset(t.train_x, t.train_y, 0),
                                                         Dataset(t.test_x, t.test_y, 0)))
    fresh.load_params(net.params)
    fresh.batch = t.batch
    for _ in range(3):
        t.step_batch()
        fresh.step_batch()
    assert np.array_equal(t.network.params, fresh.network.params)
    assert np.all(np.isfinite(t.network.params)) and not t.diverged
    files.save_session(t, tmp_path / "after.nnviz")                # healthy again: saved


def test_importing_weights_clears_adams_moments_and_step_count() -> None:
    t = Trainer(Config(optimizer="adam"))
    t.train_epochs(3)
    assert t._opt.t > 0 and t._opt.m.any() and t._opt.v.any()
    t.load_params(Trainer(Config(seed=5)).network.params)
    assert t._opt.t == 0 and not t._opt.m.any() and not t._opt.v.any() and not t.grad.any()


def test_the_first_momentum_step_after_an_import_is_a_plain_gradient_step() -> None:
    """Independent reference: from zero velocity, momentum's first update is w - lr * g."""
    cfg = Config(optimizer="momentum", learning_rate=10.0, dataset="reg-plane")
    t = Trainer(cfg)
    t.train_epochs(50)
    assert t.diverged
    w = Trainer(cfg.replace(learning_rate=0.1)).network.params.copy()
    t.set_config(cfg.replace(learning_rate=0.1))
    t.load_params(w)
    net = Network(t.network.layer_sizes, t.network.hidden_activations, t.network.output_kind,
                  t.network.feature_names)
    net.set_params(w)
    b = t._batch_points(t.batch, np.zeros(0, dtype=np.int64))   # momentum carries nothing
    g = reference.gradient(net, t._xtr[b], t._ttr[b])
    t.step_batch()
    assert np.allclose(t.network.params, w - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_weights_past_the_file_limit_are_diverged_and_neither_saved_nor_exported(tmp_path) -> None:
    """Weights of 2e17 with a finite loss (regression, ReLU, SGD at rate 3) were not called
    diverged: training went on, Export refused them and Save accepted them."""
    t = Trainer(Config(dataset="reg-plane", activation="relu", learning_rate=3.0))
    t.train_epochs(5)
    assert np.all(np.isfinite(t.network.params)) and math.isfinite(t.train_loss)
    assert np.abs(t.network.params).max() > 1e6
    assert t.diverged.startswith("A weight grew past +-1e+06 by epoch ")
    assert "press Reset" in t.diverged and t.train_epochs(10) == 0       # it stays paused
    with pytest.raises(ValueError, match="cannot save a diverged run.*press Reset"):
        files.save_session(t, tmp_path / "s.nnviz")
    with pytest.raises(ValueError, match="too large"):
        files.export_weights(t.network, tmp_path / "w.json")
    assert list(tmp_path.iterdir()) == []
    t.reset()
    assert not t.diverged
    files.save_session(t, tmp_path / "s.nnviz")


def test_a_run_with_an_infinite_loss_is_not_saved_and_such_a_file_is_refused(tmp_path) -> None:
    """Weights of 4e171 gave an infinite loss with finite weights; the old code saved the
    run, and the session reopened already diverged."""
    t = Trainer(Config(dataset="reg-plane", activation="relu"))
    t.network.params[:] = 4e171            # what the kernel left after a blow-up
    t._refresh()
    assert np.all(np.isfinite(t.network.params)) and not math.isfinite(t.train_loss)
    assert t.diverged.startswith("The loss became infinite/NaN")
    with pytest.raises(ValueError, match="cannot save a diverged run"):
        files.save_session(t, tmp_path / "s.nnviz")
    meta, arrays = session.encode(t)      # what the old code wrote
    with pytest.raises(FormatError, match="beyond \\+-1e\\+06"):
        session.decode(meta, arrays, "s.nnviz")


@pytest.mark.filterwarnings("ignore:overflow encountered")   # the gradient sizes at epoch 0
def test_within_the_limits_a_loss_cannot_overflow_but_a_diverged_file_is_refused_anyway() -> None:
    """The largest weights (1e6) on the farthest points (1e6, squared by a feature) through
    the deepest linear network stay near 1e187: below overflow. A file whose run has
    diverged in another way (here a NaN loss forced by hand) is refused all the same."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1e6, 1e6, (40, 2))
    data = Dataset(x[:30], rng.normal(size=30), 0), Dataset(x[30:], rng.normal(size=10), 0)
    cfg = Config(dataset="custom-regression", features=("x1^2", "x2^2"), hidden_layers=(32,) * 10,
                 activation="linear")
    t = Trainer(cfg, data=data)
    t.load_params(np.full(t.network.params.size, 1e6))
    assert math.isfinite(t.train_loss) and t.train_loss > 1e150 and not t.diverged
    meta, arrays = session.encode(t)
    arrays["train_y"] = arrays["train_y"].copy()
    original = Trainer._not_finite
    try:
        Trainer._not_finite = lambda self: True
        with pytest.raises(FormatError, match="has diverged"):
            session.decode(meta, arrays, "s.nnviz")
    finally:
        Trainer._not_finite = original


def test_the_loss_history_csv_holds_finite_numbers_only(tmp_path) -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    t.train_epochs(100)
    assert t.diverged and not all(math.isfinite(v) for v in t.history_train)
    files.export_history_csv(t, tmp_path / "h.csv")
    rows = [r.split(",") for r in (tmp_path / "h.csv").read_text().splitlines()[1:]]
    values = [float(v) for r in rows for v in r[1:]]
    assert rows and all(math.isfinite(v) for v in values)
    healthy = [e for e, a in zip(t.history_epoch, t.history_train) if math.isfinite(a)]
    assert [int(r[0]) for r in rows] == healthy


def test_after_importing_weights_the_divergence_rows_do_not_block_saving(tmp_path) -> None:
    """The history keeps the diverged epoch's infinite loss; the file leaves that row out."""
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    t.train_epochs(100)
    t.set_config(t.config.replace(learning_rate=0.01))
    t.load_params(Trainer(Config(dataset="reg-plane")).network.params)
    t.train_epochs(3)
    files.save_session(t, tmp_path / "s.nnviz")
    back, _ = files.load_session(tmp_path / "s.nnviz")
    assert np.all(np.isfinite(back.history_train))
    assert back.history_epoch[-1] == t.epoch and len(back.history_epoch) == len(t.history_epoch) - 1
