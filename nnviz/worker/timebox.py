"""TimeBox: how much training fits into one chunk of the worker's time box.

The worker trains in chunks of at most CHUNK_S seconds, one kernel call each, and looks
at its queue of requests between two chunks; how long a request waits (Pause, an edit)
is bounded by how well a chunk's length is foreseen. The estimate is the measured
seconds per mini-batch, so a chunk can be whole epochs (small data) or part of one
epoch (an epoch longer than the box, e.g. 100,000 imported points). What the estimate
was measured on is remembered as a key; when the work changes (other data, another
network or settings, an opened session) the estimate is forgotten, and the first chunk
after a change is a single mini-batch, whose time starts the estimate afresh. Without
that, a stale estimate from 500 points sized the first chunk after a 100,000-row
import at tens of epochs in one call, and Pause waited 1.6 s for it.

Plain Python (no Qt), so it is tested on its own.
"""

from __future__ import annotations

from typing import Hashable

SMOOTHING = 0.3    # how fast older measurements fade from the estimate


class TimeBox:
    """Plans chunks from the measured seconds per mini-batch of the current work.

    box_s: the longest chunk wanted. An epoch that fits in it is never split (whole
    epochs keep the losses and the curves exactly per epoch, as the Playground shows
    them); a longer one is trained in parts of about box_s each.
    """

    def __init__(self, box_s: float) -> None:
        self.box_s = box_s
        self.batch_s: float | None = None   # seconds per mini-batch, losses included; None = unknown
        self._seconds = self._batches = 0.0  # fading sums of the measurements behind batch_s
        self._key: Hashable = None

    def follow(self, key: Hashable) -> None:
        """Forget the estimate when the work changed (key: anything that compares by value)."""
        if key != self._key:
            self._key = key
            self.batch_s = None
            self._seconds = self._batches = 0.0

    def plan(self, budget_s: float, batches_per_epoch: int, batch: int) -> tuple[str, int]:
        """("epochs", n): n whole epochs from an epoch boundary, or ("batches", k): k
        mini-batches that do not pass the end of the current epoch. budget_s: the time
        left until the next frame is due; batch: mini-batches already done in the
        current epoch. At least one of either is planned.
        """
        left = max(batches_per_epoch - batch, 1)
        if self.batch_s is None:
            return "batches", 1                       # the first chunk after a change: small
        per_epoch = self.batch_s * batches_per_epoch
        if batch == 0 and per_epoch <= self.box_s:
            return "epochs", max(1, int(budget_s / per_epoch))
        if left * self.batch_s <= self.box_s:
            return "batches", left                    # finish a short epoch in one call
        return "batches", min(max(1, int(budget_s / self.batch_s)), left)

    def measured(self, seconds: float, batches: int) -> None:
        """A chunk of `batches` mini-batches took `seconds` (kernel call and losses).

        Measurements count by their size, with older ones fading: the first one-batch
        chunk after a change is mostly fixed cost, and must not hold the next chunks small.
        """
        if batches < 1 or seconds < 0:
            return
        self._seconds = (1 - SMOOTHING) * self._seconds + seconds
        self._batches = (1 - SMOOTHING) * self._batches + batches
        self.batch_s = self._seconds / self._batches
