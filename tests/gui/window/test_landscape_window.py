"""The landscape panel in the real window, with the real worker: refreshed after every step
by hand and live while playing, only while on screen, with the path recorded meanwhile;
two parameters picked in the graph; a new path after Reset; a clean close mid-refresh."""

from __future__ import annotations

import pytest
from helpers.topology import bias_point, click, link_mid
from helpers.window import Heard, act_and_wait, open_window, pause
from PySide6.QtCore import Qt

from nnviz.core.config import FEATURES, Config

NET_B = Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6)
WAIT_MS = 60_000     # the first refresh on a machine may wait for the kernel's compile


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, Config(learning_rate=0.3))
    w.results = Heard(w.worker.landscape_ready)
    yield w
    w.close()


def shown_for(qtbot, w, snap, timeout=WAIT_MS):
    """Wait until the panel shows a landscape of this Snapshot's weights; return it."""
    qtbot.waitUntil(lambda: w.landscape._result is not None and w.landscape._result.total_steps == snap.total_steps
                    and not w.landscape._dirty, timeout=timeout)
    return w.landscape._result


def test_the_tab_computes_the_landscape_of_the_current_weights(qtbot, window) -> None:
    w = window
    assert not w.landscape.settings().active and w.results.items == []
    w.show_landscape()
    assert w.lower_tabs.currentWidget() is w.landscape and w.landscape.settings().active
    r = shown_for(qtbot, w, w.latest)
    assert r.loss == w.latest.train_loss and r.has_plane
    assert r.mode == "random" and "fewer than three" in r.note     # no path to take components of yet
    assert w.landscape.note.text() == r.note


def test_every_step_by_hand_refreshes_it_and_the_path_grows(qtbot, window) -> None:
    w = window
    w.show_landscape()
    shown_for(qtbot, w, w.latest)
    for k in range(1, 5):
        snap = act_and_wait(qtbot, w, w.step_batch_requested.emit)
        r = shown_for(qtbot, w, snap)
        assert len(r.path) == k + 1 and tuple(r.path[-1]) == (0.0, 0.0)
        assert r.loss == snap.train_loss
    assert r.mode == "pca" and r.labels[0].startswith("PC1")
    assert w.landscape.plots.path.getData()[0].size == 5


def test_a_hidden_panel_computes_nothing_but_the_path_is_recorded(qtbot, window) -> None:
    w = window
    for _ in range(3):
        act_and_wait(qtbot, w, w.step_batch_requested.emit)
    assert w.results.items == []
    w.show_landscape()
    r = shown_for(qtbot, w, w.latest)
    assert len(r.path) == 4 and r.mode == "pca"
    w.lower_tabs.setCurrentIndex(0)                 # the curves
    n = len(w.results.items)
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    qtbot.wait(300)     # room for a refresh that must not come
    assert len(w.results.items) == n


def test_two_parameters_picked_in_the_graph(qtbot, window) -> None:
    w = window
    v = w.topology
    w.show_landscape()
    w.landscape.mode.setCurrentIndex(2)
    r = shown_for(qtbot, w, w.latest)
    assert not r.has_plane and "Pick two parameters" in w.landscape.note.text()
    w.landscape.action.click()
    assert v._picking
    click(v, link_mid(v, 0, 2, 1))
    assert not v.editor.isVisible()                    # picked, not edited
    click(v, bias_point(v, 1, 0))
    assert not v._picking and not w.landscape.action.isChecked()
    assert v.marks.texts() == ["1", "2"]
    qtbot.waitUntil(lambda: w.landscape._result.has_plane and not w.landscape._dirty, timeout=WAIT_MS)
    assert w.landscape._result.labels == ("weight X\u2082\u2192L1\u00b73", "bias L2\u00b71")
    click(v, link_mid(v, 1, 0, 0))                     # out of pick mode a plain click edits
    assert v.editor.isVisible()
    v.close_editor()
    click(v, link_mid(v, 1, 0, 0), Qt.ControlModifier) # Ctrl+click picks at any time
    assert w.landscape.picks() == (("bias", 1, 0), ("weight", 1, 0, 0))
    qtbot.waitUntil(lambda: w.landscape._result.labels[1] == "weight L1\u00b71\u2192L2\u00b71", timeout=WAIT_MS)


def test_playing_refreshes_it_live_and_reset_starts_a_new_path(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path, NET_B)
    results = Heard(w.worker.landscape_ready)
    w.show_landscape()
    shown_for(qtbot, w, w.latest)
    painted = w.surface.paint_count
    w.toggle_play()
    qtbot.waitUntil(lambda: len({r.total_steps for r in results.items}) >= 4, timeout=WAIT_MS)
    assert w.surface.paint_count > painted + 3         # the window kept painting meanwhile
    snap = pause(qtbot, w)
    r = shown_for(qtbot, w, snap)                      # the paused weights, shown once training stops
    assert r.loss == snap.train_loss and len(r.path) >= 4
    snap = act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: s.total_steps == 0)
    r = shown_for(qtbot, w, snap)
    assert len(r.path) == 1
    w.close()


def test_closing_in_the_middle_of_a_refresh_ends_the_worker(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path, Config(dataset="spiral", features=FEATURES, hidden_layers=(32,) * 10))
    w.landscape.grid.setCurrentIndex(3)                 # 81 x 81 of the largest network: seconds of work
    w.show_landscape()
    act_and_wait(qtbot, w, w.step_batch_requested.emit)
    qtbot.waitUntil(lambda: w.worker._ls_job is not None, timeout=WAIT_MS)   # a refresh under way
    w.close()
    assert w.thread.isFinished()


def test_a_diverged_run_says_so_in_the_panel(qtbot, tmp_path) -> None:
    w = open_window(qtbot, tmp_path, Config(dataset="reg-plane", learning_rate=10.0))
    w.show_landscape()
    shown_for(qtbot, w, w.latest)
    w.toggle_play()
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "diverged" in w.landscape.note.text(), timeout=WAIT_MS)
    assert not w.landscape.plots.image.isVisible() or not w.landscape._result.has_plane
    w.close()


def test_the_open_landscape_takes_more_of_the_column_until_a_divider_is_dragged(qtbot, window) -> None:
    from nnviz.gui.window.panels import LANDSCAPE_SURFACE_SHARE, SURFACE_SHARE
    w = window
    _, middle, right = w.splitters
    height, side = right.height(), middle.sizes()[1]
    near = right.handleWidth() + 1       # the splitter's handle comes out of the panels
    assert right.sizes()[0] == pytest.approx(SURFACE_SHARE * height, abs=near)
    w.show_landscape()
    assert right.sizes()[0] == pytest.approx(LANDSCAPE_SURFACE_SHARE * height, abs=near)     # the plane and slice need the height
    assert middle.sizes()[1] == side                                     # the column keeps its width
    w.lower_tabs.setCurrentIndex(0)
    assert right.sizes()[0] == pytest.approx(SURFACE_SHARE * height, abs=near)
    right.splitterMoved.emit(200, 1)                                     # the user's own division stays
    right.setSizes([300, height - 300])
    w.show_landscape()
    assert right.sizes()[0] == pytest.approx(300, abs=near)


def test_the_first_refresh_waits_for_the_kernel_and_shows_the_weights_of_then(qtbot, tmp_path, monkeypatch) -> None:
    # on a new machine the kernel takes seconds to prepare: the first picture must not be
    # of the weights from before that wait
    from nnviz.core.learn import landscape_build
    gate, real = {"open": False}, landscape_build.ready
    monkeypatch.setattr(landscape_build, "ready", lambda: gate["open"] and real())
    w = open_window(qtbot, tmp_path, Config(learning_rate=0.3))
    results = Heard(w.worker.landscape_ready)
    w.show_landscape()
    for _ in range(3):
        act_and_wait(qtbot, w, w.step_batch_requested.emit)
    assert results.items == [] and "Computing the landscape" in w.landscape.note.text()
    gate["open"] = True
    qtbot.waitUntil(lambda: len(results.items) > 0, timeout=WAIT_MS)
    assert results.items[0].total_steps == w.latest.total_steps == 3 and results.items[0].has_plane
    w.close()


def test_the_landscape_is_drawn_in_the_gui_thread(qtbot, window, monkeypatch) -> None:
    """The worker's landscape reaches the panel queued, never called in the worker's thread."""
    import threading
    w, seen = window, []
    real = w.landscape.set_landscape
    monkeypatch.setattr(w.landscape, "set_landscape", lambda r: (seen.append(threading.current_thread()), real(r)))
    w.show_landscape()
    shown_for(qtbot, w, w.latest)
    assert seen and all(t is threading.main_thread() for t in seen)


def test_a_paced_run_puts_every_epoch_on_the_path(qtbot, window) -> None:
    """Paced faster than frames come (300 epochs/s against 60 frames/s), a tick trains
    several epochs; each epoch's position still joins the path, so a zig-zag is not
    smoothed over by skipped positions."""
    w = window
    w.speed_requested.emit(300.0)
    act_and_wait(qtbot, w, w.play_requested.emit, lambda s: s.playing and s.epoch >= 30)
    snap = pause(qtbot, w)
    w.show_landscape()
    r = shown_for(qtbot, w, snap)
    per = snap.batches_per_epoch
    steps = [int(k) for k in r.path_steps]
    assert steps == sorted(set(steps)) and steps[-1] == snap.total_steps
    # the last 30 epochs' ends are all there: well inside the newest half of the path,
    # which the recorder keeps exactly however long the run (the time box's first
    # measurements may add a few positions inside an epoch)
    last = set(range((snap.epoch - 30) * per, snap.epoch * per + 1, per))
    assert last <= set(steps), sorted(last - set(steps))
