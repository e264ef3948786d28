"""Where the files the program reads at run time live: the icon, the launcher, the presets.

They sit in the repository's top-level `resources/`. A wheel and the PyInstaller bundle
carry the same folder as `nnviz/resources/` (pyproject.toml and packaging/nnviz.spec map
it there), so the installed place is looked at first and the checkout's second.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]   # the nnviz/ folder
_MARKER = "presets.toml"                          # a file every resources folder has


def resource_dir() -> Path:
    """The resources folder of this installation (FileNotFoundError if it is missing)."""
    for folder in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if (folder / _MARKER).is_file():
            return folder
    raise FileNotFoundError(f"nnviz's resources folder is missing (looked beside {_PACKAGE})")


def resource(*parts: str) -> Path:
    """A file inside the resources folder, e.g. resource("icons", "nnviz.svg")."""
    return resource_dir().joinpath(*parts)
