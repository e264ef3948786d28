"""TimeBox: chunk sizes from measured times, forgotten when the work changes."""

from __future__ import annotations

from nnviz.worker.timebox import TimeBox


def test_the_first_chunk_after_a_change_is_one_mini_batch() -> None:
    box = TimeBox(0.012)
    box.follow(("data", 500))
    assert box.plan(0.012, 25, 0) == ("batches", 1)
    box.measured(0.0001, 1)                        # 0.1 ms a batch: 2.5 ms an epoch
    assert box.plan(0.012, 25, 0) == ("epochs", 4)
    box.follow(("data", 500))                      # the same work: the estimate is kept
    assert box.plan(0.012, 25, 0) == ("epochs", 4)
    box.follow(("data", 100_000))                  # a big import: forgotten, one batch first
    assert box.batch_s is None and box.plan(0.012, 5000, 0) == ("batches", 1)


def test_an_epoch_longer_than_the_box_is_trained_in_parts() -> None:
    box = TimeBox(0.012)
    box.follow("big")
    box.measured(0.002, 1)                         # 2 ms a batch, 5000 batches: 10 s an epoch
    assert box.plan(0.012, 5000, 0) == ("batches", 6)
    assert box.plan(0.012, 5000, 4998) == ("batches", 2)    # never past the end of the epoch
    assert box.plan(0.0001, 5000, 10) == ("batches", 1)     # at least one
    # a short epoch is never split: the rest of a started one in one call, then whole
    # epochs, at least one even when the frame is due sooner
    box.follow("small")
    box.measured(0.00001, 1)
    assert box.plan(0.0001, 25, 10) == ("batches", 15)
    assert box.plan(0.012, 25, 0) == ("epochs", 48)
    assert box.plan(0.00001, 25, 0) == ("epochs", 1)


def test_the_estimate_follows_the_measurements_by_their_size() -> None:
    box = TimeBox(0.012)
    box.follow(1)
    box.measured(0.010, 10)                        # 1 ms a batch
    box.measured(0.020, 10)                        # then 2 ms: (0.7 * 10 + 20) / (0.7 * 10 + 10) ms
    assert abs(box.batch_s - 0.027 / 17) < 1e-15
    box.measured(1.0, 0)                           # nothing ran: ignored
    assert abs(box.batch_s - 0.027 / 17) < 1e-15
    # a one-batch probe that is mostly fixed cost, then a real chunk: the chunk decides
    box.follow(2)
    box.measured(150e-6, 1)
    box.measured(0.004, 1000)
    assert 4e-6 < box.batch_s < 4.2e-6
