"""Changes of a Trainer's data: Regenerate, points from a file, points drawn by hand.

A mixin of Trainer (trainer.py). The weights, epoch and history are kept; the network
is rebuilt only when the new data need another output unit.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.config import CUSTOM
from nnviz.core.data.datasets import Dataset
from nnviz.core.train.trainer_state import check_data, resolve_output

Array = np.ndarray


class DataMixin:
    """regenerate, set_data, add_point and erase_points for Trainer."""

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

    def add_point(self, x: float, y: float, label: float) -> None:
        """A hand-drawn point joins the training set."""
        label = float(label)
        if not (math.isfinite(float(x)) and math.isfinite(float(y)) and math.isfinite(label)):
            raise ValueError("a point needs finite coordinates and label")
        k = self.n_classes
        if (k == 2 and label not in (-1.0, 1.0)) or (k >= 3 and label not in range(k)):
            raise ValueError(f"label {label:g} does not fit {k} classes")
        train = Dataset(np.vstack([self.train_x, [[x, y]]]), np.append(self.train_y, label), k)
        self.set_data(train, Dataset(self.test_x, self.test_y, k))

    def erase_points(self, x: float, y: float, radius: float) -> None:
        """Remove every point (train and test) within radius of (x, y)."""
        def keep(p: Array) -> Array:
            return np.hypot(p[:, 0] - x, p[:, 1] - y) > radius
        k = self.n_classes
        kt, ke = keep(self.train_x), keep(self.test_x)
        if kt.all() and ke.all():
            return
        self.set_data(Dataset(self.train_x[kt], self.train_y[kt], k), Dataset(self.test_x[ke], self.test_y[ke], k))
