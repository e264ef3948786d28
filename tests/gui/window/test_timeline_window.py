"""The timeline in the real window: scrubbing back shows the network then (graph, surface,
read-outs, a cursor on the curves) while the live run waits; Live, Restore and Branch;
edits refused while looking; a look ends when the live run changes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.files import new_window
from helpers.window import act_and_wait, params, pause
from nnviz.core import compiled
from nnviz.core.config import Config
from nnviz.core.train import kernels
from nnviz.core.train.trainer import Trainer


@pytest.fixture(autouse=True)
def kernel_loaded():
    """The window trains with the kernel from its first epoch, as the references here do:
    the numpy path it starts on while the kernel loads agrees to 1e-12, not to the bit."""
    kernels.warm_up()
    compiled.mark_loaded()


def _trained(qtbot, w, epochs: int = 30):
    """Step `epochs` epochs (each Step also keeps a checkpoint before it)."""
    for _ in range(epochs):
        act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    return w.latest


def test_scrubbing_back_shows_that_epoch_read_only_while_the_live_run_waits(qtbot, window) -> None:
    w = window
    live = _trained(qtbot, w, 20)
    assert list(live.timeline_epochs)[:3] == [0, 1, 2] and live.viewing == -1
    i = list(live.timeline_epochs).index(5)
    snap = act_and_wait(qtbot, w, lambda: w.timeline.slider.setValue(i), lambda s: s.viewing == i)
    ref = Trainer(Config())
    ref.train_epochs(5)
    assert snap.epoch == 5 and snap.live_epoch == 20 and not snap.playing
    assert params(snap).tobytes() == ref.network.params.tobytes()
    assert snap.test_loss == ref.test_loss and np.array_equal(snap.grid[-1], ref.network.grid_outputs()[-1])
    assert len(snap.history_epoch) == 21                       # the curves stay whole...
    qtbot.waitUntil(lambda: w.curves.cursor() == 5.0)           # ...with a cursor at epoch 5
    assert w.training_bar.labels["epoch"].text() == "5" and "looking back" in w.training_bar.heads["epoch"].text()
    assert w.timeline.restore_button.isEnabled() and "Epoch 5" in w.timeline.label.text()
    # the graph is read-only: a click on a link says so and sends no edit
    sent = []
    w.topology.weight_edit_requested.connect(lambda *a: sent.append(a))
    assert w.topology._looking_back() and sent == []
    assert "read-only" in w.statusBar().currentMessage()
    # Live: the run is as it was
    snap = act_and_wait(qtbot, w, w.timeline.live_button.click, lambda s: s.viewing == -1)
    assert snap.epoch == 20 and params(snap).tobytes() == params(live).tobytes()
    assert w.curves.cursor() is None


def test_playing_pauses_for_a_look_and_plays_on_after_it(qtbot, window) -> None:
    w = window
    w.speed_requested.emit(60.0)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing and s.epoch >= 8)
    snap = act_and_wait(qtbot, w, lambda: w.run_controls.look_requested.emit(3), lambda s: s.viewing == 3)
    assert not snap.playing
    epoch = snap.live_epoch
    qtbot.wait(300)
    assert w.latest.live_epoch == epoch                         # it waits
    snap = act_and_wait(qtbot, w, w.run_controls.live_requested.emit, lambda s: s.viewing == -1 and s.playing)
    act_and_wait(qtbot, w, lambda: None, lambda s: s.epoch > epoch)
    pause(qtbot, w)


def test_restore_continues_as_the_run_did_and_branch_keeps_the_original(qtbot, window) -> None:
    w = window
    _trained(qtbot, w, 12)
    i = list(w.latest.timeline_epochs).index(4)
    act_and_wait(qtbot, w, lambda: w.run_controls.look_requested.emit(i), lambda s: s.viewing == i)
    snap = act_and_wait(qtbot, w, w.timeline.restore_button.click, lambda s: s.viewing == -1 and s.epoch == 4)
    assert list(snap.timeline_epochs)[-1] == 4 and snap.history_epoch[-1] == 4
    for _ in range(8):
        snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    ref = Trainer(Config())
    ref.train_epochs(12)
    assert snap.epoch == 12 and params(snap).tobytes() == ref.network.params.tobytes()
    # Branch at epoch 6: a second run from there, shown; the original stays at 12
    j = list(snap.timeline_epochs).index(6)
    act_and_wait(qtbot, w, lambda: w.run_controls.look_requested.emit(j), lambda s: s.viewing == j)
    snap = act_and_wait(qtbot, w, w.timeline.branch_button.click, lambda s: len(s.runs) == 2)
    assert snap.active_run == 1 and snap.epoch == 6 and snap.runs[0].epoch == 12
    assert [r.name for r in snap.runs] == ["run 1", "from epoch 6"]


def test_an_edit_or_a_step_ends_the_look_and_acts_on_the_live_run(qtbot, window) -> None:
    w = window
    _trained(qtbot, w, 6)
    act_and_wait(qtbot, w, lambda: w.run_controls.look_requested.emit(2), lambda s: s.viewing == 2)
    snap = act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 0.5, w.latest.network_id),
                        lambda s: s.viewing == -1)
    assert snap.epoch == 6 and snap.weights[0][0, 0] == 0.5
    act_and_wait(qtbot, w, lambda: w.run_controls.look_requested.emit(2), lambda s: s.viewing == 2)
    snap = act_and_wait(qtbot, w, w.step_epoch_requested.emit, lambda s: s.viewing == -1)
    assert snap.epoch == 7


def test_escape_and_the_keys_move_through_the_timeline(qtbot, window) -> None:
    w = window
    _trained(qtbot, w, 5)
    n = len(w.latest.timeline_epochs)
    act_and_wait(qtbot, w, w.actions["back"].trigger, lambda s: s.viewing == n - 1)
    act_and_wait(qtbot, w, w.actions["back"].trigger, lambda s: s.viewing == n - 2)
    act_and_wait(qtbot, w, w.actions["forward"].trigger, lambda s: s.viewing == n - 1)
    from PySide6.QtCore import Qt
    act_and_wait(qtbot, w, lambda: qtbot.keyClick(w, Qt.Key_Escape), lambda s: s.viewing == -1)


def test_a_session_keeps_the_timeline(qtbot, window, tmp_path, dialogs) -> None:
    w = window
    _trained(qtbot, w, 6)
    dialogs.choose(tmp_path / "t.nnviz")
    w.file_actions.save_session_as()
    qtbot.waitUntil(lambda: "Saved" in w.statusBar().currentMessage(), timeout=10_000)
    other = new_window(qtbot, tmp_path / "other")
    dialogs.choose(tmp_path / "t.nnviz")
    act_and_wait(qtbot, other, other.file_actions.open_session, lambda s: s.epoch == 6)
    assert list(other.latest.timeline_epochs) == list(w.latest.timeline_epochs)
    snap = act_and_wait(qtbot, other, lambda: other.run_controls.look_requested.emit(3), lambda s: s.viewing == 3)
    assert snap.epoch == 3
    other.close()
