"""Weights files: export as .json, .npz or .onnx, import .json and .npz, every value checked.

Readers go through safe_read (size limits, no pickles, every failure a FormatError in
words); writers through `atomic_write`, so a failure never leaves a half-written file nor
destroys the old one. The formats are described in docs/formats.md. onnx is imported
only when exporting to it.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from nnviz.core.config import ACTIVATIONS, FEATURES
from nnviz.core.errors import FormatError
from nnviz.core.files.atomic import atomic_write
from nnviz.core.files.safe_read import (
    check_json_size,
    display_name,
    float_array,
    json_meta,
    need,
    quote,
    read_bytes,
    read_npz,
    reader_boundary,
    refuse_constant,
)
from nnviz.core.limits import (
    MAX_FEATURES,
    MAX_JSON_BYTES,
    MAX_LAYERS,
    MAX_NEURONS,
    MAX_OUTPUTS,
    MAX_PARAM,
)
from nnviz.core.model.losses import OUTPUT_ACTIVATION
from nnviz.core.model.network import Network

WEIGHTS_FORMAT = "nnviz-weights"
VERSION = 1
MAX_ABS = MAX_PARAM               # |weight| or |bias| beyond this is refused (core.limits)
OUTPUT_KINDS = tuple(OUTPUT_ACTIVATION)


# -- validation ----------------------------------------------------------------------------
def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_meta(meta: Any, name: str, fmt: str = WEIGHTS_FORMAT) -> tuple:
    """The network description of a file -> (layer_sizes, features, activations, output)."""
    need(isinstance(meta, dict), f"{name} is not an nnviz file: its metadata is not a JSON object")
    need(meta.get("format") == fmt,
          f"{name} has the wrong format {quote(meta.get('format'))}; expected {fmt!r}")
    version = meta.get("version")
    need(_is_int(version) and version == VERSION,
          f"{name} has version {quote(version)}; this nnviz reads version {VERSION}")
    sizes, feats = meta.get("layer_sizes"), meta.get("features")
    acts, output = meta.get("activations"), meta.get("output")
    need(isinstance(sizes, list) and all(_is_int(n) for n in sizes),
          f"{name}: layer_sizes must be a list of whole numbers, not {quote(sizes)}")
    need(len(sizes) >= 2, f"{name}: a network needs at least an input and an output layer")
    need(len(sizes) - 2 <= MAX_LAYERS,
          f"{name} has {len(sizes) - 2} hidden layers; too many (at most {MAX_LAYERS})")
    need(1 <= sizes[0] <= MAX_FEATURES,
          f"{name}: {sizes[0]} input features is beyond the sane range 1..{MAX_FEATURES}")
    need(all(1 <= n <= MAX_NEURONS for n in sizes[1:-1]),
          f"{name}: a hidden layer size is beyond the sane range 1..{MAX_NEURONS}")
    need(1 <= sizes[-1] <= MAX_OUTPUTS,
          f"{name}: {sizes[-1]} outputs is beyond the sane range 1..{MAX_OUTPUTS}")
    need(isinstance(feats, list) and all(isinstance(f, str) for f in feats),
          f"{name}: features must be a list of names, not {quote(feats)}")
    for f in feats:
        need(f in FEATURES, f"{name} uses the unknown feature {quote(f)} "
                             f"(known: {', '.join(FEATURES)})")
    need(len(set(feats)) == len(feats), f"{name} lists a feature twice")
    need(len(feats) == sizes[0], f"{name}: {len(feats)} features but {sizes[0]} inputs "
                                  f"(wrong shapes)")
    need(isinstance(acts, list) and all(isinstance(a, str) for a in acts),
          f"{name}: activations must be a list of names, not {quote(acts)}")
    for a in acts:
        need(a in ACTIVATIONS, f"{name} uses the unknown activation {quote(a)} "
                                f"(known: {', '.join(ACTIVATIONS)})")
    need(len(acts) == len(sizes) - 2,
          f"{name}: {len(acts)} activations for {len(sizes) - 2} hidden layers (wrong shapes)")
    need(isinstance(output, str) and output in OUTPUT_KINDS,
          f"{name} uses the unknown output {quote(output)} (known: {', '.join(OUTPUT_KINDS)})")
    if output == "softmax_ce":
        need(sizes[-1] >= 2, f"{name}: a softmax output needs at least 2 outputs, not {sizes[-1]}")
    else:
        need(sizes[-1] == 1, f"{name}: the {output} output has 1 neuron, not {sizes[-1]} "
                              f"(wrong shapes)")
    return tuple(sizes), tuple(feats), tuple(acts), output


def check_values(a: np.ndarray, what: str) -> None:
    """Refuse NaN, infinities and magnitudes beyond MAX_ABS, saying where."""
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise FormatError(f"{what}{list(idx)} is {float(a[idx])!r}: not a finite number")
    big = np.abs(a) > MAX_ABS
    if big.any():
        idx = tuple(int(i) for i in np.argwhere(big)[0])
        raise FormatError(f"{what}{list(idx)} is {float(a[idx]):g}: too large "
                          f"(at most {MAX_ABS:g} in magnitude)")


def build_network(meta: Any, weights: list, biases: list, name: str) -> Network:
    """A Network from checked metadata and arrays; every mismatch is a FormatError."""
    sizes, feats, acts, output = check_meta(meta, name)
    n_layers = len(sizes) - 1
    need(len(weights) == n_layers and len(biases) == n_layers,
          f"{name}: {len(weights)} weight matrices and {len(biases)} bias vectors for "
          f"{n_layers} layers (wrong shapes)")
    net = Network(sizes, acts, output, feats)
    for l, (w, b) in enumerate(zip(weights, biases)):
        need(w.shape == net.weights[l].shape, f"{name}: weights {l} have shape {w.shape}, "
              f"expected {net.weights[l].shape} (wrong shapes)")
        need(b.shape == net.biases[l].shape, f"{name}: biases {l} have shape {b.shape}, "
              f"expected {net.biases[l].shape} (wrong shapes)")
        check_values(w, f"{name}: weights[{l}]")
        check_values(b, f"{name}: biases[{l}]")
        net.weights[l][:] = w
        net.biases[l][:] = b
    return net


def network_meta(network: Network) -> dict[str, Any]:
    """The metadata written for a network (the same keys in .json, .npz and .onnx)."""
    return {"format": WEIGHTS_FORMAT, "version": VERSION,
            "layer_sizes": list(network.layer_sizes), "features": list(network.feature_names),
            "activations": list(network.hidden_activations), "output": network.output_kind}


def check_exportable(network: Network) -> None:
    """Refuse (ValueError) to write a network this module could not read back."""
    try:
        build_network(network_meta(network), network.weights, network.biases, "the network")
    except FormatError as exc:
        raise ValueError(f"cannot export: {exc}") from None


# -- weights -----------------------------------------------------------------------------
def _suffix(path) -> str:
    return os.path.splitext(os.fspath(path))[1].lower()


def export_weights(network: Network, path) -> None:
    """Write the network as .json, .npz, .onnx, .safetensors or a PyTorch script (.py),
    chosen by the file's suffix. A network alone carries no training settings or data, so
    its script only rebuilds the model; export_pytorch(trainer, path) writes one that trains on.
    """
    suffix = _suffix(path)
    if suffix not in (".json", ".npz", ".onnx", ".safetensors", ".py"):
        raise ValueError(f"cannot export weights as {suffix or 'a file without suffix'!r}: "
                         f"use .json, .npz, .onnx, .safetensors or .py")
    check_exportable(network)
    if suffix in (".safetensors", ".py"):
        from nnviz.core.files import torch_export
        torch_export.write(network, network_meta(network), path)
    elif suffix == ".json":
        text = weights_json(network).encode("utf-8")
        atomic_write(path, lambda f: f.write(text))
    elif suffix == ".npz":
        arrays = {"meta": np.array(np.str_(json.dumps(network_meta(network))))}
        for l, (w, b) in enumerate(zip(network.weights, network.biases)):
            arrays[f"w{l}"], arrays[f"b{l}"] = np.array(w), np.array(b)
        atomic_write(path, lambda f: np.savez_compressed(f, **arrays))
    else:
        from nnviz.core.files.onnx_export import onnx_bytes
        try:
            data = onnx_bytes(network, network_meta(network))
        except ImportError as exc:
            raise ValueError(f"ONNX export needs the onnx package ({exc})") from exc
        atomic_write(path, lambda f: f.write(data))


def export_pytorch(trainer, path) -> None:
    """Write a PyTorch script `x.py` that rebuilds the Trainer's network and trains on with
    its settings, with the weights `x.safetensors` and the data `x.csv` beside it (all or
    none); a `.safetensors` path writes the weights alone."""
    suffix = _suffix(path)
    if suffix not in (".py", ".safetensors"):
        raise ValueError(f"cannot export for PyTorch as {suffix or 'a file without suffix'!r}: "
                         f"use .py or .safetensors")
    check_exportable(trainer.network)
    from nnviz.core.files import torch_export
    torch_export.write(trainer.network, network_meta(trainer.network), path, trainer)


def weights_json(network: Network) -> str:
    """The JSON text: metadata, then one matrix row per line; floats in repr (bit-exact)."""
    def row(v) -> str:
        return json.dumps([float(x) for x in v], allow_nan=False)

    head = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in network_meta(network).items()]
    mats = ["    [\n" + ",\n".join("      " + row(r) for r in w) + "\n    ]" for w in network.weights]
    vecs = ["    " + row(b) for b in network.biases]
    return ("{\n" + ",\n".join(head) + ',\n  "weights": [\n' + ",\n".join(mats)
            + '\n  ],\n  "biases": [\n' + ",\n".join(vecs) + "\n  ]\n}\n")


def import_weights(path) -> Network:
    """Read a .json or .npz weights file; any problem is a FormatError in words."""
    name, suffix = display_name(path), _suffix(path)
    if suffix == ".onnx":
        raise FormatError("ONNX files can be exported but not imported; use .json or .npz")
    if suffix == ".json":
        return _read_json_weights(path, name)
    if suffix == ".npz":
        return _read_npz_weights(path, name)
    raise FormatError(f"{name}: unknown kind of weights file {suffix or '(no suffix)'!r}; "
                      f"use .json or .npz")





def _read_json_weights(path, name: str) -> Network:
    data = read_bytes(path)
    with reader_boundary(name):
        check_json_size(data, name, MAX_JSON_BYTES)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{name} is not JSON text (bad byte at offset {exc.start})") from exc
        try:
            doc = json.loads(text, parse_constant=refuse_constant)
        except FormatError as exc:
            raise FormatError(f"{name} {exc}") from None
        except json.JSONDecodeError as exc:
            cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
            hint = " (truncated?)" if cut else ""
            raise FormatError(f"{name} is not valid JSON{hint}: {exc.msg}, line {exc.lineno}, "
                              f"column {exc.colno}") from exc
        check_meta(doc, name)
        weights, biases = doc.get("weights"), doc.get("biases")
        need(isinstance(weights, list) and isinstance(biases, list),
              f"{name} has no weights and biases lists (wrong shapes)")
        mats = [_json_array(w, 2, f"{name}: weights[{l}]") for l, w in enumerate(weights)]
        vecs = [_json_array(b, 1, f"{name}: biases[{l}]") for l, b in enumerate(biases)]
        return build_network(doc, mats, vecs, name)


def _json_array(obj: Any, ndim: int, what: str) -> np.ndarray:
    """Nested JSON lists of numbers -> float64 array, refusing ragged rows and non-numbers."""
    rows = obj if ndim == 2 else [obj]
    need(isinstance(rows, list) and all(isinstance(r, list) for r in rows),
          f"{what} is not a {'matrix (list of rows)' if ndim == 2 else 'list of numbers'} "
          f"(wrong shapes)")
    width = len(rows[0]) if rows else 0
    out = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        need(len(r) == width, f"{what}: rows of different lengths (wrong shapes)")
        for j, v in enumerate(r):
            where = f"{what}[{i}][{j}]" if ndim == 2 else f"{what}[{j}]"
            need(isinstance(v, (int, float)) and not isinstance(v, bool),
                  f"{where} is {quote(v)}: not a number")
            need(not (isinstance(v, float) and math.isnan(v)), f"{where} is NaN: not a finite number")
            need(abs(v) <= MAX_ABS, f"{where} is too large or infinite (at most {MAX_ABS:g} "
                                     f"in magnitude)")
            out[i, j] = float(v)
    return out if ndim == 2 else out[0]


def _read_npz_weights(path, name: str) -> Network:
    arrays = read_npz(path)
    with reader_boundary(name):
        meta = json_meta(arrays, name)
        sizes = check_meta(meta, name)[0]
        n = len(sizes) - 1
        expected = {"meta", *(f"w{l}" for l in range(n)), *(f"b{l}" for l in range(n))}
        missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
        need(not missing, f"{name} lacks the arrays {', '.join(missing)} (wrong shapes)")
        need(not extra, f"{name} holds unexpected arrays {quote(', '.join(extra))}")
        mats = [float_array(arrays[f"w{l}"], f"{name}: w{l}") for l in range(n)]
        vecs = [float_array(arrays[f"b{l}"], f"{name}: b{l}") for l in range(n)]
        return build_network(meta, mats, vecs, name)








def check_fits(network: Network, target: Network) -> None:
    """Refuse weights that do not fit the current network (shape, features, units)."""
    def shape(n: Network) -> str:
        return "-".join(str(s) for s in n.layer_sizes)

    if network.layer_sizes != target.layer_sizes:
        raise FormatError(f"the file's network is {shape(network)} but the current one is "
                          f"{shape(target)}")
    if network.feature_names != target.feature_names:
        raise FormatError(f"the file's network reads the features {', '.join(network.feature_names)} "
                          f"but the current one reads {', '.join(target.feature_names)}")
    if network.hidden_activations != target.hidden_activations:
        raise FormatError(f"the file's network uses the activations "
                          f"{', '.join(network.hidden_activations)} but the current one uses "
                          f"{', '.join(target.hidden_activations)}")
    if network.output_kind != target.output_kind:
        raise FormatError(f"the file's network has the output {network.output_kind} but the "
                          f"current one has {target.output_kind}")
