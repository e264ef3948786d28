"""Loading the kernels from numba's cache never compiles: on an empty cache it says so at
once (a fresh interpreter, so nothing is compiled in memory yet)."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import ROOT

PROBE = """
import time
from nnviz.core import compiled
from nnviz.core.train import kernel_build
compiled.defer()
t = time.perf_counter()
print(kernel_build.looks_cached(), kernel_build.load_cached(), compiled.available(), round(time.perf_counter() - t, 2))
"""


def test_an_empty_cache_is_reported_without_compiling(tmp_path):
    cache = tmp_path / "numba"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    looks, loaded, available, seconds = run.stdout.split()
    assert (looks, loaded, available) == ("False", "False", "False")
    assert not list(cache.rglob("*.nbc"))       # no compiled code was written: nothing was compiled
