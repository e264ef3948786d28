"""The PyTorch script nnviz writes: a program for a person to read, run and change.

The script rebuilds the network as a `torch.nn.Sequential` (module 0 computes the input
features from raw points, then each layer is an `nn.Linear` and its activation, so the
Linear layers are modules 1, 3, 5, ... and their tensors are named `1.weight`,
`1.bias`, ...), loads the exported .safetensors file, and, when nnviz knew how the
network was trained, trains on with the same settings on the exported data, printing
the losses. The parts that depend on the network are written out here; the parts that do
not (penalty, batches, training loop, data reading) are fixed text (torch_fixed.py).
Everything in it is float64, as in nnviz, so its numbers agree with nnviz's to rounding.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from nnviz.core.files.torch_fixed import PREDICT_MAIN, READ, TORCH_BATCHES, TRAIN_MAIN, TRAINING
from nnviz.core.files.torch_playground import SGD_BATCHES, SGD_CLASS, SGD_STATE_KEYS
from nnviz.core.model.network import Network

# feature name -> (expression of x and y in torch, the label nnviz shows)
FEATURE_CODE = {"x1": "x", "x2": "y", "x1^2": "x * x", "x2^2": "y * y", "x1*x2": "x * y",
                "sin(x1)": "torch.sin(x)", "sin(x2)": "torch.sin(y)"}
# optimiser -> the entries of its per-parameter state that hold nnviz's memory (torch's
# own names; plain SGD's are those of the script's PlaygroundSGD)
STATE_KEYS = {"sgd": SGD_STATE_KEYS, "momentum": ("momentum_buffer",), "nesterov": ("momentum_buffer",),
              "rmsprop": ("step", "square_avg"), "adam": ("step", "exp_avg", "exp_avg_sq")}
# activation name -> the torch module that computes it
MODULES = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()",
           "linear": "nn.Identity()", "leaky_relu": "nn.LeakyReLU(0.01)", "elu": "nn.ELU()",
           "sine": "Sine()", "softmax": "nn.Softmax(dim=1)"}
OUTPUT_WORDS = {"tanh_mse": "tanh output, squared error", "sigmoid_bce": "sigmoid output, cross-entropy",
                "softmax_ce": "softmax outputs, cross-entropy", "linear_mse": "linear output, squared error"}


@dataclass(frozen=True)
class Training:
    """What the script needs, besides the network, to train on as nnviz would."""

    optimizer: str           # one of config.OPTIMIZERS
    learning_rate: float
    lr_decay: float
    batch_size: int
    momentum: float
    beta1: float
    beta2: float
    epsilon: float
    regularization: str      # "none", "l1" or "l2"
    reg_rate: float
    epoch: int               # epochs nnviz had completed
    batch: int               # batches of the current epoch nnviz had done (0 at an epoch's end)
    n_classes: int           # 0 regression, 2 labels -1/+1, K labels 0..K-1
    data_file: str           # the CSV's name, beside the script
    optimizer_file: str = ""  # the optimiser state's .safetensors name; "" for none

    @property
    def has_state(self) -> bool:
        """Whether the script loads nnviz's optimiser memory."""
        return bool(self.optimizer_file) and self.optimizer in STATE_KEYS


def linear_index(layer: int) -> int:
    """Module index of layer `layer`'s nn.Linear in the Sequential (0 is the features)."""
    return 1 + 2 * layer


def architecture(network: Network) -> str:
    """One line: inputs -> hidden layers -> outputs, for docstrings and metadata."""
    hidden = [f"{n} {a}" for n, a in zip(network.layer_sizes[1:-1], network.hidden_activations)]
    n_out = network.layer_sizes[-1]
    out = f"{n_out} output{'s' if n_out > 1 else ''} ({OUTPUT_WORDS[network.output_kind]})"
    return " -> ".join([f"inputs {', '.join(network.feature_names)}", *hidden, out])


def script_text(network: Network, weights_file: str, training: Training | None) -> str:
    """The whole script; `training` None writes one that rebuilds the model but cannot train."""
    head = [_docstring(network, weights_file, training), _imports(network.output_kind, training),
            _files(weights_file, training)]
    if training is not None:
        head.append(_settings(training))
    code = [_features(network), *([SINE] if "sine" in network.layer_activations else []),
            _model(network), LOAD, _targets(network.output_kind, training), _loss(network.output_kind)]
    if training is not None:
        load = "    load_optimizer_state(model, optimizer)\n" if training.has_state else ""
        rule = [SGD_BATCHES] if training.optimizer == "sgd" else [TORCH_BATCHES]
        code += [_optimizer(training), TRAINING, *rule, READ, TRAIN_MAIN.replace("    LOAD_OPTIMIZER\n", load)]
    else:
        code.append(PREDICT_MAIN)
    code.append('if __name__ == "__main__":\n    main()')
    return ("\n\n".join(p.strip("\n") for p in head) + "\n\n\n"
            + "\n\n\n".join(p.strip("\n") for p in code) + "\n")


def _docstring(network: Network, weights_file: str, training: Training | None) -> str:
    shape = textwrap.fill(architecture(network), 88, initial_indent="    ", subsequent_indent="        ",
                          break_on_hyphens=False)
    head = f'"""A neural network from nnviz, rebuilt in PyTorch.\n\n{shape}\n\n'
    if training is None:
        return head + (
            f"Its weights are in {weights_file}, beside this file. It was exported from a network\n"
            "alone (nnviz.core.export_weights), which carries no training settings and no data, so\n"
            "this script only rebuilds the model, loads the weights and prints the output at a few\n"
            "points. For a script that trains on, export from the nnviz window (File > Export\n"
            "weights, PyTorch script) or with nnviz.core.export_pytorch(trainer, \"model.py\").\n\n"
            'Needs torch and safetensors (pip install torch safetensors).\n"""')
    script = weights_file.rsplit(".", 1)[0] + ".py"
    return head + (
        f"Its weights are in {weights_file} and the data it learned from in {training.data_file},\n"
        "both beside this file. Run it to train on from where nnviz stopped, with nnviz's\n"
        "settings; it prints the losses, the first line at the exported weights (what nnviz\n"
        "showed then):\n\n"
        f"    python {script}                # 100 more epochs\n"
        f"    python {script} --epochs 500\n\n"
        "Needs torch and safetensors (pip install torch safetensors).\n"
        '"""')


def _imports(kind: str, training: Training | None) -> str:
    """The imports this script uses, and no others."""
    std = ["import argparse", "import csv"] if training is not None else []
    uses_f = kind in ("sigmoid_bce", "softmax_ce")
    third = ["import torch", *(["import torch.nn.functional as F"] if uses_f else []),
             "from safetensors.torch import load_file", "from torch import nn"]
    return "\n".join([*std, "from pathlib import Path", "", *third, "",
                      "# nnviz computes in float64, and so does this script: their numbers agree to rounding.",
                      "torch.set_default_dtype(torch.float64)"])


def _literal(value) -> str:
    """A Python literal, strings in double quotes like the rest of the script (JSON's string
    escapes are Python's too)."""
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_literal, value)) + ("," if len(value) == 1 else "") + ")"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _files(weights_file: str, training: Training | None) -> str:
    lines = ["HERE = Path(__file__).resolve().parent", f"WEIGHTS_FILE = HERE / {_literal(weights_file)}"]
    if training is not None:
        lines.append(f"DATA_FILE = HERE / {_literal(training.data_file)}")
        if training.has_state:
            lines.append(f"OPTIMIZER_FILE = HERE / {_literal(training.optimizer_file)}")
    return "\n".join(lines)


def _settings(t: Training) -> str:
    reg = None if t.regularization == "none" else t.regularization
    rows = [("LEARNING_RATE", t.learning_rate, ""),
            ("LR_DECAY", t.lr_decay, "epoch e trains with LEARNING_RATE / (1 + LR_DECAY * e)"),
            ("BATCH_SIZE", t.batch_size, ""),
            ("REGULARIZATION", reg, '"l1", "l2" or None: a step of its own, see penalty_step'),
            ("REG_RATE", t.reg_rate, ""),
            ("START_EPOCH", t.epoch, "epochs nnviz had trained; the decay goes on from there"),
            ("START_BATCH", t.batch, "batches of the next epoch nnviz had done already")]
    code = [f"{name} = {_literal(value)}" for name, value, _ in rows]
    width = max(len(c) for c in code) + 2
    lines = ["# Training settings, as nnviz had them when it exported (change them freely)."]
    lines += [f"{c:<{width}}# {note}" if note else c for c, (_, _, note) in zip(code, rows)]
    return "\n".join(lines)


def _features(network: Network) -> str:
    names = network.feature_names
    rows = [f"            {FEATURE_CODE[f] + ',':<16}# {f}" for f in names]
    return (
        "class Features(nn.Module):\n"
        f'    """Raw points (N, 2) -> the network\'s inputs (N, {len(names)}), nnviz\'s input features."""\n\n'
        "    def forward(self, points):\n"
        "        x, y = points[:, 0], points[:, 1]\n"
        "        return torch.stack([\n" + "\n".join(rows) + "\n        ], dim=1)")


SINE = '''
class Sine(nn.Module):
    """sin(z), an activation torch has no module for."""

    def forward(self, z):
        return torch.sin(z)
'''


def _model(network: Network) -> str:
    sizes, acts, last = network.layer_sizes, network.layer_activations, network.n_layers - 1
    rows = []
    for l, act in enumerate(acts):
        code = f"nn.Linear({sizes[l]}, {sizes[l + 1]}), {MODULES[act]},"
        what = "output" if l == last else f"hidden layer {l + 1}"
        rows.append(f"        {code:<40}# {linear_index(l)}, {linear_index(l) + 1}: {what}")
    return (
        "def build_model():\n"
        '    """The network as an nn.Sequential. Module 0 computes the features; each layer is an\n'
        "    nn.Linear and its activation, so the Linear layers are modules 1, 3, 5, ... (the names\n"
        "    in the .safetensors file: 1.weight, 1.bias, ...). The last module is the output's\n"
        '    activation; loss_fn works on the logits before it where that is the stable way."""\n'
        "    return nn.Sequential(\n"
        f"        {'Features(),':<40}# 0: points -> features\n" + "\n".join(rows) + "\n    )")


LOAD = '''
def load_weights(model, path=WEIGHTS_FILE):
    """The exported weights into the model; strict: every tensor must match by name and shape."""
    model.load_state_dict(load_file(path), strict=True)
'''


def _targets(kind: str, training: Training | None) -> str:
    k = training.n_classes if training is not None else 0
    if kind == "softmax_ce":
        if k == 2:
            doc, code = "Labels -1/+1 (N,) -> class indices 0/1 (N,), what cross_entropy takes.", "(labels > 0).long()"
        else:
            doc, code = "Labels 0..K-1 (N,) -> class indices (N,), what cross_entropy takes.", "labels.long()"
    elif kind == "sigmoid_bce":
        doc, code = "Labels -1/+1 (N,) -> targets 0/1 as a column (N, 1), the sigmoid's range.", \
            "(labels > 0).double()[:, None]"
    elif kind == "tanh_mse":
        doc, code = "Labels -1/+1 (N,) -> the tanh output's targets: the labels as a column (N, 1).", \
            "labels[:, None]"
    else:
        doc, code = "Targets (N,) -> a column (N, 1), the shape of the output.", "labels[:, None]"
    return f'def targets_of(labels):\n    """{doc}"""\n    return {code}'


def _loss(kind: str) -> str:
    if kind in ("tanh_mse", "linear_mse"):
        unit = "tanh" if kind == "tanh_mse" else "linear"
        return (
            "def loss_fn(model, points, targets):\n"
            '    """Squared error 0.5 * (output - target)^2, averaged over the points (the Playground\'s\n'
            '    loss, which nnviz keeps)."""\n'
            f"    output = model(points)                       # (N, 1), after the {unit} output\n"
            "    return 0.5 * ((output - targets) ** 2).sum(dim=1).mean()")
    call = ("F.binary_cross_entropy_with_logits(logits, targets)" if kind == "sigmoid_bce"
            else "F.cross_entropy(logits, targets)")
    unit = "Sigmoid" if kind == "sigmoid_bce" else "Softmax"
    return (
        "def loss_fn(model, points, targets):\n"
        '    """Cross-entropy, averaged over the points. Computed from the logits (the model without\n'
        f"    its final {unit}): the same loss and gradient, without overflow for confident outputs,\n"
        '    as nnviz computes it."""\n'
        f"    logits = model[:-1](points)\n"
        f"    return {call}")


def _optimizer(t: Training) -> str:
    if t.optimizer == "sgd":
        doc = "Plain SGD, TensorFlow Playground's: w -= lr * gradient (see PlaygroundSGD)."
        code = "PlaygroundSGD(model.parameters(), lr=LEARNING_RATE)"
    elif t.optimizer in ("momentum", "nesterov"):
        nest = ", nesterov=True" if t.optimizer == "nesterov" else ""
        doc = ("SGD with momentum, torch's form: v = momentum * v + gradient; w -= lr * v."
               if not nest else "SGD with Nesterov momentum, torch's form.")
        code = f"torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum={t.momentum!r}{nest})"
    elif t.optimizer == "rmsprop":
        doc = "RMSprop: s = alpha * s + (1 - alpha) * g^2; w -= lr * g / (sqrt(s) + eps)."
        code = f"torch.optim.RMSprop(model.parameters(), lr=LEARNING_RATE, alpha={t.beta2!r}, eps={t.epsilon!r})"
    else:
        doc = "Adam, with nnviz's betas and epsilon (torch's Adam computes the same update)."
        code = (f"torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=({t.beta1!r}, {t.beta2!r}), "
                f"eps={t.epsilon!r})")
    text = (f'def make_optimizer(model):\n    """{doc}\n    nnviz\'s L1/L2 penalty is not torch\'s '
            f'weight_decay: see penalty_step."""\n    return {code}')
    if t.optimizer == "sgd":
        text = SGD_CLASS.strip("\n") + "\n\n\n" + text
    if not t.has_state:
        return text
    keys = STATE_KEYS[t.optimizer]
    return text + (
        "\n\n\ndef load_optimizer_state(model, optimizer, path=OPTIMIZER_FILE):\n"
        '    """nnviz\'s optimiser memory at the export into the optimiser, so training goes on\n'
        "    as it would have in nnviz. The file holds, for each parameter (\"1.weight\", ...), the\n"
        f'    entries {", ".join(keys)} of the optimiser\'s state."""\n'
        "    saved = load_file(path)\n"
        f"    keys = {_literal(keys)}\n"
        "    for name, param in model.named_parameters():\n"
        "        optimizer.state[param] = {key: saved[f\"{name}.{key}\"] for key in keys}")
