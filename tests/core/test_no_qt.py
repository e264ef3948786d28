"""nnviz.core loads no Qt: scripts and notebooks can use the engine without a GUI stack.

Checked in a fresh interpreter, since this test process may already hold Qt from the
GUI tests.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT

QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")

PROBE = f"""
import importlib, pkgutil, sys
import nnviz.core
import nnviz.bench.core
for info in pkgutil.walk_packages(nnviz.core.__path__, "nnviz.core."):   # every module of the core
    importlib.import_module(info.name)
t = nnviz.core.Trainer(nnviz.core.Config())
t.step_batch()
t.snapshot()
nnviz.core.explain_step(t)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {QT!r})
print(",".join(loaded))
"""

LIGHT = """
import sys
import nnviz.core
from nnviz.core import Config, Dataset, FormatError, Network, Snapshot, make_data
print(",".join(sorted(m for m in ("numba", "llvmlite", "onnx") if m in sys.modules)))
from nnviz.core import (Trainer, explain_step, export_weights, import_weights, load_session,
                        save_session)
print(Trainer.__module__, export_weights.__module__, load_session.__module__, explain_step.__module__)
"""


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_and_using_the_core_loads_no_qt() -> None:
    out = _run(PROBE).strip()
    assert out == "", f"Qt modules loaded: {out}"


def test_the_public_api_is_importable_from_nnviz_core_and_light_until_used() -> None:
    light, where = _run(LIGHT).splitlines()
    assert light == "", f"import nnviz.core loaded {light}"
    assert where.split() == ["nnviz.core.train.trainer", "nnviz.core.files.weights", "nnviz.core.files.session",
                             "nnviz.core.learn.explain"]
