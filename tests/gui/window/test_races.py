"""Fast hands: clicks that race a file being read, an edit that races a rebuild, requests
sent together, and answers that arrive after the window closed.

A stand-in reader holds the worker inside the real reader until the test lets it go, so
"a click while the file is being read" happens every time, however fast the machine.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from helpers.files import DATA_FIELDS, new_window, run_file, watch
from helpers.window import START_MS, act_and_wait, params, pause
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.train.trainer import Trainer
from nnviz.gui.window import menus
from nnviz.gui.window.main_window import MainWindow

SESSION = Config(dataset="spiral", noise=10, seed=7, features=("x1", "x2", "sin(x1)"), hidden_layers=(5, 3),
                 optimizer="adam", learning_rate=0.01, batch_size=7)


class Gate:
    """Wraps a reader of nnviz.core.files: the worker enters it, then waits for open()."""

    def __init__(self, monkeypatch, name: str):
        self.entered, self.released = threading.Event(), threading.Event()
        real = getattr(files, name)

        def held(*args, **kwargs):
            self.entered.set()
            self.released.wait(30)
            return real(*args, **kwargs)
        monkeypatch.setattr(files, name, held)

    def open(self) -> None:
        self.released.set()


def session_file(tmp_path) -> tuple[str, Trainer]:
    t = Trainer(SESSION)
    t.train_epochs(3)
    t.step_batch()
    path = str(tmp_path / "lesson.nnviz")
    files.save_session(t, path, {"discretize": True})
    return path, t


def data_file(tmp_path) -> tuple[str, np.ndarray]:
    pts = np.random.default_rng(3).uniform(-5, 5, (400, 2))
    rows = np.column_stack([pts, (pts[:, 0] * pts[:, 1] > 0).astype(float)])   # labels 0/1
    path = tmp_path / "points.csv"
    path.write_text("x,y,label\n" + "".join(f"{x!r},{y!r},{int(c)}\n" for x, y, c in rows.tolist()))
    return str(path), rows


def touch_controls(qtbot, w: MainWindow, everything: bool) -> None:
    """What a fast hand does to the controls: a learning rate (a live setting), and with
    `everything` also a neuron, a layer and the noise (each would rebuild the network)."""
    lr = w.controls.training.learning_rate
    lr.setCurrentIndex(lr.findData(0.1))
    if everything:
        qtbot.mouseClick(w.controls.network.rows[0].neurons.plus, Qt.LeftButton)
        qtbot.mouseClick(w.controls.network.layers.plus, Qt.LeftButton)
        w.controls.data.noise.slider.setValue(30)


def settled(qtbot, w: MainWindow):
    """Wait until the controls, the newest Snapshot and the worker agree; return the Snapshot."""
    qtbot.waitUntil(lambda: w.latest is not None and w.controls.config() == w.latest.config, timeout=10_000)
    snap = pause(qtbot, w)
    assert w.controls.config() == snap.config == w.worker.trainer.config
    assert w.controls.isEnabled()
    return snap


@pytest.mark.parametrize("delay_ms", [0, 5, 50])
@pytest.mark.parametrize("how", ["open", "start"])
def test_a_click_while_a_session_is_read_cannot_undo_it(qtbot, tmp_path, dialogs, monkeypatch, how, delay_ms):
    path, saved = session_file(tmp_path)
    gate = Gate(monkeypatch, "load_session")
    if how == "open":          # File > Open while the window runs
        w = new_window(qtbot, tmp_path / "win")
        dialogs.choose(path)
        w.actions["open"].trigger()
    else:                      # `nnviz lesson.nnviz`: the request goes out before the worker runs
        w = MainWindow(Config(), settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
        w.quiet_errors = True
        qtbot.addWidget(w)
        watch(w)
        w.show()
        w.file_actions.open_session(path)
    if delay_ms:
        qtbot.wait(delay_ms)
    touch_controls(qtbot, w, everything=True)
    gate.open()
    qtbot.waitUntil(lambda: len(w.outcomes.items) == 1, timeout=START_MS)
    assert w.outcomes.items[0] == ("done", "open_session", path), w.last_error
    snap = settled(qtbot, w)
    # the session, not the settings the controls showed before it came
    assert snap.config == SESSION and w.worker.trainer.config == SESSION
    assert (snap.epoch, snap.batch, snap.total_steps) == (saved.epoch, saved.batch, saved.total_steps)
    assert w.worker.trainer.network.params.tobytes() == saved.network.params.tobytes()
    for name in DATA_FIELDS:
        assert getattr(snap, name).tobytes() == getattr(saved, name).tobytes(), name
    assert w.actions["discretize"].isChecked() and "lesson.nnviz" in w.windowTitle()
    # once it is in, the controls change the session's own settings
    lr = w.controls.training.learning_rate
    snap = act_and_wait(qtbot, w, lambda: lr.setCurrentIndex(lr.findData(0.1)),
                        lambda s: s.config.learning_rate == 0.1)
    assert snap.config == SESSION.replace(learning_rate=0.1) == w.controls.config()
    assert w.worker.trainer.network.params.tobytes() == saved.network.params.tobytes()
    w.close()


@pytest.mark.parametrize("delay_ms", [0, 5, 50])
def test_a_click_while_data_is_imported_cannot_undo_it(qtbot, tmp_path, dialogs, monkeypatch, delay_ms):
    path, rows = data_file(tmp_path)
    w = new_window(qtbot, tmp_path / "win")
    before = act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    gate = Gate(monkeypatch, "load_csv")
    dialogs.choose(path)
    w.actions["import_data"].trigger()
    if delay_ms:
        qtbot.wait(delay_ms)
    touch_controls(qtbot, w, everything=True)
    assert not w.controls.isEnabled() and not w.actions["reset"].isEnabled()   # locked meanwhile
    for hand in (w.actions["reset"].trigger, w.training_bar.reset_button.click, w.actions["regenerate"].trigger,
                 lambda: w.surface.points_add_requested.emit([[1.0, 1.0]], [1.0])):
        hand()
    gate.open()
    qtbot.waitUntil(lambda: len(w.outcomes.items) == 1, timeout=20_000)
    assert w.outcomes.items[0][:2] == ("done", "import_data"), w.last_error
    snap = settled(qtbot, w)
    assert snap.config.dataset == "custom" and snap.config.hidden_layers == (4, 2)
    assert snap.epoch == before.epoch == 1 and params(snap).tobytes() == params(before).tobytes()  # no Reset
    got = np.concatenate([np.column_stack([snap.train_x, snap.train_y]),
                          np.column_stack([snap.test_x, snap.test_y])])
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, np.column_stack(
        [rows[:, :2], np.where(rows[:, 2] > 0, 1.0, -1.0)]).tolist()))
    w.close()


def test_a_control_changed_before_drawn_points_arrive_keeps_them(qtbot, tmp_path):
    """No file at all: the worker makes the data "custom" when a point is drawn; a control
    touched before the controls show that is applied to the custom data, not to a fresh
    circle built from the controls' older copy."""
    w = new_window(qtbot, tmp_path / "win")
    n = len(w.latest.train_x)
    w.points_add_requested.emit(1.0, 1.0, 1.0)
    lr = w.controls.training.learning_rate
    lr.setCurrentIndex(lr.findData(0.1))          # the controls still show "circle"
    qtbot.waitUntil(lambda: w.latest.config.learning_rate == 0.1 and len(w.latest.train_x) == n + 1,
                    timeout=10_000)
    snap = settled(qtbot, w)
    assert snap.config.dataset == "custom" and snap.train_x[-1].tolist() == [1.0, 1.0]
    w.close()


def test_an_edit_aimed_at_a_network_that_changed_is_refused(qtbot, tmp_path, dialogs):
    w = new_window(qtbot, tmp_path / "win")
    old = w.latest
    # sent right after a shape change: the same indices exist in the rebuilt network
    w.request_settings(old.config.replace(hidden_layers=(4, 3)))
    w.request_edit(("weight", 1, 0, 0), 1.2345, old.network_id)
    w.request_edit(("bias", 0, 1), -0.75, old.network_id)
    qtbot.waitUntil(lambda: "not applied" in w.statusBar().currentMessage(), timeout=10_000)
    snap = pause(qtbot, w)
    assert snap.layer_sizes == (2, 4, 3, 1) and snap.network_id != old.network_id
    assert snap.weights[1][0, 0] != 1.2345 and snap.biases[0][1] != -0.75 and snap.edit_log == ()
    # aimed at the network on screen, it lands
    snap = act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 1, 0, 0), 1.2345, snap.network_id))
    assert snap.weights[1][0, 0] == 1.2345 and "w[1][0,0] = 1.2345" in snap.edit_log[-1]
    # Reset (the same shape) and imported weights are other networks too
    for change in (w.reset_requested.emit, lambda: import_weights(qtbot, w, tmp_path, dialogs)):
        before = w.latest
        act_and_wait(qtbot, w, change, lambda s, g=before.network_id: s.network_id != g)
        snap = act_and_wait(qtbot, w, lambda: w.request_edit(("weight", 0, 2, 1), 3.0, before.network_id))
        assert snap.weights[0][2, 1] != 3.0
    w.close()


def import_weights(qtbot, w, tmp_path, dialogs) -> None:
    other = Trainer(w.latest.config.replace(seed=99))   # the same shape, other weights
    files.export_weights(other.network, tmp_path / "w.json")
    dialogs.choose(tmp_path / "w.json")
    assert run_file(qtbot, w, w.actions["import_weights"].trigger)[:2] == ("done", "import_weights")


@pytest.mark.parametrize("rebuild", [False, True])
def test_an_edit_a_change_and_a_step_sent_together_leave_no_step_between(qtbot, tmp_path, rebuild):
    """While playing, edit + settings + Step sent in one go: the edit, then the settings,
    then exactly one step; never any training in between, whatever the timing."""
    w = new_window(qtbot, tmp_path / "win", Config(learning_rate=0.00001))
    for k in range(8):
        act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
        epoch = w.latest.epoch
        qtbot.waitUntil(lambda e=epoch: w.latest.epoch > e + 5, timeout=10_000)
        snap, value = w.latest, 1.0 + k / 8
        change = {"hidden_layers": (4, 2 + k % 2 + 1)} if rebuild else {"learning_rate": (0.00001, 0.0001)[k % 2]}
        w.request_edit(("weight", 0, 1, 0), value, snap.network_id)
        w.request_settings(snap.config.replace(**change))
        w.step_batch_requested.emit()
        # the first Snapshot that is not playing is the Step's (the edit and the change keep playing)
        done = act_and_wait(qtbot, w, lambda: None, lambda s: not s.playing)
        assert done.config == snap.config.replace(**change)
        if rebuild:   # edit, rebuild (epoch 0), one step
            assert (done.epoch, done.batch, done.total_steps) == (0, 1, 1)
        else:
            entry = next(e for e in done.edit_log if f"= {value:.6g}" in e)
            at = int(entry.split("step ")[1].split(",")[0])
            assert done.total_steps == at + 1, (entry, done.total_steps)
            assert abs(done.weights[0][1, 0] - value) < 1e-3
    w.close()


def test_no_dialog_after_the_window_closed(qtbot, tmp_path, dialogs, monkeypatch):
    """An import fails while the window is closing: its message box would have no window
    to sit on and would keep the process alive, so none is shown."""
    shown = []

    class Boxes:
        @staticmethod
        def warning(*args, **kwargs):
            shown.append(args)

    monkeypatch.setattr(menus, "QMessageBox", Boxes)
    entered, closing = threading.Event(), threading.Event()

    def failing(path, *args, **kwargs):
        entered.set()
        closing.wait(10)
        raise FormatError("line 2: not a number")
    monkeypatch.setattr(files, "load_csv", failing)
    w = new_window(qtbot, tmp_path / "win")
    w.quiet_errors = False
    path, _ = data_file(tmp_path)
    dialogs.choose(path)
    w.actions["import_data"].trigger()
    qtbot.waitUntil(entered.is_set, timeout=10_000)
    closing.set()                  # the worker fails now, while the window closes
    w.close()
    assert w.thread.isFinished()
    qtbot.wait(100)                # let every queued answer arrive
    assert shown == [] and w.outcomes.items[0][:2] == ("failed", "import_data")
