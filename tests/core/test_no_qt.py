"""nnviz.core loads no Qt: scripts and notebooks can use the engine without a GUI stack.

Checked in a fresh interpreter, since this test process may already hold Qt from the
GUI tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")

PROBE = f"""
import importlib, pkgutil, sys
import nnviz.core
import nnviz.core.trainer, nnviz.core.kernels, nnviz.core.reference, nnviz.bench.core
for info in pkgutil.iter_modules(nnviz.core.__path__):       # every module of the core
    importlib.import_module("nnviz.core." + info.name)
t = nnviz.core.Trainer(nnviz.core.Config())
t.step_batch()
t.snapshot()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {QT!r})
print(",".join(loaded))
"""


def test_importing_and_using_the_core_loads_no_qt() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt modules loaded: {result.stdout.strip()}"
