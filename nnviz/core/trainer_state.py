"""Reading a Trainer.state_dict() back: every value checked before anything changes.

A state dict comes from a session file (io_session.py), so any value may be missing, of
the wrong type or shape, or not finite; read_state turns it into a SavedState or raises
ValueError with what is wrong. Values may come back from an .npz as 0-d arrays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .config import Config
from .datasets import Dataset

STATE_FORMAT = "nnviz-trainer-1"
Array = np.ndarray


def check_data(train: Dataset, test: Dataset) -> None:
    """ValueError unless both sets are finite, agree on the classes and hold valid labels."""
    if not isinstance(train, Dataset) or not isinstance(test, Dataset):
        raise ValueError("train and test must be Dataset objects")
    k = train.n_classes
    if test.n_classes != k:
        raise ValueError("train and test sets disagree on the number of classes")
    for d in (train, test):
        if not (np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))):
            raise ValueError("the data hold NaN or infinite values")
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


def read_state(d: dict) -> SavedState:
    """The checked contents of a state dict; ValueError if anything is wrong."""
    if _scalar(d, "format", str) != STATE_FORMAT:
        raise ValueError(f"unknown trainer state format {d.get('format')!r}")
    config, (train, test) = parse_config(d), parse_data(d)
    kind = resolve_output(config, train.n_classes)
    n_out = max(train.n_classes, 2) if kind == "softmax_ce" else 1
    sizes = (len(config.features), *config.hidden_layers, n_out)
    if _scalar(d, "output_kind", str) != kind or tuple(_array(d, "layer_sizes", np.int64, (len(sizes),))) != sizes:
        raise ValueError("the saved network does not match its saved settings")
    n_p = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    arrays = {k: _array(d, k, np.float64, (n_p,), finite=True) for k in ("params", "grad", "opt_m", "opt_v")}
    ints = {k: _scalar(d, k, int) for k in ("opt_t", "epoch", "batch", "total_steps", "history_stride")}
    if min(ints.values()) < 0 or ints["history_stride"] < 1:
        raise ValueError("a saved counter is negative")
    diverged_at, data_seed = _scalar(d, "diverged_at", int), _scalar(d, "data_seed", int)
    if ints["batch"] and ints["batch"] >= -(-len(train) // config.batch_size):
        raise ValueError("the saved batch counter lies beyond the epoch")
    last = _array(d, "last_batch", np.int64, None)
    if last.ndim != 1 or (last.size and (last.min() < 0 or last.max() >= len(train))):
        raise ValueError("the saved last batch points outside the training set")
    h_epoch = _array(d, "history_epoch", np.int64, None)
    n_h = h_epoch.size if h_epoch.ndim == 1 else -1
    history = (h_epoch, *(_array(d, k, np.float64, s) for k, s in (
        ("history_train", (n_h,)), ("history_test", (n_h,)), ("history_grad", (n_h, len(sizes) - 1)))))
    return SavedState(config=config, train=train, test=test, **arrays, **ints, history=history,
                      last_batch=last, diverged_at=diverged_at, data_seed=data_seed)


def _get(d: dict, key: str):
    if not isinstance(d, dict) or key not in d:
        raise ValueError(f"the saved state has no {key!r}")
    v = d[key]
    return v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v


def _scalar(d: dict, key: str, kind: type):
    v = _get(d, key)
    if kind is str and isinstance(v, str):
        return v
    if kind is int and isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
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
    k = _scalar(d, "n_classes", int)
    sets = []
    for part in ("train", "test"):
        x, y = _array(d, f"{part}_x", np.float64, None, True), _array(d, f"{part}_y", np.float64, None, True)
        sets.append(Dataset(x, y, k))   # checks the shapes
    check_data(*sets)
    return sets[0], sets[1]
