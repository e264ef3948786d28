"""LandscapeMaker and LandscapeJob: what one refresh of the panel holds, for each kind of
plane, computed from a trainer the job leaves alone."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer, project
from nnviz.core.learn.landscape import next_step
from nnviz.core.learn.landscape_job import LandscapeMaker, LandscapeSettings


def run(maker: LandscapeMaker, trainer: Trainer, **settings):
    maker.settings = maker.settings.replace(active=True, **settings)
    job = maker.job(trainer)
    while not job.run(0.005):
        pass
    return job.result


def stepped(config: Config = Config(learning_rate=0.3), steps: int = 20):
    t, m = Trainer(config), LandscapeMaker()
    m.observe(t)                                          # the worker's first Snapshot: the start
    for _ in range(steps):
        t.step_batch()
        m.observe(t)
    return t, m


def test_the_path_plane_holds_the_path_ending_at_now_and_the_next_step() -> None:
    t, m = stepped()
    r = run(m, t, mode="pca")
    assert r.mode == "pca" and r.note == "" and r.labels[0].startswith("PC1 (")
    assert len(r.path) == 21 and list(r.path_steps) == list(range(21))      # the start and 20 steps
    assert np.array_equal(r.path[-1], [0.0, 0.0])
    assert sum(r.explained) <= 1.0 and r.explained[0] >= r.explained[1] > 0
    nxt = next_step(t)
    assert np.all(np.isfinite(r.next_xy))
    # the plane's ranges hold every point of the path and the next step
    for pts in (r.path, r.next_xy[None, :]):
        assert np.all((r.a[0] <= pts[:, 0]) & (pts[:, 0] <= r.a[-1]))
        assert np.all((r.b[0] <= pts[:, 1]) & (pts[:, 1] <= r.b[-1]))
    assert r.slice is not None and r.slice.next_loss == nxt.train_loss
    assert r.loss == t.train_loss and r.total_steps == 20


def test_a_fixed_extent_puts_the_weights_at_the_centre() -> None:
    t, m = stepped()
    for data, loss in (("train", t.train_loss), ("test", t.test_loss)):
        r = run(m, t, mode="random", extent=0.5, n=21, data=data)
        assert r.a[10] == 0.0 and r.b[10] == 0.0 and (r.a[0], r.a[-1]) == (-0.5, 0.5)
        assert abs(r.z[10, 10] - loss) <= 1e-12 and r.loss == loss


def test_a_short_path_shows_random_directions_and_says_so() -> None:
    t, m = stepped(steps=1)                               # two positions: no plane of their own
    r = run(m, t, mode="pca")
    assert r.mode == "random" and r.has_plane
    assert "fewer than three positions" in r.note and "random directions" in r.note


def test_random_directions_stay_fixed_until_new_ones_or_a_new_network() -> None:
    t, m = stepped()
    r1 = run(m, t, mode="random", extent=1.0, n=5)
    first = m.random_directions(t.network)
    t.step_batch()
    r2 = run(m, t, mode="random", extent=1.0, n=5)
    assert m.random_directions(t.network)[0] is first[0]
    # the same directions: projecting the newest step by hand gives the path's last move
    step = project(t.network.params, m.recorder.points[-2], *first)[0]
    assert np.allclose(r2.path[-2], -step, atol=1e-12)
    run(m, t, mode="random", seed=1, extent=1.0, n=5)
    assert not np.array_equal(m.random_directions(t.network)[0], first[0])
    assert r1.path.shape[0] + 1 == r2.path.shape[0]
    t.reset()
    m.observe(t)
    assert len(m.recorder) == 1 and m.recorder.steps[0] == 0   # Reset: a new network, a new path


def test_two_parameters_need_picking_and_label_their_axes() -> None:
    t, m = stepped(Config(hidden_layers=(3,)))
    r = run(m, t, mode="params")
    assert not r.has_plane and "Pick two parameters" in r.note
    r = run(m, t, mode="params", params=(("weight", 0, 2, 1), ("bias", 1, 0)))
    assert r.has_plane and r.labels == ("weight X\u2082\u2192L1\u00b73", "bias out")
    # the path on this plane is the two parameters' own history, relative to now
    w_now = t.network.weights[0][2, 1]
    history = m.recorder.points[:, t.network.w_off[0] + 2 * 2 + 1]
    assert np.allclose(r.path[:, 0], history - w_now, rtol=0, atol=1e-15)
    r = run(m, t, mode="params", params=(("weight", 0, 7, 1), ("bias", 1, 0)))
    assert not r.has_plane and "not in this network" in r.note


def test_a_diverged_network_has_no_landscape_and_no_path_entry() -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    m = LandscapeMaker()
    t.train_epochs(50)
    assert t.diverged and not m.observe(t)
    r = run(m, t)
    assert not r.has_plane and r.slice is None and "diverged" in r.note


def test_the_job_leaves_the_trainer_alone_and_settings_are_checked() -> None:
    t, m = stepped(Config(optimizer="adam", learning_rate=0.03))
    before = {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in t.state_dict().items()}
    for mode in ("pca", "random"):
        run(m, t, mode=mode)
    assert {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in t.state_dict().items()} == before
    for bad in ({"mode": "nope"}, {"data": "all"}, {"n": 1}, {"extent": -1.0}, {"extent": float("inf")}):
        with pytest.raises(ValueError):
            LandscapeSettings(**bad)
