"""Runs side by side keep the same pace when the worker trains part of an epoch (an epoch
longer than its time box): the other runs go as far through their own epochs, and end
them with the active run's, bit for bit as whole epochs would."""

from __future__ import annotations

from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.worker.training import TrainingWorker


def test_part_epochs_keep_the_runs_epoch_for_epoch() -> None:
    w = TrainingWorker(Config())
    w.trainer = Trainer(Config())                         # 250 training points, 25 batches of 10
    w.runs.duplicate(None, optimizer="adam", batch_size=7)   # 36 batches, the last one short
    t, o = w.runs.trainers
    assert (t.batches_per_epoch, o.batches_per_epoch) == (25, 36)
    t.train_batches(10)
    w._pace_part()
    assert (o.epoch, o.batch) == (0, 10 * 36 // 25)
    t.train_batches(15)                                   # the active run's epoch ends
    w._pace_part()
    assert (t.epoch, t.batch) == (o.epoch, o.batch) == (1, 0)
    t.train_batches(1)
    w._pace_part()                                        # 36 // 25 = 1 of the other's batches
    assert o.batch == 1
    ref = Trainer(Config(optimizer="adam", batch_size=7))
    ref.start_from(w.runs.trainers[0].timeline[0].arrays["params"])
    ref.train_epochs(1)
    ref.step_batch()
    assert ref.network.params.tobytes() == o.network.params.tobytes()
    assert ref.epoch == o.epoch and ref.batch == o.batch
