"""The next update worked out on copies of a Trainer's state, and one update from chosen points.

A mixin of Trainer (trainer.py). Why here: only the Trainer drives the compiled kernel,
and a preview that is to equal step_batch() to the last bit must make the very kernel
call step_batch() makes (kernels.train_batches with the same arguments), only on copies.
So the preview *is* the step, and nothing of the Trainer changes.

Points chosen by hand (one clicked on the decision surface) make an update of their own:
the same kernel and optimiser state, with those points as the whole batch. It is not one
of the epoch's batches: the batch counter, the epoch and SGD's carried leftover stay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from nnviz.core import compiled
from nnviz.core.model import losses
from nnviz.core.train import batches, kernels
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper

Array = np.ndarray


@dataclass(frozen=True)
class StepPreview:
    """One update as the kernel makes it, computed on copies (P = number of parameters)."""

    points: Array          # (B,) int64 training indices the update averages, carried ones first
    carried: Array         # (B,) bool: that point's gradient was carried from the previous epoch
    carry_count: int       # points in the carried sum (more than carried.sum() if their indices are unknown)
    carry_sum: Array       # (P,) carried gradient sum the update adds in (zeros when none)
    chosen: bool           # True: points chosen by hand, not the next mini-batch
    epoch: int             # completed epochs before the update
    batch: int             # the update is batch `batch` of the epoch (for chosen points: the counter, kept)
    hyper: Hyper           # its settings, the learning rate decayed for this epoch
    t: int                 # updates counted after this one (Adam's bias correction uses it)
    params_before: Array   # (P,)
    params_after: Array    # (P,) bit for bit what the update leaves
    grad: Array            # (P,) averaged gradient the update used (0 on dead links)
    m_before: Array        # (P,) momentum velocity / Adam's first moment
    m_after: Array
    v_before: Array        # (P,) RMSprop / Adam second moment
    v_after: Array
    dead_before: Array     # (P,) int64 epoch each link died in, 0 alive (SGD under L1)
    dead_after: Array
    leftover: Array        # (r,) points this update's epoch end carries into the next update
    state_key: str         # fingerprint of the Trainer's state it was computed from

    @property
    def size(self) -> int:
        """How many points the update averages over (carried ones included)."""
        return int(len(self.points) - int(self.carried.sum()) + self.carry_count)


class PreviewMixin:
    """next_points, preview_step, step_points and state_key for Trainer."""

    def next_points(self) -> tuple[Array, Array]:
        """(points (B,), carried (B,) bool): the training points step_batch() averages next,
        the carried leftover first (when its indices are known)."""
        lo, hi = batches.batch_range(self.batch, len(self._xtr), self.config.batch_size)
        own = np.arange(lo, hi, dtype=np.int64)
        carried = self.carried if self._carry.count and len(self.carried) == self._carry.count \
            else np.zeros(0, dtype=np.int64)
        points = np.concatenate([carried, own])
        return points, np.arange(len(points)) < len(carried)

    def state_key(self) -> str:
        """A fingerprint of everything the next update depends on: equal keys, equal updates."""
        h = hashlib.blake2b(digest_size=16)
        for a in (self.network.params, self._opt.m, self._opt.v, self._carry.acc, self._dead,
                  self._xtr, self._ttr):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(repr((self._opt.t, self._carry.count, self.epoch, self.batch, self.config,
                       self.network.layer_sizes)).encode())
        return h.hexdigest()

    def _checked_points(self, points) -> Array:
        idx = np.asarray(points)
        n = len(self._xtr)
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError("give the training points as a non-empty list of indices")
        if np.any(idx < 0) or np.any(idx >= n):
            raise ValueError(f"a training point index is out of range (0..{n - 1})")
        if len(np.unique(idx)) != idx.size:
            raise ValueError("a training point is listed twice")
        return idx.astype(np.int64)

    def _kernel_step(self, params: Array, grad: Array, m: Array, v: Array, acc: Array, dead: Array,
                     counts: Array, last: Array, points: Array | None) -> None:
        """One update through kernels.train_batches on the arrays given (the Trainer's own
        or copies): the next mini-batch as _run(1) makes it, or the chosen points."""
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, self.epoch).vector()
        if points is None:
            x, t, first, size = self._xtr, self._ttr, self.batch, cfg.batch_size
        else:   # one batch of exactly these points: no leftover, nothing carried in or out
            x, t = np.ascontiguousarray(self._xtr[points]), np.ascontiguousarray(self._ttr[points])
            first, size = 0, len(points)
        if not compiled.available():   # the kernel is still compiling (a first start): numpy
            self._reference_step(params, grad, m, v, acc, dead, counts, last, x, t, first, size)
            return
        kernels.train_batches(params, grad, m, v, acc, dead, self._w_off, self._b_off, self._sizes, self._acts,
                              losses.code(net.output_kind), x, t, first, 1, size, OPT_CODES[cfg.optimizer],
                              REG_CODES[cfg.regularization], hyper, counts, self.epoch + 1, last)

    def preview_step(self, points=None) -> StepPreview:
        """The next update (points None: what step_batch() makes) or an update from the
        chosen training points, worked out on copies; the Trainer is left untouched."""
        if not len(self._xtr):
            raise ValueError("there are no training points")
        chosen = points is not None
        if chosen:
            idx = self._checked_points(points)
            carried = np.zeros(idx.size, dtype=bool)
        else:
            idx, carried = self.next_points()
        p0 = self.network.params
        params, grad, m, v = p0.copy(), self.grad.copy(), self._opt.m.copy(), self._opt.v.copy()
        dead, last = self._dead.copy(), np.zeros_like(p0)
        acc = np.zeros_like(p0) if chosen else self._carry.acc.copy()
        counts = np.array([self._opt.t, 0 if chosen else self._carry.count], dtype=np.int64)
        carry_count = 0 if chosen else int(self._carry.count)
        carry_sum = np.zeros_like(p0) if not carry_count else self._carry.acc.copy()
        self._kernel_step(params, grad, m, v, acc, dead, counts, last, idx if chosen else None)
        cfg = self.config
        ends = not chosen and self.batch == self.batches_per_epoch - 1
        lo, hi = batches.leftover_range(len(self._xtr), cfg.batch_size, cfg.optimizer) if ends else (0, 0)
        return StepPreview(
            points=idx, carried=carried, carry_count=carry_count, carry_sum=carry_sum, chosen=chosen,
            epoch=self.epoch, batch=self.batch, hyper=Hyper.from_config(cfg, self.epoch), t=int(counts[0]),
            params_before=p0.copy(), params_after=params, grad=grad, m_before=self._opt.m.copy(), m_after=m,
            v_before=self._opt.v.copy(), v_after=v, dead_before=self._dead.copy(), dead_after=dead,
            leftover=np.arange(lo, hi, dtype=np.int64), state_key=self.state_key())

    def step_points(self, points) -> None:
        """One update from exactly these training points (their average gradient, the run's
        optimiser and penalty). Not one of the epoch's batches: the batch counter, the epoch
        and a carried leftover are kept; the update count (Adam's t) and total_steps grow."""
        if not len(self._xtr) or self.diverged:
            return
        idx = self._checked_points(points)
        counts = np.array([self._opt.t, 0], dtype=np.int64)
        self._kernel_step(self.network.params, self.grad, self._opt.m, self._opt.v, np.zeros_like(self.grad),
                          self._dead, counts, self.last_update, idx)
        self._opt.t = int(counts[0])
        self.total_steps += 1
        self.last_batch = idx.copy()
        self._refresh()
