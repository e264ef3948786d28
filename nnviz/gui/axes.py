"""A value axis whose log-scale labels never pile up.

pyqtgraph labels every minor tick (2, 3, ... 9 times a power of ten) whenever fewer
than about three decades are visible, and always draws the first tick level's text,
so a short log axis (the gradient-flow plot, or the loss early in training) shows a
stack of overlapping numbers. Here the labelled level holds only what fits: powers of
ten when two or more are in view, else 1-2-5 steps; the other minor ticks stay
unlabelled marks.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

LABEL_PX = 22   # at least this many pixels between two labels


class ValueAxis(pg.AxisItem):
    """pg.AxisItem with readable log-scale ticks; linear scale as pyqtgraph does it."""

    def setLogMode(self, *args, **kwargs):  # pyqtgraph override (its name)
        super().setLogMode(*args, **kwargs)
        self.setStyle(maxTextLevel=0 if self.logMode else 2)   # log: only the first level has text

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # pyqtgraph override (its names)
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return super().logTickValues(minVal, maxVal, size, stdTicks)
        return log_ticks(minVal, maxVal, size)


def log_ticks(lo: float, hi: float, size_px: float) -> list[tuple[float | None, list[float]]]:
    """Tick levels for a log axis spanning log10 values lo..hi over size_px pixels.

    Level 0 (labelled): decades, thinned to fit, or 1-2-5 steps, or every 1..9 step when
    even those are too few; level 1: the remaining 1..9 steps, as plain marks.
    """
    most = max(2, int(size_px // LABEL_PX))
    first, last = int(math.floor(lo)), int(math.ceil(hi))
    decades = [float(v) for v in range(first, last + 1) if lo <= v <= hi]
    every = [float(v + math.log10(m)) for v in range(first, last + 1) for m in range(1, 10)]
    every = [v for v in every if lo <= v <= hi]
    if len(decades) >= 2:
        step = max(1, math.ceil(len(decades) / most))
        labelled = decades[::step]
    else:
        labelled = [float(v + math.log10(m)) for v in range(first, last + 1) for m in (1, 2, 5)]
        labelled = [v for v in labelled if lo <= v <= hi]
        if len(labelled) < 2 or len(labelled) > most:
            labelled = every if len(every) <= most else labelled[:: max(1, math.ceil(len(labelled) / most))]
    marks = [v for v in every if not np.isclose(labelled, v).any()]
    spacing = labelled[1] - labelled[0] if len(labelled) > 1 else 1.0
    return [(spacing, labelled), (None, marks)]
