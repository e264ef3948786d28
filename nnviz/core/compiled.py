"""Whether the compiled (numba) kernels may run now, in this process.

numba compiles a kernel the first time it runs on a machine (20-35 s here with an empty
cache) and later loads it from its disk cache in about 0.3 s. A script simply waits for
that first compile. The desktop program must not make anyone wait: it compiles in a child
process (train/kernel_build.py) and, until the kernels are loaded, the Trainer and the
Network compute with their numpy reference, which is tested equal to the kernels.

The choice belongs to the whole process, as numba's compiled functions do, so it is kept
here, in one place, rather than in every Trainer (a session file builds Trainers too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class _State:
    deferred = False   # True: never compile in the caller's thread; use numpy until loaded
    loaded = False     # True once every kernel is in memory (compiled or read from the cache)


_state = _State()


def defer() -> None:
    """From now on, compute with numpy until mark_loaded() (the desktop program calls this)."""
    _state.deferred = True


def mark_loaded() -> None:
    """Every kernel is in memory: the compiled path costs no compile any more."""
    _state.loaded = True


def available() -> bool:
    """True when calling a kernel now is the right thing: it is loaded, or the caller may wait."""
    return _state.loaded or not _state.deferred


@contextmanager
def numpy_only() -> Iterator[None]:
    """Compute with numpy, as while the kernels compile (benchmarks and tests of that path)."""
    saved = (_state.deferred, _state.loaded)
    _state.deferred, _state.loaded = True, False
    try:
        yield
    finally:
        _state.deferred, _state.loaded = saved
