"""Fixtures of the window tests: the stand-in file dialog, a window per test, valid files
to spoil, and no widget touched from the worker thread."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.files import ColumnsDialog, Dialogs, new_window
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window import menus


@pytest.fixture(autouse=True)
def no_cross_thread_widget_use(qtlog):
    """Qt warns when a widget or timer is touched from the worker thread: none may be."""
    yield
    bad = [r.message for r in qtlog.records if "thread" in r.message.lower()]
    assert not bad, bad


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    d = Dialogs()
    monkeypatch.setattr(menus, "QFileDialog", d)
    d.columns = ColumnsDialog()
    monkeypatch.setattr(menus, "ask_columns", d.columns)
    return d


@pytest.fixture
def window(qtbot, tmp_path):
    """A window on the default settings, its first Snapshot painted (the graph is laid out)."""
    w = new_window(qtbot, tmp_path / "win")
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    yield w
    w.close()


@pytest.fixture(scope="session")
def good(tmp_path_factory) -> dict[str, bytes]:
    """Valid files that fit a default window (Config()), to be spoiled."""
    folder = tmp_path_factory.mktemp("good")
    t = Trainer(Config())
    t.train_epochs(2)
    files.save_session(t, folder / "s.nnviz", {"discretize": True})
    files.export_weights(t.network, folder / "w.json")
    files.export_weights(t.network, folder / "w.npz")
    out = {s: (folder / n).read_bytes() for s, n in ((".nnviz", "s.nnviz"), (".json", "w.json"),
                                                      (".npz", "w.npz"))}
    out[".csv"] = b"x,y,label\n" + b"".join(b"%r,%r,%d\n" % (float(x), float(y), c) for (x, y), c in
                                             zip(np.random.default_rng(1).uniform(-5, 5, (30, 2)),
                                                 [0, 1, 2] * 10))
    other = Trainer(Config(hidden_layers=(8,)))        # a valid file for another network
    files.export_weights(other.network, folder / "other.json")
    files.export_weights(other.network, folder / "other.npz")
    out["other.json"] = (folder / "other.json").read_bytes()
    out["other.npz"] = (folder / "other.npz").read_bytes()
    other = Trainer(Config(activation="relu"))
    files.export_weights(other.network, folder / "relu.json")
    out["relu.json"] = (folder / "relu.json").read_bytes()
    return out
