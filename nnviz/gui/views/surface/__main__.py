"""python -m nnviz.gui.views.surface [K]: the panel alone with a made-up Snapshot of K
classes (0 for regression), in drawing mode; it prints the requests it would send."""

from __future__ import annotations

import sys

from nnviz.gui.style.panels import demo_app, show_alone
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.surface.view import SurfaceView


def main() -> None:
    """Show the panel alone with a made-up Snapshot: `python -m nnviz.gui.views.surface [K]`."""
    demo_app()
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    view = SurfaceView()
    view.set_snapshot(make_snapshot(n_classes=k, carried=6))
    view.set_show_test(True)
    view.set_drawing(True)
    view.points_add_requested.connect(lambda xy, labels: print(f"add {len(xy)} points, labels {labels}"))
    view.points_erase_requested.connect(lambda path, r: print(f"erase within {r:.2f} of {len(path)} vertices"))
    view.paint()
    show_alone(view, 560, 560, "nnviz: decision surface")


if __name__ == "__main__":
    main()
