"""The window's requests to the worker: their wiring, settings, edits, points, timing.

A mixin of MainWindow (main_window.py), kept apart because it holds the rules that make
requests safe to send at any speed:

- Settings: a control sends the fields the user changed (not a whole Config built from
  its own, possibly older, copy); the worker applies them to the settings it runs.
- Files: while a file is being read into the session (open, import), everything that
  would change the session (controls, Reset, Regenerate, drawing, other reads) is
  locked, so a click cannot undo the file; the worker's answer unlocks.
- Edits carry the number of the network they were aimed at (request_edit, the one
  place an edit request is emitted).
- Requests sent in one pass of the event loop reach the worker together: the first one
  holds it and a release queued behind the last one lets it train again.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot

from nnviz.core.config import Config, changed_fields, repair, reset_scope
from nnviz.worker.training import start_worker


class RequestsMixin:
    """Request helpers of MainWindow; see the module doc."""

    def _build_worker(self, config: Config) -> None:
        """Start the worker and wire every request to its slot (queued: it lives in its own
        thread) and its news to the window's own slots, which stay on MainWindow itself."""
        self.worker, self.thread = start_worker(config)
        # the window owns the thread object (it lives in the GUI thread and is deleted with
        # the window there, after shutdown has waited for it), not Python's cyclic collector
        self.thread.setParent(self)
        w = self.worker
        requests = (self.config_requested, self.play_requested, self.pause_requested,
                    self.step_batch_requested, self.step_epoch_requested, self.reset_requested,
                    self.regenerate_requested, self.speed_requested, self.weight_edit_requested,
                    self.bias_edit_requested, self.points_add_requested, self.points_erase_requested,
                    self.file_requested, self.edit_replay_requested, self.explain_requested,
                    self.explain_apply_requested, self.stroke_add_requested, self.stroke_erase_requested,
                    self.points_clear_requested, self.stroke_replay_requested)
        for signal in requests:   # connected first, so the hold is set before the request is queued
            signal.connect(self._hold_worker)
        self.release_requested.connect(w.release)
        # every connection below crosses threads, so Qt queues it
        self.config_requested.connect(w.change_config)
        self.play_requested.connect(w.play)
        self.pause_requested.connect(w.pause)
        self.step_batch_requested.connect(w.step_batch)
        self.step_epoch_requested.connect(w.step_epoch)
        self.reset_requested.connect(w.reset)
        self.reset_requested.connect(self.banner.hide)
        self.regenerate_requested.connect(w.regenerate)
        self.speed_requested.connect(w.set_speed)
        self.weight_edit_requested.connect(w.set_weight)
        self.bias_edit_requested.connect(w.set_bias)
        self.points_add_requested.connect(w.add_point)
        self.points_erase_requested.connect(w.erase_points)
        self.stroke_add_requested.connect(w.add_points)
        self.stroke_erase_requested.connect(w.erase_along)
        self.points_clear_requested.connect(w.clear_points)
        self.stroke_replay_requested.connect(w.replay_stroke)
        self.stop_requested.connect(w.stop)
        self.edit_replay_requested.connect(w.replay_edit)
        self.file_requested.connect(w.handle_file)
        self.run_controls.connect_worker(w)
        self.explain_requested.connect(w.explain)
        self.explain_apply_requested.connect(w.apply_explained)
        self.landscape_requested.connect(w.set_landscape)
        w.landscape_ready.connect(self.receive_landscape)
        self.snapshot_painted.connect(w.snapshot_shown)
        w.config_replaced.connect(self._config_replaced)
        w.snapshot_ready.connect(self.receive_snapshot)
        w.message_posted.connect(self.show_problem)
        w.status_posted.connect(self.show_message)
        w.engine_changed.connect(self._engine_changed)
        self.thread.start()
        self.speed_requested.emit(self.training_bar.speed_value())
        self.landscape_requested.emit(self.landscape.settings())

    def _hold_worker(self, *_args) -> None:
        """A request is about to be queued: the worker starts no chunk until every request
        of this pass of the event loop is in (release_requested, queued behind them)."""
        if self._holding:
            return
        self._holding = True
        self._holds += 1
        self.worker.hold_upto = self._holds   # only this thread writes it; the worker reads it
        QTimer.singleShot(0, self._release_worker)

    def _release_worker(self) -> None:
        self._holding = False
        self.release_requested.emit(self._holds)

    @Slot(object, object)
    def _settings_changed(self, changes: dict, shown: Config) -> None:
        """The user changed controls: send the fields, refused while a file is being read;
        one that builds a new network asks first about unsaved work, and Cancel puts the
        controls back."""
        if self.file_reads:
            self.controls.set_config(self._locked_config)   # as it was when the read began
            self.show_message("Wait until the file is read: the settings will come from it.")
            return
        old = self.latest.config if self.latest is not None else None
        scope = reset_scope(old, repair(old, changes)) if old is not None else "none"
        if scope not in ("network", "data"):
            self.config_requested.emit(changes, shown)
            return
        what = "make new data and a new network" if scope == "data" else "build a new network"
        self.guard.confirm(what, lambda: self.config_requested.emit(changes, shown),
                           lambda: self.controls.set_config(old))

    def request_settings(self, config: Config) -> None:
        """Set the controls to `config` as a user would, field by field (scripts and tests)."""
        old = self.controls.config()
        self.controls.set_config(config)
        self._settings_changed(changed_fields(old, config), config)

    def request_edit(self, target: tuple, value: float, network: int) -> None:
        """The one place a weight or bias edit leaves for the worker.

        target: ("weight", layer, dst, src) or ("bias", layer, neuron); network: the
        Snapshot.network_id of the network the user aimed at, so the worker refuses the
        edit once that network is gone. (An undo or redo goes as edit_replay_requested.)
        """
        if target[0] == "weight":
            self.weight_edit_requested.emit(int(target[1]), int(target[2]), int(target[3]), float(value),
                                            int(network))
        else:
            self.bias_edit_requested.emit(int(target[1]), int(target[2]), float(value), int(network))

    def _data_edit(self, signal, args: tuple) -> None:
        """Points drawn or erased on the surface, refused while a file is being read."""
        if self.file_reads:
            self.show_message("Wait until the file is read before drawing points.")
            return
        signal.emit(*args)

    def begin_file_read(self, what: str) -> None:
        """A file is being read into the session: lock what would change it meanwhile, so
        a click cannot undo the file (the lock ends with the worker's answer)."""
        if not self.file_reads:
            self._locked_config = self.controls.config()
        self.file_reads += 1
        self._lock_settings(True)
        self.show_message(f"Reading {what}…")

    def end_file_read(self) -> None:
        self.file_reads = max(self.file_reads - 1, 0)
        if not self.file_reads:
            self._lock_settings(False)

    def _lock_settings(self, locked: bool) -> None:
        self.controls.setEnabled(not locked)
        self.training_bar.reset_button.setEnabled(not locked)
        for name in ("reset", "regenerate", "open", "import_weights", "import_data"):
            if name in getattr(self, "actions", {}):
                self.actions[name].setEnabled(not locked)
        if hasattr(self, "recent_menu"):
            self.recent_menu.setEnabled(not locked and bool(self.file_actions.recent()))
        if not locked and hasattr(self, "classroom"):
            self.classroom.restrict()        # what a teacher locked stays locked
