"""Get the compiled kernels ready without making anyone wait for them.

With an empty numba cache the first compile takes 20-35 s on a small machine. Done in a
thread of the program it would also hold the GIL for much of that time (the window
stutters) and could not be stopped when the window closes. So it runs in a child
process, which fills numba's disk cache and exits; the program then loads the kernels
from that cache (about 0.3 s) with load_cached(), which never compiles. Closing the
program just ends the child (numba writes each cache file to a temporary name and
renames it, so an interrupted compile leaves no broken entry).

Run as `python -m nnviz.core.train.kernel_build` (in the PyInstaller bundle, as
`nnviz --build-kernels`); it exits 0 once every kernel is compiled and cached.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from nnviz.core import compiled

BUILD_FLAG = "--build-kernels"   # the bundle's hidden option (see nnviz.app)


class NotCached(Exception):
    """A kernel is not in numba's disk cache (load_cached stopped before compiling it)."""


def load_cached(warm_up=None) -> bool:
    """Load every kernel from numba's disk cache; False, having compiled nothing, if one is missing.

    numba announces a compile (after a cache miss, before any work) as a "numba:compile"
    event; a listener that raises there stops it. Kernels found before the miss stay
    loaded. On success the process may use the compiled path (see nnviz.core.compiled).
    warm_up: a function calling another set of kernels (the loss landscape's), loaded the
    same way; the training kernels' state is then left alone.
    """
    from numba.core import event

    from nnviz.core.train import kernels
    own = warm_up is None

    class CacheOnly(event.Listener):
        def on_start(self, ev) -> None:
            raise NotCached(str(ev.data.get("dispatcher", "")) if ev.data else "")

        def on_end(self, ev) -> None:
            pass

    try:
        with event.install_listener("numba:compile", CacheOnly()):
            (kernels.warm_up if own else warm_up)()
    except NotCached:
        return False
    if own:
        compiled.mark_loaded()
    return True


def looks_cached() -> bool:
    """False when numba's cache folder holds no index of the training kernel: a first start,
    so there is no point in starting numba up in this process (0.3-3 s) just to find that out.
    """
    from nnviz.core.train import kernels
    try:
        folder = Path(kernels.train_eval.stats.cache_path)
    except (AttributeError, TypeError):   # another numba: just try loading
        return True
    return any(folder.glob("kernels.train_eval-*.nbi"))


OWN_MODULE = "nnviz.core.train.kernel_build"


def child_command(module: str = OWN_MODULE, name: str = "") -> tuple[list[str], dict[str, str]]:
    """The command line and environment of the child that compiles: `python -m module`, or
    in the bundle its own executable with BUILD_FLAG and the set's name ("" = training)."""
    env = dict(os.environ)
    if getattr(sys, "frozen", False):            # the PyInstaller bundle: its own executable
        return [sys.executable, BUILD_FLAG] + ([name] if name else []), env
    top = str(Path(__file__).resolve().parents[3])   # the folder holding the nnviz package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (top, env.get("PYTHONPATH", "")) if p)
    return [sys.executable, "-m", module], env


class KernelBuild:
    """The child process that compiles the kernels into numba's cache."""

    def __init__(self, module: str = OWN_MODULE, name: str = "") -> None:
        self._proc: subprocess.Popen | None = None
        self._err = tempfile.TemporaryFile()   # the child's error output, read if it fails
        self._module, self._name = module, name

    def start(self) -> None:
        cmd, env = child_command(self._module, self._name)
        self._proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=self._err)

    def poll(self) -> int | None:
        """The child's exit code once it has ended, else None."""
        return None if self._proc is None else self._proc.poll()

    def error(self) -> str:
        """The last line the child wrote to its error output ('' if none)."""
        self._err.seek(0)
        lines = self._err.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def stop(self) -> None:
        """End the child if it still runs, and wait for it (well under a second)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(2.0)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._err.close()


class KernelPreparation:
    """The steps to a loaded kernel, none of which blocks the caller, who polls now and then.

    A cache that looks warm is loaded in a thread of its own (numba starting up takes
    0.3-3 s, most of it holding the GIL, but the caller's training goes on meanwhile);
    a cold one, or one that turns out stale, is filled by the child process first and
    then loaded the same way. poll() returns what changed since the last call:
    "compiling" (the child started), "ready" (loaded after a compile), "loaded" (loaded
    from a warm cache), "failed" (see .error), or None.

    The defaults prepare the training kernels; the loss landscape passes its own loader,
    cache check and child module (core/learn/landscape_build.py).
    """

    def __init__(self, load=load_cached, cached=looks_cached, module: str = OWN_MODULE, name: str = "") -> None:
        self._load_fn, self._cached_fn, self._child = load, cached, (module, name)
        self.finished = False
        self.error = ""
        self._build: KernelBuild | None = None
        self._built = False
        self._load: threading.Thread | None = None
        self._loaded = False

    def start(self) -> str | None:
        if self._cached_fn():
            self._start_load()
            return None
        return self._start_build()

    def poll(self) -> str | None:
        if self._load is not None:
            if self._load.is_alive():
                return None
            self._load = None
            if self._loaded:
                self.finished = True
                return "ready" if self._built else "loaded"
            if self._built:          # compiled, yet not in the cache: a folder numba cannot write
                self.finished = True
                self.error = "the compiled kernel was not found in numba's cache"
                return "failed"
            return self._start_build()
        if self._build is not None:
            code = self._build.poll()
            if code is None:
                return None
            error = self._build.error()
            self._build.stop()
            self._build, self._built = None, True
            if code != 0:
                self.finished = True
                self.error = error or f"the compiling process ended with code {code}"
                return "failed"
            self._start_load()
        return None

    def stop(self) -> None:
        """End the child and wait for a load in progress (it cannot be interrupted, and a
        thread inside numba must not be cut off by the interpreter's exit)."""
        if self._build is not None:
            self._build.stop()
            self._build = None
        if self._load is not None:
            self._load.join()
            self._load = None
        self.finished = True

    def _start_load(self) -> None:
        def load() -> None:
            try:
                self._loaded = self._load_fn()
            except Exception as exc:   # noqa: BLE001 (numba's own errors): numpy goes on
                self.error = str(exc)
        self._load = threading.Thread(target=load, name="nnviz-kernel-load", daemon=True)
        self._load.start()

    def _start_build(self) -> str:
        self._build = KernelBuild(*self._child)
        self._build.start()
        return "compiling"


def main() -> int:
    """Compile (or load) every kernel so that numba caches them; 0 on success."""
    if hasattr(os, "nice"):
        os.nice(10)   # below the program's own threads: a one-core machine stays responsive
    from nnviz.core.train import kernels
    kernels.warm_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
