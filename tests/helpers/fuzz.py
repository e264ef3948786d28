"""A seeded mutation fuzzer for every reader: mutants of valid files, each loaded under a
time and memory watch, every outcome a load that then works or a FormatError.

`python -m helpers.fuzz N [SEED]` (from tests/) runs N mutants per format and prints the
figures; the suite runs a few hundred (tests/core/files/test_fuzz.py).
"""

from __future__ import annotations

import io as bytes_io
import json
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.model.network import Network
from nnviz.core.train import kernels

TIME_BOUND_S = 10.0             # per load (typically 1-20 ms); the hostile files took seconds to hours
MEMORY_SLOPE, MEMORY_BASE = 10, 200 * 2**20   # peak <= 10 x file size + 200 MB
TOKENS = [b"1" * 5000, b"[" * 3000, b"[]," * 3000, b"\n" * 5000, b"nan", b"NaN", b"Infinity",
          b"1e400", b"-0", b"18446744073709551615", b"9223372036854775808", b'"', b",", b";",
          b"\r", b"\x00", b"\xff\xfe", b"{}", b"[]", b"null", b"true", b"-1e308", b"1_0", b"\xef\xbb\xbf"]
JSON_VALUES = [2**64 - 1, 2**63, -2**63 - 1, 1e308, -1e308, 1e-320, 0, -1, 11, 33, "", "x" * 10000,
               None, True, [], {}, [[0] * 40] * 40, [1e6] * 7, "tanh", "softmax_ce", [[[[]]]], 1.5]
ARRAYS = [np.array(np.uint64(2**64 - 1)), np.array(np.int64(-2**63)), np.array(2**63 - 1),
          np.array(1e308), np.array(np.inf), np.array(np.nan), np.zeros(0), np.zeros((3, 0)),
          np.full(7, 1e308), np.full(200_000, 0.5), np.ones(5, dtype=bool), np.array("text"),
          np.zeros(4, dtype=np.complex128), np.full((2, 2), -1, dtype=np.int8), np.array(-1),
          np.array(0), np.array(2**53 + 1), np.arange(12000), np.full(3, np.uint64(2**64 - 1))]


# -- valid files to start from ----------------------------------------------------------
def valid_files() -> dict[str, bytes]:
    """A weights .json and .npz (softmax network), a session mid-epoch, a point file."""
    from nnviz.core.train.trainer import Trainer
    net = Network((3, 4, 3), ("relu",), "softmax_ce", ("x1", "x2", "x1*x2"))
    net.params[:] = np.random.default_rng(0).normal(size=net.params.size)
    out = {".json": files.weights_json(net).encode()}
    buf = bytes_io.BytesIO()
    arrays = {"meta": np.array(json.dumps(files.network_meta(net)))}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{l}"], arrays[f"b{l}"] = w, b
    np.savez_compressed(buf, **arrays)
    out[".npz"] = buf.getvalue()
    trainer = Trainer(Config(dataset="blobs", hidden_layers=(3,), optimizer="adam", batch_size=30))
    trainer.step_epoch()
    trainer.step_batch()
    with tempfile.TemporaryDirectory() as tmp:
        files.save_session(trainer, Path(tmp) / "s.nnviz", {"discretize": True})
        out[".nnviz"] = (Path(tmp) / "s.nnviz").read_bytes()
    rng = np.random.default_rng(1)
    rows = [f"{x!r},{y!r},{c},{'test' if i % 4 == 0 else 'train'}" for i, ((x, y), c) in
            enumerate(zip(rng.uniform(-5, 5, (40, 2)).tolist(), [0, 1, 2, 3] * 10))]
    out[".csv"] = ("x,y,label,split\n" + "\n".join(rows) + "\n").encode()
    return out


# -- mutations ----------------------------------------------------------------------------
def mutate_bytes(data: bytes, rng: np.random.Generator) -> bytes:
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        pos = int(rng.integers(0, len(out) + 1))
        op = int(rng.integers(0, 7))
        if op == 0 and pos < len(out):
            out[pos] ^= 1 << int(rng.integers(0, 8))
        elif op == 1:
            del out[pos:]
        elif op == 2:
            out[pos:pos] = rng.bytes(int(rng.integers(1, 9)))
        elif op == 3:
            token = TOKENS[int(rng.integers(0, len(TOKENS)))]
            out[pos:pos + int(rng.integers(0, 4))] = token
        elif op == 4:
            del out[pos:pos + int(rng.integers(1, 64))]
        elif op == 5:
            piece = bytes(out[pos:pos + int(rng.integers(1, 200))])
            out[pos:pos] = piece * int(rng.integers(1, 50))
        else:
            out[pos:pos + 8] = rng.bytes(8)
    return bytes(out)


def _walk(doc, rng: np.random.Generator):
    """(container, key) of a random place in a JSON document."""
    target, key = doc, None
    for _ in range(int(rng.integers(1, 5))):
        items = list(target.keys()) if isinstance(target, dict) else list(range(len(target)))
        if not items:
            break
        key = items[int(rng.integers(0, len(items)))]
        inner = target[key]
        if not isinstance(inner, (dict, list)) or not inner or rng.random() < 0.3:
            return target, key
        target, key = inner, None
    return target, key


def mutate_json_doc(doc, rng: np.random.Generator):
    """Replace, delete or add one value anywhere in a JSON document."""
    target, key = _walk(doc, rng)
    value = JSON_VALUES[int(rng.integers(0, len(JSON_VALUES)))]
    if key is None or rng.random() < 0.1:
        if isinstance(target, dict):
            target[f"extra{int(rng.integers(0, 9))}"] = value
        else:
            target.append(value)
    elif rng.random() < 0.15 and isinstance(target, dict):
        del target[key]
    else:
        target[key] = value
    return doc


def _npz(arrays: dict, meta_text: str | None) -> bytes:
    buf = bytes_io.BytesIO()
    if meta_text is not None:
        arrays = {**arrays, "meta": np.array(meta_text)}
    np.savez(buf, **arrays)
    return buf.getvalue()


def mutate_npz(data: bytes, rng: np.random.Generator) -> bytes:
    """Swap an array for a hostile one, or change one value of the meta JSON."""
    with np.load(bytes_io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")[()]))
    if rng.random() < 0.5:
        meta = mutate_json_doc(meta, rng)
    else:
        keys = sorted(arrays)
        key = keys[int(rng.integers(0, len(keys)))]
        arrays[key] = ARRAYS[int(rng.integers(0, len(ARRAYS)))]
    return _npz(arrays, json.dumps(meta))


def mutate_csv(data: bytes, rng: np.random.Generator) -> bytes:
    """Change a field, a line or the line ends of a point file."""
    lines = data.decode().split("\n")
    i = int(rng.integers(0, len(lines)))
    fields = lines[i].split(",")
    op = int(rng.integers(0, 6))
    if op == 0:
        j = int(rng.integers(0, len(fields)))
        fields[j] = TOKENS[int(rng.integers(0, len(TOKENS)))].decode("latin-1")
    elif op == 1:
        fields.append(str(rng.normal()))
    elif op == 2 and len(fields) > 1:
        fields.pop(int(rng.integers(0, len(fields))))
    elif op == 3:
        lines[i:i] = [lines[i]] * int(rng.integers(1, 2000))
    elif op == 4:
        fields = [f'"{f}"' for f in fields]
    else:
        return "\r\n".join(lines).encode() if rng.random() < 0.5 else "\r".join(lines).encode()
    lines[i] = ",".join(fields)
    return "\n".join(lines).encode("utf-8", "surrogateescape")


STRUCTURED = {".json": lambda d, r: json.dumps(mutate_json_doc(json.loads(d), r)).encode(),
              ".npz": mutate_npz, ".nnviz": mutate_npz, ".csv": mutate_csv}


def mutant(data: bytes, suffix: str, rng: np.random.Generator) -> bytes:
    """Half byte-level damage, half a structured change, sometimes both."""
    if rng.random() < 0.5:
        data = STRUCTURED[suffix](data, rng)
        if rng.random() < 0.2:
            data = mutate_bytes(data, rng)
        return data
    return mutate_bytes(data, rng)


# -- loading and checking ----------------------------------------------------------------
def use(suffix: str, path: Path, folder: Path) -> str:
    """Load path and use what was loaded as the program would; 'loaded' or 'refused'."""
    try:
        if suffix == ".nnviz":
            trainer, _ = files.load_session(path)
            trainer.train_epochs(2)
            trainer.step_batch()
            trainer.snapshot()
            if not trainer.diverged:
                files.save_session(trainer, folder / "again.nnviz")
                files.load_session(folder / "again.nnviz")
        elif suffix == ".csv":
            points = files.load_csv(path)
            from nnviz.core.train.trainer import Trainer
            trainer = Trainer(Config())
            trainer.set_data(*points.train_test(50, 0))
            trainer.train_epochs(1)
            files.save_csv(points.data, folder / "again.csv")
        else:
            net = files.import_weights(path)
            net.predict(np.array([[0.5, -1.0], [3.0, 3.0]]))
            files.export_weights(net, folder / f"again{suffix}")
            back = files.import_weights(folder / f"again{suffix}")
            assert back.params.tobytes() == net.params.tobytes()
    except FormatError as exc:
        assert str(exc) and len(str(exc)) < 700, str(exc)[:1000]
        return "refused"
    return "loaded"


@dataclass
class Figures:
    """What one format's run measured."""

    loaded: int = 0
    refused: int = 0
    slowest_s: float = 0.0
    total_s: float = 0.0
    peak_bytes: int = 0
    worst: list = field(default_factory=list)   # (seconds, peak bytes, size) of the slowest


def run(n: int, seed: int, folder: Path, suffixes=(".json", ".npz", ".nnviz", ".csv")) -> dict[str, Figures]:
    """n mutants per format; raises AssertionError (the mutant kept in folder) on a failure."""
    # every kernel compiled (or read from numba's cache) before any load is timed: with an
    # empty cache, as in a fresh clone, the first mutant that trains would otherwise pay
    # numba's 10-30 s first compile, which is not the reader's time
    kernels.warm_up()
    base = valid_files()
    rng = np.random.default_rng(seed)
    out: dict[str, Figures] = {}
    for suffix in suffixes:
        fig = out.setdefault(suffix, Figures())
        for i in range(n):
            data = mutant(base[suffix], suffix, rng)
            path = folder / f"m{suffix}"
            path.write_bytes(data)
            tracemalloc.start()
            start = time.perf_counter()
            try:
                outcome = use(suffix, path, folder)
            except BaseException:
                (folder / f"failed-{i}{suffix}").write_bytes(data)
                raise
            finally:
                took = time.perf_counter() - start
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            setattr(fig, outcome, getattr(fig, outcome) + 1)
            fig.total_s += took
            fig.peak_bytes = max(fig.peak_bytes, peak)
            if took > fig.slowest_s:
                fig.slowest_s, fig.worst = took, [took, peak, len(data)]
            bound = MEMORY_SLOPE * len(data) + MEMORY_BASE
            assert took < TIME_BOUND_S, f"mutant {i}{suffix} took {took:.1f} s"
            assert peak < bound, f"mutant {i}{suffix} peaked at {peak / 2**20:.0f} MB"
    return out


def report(figures: dict[str, Figures], n: int) -> str:
    rows = [f"{'format':8} {'mutants':>8} {'loaded':>7} {'refused':>8} {'mean ms':>8} "
            f"{'slowest ms':>11} {'peak MB':>8}"]
    for suffix, f in figures.items():
        rows.append(f"{suffix:8} {n:8d} {f.loaded:7d} {f.refused:8d} {1000 * f.total_s / n:8.1f} "
                    f"{1000 * f.slowest_s:11.1f} {f.peak_bytes / 2**20:8.1f}")
    return "\n".join(rows)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed_ = int(sys.argv[2]) if len(sys.argv) > 2 else 2024
    with tempfile.TemporaryDirectory(prefix="nnviz-fuzz-") as tmp:
        t0 = time.perf_counter()
        figs = run(count, seed_, Path(tmp))
        print(report(figs, count))
        print(f"{time.perf_counter() - t0:.0f} s in all; seed {seed_}")
