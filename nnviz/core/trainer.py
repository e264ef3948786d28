"""Trainer: one network, its optimiser state and its data, stepped by the compiled kernel.

Pure Python around kernels.py, no threads: the worker owns the only Trainer and calls it
from its own thread (the kernels release the GIL). Batches are taken in the data's
fixed (already shuffled) order without reshuffling, as the Playground does.

Seeds: the data come from `make_data(..., seed)`; the initial weights from
`np.random.default_rng([config.seed, WEIGHT_STREAM])`, a stream of its own derived from
the same seed, so one seed fixes a whole run and Reset returns to the same weights.
"""

from __future__ import annotations

import json
import math

import numpy as np

from . import features, kernels, losses, metrics, reference
from .config import CUSTOM, Config, reset_scope
from .datasets import Dataset, class_index, make_data
from .metrics import History
from .network import Network
from .optimizers import OPT_CODES, REG_CODES, Hyper, OptimizerState
from .snapshot import Snapshot
from .trainer_state import STATE_FORMAT, SavedState, check_data, read_state, resolve_output

WEIGHT_STREAM = 1      # second word of the weights' seed sequence
MAX_PARAM = 1e6        # larger hand-typed weights are refused
RUN_EPOCHS = 4096      # most epochs in one kernel call (bounds the results buffer)
Array = np.ndarray


class Trainer:
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

    # -- edits --------------------------------------------------------------------------
    @staticmethod
    def _value(value: float) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError("the value must be a finite number")
        if abs(v) > MAX_PARAM:
            raise ValueError(f"the value must lie within +-{MAX_PARAM:g}")
        return v

    def _index(self, i: int, n: int, what: str) -> int:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise ValueError(f"{what} {i!r} does not exist (0..{n - 1})")
        return int(i)

    def set_weight(self, layer: int, dst: int, src: int, value: float) -> None:
        """weights[layer][dst, src] = value; losses updated at once."""
        layer = self._index(layer, self.network.n_layers, "layer")
        n_out, n_in = self.network.weights[layer].shape
        dst, src = self._index(dst, n_out, "neuron"), self._index(src, n_in, "input")
        self.network.weights[layer][dst, src] = self._value(value)
        self._refresh()

    def set_bias(self, layer: int, neuron: int, value: float) -> None:
        """biases[layer][neuron] = value (the output neuron's too)."""
        layer = self._index(layer, self.network.n_layers, "layer")
        neuron = self._index(neuron, self.network.biases[layer].size, "neuron")
        self.network.biases[layer][neuron] = self._value(value)
        self._refresh()

    def load_params(self, params: Array) -> None:
        """Imported weights (P,) for this same shape; counters and history are kept."""
        p = np.asarray(params, dtype=np.float64)
        if p.shape != self.network.params.shape:
            raise ValueError(f"expected {self.network.params.size} parameters, got {p.size}")
        if not np.all(np.isfinite(p)):
            raise ValueError("the weights hold NaN or infinite values")
        self.network.set_params(p)
        self._diverged_at = -1
        self._refresh()

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

    def _replace_data(self, train: Dataset, test: Dataset) -> None:
        """New data, same weights, epoch and history; rebuilt only if the output must change."""
        kind = self.network.output_kind
        self._set_data(train, test)
        if resolve_output(self.config, self.n_classes) != kind or (
                kind == "softmax_ce" and self.network.layer_sizes[-1] != max(self.n_classes, 2)):
            self._build()
            return
        self._kernel_data()
        self._refresh()

    def regenerate(self, seed: int) -> None:
        """A new draw of the generator with this seed (config.seed is left alone).

        Custom data (loaded or drawn) has no generator and is kept.
        """
        if self.config.dataset in CUSTOM:
            return
        self._replace_data(*self._generate(self.config, int(seed)))
        self.data_seed = int(seed)

    def set_data(self, train: Dataset, test: Dataset) -> None:
        """Given points (CSV import, drawing); config.dataset becomes "custom" (or
        "custom-regression"), so the settings say what the data is."""
        k = train.n_classes
        check_data(train, test)   # refuse before anything changes
        self.config = self.config.replace(dataset="custom-regression" if k == 0 else "custom",
                                          custom_classes=k if k >= 2 else self.config.custom_classes,
                                          output=self.config.output if k == 2 else "auto")
        self._replace_data(train, test)

    def add_point(self, x: float, y: float, label: float) -> None:
        """A hand-drawn point joins the training set."""
        label = float(label)
        if not (math.isfinite(float(x)) and math.isfinite(float(y)) and math.isfinite(label)):
            raise ValueError("a point needs finite coordinates and label")
        k = self.n_classes
        if (k == 2 and label not in (-1.0, 1.0)) or (k >= 3 and label not in range(k)):
            raise ValueError(f"label {label:g} does not fit {k} classes")
        train = Dataset(np.vstack([self.train_x, [[x, y]]]), np.append(self.train_y, label), k)
        self.set_data(train, Dataset(self.test_x, self.test_y, k))

    def erase_points(self, x: float, y: float, radius: float) -> None:
        """Remove every point (train and test) within radius of (x, y)."""
        def keep(p: Array) -> Array:
            return np.hypot(p[:, 0] - x, p[:, 1] - y) > radius
        k = self.n_classes
        kt, ke = keep(self.train_x), keep(self.test_x)
        if kt.all() and ke.all():
            return
        self.set_data(Dataset(self.train_x[kt], self.train_y[kt], k), Dataset(self.test_x[ke], self.test_y[ke], k))

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
            history_test=h.test.array().copy(), history_grad=h.grad.array().copy(),
            train_x=self.train_x.copy(), train_y=self.train_y.copy(), test_x=self.test_x.copy(),
            test_y=self.test_y.copy(), last_batch=self.last_batch.copy(), n_classes=self.n_classes,
            playing=playing, diverged=self.diverged, seq=seq)

    def state_dict(self) -> dict[str, Array | int | float | str]:
        """Everything needed to continue bit for bit: numpy arrays and plain scalars only."""
        h, net = self.history, self.network
        return {
            "format": STATE_FORMAT, "config": json.dumps(self.config.to_dict()),
            "output_kind": net.output_kind, "layer_sizes": self._sizes.copy(),
            "params": net.params.copy(), "grad": self.grad.copy(), "opt_m": self._opt.m.copy(),
            "opt_v": self._opt.v.copy(), "opt_t": int(self._opt.t), "epoch": self.epoch,
            "batch": self.batch, "total_steps": self.total_steps, "diverged_at": self._diverged_at,
            "data_seed": int(self.data_seed), "last_batch": self.last_batch.copy(),
            "history_stride": h.stride, "history_epoch": h.epoch.array().copy(),
            "history_train": h.train.array().copy(), "history_test": h.test.array().copy(),
            "history_grad": h.grad.array().copy(), "n_classes": self.n_classes,
            "train_x": self.train_x.copy(), "train_y": self.train_y.copy(),
            "test_x": self.test_x.copy(), "test_y": self.test_y.copy(),
        }

    def load_state_dict(self, d: dict) -> None:
        """Become the trainer saved in d, its settings and data too.

        Everything is checked before anything changes (trainer_state.read_state), so a bad
        dict (ValueError) leaves this trainer exactly as it was.
        """
        self._apply(read_state(d))

    def _apply(self, saved: SavedState) -> None:
        self.config, self.data_seed = saved.config, saved.data_seed
        self._set_data(saved.train, saved.test)
        self._build()
        self.network.set_params(saved.params)
        self.grad[:] = saved.grad
        self._opt = OptimizerState(saved.opt_m.copy(), saved.opt_v.copy(), saved.opt_t)
        self.epoch, self.batch, self.total_steps = saved.epoch, saved.batch, saved.total_steps
        self.last_batch = saved.last_batch.copy()
        self.history.load(*saved.history, saved.history_stride)
        self._diverged_at = saved.diverged_at
        self._refresh()

    @classmethod
    def from_state_dict(cls, d: dict) -> "Trainer":
        """A trainer rebuilt from state_dict() output alone (raises ValueError if bad)."""
        saved = read_state(d)
        t = cls(saved.config, data=(saved.train, saved.test))
        t._apply(saved)
        return t
