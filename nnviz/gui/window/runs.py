"""Where the timeline bar and the runs panel meet the worker, and the Runs menu.

The window owns one RunControls: it places the two views, forwards their requests to the
worker as queued signals, shows the "Runs side by side" dialog, and hands each Snapshot to
both views. The worker (worker/runs.py) does the work.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from nnviz.core.learn.runs import MAX_RUNS
from nnviz.core.snapshot import Snapshot
from nnviz.gui.controls.compare import CompareDialog, classic_changes
from nnviz.gui.views.runs import RunsView
from nnviz.gui.views.timeline import TimelineBar


class RunControls(QObject):
    """Requests (queued to the worker): look_requested(int), live_requested(),
    restore_requested(int), branch_requested(int), duplicate_requested(object: the changed
    settings), select_requested(int), remove_requested(int), keep_only_requested(int)."""

    look_requested = Signal(int)
    live_requested = Signal()
    restore_requested = Signal(int)
    branch_requested = Signal(int)
    duplicate_requested = Signal(object)
    select_requested = Signal(int)
    remove_requested = Signal(int)
    keep_only_requested = Signal(int)

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.timeline = TimelineBar()
        self.runs = RunsView()
        self.actions: dict[str, QAction] = {}
        self._snap: Snapshot | None = None
        t, r = self.timeline, self.runs
        t.look_requested.connect(self.look_requested)
        t.live_requested.connect(self.live_requested)
        t.restore_requested.connect(self.restore_requested)
        t.branch_requested.connect(self.branch_requested)
        r.select_requested.connect(self.select_requested)
        r.remove_requested.connect(self.remove_requested)
        r.keep_only_requested.connect(self.keep_only_requested)
        r.compare_requested.connect(self.compare)

    def connect_worker(self, worker) -> None:
        for name in ("look_requested", "live_requested", "restore_requested", "branch_requested",
                     "duplicate_requested", "select_requested", "remove_requested", "keep_only_requested"):
            slot = {"look_requested": "look_back", "live_requested": "look_live",
                    "restore_requested": "restore_checkpoint", "branch_requested": "branch_checkpoint",
                    "duplicate_requested": "duplicate_run", "select_requested": "select_run",
                    "remove_requested": "remove_run", "keep_only_requested": "keep_only_run"}[name]
            # held as the window's other requests are: several in one pass reach the worker together
            getattr(self, name).connect(self.w._hold_worker)
            getattr(self, name).connect(getattr(worker, slot))

    def build_menu(self, bar, add) -> dict[str, QAction]:
        """The Runs menu: comparing runs, and moving through the timeline."""
        m = bar.addMenu("&Runs")
        acts = self.actions
        acts["compare"] = add(m, self.w, "Run &side by side…", self.compare, "Ctrl+D",
                              "Train a copy of this run with other settings beside it")
        acts["classic"] = add(m, self.w, "SGD, &momentum and Adam side by side", self.add_classic,
                              tip="Add a run for each of these optimisers, from the same weights")
        acts["remove_run"] = add(m, self.w, "&Remove this run", lambda: self._on_active(self.remove_requested))
        acts["keep_only"] = add(m, self.w, "&Keep only this run", lambda: self._on_active(self.keep_only_requested))
        m.addSeparator()
        acts["back"] = add(m, self.w, "Look &back one checkpoint", lambda: self.timeline.step(-1), "Alt+Left",
                           "The network at the previous checkpoint, read-only; training waits")
        acts["forward"] = add(m, self.w, "Look &forward one checkpoint", lambda: self.timeline.step(1), "Alt+Right")
        acts["live"] = add(m, self.w, "Back to the &live run", self.live_requested.emit, "Alt+End")
        acts["restore"] = add(m, self.w, "Res&tore this epoch", lambda: self._on_viewing(self.restore_requested),
                              tip="Go back to the epoch looked at; the run continues from there as it did")
        acts["branch"] = add(m, self.w, "Bra&nch from this epoch", lambda: self._on_viewing(self.branch_requested),
                             tip="A new run from the epoch looked at, beside the original")
        self._enable(None)
        return acts

    # -- Snapshots -----------------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        self._snap = snap
        self.timeline.show_snapshot(snap)
        self.runs.set_snapshot(snap)
        self.runs.paint()
        self._enable(snap)

    def _enable(self, snap: Snapshot | None) -> None:
        n = max(1, len(snap.runs)) if snap is not None else 1
        looking = snap is not None and snap.viewing >= 0
        for name, on in (("compare", n < MAX_RUNS), ("remove_run", n > 1), ("keep_only", n > 1),
                         ("live", looking), ("restore", looking), ("branch", looking and n < MAX_RUNS),
                         ("classic", snap is not None and bool(classic_changes(snap.config, MAX_RUNS - n)))):
            if name in self.actions:
                self.actions[name].setEnabled(on)
        self.timeline.branch_button.setEnabled(looking and n < MAX_RUNS)

    def looking(self) -> bool:
        return self._snap is not None and self._snap.viewing >= 0

    def _on_active(self, signal) -> None:
        if self._snap is not None and len(self._snap.runs) > 1:
            signal.emit(self._snap.active_run)

    def _on_viewing(self, signal) -> None:
        if self.looking():
            signal.emit(self._snap.viewing)

    # -- comparing ------------------------------------------------------------------------
    @Slot()
    def compare(self) -> None:
        """Ask which settings the new run changes, then ask the worker for it."""
        if self._snap is None:
            return
        free = MAX_RUNS - max(1, len(self._snap.runs))
        if free <= 0:
            self.w.show_message(f"At most {MAX_RUNS} runs train side by side: remove one first.")
            return
        dialog = CompareDialog(self._snap.config, free, self.w)
        if dialog.exec() != QDialog.Accepted:
            return
        if dialog.classic:
            self.add_classic()
        else:
            self.duplicate_requested.emit(dialog.changes())

    @Slot()
    def add_classic(self) -> None:
        """Runs for SGD, momentum and Adam beside the current one (as many as fit)."""
        if self._snap is None:
            return
        for changes in classic_changes(self._snap.config, MAX_RUNS - max(1, len(self._snap.runs))):
            self.duplicate_requested.emit(changes)
