"""Points drawn and erased by hand, in the worker thread where the Trainer lives.

Mixed into TrainingWorker (training.py). A stroke arrives as one request with all its
points (a drag of fifty points is one call, one new data set and one Snapshot, not
fifty), training goes on around it, and the change it made is reported with
`data_edited` so the window can put it on its undo stack. Undo and redo come back as
`replay_stroke`; the Trainer refuses them when the data have changed since.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Slot


class StrokeSlots:
    """add_points, erase_along, clear_points and replay_stroke for TrainingWorker."""

    def _after_stroke(self, failed: str, run) -> None:
        try:
            change = run()
        except ValueError as exc:
            self.message_posted.emit(f"{failed}: {exc}")
        else:
            if change is not None:
                self._data_changed()
                self.data_edited.emit((change, self._network_id()))
        self._emit()

    @Slot(object, object)
    def add_points(self, xy, labels) -> None:
        """Points (M, 2) with labels (M,) join the training set (weights are kept)."""
        self._after_stroke("Points not added",
                           lambda: self.trainer.add_points(np.asarray(xy, float), np.asarray(labels, float)))

    @Slot(object, float)
    def erase_along(self, path, radius: float) -> None:
        """Remove the points (train and test) within radius of the polyline path (M, 2)."""
        self._after_stroke("Points not erased", lambda: self.trainer.erase_along(np.asarray(path, float), radius))

    @Slot()
    def clear_points(self) -> None:
        """Remove every point: a blank square to draw a data set on."""
        self._after_stroke("Points not cleared", self.trainer.clear_points)

    @Slot(float, float, float)
    def add_point(self, x: float, y: float, label: float) -> None:
        """One point: a stroke of one."""
        self.add_points([[x, y]], [label])

    @Slot(float, float, float)
    def erase_points(self, x: float, y: float, radius: float) -> None:
        """The points within radius of (x, y): a stroke without a drag."""
        self.erase_along([[x, y]], radius)

    @Slot(object)
    def replay_stroke(self, request: tuple) -> None:
        """Undo or redo: (DataChange, undo, words)."""
        change, undo, words = request
        try:
            self.trainer.replay_stroke(change, undo)
        except ValueError as exc:
            self.message_posted.emit(f"{words} refused: {exc}.")
        else:
            self._data_changed()
            self._log_edit(f"{words.lower()}: {change.words.lower()}")
        self._emit()
