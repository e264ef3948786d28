"""The loss chart with several runs side by side: a colour each, test loss solid and training
loss dashed, the legend naming what differs between them (core/learn/runs.py).

Items are made once per run slot and fed new arrays only when a run's history changed, as
the single run's curves are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from nnviz.core.snapshot import Snapshot
from nnviz.gui.style import palette
from nnviz.gui.views.curves.plotting import SAMPLES_PER_PIXEL
from nnviz.gui.views.curves.plotting import key as _key


class RunCurves:
    """Per-run test (solid) and train (dashed) curves on a loss plot, and their legend."""

    def __init__(self, item: pg.PlotItem, legend: pg.LegendItem, single: tuple[pg.PlotDataItem, ...]):
        self.item, self.legend, self.single = item, legend, single
        self.curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self._keys: list[tuple | None] = []
        self._styles: list[tuple | None] = []
        self._legend_key: tuple | None = None
        # the sample of the "dashed: train" entry: no data, so it draws nothing; a child of
        # the legend, so Qt deletes it with the legend in the GUI thread (held only by the
        # legend's entry, it would be left to Python's cyclic collector, in any thread)
        self._hint = pg.PlotDataItem([], [], pen=pg.mkPen((120, 120, 120), width=1.5, style=Qt.DashLine))
        self._hint.setParentItem(legend)

    def _slot(self, k: int) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        while len(self.curves) <= k:
            test = pg.PlotDataItem([], [], connect="finite", autoDownsampleFactor=SAMPLES_PER_PIXEL)
            train = pg.PlotDataItem([], [], connect="finite", autoDownsampleFactor=SAMPLES_PER_PIXEL)
            for c in (train, test):
                self.item.addItem(c)
            self.curves.append((test, train))
            self._keys.append(None)
            self._styles.append(None)
        return self.curves[k]

    def show(self, snap: Snapshot) -> tuple[np.ndarray, np.ndarray] | None:
        """Draw the runs of snap (None with a single run: the plain curves show it). Returns
        every x and y drawn, for the range."""
        runs = snap.runs
        for c in self.single:
            c.setVisible(not runs)
        for k, (test, train) in enumerate(self.curves):
            test.setVisible(k < len(runs))
            train.setVisible(k < len(runs))
        self._legend(snap)
        if not runs:
            return None
        xs, ys = [], []
        for k, run in enumerate(runs):
            test, train = self._slot(k)
            colour = palette.run_rgb(run.colour)
            active = k == snap.active_run
            key = (_key(run.history_epoch), _key(run.history_test), _key(run.history_train))
            style = (run.colour, active, len(run.history_epoch) == 1)
            x = np.asarray(run.history_epoch, dtype=float)
            if style != self._styles[k]:
                # pens and symbols only when they change: a new pen restyles the whole curve
                self._styles[k], self._keys[k] = style, None
                dot = "o" if style[2] else None
                test.setPen(pg.mkPen(colour, width=3 if active else 2))
                train.setPen(pg.mkPen(colour, width=1.5, style=Qt.DashLine))
                for curve, size in ((test, 7), (train, 5)):
                    curve.setSymbol(dot)
                    curve.setSymbolSize(size)
                    curve.setSymbolPen(None)
                    curve.setSymbolBrush(colour)
                test.setZValue(3 if active else 2)
            if key != self._keys[k]:
                self._keys[k] = key
                test.setData(x, run.history_test)
                train.setData(x, run.history_train)
            xs.append(x)
            ys += [np.asarray(run.history_test, dtype=float), np.asarray(run.history_train, dtype=float)]
        return np.concatenate(xs), np.concatenate(ys)

    def _legend(self, snap: Snapshot) -> None:
        """One entry per run (its name and colour), or the single run's train and test."""
        runs = snap.runs
        key = tuple((r.name, r.colour) for r in runs)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        if not runs:
            for c in self.single:
                self.legend.addItem(c, c.name())
            return
        for k, run in enumerate(runs):
            self.legend.addItem(self._slot(k)[0], run.name or f"run {k + 1}")
        self.legend.addItem(self._hint, "dashed: train")
