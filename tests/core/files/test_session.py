"""Sessions (.nnviz): open and train on exactly as if never saved; bad sessions refused."""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile

import numpy as np
import pytest

from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError
from nnviz.core.train.trainer import Trainer


def _epochs(t: Trainer, n: int) -> None:
    for _ in range(n):
        t.step_epoch()


def _same(a: Trainer, b: Trainer) -> None:
    """Everything a user could see or that drives the next update is identical."""
    assert a.config == b.config
    assert (a.epoch, a.batch, a.total_steps) == (b.epoch, b.batch, b.total_steps)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    for key, va in a.state_dict().items():
        vb = b.state_dict()[key]
        if isinstance(va, np.ndarray):
            assert va.dtype == vb.dtype and va.tobytes() == vb.tobytes(), key
        else:
            assert va == vb or (va != va and vb != vb), key


@pytest.mark.parametrize("config,mid_batches", [
    (Config(), 0),                                                          # the Playground's SGD
    (Config(optimizer="adam", regularization="l2", reg_rate=0.003, batch_size=7), 3),
    (Config(dataset="blobs", n_classes=4, hidden_layers=(5, 3), activation="relu",
            optimizer="momentum", lr_decay=0.01, noise=20, seed=7), 2),
    (Config(dataset="reg-gauss", optimizer="rmsprop", regularization="l1", reg_rate=0.001,
            features=("x1", "x2", "sin(x1)"), activation=("elu", "sine")), 1),
])
def test_save_37_open_train_20_equals_57(tmp_path, config, mid_batches):
    straight, saved = Trainer(config), Trainer(config)
    _epochs(straight, 37)
    _epochs(saved, 37)
    for _ in range(mid_batches):          # save in the middle of an epoch
        straight.step_batch()
        saved.step_batch()
    files.save_session(saved, tmp_path / "s.nnviz", {"discretize": True, "show_test": False})
    del saved
    opened, extra = files.load_session(tmp_path / "s.nnviz")
    assert extra == {"discretize": True, "show_test": False}
    _same(straight, opened)
    _epochs(straight, 20)
    _epochs(opened, 20)
    assert opened.epoch == straight.epoch == 57
    np.testing.assert_allclose(opened.network.params, straight.network.params, rtol=0, atol=1e-12)
    assert np.array_equal(opened.network.params, straight.network.params)   # in fact exactly
    _same(straight, opened)


def test_custom_data_and_edits_survive(tmp_path):
    rng = np.random.default_rng(3)
    t = Trainer(Config(hidden_layers=(3,)))
    x = rng.uniform(-6, 6, (40, 2))
    t.set_data(Dataset(x[:30], np.sign(x[:30, 0]), 2), Dataset(x[30:], np.sign(x[30:, 0]), 2))
    t.set_weight(0, 1, 0, 0.123456789)
    t.set_learning_rate(0.1)
    _epochs(t, 5)
    files.save_session(t, tmp_path / "c.nnviz")
    back, extra = files.load_session(tmp_path / "c.nnviz")
    assert extra == {} and back.config.dataset == "custom" and back.config.learning_rate == 0.1
    assert np.array_equal(back.train_x, x[:30]) and np.array_equal(back.test_x, x[30:])
    _same(t, back)


def test_session_file_is_a_plain_npz(tmp_path):
    t = Trainer(Config(seed=5))
    _epochs(t, 2)
    files.save_session(t, tmp_path / "s.nnviz", {"log_scale": True})
    with np.load(tmp_path / "s.nnviz", allow_pickle=False) as z:
        meta = json.loads(str(z["meta"][()]))
        assert z["params"].dtype == np.float64 and z["epoch"].shape == ()
    assert meta["format"] == "nnviz-session" and meta["version"] == 2
    assert meta["config"] == json.loads(json.dumps(dataclasses.asdict(t.config)))
    assert meta["config"]["hidden_layers"] == [4, 2] and meta["extra"] == {"log_scale": True}
    assert meta["scalars"]["epoch"] == "int" and "params" in meta["arrays"]


# -- refusals --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def session_bytes(tmp_path_factory) -> bytes:
    t = Trainer(Config(hidden_layers=(3,)))
    _epochs(t, 3)
    path = tmp_path_factory.mktemp("s") / "good.nnviz"
    files.save_session(t, path)
    return path.read_bytes()


def _parts(data: bytes, tmp_path) -> tuple[dict, dict]:
    (tmp_path / "in.nnviz").write_bytes(data)
    with np.load(tmp_path / "in.nnviz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def _refused(tmp_path, meta: dict | None, arrays: dict, *words: str) -> None:
    path = tmp_path / "bad.nnviz"
    with open(path, "wb") as f:
        np.savez(f, **({"meta": np.array(json.dumps(meta))} if meta is not None else {}), **arrays)
    with pytest.raises(FormatError) as info:
        files.load_session(path)
    assert any(w.lower() in str(info.value).lower() for w in words), str(info.value)


@pytest.mark.parametrize("spoil,words", [
    (lambda m, a: m.update(version=3), ["version"]),
    (lambda m, a: m.update(format="nnviz-weights"), ["format"]),
    (lambda m, a: m["config"].update(speed=3), ["unknown setting"]),
    (lambda m, a: m["config"].update(noise=99), ["noise"]),
    (lambda m, a: m["config"].update(noise="loud"), ["type"]),
    (lambda m, a: m["config"].update(hidden_layers=[3, 2.5]), ["type"]),
    (lambda m, a: m["config"].update(seed=8), ["disagree"]),
    (lambda m, a: m.update(extra=[1]), ["extra"]),
    (lambda m, a: a.pop("params"), ["lacks"]),
    (lambda m, a: a.update(zz=np.zeros(2)), ["unexpected"]),
    (lambda m, a: a.update(params=a["params"][:-1]), ["inconsistent"]),
    (lambda m, a: a["params"].__setitem__(0, np.nan), ["inconsistent"]),
    (lambda m, a: a.update(epoch=np.array(2.5)), ["int"]),
    (lambda m, a: a.update(train_x=np.array(["a", "b"])), ["values"]),
    (lambda m, a: m["strings"].update(format="nnviz-trainer-0"), ["inconsistent"]),
])
def test_bad_sessions_are_refused_in_words(tmp_path, session_bytes, spoil, words):
    meta, arrays = _parts(session_bytes, tmp_path)
    spoil(meta, arrays)
    _refused(tmp_path, meta, arrays, *words)


def test_damaged_files(tmp_path, session_bytes):
    path = tmp_path / "d.nnviz"
    for data, word in [(session_bytes[:len(session_bytes) // 2], "truncated"),
                       (b'{"format": "nnviz-session"}', "not an .npz"), (b"", "empty")]:
        path.write_bytes(data)
        with pytest.raises(FormatError, match=word):
            files.load_session(path)
    meta, arrays = _parts(session_bytes, tmp_path)
    with open(path, "wb") as f:   # a pickled object array (allow_pickle defaults to True)
        pickled = np.array([{}], dtype=object)
        np.savez(f, meta=np.array(json.dumps(meta)), **{**arrays, "params": pickled})
    with pytest.raises(FormatError, match="pickle"):
        files.load_session(path)
    _refused(tmp_path, None, arrays, "meta")
    with pytest.raises(FormatError, match="cannot read"):
        files.load_session(tmp_path / "missing.nnviz")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.npy", b"\x93NUMPY garbage")
    with pytest.raises(FormatError):
        files.load_session(path)


def test_a_weights_file_is_not_a_session(tmp_path):
    t = Trainer(Config())
    files.export_weights(t.network, tmp_path / "w.npz")
    os.replace(tmp_path / "w.npz", tmp_path / "w.nnviz")
    with pytest.raises(FormatError, match="format"):
        files.load_session(tmp_path / "w.nnviz")


def test_saving_a_diverged_session_is_refused_and_keeps_the_old_file(tmp_path):
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    files.save_session(t, tmp_path / "s.nnviz")
    old = (tmp_path / "s.nnviz").read_bytes()
    t.train_epochs(100)
    assert t.diverged
    with pytest.raises(ValueError, match="Reset"):
        files.save_session(t, tmp_path / "s.nnviz")
    assert (tmp_path / "s.nnviz").read_bytes() == old and os.listdir(tmp_path) == ["s.nnviz"]
    with pytest.raises(ValueError, match="settings"):
        files.save_session(Trainer(Config()), tmp_path / "x.nnviz", {"bad": float("nan")})


# -- loss history ----------------------------------------------------------------------
def test_history_csv(tmp_path):
    t = Trainer(Config(dataset="xor", seed=2))
    _epochs(t, 12)
    files.export_history_csv(t, tmp_path / "h.csv")
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "epoch,train_loss,test_loss" and len(lines) == 14
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(13))
    assert np.array_equal([float(r[1]) for r in rows], np.asarray(t.history_train))   # bit-exact
    assert np.array_equal([float(r[2]) for r in rows], np.asarray(t.history_test))
    snap = t.snapshot()
    files.export_history_csv(snap, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "h.csv").read_bytes()
