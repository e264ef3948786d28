"""The links of the graph as pictures, one per gap between two columns, redrawn in turns.

Why: stroking every link costs time in proportion to the links' total length, about two
million pixels for 10 hidden layers of 32 in a 600 px panel (~90 ms with Qt's raster
engine here, and Qt holds the GIL while it strokes, so another thread would not help),
far too long for a frame. But a link's look only changes when its quantised weight does
(items.link_keys: 73 colour and width steps), so a gap's picture stays exact until one of
its links changes step.

So each gap keeps the picture it last finished, for the keys it was drawn from. A gap
whose links changed step is redrawn into a fresh picture, a few hundred lines at a time
and in the same order (thinnest first), within a time budget per frame; when that
picture is finished it replaces the old one, and the next stale gap (the longest waiting)
follows. A small network is redrawn whole every frame; in the largest every gap on screen
is exact for weights at most a few frames old, and once training pauses the rest is
drawn at once (`redraw` says more is owed, for a timer to finish it). A gap with no
picture yet (a new network, or a new layout after a resize) is finished in the frame
that starts it, one such gap a frame: an empty gap would look like a network without
links there, where a stale one is only a few steps behind.

The pictures are made at the device's pixel scale, so showing them costs a dozen image
copies per frame whatever the number of links.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPen

from nnviz.gui.views.topology.geometry import GraphLayout

PAD = 8.0                  # scene units around a gap: the widest link (10 px) and its ends
BUDGET_S = 0.004           # most time a frame spends drawing links (one batch at least)
BATCH = 128                # lines stroked in one call: the unit of work the budget counts

# (pen, line indices) of a gap, thinnest first, for the keys given
Buckets = Callable[[np.ndarray], list[tuple[QPen, np.ndarray]]]


class GapPicture:
    """One gap's links: their lines, the finished picture and the keys it shows."""

    def __init__(self, layout: GraphLayout, gap: int):
        lo, hi = int(layout.link_start[gap]), int(layout.link_start[gap + 1])
        self.rows = slice(lo, hi)
        seg = layout.segments[lo:hi]                                          # (m, 4)
        x0, x1 = float(seg[:, [0, 2]].min()), float(seg[:, [0, 2]].max())
        y0, y1 = float(seg[:, [1, 3]].min()), float(seg[:, [1, 3]].max())
        self.rect = QRectF(x0 - PAD, y0 - PAD, x1 - x0 + 2 * PAD, y1 - y0 + 2 * PAD)
        self.lines = [QLineF(*map(float, s)) for s in seg]
        self.keys: np.ndarray | None = None      # the keys of the picture, None: none yet
        self.image: QImage | None = None
        self.drawn_at = -1                        # frame number it was last finished in

    def stale(self, keys: np.ndarray) -> bool:
        return self.keys is None or not np.array_equal(self.keys, keys[self.rows])

    def work(self, keys: np.ndarray, buckets: Buckets) -> list[tuple[QPen, list[QLineF]]]:
        """What drawing this gap's keys takes: (pen, up to BATCH lines), in drawing order."""
        out = []
        for pen, idx in buckets(keys[self.rows]):
            for s in range(0, len(idx), BATCH):
                out.append((pen, [self.lines[i] for i in idx[s:s + BATCH]]))
        return out


class Job:
    """A gap's picture being drawn: the keys it is for and the strokes still to make."""

    def __init__(self, gap: GapPicture, keys: np.ndarray, buckets: Buckets, scale: float):
        self.gap, self.keys = gap, keys[gap.rows].copy()
        self.todo = gap.work(keys, buckets)
        self.scale = scale
        w = max(int(math.ceil(gap.rect.width() * scale)), 1)
        h = max(int(math.ceil(gap.rect.height() * scale)), 1)
        self.image = QImage(w, h, QImage.Format_ARGB32_Premultiplied)
        self.image.fill(Qt.transparent)

    def step(self, deadline: float) -> bool:
        """Stroke batches until the deadline (one at least); True once the picture is done."""
        p = QPainter(self.image)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(self.scale, self.scale)
        p.translate(-self.gap.rect.x(), -self.gap.rect.y())
        first = True
        while self.todo and (first or time.perf_counter() < deadline):
            pen, lines = self.todo.pop(0)
            p.setPen(pen)
            p.drawLines(lines)
            first = False
        p.end()
        return not self.todo


class LinkPictures:
    """Every gap's picture; see the module doc for when each is redrawn."""

    def __init__(self) -> None:
        self.gaps: list[GapPicture] = []
        self._layout: GraphLayout | None = None
        self._look: tuple = ()                   # (width scale, device scale) the pictures have
        self._keys = np.zeros(0, dtype=np.int64)
        self._job: Job | None = None
        self._frame = 0

    def set_keys(self, layout: GraphLayout, keys: np.ndarray, look: tuple) -> None:
        """The keys (M,) to show from now on; a new layout or look starts every picture anew."""
        if layout is not self._layout or look != self._look:
            self.gaps = [GapPicture(layout, g) for g in range(len(layout.layer_sizes) - 1)]
            self._layout, self._look, self._job = layout, look, None
        self._keys = keys
        self._frame += 1

    def stale(self) -> list[GapPicture]:
        """Gaps whose picture differs from the keys, the longest waiting first."""
        return sorted((g for g in self.gaps if g.stale(self._keys)), key=lambda g: g.drawn_at)

    def redraw(self, buckets: Buckets, budget_s: float | None = None) -> bool:
        """Draw for about budget_s (BUDGET_S; one batch of lines at least); True while more
        is owed."""
        deadline = time.perf_counter() + (BUDGET_S if budget_s is None else budget_s)
        scale = self._look[-1] if self._look else 1.0
        blank_done = False             # one gap without a picture is finished per call
        while True:
            if self._job is None:
                todo = self.stale()
                if not todo:
                    return False
                self._job = Job(todo[0], self._keys, buckets, scale)
            whole = self._job.gap.image is None and not blank_done
            if self._job.step(math.inf if whole else deadline):
                blank_done = blank_done or whole
                job, self._job = self._job, None
                job.gap.image, job.gap.keys, job.gap.drawn_at = job.image, job.keys, self._frame
            if time.perf_counter() >= deadline:
                return self._job is not None or bool(self.stale())

    def exact(self) -> bool:
        """Every picture shows the current keys."""
        return self._job is None and not self.stale()

    def draw_lines(self, painter: QPainter, buckets: Buckets) -> None:
        """Every link as vectors, at the current keys (exports to SVG)."""
        painter.setRenderHint(QPainter.Antialiasing)
        for gap in self.gaps:
            for pen, lines in gap.work(self._keys, buckets):
                painter.setPen(pen)
                painter.drawLines(lines)

    def blit(self, painter: QPainter) -> None:
        """Copy the pictures unscaled, at whole device pixels (the fast path: a scaled or
        smoothed drawImage of the same pictures cost ten times as much)."""
        to_logical = painter.combinedTransform()     # scene -> the widget's logical pixels
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0   # device px per logical px
        painter.save()
        painter.resetTransform()
        for gap in self.gaps:
            if gap.image is not None:
                corner = to_logical.map(gap.rect.topLeft())
                gap.image.setDevicePixelRatio(dpr)
                painter.drawImage(QPointF(round(corner.x() * dpr) / dpr, round(corner.y() * dpr) / dpr),
                                  gap.image)
        painter.restore()
