"""GUI benchmark: the real MainWindow and worker, offscreen.

gui.first_frame: seconds from showing the window to its first painted Snapshot (warm cache);
gui.play.X: epochs/s while playing network X at full speed (Fastest) for a fixed time;
gui.fps.X: repaints/s of the decision surface in that time;
gui.gap.C: the longest interval between two repaints of the window in that time, ms
    (network C: 10 hidden layers of 32, all features, 10,000 points);
gui.cpu.C: CPU ms the GUI thread spends per repaint of network C (steadier than frames/s
    on a busy machine);
gui.play.A3 / gui.fps.A3 / gui.cpu.A3: the same with three runs of network A side by side
    (SGD, momentum, Adam): epochs/s of each run; frames/s and GUI CPU ms per frame, a frame
    counted once the runs' small panels were drawn with it too;
gui.starved: the share of the time the playing threads were ready to run but waited for a
    CPU taken by other programs, the most of the three runs (Linux only): the figures above
    hold for a machine that lets nnviz run only when this is near 0;
gui.edit_latency: ms from a weight edit request (paused, network B) to the repainted surface
    (.C: network C, whose edit also scores 10,000 points);
gui.export_svg: ms to export the decision surface (500 points, test data shown) as an SVG
that librsvg draws right, written atomically (median of 5);
gui.pause_after_import: ms from Pause to the paused frame on screen, pressed as soon as a
    100,000-row data set imported while playing network A is shown (the first chunk after
    a change must be small, or Pause waits for tens of long epochs).
gui.*.B.landscape: the same play of network B with the loss-landscape panel on screen, so
its plane (41 x 41, the path's principal components) and slice refresh live meanwhile;
gui.landscape.B: how many of those refreshes reached the panel per second.
"""

from __future__ import annotations

import gc
import glob
import os
import statistics
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from nnviz.core import compiled  # noqa: E402
from nnviz.core.config import FEATURES, Config  # noqa: E402
from nnviz.gui.window.training_bar import FASTEST  # noqa: E402

NETWORK_A = Config()
NETWORK_B = Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6)
NETWORK_C = NETWORK_B.replace(hidden_layers=(32,) * 10, n_points=10_000)


def _wait(app, cond, timeout_s: float) -> bool:
    """Run the real event loop (as app.exec does) until cond() holds or time is up."""
    from PySide6.QtCore import QEventLoop, QTimer

    if cond():
        return True
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: cond() and loop.quit())
    poll.start(20)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    poll.stop()
    return cond()


def _sched() -> dict[int, tuple[float, float]]:
    """Thread id -> (seconds run, seconds ready but waiting for a CPU); {} off Linux."""
    out = {}
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/schedstat"):
        try:
            with open(path) as f:
                run, wait, _ = f.read().split()
        except (OSError, ValueError):
            continue
        out[int(path.split("/")[-2])] = (int(run) / 1e9, int(wait) / 1e9)
    return out


def _window(config: Config):
    """A window on fresh settings, at the size every figure was measured at (1500 x 920; the
    offscreen screen is only 800 x 600, where it would open maximised); returns it and its
    settings, to clear afterwards."""
    from PySide6.QtCore import QSettings, Qt

    from nnviz.gui.window.main_window import MainWindow

    settings = QSettings(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".bench.ini"),
                         QSettings.IniFormat)
    settings.clear()
    w = MainWindow(config, settings=settings)
    w.quiet_errors = True
    w.setWindowState(Qt.WindowNoState)
    w.resize(1500, 920)
    return w, settings


def _play(app, config: Config, seconds: float, runs: int = 1, landscape: bool = False) -> dict[str, float]:
    """Playing at full speed: epochs/s, surface repaints/s, the longest ms between two
    painted frames, the GUI thread's CPU ms per repaint and the share of time starved.
    runs > 1: that many runs side by side (SGD, momentum, Adam); landscape=True: with the
    loss-landscape panel on screen, and its refreshes/s."""
    w, settings = _window(config)
    w.show()
    if not _wait(app, lambda: w.latest is not None and compiled.available(), 60):
        raise RuntimeError("the worker did not start, or its kernel did not load")
    if runs > 1:
        w.run_controls.add_classic()
        if not _wait(app, lambda: len(w.latest.runs) == runs, 10):
            raise RuntimeError("the runs side by side did not start")
    if landscape:
        w.show_landscape()
        if not _wait(app, lambda: w.landscape.paint_count > 0, 60):
            raise RuntimeError("the landscape did not arrive")
    gc.freeze()                             # as the application does once its window is up
    w.training_bar.speed.setCurrentIndex(FASTEST)   # the default pace is one epoch a frame
    w.toggle_play()
    _wait(app, lambda: w.latest.playing, 10)
    _wait(app, lambda: False, 1.0)          # past the first frames of the run
    start_epoch, start_paint, start_ls = w.latest.epoch, w.surface.paint_count, w.landscape.paint_count
    start_panels = w.runs_view.paint_count
    stamps: list[float] = []
    w.snapshot_painted.connect(lambda _seq: stamps.append(time.perf_counter()))
    s0, t0 = _sched(), time.perf_counter()
    _wait(app, lambda: False, seconds)
    s1, elapsed = _sched(), time.perf_counter() - t0
    epochs = w.latest.epoch - start_epoch
    paints = w.surface.paint_count - start_paint
    if runs > 1:        # a frame counts once the runs' panels were drawn with it too
        paints = min(paints, w.runs_view.paint_count - start_panels)
    refreshes = w.landscape.paint_count - start_ls
    gap = max(((b - a) for a, b in zip([t0, *stamps], [*stamps, time.perf_counter()])), default=elapsed)
    w.close_without_asking()   # a benchmark has no work to save
    settings.clear()
    spent = {tid: (run - s0.get(tid, (0, 0))[0], wait - s0.get(tid, (0, 0))[1]) for tid, (run, wait) in s1.items()}
    busy = [(run, wait) for run, wait in spent.values() if run > 0.05 * elapsed]     # GUI and worker
    gui_run = spent.get(threading.main_thread().native_id, (float("nan"), 0))[0]
    return {"play": epochs / elapsed, "fps": paints / elapsed, "gap": 1000.0 * gap, "refresh": refreshes / elapsed,
            "cpu": 1000.0 * gui_run / max(paints, 1),
            "starved": 100.0 * sum(q for _, q in busy) / max(sum(r + q for r, q in busy), 1e-9) if busy else 0.0}


def _edit_latency(app, config: Config = NETWORK_B, repeats: int = 30) -> float:
    w, settings = _window(config)
    w.show()
    _wait(app, lambda: w.latest is not None, 60)
    times = []
    for k in range(repeats):
        value = 0.1 + 0.01 * k
        seq = w.latest.seq
        count = w.surface.paint_count
        t0 = time.perf_counter()
        w.request_edit(("weight", 2, 1, 3), value, w.latest.network_id)
        _wait(app, lambda: w.latest.seq > seq and w.surface.paint_count > count, 5)
        times.append((time.perf_counter() - t0) * 1000)
        assert w.latest.weights[2][1, 3] == value
    w.close_without_asking()   # a benchmark has no work to save
    settings.clear()
    return statistics.median(times)


def _first_frame(app) -> float:
    """Seconds from show() to the first painted Snapshot, with numba's cache warm (a normal start)."""
    w, settings = _window(NETWORK_A)
    t0 = time.perf_counter()
    w.show()
    _wait(app, lambda: w.latest is not None and w.painted_seq == w.latest.seq, 60)
    elapsed = time.perf_counter() - t0
    w.close_without_asking()
    settings.clear()
    return elapsed


def _export_svg(repeats: int = 5) -> float:
    import tempfile

    from nnviz.gui.views.demo_snapshot import make_snapshot
    from nnviz.gui.views.surface import SurfaceView

    view = SurfaceView()
    view.resize(600, 600)
    view.show()
    view.set_show_test(True)
    view.set_snapshot(make_snapshot(n_classes=2, n_points=500))
    view.paint()
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            t0 = time.perf_counter()
            view.export_svg(os.path.join(folder, "surface.svg"))
            times.append((time.perf_counter() - t0) * 1000)
    view.close()
    return statistics.median(times)


def _pause_after_import(app, repeats: int = 3, rows: int = 100_000) -> float:
    import shutil
    import tempfile

    import numpy as np
    from PySide6.QtCore import QSettings

    from nnviz.gui.window.main_window import MainWindow

    folder = tempfile.mkdtemp(prefix="nnviz-bench-")
    paths = {}
    for name, n in (("small", 500), ("big", rows)):
        pts = np.random.default_rng(n).uniform(-5, 5, (n, 2))
        table = np.column_stack([pts, (pts[:, 0] * pts[:, 1] > 0).astype(float)])
        paths[name] = os.path.join(folder, f"{name}.csv")
        np.savetxt(paths[name], table, delimiter=",", header="x,y,label", comments="",
                   fmt=("%.17g", "%.17g", "%d"))
    settings = QSettings(os.path.join(folder, "bench.ini"), QSettings.IniFormat)
    w = MainWindow(NETWORK_A, settings=settings)
    w.quiet_errors = True
    w.resize(1500, 920)
    w.show()
    _wait(app, lambda: w.latest is not None, 60)
    times = []
    for _ in range(repeats):
        w.file_requested.emit("import_data", (paths["small"],))
        _wait(app, lambda: len(w.latest.train_x) == 250, 30)
        if not w.latest.playing:
            w.toggle_play()
        epoch = w.latest.epoch
        _wait(app, lambda: w.latest.playing and w.latest.epoch > epoch + 300, 30)   # the box knows small epochs
        w.file_requested.emit("import_data", (paths["big"],))
        _wait(app, lambda: len(w.latest.train_x) == rows // 2 and w.painted_seq == w.latest.seq, 60)
        seq, t0 = w.latest.seq, time.perf_counter()
        w.pause_requested.emit()
        _wait(app, lambda: w.latest.seq > seq and not w.latest.playing and w.painted_seq == w.latest.seq, 30)
        times.append((time.perf_counter() - t0) * 1000)
        w.toggle_play()
    w.close_without_asking()   # a benchmark has no work to save
    shutil.rmtree(folder, ignore_errors=True)
    return statistics.median(times)


def run(seconds: float = 10.0) -> list[tuple[str, float, str]]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    rows = [("gui.first_frame", _first_frame(app), "s")]
    starved = 0.0
    for name, config, runs in (("A", NETWORK_A, 1), ("B", NETWORK_B, 1), ("C", NETWORK_C, 1), ("A3", NETWORK_A, 3)):
        got = _play(app, config, seconds, runs)
        rows += [(f"gui.play.{name}", got["play"], "epochs/s"), (f"gui.fps.{name}", got["fps"], "frames/s")]
        if name == "C":
            rows += [("gui.gap.C", got["gap"], "ms"), ("gui.cpu.C", got["cpu"], "ms")]
        if name == "A3":
            rows.append(("gui.cpu.A3", got["cpu"], "ms"))
        starved = max(starved, got["starved"])
    rows.append(("gui.starved", starved, "%"))
    got = _play(app, NETWORK_B, seconds, landscape=True)
    rows += [("gui.play.B.landscape", got["play"], "epochs/s"), ("gui.fps.B.landscape", got["fps"], "frames/s"),
             ("gui.landscape.B", got["refresh"], "refresh/s")]
    rows.append(("gui.edit_latency", _edit_latency(app), "ms"))
    rows.append(("gui.edit_latency.C", _edit_latency(app, NETWORK_C, repeats=10), "ms"))
    rows.append(("gui.export_svg", _export_svg(), "ms"))
    rows.append(("gui.pause_after_import", _pause_after_import(app), "ms"))
    return rows
