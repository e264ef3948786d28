"""Scores beyond the loss: accuracy and a confusion matrix for classes, R^2 for regression.

They take the network's raw outputs so the GUI can score any set it likes; the class a
point is given comes from losses.predicted_class, the true class from
datasets.class_index, so the thresholds live in one place each.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.data.datasets import class_index
from nnviz.core.limits import MAX_HISTORY
from nnviz.core.model import losses

Array = np.ndarray


def accuracy(kind: str, out: Array, y: Array, n_classes: int) -> float:
    """Fraction 0..1 of points whose predicted class is their label; nan if none or regression."""
    if n_classes < 2 or len(y) == 0:
        return float("nan")
    pred = losses.predicted_class(kind, np.asarray(out).reshape(len(y), -1))  # (N,)
    return float(np.mean(pred == class_index(y, n_classes)))


def confusion_matrix(kind: str, out: Array, y: Array, n_classes: int) -> Array:
    """(K, K) int64 counts, rows = true class, columns = predicted; (0, 0) for regression."""
    if n_classes < 2:
        return np.zeros((0, 0), dtype=np.int64)
    k = n_classes
    if len(y) == 0:
        return np.zeros((k, k), dtype=np.int64)
    pred = losses.predicted_class(kind, np.asarray(out).reshape(len(y), -1))
    true = class_index(y, n_classes)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (true, np.clip(pred, 0, k - 1)), 1)
    return counts


def r2(y: Array, prediction: Array) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot; nan when undefined (< 2 points or flat y)."""
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    p = np.asarray(prediction, dtype=np.float64).reshape(-1)
    if y.size < 2:
        return float("nan")
    with np.errstate(all="ignore"):   # a diverging network's huge outputs give -inf or nan, not a warning
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        if ss_tot == 0.0:
            return float("nan")
        return 1.0 - float(np.sum((y - p) ** 2)) / ss_tot


class Series:
    """A growing numpy array that reads like a list (append, len, index, iterate).

    Snapshots copy the history every frame; a numpy buffer makes that one memcpy where
    a list of floats (or of (L,) arrays) would be converted element by element.
    """

    def __init__(self, width: int = 0, dtype=np.float64):
        self._shape = () if width == 0 else (int(width),)
        self._buf = np.zeros((64, *self._shape), dtype=dtype)
        self._n = 0

    def append(self, value) -> None:
        if self._n == len(self._buf):
            self._buf = np.concatenate([self._buf, np.zeros_like(self._buf)])
        self._buf[self._n] = value
        self._n += 1

    def array(self) -> Array:
        """View (n,) or (n, width) of the filled part."""
        return self._buf[:self._n]

    def set(self, values: Array) -> None:
        """Replace the whole content with values (n,) or (n, width)."""
        values = np.asarray(values, dtype=self._buf.dtype).reshape(-1, *self._shape)
        self._buf = np.zeros((max(64, 2 * len(values)), *self._shape), dtype=self._buf.dtype)
        self._buf[:len(values)] = values
        self._n = len(values)

    def truncate(self, n: int) -> None:
        """Keep the first n values."""
        self._n = max(0, min(int(n), self._n))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        item = self.array()[i]
        return item.copy() if isinstance(item, np.ndarray) else item.item()

    def __iter__(self):
        a = self.array()
        return iter(a.tolist()) if a.ndim == 1 else (row.copy() for row in a)

    def __array__(self, dtype=None, copy=None):
        return np.array(self.array(), dtype=dtype)

    def tolist(self) -> list:
        return self.array().tolist()

    def __repr__(self) -> str:
        return f"Series({self.array()!r})"


class History:
    """Loss curves and gradient sizes per epoch: epoch 0, then each epoch end.

    Beyond CAP entries every other one is dropped and only epochs that are multiples of
    `stride` (doubled each time) are kept, so a run of millions of epochs stays a few
    hundred kB and a frame's copy stays cheap. The latest epoch end is always the last
    entry, on the stride or not, so curves and the CSV reach the epoch the counter shows;
    it gives way to the next one when that comes.
    """

    CAP = MAX_HISTORY

    def __init__(self, n_layers: int):
        self.epoch = Series(dtype=np.int64)     # (H,)
        self.train = Series()                   # (H,) train loss
        self.test = Series()                    # (H,) test loss
        self.grad = Series(width=n_layers)      # (H, L) RMS weight gradient per layer
        self.stride = 1
        self._last_off_stride = False           # the last entry is kept only as the latest

    def record(self, epoch: int, train: float, test: float, grad_norms: Array) -> None:
        if self._last_off_stride:     # the previous latest, off the stride: it gives way
            for s in (self.epoch, self.train, self.test, self.grad):
                s.truncate(len(s) - 1)
        self.epoch.append(epoch)
        self.train.append(train)
        self.test.append(test)
        self.grad.append(grad_norms)
        if len(self.epoch) >= self.CAP:
            self.stride *= 2
            mask = self.epoch.array() % self.stride == 0
            mask[-1] = True           # the latest stays
            self.keep(mask)
        self._last_off_stride = epoch % self.stride != 0

    def restart(self, train: float, test: float, grad_norms: Array) -> None:
        """Epoch 0's entry anew (the data or weights changed before any training step)."""
        self.load(np.zeros(1, np.int64), np.array([train]), np.array([test]),
                  np.asarray(grad_norms, dtype=np.float64).reshape(1, -1), 1)

    def keep(self, mask: Array) -> None:
        for s in (self.epoch, self.train, self.test, self.grad):
            s.set(s.array()[mask])

    def load(self, epoch: Array, train: Array, test: Array, grad: Array, stride: int) -> None:
        self.epoch.set(epoch)
        self.train.set(train)
        self.test.set(test)
        self.grad.set(grad)
        self.stride = int(stride)
        n = len(self.epoch)
        self._last_off_stride = bool(n > 1 and self.epoch.array()[-1] % self.stride)
