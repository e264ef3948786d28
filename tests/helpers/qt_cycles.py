"""Find Qt objects that only the cyclic garbage collector would free.

Python's collector runs in whichever thread crosses its threshold; a Qt wrapper it frees
deletes its C++ object in that thread, possibly not the object's own. So a scenario must
leave no Qt wrapper in an unreachable cycle: everything it drops goes by reference count,
at once, in the thread that drops it.
"""

from __future__ import annotations

import gc
import types

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGraphicsItem
from shiboken6 import Shiboken


def _describe(obj) -> str:
    """A short readable name of obj: its type, and a hint of what it is."""
    kind = type(obj).__name__
    if isinstance(obj, types.FunctionType):
        return f"function {obj.__qualname__}"
    if isinstance(obj, types.MethodType):
        return f"bound method {obj.__func__.__qualname__}"
    if isinstance(obj, types.CellType):
        return "closure cell"
    if isinstance(obj, dict):
        return f"dict ({len(obj)} keys)"
    if isinstance(obj, (list, tuple)):
        return f"{kind} (len {len(obj)})"
    opts = getattr(obj, "opts", None)             # a pyqtgraph item's name, when it has one
    if isinstance(opts, dict) and opts.get("name"):
        return f"{kind} {opts['name']!r}"
    if isinstance(obj, QObject) and Shiboken.isValid(obj) and obj.objectName():
        return f"{kind} {obj.objectName()!r}"
    return kind


def _edge(src, dst) -> str:
    """How src holds dst: an attribute name, a key, an index, or just the link."""
    if isinstance(src, dict):
        for k, v in src.items():
            if v is dst:
                return f"[{k!r}]"
    if isinstance(src, (list, tuple)):
        for i, v in enumerate(src):
            if v is dst:
                return f"[{i}]"
    if getattr(src, "__dict__", None) is dst:
        return ".__dict__"
    if isinstance(src, types.FunctionType) and src.__closure__ and dst in src.__closure__:
        names = src.__code__.co_freevars
        return f".closure[{names[src.__closure__.index(dst)]}]"
    if isinstance(src, types.CellType):
        return ".cell_contents"
    if isinstance(src, types.MethodType):
        return ".__self__" if src.__self__ is dst else ".__func__"
    return " ->"


def _holders(obj, pool: dict[int, object], depth: int = 8) -> list:
    """The chain of garbage objects that hold obj, nearest first, up to the first
    instance whose __dict__ holds the chain (the owner a reader can name)."""
    chain, cur, seen = [obj], obj, {id(obj)}
    for _ in range(depth):
        refs = [r for r in gc.get_referrers(cur) if id(r) in pool and id(r) not in seen]
        if not refs:
            break
        refs.sort(key=lambda r: not isinstance(r, dict))   # an attribute first
        cur = refs[0]
        seen.add(id(cur))
        chain.append(cur)
        if isinstance(cur, dict):
            owner = [o for o in gc.get_referrers(cur) if getattr(o, "__dict__", None) is cur]
            if owner:
                chain.append(owner[0])
                break
    return chain


def _format_chain(chain: list) -> str:
    parts = [_describe(chain[0])]
    for held, holder in zip(chain, chain[1:]):
        parts.append(f"<-{_edge(holder, held)} {_describe(holder)}")
    return " ".join(parts)


def thread_bound(obj) -> bool:
    """A wrapper whose freeing deletes a C++ object that belongs to a thread: a live
    QObject (widgets, timers, dialogs) or graphics item (in a scene of the GUI thread)
    that Python owns. One a Qt parent owns is deleted with that parent; value types
    (QPen, QRectF, QImage) may be freed in any thread."""
    return (isinstance(obj, (QObject, QGraphicsItem)) and Shiboken.isValid(obj)
            and Shiboken.ownedByPython(obj))


def qt_garbage() -> list[str]:
    """Collect now and return one line per live thread-bound Qt wrapper found in
    unreachable cycles (a wrapper whose C++ object is already deleted is harmless).

    Each line names the wrapper's type and a shortest cycle through it, for example
    "SurfaceView .__dict__ dict ['tool'] StrokeTool ...". The garbage is then released
    (the cycles broken here, in the calling thread) so nothing lingers after a test.
    """
    old = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        garbage = list(gc.garbage)
        gc.garbage.clear()
    finally:
        gc.set_debug(old)
    pool = {id(o): o for o in garbage}
    lines = []
    for obj in garbage:
        if thread_bound(obj):
            lines.append(f"{type(obj).__module__}.{type(obj).__qualname__}: "
                         f"{_format_chain(_holders(obj, pool))}")
    del pool, garbage
    gc.collect()
    return lines
