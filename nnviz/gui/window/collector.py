"""Python's cyclic garbage collector runs in the GUI thread only.

Left automatic, a collection runs in whichever thread happens to allocate when a
threshold is crossed, often the worker's. If it then frees a Qt object made in the GUI
thread (a wrapper in a reference cycle: a menu's action, a dialog of a closed window),
Qt's destructor takes Qt's locks in the worker while the GUI thread waits for the GIL
inside another destructor: both threads stop for good. This was seen in the test suite
(an ONNX export's imports collecting a closed window's menu). pyqtgraph's
GarbageCollector disables the automatic collector and collects on a timer in the thread
that made it, with the same thresholds.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 0.5            # how often the GUI thread looks whether a collection is due

_collector: GarbageCollector | None = None


def collect_in_gui_thread() -> GarbageCollector:
    """Start the collector (once per process; call from the GUI thread)."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_S)
    return _collector
