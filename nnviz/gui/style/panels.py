"""What every panel shares: painting only when its Snapshot or an option changed, and
being shown alone with made-up data (`python -m nnviz.gui.views.NAME`)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget


class Repaint:
    """Mixin of a view that keeps the newest Snapshot in `_snap` and sets `_dirty` when it,
    or an option that changes the picture, changed; `paint_count` counts real repaints
    (benchmarks and tests read it)."""

    def _due(self):
        """The Snapshot to draw now, counted as painted; None when nothing changed."""
        snap = self._snap
        if snap is None or not self._dirty:
            return None
        self._dirty = False
        self.paint_count += 1
        return snap


def demo_app() -> QApplication:
    """The application a panel shown alone runs in (made before any widget)."""
    return QApplication.instance() or QApplication(sys.argv)


def show_alone(widget: QWidget, width: int, height: int, title: str) -> int:
    """Show a panel alone at width x height pixels and run until its window is closed."""
    widget.resize(width, height)
    widget.setWindowTitle(title)
    widget.show()
    return QApplication.instance().exec()
