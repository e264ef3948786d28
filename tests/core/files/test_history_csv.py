"""The loss-history CSV: what is recorded, the current epoch included, and a comment
line saying when and by what stride the history is thinned."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.metrics import History
from nnviz.core.train.trainer import Trainer


def read(path) -> tuple[list[str], list[tuple[int, float, float]]]:
    """(comment lines, rows) of a history CSV, numbers parsed."""
    lines = path.read_text().splitlines()
    comments = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    assert body[0] == "epoch,train_loss,test_loss"
    return comments, [(int(e), float(a), float(b)) for e, a, b in (r.split(",") for r in body[1:])]


def run_and_watch(t: Trainer, n: int) -> dict[int, tuple[float, float]]:
    """Epoch by epoch, the losses the trainer shows at each epoch end (the reference)."""
    seen = {t.epoch: (t.train_loss, t.test_loss)}
    for _ in range(n):
        t.step_epoch()
        seen[t.epoch] = (t.train_loss, t.test_loss)
    return seen


def test_every_epoch_while_not_thinned(tmp_path):
    t = Trainer(Config(dataset="xor", seed=2))
    seen = run_and_watch(t, 12)
    files.export_history_csv(t, tmp_path / "h.csv")
    comments, rows = read(tmp_path / "h.csv")
    assert comments == []
    assert rows == [(e, *seen[e]) for e in range(13)]          # bit-exact: repr round trip


@pytest.mark.parametrize("last", [40, 43])
def test_thinned_history_says_so_and_keeps_the_current_epoch(tmp_path, monkeypatch, last):
    monkeypatch.setattr(History, "CAP", 8)
    t = Trainer(Config(dataset="circle", seed=4, batch_size=7))
    seen = run_and_watch(t, last)
    stride = t.history.stride
    assert stride == 8            # 8 entries reached at epochs 7, 14, 28: the stride doubled 3 times
    files.export_history_csv(t, tmp_path / "h.csv")
    comments, rows = read(tmp_path / "h.csv")
    assert comments == [f"# thinned: the history keeps the epochs that are multiples of 8 (stride 8) "
                        f"and the latest, epoch {last}"]
    want = sorted({e for e in seen if e % stride == 0} | {last})
    assert [r[0] for r in rows] == want
    assert rows == [(e, *seen[e]) for e in want]
    assert rows[-1] == (t.epoch, t.train_loss, t.test_loss)
    # the reading docs/formats.md gives
    table = np.loadtxt(tmp_path / "h.csv", delimiter=",", comments=("#", "epoch"), ndmin=2)
    assert np.array_equal(table, np.array(rows, dtype=float))
    # the Snapshot carries the same history and stride: the same file from it
    files.export_history_csv(t.snapshot(), tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "h.csv").read_bytes()
    # many epochs in one kernel call record the same history as epoch by epoch
    u = Trainer(Config(dataset="circle", seed=4, batch_size=7))
    assert u.train_epochs(last) == last
    files.export_history_csv(u, tmp_path / "u.csv")
    assert (tmp_path / "u.csv").read_bytes() == (tmp_path / "h.csv").read_bytes()


def test_mid_epoch_the_last_row_is_the_last_epoch_end(tmp_path):
    t = Trainer(Config(seed=1))
    seen = run_and_watch(t, 3)
    t.step_batch()
    assert t.batch == 1 and t.train_loss != seen[3][0]
    files.export_history_csv(t, tmp_path / "h.csv")
    _, rows = read(tmp_path / "h.csv")
    assert rows[-1] == (3, *seen[3])


def test_a_session_keeps_the_thinned_history_and_its_latest_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(History, "CAP", 8)
    t = Trainer(Config(seed=3))
    t.train_epochs(21)
    files.save_session(t, tmp_path / "s.nnviz")
    back, _ = files.load_session(tmp_path / "s.nnviz")
    assert np.array_equal(back.history_epoch, t.history_epoch) and back.history_stride == t.history_stride
    back.train_epochs(3)
    t.train_epochs(3)
    assert np.array_equal(back.history_epoch, t.history_epoch)
    assert np.asarray(t.history_epoch)[-1] == 24
