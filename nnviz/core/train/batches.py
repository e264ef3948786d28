"""Which training points each mini-batch of an epoch takes: two rules, one per family.

The Playground's SGD (`sgd`), as its playground.ts oneStep() and nn.ts updateWeights do:
the epoch walks the training set in its fixed order and updates after every
batch_size-th point of the epoch (the count starts again each epoch). The r = N mod B
points left at the end are not applied then: their summed gradient is carried, and the
next update averages it together with its own B points (over B + r). So an epoch makes
N // B updates.

The other optimisers follow PyTorch's DataLoader(shuffle=False, drop_last=False): the
epoch's last batch is short (r points, averaged over r), ceil(N / B) updates.

Both: a batch size larger than the training set means one batch of all N points, one
update per epoch (the Playground would never update at all: its count never reaches B).

kernels.py repeats these rules in its loops; the numpy reference and the Trainer use them
from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def carries_leftover(optimizer: str) -> bool:
    """True for the rule that carries the leftover points into the next epoch."""
    return optimizer == "sgd"


def effective_batch(batch_size: int, n: int) -> int:
    """Points per full batch: the batch size, or all n points when there are fewer."""
    return max(1, min(int(batch_size), int(n)))


def batches_per_epoch(n: int, batch_size: int, optimizer: str) -> int:
    """Updates an epoch of n training points makes (0 without points)."""
    if n <= 0:
        return 0
    b = effective_batch(batch_size, n)
    return n // b if carries_leftover(optimizer) else -(-n // b)


def batch_range(k: int, n: int, batch_size: int) -> tuple[int, int]:
    """(lo, hi): batch k of an epoch takes the points lo..hi-1 (hi - lo < B only for a
    short last batch)."""
    b = effective_batch(batch_size, n)
    return k * b, min((k + 1) * b, n)


def leftover_range(n: int, batch_size: int, optimizer: str) -> tuple[int, int]:
    """(lo, n): the points an epoch ends with but does not apply (empty unless carried)."""
    if n <= 0 or not carries_leftover(optimizer):
        return n, n
    b = effective_batch(batch_size, n)
    return n - n % b, n


@dataclass
class Carry:
    """Gradient summed over points not applied yet (the Playground's accumulated
    derivatives): acc (P,) sums, count the number of points in it."""

    acc: Array
    count: int = 0

    @classmethod
    def zeros(cls, n_params: int) -> "Carry":
        return cls(np.zeros(n_params), 0)

    def clear(self) -> None:
        self.acc[:] = 0.0
        self.count = 0
