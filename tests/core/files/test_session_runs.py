"""Sessions with several runs and their timelines: every run and every checkpoint comes
back bit for bit, a restore after opening equals one before saving, bad timelines are
refused in words, and version 1 files still open."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from helpers import ROOT
from helpers.state import assert_same_state, assert_same_timeline
from nnviz.core import Config, Trainer, files
from nnviz.core.errors import FormatError
from nnviz.core.files import session
from nnviz.core.learn.runs import RunSet


def _runs() -> RunSet:
    """Three runs: the Playground's SGD under L1 with batch 7 (carried points, dead links),
    new data on the way and hand edits; momentum; and an Adam branch from epoch 6."""
    base = Trainer(Config(batch_size=7, regularization="l1", reg_rate=0.01, hidden_layers=(5, 3)))
    runs = RunSet(base)
    runs.duplicate(0, optimizer="momentum")
    runs.train_epochs(4)
    base.set_weight(0, 2, 1, -0.3)
    base.step_batch()
    runs.train_epochs(4)
    base.regenerate(11)
    runs.train_epochs(6)
    runs.branch(1, runs.runs[1].trainer.timeline.index_at(6))
    runs.runs[2].trainer.set_config(runs.runs[2].trainer.config.replace(learning_rate=0.01))
    runs.train_epochs(5)
    runs.select(2)
    return runs


def test_every_run_and_its_timeline_round_trip(tmp_path) -> None:
    runs = _runs()
    names = runs.names()
    assert any(np.any(d) for d in runs.runs[0].trainer.dead) and runs.runs[0].trainer.carried_count == 5
    path = tmp_path / "three.nnviz"
    files.save_session(runs.trainers, path, {"log_scale": True}, active=runs.active,
                       notes=[r.note for r in runs.runs], colours=[r.colour for r in runs.runs])
    saved = files.load_runs(path)
    assert saved.active == 2 and saved.extra == {"log_scale": True}
    assert saved.notes == ["", "", "from epoch 6"] and saved.colours == [0, 1, 2]
    back = RunSet.from_saved(saved)
    assert back.names() == names and back.active == 2
    for a, b in zip(runs.trainers, back.trainers):
        assert_same_state(a, b)
        assert_same_timeline(a.timeline, b.timeline)
    # data of checkpoints made before the new data come back shared, as they were
    first = back.trainers[0].timeline
    assert first[0].data[0] is first[1].data[0] and first[0].data[0] is not back.trainers[0].train_x
    # opened and restored equals restored in place, and both train on alike
    for a, b in zip(runs.trainers, back.trainers):
        assert a.restore(5) == b.restore(5)
        a.train_epochs(7)
        b.train_epochs(7)
        assert_same_state(a, b)
    trainer, extra = files.load_session(path)          # the active run, for scripts
    assert trainer.config.learning_rate == 0.01 and extra == {"log_scale": True}


def test_a_version_1_session_opens_with_a_timeline_of_its_saved_state() -> None:
    saved = files.load_runs(ROOT / "tests" / "data" / "before_move.nnviz")
    (t,) = saved.trainers
    assert t.timeline.epochs == [30] and t.timeline[0].reason == "loaded" and saved.notes == [""]
    t.train_epochs(20)
    assert t.restore(40) == 40
    with pytest.raises(ValueError, match="begins at epoch 30"):
        t.restore(29)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[dict, dict]:
    runs = RunSet(Trainer(Config(hidden_layers=(3,))))
    runs.duplicate(0, optimizer="adam")
    runs.train_epochs(5)
    runs.runs[0].trainer.regenerate(3)
    runs.train_epochs(2)
    path = tmp_path_factory.mktemp("s") / "two.nnviz"
    files.save_session(runs.trainers, path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def _bump(a: np.ndarray, row: int, col: int, value) -> np.ndarray:
    b = a.copy()
    b[row, col] = value
    return b


SPOILS = [
    (lambda m, a: a.update(tl_params=_bump(a["tl_params"], 1, 0, np.nan)), "not finite"),
    (lambda m, a: a.update(tl_params=_bump(a["tl_params"], 1, 0, 1e9)), "beyond"),
    (lambda m, a: a.update(tl_ints=_bump(a["tl_ints"], -1, 0, 99)), "beyond the run"),
    (lambda m, a: a.update(tl_ints=_bump(a["tl_ints"], 2, 3, 0)), "before the one"),
    (lambda m, a: a.update(tl_ints=_bump(a["tl_ints"], 1, 1, 25)), "batch counter"),
    (lambda m, a: a.update(r1_tl_ints=_bump(a["r1_tl_ints"], 1, 5, 2)), "carried"),
    (lambda m, a: a.update(tl_ints=_bump(a["tl_ints"], 1, 10, 5)), "refers to nothing"),
    (lambda m, a: a.update(tl_ints=a["tl_ints"][:, :-1]), "counter table"),
    (lambda m, a: a.update(tl_index=a["tl_index"][:-1]), "do not add up"),
    (lambda m, a: a.update(tl_data_y=a["tl_data_y"] * 3), "point set"),
    (lambda m, a: a.update(r1_tl_opt_v=-a["r1_tl_opt_v"]), "negative"),
    (lambda m, a: a.update(tl_dead=np.ones((1, a["tl_params"].shape[1]), np.int64),
                           tl_ints=_bump(a["tl_ints"], 1, 16, a["tl_ints"][1, 16] | 8)), "dead links"),
    (lambda m, a: a.pop("r1_tl_grad"), "lacks"),
    (lambda m, a: m["timeline"]["configs"][0].update(hidden_layers=[4]), "another network"),
    (lambda m, a: m["timeline"].update(reasons=["x"]), "reasons"),
    (lambda m, a: m["runs"][0].update(prefix="r7_"), "prefix"),
    (lambda m, a: m.update(runs=m["runs"] * 4), "at most"),
    (lambda m, a: m.update(active=2), "active run"),
    (lambda m, a: m["runs"][0].update(colour="red"), "colour"),
    (lambda m, a: a.update(r1_zz=np.zeros(2)), "unexpected"),
]


@pytest.mark.parametrize("spoil,word", SPOILS, ids=[w for _, w in SPOILS])
def test_bad_timelines_and_runs_are_refused_in_words(tmp_path, two_runs, spoil, word) -> None:
    meta, arrays = json.loads(json.dumps(two_runs[0])), dict(two_runs[1])
    spoil(meta, arrays)
    path = tmp_path / "bad.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    with pytest.raises(FormatError) as info:
        files.load_runs(path)
    assert word in str(info.value), str(info.value)


def test_four_runs_of_the_largest_network_fit_the_file_limits(tmp_path) -> None:
    """The worst case a session can hold: four runs of ten hidden layers of 32 under Adam,
    each with 100,000 points, a full loss history and a timeline filled to its budget
    (checkpoints of random weights, older ones holding another 40,000 points). It saves,
    stays within the size limits of core/limits.py, and opens again."""
    import dataclasses

    from nnviz.core.data.datasets import Dataset
    from nnviz.core.limits import MAX_FILE_BYTES, MAX_HISTORY, MAX_POINTS, MAX_UNPACKED_BYTES
    from nnviz.core.train.timeline import BUDGET

    rng = np.random.default_rng(0)
    t = Trainer(Config(features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
                       hidden_layers=(32,) * 10, optimizer="adam", learning_rate=0.001))

    def points(n: int) -> tuple[Dataset, Dataset]:
        x = rng.uniform(-6, 6, (n, 2))
        y = np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0)
        return Dataset(x[:n // 2], y[:n // 2], 2), Dataset(x[n // 2:], y[n // 2:], 2)

    t.set_data(*points(40))
    t.train_epochs(3)
    old = points(40_000)
    proto = t.timeline[-1]
    for e in range(4, 200):
        a = dict(proto.arrays, **{k: rng.normal(size=proto.arrays["params"].size) for k in ("params", "grad", "opt_m")},
                 opt_v=rng.uniform(0, 1, proto.arrays["params"].size))
        data = (old[0].x, old[0].y, old[1].x, old[1].y) if e < 100 else proto.data
        t.timeline.add(dataclasses.replace(proto, epoch=e, total_steps=2 * e, arrays=a, data=data,
                                           per_epoch=-(-len(data[1]) // 10)))
    assert t.timeline.nbytes <= BUDGET and t.timeline.data_bytes > 900_000
    t.epoch, t.total_steps = 10_000, 20_000
    n = MAX_HISTORY
    t.history.load(np.arange(n) + 1, rng.uniform(0, 1, n), rng.uniform(0, 1, n),
                   rng.uniform(0, 1, (n, t.network.n_layers)), 1)
    runs = [t, t.fork(), t.fork(), t.fork()]
    for r in runs:
        big = points(MAX_POINTS)
        r.train_x, r.train_y, r.test_x, r.test_y = big[0].x, big[0].y, big[1].x, big[1].y
    # the sizes, as save_session writes them (opening 100,000 points through this network
    # four times takes a while: the round trip below uses fewer)
    # (stored without compression: deflate adds at most 0.1 % to data it cannot shrink)
    meta, arrays = session.encode(runs)
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
    assert len(buf.getvalue()) * 1.001 < MAX_FILE_BYTES
    assert sum(a.nbytes for a in arrays.values()) + len(json.dumps(meta)) * 4 < MAX_UNPACKED_BYTES
    for r in runs:
        small = points(400)
        r.train_x, r.train_y, r.test_x, r.test_y = small[0].x, small[0].y, small[1].x, small[1].y
        r._kernel_data()
    path = tmp_path / "largest.nnviz"
    files.save_session(runs[:2], path)
    saved = files.load_runs(path)
    assert_same_timeline(saved.trainers[1].timeline, t.timeline)


def test_a_diverged_run_among_several_is_named_and_nothing_is_written(tmp_path) -> None:
    runs = RunSet(Trainer(Config(dataset="reg-plane")))
    runs.duplicate(0, learning_rate=10.0)
    runs.train_epochs(60)
    assert runs.trainers[1].diverged and not runs.trainers[0].diverged
    with pytest.raises(ValueError, match="run 2: it has diverged"):
        runs.save(tmp_path / "d.nnviz")
    assert list(tmp_path.iterdir()) == []
    runs.remove(1)
    runs.save(tmp_path / "d.nnviz")
    assert len(files.load_runs(tmp_path / "d.nnviz").trainers) == 1
