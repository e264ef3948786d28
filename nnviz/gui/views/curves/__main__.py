"""python -m nnviz.gui.views.curves [K] [runs]: the panel alone with a made-up Snapshot (K
classes, 0 for regression); "runs" adds three runs side by side and a look back at epoch 12."""

import sys

from PySide6.QtWidgets import QApplication

from nnviz.gui.views.curves.view import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot, with_runs, with_timeline


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    view = CurvesView()
    snap = make_snapshot(n_classes=k, hidden=(8, 8, 8, 8))
    if "runs" in sys.argv:
        snap = with_timeline(with_runs(snap), viewing=12)
    view.set_snapshot(snap)
    view.paint()
    view.resize(640, 520)
    view.setWindowTitle("nnviz: curves")
    view.show()
    return app.exec()


sys.exit(main())
