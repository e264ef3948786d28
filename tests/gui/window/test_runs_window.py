"""Runs side by side in the real window: SGD, momentum and Adam from the same weights train
at the same pace, share one chart and sit as small panels; a click chooses the run the big
views and controls show; remove, keep only, Reset, new data and sessions cover every run."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from helpers.files import new_window
from helpers.window import act_and_wait, pause
from nnviz.gui.controls import compare
from nnviz.gui.style import palette


def _three(qtbot, w):
    return act_and_wait(qtbot, w, w.actions["classic"].trigger, lambda s: len(s.runs) == 3)


def test_sgd_momentum_and_adam_start_alike_and_train_at_the_same_pace(qtbot, window) -> None:
    w = window
    snap = _three(qtbot, w)
    assert [r.name for r in snap.runs] == ["SGD", "momentum", "Adam"] and snap.active_run == 0
    assert [r.colour for r in snap.runs] == [0, 1, 2]
    starts = [t.initial_params() for t in w.worker.runs.trainers]
    assert all(s.tobytes() == starts[0].tobytes() for s in starts)
    assert len({r.history_test[0] for r in snap.runs}) == 1          # the same loss at epoch 0
    w.speed_requested.emit(200.0)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing and s.epoch >= 30)
    snap = pause(qtbot, w)
    assert len({r.epoch for r in snap.runs}) == 1 and snap.runs[0].epoch == snap.epoch
    assert snap.runs[2].test_loss < snap.runs[0].test_loss          # Adam is ahead of SGD by now
    # one chart: a solid test and a dashed train curve per run, the plain pair hidden
    qtbot.waitUntil(lambda: w.curves.runs.curves and w.curves.runs.curves[2][0].isVisible())
    assert not w.curves.test_curve.isVisible()
    test, train = w.curves.runs.curves[1]
    assert test.opts["pen"].color().getRgb()[:3] == palette.run_rgb(1)
    assert train.opts["pen"].style() == Qt.DashLine
    labels = [label.text for _, label in w.curves.legend.items]
    assert labels == ["SGD", "momentum", "Adam", "dashed: train"]
    # small panels under the graph, the active one framed thick
    qtbot.waitUntil(lambda: len([p for p in w.runs_view.panels if p.isVisible()]) == 3)
    assert [p.active for p in w.runs_view.panels] == [True, False, False]
    text = w.curves.readout_at(10)[1]
    assert "SGD:" in text and "Adam:" in text


def test_clicking_a_panel_shows_that_run_in_the_big_views_and_controls(qtbot, window) -> None:
    w = window
    _three(qtbot, w)
    first = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    assert first.unsaved                 # trained: closing would ask, whichever run is shown
    qtbot.waitUntil(lambda: w.runs_view.panels[2].isVisible() and w.runs_view.panels[2].width() > 50)
    panel = w.runs_view.panels[2]
    snap = act_and_wait(qtbot, w, lambda: qtbot.mouseClick(panel, Qt.LeftButton, pos=QPoint(30, 30)),
                        lambda s: s.active_run == 2)
    assert snap.config.optimizer == "adam" and snap.epoch == 1
    qtbot.waitUntil(lambda: w.controls.config().optimizer == "adam")
    # the run shown is another network: an edit aimed at the one shown before is refused
    assert snap.network_id != first.network_id and snap.unsaved   # and the work is still unsaved
    said = []
    w.worker.status_posted.connect(said.append)
    act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 0.9, first.network_id))
    qtbot.waitUntil(lambda: any("another run shown" in m for m in said))
    assert w.latest.weights[0][0, 0] != 0.9
    # an edit goes to the run shown; the others keep their weights
    before = w.worker.runs.trainers[0].get_weight(0, 0, 0)
    act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 0, 0), 0.9, snap.network_id),
                 lambda s: s.weights[0][0, 0] == 0.9)
    assert w.worker.runs.trainers[0].get_weight(0, 0, 0) == before


def test_remove_keep_only_and_the_menu(qtbot, window) -> None:
    w = window
    _three(qtbot, w)
    act_and_wait(qtbot, w, lambda: w.run_controls.select_requested.emit(1), lambda s: s.active_run == 1)
    snap = act_and_wait(qtbot, w, w.actions["remove_run"].trigger, lambda s: len(s.runs) == 2)
    assert [r.name for r in snap.runs] == ["SGD", "Adam"] and snap.config.optimizer == "adam"
    snap = act_and_wait(qtbot, w, w.actions["keep_only"].trigger, lambda s: len(s.runs) == 0)
    assert snap.config.optimizer == "adam" and not w.actions["keep_only"].isEnabled()
    qtbot.waitUntil(lambda: w.curves.test_curve.isVisible())
    assert not any(p.isVisible() for p in w.runs_view.panels)


def test_reset_and_new_data_cover_every_run(qtbot, window) -> None:
    w = window
    _three(qtbot, w)
    for _ in range(3):
        act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    act_and_wait(qtbot, w, lambda: w.regenerate_requested.emit(1234), lambda s: s.config.seed == 1234)
    data = [(t.train_x, t.test_y) for t in w.worker.runs.trainers]
    assert all(np.array_equal(d[0], data[0][0]) and np.array_equal(d[1], data[0][1]) for d in data)
    snap = act_and_wait(qtbot, w, w.reset_requested.emit, lambda s: s.epoch == 0)
    assert all(r.epoch == 0 for r in snap.runs) and len(snap.runs) == 3


def test_the_dialog_names_what_it_changes(qtbot, window, monkeypatch) -> None:
    w = window

    class Accept(compare.CompareDialog):
        def exec(self):
            self._set("learning_rate", 0.1)
            self._set("batch_size", 5)
            assert self.changes() == {"learning_rate": 0.1, "batch_size": 5}
            assert "font-weight" in self.labels["learning_rate"].styleSheet()
            return compare.QDialog.Accepted

    monkeypatch.setattr("nnviz.gui.window.runs.CompareDialog", Accept)
    snap = act_and_wait(qtbot, w, w.actions["compare"].trigger, lambda s: len(s.runs) == 2)
    assert [r.name for r in snap.runs] == ["lr 0.03, batch 10", "lr 0.1, batch 5"]


def test_a_session_reopens_every_run(qtbot, window, tmp_path, dialogs) -> None:
    w = window
    _three(qtbot, w)
    for _ in range(4):
        act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    act_and_wait(qtbot, w, lambda: w.run_controls.select_requested.emit(2), lambda s: s.active_run == 2)
    dialogs.choose(tmp_path / "runs.nnviz")
    w.file_actions.save_session_as()
    qtbot.waitUntil(lambda: "Saved" in w.statusBar().currentMessage(), timeout=10_000)
    other = new_window(qtbot, tmp_path / "other")
    snap = act_and_wait(qtbot, other, other.file_actions.open_session, lambda s: len(s.runs) == 3)
    assert snap.active_run == 2 and [r.name for r in snap.runs] == ["SGD", "momentum", "Adam"]
    for a, b in zip(w.worker.runs.trainers, other.worker.runs.trainers):
        assert a.network.params.tobytes() == b.network.params.tobytes() and a.epoch == b.epoch == 4
        assert a.timeline.epochs == b.timeline.epochs
    other.close()


def test_a_side_run_that_diverges_stops_and_the_others_train_on(qtbot, tmp_path) -> None:
    from nnviz.core.config import Config

    w = new_window(qtbot, tmp_path / "w", Config(dataset="reg-plane"))
    said = []
    w.worker.status_posted.connect(said.append)
    act_and_wait(qtbot, w, lambda: w.run_controls.duplicate_requested.emit({"learning_rate": 10.0}),
                 lambda s: len(s.runs) == 2)
    w.speed_requested.emit(200.0)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing and s.epoch >= 60)
    snap = pause(qtbot, w)
    assert snap.runs[1].diverged and not snap.diverged and snap.runs[0].epoch == snap.epoch
    assert snap.runs[1].epoch < 20
    qtbot.waitUntil(lambda: any("\u201clr 10\u201d diverged" in m for m in said))
    qtbot.waitUntil(lambda: w.runs_view.panels[1].view is not None and bool(w.runs_view.panels[1].view.diverged))
    w.close()


def test_drawn_points_and_their_undo_reach_every_run(qtbot, window) -> None:
    w = window
    _three(qtbot, w)
    act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    n = len(w.latest.train_x)
    xy, labels = np.array([[3.0, 3.0], [4.0, 4.5]]), np.array([1.0, -1.0])
    act_and_wait(qtbot, w, lambda: w.surface.points_add_requested.emit(xy, labels),
                 lambda s: len(s.train_x) == n + 2)
    for t in w.worker.runs.trainers:
        assert t.train_x.tobytes() == w.worker.trainer.train_x.tobytes() and len(t.train_x) == n + 2
        assert len(t.timeline[-1].data[0]) == n             # the points before it stay on its timeline
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1)
    act_and_wait(qtbot, w, w.undo_stack.undo, lambda s: len(s.train_x) == n)
    assert all(len(t.train_x) == n for t in w.worker.runs.trainers)
