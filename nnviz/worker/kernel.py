"""Loading or compiling the fast training kernel beside the training: its own module as
it is a life cycle of its own (a child process, a poll timer, the status bar's news)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot

KERNEL_POLL_MS = 100     # how often to look whether the kernel is loaded (or compiled)
COMPILING = ("First start on this computer: the fast training kernel is being compiled in the "
             "background (about half a minute). Training already runs, with plain numpy.")


class KernelSlots:
    """Mixin of TrainingWorker: every method runs in the worker thread (called from its
    start slot, or by a timer created there)."""

    _kernel = None               # kernel_build.KernelPreparation once started
    _kernel_timer: QTimer | None = None

    @Slot()
    def _prepare_kernel(self) -> None:
        from nnviz.core.train.kernel_build import KernelPreparation
        self._kernel = KernelPreparation()
        self._report_kernel(self._kernel.start())
        self._kernel_timer = QTimer(self)
        self._kernel_timer.setInterval(KERNEL_POLL_MS)
        self._kernel_timer.timeout.connect(self._poll_kernel)
        self._kernel_timer.start()

    @Slot()
    def _poll_kernel(self) -> None:
        """Once the kernel is loaded, training takes it up at the next chunk."""
        self._report_kernel(self._kernel.poll())
        if self._kernel.finished:
            self._kernel_timer.stop()

    def _report_kernel(self, event: str | None) -> None:
        if event == "compiling":
            self.engine_changed.emit(COMPILING)
        elif event == "ready":
            self.engine_changed.emit("")
            self.status_posted.emit("The fast training kernel is ready.")
        elif event == "failed":
            self.engine_changed.emit(
                f"The fast training kernel could not be compiled or cached ({self._kernel.error}): "
                "training goes on with plain numpy, which is slower. numba needs a writable cache "
                "folder (NUMBA_CACHE_DIR).")

    def _stop_kernel(self) -> None:
        """Closing during the compile: end the child process and wait for it."""
        if self._kernel is not None:
            self._kernel_timer.stop()
            self._kernel.stop()
