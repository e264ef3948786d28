"""python -m nnviz.gui.views.curves [K] [runs]: the panel alone with a made-up Snapshot (K
classes, 0 for regression); "runs" adds three runs side by side and a look back at epoch 12."""

import sys

from nnviz.gui.style.panels import demo_app, show_alone
from nnviz.gui.views.curves.view import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot, with_runs, with_timeline


def main() -> int:
    demo_app()
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    view = CurvesView()
    snap = make_snapshot(n_classes=k, hidden=(8, 8, 8, 8))
    if "runs" in sys.argv:
        snap = with_timeline(with_runs(snap), viewing=12)
    view.set_snapshot(snap)
    view.paint()
    return show_alone(view, 640, 520, "nnviz: curves")


sys.exit(main())
