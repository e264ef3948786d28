"""MainWindow: the only place where the views meet the worker.

Controls and views emit requests; the window forwards them to the worker as queued
calls. The worker answers with Snapshots; the window keeps only the newest one and
paints it on its own timer (<= 60 Hz), so a fast trainer never floods the GUI.

The worker's settings are the one source of truth: a control sends the fields it
changed, which the worker applies to the settings it runs, and while a file is being
read into the session (open, import) the controls that would change it are locked.
See nnviz.worker.training for when each request takes effect.
"""

from __future__ import annotations

import random
import time

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.learn.classroom import Classroom
from nnviz.core.snapshot import Snapshot
from nnviz.gui.controls.panel import ControlsPanel
from nnviz.gui.views.curves import CurvesView
from nnviz.gui.views.explain import ExplainPanel
from nnviz.gui.views.landscape.view import LandscapeView
from nnviz.gui.views.surface import SurfaceView
from nnviz.gui.views.topology.view import TopologyView
from nnviz.gui.window.panels import PanelsMixin
from nnviz.gui.window.placement import place
from nnviz.gui.window.remember import RememberMixin
from nnviz.gui.window.requests import RequestsMixin
from nnviz.gui.window.runs import RunControls
from nnviz.gui.window.stroke_undo import StrokeHistory
from nnviz.gui.window.training_bar import TrainingBar
from nnviz.gui.window.undo import EditHistory
from nnviz.gui.window.unsaved import DISCARD, SAVE, UnsavedGuard

PAINT_MS = 16
CURVES_MS = 100   # while playing, the curves repaint at most 10 times a second
GRAPH_SHARE = 0.4  # while playing, the network graph takes at most about this share of the time


class MainWindow(RequestsMixin, PanelsMixin, RememberMixin, QMainWindow):
    """The application window.

    Signals (requests to the worker, queued across the thread):
        config_requested(dict changes, Config shown), play_requested(), pause_requested(),
        step_batch_requested(), step_epoch_requested(), reset_requested(),
        regenerate_requested(int), speed_requested(float),
        weight_edit_requested(int layer, int dst, int src, float value, int network),
        bias_edit_requested(int layer, int neuron, float value, int network),
        points_add_requested(float, float, float), points_erase_requested(float, float, float):
            one point, as a stroke of one,
        stroke_add_requested(object xy, object labels), stroke_erase_requested(object path,
            float radius), points_clear_requested(): strokes drawn on the surface,
        file_requested(str, tuple), release_requested(int),
        edit_replay_requested(object), stroke_replay_requested(object): an undo or redo
            (see undo.py and stroke_undo.py),
        explain_requested(object): explain the next update (None) or one from a list of points,
        explain_apply_requested(str): make the explained update (its state key),
        landscape_requested(object): the landscape panel's settings
    Events:
        snapshot_painted(int): the seq of a Snapshot just painted.
    """

    config_requested = Signal(object, object)
    play_requested = Signal()
    pause_requested = Signal()
    step_batch_requested = Signal()
    step_epoch_requested = Signal()
    reset_requested = Signal()
    regenerate_requested = Signal(int)
    speed_requested = Signal(float)
    weight_edit_requested = Signal(int, int, int, float, int)
    bias_edit_requested = Signal(int, int, float, int)
    points_add_requested = Signal(float, float, float)
    points_erase_requested = Signal(float, float, float)
    stroke_add_requested = Signal(object, object)
    stroke_erase_requested = Signal(object, float)
    points_clear_requested = Signal()
    stroke_replay_requested = Signal(object)
    snapshot_painted = Signal(int)
    stop_requested = Signal()
    file_requested = Signal(str, object)
    release_requested = Signal(int)
    explain_requested = Signal(object)
    explain_apply_requested = Signal(str)
    edit_replay_requested = Signal(object)
    landscape_requested = Signal(object)

    def __init__(self, config: Config | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else QSettings("nnviz", "nnviz")
        if self.settings.parent() is None:
            # deleted with the window, in the GUI thread, not by Python's cyclic collector
            self.settings.setParent(self)
        self.setWindowTitle("nnviz[*]")         # [*]: Qt's unsaved mark, see setWindowModified
        self._close_confirmed = False           # the user already chose to quit
        self.latest: Snapshot | None = None     # newest Snapshot received
        self.painted_seq = 0                    # seq of the Snapshot on screen
        self._curves_painted = 0.0              # perf_counter of the last curves repaint
        self._graph_painted = 0.0               # and of the network graph
        self._graph_cost = 0.0                  # seconds a graph repaint takes, running estimate
        self._painted_at = 0.0                  # perf_counter of the last repaint
        self.session_path: str | None = None
        self.last_error = ""                    # the last file error shown to the user
        self.quiet_errors = False               # tests: no modal message box
        self.closed = False                     # closing began: no dialog may open any more
        self.file_reads = 0                     # file reads in flight (open, import): settings locked
        self._holds = 0                         # passes of the event loop that sent requests
        self._holding = False
        self._rng = random.Random()
        self._build(config or self.remembered_config())
        self._build_worker(self.controls.config())
        self.undo_stack = QUndoStack(self)      # hand edits; undo.py says what undo means
        from nnviz.gui.window.classroom import ClassroomMode, PresentationMode
        from nnviz.gui.window.explain_mode import ExplainMode
        from nnviz.gui.window.lessons_menu import build_lessons_menu
        from nnviz.gui.window.lessons_mode import LessonsMode
        from nnviz.gui.window.menus import build_menus
        self.explain_mode = ExplainMode(self)
        self.actions = build_menus(self)
        self.classroom = ClassroomMode(self)            # hides and locks controls for a class
        self.presentation = PresentationMode(self)      # full screen, larger text (F11)
        self.lessons = LessonsMode(self)                # the lessons panel and its runs
        self.actions.update(build_lessons_menu(self))
        self.edit_history = EditHistory(self)
        self.stroke_history = StrokeHistory(self)
        self.guard = UnsavedGuard(self)         # after the File menu: it acts once a save is handled
        self._timer = QTimer(self)
        self._timer.setInterval(PAINT_MS)
        self._timer.timeout.connect(self.paint_latest)
        self._timer.start()
        self._restore_view_settings()
        place(self, self.screen(), self.settings.value("window/geometry"))

    # -- construction -----------------------------------------------------------------
    def _build(self, config: Config) -> None:
        self.controls = ControlsPanel()
        self.controls.set_config(config)
        self.training_bar = TrainingBar()
        self.topology = TopologyView()
        self.surface = SurfaceView()
        self.curves = CurvesView()
        self.run_controls = RunControls(self)    # the timeline bar and the runs side by side
        self.timeline = self.run_controls.timeline
        self.runs_view = self.run_controls.runs
        self.explain_panel = ExplainPanel()
        self.landscape = LandscapeView()
        self._build_banner()
        body = self._build_panels()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        lay.addWidget(body, 1)
        self.setCentralWidget(central)
        self._build_bar_holder()
        self.statusBar().showMessage("Starting…")
        self.engine_label = QLabel()   # what the training kernel is doing, while that matters
        self.engine_label.setStyleSheet("color: #555; padding: 0 6px;")
        self.statusBar().addPermanentWidget(self.engine_label)
        self.engine_label.hide()

        self.controls.settings_changed.connect(self._settings_changed)
        self.controls.regenerate_requested.connect(self._regenerate)
        self.training_bar.play_toggled.connect(self._play_toggled)
        self.training_bar.step_batch_requested.connect(self.step_batch_requested)
        self.training_bar.step_epoch_requested.connect(self.step_epoch_requested)
        self.training_bar.reset_requested.connect(self.request_reset)
        self.training_bar.speed_changed.connect(self.speed_requested)
        self.topology.weight_edit_requested.connect(
            lambda layer, dst, src, value, net: self.request_edit(("weight", layer, dst, src), value, net))
        self.topology.bias_edit_requested.connect(
            lambda layer, neuron, value, net: self.request_edit(("bias", layer, neuron), value, net))
        self.topology.neuron_hovered.connect(self._neuron_hovered)
        self.topology.message_posted.connect(self.show_message)
        # strokes go through _data_edit: refused while a file is being read into the session
        self.surface.points_add_requested.connect(lambda *a: self._data_edit(self.stroke_add_requested, a))
        self.surface.points_erase_requested.connect(lambda *a: self._data_edit(self.stroke_erase_requested, a))
        self.surface.points_clear_requested.connect(lambda: self._data_edit(self.points_clear_requested, ()))
        self.lower_tabs.currentChanged.connect(self._lower_tab_changed)
        self.landscape.settings_changed.connect(self.landscape_requested)
        self.landscape.pick_requested.connect(self.topology.set_pick_mode)
        self.landscape.marks_changed.connect(self.topology.set_marks)
        self.topology.parameter_picked.connect(self._parameter_picked)

    # -- worker -> GUI ----------------------------------------------------------------
    @Slot(object)
    def receive_snapshot(self, snap: Snapshot) -> None:
        """Keep only the newest Snapshot; painting happens on the timer."""
        if self.latest is None:
            self.statusBar().showMessage("Ready", 3000)
        self.latest = snap
        self.setWindowModified(snap.unsaved)
        self.edit_history.follow(snap.network_id)
        if time.perf_counter() - self._painted_at >= PAINT_MS / 1000:
            self.paint_latest()  # a frame interval has passed: no need to wait for the tick

    @Slot()
    def paint_latest(self) -> None:
        snap = self.latest
        if snap is None or snap.seq == self.painted_seq:
            return
        self.painted_seq = snap.seq
        self._painted_at = time.perf_counter()
        self.training_bar.show_snapshot(snap)
        self.run_controls.show_snapshot(snap)
        self._paint_graph(snap)
        self.surface.set_snapshot(snap)
        self.surface.paint()
        # a curve over thousands of epochs gains nothing from 60 Hz; the surface does
        now = time.perf_counter()
        if not snap.playing or now - self._curves_painted >= CURVES_MS / 1000:
            self._curves_painted = now
            self.curves.set_snapshot(snap)
            self.curves.paint()
        if self.banner.isVisible() and not snap.diverged and snap.network_id != self._banner_network:
            self.banner.hide()   # about a network that has since been rebuilt
        self.snapshot_painted.emit(snap.seq)

    def _paint_graph(self, snap: Snapshot) -> None:
        """The network graph, every frame unless its repaints would take more than
        GRAPH_SHARE of the time while playing: the 336 pictures and 9,472 links of 10
        layers of 32 then refresh 20-30 times a second and leave the surface its 30 and
        more. Paused, stepped or edited, it is always repainted at once."""
        now = time.perf_counter()
        if snap.playing and now - self._graph_painted < self._graph_cost / GRAPH_SHARE:
            return
        self.topology.set_snapshot(snap)
        self.topology.paint()
        # the view's own repaint, later in the event loop, costs about as much again
        self._graph_cost = 0.7 * self._graph_cost + 0.3 * 2.0 * (time.perf_counter() - now)
        self._graph_painted = now

    @Slot(object)
    def receive_landscape(self, result) -> None:
        """A landscape refresh (a few a second at most): draw it at once. (Defined here, on
        the QObject class itself: a slot of a plain mixin is not in Qt's meta-object, so the
        worker's signal would call it directly, in the worker thread.)"""
        self.landscape.set_landscape(result)
        self.landscape.paint()

    @Slot(str)
    def show_problem(self, text: str) -> None:
        """A message the user must see: the banner stays until dismissed or Reset."""
        self.banner_text.setText(text)
        self._banner_network = self.latest.network_id if self.latest is not None else 0
        self.banner.show()
        self.statusBar().showMessage(text.split(".")[0], 8000)

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def session_opened(self) -> None:
        """A session was loaded by the worker: show its view settings and its classroom
        choice (an open lesson is left: the network is the session's now)."""
        extra = self.worker.session_extra or {}
        for name in ("discretize", "show_test", "log_scale"):
            if name in extra:
                self.actions[name].setChecked(bool(extra[name]))
        self.lessons.close_lesson()
        try:
            room = Classroom.from_dict(extra.get("classroom"), "its classroom settings")
        except FormatError as exc:
            self.show_problem(f"The session opened, but {exc}; they were left as they were.")
        else:
            self.classroom.apply(room)

    @Slot(str)
    def _engine_changed(self, text: str) -> None:
        self.engine_label.setText(text)
        self.engine_label.setToolTip(text)
        self.engine_label.setVisible(bool(text))

    @Slot(object)
    def _config_replaced(self, config: Config) -> None:
        """The worker changed the settings (custom data, a session): show them, or the next
        edit in the controls would send the old data set back and drop the user's points."""
        self.controls.set_config(config)

    def repaint_views(self) -> None:
        """Repaint now (a view option changed while paused)."""
        self.painted_seq = -1
        self.paint_latest()

    # -- GUI -> worker ----------------------------------------------------------------
    @Slot(bool)
    def _play_toggled(self, playing: bool) -> None:
        (self.play_requested if playing else self.pause_requested).emit()

    def toggle_play(self) -> None:
        playing = bool(self.latest and self.latest.playing)
        self.training_bar.set_playing(not playing)
        (self.pause_requested if playing else self.play_requested).emit()

    @Slot()
    def request_reset(self) -> None:
        """Reset, as the user asks for it: first the question about unsaved work (and not
        while a file is being read into the session)."""
        if not self.file_reads:
            self.guard.confirm("reset the network", self.reset_requested.emit)

    @Slot()
    def _regenerate(self) -> None:
        if not self.file_reads:
            self.regenerate_requested.emit(self._rng.randrange(2**31))

    @Slot(int, int)
    def _neuron_hovered(self, layer: int, index: int) -> None:
        self.surface.show_neuron(layer, index if layer >= 0 else None)
        if self.latest is not None:
            self.surface.paint()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Escape ends a look back in time (keys a focused editor takes never come here)."""
        if event.key() == Qt.Key_Escape and self.run_controls.looking():
            self.run_controls.live_requested.emit()
            return
        super().keyPressEvent(event)

    # -- shutdown ---------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the worker and wait for its thread (well under a second)."""
        if self.thread.isRunning():
            # queued: runs between two chunks, stops the timer in its own thread, then quits
            self.stop_requested.emit()
            if not self.thread.wait(2000):
                self.thread.quit()
                self.thread.wait(1000)

    def close_without_asking(self) -> None:
        """Close even with unsaved work (the user chose, or a script such as the bench)."""
        self._close_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_confirmed:
            choice = self.guard.choose("quit")
            if choice != DISCARD:
                event.ignore()           # Cancel: nothing happens; Save: close once it is saved
                if choice == SAVE:
                    self.guard.save_then(lambda: QTimer.singleShot(0, self.close_without_asking))
                return
        self._close_confirmed = True
        self._remember()
        self.closed = True      # answers still queued for this window must open no dialog
        self._timer.stop()
        self.shutdown()
        super().closeEvent(event)
