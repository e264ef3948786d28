"""Trainer: one network, its optimiser state and its data, stepped by the compiled kernel.

Pure Python around kernels.py, no threads: the worker owns the only Trainer and calls it
from its own thread (the kernels release the GIL). Batches are taken in the data's
fixed (already shuffled) order without reshuffling, as the Playground does; which points
each update takes (the Playground's carried leftover for SGD, a short last batch for the
others) is batches.py's rule.

Seeds: the data come from `make_data(..., seed)`; the initial weights from
`np.random.default_rng([config.seed, WEIGHT_STREAM])`, a stream of its own derived from
the same seed, so one seed fixes a whole run and Reset returns to the same weights.

The class is split by role: hand edits in trainer_edits.py, data changes in
trainer_data.py, saving and loading its state in trainer_state.py, the next update worked
out on copies (and an update from chosen points) in trainer_preview.py, part of an epoch
in one call (the worker's time box) in trainer_parts.py, the numpy path that stands in
for the kernel while it compiles (nnviz.core.compiled) in trainer_reference.py, and
checkpoints and going back in time in trainer_timeline.py (`timeline`, `restore`, `fork`),
views into the gradient, the velocity and the dead links in trainer_views.py, and
divergence and the network that cannot learn in trainer_health.py.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core import compiled
from nnviz.core.config import CUSTOM, Config, reset_scope
from nnviz.core.data.datasets import Dataset, class_index, make_data
from nnviz.core.model import features, losses
from nnviz.core.model.network import Network
from nnviz.core.snapshot import Snapshot
from nnviz.core.train import batches, kernels, metrics, reference
from nnviz.core.train.batches import Carry
from nnviz.core.train.metrics import History
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper, OptimizerState
from nnviz.core.train.timeline import next_due
from nnviz.core.train.trainer_data import DataMixin
from nnviz.core.train.trainer_edits import EditsMixin
from nnviz.core.train.trainer_health import HealthMixin
from nnviz.core.train.trainer_parts import PartsMixin
from nnviz.core.train.trainer_preview import PreviewMixin
from nnviz.core.train.trainer_reference import ReferenceMixin
from nnviz.core.train.trainer_scores import ScoresMixin
from nnviz.core.train.trainer_state import StateMixin, check_data, resolve_output
from nnviz.core.train.trainer_timeline import TimelineMixin
from nnviz.core.train.trainer_views import ViewsMixin

WEIGHT_STREAM = 1      # second word of the weights' seed sequence
RUN_EPOCHS = 4096      # most epochs in one kernel call (bounds the results buffer)
Array = np.ndarray


class Trainer(EditsMixin, DataMixin, StateMixin, PreviewMixin, PartsMixin, ReferenceMixin, TimelineMixin,
              ViewsMixin, HealthMixin, ScoresMixin):
    """Train a Network on a (train, test) pair; see the module doc for seeds and order."""

    def __init__(self, config: Config, data: tuple[Dataset, Dataset] | None = None):
        self.config = config
        self.data_seed = config.seed if data is None else -1   # seed of generated data, -1: given
        if data is None:
            data = self._generate(config, config.seed)
        self._set_data(*data)
        self._build()

    # -- data -------------------------------------------------------------------------
    @staticmethod
    def _generate(config: Config, seed: int) -> tuple[Dataset, Dataset]:
        return make_data(config.dataset, config.noise, config.train_ratio, seed, config.n_classes,
                         **config.data_shape)

    def _set_data(self, train: Dataset, test: Dataset) -> None:
        """Replace the data arrays (the network is left alone; callers rebuild it if needed)."""
        check_data(train, test)
        self.train_x, self.train_y = train.x, train.y   # read-only (N, 2), (N,)
        self.test_x, self.test_y = test.x, test.y
        self.n_classes = train.n_classes
        self.batch = 0
        self.carried = np.zeros(0, dtype=np.int64)   # which points the carry holds: unknown for old data
        self._stuck_at = -1     # new data may let a frozen network learn again

    def _kernel_data(self) -> None:
        """Feature matrices, targets and class indices in the form the kernel takes."""
        kind, names = self.network.output_kind, self.config.features
        def prep(x: Array, y: Array) -> tuple[Array, Array, Array]:
            fx = np.ascontiguousarray(features.transform(x, names))             # (N, F)
            t = np.array(losses.targets(kind, y, self.n_classes), order="C")    # (N, n_out)
            c = class_index(y, self.n_classes) if self.n_classes else np.zeros(len(y), np.int64)
            return fx, t, np.ascontiguousarray(c, dtype=np.int64)               # c (N,)
        self._xtr, self._ttr, self._ctr = prep(self.train_x, self.train_y)
        self._xte, self._tte, self._cte = prep(self.test_x, self.test_y)
        # a constant output is the right answer when every target is the same
        self._varied = bool(len(self._ttr) > 1 and np.any(self._ttr != self._ttr[0]))

    # -- network ------------------------------------------------------------------------
    def _build(self) -> None:
        """Fresh network from the seed, epoch 0, optimiser state and history cleared."""
        cfg = self.config
        kind = resolve_output(cfg, self.n_classes)
        n_out = max(self.n_classes, 2) if kind == "softmax_ce" else 1
        net = Network((len(cfg.features), *cfg.hidden_layers, n_out), cfg.activations, kind, cfg.features)
        net.initialize(cfg.init, np.random.default_rng([cfg.seed, WEIGHT_STREAM]), cfg.init_scale)
        self.network = net
        self._sizes = np.array(net.layer_sizes, dtype=np.int64)
        self._acts = net.activation_codes()
        self._w_off = np.array(net.w_off, dtype=np.int64)
        self._b_off = np.array(net.b_off, dtype=np.int64)
        self._opt = OptimizerState.zeros(net.params.size)
        self._carry = Carry.zeros(net.params.size)     # SGD's leftover points, not applied yet
        self._dead = np.zeros(net.params.size, dtype=np.int64)   # (P,) epoch a link died in, 0: alive
        self.grad = np.zeros(net.params.size)      # (P,) last averaged gradient
        self.last_update = np.zeros(net.params.size)   # (P,) change the last update made, new - old
        self._out = np.zeros(5 + net.n_layers)     # kernel results, see kernels.train_eval
        self.epoch = self.batch = self.total_steps = 0
        self.last_batch = np.zeros(0, dtype=np.int64)
        self.carried = np.zeros(0, dtype=np.int64)
        self._diverged_at = -1
        self._stuck_at, self._stuck_layer = -1, 0
        self._kernel_data()
        self.history = History(net.n_layers)
        self._refresh()
        self.history.record(0, self.train_loss, self.test_loss, self._first_grad_norms())
        self._timeline_begin("start")

    def _first_grad_norms(self) -> Array:
        """Gradient size at epoch 0: that of the first mini-batch at the initial weights."""
        lo, hi = batches.batch_range(0, len(self._xtr), self.config.batch_size)
        if hi == lo:
            return np.zeros(self.network.n_layers)
        return self._norms(reference.gradient(self.network, self._xtr[lo:hi], self._ttr[lo:hi]))

    def _fresh_start(self) -> None:
        """Until the first training step, epoch 0's history entry follows the network and
        the data as they are now (a hand edit, Regenerate), so the curve starts where the
        read-outs are."""
        if self.total_steps == 0 and self.epoch == 0:
            self.history.restart(self.train_loss, self.test_loss, self._first_grad_norms())

    def _norms(self, g: Array) -> Array:
        """(L,) RMS of each layer's weight gradient in a flat gradient g (P,), as the kernel
        computes it (scaled by the largest entry where the squares over- or underflow)."""
        out = []
        with np.errstate(all="ignore"):
            for w0, b0 in zip(self._w_off, self._b_off):
                x = g[w0:b0]
                s, big = float(np.mean(x * x)), float(np.max(np.abs(x)))
                if (s == 0.0 or math.isinf(s)) and 0.0 < big < math.inf:
                    out.append(big * math.sqrt(float(np.mean((x / big) ** 2))))
                else:
                    out.append(math.sqrt(s))
        return np.array(out)

    # -- training ---------------------------------------------------------------------
    def _counts(self) -> Array:
        """(2,) int64 the kernel keeps up to date: updates so far, points carried."""
        return np.array([self._opt.t, self._carry.count], dtype=np.int64)

    def _take_counts(self, counts: Array) -> None:
        self._opt.t, self._carry.count = int(counts[0]), int(counts[1])

    def _check_flag(self) -> int:
        """1 while the kernel should look for a frozen layer (not yet found, targets vary)."""
        return int(self._varied and self._stuck_at < 0)

    def _run(self, count: int) -> None:
        """Batches self.batch .. self.batch + count - 1 in one kernel call, then scores."""
        self._before_training()
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, self.epoch).vector()
        first, counts, carried = self.batch, self._counts(), self.carried
        if not compiled.available():
            self._reference_run(count)
        else:
            kernels.train_eval(
                net.params, self.grad, self._opt.m, self._opt.v, self._carry.acc, self._dead, self._w_off,
                self._b_off, self._sizes, self._acts, losses.code(net.output_kind), self._xtr, self._ttr,
                self._ctr, self._xte, self._tte, self._cte, first, count, cfg.batch_size,
                OPT_CODES[cfg.optimizer], REG_CODES[cfg.regularization], hyper, counts, self.epoch + 1,
                self._check_flag(), self._out, self.last_update)
            self._take_counts(counts)
        with_carry = carried if count == 1 else np.zeros(0, dtype=np.int64)   # the run's first update took it
        self.last_batch = self._batch_points(first + count - 1, with_carry)
        self.total_steps += count
        self.batch += count
        self._take_out()
        if self.batch >= self.batches_per_epoch:
            self.epoch += 1
            self.batch = 0
            self.history.record(self.epoch, self.train_loss, self.test_loss, self._out[5:])
        self._after_run()
        self._after_epochs()

    def _after_run(self, scored: bool = True) -> None:
        """Which points the carry now holds; a frozen layer found (when the run was scored:
        the kernel looks for one as it scores); divergence."""
        lo, hi = batches.leftover_range(len(self._xtr), self.config.batch_size, self.config.optimizer)
        self.carried = np.arange(lo, hi, dtype=np.int64) if self._carry.count else np.zeros(0, dtype=np.int64)
        if scored and self._out[4] >= 0 and self._stuck_at < 0:
            self._stuck_at, self._stuck_layer = self.epoch, int(self._out[4])
        self._check()

    def _batch_points(self, k: int, carried: Array) -> Array:
        """(b,) indices of the training points whose gradient update k of an epoch
        averaged: the points carried into it (if any), then batch k's own."""
        lo, hi = batches.batch_range(k, len(self._xtr), self.config.batch_size)
        return np.concatenate([carried, np.arange(lo, hi, dtype=np.int64)])

    def step_batch(self) -> None:
        """Exactly one mini-batch update (the epoch ends if it was the last batch). The
        state before it is kept on the timeline."""
        if len(self._xtr):
            self.checkpoint("step")
            self._run(1)

    def step_epoch(self) -> None:
        """Run to the end of the current epoch (a whole one if at a boundary). The state
        before it is kept on the timeline."""
        if len(self._xtr):
            self.checkpoint("step")
            self._run(self.batches_per_epoch - self.batch)

    def train_epochs(self, n: int, target_loss: float = 0.0) -> int:
        """Up to n epoch ends; stops early on divergence, when the test loss reaches
        target_loss (> 0), or at the epoch the network is found unable to learn (see
        `stuck`; once found, later calls train on). Returns how many epochs were completed
        (the first may finish a started one). Whole epochs run in one kernel call each
        RUN_EPOCHS, bit for bit the same as step_epoch() repeated; a call also ends at each
        epoch the timeline keeps a checkpoint of.
        """
        if n < 1 or not len(self._xtr) or self.diverged:
            return 0
        done, was_stuck = 0, self._stuck_at >= 0
        if self.batch:
            self._run(self.batches_per_epoch - self.batch)
            done = 1
            if (target_loss > 0 and self.test_loss <= target_loss) or (self._stuck_at >= 0 and not was_stuck):
                return done
        # as one kernel call would: on through weights past the limit until the loss is not
        # finite, the divergence dated at the end (the calls end at checkpoints, which are
        # never made of such weights)
        self._defer_large = True
        try:
            done = self._epoch_calls(n, done, target_loss, was_stuck)
        finally:
            self._defer_large = False
        self._check()
        return done

    def _epoch_calls(self, n: int, done: int, target_loss: float, was_stuck: bool) -> int:
        """train_epochs' kernel calls, each of whole epochs up to the next checkpoint."""
        while done < n and not self._not_finite():
            want = min(n - done, RUN_EPOCHS, next_due(self.epoch) - self.epoch)
            got = self._run_epochs(want, target_loss)
            done += got
            # the kernel stopped early (diverged, reached the target or froze), or the call
            # ended at a checkpoint just as one of those happened
            if got < want or (target_loss > 0 and self.test_loss <= target_loss) or (
                    self._stuck_at >= 0 and not was_stuck):
                break
        return done

    def _run_epochs(self, n: int, target_loss: float) -> int:
        """n whole epochs (from an epoch boundary) in one kernel call; returns those done."""
        if not compiled.available():
            return self._reference_epochs(n, target_loss)   # epoch by epoch through _run
        self._before_training()
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, 0).vector()       # the kernel decays the rate per epoch
        rows = np.empty((n, self._out.size))             # (n, 5 + L), see kernels.train_eval
        counts, carried = self._counts(), self.carried
        got = kernels.train_epoch_run(
            net.params, self.grad, self._opt.m, self._opt.v, self._carry.acc, self._dead, self._w_off,
            self._b_off, self._sizes, self._acts, losses.code(net.output_kind), self._xtr, self._ttr,
            self._ctr, self._xte, self._tte, self._cte, cfg.batch_size, OPT_CODES[cfg.optimizer],
            REG_CODES[cfg.regularization], hyper, float(cfg.lr_decay), self.epoch, counts,
            float(target_loss), self._check_flag(), rows, self.last_update)
        self._take_counts(counts)
        nb = self.batches_per_epoch
        for r in rows[:got]:
            self.epoch += 1
            self.history.record(self.epoch, float(r[0]), float(r[2]), r[5:])
        self._out[:] = rows[got - 1]
        if nb == 1 and got > 1:   # the one update of each epoch took the previous epoch's leftover
            carried = np.arange(*batches.leftover_range(len(self._xtr), cfg.batch_size, cfg.optimizer))
        self.last_batch = self._batch_points(nb - 1, carried if nb == 1 else np.zeros(0, dtype=np.int64))
        self.total_steps += got * nb
        self.batch = 0
        self._take_out()
        self._after_run()
        self._after_epochs()
        return int(got)

    # -- settings -----------------------------------------------------------------------
    def set_learning_rate(self, lr: float) -> None:
        """A new learning rate; weights, optimiser state, epoch and history are kept."""
        self._before_change("settings")
        self.config = self.config.replace(learning_rate=float(lr))

    def set_config(self, new: Config) -> None:
        """Apply new settings; what is rebuilt follows config.reset_scope."""
        scope = reset_scope(self.config, new)
        if scope == "live":
            self._before_change("settings")
        if scope == "data" and new.dataset not in CUSTOM:
            data = self._generate(new, new.seed)    # may raise: nothing has changed yet
            self._set_data(*data)
            self.data_seed = new.seed
        self.config = new
        if scope in ("network", "data"):
            self._build()

    def reset(self) -> None:
        """New weights from the seed, epoch 0, history and optimiser state cleared."""
        self._build()

    # -- views and files ------------------------------------------------------------------
    def snapshot(self, seq: int = 0, playing: bool = False) -> Snapshot:
        """Everything a view needs, as copies."""
        net, kind = self.network, self.network.output_kind
        out_test = self._scored_test_outputs()   # (N_test, n_out); nan once diverged
        h = self.history
        return Snapshot(
            config=self.config, feature_names=tuple(features.label(f) for f in net.feature_names),
            layer_sizes=net.layer_sizes, weights=tuple(w.copy() for w in net.weights),
            biases=tuple(b.copy() for b in net.biases),
            grad_weights=tuple(g.copy() for g in self.grad_weights),
            grad_biases=tuple(g.copy() for g in self.grad_biases), grid=net.grid_outputs(),
            epoch=self.epoch, batch=self.batch, batches_per_epoch=self.batches_per_epoch,
            total_steps=self.total_steps, train_loss=self.train_loss, test_loss=self.test_loss,
            train_accuracy=self.train_accuracy, test_accuracy=self.test_accuracy,
            r2_test=self._r2(out_test),
            confusion=metrics.confusion_matrix(kind, out_test, self.test_y, self.n_classes),
            history_epoch=h.epoch.array().copy(), history_train=h.train.array().copy(),
            history_test=h.test.array().copy(), history_grad=h.grad.array().copy(), history_stride=h.stride,
            train_x=self.train_x.copy(), train_y=self.train_y.copy(), test_x=self.test_x.copy(),
            test_y=self.test_y.copy(), last_batch=self.last_batch.copy(), n_classes=self.n_classes,
            playing=playing, diverged=self.diverged, seq=seq,
            dead=tuple(d.copy() for d in self.dead), carried=self.carried.copy(),
            carried_count=self.carried_count, stuck=self.stuck,
            last_update=tuple(u.copy() for u in self._weight_views(self.last_update)),
            velocity=tuple(m.copy() for m in self.velocity),
            timeline_epochs=np.array(self.timeline.epochs, dtype=np.int64),
            timeline_reasons=tuple(c.reason for c in self.timeline.entries))
