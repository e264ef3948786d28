"""python -m nnviz.gui.views.curves [K]: the panel alone with a made-up Snapshot (K classes,
0 for regression)."""

import sys

from PySide6.QtWidgets import QApplication

from nnviz.gui.views.curves.view import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    view = CurvesView()
    view.set_snapshot(make_snapshot(n_classes=k, hidden=(8, 8, 8, 8)))
    view.paint()
    view.resize(640, 520)
    view.setWindowTitle("nnviz: curves")
    view.show()
    return app.exec()


sys.exit(main())
