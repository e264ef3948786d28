"""The house rules, checked from the source with ast: no import circles anywhere in nnviz/,
and the dependency rule between the rooms (core, worker, gui)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from helpers import ROOT

PACKAGE = ROOT / "nnviz"
STDLIB = set(sys.stdlib_module_names)


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module under nnviz/ (a package is its __init__)."""
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module named by an import anywhere in the module (inside functions too)."""
    path = MODULES[name]
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                mod = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return found


def _edges() -> dict[str, set[str]]:
    """Module -> the modules of nnviz it imports. A module's own parent packages are not
    edges: Python loads them before the module anyway."""
    edges = {}
    for name in MODULES:
        targets = set()
        for imp in _imports(name):
            parts = imp.split(".")
            for i in range(len(parts), 0, -1):
                cand = ".".join(parts[:i])
                if cand in MODULES:
                    if cand != name and not name.startswith(cand + "."):
                        targets.add(cand)
                    break
        edges[name] = targets
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_walk_sees_every_module_and_finds_a_planted_circle() -> None:
    assert len(MODULES) > 60 and "nnviz.core.train.trainer" in MODULES
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    assert _cycles(_edges()) == []


def _outside(name: str) -> set[str]:
    """Top-level names of what a module imports from outside nnviz."""
    return {imp.split(".")[0] for imp in _imports(name) if imp and not imp.startswith("nnviz")}


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("nnviz.core")])
def test_core_imports_only_the_standard_library_numpy_numba_and_onnx(name: str) -> None:
    # onnx, safetensors and tomli are imported inside the one function that needs each
    allowed = STDLIB | {"numpy", "numba", "llvmlite", "onnx", "safetensors", "tomli", "__future__"}
    assert _outside(name) <= allowed
    assert not any(m.startswith(("nnviz.gui", "nnviz.worker", "nnviz.bench", "nnviz.app"))
                   for m in _imports(name))


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("nnviz.worker")])
def test_worker_imports_the_core_and_qtcore_only(name: str) -> None:
    assert _outside(name) <= STDLIB | {"numpy", "PySide6", "__future__"}
    qt = {".".join(i.split(".")[:2]) for i in _imports(name) if i.startswith("PySide6.")}
    assert qt <= {"PySide6.QtCore"}
    assert not any(m.startswith(("nnviz.gui", "nnviz.bench")) for m in _imports(name))


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("nnviz.gui.views.")])
def test_views_neither_import_each_other_nor_the_worker(name: str) -> None:
    mine = ".".join(name.split(".")[:4])   # this view's module or package
    shared = ("nnviz.gui.views.demo_snapshot",)   # the made-up Snapshot of the stand-alone runs
    others = {m for m in _imports(name) if m.startswith("nnviz.gui.views.")
              and not m.startswith(mine) and not m.startswith(shared)}
    assert others == set()
    assert not any(m.startswith(("nnviz.worker", "nnviz.gui.window")) for m in _imports(name))
