"""The landscape panel's side of the worker: record the path, refresh the plane in parts.

Mixed into TrainingWorker, in its thread, beside the one Trainer. After every Snapshot
the worker emits (every step, edit and change, and each frame while playing) the
position joins the path. While the panel is on screen a refresh follows: at once after
a step by hand, and while playing at most every LIVE_MIN_S, and never more than
LIVE_SHARE of the worker's time. A refresh is a core LandscapeJob computed in slices of
JOB_SLICE_S on a timer of this thread, so queued requests (pause, edit, step) are still
handled between slices, however large the network; the first one on a new machine
waits for the kernel to compile in a child process (core/learn/landscape_build.py).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Slot

from nnviz.core.learn import landscape_build
from nnviz.core.learn.landscape_job import LandscapeJob, LandscapeMaker, LandscapeSettings

JOB_SLICE_S = 0.010     # longest stretch of landscape work between two looks at the queue
LIVE_MIN_S = 0.25       # while playing, at most four refreshes a second
LIVE_SHARE = 0.2        # and at most a fifth of the worker's time
COMPILE_POLL_MS = 50    # while the kernel compiles (once per machine), look this often


class LandscapeSlots:
    """set_landscape(settings) in; landscape_ready(Landscape) out (declared on the worker).

    The worker calls _landscape_start() in its thread, _landscape_stop() when stopping and
    _landscape_changed() after each Snapshot it emits.
    """

    maker: LandscapeMaker | None = None

    def _landscape_start(self) -> None:
        self.maker = self.maker or LandscapeMaker()
        self._ls_job: LandscapeJob | None = None
        self._ls_owed = False             # the shown landscape is older than the trainer
        self._ls_due = 0.0                # perf_counter time before which no live refresh starts
        self._ls_made_s = 0.0             # seconds the running job took to set up
        self._ls_timer = QTimer(self)     # made here: a timer belongs to the thread that made it
        self._ls_timer.setSingleShot(True)
        self._ls_timer.timeout.connect(self._landscape_tick)

    def _landscape_stop(self) -> None:
        if self.maker is not None and getattr(self, "_ls_timer", None) is not None:
            self._ls_timer.stop()
            self._ls_job = None
        landscape_build.stop()   # closing during the kernel's first compile: end its child

    @Slot(object)
    def set_landscape(self, settings: LandscapeSettings) -> None:
        """New panel settings; a change other than `active` makes the landscape on screen stale."""
        if self.maker is None or getattr(self, "_ls_timer", None) is None:
            self.maker = self.maker or LandscapeMaker()
            self.maker.settings = settings
            return
        old = self.maker.settings
        self.maker.settings = settings
        if not settings.active:
            self._ls_timer.stop()
            self._ls_job = None
            return
        if settings.replace(active=False) != old.replace(active=False) or not old.active:
            self._ls_job = None           # computed for the old settings: drop it
            self._ls_owed = True
            self._ls_due = 0.0
            self._landscape_schedule()

    def _landscape_changed(self) -> None:
        """After every emitted Snapshot: record the position, and refresh when due."""
        if self.maker is None or self.trainer is None or getattr(self, "_ls_timer", None) is None:
            return
        self.maker.observe(self.trainer)
        if self._ls_job is not None and self._ls_job_network is not self.trainer.network:
            self._ls_job = None           # a new network: that job's picture is of the old one
        if not self.maker.settings.active:
            return
        self._ls_owed = True
        if not self._playing:
            self._ls_due = 0.0            # a step by hand: show it at once
        self._landscape_schedule()

    def _landscape_moved(self) -> None:
        """After each kernel call of a paced run: its position joins the path, so the path of
        a slow run has every epoch even when a late tick trains two in one go (a frame, and
        with it _landscape_changed, comes only once per tick)."""
        if self.maker is not None and self.trainer is not None:
            self.maker.observe(self.trainer)

    def _landscape_schedule(self) -> None:
        """Start the owed refresh now, or arm the timer for when it is due."""
        if self._ls_job is not None or not self._ls_owed or self.trainer is None:
            return
        wait = self._ls_due - time.perf_counter()
        if wait > 0:
            if not self._ls_timer.isActive():
                self._ls_timer.start(int(wait * 1000) + 1)
            return
        if not self._landscape_kernel_ready():
            return
        self._ls_owed = False
        t0 = time.perf_counter()
        self._ls_job = self.maker.job(self.trainer)
        self._ls_made_s = time.perf_counter() - t0   # the path's components, the next step: in the share too
        self._ls_job_network = self.trainer.network
        self._ls_timer.start(0)

    def _landscape_kernel_ready(self) -> bool:
        """False while the kernel is being prepared (the timer looks again soon), so the
        first refresh is of the weights at the moment it is ready, not from before the
        compile; a failure goes ahead, and the job says so in words."""
        try:
            if landscape_build.ready():
                return True
        except RuntimeError:
            return True
        if not self._ls_timer.isActive():
            self._ls_timer.start(COMPILE_POLL_MS)
        return False

    @Slot()
    def _landscape_tick(self) -> None:
        """One slice of the running job; its result goes out when it is done."""
        job = self._ls_job
        if job is None:
            self._landscape_schedule()    # the wait for a live refresh is over
            return
        if not job.run(JOB_SLICE_S):
            self._ls_timer.start(COMPILE_POLL_MS if job.waiting else 0)
            return
        self._ls_job = None
        result = job.result
        spent = result.seconds + self._ls_made_s
        self._ls_due = time.perf_counter() + max(LIVE_MIN_S, spent / LIVE_SHARE)
        self.landscape_ready.emit(result)
        self._landscape_schedule()
