"""No Qt object may be left for Python's cyclic garbage collector.

The collector runs in whichever thread crosses its threshold, the worker's as often as the
GUI's. A Qt object it frees is deleted in that thread: a widget deleted from the worker
thread, or the worker's timer from the GUI thread, and Qt can deadlock or crash. So every
scenario below drops its Qt objects by reference count alone; the collector (switched off
while a scenario runs) then finds no live, Python-owned Qt object in its garbage.
"""

from __future__ import annotations

import gc
import importlib

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog
from shiboken6 import Shiboken

from helpers.files import run_file, watch
from helpers.qt_cycles import qt_garbage
from helpers.window import START_MS, act_and_wait, pause
from nnviz.core.config import Config
from nnviz.gui.window.main_window import MainWindow


@pytest.fixture
def collector_off():
    """The collector stays off while a scenario runs, so its garbage is there to inspect."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def clean(step: str) -> list[str]:
    """The offenders of one step, each named after the step."""
    return [f"{step}: {line}" for line in qt_garbage()]


def assert_clean(offenders: list[str]) -> None:
    assert not offenders, "Qt objects left in reference cycles:\n" + "\n".join(offenders)


def delete_now(obj) -> None:
    """What closing a window or a panel does in the app: deleteLater, and the event loop."""
    obj.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


class Escape(QObject):
    """Presses Escape on every modal dialog that opens (a real one, run by its own exec)
    and notes the dialog's type."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._reject)
        self._timer.start()

    @Slot()
    def _reject(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QDialog):
            self.seen.append(type(box).__name__)
            box.reject()


def test_the_surface_view_alone_leaves_no_qt_object_in_cycles(qtbot, collector_off):
    """The first case seen: the drawing tool's event filter outlived its Python side."""
    from nnviz.gui.views.demo_snapshot import make_snapshot
    from nnviz.gui.views.surface.view import SurfaceView
    view = SurfaceView()
    view.set_snapshot(make_snapshot(n_classes=2))
    view.set_drawing(True)
    view.paint()
    view.show()
    view.close()
    del view
    assert_clean(clean("surface view"))


PANELS = [("nnviz.gui.views.lessons.panel", "LessonsPanel"), ("nnviz.gui.views.curves.view", "CurvesView"),
          ("nnviz.gui.views.explain.panel", "ExplainPanel"), ("nnviz.gui.views.runs", "RunsView"),
          ("nnviz.gui.views.topology.view", "TopologyView"), ("nnviz.gui.views.landscape.view", "LandscapeView"),
          ("nnviz.gui.views.timeline", "TimelineBar"), ("nnviz.gui.window.training_bar", "TrainingBar"),
          ("nnviz.gui.controls.panel", "ControlsPanel")]


@pytest.mark.parametrize("module, name", PANELS, ids=[name for _, name in PANELS])
def test_each_panel_alone_leaves_no_qt_object_in_cycles(qtbot, collector_off, module, name):
    """Made, fed a made-up Snapshot where it takes one, shown, closed, dropped."""
    from nnviz.gui.views.demo_snapshot import make_snapshot
    panel = getattr(importlib.import_module(module), name)()
    if hasattr(panel, "set_snapshot"):
        panel.set_snapshot(make_snapshot(n_classes=2))
    panel.show()
    qtbot.waitExposed(panel)
    panel.close()
    del panel
    assert_clean(clean(name))


def test_a_picture_export_leaves_no_qt_object_in_cycles(qtbot, tmp_path, collector_off):
    """pyqtgraph's PNG exporter builds its options as a tree of Parameters, each a QObject
    that refers to its parent: the export deletes them itself."""
    from nnviz.gui.views.curves.view import CurvesView
    from nnviz.gui.views.demo_snapshot import make_snapshot
    view = CurvesView()
    view.set_snapshot(make_snapshot(n_classes=2))
    view.show()
    qtbot.waitExposed(view)
    gc.collect()
    view.export_png(tmp_path / "c.png")
    view.export_svg(tmp_path / "c.svg")
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_clean(clean("export"))
    view.close()


def test_curves_taken_out_of_a_legend_are_not_left_to_the_collector(qtbot):
    """pyqtgraph's legend keeps its old entries (hidden) and their items in its cycles: a
    gradient curve taken out when the layers change is deleted at once, and the "dashed:
    train" sample of runs side by side is a child of the legend, deleted with it."""
    from nnviz.gui.views.curves.view import CurvesView
    from nnviz.gui.views.demo_snapshot import make_snapshot, with_runs
    view = CurvesView()
    qtbot.addWidget(view)
    view.set_snapshot(with_runs(make_snapshot(hidden=(4, 2))))
    view.paint()
    old = list(view.grad_plot.curves)
    view.set_snapshot(make_snapshot(hidden=(3,)))
    view.paint()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert len(old) == 3 and len(view.grad_plot.curves) == 2
    assert not any(Shiboken.isValid(c) for c in old)
    hint = view.runs._hint
    assert hint.parentItem() is view.runs.legend and not Shiboken.ownedByPython(hint)


class GuiSide(QObject):
    """What the window is to the worker: asks it to stop, hears it in the GUI thread
    (qtbot.waitSignal on a worker's signal would run its own timer's slot in the worker)."""

    stop_requested = Signal()

    def __init__(self, worker):
        super().__init__()
        self.snapshots, self.stopped = 0, False
        worker.snapshot_ready.connect(self.snapshot)
        worker.stopped.connect(self.stop)
        self.stop_requested.connect(worker.stop)

    @Slot(object)
    def snapshot(self, _snap) -> None:
        self.snapshots += 1

    @Slot()
    def stop(self) -> None:
        self.stopped = True


def test_the_worker_alone_leaves_no_qt_object_in_cycles(qtbot, collector_off):
    """Created, started, stopped, dropped: the worker and its timers are deleted in the
    worker thread as it finishes, the thread object by reference count here."""
    from nnviz.worker.training import start_worker
    worker, thread = start_worker(Config())
    gui = GuiSide(worker)
    thread.start()
    qtbot.waitUntil(lambda: gui.snapshots > 0, timeout=START_MS)
    gui.stop_requested.emit()
    qtbot.waitUntil(lambda: gui.stopped, timeout=10_000)
    assert thread.wait(5_000)
    assert not Shiboken.isValid(worker)       # deleted in its own thread, not left for later
    del worker, thread, gui
    assert_clean(clean("worker alone"))


def test_a_session_of_the_window_leaves_no_qt_object_in_cycles(qtbot, tmp_path, dialogs, collector_off):
    """Open, play, runs side by side, landscape, explain, drawing, a lesson, undo and redo,
    files, every dialog the menus open, close: after each step, nothing for the collector."""
    offenders: list[str] = []
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(Config(), settings=settings)
    del settings                                   # the window's own from here on
    w.quiet_errors = True
    w.show()
    qtbot.waitUntil(lambda: w.latest is not None, timeout=START_MS)
    offenders += clean("open")

    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 3, timeout=30_000)
    pause(qtbot, w)
    offenders += clean("play and pause")

    act_and_wait(qtbot, w, w.actions["classic"].trigger, lambda s: len(s.runs) == 3)
    act_and_wait(qtbot, w, w.actions["remove_run"].trigger, lambda s: len(s.runs) == 2)
    act_and_wait(qtbot, w, w.actions["keep_only"].trigger, lambda s: len(s.runs) == 0)
    offenders += clean("runs side by side")

    w.show_landscape()
    qtbot.waitUntil(lambda: w.landscape._result is not None and not w.landscape._dirty, timeout=60_000)
    w.lower_tabs.setCurrentIndex(0)
    offenders += clean("landscape")

    w.explain_mode.toggle()
    qtbot.waitUntil(lambda: w.explain_mode.exp is not None, timeout=30_000)
    w.explain_mode.toggle()
    offenders += clean("explain mode")

    w.actions["draw"].trigger()
    w.actions["draw"].trigger()
    offenders += clean("drawing mode")

    w.lessons.open_key("builtin:learning-rate")
    qtbot.waitUntil(lambda: w.lessons.phase == "ready", timeout=30_000)
    w.lessons.close_lesson()
    offenders += clean("lesson")

    n = len(w.latest.train_x)
    act_and_wait(qtbot, w, lambda: w.surface.points_add_requested.emit(np.array([[3.0, 3.0]]), np.array([1.0])),
                 lambda s: len(s.train_x) == n + 1)
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1)
    act_and_wait(qtbot, w, w.actions["undo"].trigger, lambda s: len(s.train_x) == n)
    act_and_wait(qtbot, w, w.actions["redo"].trigger, lambda s: len(s.train_x) == n + 1)
    offenders += clean("undo and redo")

    watch(w)
    dialogs.choose(tmp_path / "w.json")
    assert run_file(qtbot, w, w.actions["export_weights"].trigger)[0] == "done"
    (tmp_path / "bad.csv").write_text("not,a\ndata set")
    dialogs.choose(tmp_path / "bad.csv")
    assert run_file(qtbot, w, w.actions["import_data"].trigger)[0] == "failed"
    offenders += clean("file dialogs")

    escape = Escape()
    for name in ("compare", "classroom", "open_lesson"):
        w.actions[name].trigger()
    help_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Help")
    for act in help_menu.actions():
        if act.text() in ("&Keyboard shortcuts", "&About nnviz"):
            act.trigger()
    assert escape.seen == ["CompareDialog", "ClassroomDialog", "QFileDialog", "QMessageBox", "QMessageBox"]
    del escape
    offenders += clean("dialogs")

    w.close_without_asking()
    delete_now(w)
    del w
    offenders += clean("close")
    assert_clean(offenders)
