"""Get the landscape kernel ready without stalling the program, as the training kernels are.

With an empty numba cache the plane kernel compiles in about 10 s. Done in a thread of
the program it would hold the GIL for much of that time (the window stutters) and could
not be stopped when the window closes, so the first refresh starts the same preparation
as the training kernels (train/kernel_build.py): a warm cache is loaded in a thread, a
cold or stale one is filled first by a child process, `python -m
nnviz.core.learn.landscape_build` (in the bundle, `nnviz --build-kernels landscape`).
The child imports the kernel's module rather than running it as __main__, so numba
caches it under the name the program looks for.

A script that calls loss_landscape() simply compiles in its own thread on first use;
only the worker asks ready().
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from nnviz.core.learn import landscape_kernel
from nnviz.core.train import kernel_build

CHILD_MODULE = "nnviz.core.learn.landscape_build"
BUNDLE_NAME = "landscape"      # the bundle's word after --build-kernels

_lock = threading.Lock()       # ready() and stop() may come from different workers' threads
_prep: kernel_build.KernelPreparation | None = None
_failed: list[str] = []        # why the preparation failed, if it did


def looks_cached() -> bool:
    """False when numba's cache holds no index of the plane kernel (no point loading then)."""
    try:
        folder = Path(landscape_kernel.plane_losses.stats.cache_path)
    except (AttributeError, TypeError):   # another numba: just try loading
        return True
    return any(folder.glob("landscape_kernel.*plane_losses-*.nbi"))


def load_cached() -> bool:
    """Load the plane kernel from the cache; False, having compiled nothing, if it is not there."""
    return kernel_build.load_cached(landscape_kernel.warm_up)


def ready() -> bool:
    """True once the plane kernel is in memory. The first call starts its preparation and
    returns False; later calls look how it is going (cheap). RuntimeError, in words, if
    it failed (for instance a cache folder numba cannot write)."""
    global _prep
    if landscape_kernel.loaded():
        return True
    with _lock:
        if _failed:
            raise RuntimeError(f"the landscape kernel could not be compiled: {_failed[0]}")
        if _prep is None:
            _prep = kernel_build.KernelPreparation(load_cached, looks_cached, CHILD_MODULE, BUNDLE_NAME)
            _prep.start()
        else:
            _prep.poll()
        if _prep.finished and not landscape_kernel.loaded():
            _failed.append(_prep.error or "it was not found in numba's cache after compiling")
            _prep = None
            raise RuntimeError(f"the landscape kernel could not be compiled: {_failed[0]}")
    return landscape_kernel.loaded()


def stop() -> None:
    """End a compile in progress and wait for a load (the program is closing); a later
    ready() starts again."""
    global _prep
    with _lock:
        if _prep is not None:
            _prep.stop()
            _prep = None


def main() -> int:
    """Compile (or load) the plane kernel so that numba caches it; 0 on success."""
    if hasattr(os, "nice"):
        os.nice(10)   # below the program's own threads, as the training kernels' child
    landscape_kernel.warm_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
