"""Weights files: exact round trips, the documented schema, bad files, atomic writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import ROOT
from nnviz.core import files
from nnviz.core.config import ACTIVATIONS, FEATURES
from nnviz.core.errors import FormatError
from nnviz.core.files import atomic
from nnviz.core.model.network import Network

OUTPUTS = [("tanh_mse", 1), ("sigmoid_bce", 1), ("linear_mse", 1),
           ("softmax_ce", 3), ("softmax_ce", 4), ("softmax_ce", 5)]
DOCS = ROOT / "docs" / "formats.md"


def make_net(rng: np.random.Generator, act: str = "tanh", output: str = "tanh_mse", k: int = 1,
             feats: tuple[str, ...] = ("x1", "x2"), hidden: tuple[int, ...] = (5, 3),
             wild: bool = False) -> Network:
    """A network with seeded random parameters; `wild` spreads them from 1e-300 to 1e6."""
    net = Network((len(feats), *hidden, k), (act,) * len(hidden), output, feats)
    p = rng.normal(0.0, 1.0, net.params.size)
    if wild:
        p *= 10.0 ** rng.uniform(-300.0, 5.5, net.params.size)
        p[:6] = [5e-324, -0.0, 1e6, -1e6, 2.2250738585072014e-308, 0.1 + 0.2][: min(6, p.size)]
    net.params[:] = p
    return net


# -- round trips ---------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize("output,k", OUTPUTS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_round_trip_is_bit_exact(tmp_path, suffix, act, output, k):
    rng = np.random.default_rng([ACTIVATIONS.index(act), k, len(output)])
    for wild in (False, True):
        net = make_net(rng, act, output, k, feats=FEATURES, hidden=(6, 4), wild=wild)
        path = tmp_path / f"w{suffix}"
        files.export_weights(net, path)
        back = files.import_weights(path)
        assert back.layer_sizes == net.layer_sizes
        assert back.hidden_activations == net.hidden_activations
        assert back.output_kind == net.output_kind and back.feature_names == net.feature_names
        assert np.array_equal(back.params, net.params)
        assert back.params.tobytes() == net.params.tobytes()   # -0.0 and subnormals too
        pts = rng.uniform(-6, 6, (200, 2))
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(back.predict(pts), net.predict(pts))


@pytest.mark.parametrize("hidden", [(), (1,), (32,) * 10])
def test_round_trip_extreme_shapes(tmp_path, hidden):
    net = make_net(np.random.default_rng(1), "relu", feats=("sin(x2)",), hidden=hidden)
    for suffix in (".json", ".npz"):
        files.export_weights(net, tmp_path / f"w{suffix}")
        assert np.array_equal(files.import_weights(tmp_path / f"w{suffix}").params, net.params)


def test_json_is_the_documented_schema(tmp_path):
    net = make_net(np.random.default_rng(2), "elu", "softmax_ce", 3, feats=("x1", "x1*x2"))
    files.export_weights(net, tmp_path / "w.json")
    d = json.loads((tmp_path / "w.json").read_text())
    assert d["format"] == "nnviz-weights" and d["version"] == 1
    assert d["layer_sizes"] == [2, 5, 3, 3] and d["features"] == ["x1", "x1*x2"]
    assert d["activations"] == ["elu", "elu"] and d["output"] == "softmax_ce"
    assert [np.shape(w) for w in d["weights"]] == [(5, 2), (3, 5), (3, 3)]
    assert [np.shape(b) for b in d["biases"]] == [(5,), (3,), (3,)]
    assert d["weights"][1][2][4] == net.weights[1][2, 4]


def test_npz_layout(tmp_path):
    net = make_net(np.random.default_rng(3))
    files.export_weights(net, tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as z:
        assert sorted(z.files) == ["b0", "b1", "b2", "meta", "w0", "w1", "w2"]
        assert z["w1"].shape == (3, 5) and z["w1"].dtype == np.float64
        meta = json.loads(str(z["meta"][()]))
    assert meta["format"] == "nnviz-weights" and meta["layer_sizes"] == [2, 5, 3, 1]


def _docs_forward(d: dict, pts: np.ndarray) -> np.ndarray:
    """A forward pass written from docs/formats.md alone (no nnviz code)."""
    x, y = pts[:, 0], pts[:, 1]
    feats = {"x1": x, "x2": y, "x1^2": x * x, "x2^2": y * y, "x1*x2": x * y,
             "sin(x1)": np.sin(x), "sin(x2)": np.sin(y)}
    out_act = {"tanh_mse": "tanh", "sigmoid_bce": "sigmoid", "softmax_ce": "softmax",
               "linear_mse": "linear"}[d["output"]]
    a = np.stack([feats[f] for f in d["features"]], axis=1)
    for W, b, act in zip(d["weights"], d["biases"], [*d["activations"], out_act]):
        z = a @ np.asarray(W).T + np.asarray(b)
        if act == "relu":
            a = np.maximum(z, 0.0)
        elif act == "tanh":
            a = np.tanh(z)
        elif act == "sigmoid":
            a = 1.0 / (1.0 + np.exp(-z))
        elif act == "linear":
            a = z
        elif act == "leaky_relu":
            a = np.where(z > 0, z, 0.01 * z)
        elif act == "elu":
            a = np.where(z > 0, z, np.exp(np.minimum(z, 0.0)) - 1.0)
        elif act == "sine":
            a = np.sin(z)
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
    return a


def _docs_snippet() -> dict:
    text = DOCS.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 15
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - the documented loader must run as printed
    return scope


@pytest.mark.parametrize("output,k", OUTPUTS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_numpy_forward_from_docs_matches_predict(tmp_path, act, output, k):
    rng = np.random.default_rng([7, ACTIVATIONS.index(act), k])
    net = make_net(rng, act, output, k, feats=FEATURES, hidden=(6, 4))
    files.export_weights(net, tmp_path / "w.json")
    d = json.loads((tmp_path / "w.json").read_text())
    pts = rng.uniform(-6, 6, (1000, 2))
    want = net.predict(pts).reshape(1000, -1)
    np.testing.assert_allclose(_docs_forward(d, pts), want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_docs_snippet()["predict"](d, pts), want, rtol=0, atol=1e-12)


# -- bad files -----------------------------------------------------------------------------
@pytest.fixture
def good(tmp_path) -> dict:
    """A valid JSON document (as a dict) to spoil."""
    net = make_net(np.random.default_rng(4), hidden=(4,))
    files.export_weights(net, tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


def _refused(path, *words: str) -> str:
    with pytest.raises(FormatError) as info:
        files.import_weights(path)
    msg = str(info.value)
    assert any(w.lower() in msg.lower() for w in words), msg
    return msg


def _write_json(tmp_path, d) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(d if isinstance(d, str) else json.dumps(d))
    return p


@pytest.mark.parametrize("change,words", [
    (lambda d: d.update(version=2), ["version"]),
    (lambda d: d.update(version="1"), ["version"]),
    (lambda d: d.update(format="keras"), ["format"]),
    (lambda d: d.pop("format"), ["format"]),
    (lambda d: d["weights"][0].pop(), ["shape"]),
    (lambda d: d["weights"][0][1].append(0.5), ["shape"]),
    (lambda d: d["biases"].pop(), ["shape"]),
    (lambda d: d["biases"][1].append(1.0), ["shape"]),
    (lambda d: d.update(layer_sizes=[2, 5, 1]), ["shape"]),
    (lambda d: d["weights"][0][0].__setitem__(0, 1e7), ["large"]),
    (lambda d: d["weights"][0][0].__setitem__(0, 10**400), ["large"]),
    (lambda d: d["weights"][0][0].__setitem__(0, "0.5"), ["not a number"]),
    (lambda d: d["weights"][0][0].__setitem__(0, True), ["not a number"]),
    (lambda d: d["weights"][0][0].__setitem__(0, None), ["not a number"]),
    (lambda d: d.update(activations=["swish"]), ["activation"]),
    (lambda d: d.update(features=["x1", "x3"]), ["feature"]),
    (lambda d: d.update(features=["x1", "x1"]), ["feature"]),
    (lambda d: d.update(output="hinge"), ["output"]),
    (lambda d: d.update(layer_sizes=[2, *[4] * 11, 1], activations=["tanh"] * 11), ["too many"]),
    (lambda d: d.update(layer_sizes=[2, 33, 1]), ["range"]),
    (lambda d: d.update(layer_sizes=[2, 4, 3]), ["output", "shape"]),
    (lambda d: d.update(layer_sizes="2-4-1"), ["layer_sizes"]),
])
def test_bad_json_is_refused_in_words(tmp_path, good, change, words):
    change(good)
    _refused(_write_json(tmp_path, good), *words)


def test_bad_json_texts(tmp_path, good):
    text = json.dumps(good)
    _refused(_write_json(tmp_path, text[: len(text) // 2]), "truncated")
    _refused(_write_json(tmp_path, "hello, world"), "JSON")
    _refused(_write_json(tmp_path, "[1, 2, 3]"), "JSON object")
    _refused(_write_json(tmp_path, text.replace(str(good["biases"][0][0]), "NaN", 1)), "finite")
    _refused(_write_json(tmp_path, text.replace(str(good["biases"][0][0]), "Infinity", 1)), "finite")
    _refused(_write_json(tmp_path, text.replace(str(good["biases"][0][0]), "1e400", 1)), "large")
    _refused(_write_json(tmp_path, text.replace(str(good["biases"][0][0]), "-1e7", 1)), "large")
    _refused(_write_json(tmp_path, "[" * 100_000), "JSON", "nested")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{}")
    _refused(tmp_path / "bad.json", "JSON text")
    (tmp_path / "bad.json").write_bytes(b"")
    _refused(tmp_path / "bad.json", "empty")


def _npz(tmp_path, **arrays) -> Path:
    p = tmp_path / "bad.npz"
    with open(p, "wb") as f:
        np.savez(f, **arrays)
    return p


def test_bad_npz_files(tmp_path):
    net = make_net(np.random.default_rng(5), hidden=(4,))
    files.export_weights(net, tmp_path / "good.npz")
    data = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "bad.npz").write_bytes(data[: len(data) // 2])
    _refused(tmp_path / "bad.npz", "truncated")
    (tmp_path / "bad.npz").write_bytes(b"just some text")
    _refused(tmp_path / "bad.npz", "not an .npz")
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(tmp_path / "bad.npz", "not an .npz")

    with np.load(tmp_path / "good.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"][()]))
    _refused(_npz(tmp_path, **{**arrays, "w0": np.array([None, object()], dtype=object)}),
             "pickle")
    _refused(_npz(tmp_path, **{**arrays, "w0": arrays["w0"].T}), "shape")
    _refused(_npz(tmp_path, **{k: v for k, v in arrays.items() if k != "b1"}), "lacks")
    _refused(_npz(tmp_path, **arrays, extra=np.zeros(3)), "unexpected")
    _refused(_npz(tmp_path, **{**arrays, "b0": np.array([1.0, np.nan, 0, 0])}), "finite")
    _refused(_npz(tmp_path, **{**arrays, "b0": np.array([1.0, 1e7, 0, 0])}), "large")
    _refused(_npz(tmp_path, **{**arrays, "b0": np.array(["a", "b", "c", "d"])}), "not numbers")
    _refused(_npz(tmp_path, **{**arrays, "meta": np.array("not json")}), "JSON")
    _refused(_npz(tmp_path, **{**arrays, "meta": np.zeros(2)}), "text")
    _refused(_npz(tmp_path, **{k: v for k, v in arrays.items() if k != "meta"}), "meta")
    for key, value, word in [("version", 9, "version"), ("activations", ["gelu"], "activation"),
                             ("features", ["x1", "y"], "feature")]:
        bad = np.array(json.dumps({**meta, key: value}))
        _refused(_npz(tmp_path, **{**arrays, "meta": bad}), word)
    # float32 and integer arrays are numbers too, read as float64
    assert files.import_weights(_npz(tmp_path, **{**arrays, "b0": np.arange(4)})).biases[0][3] == 3.0


def test_other_bad_paths(tmp_path):
    net = make_net(np.random.default_rng(6))
    files.export_weights(net, tmp_path / "w.onnx")
    with pytest.raises(FormatError, match="ONNX files can be exported but not imported"):
        files.import_weights(tmp_path / "w.onnx")
    _refused(tmp_path / "missing.json", "cannot read")
    _refused(tmp_path, "cannot read", "unknown")
    (tmp_path / "w.txt").write_text("{}")
    _refused(tmp_path / "w.txt", "use .json or .npz")
    with open(tmp_path / "huge.json", "wb") as f:
        f.truncate(51 * 2**20)            # sparse: costs no disk
    _refused(tmp_path / "huge.json", "MB")


def test_check_fits():
    rng = np.random.default_rng(8)
    small, big = make_net(rng, hidden=(4,)), make_net(rng, hidden=(4, 2))
    with pytest.raises(FormatError) as info:
        files.check_fits(small, big)
    assert str(info.value) == "the file's network is 2-4-1 but the current one is 2-4-2-1"
    with pytest.raises(FormatError, match="features"):
        files.check_fits(make_net(rng, feats=("x1", "x1^2")), make_net(rng))
    with pytest.raises(FormatError, match="activations"):
        files.check_fits(make_net(rng, "relu"), make_net(rng, "tanh"))
    with pytest.raises(FormatError, match="output"):
        files.check_fits(make_net(rng, output="sigmoid_bce"), make_net(rng, output="tanh_mse"))
    files.check_fits(make_net(rng), make_net(rng))


# -- writing -----------------------------------------------------------------------------
def test_export_refuses_what_it_could_not_read_back(tmp_path):
    net = make_net(np.random.default_rng(9))
    files.export_weights(net, tmp_path / "w.json")
    old = (tmp_path / "w.json").read_bytes()
    for bad in (np.nan, np.inf, 2e6):
        net.params[3] = bad
        for suffix in (".json", ".npz", ".onnx"):
            with pytest.raises(ValueError):
                files.export_weights(net, tmp_path / f"w{suffix}")
    assert (tmp_path / "w.json").read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["w.json"]
    with pytest.raises(ValueError, match="use .json"):
        files.export_weights(net, tmp_path / "w.csv")


def test_atomic_write_failure_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.json"
    path.write_bytes(b"old contents")

    def half_then_fail(f):
        f.write(b"new half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        files.atomic_write(path, half_then_fail)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["keep.json"]

    def bug(f):
        f.write(b"x")
        raise TypeError("a bug in a writer")

    with pytest.raises(ValueError, match="could not write"):
        files.atomic_write(path, bug)

    def interrupted(f):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(path, interrupted)
    assert path.read_bytes() == b"old contents" and os.listdir(tmp_path) == ["keep.json"]


def test_atomic_write_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "w.json"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    files.atomic_write(path, lambda f: f.write(b"new"))
    assert path.read_bytes() == b"new" and (os.stat(path).st_mode & 0o777) == 0o640
    files.atomic_write(tmp_path / "fresh.bin", lambda f: f.write(b"1"))
    assert (os.stat(tmp_path / "fresh.bin").st_mode & 0o777) == 0o666 & ~current_umask()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_new_files_follow_the_umask(tmp_path):
    """0666 less the umask, as any program's new file (not tempfile's 0600)."""
    for umask, want in ((0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)):
        old = os.umask(umask)
        try:
            files.atomic_write(tmp_path / f"new{umask:o}.txt", lambda f: f.write(b"1"))
        finally:
            os.umask(old)
        assert (os.stat(tmp_path / f"new{umask:o}.txt").st_mode & 0o777) == want


def current_umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_write_into_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    files.export_weights(make_net(np.random.default_rng(10)), folder / "w.json")
    old = (folder / "w.json").read_bytes()
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(OSError):
            files.export_weights(make_net(np.random.default_rng(11)), folder / "w.json")
    finally:
        os.chmod(folder, 0o755)
    assert (folder / "w.json").read_bytes() == old


def test_read_only_folder_simulated(tmp_path, monkeypatch):
    """What a read-only folder does to a non-root user: no temp file, or no rename."""
    path = tmp_path / "w.json"
    files.export_weights(make_net(np.random.default_rng(10)), path)
    old = path.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(atomic, "_temp_beside", refuse)
        with pytest.raises(OSError, match="Permission denied"):
            files.export_weights(make_net(np.random.default_rng(11)), path)
    with monkeypatch.context() as m:
        m.setattr(atomic.os, "replace", refuse)
        with pytest.raises(OSError, match="Permission denied"):
            files.export_weights(make_net(np.random.default_rng(11)), path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["w.json"]


def test_export_into_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        files.export_weights(make_net(np.random.default_rng(12)), tmp_path / "nope" / "w.json")


def test_import_stays_light():
    code = ("import sys, nnviz.core.files; print('onnx' in sys.modules, 'nnviz.core.train.trainer' in sys.modules,"
            " 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert out.split() == ["False", "False", "False"]
