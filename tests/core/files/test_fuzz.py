"""Arbitrary and mutated bytes fed to every reader: the only exception is FormatError."""

from __future__ import annotations

import io as bytes_io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import fuzz
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.model.network import Network
from nnviz.core.train.trainer import Trainer

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _valid_files() -> dict[str, bytes]:
    """One valid .json and .npz of a small softmax network, and a session mid-epoch."""
    net = Network((3, 4, 3), ("relu",), "softmax_ce", ("x1", "x2", "x1*x2"))
    net.params[:] = np.random.default_rng(0).normal(size=net.params.size)
    doc = json.loads(files.weights_json(net))
    buf = bytes_io.BytesIO()
    arrays = {"meta": np.array(json.dumps(files.network_meta(net)))}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{l}"], arrays[f"b{l}"] = w, b
    np.savez_compressed(buf, **arrays)
    trainer = Trainer(Config(dataset="blobs", hidden_layers=(3,), optimizer="adam", batch_size=30))
    trainer.step_epoch()
    trainer.step_batch()
    with tempfile.TemporaryDirectory() as tmp:
        files.save_session(trainer, Path(tmp) / "s.nnviz", {"discretize": True})
        session = (Path(tmp) / "s.nnviz").read_bytes()
    return {".json": json.dumps(doc).encode(), ".npz": buf.getvalue(), ".nnviz": session}


VALID = _valid_files()


def mutate(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    """Flip a bit, truncate, insert or overwrite at positions drawn by hypothesis."""
    out = bytearray(data)
    for op, pos, blob in ops:
        pos = pos % (len(out) + 1)
        if op == "flip" and pos < len(out):
            out[pos] ^= 1 << (blob[0] % 8 if blob else 0)
        elif op == "truncate":
            del out[pos:]
        elif op == "insert":
            out[pos:pos] = blob
        elif op == "overwrite":
            out[pos:pos + len(blob)] = blob
        elif op == "delete":
            del out[pos:pos + 1 + (blob[0] if blob else 0)]
    return bytes(out)


MUTATIONS = st.lists(st.tuples(st.sampled_from(["flip", "truncate", "insert", "overwrite", "delete"]),
                               st.integers(0, 10**6), st.binary(max_size=8)), min_size=1, max_size=4)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(["tanh", "x1", "softmax_ce"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


def only_format_errors(fn, path: Path) -> None:
    """Run one reader; success or FormatError are fine, anything else fails the test."""
    try:
        fn(path)
    except FormatError as exc:
        assert str(exc)
    # any other exception propagates and hypothesis reports it


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".json", ".npz", ".onnx", ".bin"]))
def test_arbitrary_bytes(folder, data, suffix):
    path = folder / f"any{suffix}"
    path.write_bytes(data)
    only_format_errors(files.import_weights, path)


@SETTINGS
@given(suffix=st.sampled_from([".json", ".npz"]), ops=MUTATIONS)
def test_mutated_valid_files(folder, suffix, ops):
    path = folder / f"mut{suffix}"
    path.write_bytes(mutate(VALID[suffix], ops))
    only_format_errors(files.import_weights, path)


@SETTINGS
@given(key=st.sampled_from(["format", "version", "layer_sizes", "features", "activations",
                            "output", "weights", "biases", "extra"]),
       value=JSON_VALUES, path_in=st.lists(st.integers(0, 5), max_size=3))
def test_json_with_a_field_replaced(folder, key, value, path_in):
    """Deeper than byte noise: a valid document with one field (or nested item) swapped."""
    doc = json.loads(VALID[".json"])
    target, k = doc, key
    for i in path_in:       # walk into nested lists when the field is one
        inner = target.get(k) if isinstance(target, dict) else target[k]
        if not isinstance(inner, list) or not inner:
            break
        target, k = inner, i % len(inner)
    target[k] = value
    path = folder / "field.json"
    path.write_text(json.dumps(doc))
    only_format_errors(files.import_weights, path)


ARRAYS = st.one_of(
    st.builds(lambda shape, v: np.full(shape, v), st.lists(st.integers(0, 6), max_size=3).map(tuple),
              st.floats() | st.integers(-10**9, 10**9)),
    st.builds(np.array, st.text(max_size=30)),
    st.builds(lambda n: np.zeros(n, dtype=np.complex128), st.integers(0, 4)),
    st.builds(lambda n: np.ones(n, dtype=bool), st.integers(0, 4)),
    st.builds(lambda n: np.zeros(n, dtype=[("a", "<f8"), ("b", "<i4")]), st.integers(0, 4)),
    st.builds(lambda v: np.array(json.dumps(v)), JSON_VALUES),
)


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(["meta", "w0", "b0", "w1", "b1", "w2", "zz"]),
                               ARRAYS | st.none(), min_size=1, max_size=3))
def test_npz_with_arrays_replaced(folder, changes):
    """A valid .npz with arrays swapped for others of any dtype and shape (None: removed)."""
    with np.load(bytes_io.BytesIO(VALID[".npz"]), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for k, v in changes.items():
        if v is None:
            arrays.pop(k, None)
        else:
            arrays[k] = v
    path = folder / "arrays.npz"
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    only_format_errors(files.import_weights, path)


# -- sessions --------------------------------------------------------------------------
@SETTINGS
@given(data=st.binary(max_size=2000))
def test_session_arbitrary_bytes(folder, data):
    path = folder / "any.nnviz"
    path.write_bytes(data)
    only_format_errors(files.load_session, path)


@SETTINGS
@given(ops=MUTATIONS)
def test_session_mutated_bytes(folder, ops):
    path = folder / "mut.nnviz"
    path.write_bytes(mutate(VALID[".nnviz"], ops))
    only_format_errors(files.load_session, path)


def _session_parts() -> tuple[dict, dict]:
    with np.load(bytes_io.BytesIO(VALID[".nnviz"]), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


SESSION_KEYS = sorted(_session_parts()[1])


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(SESSION_KEYS + ["zz"]), ARRAYS | st.none(),
                               min_size=1, max_size=3))
def test_session_with_arrays_replaced(folder, changes):
    meta, arrays = _session_parts()
    for k, v in changes.items():
        if v is None:
            arrays.pop(k, None)
        else:
            arrays[k] = v
    path = folder / "arrays.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    only_format_errors(files.load_session, path)


@SETTINGS
@given(section=st.sampled_from(["", "config", "strings", "scalars", "extra"]),
       key=st.sampled_from(["format", "version", "config", "extra", "strings", "scalars", "arrays",
                            "dataset", "hidden_layers", "activation", "features", "n_classes",
                            "batch_size", "seed", "epoch", "output_kind", "learning_rate"]),
       value=JSON_VALUES)
def test_session_with_a_meta_field_replaced(folder, section, key, value):
    meta, arrays = _session_parts()
    target = meta[section] if section else meta
    target[key] = value
    path = folder / "meta.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    only_format_errors(files.load_session, path)


def _perturb(a: np.ndarray, how: int, number: int) -> np.ndarray:
    """Plausible damage of the same dtype: a new number, a shorter/longer or scaled array."""
    if a.ndim == 0:
        return np.array(number, dtype=a.dtype) if a.dtype.kind in "iuf" else a
    if how == 0:
        return a[: max(0, len(a) - 1 - number % 3)]
    if how == 1:
        return np.concatenate([a, a[:1 + number % 3]])
    if how == 2 and a.size:
        b = a.copy()
        b.flat[number % a.size] = number
        return b
    return a.reshape(-1) if a.ndim > 1 else a[:, None]


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(SESSION_KEYS), st.tuples(
    st.integers(0, 3), st.integers(-2**40, 2**40) | st.sampled_from([-1, 0, 1, 2, 3, 5, 10, 999])),
    min_size=1, max_size=3))
def test_session_with_values_perturbed(folder, changes):
    """Near misses that get past the file checks and reach the Trainer's own validation."""
    meta, arrays = _session_parts()
    for k, (how, number) in changes.items():
        arrays[k] = _perturb(arrays[k], how, number)
    path = folder / "near.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    only_format_errors(files.load_session, path)


def test_mutation_helper_really_mutates():
    assert mutate(b"abc", [("truncate", 1, b"")]) == b"a"
    assert mutate(b"abc", [("insert", 1, b"xy")]) == b"axybc"
    assert mutate(b"abc", [("flip", 0, b"\x00")]) == b"`bc"


# -- a seeded run over every format, with a time and memory bound per load -----------------
FUZZ_N = int(os.environ.get("NNVIZ_FUZZ_N", "250"))


@pytest.mark.parametrize("suffix", [".json", ".npz", ".nnviz", ".csv"])
def test_seeded_mutants_load_or_are_refused_within_time_and_memory(tmp_path, suffix):
    """FUZZ_N mutants of a valid file (NNVIZ_FUZZ_N; `python -m helpers.fuzz 2000` for the
    long run): each loads and then trains, saves and reads back, or is a FormatError; each
    load within TIME_BOUND_S and a peak of 10 x its size + 200 MB (tracemalloc)."""
    figures = fuzz.run(FUZZ_N, seed=19, folder=tmp_path, suffixes=(suffix,))[suffix]
    assert figures.loaded + figures.refused == FUZZ_N
    assert figures.loaded > 0 and figures.refused > 0     # the mutants reach both outcomes
