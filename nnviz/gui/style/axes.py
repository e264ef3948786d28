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
EDGE_PX = 7     # and between a label and an end of the axis (half a line of text)


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
    even those are too few; level 1: the remaining 1..9 steps, as plain marks, or only the
    unlabelled decades when the decades themselves had to be thinned (a comb of minor
    marks over many decades reads as noise). A label is kept clear of the axis ends,
    where its text would be cut, unless that would leave fewer than two.
    """
    most = max(2, int(size_px // LABEL_PX))
    first, last = int(math.floor(lo)), int(math.ceil(hi))
    clear = EDGE_PX / max(size_px, 1.0) * (hi - lo)         # log10 units of EDGE_PX

    def inside(values: list[float]) -> list[float]:
        within = [v for v in values if lo <= v <= hi]
        away = [v for v in within if lo + clear <= v <= hi - clear]
        return away if len(away) >= 2 or len(away) == len(within) else within

    decades = inside([float(v) for v in range(first, last + 1)])
    every = [v for v in (float(v + math.log10(m)) for v in range(first, last + 1) for m in range(1, 10))
             if lo <= v <= hi]
    if len(decades) >= 2:
        step = max(1, math.ceil(len(decades) / most), math.ceil(LABEL_PX / (size_px / (hi - lo)) - 1e-9))
        labelled = decades[::step]
        if step > 1:
            every = [float(v) for v in range(first, last + 1) if lo <= v <= hi]
    else:
        labelled = inside([float(v + math.log10(m)) for v in range(first, last + 1) for m in (1, 2, 5)])
        if len(labelled) < 2 or len(labelled) > most:
            labelled = every if len(every) <= most else labelled[:: max(1, math.ceil(len(labelled) / most))]
    marks = [v for v in every if not np.isclose(labelled, v).any()]
    spacing = labelled[1] - labelled[0] if len(labelled) > 1 else 1.0
    return [(spacing, labelled), (None, marks)]
