"""Changes of a Trainer's data: Regenerate, points from a file, points drawn by hand.

A mixin of Trainer (trainer.py). The weights, epoch and history are kept; the network
is rebuilt only when the new data need another output unit. Hand-drawn strokes return
a DataChange (core.data.strokes) that undoes and redoes them exactly, settings included:
the first stroke on a generated set makes it "custom", and its undo makes it that
generated set again.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from nnviz.core.config import CUSTOM, DATA_FIELDS, Config
from nnviz.core.data import strokes
from nnviz.core.data.datasets import Dataset
from nnviz.core.data.strokes import DataChange
from nnviz.core.train.trainer_state import check_data, resolve_output

Array = np.ndarray
SETTINGS = (*DATA_FIELDS, "output")    # what a stroke may change in the Config


class DataMixin:
    """regenerate, set_data and the hand-drawn strokes for Trainer."""

    def _replace_data(self, train: Dataset, test: Dataset) -> None:
        """New data, same weights, epoch and history; rebuilt only if the output must change."""
        kind = self.network.output_kind
        self._set_data(train, test)
        if resolve_output(self.config, self.n_classes) != kind or (
                kind == "softmax_ce" and self.network.layer_sizes[-1] != max(self.n_classes, 2)):
            self._build()
            return
        self._kernel_data()
        self._refresh()
        self._fresh_start()

    def regenerate(self, seed: int) -> None:
        """A new draw of the generator with this seed, which becomes config.seed (as the
        Playground puts the new seed in its URL), so the settings say how to make these
        points again; the weights, epoch and history are kept.

        Custom data (loaded or drawn) has no generator and is kept.
        """
        if self.config.dataset in CUSTOM:
            return
        new = self.config.replace(seed=int(seed))      # may raise: nothing has changed yet
        data = self._generate(new, int(seed))
        self.config = new
        self._replace_data(*data)
        self.data_seed = int(seed)

    def set_data(self, train: Dataset, test: Dataset) -> None:
        """Given points (CSV import, drawing); config.dataset becomes "custom" (or
        "custom-regression"), so the settings say what the data is."""
        k = train.n_classes
        check_data(train, test)   # refuse before anything changes
        self.config = self.config.replace(dataset="custom-regression" if k == 0 else "custom",
                                          custom_classes=k if k >= 2 else self.config.custom_classes,
                                          output=self.config.output if k == 2 else "auto")
        self._replace_data(train, test)

    # -- strokes drawn by hand ------------------------------------------------------------
    def _sets(self) -> tuple[Dataset, Dataset]:
        k = self.n_classes
        return Dataset(self.train_x, self.train_y, k), Dataset(self.test_x, self.test_y, k)

    def _stroke(self, change: DataChange | None) -> DataChange | None:
        """Apply a new stroke and note the settings before and after it in the change."""
        if change is None:
            return None
        before = self.config
        self.set_data(*strokes.forward(*self._sets(), change))
        return dataclasses.replace(change, settings=(_pick(before), _pick(self.config)))

    def add_points(self, xy, labels) -> DataChange:
        """Points (M, 2) with labels (M,) join the training set, as one stroke."""
        return self._stroke(strokes.add(*self._sets(), xy, labels))

    def add_point(self, x: float, y: float, label: float) -> DataChange:
        """One hand-drawn point joins the training set."""
        return self.add_points([[x, y]], [label])

    def erase_points(self, x: float, y: float, radius: float) -> DataChange | None:
        """Remove every point (train and test) within radius of (x, y)."""
        return self.erase_along([[x, y]], radius)

    def erase_along(self, path, radius: float) -> DataChange | None:
        """Remove every point within radius of the polyline path (M, 2); None if none is."""
        return self._stroke(strokes.erase(*self._sets(), path, radius))

    def clear_points(self) -> DataChange | None:
        """Remove every point, train and test (None if there is none)."""
        return self._stroke(strokes.clear(*self._sets()))

    def replay_stroke(self, change: DataChange, undo: bool) -> None:
        """Undo or redo a stroke exactly, its settings too; ValueError (and nothing
        changed) when the data are no longer the ones the stroke left or found."""
        train, test = strokes.replay(*self._sets(), change, undo)
        fields = change.settings[0 if undo else 1] if change.settings else {}
        config = self.config.replace(**fields)
        check_data(train, test)
        self.config = config
        self._replace_data(train, test)


def _pick(config: Config) -> dict:
    """The settings a stroke may change."""
    return {name: getattr(config, name) for name in SETTINGS}
