"""The pace: a newcomer sees the network learn (the Playground's one epoch a frame by
default), Fastest is one click (or F) away and back, and the choice is remembered."""

from __future__ import annotations

from PySide6.QtCore import Qt

from helpers.window import open_window
from nnviz.gui.window.training_bar import DEFAULT_SPEED, FASTEST, SPEEDS


def test_the_default_pace_is_one_epoch_a_frame(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, remembered=True)      # a first start: nothing remembered
    assert SPEEDS[DEFAULT_SPEED][1] == 60.0 and w.training_bar.speed.currentIndex() == DEFAULT_SPEED
    qtbot.waitUntil(lambda: w.worker._speed == 60.0, timeout=5_000)
    assert not w.training_bar.fastest_button.isChecked()
    w.close()


def test_fastest_is_one_click_away_and_back(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    bar = w.training_bar
    bar.speed.setCurrentIndex([s for _, s in SPEEDS].index(20.0))
    with qtbot.waitSignal(bar.speed_changed) as sig:
        qtbot.mouseClick(bar.fastest_button, Qt.LeftButton)
    assert sig.args == [0.0] and bar.speed.currentIndex() == FASTEST and bar.fastest_button.isChecked()
    qtbot.waitUntil(lambda: w.worker._speed == 0.0, timeout=5_000)
    with qtbot.waitSignal(bar.speed_changed) as sig:
        qtbot.mouseClick(bar.fastest_button, Qt.LeftButton)
    assert sig.args == [20.0] and not bar.fastest_button.isChecked()   # back to the chosen pace
    w.actions["fastest"].trigger()                                     # the F key's action
    assert bar.speed.currentIndex() == FASTEST and w.actions["fastest"].shortcut().toString() == "F"
    bar.speed.setCurrentIndex(DEFAULT_SPEED)                           # the list unchecks the button
    assert not bar.fastest_button.isChecked()
    w.close()


def test_the_chosen_pace_is_remembered(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, remembered=True)
    qtbot.mouseClick(w.training_bar.fastest_button, Qt.LeftButton)
    w.close()
    again = open_window(qtbot, tmp_path, remembered=True)
    assert again.training_bar.speed.currentIndex() == FASTEST and again.training_bar.fastest_button.isChecked()
    qtbot.waitUntil(lambda: again.worker._speed == 0.0, timeout=5_000)
    again.close()
