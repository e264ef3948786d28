"""One step explained (core/learn/explain.py), worked out in the worker thread: its own
module as it is a request of its own that trains nothing until the user applies it."""

from __future__ import annotations

from PySide6.QtCore import Slot

from nnviz.core.learn.explain import explain_step, step_pictures


class ExplainSlots:
    """Mixin of TrainingWorker; its slots are reached through queued signals from the GUI
    and run in the worker thread (tests/gui/window/test_worker_threads.py checks it)."""

    _explained = None            # the last Explanation sent, until applied or replaced

    @Slot(object)
    def explain(self, points) -> None:
        """Work out the next update (points None) or one from the given training points,
        without making it: training pauses, the trainer is left as it was."""
        self._pause_quietly()
        self._look = -1                  # the step explained is the live run's next one
        t = self.trainer
        if t is None:
            return
        if t.diverged:
            self.explanation_failed.emit("The network has diverged; press Reset before explaining a step.")
        else:
            try:
                exp = explain_step(t, points)
            except ValueError as exc:
                self.explanation_failed.emit(f"No step to explain: {exc}.")
            else:
                self._explained = exp
                self.explanation_ready.emit((self._seq + 1, exp, step_pictures(exp)))
        self._emit()

    @Slot(str)
    def apply_explained(self, key: str) -> None:
        """Make the explained update, if nothing changed since it was explained (key is its
        Trainer.state_key): the weights then equal the explanation's to the last bit."""
        self._pause_quietly()
        exp, t = self._explained, self.trainer
        if exp is None or t is None or exp.preview.state_key != key or t.state_key() != key:
            self.status_posted.emit("The network changed since that step was explained; nothing was applied.")
        else:
            self._explained = None
            if exp.preview.chosen:
                t.step_points(exp.points)
            else:
                t.step_batch()
            self._check_divergence() or self._check_stuck()
        self._emit()
