"""Show the landscape panel alone with made-up data: `python -m nnviz.gui.views.landscape`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from nnviz.gui.views.landscape.demo import make_landscape
from nnviz.gui.views.landscape.view import LandscapeView


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = LandscapeView()
    view.set_active(True)
    view.set_landscape(make_landscape(settings=view.settings()))
    view.paint()
    view.resize(520, 560)
    view.setWindowTitle("nnviz: loss landscape")
    view.show()
    app.exec()


if __name__ == "__main__":
    main()
