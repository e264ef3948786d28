"""Trainer: one network, its optimiser state and its data, stepped by the compiled kernel.

Pure Python around kernels.py, no threads: the worker owns the only Trainer and calls it
from its own thread (the kernels release the GIL). Batches are taken in the data's
fixed (already shuffled) order without reshuffling, as the Playground does.

Seeds: the data come from `make_data(..., seed)`; the initial weights from
`np.random.default_rng([config.seed, WEIGHT_STREAM])`, a stream of its own derived from
the same seed, so one seed fixes a whole run and Reset returns to the same weights.

The class is split by role: hand edits in trainer_edits.py, data changes in
trainer_data.py, saving and loading its state in trainer_state.py.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.config import CUSTOM, Config, reset_scope
from nnviz.core.data.datasets import Dataset, class_index, make_data
from nnviz.core.model import features, losses
from nnviz.core.model.network import Network
from nnviz.core.snapshot import Snapshot
from nnviz.core.train import kernels, metrics, reference
from nnviz.core.train.metrics import History
from nnviz.core.train.optimizers import OPT_CODES, REG_CODES, Hyper, OptimizerState
from nnviz.core.train.trainer_data import DataMixin
from nnviz.core.train.trainer_edits import EditsMixin
from nnviz.core.train.trainer_state import StateMixin, check_data, resolve_output

WEIGHT_STREAM = 1      # second word of the weights' seed sequence
RUN_EPOCHS = 4096      # most epochs in one kernel call (bounds the results buffer)
Array = np.ndarray


class Trainer(EditsMixin, DataMixin, StateMixin):
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
        return make_data(config.dataset, config.noise, config.train_ratio, seed, config.n_classes)

    def _set_data(self, train: Dataset, test: Dataset) -> None:
        """Replace the data arrays (the network is left alone; callers rebuild it if needed)."""
        check_data(train, test)
        self.train_x, self.train_y = train.x, train.y   # read-only (N, 2), (N,)
        self.test_x, self.test_y = test.x, test.y
        self.n_classes = train.n_classes
        self.batch = 0

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

    # -- network ------------------------------------------------------------------------
    def _build(self) -> None:
        """Fresh network from the seed, epoch 0, optimiser state and history cleared."""
        cfg = self.config
        kind = resolve_output(cfg, self.n_classes)
        n_out = max(self.n_classes, 2) if kind == "softmax_ce" else 1
        net = Network((len(cfg.features), *cfg.hidden_layers, n_out), cfg.activations, kind, cfg.features)
        net.initialize(cfg.init, np.random.default_rng([cfg.seed, WEIGHT_STREAM]))
        self.network = net
        self._sizes = np.array(net.layer_sizes, dtype=np.int64)
        self._acts = net.activation_codes()
        self._w_off = np.array(net.w_off, dtype=np.int64)
        self._b_off = np.array(net.b_off, dtype=np.int64)
        self._opt = OptimizerState.zeros(net.params.size)
        self.grad = np.zeros(net.params.size)      # (P,) last averaged gradient
        self._out = np.zeros(4 + net.n_layers)     # kernel results, see kernels.train_eval
        self.epoch = self.batch = self.total_steps = 0
        self.last_batch = np.zeros(0, dtype=np.int64)
        self._diverged_at = -1
        self._kernel_data()
        self.history = History(net.n_layers)
        self._refresh()
        self.history.record(0, self.train_loss, self.test_loss, self._first_grad_norms())

    def _first_grad_norms(self) -> Array:
        """Gradient size at epoch 0: that of the first mini-batch at the initial weights."""
        b = min(self.config.batch_size, len(self._xtr))
        if b == 0:
            return np.zeros(self.network.n_layers)
        return self._norms(reference.gradient(self.network, self._xtr[:b], self._ttr[:b]))

    def _fresh_start(self) -> None:
        """Until the first training step, epoch 0's history entry follows the network and
        the data as they are now (a hand edit, Regenerate), so the curve starts where the
        read-outs are."""
        if self.total_steps == 0 and self.epoch == 0:
            self.history.restart(self.train_loss, self.test_loss, self._first_grad_norms())

    def _norms(self, g: Array) -> Array:
        """(L,) RMS of each layer's weight gradient in a flat gradient g (P,)."""
        return np.array([math.sqrt(float(np.mean(g[w0:b0] ** 2)))
                         for w0, b0 in zip(self._w_off, self._b_off)])

    # -- counters and scores ---------------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        return -(-len(self._xtr) // self.config.batch_size)

    @property
    def grad_weights(self) -> list[Array]:
        """Views (n_out, n_in) into `grad`, like network.weights."""
        return [self.grad[w0:b0].reshape(w.shape) for w0, b0, w in
                zip(self._w_off, self._b_off, self.network.weights)]

    @property
    def grad_biases(self) -> list[Array]:
        return [self.grad[b0:b0 + b.size] for b0, b in zip(self._b_off, self.network.biases)]

    def grad_norms(self) -> Array:
        """(L,) RMS of each layer's last weight gradient (the gradient-flow view)."""
        return self._norms(self.grad)

    # history, as lists (see metrics.History: thinned beyond History.CAP entries)
    history_epoch = property(lambda self: self.history.epoch)
    history_train = property(lambda self: self.history.train)
    history_test = property(lambda self: self.history.test)
    history_grad = property(lambda self: self.history.grad)
    history_stride = property(lambda self: self.history.stride)

    def _accuracy(self, correct: float, n: int) -> float:
        return correct / n if self.n_classes and n else float("nan")

    def _take_out(self) -> None:
        o = self._out
        self.train_loss, self.test_loss = float(o[0]), float(o[2])
        self.train_accuracy = self._accuracy(o[1], len(self._xtr))
        self.test_accuracy = self._accuracy(o[3], len(self._xte))

    def _refresh(self) -> None:
        """Recompute both losses and accuracies for the current weights (after an edit)."""
        res = np.zeros(2)
        net = self.network
        for k, (x, t, c) in enumerate(((self._xtr, self._ttr, self._ctr), (self._xte, self._tte, self._cte))):
            kernels.evaluate(net.params, self._w_off, self._b_off, self._sizes, self._acts,
                             losses.code(net.output_kind), x, t, c, res)
            self._out[2 * k:2 * k + 2] = res
        self._take_out()
        self._check()

    @property
    def r2_test(self) -> float:
        """R^2 of the test predictions for regression; nan for classification."""
        return self._r2(self._test_outputs())

    def _r2(self, out_test: Array) -> float:
        return metrics.r2(self.test_y, out_test) if self.n_classes == 0 else float("nan")

    def _test_outputs(self) -> Array:
        """(N_test, n_out) network outputs on the test set, by the compiled forward pass."""
        net = self.network
        out = np.empty((len(self._xte), net.layer_sizes[-1]))
        kernels.forward_outputs(net.params, self._w_off, self._b_off, self._sizes, self._acts, self._xte, out)
        return out

    # -- training ---------------------------------------------------------------------
    def _run(self, count: int) -> None:
        """Batches self.batch .. self.batch + count - 1 in one kernel call, then scores."""
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, self.epoch).vector()
        first = self.batch
        self._opt.t = kernels.train_eval(
            net.params, self.grad, self._opt.m, self._opt.v, self._w_off, self._b_off, self._sizes,
            self._acts, losses.code(net.output_kind), self._xtr, self._ttr, self._ctr,
            self._xte, self._tte, self._cte, first, count, cfg.batch_size,
            OPT_CODES[cfg.optimizer], REG_CODES[cfg.regularization], hyper, self._opt.t, self._out)
        self.last_batch = self._batch_points(first + count - 1)
        self.total_steps += count
        self.batch += count
        self._take_out()
        if self.batch >= self.batches_per_epoch:
            self.epoch += 1
            self.batch = 0
            self.history.record(self.epoch, self.train_loss, self.test_loss, self._out[4:])
        self._check()

    def _batch_points(self, k: int) -> Array:
        """(b,) indices of the training points in batch k of an epoch."""
        lo = k * self.config.batch_size
        return np.arange(lo, min(lo + self.config.batch_size, len(self._xtr)), dtype=np.int64)

    def step_batch(self) -> None:
        """Exactly one mini-batch update (the epoch ends if it was the last batch)."""
        if len(self._xtr):
            self._run(1)

    def step_epoch(self) -> None:
        """Run to the end of the current epoch (a whole one if at a boundary)."""
        if len(self._xtr):
            self._run(self.batches_per_epoch - self.batch)

    def train_epochs(self, n: int, target_loss: float = 0.0) -> int:
        """Up to n epoch ends; stops early on divergence or when the test loss reaches
        target_loss (> 0). Returns how many epochs were completed (the first may finish
        a started one). Whole epochs run in one kernel call each RUN_EPOCHS, bit for bit
        the same as step_epoch() repeated.
        """
        if n < 1 or not len(self._xtr) or self.diverged:
            return 0
        done = 0
        if self.batch:
            self._run(self.batches_per_epoch - self.batch)
            done = 1
            if target_loss > 0 and self.test_loss <= target_loss:
                return done
        while done < n and not self.diverged:
            want = min(n - done, RUN_EPOCHS)
            got = self._run_epochs(want, target_loss)
            done += got
            if got < want:   # the kernel stopped early: diverged or reached the target
                break
        return done

    def _run_epochs(self, n: int, target_loss: float) -> int:
        """n whole epochs (from an epoch boundary) in one kernel call; returns those done."""
        cfg, net = self.config, self.network
        hyper = Hyper.from_config(cfg, 0).vector()       # the kernel decays the rate per epoch
        rows = np.empty((n, self._out.size))             # (n, 4 + L), see kernels.train_eval
        self._opt.t, got = kernels.train_epoch_run(
            net.params, self.grad, self._opt.m, self._opt.v, self._w_off, self._b_off, self._sizes,
            self._acts, losses.code(net.output_kind), self._xtr, self._ttr, self._ctr,
            self._xte, self._tte, self._cte, cfg.batch_size, OPT_CODES[cfg.optimizer],
            REG_CODES[cfg.regularization], hyper, float(cfg.lr_decay), self.epoch, self._opt.t,
            float(target_loss), rows)
        nb = self.batches_per_epoch
        for r in rows[:got]:
            self.epoch += 1
            self.history.record(self.epoch, float(r[0]), float(r[2]), r[4:])
        self._out[:] = rows[got - 1]
        self.last_batch = self._batch_points(nb - 1)
        self.total_steps += got * nb
        self.batch = 0
        self._take_out()
        self._check()
        return int(got)

    # -- divergence ---------------------------------------------------------------------
    def _bad(self) -> bool:
        return (not np.all(np.isfinite(self.network.params))
                or (len(self._xtr) > 0 and not math.isfinite(self.train_loss))
                or (len(self._xte) > 0 and not math.isfinite(self.test_loss)))

    def _check(self) -> None:
        if self._diverged_at < 0 and self._bad():
            self._diverged_at = self.epoch

    @property
    def diverged(self) -> str:
        """A message in words when the loss or a weight is NaN/inf, else ""."""
        if not self._bad():
            return ""
        at = self._diverged_at if self._diverged_at >= 0 else self.epoch
        return (f"The loss became infinite/NaN at epoch {at}: the learning rate "
                f"({self.config.learning_rate:g}) is too large for this network, so the weights "
                "blew up. Lower the learning rate and press Reset.")

    # -- settings -----------------------------------------------------------------------
    def set_learning_rate(self, lr: float) -> None:
        """A new learning rate; weights, optimiser state, epoch and history are kept."""
        self.config = self.config.replace(learning_rate=float(lr))

    def set_config(self, new: Config) -> None:
        """Apply new settings; what is rebuilt follows config.reset_scope."""
        scope = reset_scope(self.config, new)
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
        out_test = self._test_outputs()   # (N_test, n_out); nan once diverged
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
            playing=playing, diverged=self.diverged, seq=seq)
