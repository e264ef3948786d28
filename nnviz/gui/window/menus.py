"""Menus, shortcuts and the file dialogs of the main window.

Dialogs run in the GUI thread; the file work itself is a queued request to the worker,
which answers with file_done / file_failed.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from nnviz.core.files.torch_export import companions
from nnviz.gui.views.topology.explain_layer import LINK_MODES
from nnviz.gui.window.csv_dialog import ask_columns
from nnviz.gui.window.stroke_undo import build_draw_actions
from nnviz.gui.window.undo import build_edit_menu

MAX_RECENT = 8
SESSION_FILTER = "nnviz session (*.nnviz)"
WEIGHT_FILTER = ("Weights JSON (*.json);;NumPy (*.npz);;ONNX model (*.onnx);;"
                 "PyTorch script, weights and data (*.py);;safetensors (*.safetensors)")
IMPORT_WEIGHT_FILTER = "Weights (*.json *.npz)"
PICTURE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
CSV_FILTER = "CSV (*.csv)"
IMPORT_CSV_FILTER = "Tables (*.csv *.tsv *.txt);;All files (*)"
READS = ("open_session", "import_weights", "import_data")   # requests that change the session


def _add(menu, window, text: str, slot, shortcut=None, tip: str = "", checkable=False) -> QAction:
    act = QAction(text, window)
    if shortcut:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.WindowShortcut)
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(tip)
    act.setCheckable(checkable)
    (act.toggled if checkable else act.triggered).connect(slot)
    menu.addAction(act)
    return act


class FileActions(QObject):
    """The File menu's behaviour; holds the window to reach the worker and the dialogs.

    A QObject child of the window, so it lives in the GUI thread: the worker's file_done /
    file_failed then reach on_done / on_failed as queued calls in the GUI thread. (A plain
    Python object's methods would run in the worker thread, touching widgets from there.)
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.w = window
        self.worker = window.worker
        self.worker.file_done.connect(self.on_done)
        self.worker.file_failed.connect(self.on_failed)

    # dialogs --------------------------------------------------------------------------
    def _dir(self) -> str:
        return str(self.w.settings.value("files/last_dir", os.path.expanduser("~")))

    def _ask_save(self, title: str, filters: str, default_name: str) -> str:
        path, chosen = QFileDialog.getSaveFileName(self.w, title, os.path.join(self._dir(), default_name), filters)
        if path and not os.path.splitext(path)[1]:
            path += chosen[chosen.find("*.") + 1:chosen.find(")")].split()[0] if "*." in chosen else ""
        if path:
            self.w.settings.setValue("files/last_dir", os.path.dirname(path))
        return path

    def _ask_open(self, title: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self.w, title, self._dir(), filters)
        if path:
            self.w.settings.setValue("files/last_dir", os.path.dirname(path))
        return path

    def _call(self, slot: str, *args) -> None:
        """Queue a request to the worker thread (never run file work in the GUI thread)."""
        if slot in READS:
            self.w.begin_file_read(os.path.basename(str(args[0])))
        getattr(self.w, "file_requested").emit(slot, args)

    # actions --------------------------------------------------------------------------
    def open_session(self, path: str = "") -> None:
        self.w.guard.confirm("open another session", lambda: self._open(path))

    def _open(self, path: str) -> None:
        path = path or self._ask_open("Open session", SESSION_FILTER)
        if path:
            self._call("open_session", path)

    def save_session(self) -> bool:
        """Save to the session's file (or ask for one); False if the user cancelled."""
        if self.w.session_path:
            self._save_to(self.w.session_path)
            return True
        return self.save_session_as()

    def save_session_as(self) -> bool:
        path = self._ask_save("Save session", SESSION_FILTER, "session.nnviz")
        if path:
            self._save_to(path)
        return bool(path)

    def _save_to(self, path: str) -> None:
        extra = {"discretize": self.w.actions["discretize"].isChecked(),
                 "show_test": self.w.actions["show_test"].isChecked(),
                 "log_scale": self.w.actions["log_scale"].isChecked()}
        if self.w.classroom.current.active:      # hidden and locked controls go with the hand-out
            extra["classroom"] = self.w.classroom.current.to_dict()
        self._call("save_session", path, extra)

    def export_weights(self) -> None:
        path = self._ask_save("Export weights", WEIGHT_FILTER, "weights.json")
        if path and (not path.lower().endswith(".py") or self._may_replace(path)):
            self._call("export_weights", path)

    def _may_replace(self, script: str) -> bool:
        """A script export also writes its weights and data beside it; the file dialog asked
        only about the script, so ask before replacing those."""
        there = [os.path.basename(p) for p in companions(script, self.w.controls.config().optimizer)
                 if os.path.exists(p)]
        if not there:
            return True
        answer = QMessageBox.question(
            self.w, "Export PyTorch script",
            f"The script {os.path.basename(script)} comes with {' and '.join(there)} beside it, "
            f"which already exist{'s' if len(there) == 1 else ''}. Replace "
            f"{'it' if len(there) == 1 else 'them'}?",
            QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Yes

    def import_weights(self) -> None:
        self.w.guard.confirm("replace the weights", self._import_weights)

    def _import_weights(self) -> None:
        path = self._ask_open("Import weights", IMPORT_WEIGHT_FILTER)
        if path:
            self._call("import_weights", path)

    def export_history(self) -> None:
        path = self._ask_save("Export loss history", CSV_FILTER, "loss_history.csv")
        if path:
            self._call("export_history", path)

    def export_data(self) -> None:
        path = self._ask_save("Export data", CSV_FILTER, "data.csv")
        if path:
            self._call("export_data", path)

    def import_data(self) -> None:
        self.w.guard.confirm("replace the data", self._import_data)

    def _import_data(self) -> None:
        """Choose a file, then its columns (a dialog with a preview), then import it in the
        worker thread."""
        path = self._ask_open("Import data", IMPORT_CSV_FILTER)
        if not path:
            return
        ratio = self.w.latest.config.train_ratio if self.w.latest is not None else 50
        go_on, columns = ask_columns(self.w, path, ratio)
        if go_on:
            self._call("import_data", path, columns)

    def export_picture(self, view_name: str) -> None:
        path = self._ask_save(f"Export {view_name} picture", PICTURE_FILTER, f"{view_name}.png")
        if not path:
            return
        view = getattr(self.w, view_name)
        try:
            (view.export_svg if path.lower().endswith(".svg") else view.export_png)(path)
        except OSError as exc:   # strerror: the cause, not the name of a temporary file
            self.on_failed("export_picture", f"{path}: {exc.strerror or exc}")
        except (ValueError, RuntimeError) as exc:
            self.on_failed("export_picture", f"{path}: {exc}")
        else:
            self.w.show_message(f"Saved {path}")

    # outcomes -------------------------------------------------------------------------
    @Slot(str, str)
    def on_done(self, action: str, path: str) -> None:
        if self.w.closed:       # the answer came after the window closed: nothing to show it in
            return
        if action in READS:
            self.w.end_file_read()
        if action in ("save_session", "open_session"):
            self.w.session_path = path
            self.w.setWindowTitle(f"nnviz — {os.path.basename(path)}[*]")
            self.add_recent(path)
        if action == "open_session":
            self.w.session_opened()
        if action == "export_weights" and path.lower().endswith(".py"):
            action = "export_script"
        self.w.show_message({"save_session": "Saved session", "open_session": "Opened session",
                             "export_script": "Exported a PyTorch script with its weights and data",
                             "export_weights": "Exported weights", "import_weights": "Imported weights",
                             "export_history": "Exported loss history", "export_data": "Exported data",
                             "import_data": "Imported data"}.get(action, "Done") + f": {path}")

    @Slot(str, str)
    def on_failed(self, action: str, message: str) -> None:
        if self.w.closed:       # no dialog after the window closed: it would keep the process alive
            return
        if action in READS:
            self.w.end_file_read()
        self.w.show_message(f"Could not {action.replace('_', ' ')}.")
        self.w.last_error = message
        if not self.w.quiet_errors:
            QMessageBox.warning(self.w, "nnviz", f"Could not {action.replace('_', ' ')}:\n\n{message}\n\n"
                                "Nothing was changed.")

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.recent() if p != path]
        self.w.settings.setValue("files/recent", [path, *recent][:MAX_RECENT])
        self.fill_recent()

    def recent(self) -> list[str]:
        value = self.w.settings.value("files/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def fill_recent(self) -> None:
        menu = self.w.recent_menu
        menu.clear()
        for path in self.recent():
            act = menu.addAction(os.path.basename(path))
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_session(p))
        menu.setEnabled(bool(self.recent()))


def build_menus(w) -> dict[str, QAction]:
    """Create the menu bar; returns the named actions (tests and the window use them)."""
    files = FileActions(w)
    w.file_actions = files
    acts: dict[str, QAction] = {}
    bar = w.menuBar()
    m = bar.addMenu("&File")
    acts["open"] = _add(m, w, "&Open session…", lambda: files.open_session(), QKeySequence.Open)
    w.recent_menu = m.addMenu("Open &recent")
    files.fill_recent()
    acts["save"] = _add(m, w, "&Save session", files.save_session, QKeySequence.Save)
    acts["save_as"] = _add(m, w, "Save session &as…", files.save_session_as, "Ctrl+Shift+S")
    m.addSeparator()
    acts["import_weights"] = _add(m, w, "&Import weights…", files.import_weights, "Ctrl+I",
                                  "Load weights from .json or .npz into the current network")
    acts["export_weights"] = _add(m, w, "&Export weights…", files.export_weights, "Ctrl+E",
                                  "Write the weights as JSON, NumPy .npz, ONNX or safetensors, "
                                  "or a PyTorch script that trains on")
    pictures = m.addMenu("Export &picture")
    for name, title in (("topology", "Network graph"), ("surface", "Decision surface"),
                        ("curves", "Loss curves"), ("landscape", "Loss landscape")):
        _add(pictures, w, f"{title}…", lambda _=False, n=name: files.export_picture(n))
    acts["export_history"] = _add(m, w, "Export loss &history (CSV)…", files.export_history)
    m.addSeparator()
    acts["import_data"] = _add(m, w, "Import &data (CSV)…", files.import_data, tip=(
        "Read points from a CSV file: choose its x, y, label and train/test columns in a preview"))
    acts["export_data"] = _add(m, w, "Export da&ta (CSV)…", files.export_data)
    m.addSeparator()
    _add(m, w, "&Quit", w.close, QKeySequence.Quit)
    acts.update(build_edit_menu(w, bar))
    acts.update(build_draw_actions(w, w.edit_menu))

    t = bar.addMenu("&Training")
    acts["play"] = _add(t, w, "&Play / Pause", w.toggle_play, "Space")
    acts["step_batch"] = _add(t, w, "Step one mini-&batch", w.step_batch_requested.emit, "B")
    acts["step_epoch"] = _add(t, w, "Step one &epoch", w.step_epoch_requested.emit, "E")
    acts["reset"] = _add(t, w, "&Reset network", w.request_reset, "Ctrl+R")
    acts["regenerate"] = _add(t, w, "Re&generate data", w._regenerate, "Ctrl+G")
    acts["fastest"] = _add(t, w, "&Fastest / chosen pace", w.training_bar.toggle_fastest, "F")
    t.addSeparator()
    acts["explain"] = _add(t, w, "E&xplain the next step", w.explain_mode.toggle, "X",
                           "Walk through the next update: forward pass, loss, backpropagation and update")

    v = bar.addMenu("&View")
    acts["discretize"] = _add(v, w, "&Discretize output", w.surface.set_discretize, "D", checkable=True)
    acts["discretize"].toggled.connect(w.runs_view.set_discretize)
    acts["show_test"] = _add(v, w, "Show &test data", w.surface.set_show_test, "T", checkable=True)
    acts["highlight"] = _add(v, w, "&Highlight last mini-batch", w.surface.set_highlight_batch, "H",
                             checkable=True)
    acts["log_scale"] = _add(v, w, "&Log-scale loss", w.curves.set_log_scale, "L", checkable=True)
    acts["landscape"] = _add(v, w, "Loss lands&cape", w.show_landscape, "Ctrl+L",
                             "The loss over a plane through the weights, with the optimiser's path")
    links = v.addMenu("Link &colour")
    acts["links"] = links.menuAction()
    group = QActionGroup(w)
    for mode, label in LINK_MODES.items():
        acts[f"links_{mode}"] = act = _add(links, w, label, lambda on, m=mode: on and w.topology.set_link_mode(m),
                                           checkable=True)
        group.addAction(act)
    acts["links_weight"].setChecked(True)
    w.topology.link_mode_changed.connect(lambda m: acts[f"links_{m}"].setChecked(True))
    w.topology.link_mode_changed.connect(lambda m: w.settings.setValue("view/link_mode", m))
    remembered = str(w.settings.value("view/link_mode", "weight"))
    if remembered in LINK_MODES:
        w.topology.set_link_mode(remembered)
    for name in ("discretize", "show_test", "highlight", "log_scale"):
        acts[name].toggled.connect(lambda _=False: w.repaint_views())
    acts["highlight"].setChecked(True)

    acts.update(w.run_controls.build_menu(bar, _add))

    h = bar.addMenu("&Help")
    _add(h, w, "&Keyboard shortcuts", lambda: QMessageBox.information(w, "Keyboard shortcuts", SHORTCUTS))
    _add(h, w, "&About nnviz", lambda: QMessageBox.about(w, "About nnviz", ABOUT))
    return acts


SHORTCUTS = """Space\tPlay / pause
B\tStep one mini-batch
E\tStep one epoch
F\tFastest, and back to the chosen pace
Ctrl+R\tReset the network
Ctrl+G\tRegenerate the data
X\tExplain the next step: \u2190 \u2192 stages, \u2191 \u2193 points, A batch average,
\tEnter apply, Esc leave; click a training point to follow it
D / T / H / L\tDiscretize / test data / batch highlight / log scale
P\tDraw points: click, drag; right-drag or Shift-drag erases
Ctrl+O / Ctrl+S\tOpen / save a session
Ctrl+E / Ctrl+I\tExport / import weights
Ctrl+Z / Ctrl+Shift+Z\tUndo / redo a weight or bias edit, or a stroke of points
Ctrl+D	A run side by side
Alt+Left / Alt+Right	Look back / forward one checkpoint of the timeline
Esc or Alt+End	Back to the live run
Hover a link or neuron to read it; click to edit; wheel to nudge."""

ABOUT = ("<b>nnviz</b><br>Watch a small neural network learn, and steer it while it learns."
         "<br><br>A desktop take on TensorFlow Playground.")
