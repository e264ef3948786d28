"""What the mouse reads and picks on the surface: the value under the pointer and the
training point nearest a click. Its own module as it is the view's input, not its painting."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from nnviz.core.snapshot import GRID
from nnviz.gui.style.values import fixed

EXTENT = 6.0                                   # the data square is [-EXTENT, EXTENT]^2
_CELL = 2 * EXTENT / (GRID - 1)                # grid values sit at pixel centres


class PointerMixin:
    """Mixin of SurfaceView: its handlers are connected to the plot scene's own signals,
    in the GUI thread."""

    def set_pick_mode(self, on: bool) -> None:
        """While on, a left click picks the nearest training point (training_point_picked)."""
        self._pick = bool(on)

    def handle_pick(self, x: float, y: float, within: float = 0.5) -> int:
        """The training point nearest data (x, y) within `within` data units, emitted; -1 if none."""
        if self._snap is None or not len(self._snap.train_x):
            return -1
        d = np.hypot(self._snap.train_x[:, 0] - x, self._snap.train_x[:, 1] - y)
        k = int(np.argmin(d))
        if d[k] > within:
            return -1
        self.training_point_picked.emit(k)
        return k

    def _to_data(self, scene_pos: QPointF) -> tuple[float, float] | None:
        """Scene position -> (x, y) inside the data square, or None outside it."""
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        x, y = p.x(), p.y()
        if abs(x) > EXTENT or abs(y) > EXTENT:
            return None
        return x, y

    def hover_text(self, x: float, y: float) -> str:
        """Coordinates and the shown picture's value at (x, y), e.g. 'x 1.20  y -3.40  out 0.731'."""
        text = f"x {fixed(x, 2)}  y {fixed(y, 2)}"
        values = self._values
        if values is None:
            return text
        ix = int(np.clip(round((x + EXTENT) / _CELL), 0, GRID - 1))
        iy = int(np.clip(round((y + EXTENT) / _CELL), 0, GRID - 1))
        if values.ndim == 3:
            probs = values[:, iy, ix]
            c = int(np.argmax(probs))
            return f"{text}  class {c} (p {float(probs[c]):.3f})"
        v = float(values[iy, ix])
        if self._neuron is None and self._snap is not None and self._snap.config.output_kind in (
                "sigmoid_bce", "softmax_ce"):
            return f"{text}  p(+1) {fixed((v + 1.0) / 2.0)}"   # shown on the -1..1 scale, read as p
        return f"{text}  {'out' if self._neuron is None else 'value'} {fixed(v)}"

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        xy = self._hover_xy = self._to_data(scene_pos)
        if xy is None:
            self.hover_label.hide()
            return
        self.hover_label.setText(self.hover_text(*xy))
        self.hover_label.adjustSize()
        self.hover_label.show()

    def _on_mouse_clicked(self, ev) -> None:
        """In pick mode (an explained step), a left click picks the nearest training point;
        while drawing, the stroke tool has the clicks."""
        if ev.double() or not self._pick or self.tool.active or ev.button() != Qt.LeftButton:
            return
        xy = self._to_data(ev.scenePos())
        if xy is None:
            return
        px = self.plot.getPlotItem().getViewBox().viewPixelSize()[0]
        self.handle_pick(xy[0], xy[1], within=max(12.0 * px, 0.15))   # 12 px around a point
        ev.accept()
