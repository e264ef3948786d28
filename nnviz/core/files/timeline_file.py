"""A run's timeline inside a session file: checkpoints as a few stacked arrays, read back
with every value checked.

For a run stored under the key prefix `p` (session.py), with K checkpoints of P parameters
and L weight layers:

    {p}tl_ints     (K, len(INTS)) int64, the counters of each checkpoint (INTS below)
    {p}tl_params   (K, P) float64      {p}tl_grad (K, P)      {p}tl_out (K, 5 + L)
    {p}tl_hist     (K, 2 + L) float64: the latest history entry's train and test loss and
                   gradient sizes (its epoch, the length and stride are in tl_ints)
    {p}tl_opt_m, {p}tl_opt_v, {p}tl_carry_acc, {p}tl_last_update (float64), {p}tl_dead
                   (int64): (K_a, P),
                   one row for each checkpoint whose bit a (SPARSE order) is set in the
                   "held" column; the others held all zeros
    {p}tl_index    (sum,) int64: each checkpoint's last batch, then its carried points
    {p}tl_data_x (M, 2), {p}tl_data_y (M,), {p}tl_data_n (V, 2): the point sets of the
                   checkpoints made before a data change, train then test, with their sizes

and in the run's metadata "timeline": {"configs": [settings...], "reasons": [...]}; the
"config" and "reason" columns index those lists, "data" the point sets (-1: the run's own).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError
from nnviz.core.files.safe_read import need, quote
from nnviz.core.limits import MAX_COUNT, MAX_HISTORY, MAX_PARAM, MAX_SEED
from nnviz.core.train import batches
from nnviz.core.train.metrics import HistoryMark
from nnviz.core.train.timeline import CAPACITY, REASONS, Checkpoint, Timeline
from nnviz.core.train.trainer import Trainer
from nnviz.core.train.trainer_state import check_data, resolve_output
from nnviz.core.train.trainer_timeline import SPARSE

INTS = ("epoch", "batch", "per_epoch", "total_steps", "opt_t", "carry_count", "diverged_at", "stuck_at",
        "stuck_layer", "data_seed", "data", "config", "reason", "hist_length", "hist_stride", "hist_epoch",
        "held", "n_last_batch", "n_carried")
Array = np.ndarray


# -- saving ----------------------------------------------------------------------------------
def encode_timeline(trainer: Trainer, prefix: str) -> tuple[dict, dict[str, Array]]:
    """(metadata, arrays) of the trainer's timeline, keys starting with prefix + "tl_"."""
    entries = trainer.timeline.entries
    configs: list[Config] = []
    sets: list[tuple] = []
    own = (trainer.train_x, trainer.train_y, trainer.test_x, trainer.test_y)
    rows, index, held = [], [], {k: [] for k in SPARSE}
    for cp in entries:
        if cp.config not in configs:
            configs.append(cp.config)
        if all(a is b for a, b in zip(cp.data, own)):
            data = -1
        else:
            found = [i for i, s in enumerate(sets) if all(a is b for a, b in zip(s, cp.data))]
            data = found[0] if found else len(sets)
            if not found:
                sets.append(cp.data)
        bits = 0
        for bit, key in enumerate(SPARSE):
            if cp.arrays[key] is not None:
                bits |= 1 << bit
                held[key].append(cp.arrays[key])
        h = cp.history
        values = dict(cp.ints, epoch=cp.epoch, batch=cp.batch, per_epoch=cp.per_epoch, total_steps=cp.total_steps,
                      data_seed=cp.data_seed, data=data, config=configs.index(cp.config),
                      reason=REASONS.index(cp.reason), hist_length=h.length, hist_stride=h.stride,
                      hist_epoch=h.epoch, held=bits, n_last_batch=cp.arrays["last_batch"].size,
                      n_carried=cp.arrays["carried"].size)
        rows.append([int(values[k]) for k in INTS])
        index += [cp.arrays["last_batch"], cp.arrays["carried"]]
    p, n = prefix + "tl_", trainer.network.params.size
    arrays = {
        p + "ints": np.array(rows, dtype=np.int64).reshape(len(entries), len(INTS)),
        p + "params": _stack([c.arrays["params"] for c in entries], n, np.float64),
        p + "grad": _stack([c.arrays["grad"] for c in entries], n, np.float64),
        p + "out": _stack([c.arrays["out"] for c in entries], trainer._out.size, np.float64),
        p + "hist": _stack([np.concatenate([[c.history.train, c.history.test], c.history.grad]) for c in entries],
                           2 + trainer.network.n_layers, np.float64),
        p + "index": np.concatenate([np.zeros(0, np.int64), *index]).astype(np.int64),
        p + "data_x": np.concatenate([np.zeros((0, 2)), *(x for s in sets for x in (s[0], s[2]))]),
        p + "data_y": np.concatenate([np.zeros(0), *(y for s in sets for y in (s[1], s[3]))]),
        p + "data_n": np.array([[len(s[1]), len(s[3])] for s in sets], dtype=np.int64).reshape(-1, 2),
    }
    for key in SPARSE:
        arrays[p + key] = _stack(held[key], n, np.int64 if key == "dead" else np.float64)
    return {"configs": [c.to_dict() for c in configs], "reasons": list(REASONS)}, arrays


def _stack(rows: list[Array], width: int, dtype) -> Array:
    return np.array(rows, dtype=dtype).reshape(len(rows), width)


# -- loading ---------------------------------------------------------------------------------
def decode_timeline(meta: Any, arrays: dict[str, Array], prefix: str, trainer: Trainer, name: str) -> Timeline:
    """The checked timeline of a run already rebuilt as `trainer`; FormatError if anything
    is wrong. Each checkpoint must be one this run could have made: the same network, the
    settings and data valid, every number in range, the order of time kept."""
    what = f"{name}: the timeline of run {prefix.strip('r_') or '1'}"
    need(isinstance(meta, dict), f"{what} is not described")
    p = prefix + "tl_"
    ints = _get(arrays, p + "ints", "iu", what)
    k, n, layers = len(ints), trainer.network.params.size, trainer.network.n_layers
    need(ints.ndim == 2 and ints.shape[1] == len(INTS) and 1 <= k <= CAPACITY,
         f"{what} has a counter table of shape {quote(ints.shape)}")
    need(bool(np.all((ints >= -1) & (ints <= MAX_COUNT))), f"{what} holds a counter out of range")
    col = {key: ints[:, i] for i, key in enumerate(INTS)}
    configs = _configs(meta.get("configs"), trainer, what)
    reasons = meta.get("reasons")
    need(reasons == list(REASONS), f"{what} names unknown reasons {quote(reasons)}")
    sets = _data_sets(arrays, p, trainer, what)
    floats = {key: _get(arrays, p + key, "fiu", what).astype(np.float64) for key in ("params", "grad", "out", "hist")}
    for key, width in (("params", n), ("grad", n), ("out", trainer._out.size), ("hist", 2 + layers)):
        need(floats[key].shape == (k, width), f"{what}: {key} has the shape {quote(floats[key].shape)}")
    need(bool(np.all(np.isfinite(floats["params"])) and np.all(np.abs(floats["params"]) <= MAX_PARAM)),
         f"{what} holds a weight that is not finite or beyond +-{MAX_PARAM:g}")
    need(bool(np.all(np.isfinite(floats["grad"])) and not np.any(np.isinf(floats["out"]))
              and np.all(np.isfinite(floats["hist"][:, [0] + list(range(2, 2 + layers))]))
              and np.all(floats["hist"][:, 2:] >= 0) and not np.any(np.isinf(floats["hist"][:, 1]))),
         f"{what} holds numbers that are not finite")
    held = _held(arrays, p, col["held"], n, what)
    index = _get(arrays, p + "index", "iu", what).astype(np.int64)
    counts = col["n_last_batch"] + col["n_carried"]
    need(index.ndim == 1 and index.size == int(counts.sum()), f"{what}: the point indices do not add up")
    offsets = np.concatenate([[0], np.cumsum(counts)])
    entries, last = [], (0, 0)
    for i in range(k):
        c = {key: int(v[i]) for key, v in col.items()}
        need(c["config"] >= 0 and c["config"] < len(configs) and -1 <= c["data"] < len(sets)
             and 0 <= c["reason"] < len(REASONS), f"{what}: checkpoint {i + 1} refers to nothing")
        config, data = configs[c["config"]], sets[c["data"]] if c["data"] >= 0 else None
        data = data or (trainer.train_x, trainer.train_y, trainer.test_x, trainer.test_y)
        n_train = len(data[1])
        _check_counters(c, config, n_train, layers, f"{what}: checkpoint {i + 1}")
        need(c["epoch"] >= last[0] and c["total_steps"] >= last[1],
             f"{what}: checkpoint {i + 1} lies before the one it follows")
        last = (c["epoch"], c["total_steps"])
        idx = index[offsets[i]:offsets[i + 1]]
        need(bool(np.all((idx >= 0) & (idx < max(n_train, 1)))), f"{what}: checkpoint {i + 1} names a point "
                                                                  f"that does not exist")
        a = {"params": floats["params"][i].copy(), "grad": floats["grad"][i].copy(), "out": floats["out"][i].copy(),
             "last_batch": idx[:c["n_last_batch"]].copy(), "carried": idx[c["n_last_batch"]:].copy(),
             **{key: held[key].get(i) for key in SPARSE}}
        _check_sparse(a, c, config, what, i)
        h = floats["hist"][i]
        entries.append(Checkpoint(
            epoch=c["epoch"], batch=c["batch"], per_epoch=c["per_epoch"], total_steps=c["total_steps"],
            reason=REASONS[c["reason"]], config=config, data=data, n_classes=trainer.n_classes,
            data_seed=c["data_seed"], arrays=a,
            ints={key: c[key] for key in ("opt_t", "carry_count", "diverged_at", "stuck_at", "stuck_layer")},
            history=HistoryMark(c["hist_length"], c["hist_stride"], c["hist_epoch"], float(h[0]), float(h[1]),
                                h[2:].copy())))
    need(last[0] <= trainer.epoch and last[1] <= trainer.total_steps, f"{what} reaches beyond the run's own epoch")
    return Timeline(entries)


def _get(arrays: dict[str, Array], key: str, kinds: str, what: str) -> Array:
    a = arrays.get(key)
    need(a is not None, f"{what} lacks the array {quote(key)}")
    need(a.dtype.kind in kinds, f"{what}: {quote(key)} holds {a.dtype} values")
    return a


def _configs(raw: Any, trainer: Trainer, what: str) -> list[Config]:
    need(isinstance(raw, list) and 1 <= len(raw) <= CAPACITY, f"{what} has no list of settings")
    out = []
    for entry in raw:
        try:
            config = Config.from_dict(entry)
        except ValueError as exc:
            raise FormatError(f"{what}: invalid settings: {exc}") from None
        same = (config.features == trainer.config.features and config.hidden_layers == trainer.config.hidden_layers
                and config.activations == trainer.config.activations
                and resolve_output(config, trainer.n_classes) == trainer.network.output_kind)
        need(same, f"{what}: a checkpoint's settings build another network than the run's")
        out.append(config)
    return out


def _data_sets(arrays: dict[str, Array], p: str, trainer: Trainer, what: str) -> list[tuple]:
    x, y = _get(arrays, p + "data_x", "fiu", what), _get(arrays, p + "data_y", "fiu", what)
    sizes = _get(arrays, p + "data_n", "iu", what).astype(np.int64)
    need(sizes.ndim == 2 and sizes.shape[1] == 2 and len(sizes) <= CAPACITY and bool(np.all(sizes >= 0)),
         f"{what}: the sizes of its point sets have the shape {quote(sizes.shape)}")
    total = int(sizes.sum())
    need(x.shape == (total, 2) and y.shape == (total,), f"{what}: its point sets do not add up")
    out, at = [], 0
    for n_train, n_test in sizes.tolist():
        try:
            train = Dataset(x[at:at + n_train], y[at:at + n_train], trainer.n_classes)
            test = Dataset(x[at + n_train:at + n_train + n_test], y[at + n_train:at + n_train + n_test],
                           trainer.n_classes)
            check_data(train, test)
        except ValueError as exc:
            raise FormatError(f"{what}: a point set is invalid: {exc}") from None
        out.append((train.x, train.y, test.x, test.y))
        at += n_train + n_test
    return out


def _held(arrays: dict[str, Array], p: str, bits: Array, n: int, what: str) -> dict[str, dict[int, Array]]:
    """SPARSE name -> {checkpoint index: its row} for the rows the "held" bits announce."""
    out = {}
    for bit, key in enumerate(SPARSE):
        rows = np.flatnonzero(bits & (1 << bit))
        a = _get(arrays, p + key, "iu" if key == "dead" else "fiu", what)
        need(a.shape == (len(rows), n), f"{what}: {key} has the shape {quote(a.shape)}")
        a = a.astype(np.int64 if key == "dead" else np.float64)
        need(bool(np.all(np.isfinite(a))), f"{what}: {key} holds numbers that are not finite")
        out[key] = {int(r): a[j].copy() for j, r in enumerate(rows)}
    need(bool(np.all(bits >= 0) and np.all(bits < 1 << len(SPARSE))), f"{what}: unknown arrays are announced")
    return out


def _check_counters(c: dict[str, int], config: Config, n_train: int, layers: int, what: str) -> None:
    per_epoch = batches.batches_per_epoch(n_train, config.batch_size, config.optimizer)
    need(c["per_epoch"] == per_epoch and (c["batch"] == 0 or c["batch"] < per_epoch),
         f"{what}: its batch counter does not fit its data and settings")
    need(min(c["epoch"], c["total_steps"], c["opt_t"], c["carry_count"], c["stuck_layer"], c["n_last_batch"],
             c["n_carried"], c["data_seed"] + 1, c["diverged_at"] + 1, c["stuck_at"] + 1) >= 0,
         f"{what}: a counter is negative")
    need(c["diverged_at"] <= c["epoch"] and c["stuck_at"] <= c["epoch"] and c["stuck_layer"] < max(layers, 1),
         f"{what}: a mark lies in the future")
    need(c["carry_count"] <= n_train and (c["carry_count"] == 0 or batches.carries_leftover(config.optimizer))
         and c["n_carried"] in (0, c["carry_count"]), f"{what}: its carried points do not fit the optimiser")
    need(1 <= c["hist_length"] <= MAX_HISTORY and c["data_seed"] <= MAX_SEED and 1 <= c["hist_stride"] and c["hist_epoch"] <= c["epoch"],
         f"{what}: its history mark is out of range")


def _check_sparse(a: dict, c: dict[str, int], config: Config, what: str, i: int) -> None:
    v, dead = a["opt_v"], a["dead"]
    need(v is None or bool(np.all(v >= 0)), f"{what}: checkpoint {i + 1} has a negative second moment")
    need(a["carry_acc"] is None or batches.carries_leftover(config.optimizer),
         f"{what}: checkpoint {i + 1} carries a gradient its optimiser does not")
    if dead is not None:
        need(config.optimizer == "sgd" and config.regularization == "l1"
             and bool(np.all((dead >= 0) & (dead <= c["epoch"] + 1))),
             f"{what}: checkpoint {i + 1} has dead links its settings cannot make")
