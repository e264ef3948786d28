"""Explain-one-step mode: the window's side of walking through one update, stage by stage.

Entered from the training bar's Explain button or X. The worker pauses and works out the
next update without making it (core/learn/explain.py); this controller then moves the
graph, the decision surface and the explain panel together through the stages: Forward
layer by layer, Loss, Backward layer by layer from the output, Update. The arrow keys
step (← →) and pick a point of the batch (↑ ↓), A shows batch averages, Enter applies the
update, Esc leaves without changing anything; a click on a training point of the surface
follows that point (one of the batch) or explains an update from it alone.

Any other request (Play, a step, a settings change, an edit or its undo, a file) leaves the mode
first, and so does any Snapshot newer than the explanation: the step shown is always the
one Apply would make.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QTextEdit

from nnviz.core.learn.explain import Explanation, stages
from nnviz.core.snapshot import Snapshot
from nnviz.gui.style import palette

EXPLAIN_PAGE, CURVES_PAGE = 1, 0
KEYS = {Qt.Key_Left: "prev", Qt.Key_Right: "next", Qt.Key_Up: "up", Qt.Key_Down: "down", Qt.Key_A: "average",
        Qt.Key_Return: "apply", Qt.Key_Enter: "apply", Qt.Key_Escape: "leave"}


class ExplainMode(QObject):
    """State of the mode (explanation, stage, point, average, surface) and its wiring."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.active = False
        self.exp: Explanation | None = None
        self.pictures: tuple | None = None     # (grid before, grid after), like Snapshot.grid
        self.seq = 0                            # the Snapshot that came with the explanation
        self.stage, self.row, self.average, self.surface = 0, 0, False, "change"
        self._want_point: int | None = None     # the training point to follow once it arrives
        p = window.explain_panel
        p.stage_requested.connect(self.go_stage)
        p.point_requested.connect(self.go_row)
        p.average_toggled.connect(self.set_average)
        p.surface_requested.connect(self.set_surface)
        p.apply_requested.connect(self.apply)
        p.leave_requested.connect(self.leave)
        p.batch_requested.connect(lambda: self.enter(None))
        window.worker.explanation_ready.connect(self._ready)
        window.worker.explanation_failed.connect(self._failed)
        window.worker.snapshot_ready.connect(self._snapshot)
        window.surface.training_point_picked.connect(self._picked)
        window.training_bar.explain_requested.connect(self.toggle)
        for request in (window.config_requested, window.play_requested, window.step_batch_requested,
                        window.step_epoch_requested, window.reset_requested, window.regenerate_requested,
                        window.weight_edit_requested, window.bias_edit_requested, window.points_add_requested,
                        window.points_erase_requested, window.file_requested, window.edit_replay_requested,
                        window.stroke_add_requested, window.stroke_erase_requested,
                        window.points_clear_requested, window.stroke_replay_requested):
            request.connect(self._other_request)

    # -- entering and leaving ------------------------------------------------------------
    @Slot()
    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter(None)

    def enter(self, points: list[int] | None) -> None:
        """Ask the worker for the next update (points None) or one from chosen points."""
        w = self.w
        if not self.active:
            self.active = True
            QApplication.instance().installEventFilter(self)
            w.lower_stack.setCurrentIndex(EXPLAIN_PAGE)
            w.surface.set_pick_mode(True)
            w.training_bar.set_explaining(True)
            w.training_bar.set_playing(False)
        self.exp = None
        w.explain_panel.show_waiting("Working out the next update\u2026" if points is None
                                     else f"Working out an update from point #{points[0]} alone\u2026")
        w.explain_panel.setFocus(Qt.OtherFocusReason)
        w.explain_requested.emit(points)

    @Slot()
    def leave(self) -> None:
        """Back to training; the trainer was never changed, so nothing is undone."""
        if not self.active:
            return
        self.active = False
        self.exp = self.pictures = None
        QApplication.instance().removeEventFilter(self)
        w = self.w
        w.lower_stack.setCurrentIndex(CURVES_PAGE)
        w.topology.set_explain(None, ("forward", 1), 0, False)
        w.surface.set_explain_marks(None)
        w.surface.set_picture_override(None)
        w.surface.set_pick_mode(False)
        w.training_bar.set_explaining(False)
        w.repaint_views()

    @Slot()
    def apply(self) -> None:
        """Make the explained update (the worker checks nothing changed since) and leave."""
        if self.exp is None:
            return
        pre = self.exp.preview
        self.leave()
        self.w.explain_apply_requested.emit(pre.state_key)
        self.w.show_message("Applied the explained update" + (
            ": one update from the chosen point alone; the epoch's batch counter stays" if pre.chosen
            else f": batch {pre.batch + 1} of epoch {pre.epoch + 1}"))

    def _other_request(self, *args) -> None:
        self.leave()

    # -- the worker's answers ------------------------------------------------------------
    @Slot(object)
    def _ready(self, payload: tuple) -> None:
        if not self.active:
            return
        self.seq, self.exp, self.pictures = payload
        n = len(stages(self.exp.n_layers))
        self.stage = min(self.stage, n - 1) if self._want_point is not None else 0
        want = self._want_point
        self._want_point = None
        rows = np.flatnonzero(self.exp.points == want) if want is not None else []
        self.row = int(rows[0]) if len(rows) else 0
        self.w.explain_panel.set_explanation(self.exp)
        self._show()

    @Slot(str)
    def _failed(self, text: str) -> None:
        if self.active:
            self.leave()
            self.w.show_message(text)

    @Slot(object)
    def _snapshot(self, snap: Snapshot) -> None:
        if self.active and self.exp is not None and snap.seq > self.seq:
            self.leave()   # the network moved on (a request from elsewhere): the step shown is gone

    @Slot(int)
    def _picked(self, index: int) -> None:
        """A training point clicked on the surface: follow it if it is in the batch, else
        explain an update from it alone."""
        if not self.active or self.exp is None:
            return
        rows = np.flatnonzero(self.exp.points == index)
        if len(rows):
            self.go_row(int(rows[0]))
        else:
            self._want_point = index
            self.enter([index])

    # -- moving through the step -----------------------------------------------------------
    @Slot(int)
    def go_stage(self, k: int) -> None:
        if self.exp is not None:
            self.stage = int(np.clip(k, 0, len(stages(self.exp.n_layers)) - 1))
            self._show()

    @Slot(int)
    def go_row(self, row: int) -> None:
        if self.exp is not None:
            self.row = int(np.clip(row, 0, len(self.exp.points) - 1))
            self._show()

    @Slot(bool)
    def set_average(self, on: bool) -> None:
        self.average = bool(on)
        self._show()

    @Slot(str)
    def set_surface(self, which: str) -> None:
        self.surface = which
        self._show()

    def current_stage(self) -> tuple[str, int]:
        return stages(self.exp.n_layers)[self.stage] if self.exp is not None else ("forward", 1)

    def _show(self) -> None:
        """Graph, surface and panel at the current stage and point."""
        exp, w = self.exp, self.w
        if exp is None:
            return
        stage = self.current_stage()
        w.topology.set_explain(exp, stage, self.row, self.average)
        w.surface.set_explain_marks(exp.xy, exp.xy[exp.carried], exp.xy[self.row:self.row + 1])
        values, title = self._picture(stage[0])
        w.surface.set_picture_override(values, title)
        w.surface.paint()
        w.explain_panel.set_focus(self.stage, self.row, self.average, self.surface)

    def _picture(self, phase: str) -> tuple[np.ndarray | None, str]:
        """The surface in the Update stage: before, after, or the change; else the live output."""
        if phase != "update" or self.pictures is None:
            return None, ""
        before, after = self.pictures[0][-1], self.pictures[1][-1]        # (n_out, G, G)
        kind = self.exp.output_kind
        if self.surface in ("before", "after"):
            out = before if self.surface == "before" else after
            label = "Output before the update" if self.surface == "before" else "Output after the update"
            if out.shape[0] >= 3:
                return out, label
            return palette.picture_values(out[0], 1, 1, kind), label
        diff = after.astype(np.float64) - before
        change = np.max(np.abs(diff), axis=0) if diff.shape[0] >= 3 else diff[0]
        peak = float(np.max(np.abs(change))) or 1.0
        return (change / peak).astype(np.float32), f"Change (full colour \u00b1{peak:.2g})"

    # -- keys --------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.KeyPress or not self.active or event.modifiers() & ~Qt.KeypadModifier:
            return False
        action = KEYS.get(event.key())
        focus = QApplication.focusWidget()
        if (action is None or QApplication.activeModalWidget() is not None
                or isinstance(focus, (QLineEdit, QAbstractSpinBox, QTextEdit))
                or (focus is not None and focus.window() is not self.w)):
            return False
        if action == "leave":
            self.leave()
        elif action == "apply":
            self.apply()
        elif action in ("prev", "next"):
            self.go_stage(self.stage + (1 if action == "next" else -1))
        elif action in ("up", "down"):
            self.go_row(self.row + (1 if action == "down" else -1))
        else:
            self.set_average(not self.average)
        return True
