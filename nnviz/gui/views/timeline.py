"""The timeline bar under the curves: scrub back through the active run's checkpoints.

The slider has one stop per checkpoint (core/train/timeline.py keeps every epoch of the
first dozens and sparser ones later, so equal steps reach early epochs as easily as late
ones) and a last stop for the live run. Moving it asks to look at that checkpoint: the
graph, pictures, surface and a cursor on the curves show the network then, read-only,
while the live run waits. Restore and Branch act on the checkpoint looked at. The view
only reads Snapshots and emits requests.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider, QVBoxLayout, QWidget

from nnviz.core.snapshot import Snapshot

# why a checkpoint was made, in the words of the bar (core.train.timeline.REASONS)
REASON_WORDS = {"start": "the network as built", "epoch": "at the end of the epoch", "step": "before a Step",
                "edit": "before a hand edit", "settings": "before a change of settings",
                "data": "before new data", "resume": "as training went on after a change",
                "loaded": "as opened from a file"}


class TimelineBar(QWidget):
    """A slider over the checkpoints, the epoch shown, and Live / Restore / Branch.

    Signals:
        look_requested(int): show checkpoint `index` read-only (the live run waits).
        live_requested(): back to the live run.
        restore_requested(int): the run returns to checkpoint `index` and goes on from there.
        branch_requested(int): a new run starts from checkpoint `index`; the original stays.
    """

    look_requested = Signal(int)
    live_requested = Signal()
    restore_requested = Signal(int)
    branch_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._count = 0                  # checkpoints; the slider's last stop is the live run
        self._viewing = -1
        self._setting = False            # the slider is moved by a Snapshot, not the user
        self.title = QLabel("Timeline")
        self.title.setStyleSheet("color: #555; font-weight: 600;")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(4)
        self.slider.setToolTip("Drag back to look at the network at an earlier epoch (read-only; training "
                               "waits). The right end is the live run. Arrow keys step one checkpoint.")
        self.slider.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.slider.setMinimumWidth(120)
        self.label = QLabel("")
        self.label.setStyleSheet("color: #333;")
        self.live_button = QPushButton("Live")
        self.live_button.setToolTip("Back to the live run (Esc)")
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Go back to this epoch: the run continues from here exactly as it "
                                       "did; what came after is forgotten")
        self.branch_button = QPushButton("Branch")
        self.branch_button.setToolTip("Start a new run from this epoch beside the original, to try "
                                      "other settings from here")
        # two rows: the slider has the whole width (one stop per checkpoint, up to 64 and
        # the live end, needs room to be dragged to one), the words and buttons go below it
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(0)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.setSpacing(6)
        bottom.setSpacing(6)
        top.addWidget(self.title)
        top.addWidget(self.slider, 1)
        bottom.addWidget(self.label, 1)
        for b in (self.live_button, self.restore_button, self.branch_button):
            b.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            bottom.addWidget(b)
        lay.addLayout(top)
        lay.addLayout(bottom)
        self.slider.valueChanged.connect(self._moved)
        self.live_button.clicked.connect(self.live_requested)
        self.restore_button.clicked.connect(lambda: self._viewing >= 0 and self.restore_requested.emit(self._viewing))
        self.branch_button.clicked.connect(lambda: self._viewing >= 0 and self.branch_requested.emit(self._viewing))
        self._enable(False)

    # -- inputs ----------------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        """Follow the run: its checkpoints, and the one looked at (or the live end)."""
        epochs = snap.timeline_epochs
        self._count, self._viewing = len(epochs), snap.viewing
        self._setting = True
        try:
            self.slider.setMaximum(self._count)
            self.slider.setValue(snap.viewing if snap.viewing >= 0 else self._count)
        finally:
            self._setting = False
        self._enable(snap.viewing >= 0)
        if snap.viewing >= 0 and snap.viewing < len(epochs):
            reason = snap.timeline_reasons[snap.viewing] if snap.viewing < len(snap.timeline_reasons) else ""
            batch = f" + {snap.batch}/{snap.batches_per_epoch}" if snap.batch else ""
            self.label.setText(f"<b style='color:#b41e1e'>Epoch {snap.epoch:,}{batch}</b> "
                               f"<span style='color:#777'>of {snap.live_epoch:,}</span>")
            self.label.setToolTip(f"Checkpoint {snap.viewing + 1} of {self._count}, made "
                                  f"{REASON_WORDS.get(reason, reason)}. Training waits while you look: Live "
                                  f"returns, Restore goes back here, Branch starts a new run from here.")
        else:
            plural = "" if self._count == 1 else "s"
            self.label.setText(f"Live <span style='color:#777'>· {self._count} checkpoint{plural}</span>")
            self.label.setToolTip("Checkpoints are kept every epoch at first, then sparser, and before "
                                  "every Step, edit or change; drag the slider back to look at one.")

    def viewing(self) -> int:
        """The checkpoint index shown, -1 for the live run."""
        return self._viewing

    def step(self, delta: int) -> None:
        """One checkpoint back (-1) or forward (+1), as the arrow keys do."""
        self.slider.setValue(max(0, min(self._count, self.slider.value() + delta)))

    # -- requests --------------------------------------------------------------------
    def _moved(self, value: int) -> None:
        if self._setting:
            return
        if value >= self._count:
            self.live_requested.emit()
        else:
            self.look_requested.emit(int(value))

    def _enable(self, looking: bool) -> None:
        for b in (self.live_button, self.restore_button, self.branch_button):
            b.setEnabled(looking)


def main() -> None:
    """Show the bar alone with a made-up timeline: `python -m nnviz.gui.views.timeline`."""
    from nnviz.gui.style.panels import demo_app, show_alone
    from nnviz.gui.views.demo_snapshot import make_snapshot, with_timeline

    demo_app()
    bar = TimelineBar()
    snap = make_snapshot(n_classes=2)
    bar.look_requested.connect(lambda i: bar.show_snapshot(with_timeline(snap, i)))
    bar.live_requested.connect(lambda: bar.show_snapshot(with_timeline(snap)))
    bar.restore_requested.connect(lambda i: print(f"restore checkpoint {i}"))
    bar.branch_requested.connect(lambda i: print(f"branch at checkpoint {i}"))
    bar.show_snapshot(with_timeline(snap))
    show_alone(bar, 640, 40, "nnviz: timeline")


if __name__ == "__main__":
    main()
