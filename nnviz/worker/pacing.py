"""How much the worker trains in one chunk: whole epochs while an epoch is short, single
mini-batches inside the epoch when one outlasts the chunk.

Small networks train many epochs per kernel call (one GIL hand-over a chunk). But an
epoch of 10 hidden layers of 32 on 10,000 points takes about 100 ms (more on a busy
machine), so whole epochs would give the window a new picture only every few frames; in
mini-batch steps (Trainer.train_steps, the same updates bit for bit) a chunk ends on time
and each frame shows the network moving. The estimates of an epoch's and an update's
seconds start afresh for every new network, data size or batch size: the first chunk of
such a run is one update, timed, not a guess sized for the last run. While the kernel
is still being compiled (nnviz.core.compiled), numpy trains one epoch a call, so a slow
first epoch cannot overrun the chunk by many.
"""

from __future__ import annotations

import time

from nnviz.core import compiled
from nnviz.core.train.trainer import Trainer

SMOOTH = 0.3             # weight of the newest timing in the running estimates


class Pace:
    """Running estimates of one epoch's and one update's seconds, and the chunk they size."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self.epoch_s: float | None = None    # seconds of a whole epoch (scores included)
        self.step_s: float | None = None     # seconds of one update inside an epoch

    def _follow(self, t: Trainer) -> None:
        key = (id(t.network), len(t.train_x), t.config.batch_size)
        if key != self._key:
            self._key, self.epoch_s, self.step_s = key, None, None

    @staticmethod
    def _mix(old: float | None, new: float) -> float:
        return new if old is None else (1 - SMOOTH) * old + SMOOTH * new

    def train(self, t: Trainer, seconds: float, owed: float | None, epoch_limit: int, target_loss: float) -> float:
        """Train for about `seconds`; returns the epochs done (fractions inside an epoch).

        owed: epochs a limited speed allows (None: as fast as it goes); epoch_limit (0:
        none) and target_loss (0: none) stop it at the epoch that meets them.
        """
        self._follow(t)
        bpe = max(t.batches_per_epoch, 1)
        if self.epoch_s is not None and self.epoch_s <= seconds:
            n = max(1, int(seconds / self.epoch_s)) if compiled.available() else 1
            if owed is not None:
                n = min(n, int(owed))
            if epoch_limit:
                n = min(n, max(epoch_limit - t.epoch, 1))
            if n < 1:
                return 0.0
            t0 = time.perf_counter()
            done = t.train_epochs(n, target_loss)
            if done:
                self.epoch_s = self._mix(self.epoch_s, (time.perf_counter() - t0) / done)
            return float(done)
        steps = 1 if self.step_s is None else max(1, int(seconds / self.step_s))
        left = bpe - t.batch
        if 1 < left <= steps:
            # end this chunk one update short: the epoch's last update then comes with its
            # scores (a whole pass over the data) in a chunk of its own, not on top of this one
            steps = left - 1
        if owed is not None:
            steps = min(steps, int(owed * bpe))
            if steps < 1:
                return 0.0
        epoch, t0 = t.epoch, time.perf_counter()
        k = t.train_steps(steps)
        if k and t.epoch == epoch:            # inside the epoch: the updates alone were timed
            self.step_s = self._mix(self.step_s, (time.perf_counter() - t0) / k)
            # a lower bound (the epoch's scores come on top), corrected once whole epochs run
            self.epoch_s = self.step_s * bpe
        return k / bpe
