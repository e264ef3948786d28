"""The window's requests to the worker: settings, edits, drawn points, and their timing.

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


class RequestsMixin:
    """Request helpers of MainWindow; see the module doc."""

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
