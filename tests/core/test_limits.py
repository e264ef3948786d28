"""One set of limits for every way a value comes in: what a session may hold, a weights
file, a point file, a hand edit and a drawn point all accept, and no more.

Each case is a value one path used to accept while another refused it (a session of 1e308
weights could not be exported), or a counter that loaded and then broke every step.
"""

from __future__ import annotations

import io as bytes_io
import json
import zipfile

import numpy as np
import pytest

from nnviz.core import files, limits
from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError
from nnviz.core.files import data_csv, session, weights
from nnviz.core.train import metrics
from nnviz.core.train.trainer import Trainer
from nnviz.gui.style import values


def test_every_module_takes_its_bounds_from_core_limits() -> None:
    assert weights.MAX_ABS == values.MAX_ABS == limits.MAX_PARAM == 1e6
    assert data_csv.MAX_ABS == limits.MAX_COORD and data_csv.MAX_ROWS == limits.MAX_POINTS
    assert metrics.History.CAP == limits.MAX_HISTORY
    from nnviz.core import config
    assert (config.MAX_LAYERS, config.MAX_NEURONS) == (limits.MAX_LAYERS, limits.MAX_NEURONS)


# -- sessions -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> tuple[dict, dict]:
    t = Trainer(Config(optimizer="adam", seed=3))
    t.train_epochs(3)
    t.step_batch()
    path = tmp_path_factory.mktemp("s") / "s.nnviz"
    files.save_session(t, path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def _load(tmp_path, meta: dict, arrays: dict):
    path = tmp_path / "x.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    return files.load_session(path)


def _refused(tmp_path, parts, change, *words) -> str:
    meta, arrays = json.loads(json.dumps(parts[0])), dict(parts[1])
    change(meta, arrays)
    with pytest.raises(FormatError) as info:
        _load(tmp_path, meta, arrays)
    text = str(info.value)
    assert any(w in text for w in words), text
    assert len(text) < 300, text
    return text


U64 = np.uint64(2**64 - 1)


@pytest.mark.parametrize("key,value,words", [
    ("epoch", np.uint64(2**63), ["'epoch'", "beyond the range"]),
    ("epoch", np.int64(2**53 + 1), ["'epoch'"]),
    ("opt_t", U64, ["'opt_t'"]),
    ("total_steps", U64, ["'total_steps'"]),
    ("batch", np.int64(-1), ["'batch'"]),
    ("data_seed", U64, ["'data_seed'"]),
    ("data_seed", np.int64(-2), ["'data_seed'"]),
    ("history_stride", np.int64(0), ["'history_stride'"]),
    ("diverged_at", np.int64(10**6), ["'diverged_at'"]),
    ("n_classes", np.int64(11), ["classes"]),
])
def test_counters_out_of_range_are_refused(tmp_path, parts, key, value, words) -> None:
    """uint64 counters used to load, then overflow int64 in every worker tick and in Save."""
    _refused(tmp_path, parts, lambda m, a: a.update({key: np.array(value)}), *words)


def test_the_same_weight_limit_as_weights_files_and_edits(tmp_path, parts) -> None:
    def big(m, a):
        a["params"] = a["params"].copy()
        a["params"][0] = 1e308
    _refused(tmp_path, parts, big, "beyond +-1e+06")
    t = Trainer(Config())
    with pytest.raises(ValueError, match="1e\\+06"):
        t.set_weight(0, 0, 0, 1e6 * (1 + 1e-12))
    t.set_weight(0, 0, 0, -1e6)                     # the limit itself is accepted everywhere
    files.save_session(t, tmp_path / "edge.nnviz")
    files.export_weights(t.network, tmp_path / "edge.json")
    assert files.import_weights(tmp_path / "edge.json").weights[0][0, 0] == -1e6


@pytest.mark.parametrize("key", ["train_x", "test_y"])
def test_the_same_point_limits_as_point_files_and_drawing(tmp_path, parts, key) -> None:
    def far(m, a):
        a[key] = a[key].copy()
        a[key].flat[0] = 1e308
    _refused(tmp_path, parts, far, "beyond +-1e+06")
    t = Trainer(Config())
    with pytest.raises(ValueError, match="beyond"):
        t.add_point(2e6, 0.0, 1.0)
    (tmp_path / "far.csv").write_text("x,y,label\n2e6,0,1\n")
    with pytest.raises(FormatError, match="too large"):
        files.load_csv(tmp_path / "far.csv")


def test_the_same_point_count_as_point_files(tmp_path, parts) -> None:
    n = limits.MAX_POINTS + 1 - len(parts[1]["test_x"])
    rng = np.random.default_rng(0)
    _refused(tmp_path, parts, lambda m, a: a.update(
        train_x=rng.uniform(-5, 5, (n, 2)), train_y=np.where(rng.random(n) < 0.5, -1.0, 1.0)),
        "at most 100,000")
    t = Trainer(Config())
    full = Dataset(rng.uniform(-5, 5, (limits.MAX_POINTS, 2)), np.ones(limits.MAX_POINTS), 2)
    with pytest.raises(ValueError, match="at most 100,000"):
        t.set_data(full, Dataset(np.zeros((1, 2)), np.ones(1), 2))


def test_the_history_is_bounded_and_checked(tmp_path, parts) -> None:
    n = limits.MAX_HISTORY + 1
    _refused(tmp_path, parts, lambda m, a: a.update(
        history_epoch=np.arange(n), history_train=np.ones(n), history_test=np.ones(n),
        history_grad=np.ones((n, 3))), "at most 10,000")

    def inf_loss(m, a):
        a["history_train"] = a["history_train"].copy()
        a["history_train"][1] = np.inf
    _refused(tmp_path, parts, inf_loss, "infinite or NaN")
    _refused(tmp_path, parts, lambda m, a: a.update(history_epoch=a["history_epoch"][::-1].copy()),
             "rising")


def test_config_numbers_are_range_checked(tmp_path, parts) -> None:
    _refused(tmp_path, parts, lambda m, a: m["config"].update(seed=2**64 - 1), "seed")
    _refused(tmp_path, parts, lambda m, a: m["config"].update(stop_epoch=2**63), "stop epoch")


def test_a_session_within_every_limit_opens_and_trains(tmp_path, parts) -> None:
    """The limits themselves are accepted, and huge counters still step and save."""
    meta, arrays = json.loads(json.dumps(parts[0])), dict(parts[1])
    big = limits.MAX_COUNT // 2
    arrays.update(epoch=np.array(limits.MAX_COUNT), data_seed=np.array(limits.MAX_SEED))
    trainer, _ = _load(tmp_path, meta, arrays)
    assert trainer.epoch == limits.MAX_COUNT and trainer.data_seed == limits.MAX_SEED
    arrays.update(epoch=np.array(big), total_steps=np.array(big), opt_t=np.array(big))
    trainer, _ = _load(tmp_path, meta, arrays)
    trainer.step_epoch()
    trainer.train_epochs(2)
    assert trainer.epoch == big + 3 and np.all(np.isfinite(trainer.network.params))
    files.save_session(trainer, tmp_path / "again.nnviz")
    assert files.load_session(tmp_path / "again.nnviz")[0].epoch == big + 3


def test_a_session_holding_a_huge_meta_text_is_refused_before_parsing(tmp_path, parts) -> None:
    meta = json.loads(json.dumps(parts[0]))
    meta["extra"] = {"junk": [[]] * 400_000}
    with pytest.raises(FormatError, match="JSON lists or objects|meta"):
        _load(tmp_path, meta, dict(parts[1]))


def test_an_array_larger_than_its_member_is_refused(tmp_path, parts) -> None:
    """numpy allocates the shape a header claims before reading: a member of a few bytes
    may not claim 240 MB (the old per-array limit was 256 MB)."""
    buf = bytes_io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(parts[0])), **parts[1])
    header = bytes_io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (30_000_000,)})
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("zz.npy", header.getvalue() + b"\0" * 64)
    (tmp_path / "claim.nnviz").write_bytes(buf.getvalue())
    with pytest.raises(FormatError, match="larger than the data it holds"):
        files.load_session(tmp_path / "claim.nnviz")
