"""Files written by nnviz before its modules moved into role packages still open and
continue exactly. The files in tests/data were saved by the code at commit 803dd77:
a session (spiral, 7 features, 6-4 tanh, Adam with decay, L2, batch 10) at epoch 30
batch 2, its weights as .json and .npz, and what 20 more epochs gave then.
"""

from __future__ import annotations

import numpy as np

from helpers import ROOT
from nnviz.core import files

DATA = ROOT / "tests" / "data"


def test_a_session_saved_before_the_move_opens_and_trains_on_bit_identically() -> None:
    trainer, extra = files.load_session(DATA / "before_move.nnviz")
    assert (trainer.epoch, trainer.batch) == (30, 2)
    assert extra == {"discretize": True, "show_test": False, "log_scale": True}
    trainer.train_epochs(20)
    want = np.load(DATA / "before_move_expected.npz", allow_pickle=False)
    assert (trainer.epoch, trainer.batch, trainer._opt.t) == (int(want["epoch"]), int(want["batch"]),
                                                            int(want["opt_t"]))
    assert np.array_equal(trainer.network.params, want["params"])
    assert np.array_equal(trainer._opt.m, want["opt_m"]) and np.array_equal(trainer._opt.v, want["opt_v"])
    assert trainer.train_loss == float(want["train_loss"]) and trainer.test_loss == float(want["test_loss"])


def test_weights_saved_before_the_move_import_unchanged() -> None:
    trainer, _ = files.load_session(DATA / "before_move.nnviz")
    for suffix in (".json", ".npz"):
        net = files.import_weights(DATA / f"before_move{suffix}")
        files.check_fits(net, trainer.network)
        assert np.array_equal(net.params, trainer.network.params)
