"""Files: export and import weights (.json, .npz, .onnx), sessions (.nnviz), loss history.

Readers never trust a file: anything wrong with it, whatever the exception underneath,
becomes one `FormatError` whose message says in words what is wrong, so the GUI can show
it and leave the session untouched. Nothing is ever unpickled. Writers go through
`atomic_write`, so a failure never leaves a half-written file nor destroys the old one.
The formats are described in docs/formats.md. onnx and the Trainer are imported lazily,
so `import nnviz.core.io` stays light.
"""

from __future__ import annotations

import contextlib
import io as _bytes_io
import json
import math
import os
import zipfile
from typing import Any, BinaryIO, Iterator

import numpy as np

from .config import ACTIVATIONS, FEATURES, MAX_LAYERS, MAX_NEURONS
from .atomic import atomic_write  # noqa: F401  (part of this module's API)
from .errors import FormatError
from .losses import OUTPUT_ACTIVATION
from .network import Network

__all__ = ["FormatError", "atomic_write", "export_weights", "import_weights", "check_fits",
           "save_session", "load_session", "export_history_csv", "read_npz", "read_bytes"]

WEIGHTS_FORMAT = "nnviz-weights"
VERSION = 1
MAX_ABS = 1e6                     # |weight| or |bias| beyond this is refused
MAX_FEATURES = len(FEATURES)      # 7
MAX_OUTPUTS = 10
MAX_FILE_BYTES = 50 * 2**20       # files larger than this are refused unread
MAX_UNPACKED_BYTES = 256 * 2**20  # an .npz may not unpack to more than this
MAX_MEMBERS = 256                 # arrays in one .npz
OUTPUT_KINDS = tuple(OUTPUT_ACTIVATION)


# -- reading safely ----------------------------------------------------------------------
def _name(path) -> str:
    p = os.fspath(path)
    return os.path.basename(p) or p


def _short(value: Any) -> str:
    """A value quoted for a message, cut short: a file may put megabytes in one field."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@contextlib.contextmanager
def reader_boundary(name: str) -> Iterator[None]:
    """Turn any failure inside a reader into a FormatError (KeyboardInterrupt passes)."""
    try:
        yield
    except FormatError:
        raise
    except RecursionError as exc:
        raise FormatError(f"{name} is nested too deeply to be an nnviz file") from exc
    except MemoryError as exc:
        raise FormatError(f"{name} declares arrays too large to load") from exc
    except Exception as exc:  # noqa: BLE001 - the reader boundary: every cause becomes words
        raise FormatError(f"{name} is damaged or not an nnviz file "
                          f"({type(exc).__name__}: {str(exc)[:120]})") from exc


def read_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file, refusing anything larger than `limit` before reading it."""
    name = _name(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise FormatError(f"{name} is {size / 2**20:.0f} MB; nnviz files are at most "
                                  f"{limit // 2**20} MB")
            data = f.read(limit + 1)
    except OSError as exc:
        raise FormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise FormatError(f"{name} is larger than {limit // 2**20} MB")
    if not data:
        raise FormatError(f"{name} is empty")
    return data


def read_npz(path, limit: int = MAX_FILE_BYTES) -> dict[str, np.ndarray]:
    """Every array of an .npz, checked before loading: no pickles, no zip bombs."""
    name = _name(path)
    data = read_bytes(path, limit)
    with reader_boundary(name):
        buf = _bytes_io.BytesIO(data)
        if not zipfile.is_zipfile(buf):
            raise FormatError(f"{name} is not an .npz archive (truncated, or not a zip file)")
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise FormatError(f"{name} holds {len(infos)} arrays; too many for an nnviz file")
            budget = MAX_UNPACKED_BYTES
            for info in infos:
                if not info.filename.endswith(".npy") or info.filename.count("/"):
                    raise FormatError(f"{name} is a zip archive but not an .npz "
                                      f"(it holds {_short(info.filename)})")
                budget -= info.file_size
                if budget < 0:
                    raise FormatError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
                with zf.open(info) as f:
                    _check_npy_header(f, f"{name}: {info.filename}")
        buf.seek(0)
        out: dict[str, np.ndarray] = {}
        with np.load(buf, allow_pickle=False) as npz:   # never unpickle (PITFALLS 10)
            if len(set(npz.files)) != len(npz.files):
                raise FormatError(f"{name} lists an array twice")
            for key in npz.files:
                out[key] = np.asarray(npz[key])
        return out


def _check_npy_header(f: BinaryIO, what: str) -> None:
    """Refuse object arrays and arrays larger than the archive could hold, from the header."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise FormatError(f"{what}: unsupported .npy version {version}")
    if dtype.hasobject:
        raise FormatError(f"{what} is an object array (a pickle); nnviz never loads pickles")
    if math.prod(shape) * dtype.itemsize > MAX_UNPACKED_BYTES:
        raise FormatError(f"{what} declares an array of shape {_short(shape)}: too large")


# -- validation ----------------------------------------------------------------------------
def _need(ok: bool, message: str) -> None:
    if not ok:
        raise FormatError(message)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_meta(meta: Any, name: str, fmt: str = WEIGHTS_FORMAT) -> tuple:
    """The network description of a file -> (layer_sizes, features, activations, output)."""
    _need(isinstance(meta, dict), f"{name} is not an nnviz file: its metadata is not a JSON object")
    _need(meta.get("format") == fmt,
          f"{name} has the wrong format {_short(meta.get('format'))}; expected {fmt!r}")
    version = meta.get("version")
    _need(_is_int(version) and version == VERSION,
          f"{name} has version {_short(version)}; this nnviz reads version {VERSION}")
    sizes, feats = meta.get("layer_sizes"), meta.get("features")
    acts, output = meta.get("activations"), meta.get("output")
    _need(isinstance(sizes, list) and all(_is_int(n) for n in sizes),
          f"{name}: layer_sizes must be a list of whole numbers, not {_short(sizes)}")
    _need(len(sizes) >= 2, f"{name}: a network needs at least an input and an output layer")
    _need(len(sizes) - 2 <= MAX_LAYERS,
          f"{name} has {len(sizes) - 2} hidden layers; too many (at most {MAX_LAYERS})")
    _need(1 <= sizes[0] <= MAX_FEATURES,
          f"{name}: {sizes[0]} input features is beyond the sane range 1..{MAX_FEATURES}")
    _need(all(1 <= n <= MAX_NEURONS for n in sizes[1:-1]),
          f"{name}: a hidden layer size is beyond the sane range 1..{MAX_NEURONS}")
    _need(1 <= sizes[-1] <= MAX_OUTPUTS,
          f"{name}: {sizes[-1]} outputs is beyond the sane range 1..{MAX_OUTPUTS}")
    _need(isinstance(feats, list) and all(isinstance(f, str) for f in feats),
          f"{name}: features must be a list of names, not {_short(feats)}")
    for f in feats:
        _need(f in FEATURES, f"{name} uses the unknown feature {_short(f)} "
                             f"(known: {', '.join(FEATURES)})")
    _need(len(set(feats)) == len(feats), f"{name} lists a feature twice")
    _need(len(feats) == sizes[0], f"{name}: {len(feats)} features but {sizes[0]} inputs "
                                  f"(wrong shapes)")
    _need(isinstance(acts, list) and all(isinstance(a, str) for a in acts),
          f"{name}: activations must be a list of names, not {_short(acts)}")
    for a in acts:
        _need(a in ACTIVATIONS, f"{name} uses the unknown activation {_short(a)} "
                                f"(known: {', '.join(ACTIVATIONS)})")
    _need(len(acts) == len(sizes) - 2,
          f"{name}: {len(acts)} activations for {len(sizes) - 2} hidden layers (wrong shapes)")
    _need(isinstance(output, str) and output in OUTPUT_KINDS,
          f"{name} uses the unknown output {_short(output)} (known: {', '.join(OUTPUT_KINDS)})")
    if output == "softmax_ce":
        _need(sizes[-1] >= 2, f"{name}: a softmax output needs at least 2 outputs, not {sizes[-1]}")
    else:
        _need(sizes[-1] == 1, f"{name}: the {output} output has 1 neuron, not {sizes[-1]} "
                              f"(wrong shapes)")
    return tuple(sizes), tuple(feats), tuple(acts), output


def check_values(a: np.ndarray, what: str) -> None:
    """Refuse NaN, infinities and magnitudes beyond MAX_ABS, saying where."""
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise FormatError(f"{what}{list(idx)} is {a[idx]!r}: not a finite number")
    big = np.abs(a) > MAX_ABS
    if big.any():
        idx = tuple(int(i) for i in np.argwhere(big)[0])
        raise FormatError(f"{what}{list(idx)} is {float(a[idx]):g}: too large "
                          f"(at most {MAX_ABS:g} in magnitude)")


def build_network(meta: Any, weights: list, biases: list, name: str) -> Network:
    """A Network from checked metadata and arrays; every mismatch is a FormatError."""
    sizes, feats, acts, output = check_meta(meta, name)
    n_layers = len(sizes) - 1
    _need(len(weights) == n_layers and len(biases) == n_layers,
          f"{name}: {len(weights)} weight matrices and {len(biases)} bias vectors for "
          f"{n_layers} layers (wrong shapes)")
    net = Network(sizes, acts, output, feats)
    for l, (w, b) in enumerate(zip(weights, biases)):
        _need(w.shape == net.weights[l].shape, f"{name}: weights {l} have shape {w.shape}, "
              f"expected {net.weights[l].shape} (wrong shapes)")
        _need(b.shape == net.biases[l].shape, f"{name}: biases {l} have shape {b.shape}, "
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
    """Write the network as .json, .npz or .onnx, chosen by the file's suffix."""
    suffix = _suffix(path)
    if suffix not in (".json", ".npz", ".onnx"):
        raise ValueError(f"cannot export weights as {suffix or 'a file without suffix'!r}: "
                         f"use .json, .npz or .onnx")
    check_exportable(network)
    if suffix == ".json":
        text = weights_json(network).encode("utf-8")
        atomic_write(path, lambda f: f.write(text))
    elif suffix == ".npz":
        arrays = {"meta": np.array(np.str_(json.dumps(network_meta(network))))}
        for l, (w, b) in enumerate(zip(network.weights, network.biases)):
            arrays[f"w{l}"], arrays[f"b{l}"] = np.array(w), np.array(b)
        atomic_write(path, lambda f: np.savez_compressed(f, **arrays))
    else:
        from .io_onnx import onnx_bytes
        try:
            data = onnx_bytes(network, network_meta(network))
        except ImportError as exc:
            raise ValueError(f"ONNX export needs the onnx package ({exc})") from exc
        atomic_write(path, lambda f: f.write(data))


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
    name, suffix = _name(path), _suffix(path)
    if suffix == ".onnx":
        raise FormatError("ONNX files can be exported but not imported; use .json or .npz")
    if suffix == ".json":
        return _read_json_weights(path, name)
    if suffix == ".npz":
        return _read_npz_weights(path, name)
    raise FormatError(f"{name}: unknown kind of weights file {suffix or '(no suffix)'!r}; "
                      f"use .json or .npz")


def _refuse_constant(token: str) -> float:
    raise FormatError(f"holds {token}: not a finite number")


def _read_json_weights(path, name: str) -> Network:
    data = read_bytes(path)
    with reader_boundary(name):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{name} is not JSON text (bad byte at offset {exc.start})") from exc
        try:
            doc = json.loads(text, parse_constant=_refuse_constant)
        except FormatError as exc:
            raise FormatError(f"{name} {exc}") from None
        except json.JSONDecodeError as exc:
            cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
            hint = " (truncated?)" if cut else ""
            raise FormatError(f"{name} is not valid JSON{hint}: {exc.msg}, line {exc.lineno}, "
                              f"column {exc.colno}") from exc
        check_meta(doc, name)
        weights, biases = doc.get("weights"), doc.get("biases")
        _need(isinstance(weights, list) and isinstance(biases, list),
              f"{name} has no weights and biases lists (wrong shapes)")
        mats = [_json_array(w, 2, f"{name}: weights[{l}]") for l, w in enumerate(weights)]
        vecs = [_json_array(b, 1, f"{name}: biases[{l}]") for l, b in enumerate(biases)]
        return build_network(doc, mats, vecs, name)


def _json_array(obj: Any, ndim: int, what: str) -> np.ndarray:
    """Nested JSON lists of numbers -> float64 array, refusing ragged rows and non-numbers."""
    rows = obj if ndim == 2 else [obj]
    _need(isinstance(rows, list) and all(isinstance(r, list) for r in rows),
          f"{what} is not a {'matrix (list of rows)' if ndim == 2 else 'list of numbers'} "
          f"(wrong shapes)")
    width = len(rows[0]) if rows else 0
    out = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        _need(len(r) == width, f"{what}: rows of different lengths (wrong shapes)")
        for j, v in enumerate(r):
            where = f"{what}[{i}][{j}]" if ndim == 2 else f"{what}[{j}]"
            _need(isinstance(v, (int, float)) and not isinstance(v, bool),
                  f"{where} is {_short(v)}: not a number")
            _need(not (isinstance(v, float) and math.isnan(v)), f"{where} is NaN: not a finite number")
            _need(abs(v) <= MAX_ABS, f"{where} is too large or infinite (at most {MAX_ABS:g} "
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
        _need(not missing, f"{name} lacks the arrays {', '.join(missing)} (wrong shapes)")
        _need(not extra, f"{name} holds unexpected arrays {_short(', '.join(extra))}")
        mats = [float_array(arrays[f"w{l}"], f"{name}: w{l}") for l in range(n)]
        vecs = [float_array(arrays[f"b{l}"], f"{name}: b{l}") for l in range(n)]
        return build_network(meta, mats, vecs, name)


def json_meta(arrays: dict[str, np.ndarray], name: str) -> Any:
    """The JSON string stored as the 0-d text array `meta` of an .npz, parsed."""
    meta = arrays.get("meta")
    _need(meta is not None, f"{name} has no 'meta' array: not an nnviz file")
    _need(meta.dtype.kind == "U" and meta.shape == (), f"{name}: 'meta' is not a text string")
    try:
        return json.loads(str(meta[()]), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{name}: 'meta' is not valid JSON ({str(exc)[:80]})") from exc


def float_array(a: np.ndarray, what: str) -> np.ndarray:
    """A numeric array as float64 (exact for float64 input); text, bool and complex refused."""
    _need(a.dtype.kind in "fiu", f"{what} holds {a.dtype} values, not numbers")
    return np.array(a, dtype=np.float64)


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


# -- sessions and history (io_session imports the Trainer, so load it only when used) ------
def save_session(trainer, path, extra: dict | None = None) -> None:
    """Write everything needed to continue training exactly (see io_session)."""
    from .io_session import save_session as _save
    _save(trainer, path, extra)


def load_session(path):
    """Read a .nnviz session -> (Trainer, extra GUI settings); FormatError on any problem."""
    from .io_session import load_session as _load
    return _load(path)


def export_history_csv(source, path) -> None:
    """Write the loss curves as CSV: epoch,train_loss,test_loss."""
    from .io_session import export_history_csv as _export
    _export(source, path)
