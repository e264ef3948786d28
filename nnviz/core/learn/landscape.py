"""The loss landscape of the network being trained: a plane of losses through its weights,
and a line through them along the next step's gradient.

    from nnviz.core import Trainer, loss_landscape, random_directions
    d1, d2 = random_directions(trainer.network, seed=0)
    a, b, Z = loss_landscape(trainer, d1, d2, extent=1.0, n=41)    # Z[i, j] at w + a[i] d1 + b[j] d2

Losses come from the compiled forward pass and the training kernel's loss code
(landscape_kernel.py), so they are the numbers the Trainer reports; nothing here steps
or changes the trainer it is given. `PlaneRows` computes the same plane a few rows at a
time, so the worker can interleave it with training and queued requests.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import numpy as np

from nnviz.core.learn import landscape_kernel
from nnviz.core.model import losses

Array = np.ndarray
DATA = ("train", "test")
MAX_N = 401               # grid points per axis: 160,801 forward passes of the data is plenty


def axis(lo: float, hi: float, n: int) -> Array:
    """(n,) evenly spaced coordinates from exactly lo to exactly hi, each half counted from
    its own end; for a symmetric range and odd n the middle one is exactly 0, so the
    plane's centre is exactly the current weights."""
    k = np.arange(n, dtype=np.float64)
    span = float(hi) - float(lo)
    return np.where(k <= (n - 1) / 2, lo + span * (k / (n - 1)), hi - span * ((n - 1 - k) / (n - 1)))


def _ranges(extent) -> tuple[tuple[float, float], tuple[float, float]]:
    """extent as a half-width e (both axes -e..e) or as ((a_lo, a_hi), (b_lo, b_hi))."""
    if np.ndim(extent) == 0:
        e = float(extent)
        pairs = ((-e, e), (-e, e))
    else:
        pairs = tuple((float(lo), float(hi)) for lo, hi in extent)
        if len(pairs) != 2:
            raise ValueError("extent needs one range per axis")
    for lo, hi in pairs:
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError("each range must be finite and not empty (use a positive extent)")
    return pairs


def data_arrays(trainer, data: str = "train") -> tuple[Array, Array]:
    """The feature matrix (N, F) and targets (N, n_out) of one set, as the kernels take them."""
    if data not in DATA:
        raise ValueError(f"data must be one of {DATA}, not {data!r}")
    return (trainer._xtr, trainer._ttr) if data == "train" else (trainer._xte, trainer._tte)


def _direction(d: Array, size: int) -> Array:
    v = np.ascontiguousarray(d, dtype=np.float64).ravel()
    if v.size != size:
        raise ValueError(f"a direction needs {size} entries (one per parameter), not {v.size}")
    if not np.all(np.isfinite(v)):
        raise ValueError("a direction must be finite")
    return v


class PlaneRows:
    """The losses of a plane, computed a few rows at a time (all inputs are copies).

    z[i, j] is the mean loss over (x, t) at params + a[i] d1 + b[j] d2. `run(seconds)`
    computes whole rows until about that much time has passed; `done` says when all are.
    """

    def __init__(self, network, d1: Array, d2: Array, a: Array, b: Array, x: Array, t: Array):
        p = network.params
        self.params = p.copy()
        self.d1, self.d2 = _direction(d1, p.size), _direction(d2, p.size)
        self.a, self.b = np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
        self.x, self.t = np.array(x, dtype=np.float64, order="C"), np.array(t, dtype=np.float64, order="C")
        self._layout = (np.array(network.w_off, dtype=np.int64), np.array(network.b_off, dtype=np.int64),
                        np.array(network.layer_sizes, dtype=np.int64), network.activation_codes())
        self._loss = losses.code(network.output_kind)
        self.z = np.full((self.a.size, self.b.size), np.nan)   # (n_a, n_b)
        self.rows_done = 0
        self.seconds = 0.0                  # time spent computing
        self._row_s = 0.0                   # measured seconds per row

    @property
    def done(self) -> bool:
        return self.rows_done >= self.a.size

    def run(self, seconds: float = math.inf) -> bool:
        """Compute rows for about `seconds` (at least one); returns done."""
        start = time.perf_counter()
        while not self.done:
            left = seconds - (time.perf_counter() - start)
            if self.rows_done and left <= 0:
                break
            rows = self.a.size - self.rows_done
            if math.isfinite(left) and self._row_s > 0:
                rows = max(1, min(rows, int(left / self._row_s)))
            elif math.isfinite(left):
                rows = 1                        # the first call measures one row
            lo, hi = self.rows_done, self.rows_done + rows
            t0 = time.perf_counter()
            landscape_kernel.plane_losses(self.params, self.d1, self.d2, self.a[lo:hi], self.b,
                                          *self._layout, self._loss,
                                          self.x, self.t, self.z[lo:hi])
            spent = time.perf_counter() - t0
            self._row_s = spent / rows
            self.seconds += spent
            self.rows_done = hi
        return self.done


def loss_landscape(trainer, d1: Array, d2: Array, extent, n: int, data: str = "train") -> tuple[Array, Array, Array]:
    """Losses over the plane through the trainer's current weights w spanned by d1 and d2.

    d1, d2: (P,) flat directions in the network's parameter layout (see directions.py
    for the three kinds). extent: half-width e (both axes run -e..e) or the two ranges
    ((a_lo, a_hi), (b_lo, b_hi)). n: grid points per axis (2..401). data: "train" or
    "test". Returns a (n,), b (n,) and Z (n, n) with Z[i, j] the mean loss (no penalty, as
    the Playground shows it) at w + a[i] d1 + b[j] d2. The trainer is left unchanged.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_N:
        raise ValueError(f"n must be a whole number from 2 to {MAX_N}")
    (a0, a1), (b0, b1) = _ranges(extent)
    x, t = data_arrays(trainer, data)
    rows = PlaneRows(trainer.network, d1, d2, axis(a0, a1, int(n)), axis(b0, b1, int(n)), x, t)
    rows.run()
    return rows.a.copy(), rows.b.copy(), rows.z


@dataclass(frozen=True)
class NextStep:
    """What the trainer's next mini-batch update would do, found on a copy of the trainer.

    gradient: (P,) that batch's averaged gradient; step: (P,) the change of the weights it
    makes (the optimiser's and the penalty's); batch: indices of its training points;
    train_loss, test_loss: the losses after it.
    """

    gradient: Array
    step: Array
    batch: Array
    train_loss: float
    test_loss: float


def next_step(trainer) -> NextStep | None:
    """Take the next update on a deep copy (so every training rule is the Trainer's own);
    None when there is nothing to step (no training points, or a diverged network)."""
    if not len(trainer._xtr) or trainer.diverged:
        return None
    probe = copy.deepcopy(trainer)
    probe.step_batch()
    step = probe.network.params - trainer.network.params
    return NextStep(probe.grad.copy(), step, probe.last_batch.copy(), float(probe.train_loss),
                    float(probe.test_loss))


@dataclass(frozen=True)
class Slice:
    """Losses along the line w + t u, u = -g/|g| the next step's descent direction.

    t: (m,) distances along u (parameter units); loss: (m,) on the chosen set; batch_loss:
    (m,) on the next batch's own points (the loss whose gradient g is); step_t: how far
    along u the next update goes (learning rate x |g| for plain SGD, the projection of the
    optimiser's actual step otherwise); step_off: the share of the step's length that
    leaves the line (0 for plain SGD without penalty); next_loss: the chosen set's loss
    after the step, from the trainer's own update.
    """

    t: Array
    loss: Array
    batch_loss: Array
    step_t: float
    step_off: float
    next_loss: float
    gradient_norm: float


def gradient_slice(trainer, data: str = "train", n: int = 81, span: float = 0.0,
                   nxt: NextStep | None = None) -> Slice | None:
    """The 1-D landscape along the next step's gradient, with the spot the step lands on.

    span > 0 fixes the range of t to -span/4..span; 0 picks one that shows the step and
    the bottom of the valley along the line (doubled until the lowest loss is inside).
    None when there is no next step or its gradient is 0. The trainer is left unchanged.
    """
    nxt = nxt if nxt is not None else next_step(trainer)
    if nxt is None:
        return None
    g_norm = float(np.linalg.norm(nxt.gradient))
    if not (g_norm > 0 and math.isfinite(g_norm)):
        return None
    u = -nxt.gradient / g_norm
    step_t = float(nxt.step @ u)
    step_len = float(np.linalg.norm(nxt.step))
    off = float(np.linalg.norm(nxt.step - step_t * u) / step_len) if step_len > 0 else 0.0
    x, t = data_arrays(trainer, data)
    zero = np.zeros_like(u)

    def line(reach: float, xs: Array, ts: Array) -> tuple[Array, Array]:
        ts_ = axis(-0.25 * reach, reach, n)
        rows = PlaneRows(trainer.network, u, zero, ts_, np.zeros(1), xs, ts)
        rows.run()
        return ts_, rows.z[:, 0]

    w_norm = float(np.linalg.norm(trainer.network.params))
    reach = span if span > 0 else 2.0 * max(abs(step_t), 1e-3 * max(w_norm, 1.0))
    ts, loss = line(reach, x, t)
    for _ in range(8 if span <= 0 else 0):     # widen until the valley's bottom is in view
        finite = np.isfinite(loss)
        if not finite.any() or int(np.argmin(np.where(finite, loss, np.inf))) < n - 1:
            break
        reach *= 2.0
        ts, loss = line(reach, x, t)
    xb, tb = trainer._xtr[nxt.batch], trainer._ttr[nxt.batch]
    batch_loss = line(reach, np.ascontiguousarray(xb), np.ascontiguousarray(tb))[1]
    next_loss = nxt.train_loss if data == "train" else nxt.test_loss
    return Slice(ts, loss, batch_loss, step_t, off, next_loss, g_norm)
