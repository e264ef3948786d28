"""What the window says about the batch rules and a network that can no longer learn."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.window import START_MS, act_and_wait, open_window
from nnviz.core import Config, Dataset, Trainer
from nnviz.gui.window.training_bar import TrainingBar, batch_readout

DEAD_NETWORK = Config(dataset="spiral", hidden_layers=(8, 8, 8, 8), activation="relu", learning_rate=10.0, seed=2)


def test_the_batch_read_out_tells_each_rule(qtbot) -> None:
    bar = TrainingBar()
    qtbot.addWidget(bar)
    t = Trainer(Config(batch_size=30))
    t.step_epoch()
    bar.show_snapshot(t.snapshot())
    assert bar.labels["batch"].text().startswith("0 / 8") and "+10 carried" in bar.labels["batch"].text()
    tip = bar.labels["batch"].parentWidget().toolTip()
    assert "8 updates per epoch" in tip and "The 10 points left" in tip and "averages 40 points" in tip
    text, tip = batch_readout(Trainer(Config(batch_size=30, optimizer="adam")).snapshot())
    assert text == "0 / 9" and "the last of 10 points averaged over its own size" in tip
    text, tip = batch_readout(Trainer(Config()).snapshot())
    assert text == "0 / 25" and "25 updates per epoch." in tip
    small = Trainer(Config(dataset="custom", batch_size=10),
                    data=(Dataset(np.array([[1.0, 1.0], [-1.0, -1.0], [2.0, 0.0]]), np.array([1.0, -1.0, 1.0]), 2),
                          Dataset(np.zeros((0, 2)), np.zeros(0), 2)))
    text, tip = batch_readout(small.snapshot())
    assert text == "0 / 1" and "larger than the 3 training points: each update uses all 3" in tip


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(batch_size=30))
    yield w
    w.close()


def test_stepping_batches_rings_the_carried_points_and_turns_the_epoch(qtbot, window) -> None:
    w = window
    for _ in range(7):
        act_and_wait(qtbot, w, w.step_batch_requested.emit)
    snap = act_and_wait(qtbot, w, w.step_batch_requested.emit)
    assert (snap.epoch, snap.batch, len(snap.last_batch)) == (1, 0, 30)
    assert snap.carried.tolist() == list(range(240, 250)) and snap.carried_count == 10
    qtbot.waitUntil(lambda: len(w.surface.carried_scatter.data) == 10, timeout=5_000)
    snap = act_and_wait(qtbot, w, w.step_batch_requested.emit)
    assert len(snap.last_batch) == 40 and snap.carried_count == 0 and snap.batch == 1
    qtbot.waitUntil(lambda: len(w.surface.highlight_scatter.data) == 40, timeout=5_000)


def test_a_network_that_can_no_longer_learn_pauses_and_says_why(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path, DEAD_NETWORK)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.stuck), timeout=START_MS)
    qtbot.waitUntil(lambda: bool(w.latest.stuck) and not w.latest.playing, timeout=20_000)
    assert w.latest.epoch == 1 and not w.latest.diverged
    qtbot.waitUntil(w.banner.isVisible, timeout=5_000)
    text = w.banner_text.text()
    assert "can no longer learn" in text and "hidden layer 4" in text and "Lower it and press Reset" in text
    w.banner.hide()
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)        # told once: Play trains on
    qtbot.waitUntil(lambda: w.latest.epoch > 20, timeout=20_000)
    assert not w.banner.isVisible()
    snap = act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: s.epoch == 0 and not s.playing)
    assert snap.stuck == ""
    w.close()
