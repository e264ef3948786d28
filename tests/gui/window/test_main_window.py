"""The whole application: real MainWindow, real worker thread, offscreen."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.window import act_and_wait, open_window, params, pause
from nnviz.core.config import Config
from nnviz.core.train.trainer import Trainer

CIRCLE_TEST_LOSS = 0.05  # the default network on circle, seed 0, reaches this well before epoch 200


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    yield w
    w.close()


def test_play_learns_circle_and_pause_stops(qtbot, window):
    w = window
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 50 and w.latest.test_loss < CIRCLE_TEST_LOSS, timeout=30_000)
    snap = pause(qtbot, w)
    # the pause is handled between two chunks: after its Snapshot nothing more comes
    with qtbot.assertNotEmitted(w.worker.snapshot_ready, wait=300):
        pass
    epoch = w.latest.epoch
    assert epoch == snap.epoch
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=2_000)
    assert w.training_bar.labels["epoch"].text().replace(" ", "") == str(epoch)


def test_step_batch_matches_trainer(qtbot, window):
    w = window
    reference = Trainer(Config())
    for k in range(1, 4):
        snap = act_and_wait(qtbot, w, w.step_batch_requested.emit)
        reference.step_batch()
        assert snap.batch == k and snap.total_steps == k
        np.testing.assert_allclose(params(snap), reference.network.params, rtol=0, atol=1e-12)
        assert len(snap.last_batch) == Config().batch_size


def test_step_epoch_ends_on_boundary(qtbot, window):
    w = window
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    assert snap.epoch == 1 and snap.batch == 0
    snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    assert snap.epoch == 2 and snap.batch == 0
    assert snap.total_steps == 2 * snap.batches_per_epoch


def _trained(qtbot, w, epochs=3):
    for _ in range(epochs):
        act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    return w.latest


def test_learning_rate_change_keeps_training_state(qtbot, window):
    w = window
    before = _trained(qtbot, w)
    after = act_and_wait(qtbot, w, lambda: w.request_settings(before.config.replace(learning_rate=0.1)),
                         lambda s: s.config.learning_rate == 0.1)
    assert after.epoch == before.epoch
    np.testing.assert_array_equal(params(after), params(before))
    np.testing.assert_array_equal(after.history_train, before.history_train)


def test_regenerate_keeps_weights_and_epoch(qtbot, window):
    w = window
    before = _trained(qtbot, w)
    after = act_and_wait(qtbot, w, lambda: w.regenerate_requested.emit(12345))
    assert after.epoch == before.epoch
    np.testing.assert_array_equal(params(after), params(before))
    assert not np.array_equal(after.train_x, before.train_x)
    assert after.train_x.shape == before.train_x.shape


@pytest.mark.parametrize("change", [{"batch_size": 3}, {"activation": "relu"}, {"hidden_layers": (3,)},
                                    {"regularization": "l2", "reg_rate": 0.01}, {"features": ("x1",)}])
def test_other_controls_rebuild_network(qtbot, window, change):
    w = window
    before = _trained(qtbot, w)
    after = act_and_wait(qtbot, w, lambda: w.request_settings(before.config.replace(**change)),
                         lambda s: s.epoch == 0)
    assert after.total_steps == 0 and len(after.history_train) <= 1
    np.testing.assert_array_equal(after.train_x, before.train_x)  # same data


@pytest.mark.parametrize("change", [{"noise": 20}, {"train_ratio": 70}, {"dataset": "reg-plane"}])
def test_data_controls_regenerate_and_rebuild(qtbot, window, change):
    w = window
    before = _trained(qtbot, w)
    after = act_and_wait(qtbot, w, lambda: w.request_settings(before.config.replace(**change)),
                         lambda s: s.epoch == 0)
    assert after.total_steps == 0
    assert after.train_x.shape != before.train_x.shape or not np.array_equal(after.train_y, before.train_y)


def test_divergence_pauses_with_message(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(dataset="reg-plane", learning_rate=10.0))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing, timeout=20_000)
    qtbot.waitUntil(w.banner.isVisible, timeout=5_000)
    text = w.banner_text.text().lower()
    # the first chunk after a change is one mini-batch and the default pace is one epoch
    # at a time, so the weights may be caught past the limit before the loss is infinite
    assert "learning rate" in text and ("nan" in text or "infinite" in text or "grew past" in text)
    snap = act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: not s.diverged)
    assert snap.epoch == 0 and np.isfinite(snap.train_loss)
    qtbot.waitUntil(lambda: not w.banner.isVisible(), timeout=5_000)
    bar = w.training_bar   # regression: the last read-out is the test R², said so in its heading
    qtbot.waitUntil(lambda: bar.labels["acc"].text() == f"{w.latest.r2_test:.3f}", timeout=5_000)
    assert bar.heads["acc"].text() == "Test R²"
    w.close()


def test_close_while_playing_ends_thread(qtbot, tmp_path, capfd):
    import time
    w = open_window(qtbot, tmp_path, Config(dataset="spiral", hidden_layers=(8,) * 6))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 5, timeout=10_000)
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 1.0
    assert w.thread.isFinished()
    err = capfd.readouterr().err
    assert "QThread" not in err and "QObject" not in err and "Timers" not in err, err


def test_settings_are_remembered(qtbot, tmp_path):
    from nnviz.core.config import FEATURES
    w = open_window(qtbot, tmp_path)
    config = Config(dataset="xor", features=FEATURES[:3], hidden_layers=(5, 3), learning_rate=0.1)
    w.controls.set_config(config)
    w.actions["discretize"].setChecked(True)
    w.training_bar.speed.setCurrentIndex(2)
    w.close()
    again = open_window(qtbot, tmp_path, remembered=True)
    assert again.controls.config() == config and again.latest.config == config
    assert again.actions["discretize"].isChecked() and again.training_bar.speed.currentIndex() == 2
    again.close()


def test_unreadable_remembered_settings_fall_back_to_defaults(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue("run/config", '{"dataset": "nope", "hidden_layers": "x"}')
    settings.sync()
    w = open_window(qtbot, tmp_path, remembered=True)
    assert w.controls.config() == Config()
    w.close()


def test_drawn_points_survive_a_later_control_change(qtbot, window):
    w = window
    n = len(w.latest.train_x)
    snap = act_and_wait(qtbot, w, lambda: w.points_add_requested.emit(1.0, 1.0, 1.0),
                        lambda s: len(s.train_x) == n + 1)
    assert snap.config.dataset == "custom"
    qtbot.waitUntil(lambda: w.controls.config().dataset == "custom", timeout=2_000)
    # a later edit in the controls keeps the drawn point (no regeneration of the circle)
    config = w.controls.config().replace(learning_rate=0.1)
    snap = act_and_wait(qtbot, w, lambda: w.request_settings(config), lambda s: s.config.learning_rate == 0.1)
    assert len(snap.train_x) == n + 1 and snap.train_x[-1].tolist() == [1.0, 1.0]


def test_stop_conditions_pause_exactly_and_say_why(qtbot, tmp_path):
    """An epoch limit pauses at exactly that epoch; a target test loss at the first epoch
    that reaches it; both set in the TRAINING controls, and the status bar says why."""
    w = open_window(qtbot, tmp_path, Config(stop_epoch=30))
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.epoch > 0 and not s.playing, timeout=20_000)
    assert w.latest.epoch == 30 and w.latest.batch == 0
    qtbot.waitUntil(lambda: "epoch limit" in w.statusBar().currentMessage(), timeout=5_000)

    target = 0.1
    act_and_wait(qtbot, w, lambda: w.controls.training.stop_loss.setValue(target),
                 lambda s: s.config.stop_loss == target)
    assert w.latest.epoch == 30 and w.latest.config.stop_epoch == 30   # a live setting: nothing rebuilt
    # the limit lies behind, so it trains on (the run may end before a playing frame is seen)
    snap = act_and_wait(qtbot, w, w.toggle_play, lambda s: s.epoch > 30 and not s.playing, timeout=30_000)
    first = int(np.argmax(snap.history_test <= target))                # history has every epoch here
    assert snap.epoch == snap.history_epoch[first] > 30 and snap.test_loss <= target
    assert np.all(snap.history_test[:first] > target)
    qtbot.waitUntil(lambda: "reached the target" in w.statusBar().currentMessage(), timeout=5_000)
    w.close()


def test_a_limited_speed_is_never_exceeded(qtbot, tmp_path):
    """At 20 epochs/s the counter cannot run ahead of the clock (a lower bound on time,
    so a slow machine cannot make it fail)."""
    import time

    from nnviz.gui.window.training_bar import SPEEDS
    w = open_window(qtbot, tmp_path)
    w.training_bar.speed.setCurrentIndex([s for _, s in SPEEDS].index(20.0))
    t0 = time.perf_counter()
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch >= 12, timeout=20_000)
    elapsed = time.perf_counter() - t0
    epoch = w.latest.epoch
    pause(qtbot, w)
    assert epoch <= 20.0 * elapsed + 2, (epoch, elapsed)
    w.close()


def test_a_refused_edit_keeps_its_banner_and_a_rebuild_clears_a_divergence(qtbot, tmp_path):
    """The banner is about a network: it stays up for a refusal at epoch 0, and goes once
    the network it spoke of has been rebuilt (here by a setting, not by Reset)."""
    w = open_window(qtbot, tmp_path, Config(dataset="reg-plane", learning_rate=10.0))
    snap = act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 1e9, w.latest.network_id))
    assert snap.epoch == 0
    qtbot.waitUntil(lambda: "Edit refused" in w.banner_text.text(), timeout=5_000)
    assert w.banner.isVisible()
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing, timeout=20_000)
    # the words depend on how many epochs one chunk took (at the default pace, one)
    qtbot.waitUntil(lambda: "infinite" in w.banner_text.text() or "grew past" in w.banner_text.text(),
                    timeout=5_000)
    act_and_wait(qtbot, w, lambda: w.request_settings(w.latest.config.replace(learning_rate=0.03, batch_size=5)),
                 lambda s: not s.diverged and s.epoch == 0)
    qtbot.waitUntil(lambda: not w.banner.isVisible(), timeout=5_000)
    w.close()
