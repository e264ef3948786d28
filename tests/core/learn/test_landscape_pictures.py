"""The README's two landscape pictures say what these runs do: the numbers in their captions
are recomputed here from the same settings, through the same core the panel uses."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, PathRecorder, Trainer, gradient_slice, pca_directions, project

CIRCLE_50 = Config(dataset="circle", batch_size=30, train_ratio=10)     # 50 training points


def run(config: Config, steps: int) -> tuple[Trainer, np.ndarray]:
    t, rec = Trainer(config), PathRecorder()
    rec.record(t.network.params, 0, 0)
    for _ in range(steps):
        t.step_batch()
        rec.record(t.network.params, t.total_steps, t.epoch)
    d1, d2, _ = pca_directions(rec.points, t.network.params)
    return t, project(rec.points, t.network.params, d1, d2)


def test_a_rate_of_one_zig_zags_across_the_valley_and_overshoots() -> None:
    t, xy = run(CIRCLE_50.replace(hidden_layers=(3,), learning_rate=1.0), 40)
    assert t.epoch == 40                               # one full-set update per epoch after the first
    late = np.diff(xy[-20:, 1])                        # across the valley: the second component
    assert np.all(np.sign(late[1:]) != np.sign(late[:-1]))      # every step turns back
    sl = gradient_slice(t)
    t_min = sl.t[int(np.argmin(sl.loss))]
    assert sl.step_t == pytest.approx(0.267, abs=0.0005) and t_min == pytest.approx(0.117, abs=0.01)
    assert sl.next_loss > t.train_loss                 # the step lands higher than it starts
    assert np.interp(sl.step_t, sl.t, sl.batch_loss) > np.interp(0.0, sl.t, sl.batch_loss)


def test_momentum_travels_further_than_plain_sgd_from_the_same_start() -> None:
    config = CIRCLE_50.replace(hidden_layers=(2,), learning_rate=0.1, batch_size=50)   # the same batches
    sgd, xy_sgd = run(config, 80)
    mom, xy_mom = run(config.replace(optimizer="momentum"), 80)
    assert np.array_equal(Trainer(config).network.params, Trainer(config.replace(optimizer="momentum")).network.params)
    assert sgd.epoch == mom.epoch == 80                # one update of all 50 points per epoch, both
    assert round(sgd.train_loss, 2) == 0.50 and round(mom.train_loss, 2) == 0.15
    assert -xy_sgd[0, 0] == pytest.approx(0.56, abs=0.005) and -xy_mom[0, 0] == pytest.approx(3.7, abs=0.05)
