"""Timeline: checkpoints of a run's whole training state, at growing spacing, in bounded memory.

A learner who sees something happen at epoch 300 wants to go back and look, or to go on
from there in another way. The Trainer (trainer_timeline.py) makes a Checkpoint

- at every epoch end on a candidate grid that is every epoch below epoch 64 and then 32
  epochs per doubling (64, 66, ..., 128, 132, ...), so a long run pays for few copies;
- before every Step, hand edit, change of settings or of data, and before training goes
  on after such a change (so a restored state continues as the original run did).

When more than CAPACITY checkpoints, or more than BUDGET bytes of arrays, are held, the
one whose removal leaves the smallest gap, measured against its distance from the nearer
end of the run (its start, or now), is dropped. Both ends therefore stay dense (every
epoch of the first dozens, and the last few candidates) and the spacing in between grows
in proportion to the distance, roughly geometrically. The first checkpoint, the newest
one and the one training started from (the initial weights a duplicate copies) are
never dropped.

Memory: at most CAPACITY checkpoints and BUDGET bytes per run. A checkpoint holds the
parameters and the last gradient, plus only the arrays that are not all zero (the last
update, momentum's velocity, Adam's two moments, SGD's carried gradient, the dead links),
so P x 8 bytes two to five times over, P the number of parameters. The largest network
(7 inputs, 10 hidden layers of 32, P = 9,793) costs 392 kB a checkpoint with Adam: 16
fit in the budget. Network B (P = 433) costs 17.5 kB: 64 take 1.1 MB. Checkpoints made
before a data change keep the old points alive; those count towards the budget too (the
points of the newest checkpoint, the run's own, do not). The budget keeps a session of
four runs within the limits of a session file (core/limits.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nnviz.core.config import Config

CAPACITY = 64          # checkpoints kept at most per run
BUDGET = 6 * 2**20     # bytes kept at most per run: checkpoint arrays and replaced point sets
PER_OCTAVE = 32        # candidates per doubling of the epoch beyond 2 x PER_OCTAVE (every epoch below)
REASONS = ("start", "epoch", "step", "edit", "settings", "data", "resume", "loaded")
Array = np.ndarray


@dataclass(frozen=True)
class Checkpoint:
    """One moment of a run, complete enough to continue from it bit for bit.

    arrays: name -> (P,) float64 or int64 copy, or None where the array was all +0.0 (an
    optimiser's unused memory); ints: the counters; data: the (train_x, train_y, test_x,
    test_y) arrays in use then, shared with the Trainer (never changed in place);
    history: what the loss history looked like (see metrics.History.mark).
    """

    epoch: int
    batch: int                    # updates done inside the epoch
    per_epoch: int                # updates an epoch makes (for the position)
    total_steps: int
    reason: str                   # one of REASONS: why it was made
    config: Config
    data: tuple[Array, Array, Array, Array]
    n_classes: int
    data_seed: int
    arrays: dict[str, Array | None]
    ints: dict[str, int]
    history: tuple

    @cached_property
    def position(self) -> float:
        """Epochs from the start, the part of the epoch done included."""
        return self.epoch + (self.batch / self.per_epoch if self.per_epoch else 0.0)

    @cached_property
    def nbytes(self) -> int:
        """Bytes of the arrays this checkpoint holds itself (the shared data not counted)."""
        return sum(a.nbytes for a in self.arrays.values() if a is not None)


def stride(epoch: int) -> int:
    """Spacing of the candidate grid at this epoch: 1 below 2 x PER_OCTAVE, then doubling
    with every doubling of the epoch (2 from 64, 4 from 128, ...)."""
    return 1 << max(0, int(epoch).bit_length() - PER_OCTAVE.bit_length())


def due(epoch: int) -> bool:
    """Whether an epoch end at this epoch is on the candidate grid."""
    return epoch % stride(epoch) == 0


def next_due(epoch: int) -> int:
    """The first candidate epoch after `epoch`."""
    e = int(epoch) + 1
    s = stride(e)
    return -(-e // s) * s


@dataclass
class Timeline:
    """A run's checkpoints, oldest first; see the module doc for which are kept."""

    entries: list[Checkpoint] = field(default_factory=list)
    capacity: int = CAPACITY
    budget: int = BUDGET

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i: int) -> Checkpoint:
        return self.entries[i]

    @property
    def epochs(self) -> list[int]:
        """The epoch of each checkpoint, oldest first (rising; equal for several made in
        one epoch, e.g. before two edits)."""
        return [c.epoch for c in self.entries]

    @property
    def nbytes(self) -> int:
        """Bytes held: every checkpoint's own arrays and the point sets other than the
        newest checkpoint's (the bound BUDGET applies to this)."""
        return sum(c.nbytes for c in self.entries) + self._old_data_bytes()

    @property
    def data_bytes(self) -> int:
        """Bytes of the distinct point sets the checkpoints keep alive, the newest's included."""
        seen = {id(a): a.nbytes for c in self.entries for a in c.data}
        return sum(seen.values())

    def _old_data_bytes(self) -> int:
        if not self.entries:
            return 0
        own = {id(a) for a in self.entries[-1].data}
        seen = {id(a): a.nbytes for c in self.entries for a in c.data if id(a) not in own}
        return sum(seen.values())

    @property
    def start(self) -> int:
        """Index of the checkpoint training started from: the newest before any update."""
        idx = [i for i, c in enumerate(self.entries) if c.total_steps == 0]
        return idx[-1] if idx else 0

    def index_at(self, epoch: int) -> int:
        """Index of the newest checkpoint at or before `epoch`; ValueError if none."""
        for i in range(len(self.entries) - 1, -1, -1):
            if self.entries[i].epoch <= epoch:
                return i
        first = f"epoch {self.entries[0].epoch}" if self.entries else "no checkpoint"
        raise ValueError(f"the timeline begins at {first}; there is none at or before epoch {epoch}")

    def copy(self) -> "Timeline":
        """Another list of the same (immutable) checkpoints."""
        return Timeline(list(self.entries), self.capacity, self.budget)

    def clear(self) -> None:
        self.entries.clear()

    def cut_after(self, i: int) -> None:
        """Forget the checkpoints after index i (a restore leaves their future behind)."""
        del self.entries[i + 1:]

    def add(self, cp: Checkpoint) -> None:
        """Append the newest checkpoint, then drop others until the bounds hold."""
        self.entries.append(cp)
        self._thin()

    def _thin(self) -> None:
        own, old = sum(c.nbytes for c in self.entries), self._old_data_bytes()
        while len(self.entries) > 3 and (len(self.entries) > self.capacity or own + old > self.budget):
            i = self._cheapest()
            if i < 0:
                return
            gone = self.entries.pop(i)
            own -= gone.nbytes
            if old and not any(a is b for a, b in zip(gone.data, self.entries[-1].data)):
                old = self._old_data_bytes()

    def _cheapest(self) -> int:
        """The checkpoint whose loss leaves the smallest gap for its distance from the
        nearer end; -1 if every one is protected."""
        # (K,) rising: new data in mid-epoch start its batch count again, not its epoch
        x = np.maximum.accumulate(np.array([c.position for c in self.entries]))
        gap = x[2:] - x[:-2]                                           # (K-2,) of entries 1..K-2
        dist = np.minimum(x[1:-1] - x[0], x[-1] - x[1:-1])
        cost = gap / (1.0 + dist)
        start = self.start
        if 1 <= start <= len(x) - 2:
            cost[start - 1] = np.inf
        if not np.isfinite(cost).any():
            return -1
        return int(np.argmin(cost)) + 1                                # the older of equals
