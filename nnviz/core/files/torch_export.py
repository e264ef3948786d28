"""Export for PyTorch: the weights as .safetensors, and a script that rebuilds and trains on.

The .safetensors file holds the tensors of the script's `torch.nn.Sequential` under its
state-dict names, float64: `1.weight` (n_1, n_0), `1.bias` (n_1,), `3.weight`, ... (module
0 computes the features, so layer l's nn.Linear is module 1 + 2 l). Its metadata holds
the network's description (`nnviz`: the JSON object of the .json weights file) and the
Sequential in words (`modules`). It is written with safetensors' numpy API: exporting
needs no torch.

A script export `model.py` writes the files that belong together, all or none:
`model.safetensors`, and when the Trainer is given `model.csv` (the data with its
train/test split) and `model-optimizer.safetensors` (the optimiser's memory as the
script's optimiser state: torch's for momentum, Nesterov, RMSprop and Adam, the
Playground SGD's carried gradient and dead links for plain SGD); then `model.py` itself
(torch_script.py writes its text).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from nnviz.core.files.atomic import atomic_write, atomic_write_all
from nnviz.core.files.torch_script import MODULES, STATE_KEYS, Training, linear_index, script_text
from nnviz.core.model.network import Network

if TYPE_CHECKING:
    from nnviz.core.train.trainer import Trainer

SUFFIXES = (".py", ".safetensors")
DATA_HEADER = "x,y,label,split"


def state_dict_arrays(network: Network) -> dict[str, np.ndarray]:
    """name -> float64 array, the Sequential's state dict: '1.weight' (n_1, n_0), '1.bias' (n_1,), ..."""
    arrays = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        arrays[f"{linear_index(l)}.weight"] = np.ascontiguousarray(w, dtype=np.float64)
        arrays[f"{linear_index(l)}.bias"] = np.ascontiguousarray(b, dtype=np.float64)
    return arrays


def modules_text(network: Network) -> str:
    """The Sequential in words: '0: Features(x1, x2), 1: nn.Linear(2, 4), 2: nn.Tanh(), ...'."""
    items = [f"0: Features({', '.join(network.feature_names)})"]
    sizes = network.layer_sizes
    for l, act in enumerate(network.layer_activations):
        items.append(f"{linear_index(l)}: nn.Linear({sizes[l]}, {sizes[l + 1]})")
        items.append(f"{linear_index(l) + 1}: {MODULES[act]}")
    return ", ".join(items)


def _save(arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """safetensors bytes (the package is imported only when exporting to it)."""
    try:
        from safetensors.numpy import save
    except ImportError as exc:
        raise ValueError(f"the .safetensors export needs the safetensors package ({exc})") from exc
    return save(arrays, metadata=metadata)


def safetensors_bytes(network: Network, meta: dict[str, Any]) -> bytes:
    """The weights file: the Sequential's state dict, the network's description in the metadata."""
    return _save(state_dict_arrays(network), {"format": "nnviz-weights", "nnviz": json.dumps(meta),
                                              "modules": modules_text(network)})


def optimizer_arrays(trainer: "Trainer") -> dict[str, np.ndarray]:
    """nnviz's optimiser memory as the script's optimiser state, per parameter:
    '1.weight.exp_avg' (n_1, n_0), ... nnviz's momentum buffer is already torch's
    (v = mu v + g); plain SGD's memory is the Playground's carried gradient (a sum over
    `carried_points` points) and the epoch each link died in."""
    cfg, net, state = trainer.config, trainer.network, trainer.state_dict()
    m, v = state["opt_m"], state["opt_v"]
    scalars = {"step": float(state["opt_t"]), "carried_points": float(state["carry_count"])}
    flat = {"exp_avg": m, "exp_avg_sq": v, "square_avg": v, "momentum_buffer": m,
            "carried": state["carry_acc"], "dead": state["dead"]}
    arrays = {}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        w0, b0 = int(net.w_off[l]), int(net.b_off[l])
        for name, lo, shape in ((f"{linear_index(l)}.weight", w0, w.shape), (f"{linear_index(l)}.bias", b0, b.shape)):
            for key in STATE_KEYS[cfg.optimizer]:
                arrays[f"{name}.{key}"] = (np.array(scalars[key]) if key in scalars else
                                           np.ascontiguousarray(flat[key][lo:lo + int(np.prod(shape))].reshape(shape)))
    return arrays


def data_csv_bytes(trainer: "Trainer") -> bytes:
    """x,y,label,split rows: the training points in the order nnviz trains on them, then the
    test points; numbers in repr, so they read back bit for bit."""
    lines = [DATA_HEADER]
    for x, y, split in ((trainer.train_x, trainer.train_y, "train"), (trainer.test_x, trainer.test_y, "test")):
        lines += [f"{a!r},{b!r},{c!r},{split}" for (a, b), c in zip(x.tolist(), y.tolist())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def training_of(trainer: "Trainer", data_file: str, optimizer_file: str) -> Training:
    """The settings and counters the script needs from a Trainer."""
    c = trainer.config
    return Training(optimizer=c.optimizer, learning_rate=float(c.learning_rate), lr_decay=float(c.lr_decay),
                    batch_size=int(c.batch_size), momentum=float(c.momentum), beta1=float(c.beta1),
                    beta2=float(c.beta2), epsilon=float(c.epsilon), regularization=c.regularization,
                    reg_rate=float(c.reg_rate), epoch=int(trainer.epoch), batch=int(trainer.batch),
                    n_classes=int(trainer.n_classes), data_file=data_file, optimizer_file=optimizer_file)


def companions(path, optimizer: str = "sgd") -> list[str]:
    """The files a script export `x.py` writes beside it: x.safetensors, x.csv and
    x-optimizer.safetensors (every optimiser has a memory, plain SGD's the Playground's)."""
    base = os.path.splitext(os.fspath(path))[0]
    return [base + ".safetensors", base + ".csv", *([base + "-optimizer.safetensors"] if optimizer in STATE_KEYS else [])]


def write(network: Network, meta: dict[str, Any], path, trainer: "Trainer | None" = None) -> None:
    """Write `path` (.safetensors, or .py with its companions); the network is already checked.

    Every byte is made before anything is written, and the files of a script export are
    renamed into place together, so a failure leaves the old files and no new one.
    """
    weights = safetensors_bytes(network, meta)
    if os.path.splitext(os.fspath(path))[1].lower() == ".safetensors":
        atomic_write(path, lambda f: f.write(weights))
        return
    names = companions(path, trainer.config.optimizer if trainer is not None else "sgd")
    writes = [(names[0], weights)]
    training = None
    if trainer is not None:
        optimizer_file = os.path.basename(names[2]) if len(names) > 2 else ""
        training = training_of(trainer, os.path.basename(names[1]), optimizer_file)
        writes.append((names[1], data_csv_bytes(trainer)))
        if optimizer_file:
            writes.append((names[2], _save(optimizer_arrays(trainer), {"format": "nnviz-optimizer-state"})))
    script = script_text(network, os.path.basename(names[0]), training).encode("utf-8")
    writes.append((path, script))
    atomic_write_all([(p, lambda f, data=data: f.write(data)) for p, data in writes])
