"""PathRecorder: where the weights have been, in bounded memory.

The loss landscape draws the optimiser's path and takes the plane of its principal
components from it; a timeline can scrub back through it. A run may take millions of
steps, so the recorder keeps at most `capacity` positions: the newest half always at full
resolution (the zig-zag of the last steps is what a learner looks at), the older half
thinned by dropping every other position each time the buffer fills, so older stretches
get sparser the older they are while the very first position is always kept.

Memory: capacity x P float64, allocated on the first record. With the default 256 that
is 256 x 9,793 x 8 bytes = 20,056,064 bytes (about 20 MB) for the largest network (7
inputs, 10 hidden layers of 32, one output: P = 9,793), and 887 kB for the 7-input 6 x 8
network (P = 433).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class PathRecorder:
    """Parameter vectors (P,) with the update count and epoch each was reached at, oldest first."""

    def __init__(self, capacity: int = 256):
        if capacity < 4:
            raise ValueError("a path needs room for at least 4 positions")
        self.capacity = int(capacity)
        self._points: Array | None = None                       # (capacity, P)
        self._steps = np.zeros(self.capacity, dtype=np.int64)   # (capacity,)
        self._epochs = np.zeros(self.capacity, dtype=np.int64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def size(self) -> int:
        """P, the length of each recorded vector (0 before the first record)."""
        return 0 if self._points is None else self._points.shape[1]

    @property
    def nbytes(self) -> int:
        """Bytes held by the recorded vectors and their counters."""
        held = 0 if self._points is None else self._points.nbytes
        return held + self._steps.nbytes + self._epochs.nbytes

    @property
    def points(self) -> Array:
        """(K, P) read-only view of the recorded vectors, oldest first."""
        if self._points is None:
            return np.zeros((0, 0))
        view = self._points[:self._n]
        view.flags.writeable = False
        return view

    @property
    def steps(self) -> Array:
        """(K,) update count at each recorded vector."""
        return self._steps[:self._n].copy()

    @property
    def epochs(self) -> Array:
        """(K,) epoch at each recorded vector."""
        return self._epochs[:self._n].copy()

    def clear(self) -> None:
        """Forget the path (a new network starts a new one)."""
        self._n = 0

    def record(self, params: Array, step: int, epoch: int) -> bool:
        """Append a position; False (nothing kept) if it equals the newest one.

        A vector of another length than the path's (a network of another shape) starts a
        new path. Non-finite vectors are refused (ValueError): a diverged run has no place
        on a plane.
        """
        p = np.asarray(params, dtype=np.float64).ravel()
        if not np.all(np.isfinite(p)):
            raise ValueError("a path position must be finite")
        if self._points is None or self._points.shape[1] != p.size:
            self._points = np.empty((self.capacity, p.size))
            self._n = 0
        n = self._n
        if n and np.array_equal(self._points[n - 1], p):
            return False
        if n == self.capacity:
            n = self._thin()
        self._points[n] = p
        self._steps[n] = int(step)
        self._epochs[n] = int(epoch)
        self._n = n + 1
        return True

    def _thin(self) -> int:
        """Drop every other position of the older half (the first one stays); returns the new count."""
        keep = np.ones(self._n, dtype=bool)
        keep[1:self._n // 2:2] = False
        k = int(keep.sum())
        for a in (self._points, self._steps, self._epochs):
            a[:k] = a[:self._n][keep]
        self._n = k
        return k
