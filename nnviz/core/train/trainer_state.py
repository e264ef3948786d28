"""A Trainer's whole state as a dict, and reading it back: every value checked first.

A state dict comes from a session file (files/session.py), so any value may be missing, of
the wrong type or shape, or not finite; read_state turns it into a SavedState or raises
ValueError with what is wrong. Values may come back from an .npz as 0-d arrays.

Files from before the Playground's batch rules lack the carried gradient and the dead
links (both start empty) and keep a momentum velocity with the learning rate inside
(v_old = mu v_old - lr g): it becomes torch's v = -v_old / lr at the saved rate, which
gives the very next step the old rule would have taken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import quote
from nnviz.core.limits import (
    MAX_CLASSES,
    MAX_COORD,
    MAX_COUNT,
    MAX_HISTORY,
    MAX_PARAM,
    MAX_POINTS,
    MAX_SEED,
)
from nnviz.core.train import batches, reference
from nnviz.core.train.batches import Carry
from nnviz.core.train.optimizers import OptimizerState, decayed_lr

STATE_FORMAT = "nnviz-trainer-1"
VELOCITY = "torch"     # the "velocity" entry of files whose momentum buffer has no lr in it
Array = np.ndarray


def check_data(train: Dataset, test: Dataset) -> None:
    """ValueError unless both sets are finite and within the limits every file shares,
    agree on the classes and hold valid labels (every way data comes in passes here)."""
    if not isinstance(train, Dataset) or not isinstance(test, Dataset):
        raise ValueError("train and test must be Dataset objects")
    k = train.n_classes
    if test.n_classes != k:
        raise ValueError("train and test sets disagree on the number of classes")
    if not (k == 0 or 2 <= k <= MAX_CLASSES):
        raise ValueError(f"{k} classes is beyond the range 2..{MAX_CLASSES}")
    if len(train) + len(test) > MAX_POINTS:
        raise ValueError(f"{len(train) + len(test):,} points; at most {MAX_POINTS:,} are allowed")
    for d in (train, test):
        if not (np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))):
            raise ValueError("the data hold NaN or infinite values")
        if len(d) and max(np.abs(d.x).max(), np.abs(d.y).max()) > MAX_COORD:
            raise ValueError(f"a point or label lies beyond +-{MAX_COORD:g}")
        if (k == 2 and not np.all(np.abs(d.y) == 1.0)) or (
                k >= 3 and not np.all((d.y == np.round(d.y)) & (d.y >= 0) & (d.y < k))):
            raise ValueError(f"labels must be {'-1 or +1' if k == 2 else f'0..{k - 1}'}")


def resolve_output(config: Config, n_classes: int) -> str:
    """The output kind for this data: the config's choice when it fits, else the natural one."""
    if n_classes == 0:
        return "linear_mse"
    if n_classes >= 3:
        return "softmax_ce"
    return config.output_kind if config.problem == "classification" else "tanh_mse"


@dataclass(frozen=True)
class SavedState:
    """A checked state dict: what Trainer._apply needs, nothing left to check."""

    config: Config
    train: Dataset
    test: Dataset
    params: Array            # (P,) flat parameters, finite
    grad: Array              # (P,) the last step's gradient
    opt_m: Array             # (P,) optimiser state
    opt_v: Array             # (P,)
    opt_t: int               # updates done (Adam's t)
    epoch: int
    batch: int               # batches done in the current epoch
    total_steps: int
    history_stride: int
    history: tuple[Array, Array, Array, Array]   # epochs (H,), train (H,), test (H,), grad norms (H, L)
    last_batch: Array        # (b,) indices into the training set
    diverged_at: int
    data_seed: int
    carry_acc: Array         # (P,) summed gradient of the points carried, finite
    carry_count: int         # how many points it sums
    carried: Array           # (0,) or (carry_count,) which training points those are
    dead: Array              # (P,) int64: epoch each link died in (SGD under L1), 0 alive


def read_state(d: dict) -> SavedState:
    """The checked contents of a state dict; ValueError if anything is wrong.

    Every number is checked against its range (core.limits), not only its type: a counter
    of 2**63 loads as an int but overflows the kernel's int64 on the next step.
    """
    if _scalar(d, "format", str) != STATE_FORMAT:
        raise ValueError(f"unknown trainer state format {quote(d.get('format'))}")
    config, (train, test) = parse_config(d), parse_data(d)
    kind = resolve_output(config, train.n_classes)
    n_out = max(train.n_classes, 2) if kind == "softmax_ce" else 1
    sizes = (len(config.features), *config.hidden_layers, n_out)
    if _scalar(d, "output_kind", str) != kind or tuple(_array(d, "layer_sizes", np.int64, (len(sizes),))) != sizes:
        raise ValueError("the saved network does not match its saved settings")
    n_p = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    arrays = {k: _array(d, k, np.float64, (n_p,), finite=True) for k in ("params", "grad", "opt_m", "opt_v")}
    if np.abs(arrays["params"]).max() > MAX_PARAM:
        raise ValueError(f"a saved weight lies beyond +-{MAX_PARAM:g}")
    ints = {k: _scalar(d, k, int, 0, MAX_COUNT) for k in ("opt_t", "epoch", "batch", "total_steps")}
    ints["history_stride"] = _scalar(d, "history_stride", int, 1, MAX_COUNT)
    diverged_at = _scalar(d, "diverged_at", int, -1, ints["epoch"])
    data_seed = _scalar(d, "data_seed", int, -1, MAX_SEED)
    old = "velocity" not in d
    per_epoch = batches.batches_per_epoch(len(train), config.batch_size, config.optimizer)
    # an old file may stand just before the short batch that SGD now carries (Trainer._apply)
    if ints["batch"] and ints["batch"] >= per_epoch + (old and batches.carries_leftover(config.optimizer)):
        raise ValueError("the saved batch counter lies beyond the epoch")
    last = _indices(d, "last_batch", len(train))
    carry = _carry(d, config, n_p, len(train))
    if old and config.optimizer in ("momentum", "nesterov"):
        with np.errstate(all="ignore"):   # a decayed rate of 0 (huge decay): refused below
            arrays["opt_m"] = -arrays["opt_m"] / decayed_lr(config.learning_rate, config.lr_decay, ints["epoch"])
        if not np.all(np.isfinite(arrays["opt_m"])):
            raise ValueError("the saved momentum does not convert to a finite velocity")
    elif not old and _scalar(d, "velocity", str) != VELOCITY:
        raise ValueError(f"unknown momentum convention {quote(d.get('velocity'))}")
    return SavedState(config=config, train=train, test=test, **arrays, **ints,
                      history=_history(d, ints["epoch"], len(sizes) - 1),
                      last_batch=last, diverged_at=diverged_at, data_seed=data_seed, **carry)


def _indices(d: dict, key: str, n: int) -> Array:
    """A 1-D array of training point indices 0..n-1 (empty when the entry is missing)."""
    a = _array(d, key, np.int64, None) if key in d else np.zeros(0, dtype=np.int64)
    if a.ndim != 1 or (a.size and (a.min() < 0 or a.max() >= n)):
        raise ValueError(f"the saved {key!r} points outside the training set")
    return a


def _carry(d: dict, config: Config, n_p: int, n_train: int) -> dict:
    """The carried gradient and the dead links, checked against the rules that make them."""
    if "carry_acc" not in d:   # a file from before the Playground's rules: nothing carried, none dead
        return dict(carry_acc=np.zeros(n_p), carry_count=0, carried=np.zeros(0, dtype=np.int64),
                    dead=np.zeros(n_p, dtype=np.int64))
    acc = _array(d, "carry_acc", np.float64, (n_p,), finite=True)
    count = _scalar(d, "carry_count", int, 0, n_train)
    carried, dead = _indices(d, "carried", n_train), _array(d, "dead", np.int64, (n_p,))
    if count < 0 or (count and not batches.carries_leftover(config.optimizer)) or carried.size not in (0, count):
        raise ValueError("the saved carried gradient does not fit the optimiser or its points")
    l1_sgd = config.optimizer == "sgd" and config.regularization == "l1"
    if np.any(dead < 0) or np.any(dead > MAX_COUNT) or (np.any(dead) and not l1_sgd):
        raise ValueError("the saved dead links need plain SGD with L1 regularisation")
    return dict(carry_acc=acc, carry_count=count, carried=carried, dead=dead)


def _history(d: dict, epoch: int, n_layers: int) -> tuple[Array, Array, Array, Array]:
    """The saved loss history, checked: at most MAX_HISTORY entries at rising epochs up to
    `epoch`, finite losses (a test loss may be NaN: there was no test set) and gradients."""
    h_epoch = _array(d, "history_epoch", np.int64, None)
    if h_epoch.ndim != 1 or h_epoch.size > MAX_HISTORY:
        raise ValueError(f"the saved history is not a list of at most {MAX_HISTORY:,} epochs")
    n_h = h_epoch.size
    train, test = (_array(d, k, np.float64, (n_h,)) for k in ("history_train", "history_test"))
    grad = _array(d, "history_grad", np.float64, (n_h, n_layers), finite=True)
    if n_h and (h_epoch[0] < 0 or h_epoch[-1] > epoch or np.any(np.diff(h_epoch) <= 0)):
        raise ValueError("the saved history's epochs are not rising from 0 to the current epoch")
    if not np.all(np.isfinite(train)) or np.any(np.isinf(test)) or np.any(grad < 0):
        raise ValueError("the saved history holds infinite or NaN losses")
    return h_epoch, train, test, grad


def _get(d: dict, key: str):
    if not isinstance(d, dict) or key not in d:
        raise ValueError(f"the saved state has no {key!r}")
    v = d[key]
    return v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v


def _scalar(d: dict, key: str, kind: type, low: int | None = None, high: int | None = None):
    """The entry as a str or an int (in low..high when given); ValueError otherwise."""
    v = _get(d, key)
    if kind is str and isinstance(v, str):
        return v
    if kind is int and isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = int(v)
        if (low is not None and v < low) or (high is not None and v > high):
            raise ValueError(f"the saved {key!r} is {quote(v)}, beyond the range {low}..{high}")
        return v
    raise ValueError(f"the saved {key!r} should be a {kind.__name__}")


def _array(d: dict, key: str, dtype, shape: tuple | None, finite: bool = False) -> Array:
    v = _get(d, key)
    a = np.asarray(v)
    if a.dtype.kind not in ("iu" if dtype == np.int64 else "iuf") or (shape is not None and a.shape != shape):
        raise ValueError(f"the saved {key!r} has the wrong type or shape {a.shape}")
    a = np.array(a, dtype=dtype)
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"the saved {key!r} holds NaN or infinite values")
    return a


def parse_config(d: dict) -> Config:
    """The Config stored as JSON under "config"."""
    try:
        return Config.from_dict(json.loads(_scalar(d, "config", str)))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"the saved settings are invalid: {exc}") from None


def parse_data(d: dict) -> tuple[Dataset, Dataset]:
    k = _scalar(d, "n_classes", int, 0, MAX_CLASSES)
    sets = []
    for part in ("train", "test"):
        x, y = _array(d, f"{part}_x", np.float64, None, True), _array(d, f"{part}_y", np.float64, None, True)
        sets.append(Dataset(x, y, k))   # checks the shapes
    check_data(*sets)
    return sets[0], sets[1]


def healthy_history(history) -> Array:
    """(H,) bool: the history entries with a finite train loss and gradient sizes, and a
    finite or NaN test loss (NaN: there was no test set)."""
    train, test, grad = history.train.array(), history.test.array(), history.grad.array()
    return np.isfinite(train) & ~np.isinf(test) & np.all(np.isfinite(grad), axis=1)


class StateMixin:
    """state_dict, load_state_dict and from_state_dict for Trainer (trainer.py)."""

    def state_dict(self) -> dict[str, Array | int | float | str]:
        """Everything needed to continue bit for bit: numpy arrays and plain scalars only.

        The history leaves out the entries of a divergence (an infinite or NaN loss or
        gradient), which belonged to weights since replaced: they do not change how the
        run continues, and files hold finite numbers only.
        """
        h, net = self.history, self.network
        keep = healthy_history(h)
        return {
            "format": STATE_FORMAT, "config": json.dumps(self.config.to_dict()),
            "output_kind": net.output_kind, "layer_sizes": self._sizes.copy(),
            "params": net.params.copy(), "grad": self.grad.copy(), "opt_m": self._opt.m.copy(),
            "opt_v": self._opt.v.copy(), "opt_t": int(self._opt.t), "epoch": self.epoch,
            "batch": self.batch, "total_steps": self.total_steps, "diverged_at": self._diverged_at,
            "data_seed": int(self.data_seed), "last_batch": self.last_batch.copy(),
            "velocity": VELOCITY, "carry_acc": self._carry.acc.copy(), "carry_count": int(self._carry.count),
            "carried": self.carried.copy(), "dead": self._dead.copy(),
            "history_stride": h.stride, "history_epoch": h.epoch.array()[keep],
            "history_train": h.train.array()[keep], "history_test": h.test.array()[keep],
            "history_grad": h.grad.array()[keep], "n_classes": self.n_classes,
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
        self._carry = Carry(saved.carry_acc.copy(), saved.carry_count)
        self.carried = saved.carried.copy()
        self._dead[:] = saved.dead
        self._refresh()
        if self.batch and self.batch >= self.batches_per_epoch:
            self._finish_old_epoch()

    def _finish_old_epoch(self) -> None:
        """An old SGD file saved just before its epoch's short batch: that batch is now the
        leftover carried into the next epoch, so sum it and end the epoch as the kernel would."""
        lo, hi = batches.leftover_range(len(self._xtr), self.config.batch_size, self.config.optimizer)
        self._carry.acc[:] = reference.gradient_sum(self.network, self._xtr[lo:hi], self._ttr[lo:hi])
        self._carry.count = hi - lo
        self.carried = np.arange(lo, hi, dtype=np.int64)
        self.epoch, self.batch = self.epoch + 1, 0
        self.history.record(self.epoch, self.train_loss, self.test_loss, self.grad_norms())

    @classmethod
    def from_state_dict(cls, d: dict):
        """A trainer rebuilt from state_dict() output alone (raises ValueError if bad)."""
        saved = read_state(d)
        t = cls(saved.config, data=(saved.train, saved.test))
        t._apply(saved)
        return t
