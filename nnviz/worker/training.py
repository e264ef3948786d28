"""TrainingWorker: owns every Trainer (the runs side by side, runs.py) and runs them in
its own QThread.

Requests arrive as queued slot calls; training runs in time-boxed chunks on a timer
inside the worker thread, so every request is handled between chunks and none is lost.
While playing it emits at most one Snapshot per frame; after every step, edit or
change exactly one.

When a request takes effect (the rules the window and its tests rely on):

- Requests are applied one at a time, in the order they were sent, each between two
  chunks (never inside a kernel call), so an edit lands on a step boundary.
- Requests sent together (in one pass of the GUI's event loop) are applied together:
  the window holds the worker from its first request of a pass (`hold_upto`) until the
  `release` it queues behind the last one, and no chunk starts while held. So an edit,
  a settings change and a Step sent together give the edited weights, the new settings
  and then exactly one step, with no training in between, whatever the timing.
- Step (batch or epoch) pauses first, then steps from where the network is; nothing
  trains after it until Play. An edit or a learning-rate change while playing is
  applied at the step boundary where it arrives, and playing goes on (as in the
  Playground); a change that rebuilds the network restarts it at epoch 0, still playing.
- A settings change carries the fields the user changed, and they are applied to the
  settings the worker runs (`change_config`), which may be newer than the ones the
  controls showed (an opened session, imported or drawn points); the controls are told
  whenever the result differs from what they show (`config_replaced`).
- An edit carries the number of the network it was aimed at (Snapshot.network_id);
  it is refused with a message once that network was rebuilt, reset, replaced by an
  opened session or given imported weights.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import deque

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnviz.core import compiled
from nnviz.core.config import Config, repair
from nnviz.core.train.trainer import Trainer
from nnviz.worker.edits import EditTracking
from nnviz.worker.explain import ExplainSlots
from nnviz.worker.files import FILE_REQUESTS, FileSlots
from nnviz.worker.kernel import KernelSlots
from nnviz.worker.landscape import LandscapeSlots
from nnviz.worker.loop import CHUNK_S, TrainingLoop
from nnviz.worker.runs import RunSlots
from nnviz.worker.stops import StopChecks
from nnviz.worker.strokes import StrokeSlots
from nnviz.worker.timebox import TimeBox

MAX_SPEED = 0            # speed value meaning "as fast as it goes"


class TrainingWorker(RunSlots, LandscapeSlots, FileSlots, EditTracking, StrokeSlots, ExplainSlots,
                     KernelSlots, TrainingLoop, StopChecks, QObject):
    """The training side of the application (QtCore only, no widgets).

    Signals:
        snapshot_ready(object): a new core.snapshot.Snapshot (arrays are copies).
        message_posted(str): something the user should read (divergence, a bad file).
        status_posted(str): news for the status bar (a stop condition paused training).
        file_done(str, str): (action, path) after a file was written or read.
        file_failed(str, str): (action, message) when it failed; nothing was changed.
        stopped(): the worker has stopped its timer; the thread may quit.
        config_replaced(object): the settings the worker runs differ from those the
            controls were last known to show (custom data, an opened session, a change
            applied to newer settings); emitted just before the Snapshot that shows it.
        engine_changed(str): what the status bar should keep saying about the training
            kernel while it compiles ('' once there is nothing to say).
        explanation_ready(object): (seq, Explanation, (grid before, grid after)) of an
            update worked out but not made; seq is that of the Snapshot emitted next.
        explanation_failed(str): why no update could be explained (no points, diverged).
        edit_applied(object): (target, old, new, network number) after a hand edit of a
            weight or bias, old read exactly as it was (see edits.py); before its Snapshot.
        data_edited(object): (DataChange, network number) after a stroke of points drawn,
            erased or cleared (see strokes.py); before its Snapshot.
        landscape_ready(object): a core Landscape for the landscape panel (see landscape.py).

    Attribute hold_upto: written by the GUI thread only (see the module doc); no chunk
    starts while it is ahead of the last `release`.
    """

    snapshot_ready = Signal(object)
    message_posted = Signal(str)
    status_posted = Signal(str)
    file_done = Signal(str, str)
    file_failed = Signal(str, str)
    stopped = Signal()
    config_replaced = Signal(object)
    engine_changed = Signal(str)
    explanation_ready = Signal(object)
    explanation_failed = Signal(str)
    edit_applied = Signal(object)
    data_edited = Signal(object)
    landscape_ready = Signal(object)

    def __init__(self, config: Config):
        super().__init__()
        self._config = config            # the settings the controls were last known to show
        self._init_runs()                # self.trainer: the active run's (runs.py)
        self._timer: QTimer | None = None
        self._playing = False
        self._speed = MAX_SPEED          # epochs per second; 0 = as fast as it goes
        self._seq = 0
        self._shown_seq = 0              # newest seq the GUI says it has painted
        self._last_emit = 0.0
        self._owed = 0.0                 # fractional epochs owed at a limited speed
        self._last_tick = 0.0
        self._box = TimeBox(CHUNK_S)     # sizes a chunk from measured times
        self._unscored = False           # trained part of an epoch since the losses were scored
        self.hold_upto = 0               # see the module doc; only the GUI thread writes it
        self._released = 0
        self._edit_log: deque[str] = deque(maxlen=20)
        self.epoch_limit = 0             # config.stop_epoch while it lies ahead, else 0 (none)
        self.target_loss = 0.0           # config.stop_loss while not yet reached, else 0 (none)
        self.session_extra: dict = {}    # GUI settings read from the last opened session
        self._kernel = None              # kernel.py: loading or compiling the kernel
        self._kernel_timer: QTimer | None = None
        self._init_tracking()
        self._told_stuck = ""            # the "can no longer learn" message already shown
        self._explained = None           # the last Explanation sent, until applied or replaced

    # -- life cycle (runs in the worker thread) -------------------------------------
    @Slot()
    def start(self) -> None:
        """Build the trainer and the timer inside the worker thread (a QTimer belongs to the thread that created it).

        The first Snapshot comes from numpy at once; the kernel is loaded from numba's cache
        beside the training (a fraction of a second, most of it numba starting up) or, on a
        first start, compiled in a child process first; numpy trains until it is loaded.
        """
        compiled.defer()
        if self.trainer is None:
            self.trainer = Trainer(self._config)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._landscape_start()
        self._emit()
        self._prepare_kernel()

    @Slot()
    def stop(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
        self._landscape_stop()
        self._stop_kernel()
        self.stopped.emit()
        # The worker and its timers are deleted here, in their own thread, as it finishes
        # (Qt runs the deferred deletes of a thread when it ends). Left to Python's cyclic
        # garbage collector they would be deleted in whatever thread it next runs in.
        self.deleteLater()
        self.thread().quit()  # quit is thread-safe; a queued quit would never run while the GUI thread waits

    # -- transport --------------------------------------------------------------------
    @Slot()
    def play(self) -> None:
        if self.trainer is None or self.trainer.diverged:
            self._emit()
            return
        self._playing = True
        self._arm_stop_conditions()
        self._owed = 0.0
        self._last_tick = time.perf_counter()
        self._timer.start()
        self._emit()

    @Slot()
    def pause(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
        self._emit()

    @Slot()
    def step_batch(self) -> None:
        self._pause_quietly()
        if self.trainer is not None and not self.trainer.diverged:
            self.trainer.step_batch()
            self._step_others(whole_epoch=False)
            self._trained()
            self._check_divergence() or self._check_stuck()
        self._emit()

    @Slot()
    def step_epoch(self) -> None:
        self._pause_quietly()
        if self.trainer is not None and not self.trainer.diverged:
            self.trainer.step_epoch()
            self._step_others(whole_epoch=True)
            self._trained()
            self._check_divergence() or self._check_stuck()
        self._emit()

    @Slot()
    def reset(self) -> None:
        self._pause_quietly()
        self.runs.reset()                # every run back to epoch 0: the comparison starts again
        self._told_runs.clear()
        self._edit_log.clear()
        self._emit()

    @Slot(int)
    def snapshot_shown(self, seq: int) -> None:
        """The GUI painted Snapshot seq; the next one may be built."""
        self._shown_seq = max(self._shown_seq, seq)

    @Slot(float)
    def set_speed(self, epochs_per_second: float) -> None:
        self._speed = max(0.0, float(epochs_per_second))
        self._owed = 0.0

    @Slot(int)
    def release(self, upto: int) -> None:
        """The GUI sent every request of one pass of its event loop: training may go on."""
        self._released = max(self._released, upto)
        if self._playing and self._timer is not None:
            self._timer.start()

    def _held(self) -> bool:
        return self.hold_upto > self._released

    # -- changes ----------------------------------------------------------------------
    @Slot(object)
    def set_config(self, config: Config) -> None:
        """Run these settings (all of them); what is rebuilt follows config.reset_scope."""
        self._config = config
        self._apply_config(config)

    @Slot(object, object)
    def change_config(self, changes: dict, shown: Config) -> None:
        """Apply the fields a user changed to the settings this worker runs.

        `shown` is what the controls show after the change; when the result differs
        (they showed older settings), config_replaced tells them the truth.
        """
        self._config = shown
        if self.trainer is not None:
            self._apply_config(repair(self.trainer.config, changes))

    def _apply_config(self, config: Config) -> None:
        if self.trainer is None:
            return
        was_playing = self._playing
        self._pause_quietly()
        old = self.trainer.config
        try:
            self.trainer.set_config(config)
        except ValueError as exc:      # e.g. a generator refusing its settings: nothing changed
            self.message_posted.emit(f"Settings not applied: {exc}")
        else:
            self._others_follow(old, self.trainer.config)
        self._settings_applied()
        if was_playing and not self.trainer.diverged:
            self.play()
        else:
            self._emit()

    @Slot(int)
    def regenerate(self, seed: int) -> None:
        """New data points, same weights and epoch (the Playground's Regenerate)."""
        self.trainer.regenerate(seed)
        self._others_do("regenerate", seed)
        self._data_changed()
        self._emit()

    @Slot(object, object)
    def set_data(self, train, test) -> None:
        self.trainer.set_data(train, test)
        self._others_do("set_data", train, test)
        self._data_changed()
        self._emit()

    @Slot(object)
    def replace_trainer(self, trainer: Trainer) -> None:
        """Take over a trainer built from a session file (the caller keeps no reference)."""
        self._pause_quietly()
        self.trainer = trainer
        self._edit_log.clear()
        self._emit()

    @Slot(str, object)
    def handle_file(self, name: str, args: tuple) -> None:
        """One queued entry for every file request (see worker_files.FILE_REQUESTS)."""
        if name in FILE_REQUESTS:
            getattr(self, name)(*args)

    def _pause_quietly(self) -> None:
        self._playing = False
        if self._timer is not None:
            self._timer.stop()
            self._timer.setInterval(0)

    def _emit(self) -> None:
        if self.trainer is None:
            return
        if self.trainer.config != self._config:  # not what the controls show (see change_config)
            self._config = self.trainer.config
            self.config_replaced.emit(self._config)
        if self._unscored and not self._playing:   # paused mid-epoch: show the losses of these weights
            for t in (self.trainer, *self._others()):
                t.score()
            self._unscored = False
        self._seq += 1
        # frames are due a frame apart from when each began: a Snapshot that takes long to
        # build (every neuron's picture of a big network) then shortens the next chunk
        # instead of stretching the frame
        self._last_emit = time.perf_counter()
        snap = self.trainer.snapshot(seq=self._seq, playing=self._playing)
        snap = dataclasses.replace(snap, edit_log=tuple(self._edit_log), network_id=self._network_id(),
                                   unsaved=self.unsaved, runs=self.runs.views(snap.grid[-1]),
                                   active_run=self.runs.active)
        snap = self._look_snapshot(snap)
        if self._timer is not None and self._playing:
            self._timer.setInterval(0)
        self.snapshot_ready.emit(snap)
        self._landscape_changed()


GIL_SWITCH_S = 0.0005    # Python's default 5 ms: see start_worker


def start_worker(config: Config) -> tuple[TrainingWorker, QThread]:
    """Create the worker in a new thread and start it; the caller connects signals first.

    The worker takes the GIL back after every kernel call (they release it). While the
    GUI thread runs Python, that waits for the interpreter's switch interval, 5 ms by
    default: a shorter one gave network B about 13 % more epochs/s in the GUI benchmark,
    at no cost to the frame rate.
    """
    sys.setswitchinterval(GIL_SWITCH_S)
    thread = QThread()
    thread.setObjectName("nnviz-trainer")
    worker = TrainingWorker(config)
    worker.moveToThread(thread)
    thread.started.connect(worker.start)
    return worker, thread
