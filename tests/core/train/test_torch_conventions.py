"""Momentum, Nesterov, RMSprop and Adam train exactly as PyTorch does, learning-rate decay
included, and sessions saved with the old momentum velocity still open.

PyTorch is the reference: torch.optim.SGD(momentum, nesterov), RMSprop and Adam on the
same float64 network, the same initial weights and the same batches, taken as a
DataLoader(shuffle=False, drop_last=False) takes them (a short last batch), with the rate
set to lr / (1 + decay * epoch) at the start of each epoch. Skipped without torch.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer
from nnviz.core.train import reference
from nnviz.core.train.optimizers import decayed_lr

FEATURES = ("x1", "x2", "sin(x1)")


def torch_run(t: Trainer, epochs: int):
    """Train a torch copy of t's network from t's current weights; returns its params (P,)."""
    torch = pytest.importorskip("torch")
    cfg, net = t.config, t.network
    layers = [torch.nn.Linear(a, b, dtype=torch.float64) for a, b in zip(net.layer_sizes[:-1], net.layer_sizes[1:])]
    with torch.no_grad():
        for lin, w, b in zip(layers, net.weights, net.biases):
            lin.weight.copy_(torch.from_numpy(w.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
    params = [p for lin in layers for p in lin.parameters()]
    opt = {"momentum": lambda: torch.optim.SGD(params, lr=cfg.learning_rate, momentum=cfg.momentum),
           "nesterov": lambda: torch.optim.SGD(params, lr=cfg.learning_rate, momentum=cfg.momentum, nesterov=True),
           "rmsprop": lambda: torch.optim.RMSprop(params, lr=cfg.learning_rate, alpha=cfg.beta2, eps=cfg.epsilon),
           "adam": lambda: torch.optim.Adam(params, lr=cfg.learning_rate, betas=(cfg.beta1, cfg.beta2),
                                            eps=cfg.epsilon)}[cfg.optimizer]()
    x, y = torch.from_numpy(t._xtr.copy()), torch.from_numpy(t._ttr.copy())
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = decayed_lr(cfg.learning_rate, cfg.lr_decay, epoch)
        for lo in range(0, len(x), cfg.batch_size):
            a = x[lo:lo + cfg.batch_size]
            for k, lin in enumerate(layers):
                a = torch.tanh(lin(a))
            loss = 0.5 * ((a - y[lo:lo + cfg.batch_size]) ** 2).sum(dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return np.concatenate([np.concatenate([lin.weight.detach().numpy().ravel(), lin.bias.detach().numpy()])
                           for lin in layers])


@pytest.mark.parametrize("optimizer", ("momentum", "nesterov", "rmsprop", "adam"))
def test_six_epochs_with_decay_equal_pytorch(optimizer: str) -> None:
    """250 points in batches of 30: eight of 30 and a short one of 10 each epoch."""
    lr = 0.001 if optimizer == "rmsprop" else 0.03
    t = Trainer(Config(dataset="circle", features=FEATURES, hidden_layers=(5, 4), optimizer=optimizer,
                       learning_rate=lr, lr_decay=0.5, batch_size=30, seed=1))
    assert t.batches_per_epoch == 9
    want = torch_run(t, 6)
    start = t.network.params.copy()
    t.train_epochs(6)
    assert np.max(np.abs(t.network.params - start)) > 0.01, "nothing was learned"
    assert np.max(np.abs(t.network.params - want)) < 1e-12


def old_file(t: Trainer) -> dict:
    """t's state as a file from before the Playground's rules stored it: no carried
    gradient nor dead links, and the velocity with the rate in it (v_old = -lr v)."""
    d = t.state_dict()
    for key in ("velocity", "carry_acc", "carry_count", "carried", "dead"):
        del d[key]
    d["opt_m"] = -decayed_lr(t.config.learning_rate, t.config.lr_decay, t.epoch) * d["opt_m"]
    return d


@pytest.mark.parametrize("optimizer", ("momentum", "nesterov"))
def test_an_old_velocity_loads_as_the_step_the_old_rule_would_take(optimizer: str) -> None:
    """Old rule, momentum: v = mu v - lr g, w += v; Nesterov (CS231n):
    v' = mu v - lr g, w += -mu v + (1 + mu) v'. The converted state takes the same step."""
    t = Trainer(Config(dataset="circle", optimizer=optimizer, learning_rate=0.1, lr_decay=0.2, seed=5))
    t.train_epochs(3)
    t.step_batch()
    d = old_file(t)
    loaded = Trainer.from_state_dict(d)
    mu, lr = t.config.momentum, decayed_lr(0.1, 0.2, t.epoch)
    lo = t.batch * t.config.batch_size
    g = reference.gradient(loaded.network, loaded._xtr[lo:lo + 10], loaded._ttr[lo:lo + 10])
    v_old = d["opt_m"]
    v_new = mu * v_old - lr * g
    step = v_new if optimizer == "momentum" else -mu * v_old + (1 + mu) * v_new
    want = d["params"] + step
    loaded.step_batch()
    assert np.max(np.abs(loaded.network.params - want)) < 1e-14
    t.step_batch()                                        # and the same as never saved
    assert np.max(np.abs(loaded.network.params - t.network.params)) < 1e-14


def test_an_old_sgd_file_before_its_short_batch_carries_it_instead() -> None:
    """Saved at batch 8 of 9 under the old rule (the short batch of 10 to come): it opens
    at the next epoch with those 10 points carried, as the new rule would have it."""
    t = Trainer(Config(dataset="circle", batch_size=30, seed=2))
    t.train_epochs(2)
    for _ in range(7):
        t.step_batch()
    ahead = Trainer.from_state_dict(t.state_dict())
    d = old_file(t)
    d["batch"] = 8
    ahead.step_batch()                                      # the new rule's 8th: update, then carry
    d["params"] = ahead.network.params.copy()
    loaded = Trainer.from_state_dict(d)
    assert (loaded.epoch, loaded.batch, loaded.carried_count) == (3, 0, 10)
    assert loaded.carried.tolist() == list(range(240, 250)) and loaded.history_epoch[-1] == 3
    assert np.max(np.abs(loaded._carry.acc - ahead._carry.acc)) < 1e-13


def test_a_bad_velocity_convention_is_refused() -> None:
    d = Trainer(Config(optimizer="momentum")).state_dict()
    d["velocity"] = "cs231n"
    with pytest.raises(ValueError, match="momentum convention"):
        Trainer.from_state_dict(d)
