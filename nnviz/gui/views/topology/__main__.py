"""python -m nnviz.gui.views.topology [neurons per hidden layer ...]: the graph alone, with
a made-up Snapshot whose weights drift as if training, e.g. 8 8 8."""

import dataclasses
import sys

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.topology.view import TopologyView


def main() -> int:
    """The graph alone with a made-up Snapshot whose weights drift as if training:
    `python -m nnviz.gui.views.topology [neurons per hidden layer ...]`, e.g. 8 8 8."""
    app = QApplication(sys.argv)
    hidden = tuple(int(a) for a in sys.argv[1:]) or (4, 2)
    state = {"snap": make_snapshot(2, hidden=hidden, dead_links=3)}
    demo = TopologyView()
    demo.setWindowTitle("nnviz: network graph (made-up Snapshot)")
    demo.message_posted.connect(print)
    demo.resize(900, 600)
    demo.show()

    def drift() -> None:
        """Move the weights a little, as training would, so the hover card is seen to follow."""
        snap = state["snap"]
        rng = np.random.default_rng(snap.seq)
        state["snap"] = dataclasses.replace(
            snap, seq=snap.seq + 1, weights=tuple(np.where(d != 0, 0.0, w + 0.01 * rng.standard_normal(w.shape))
                                                  for w, d in zip(snap.weights, snap.dead)))
        demo.set_snapshot(state["snap"])
        demo.paint()

    timer = QTimer(interval=200, timeout=drift)
    timer.start()
    drift()
    return app.exec()


sys.exit(main())
