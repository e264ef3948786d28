"""Guided presets: the classic lessons, each a Config and what it should show.

They are data, in resources/presets.toml, so a teacher can read and change them without
code. The numbers in their texts are the ones tests/core/learn/test_presets.py asserts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nnviz.core.config import Config
from nnviz.core.paths import resource

if sys.version_info >= (3, 11):
    import tomllib
else:   # the same parser, as a package, before Python 3.11
    import tomli as tomllib


def load_presets(path: Path | None = None) -> dict[str, tuple[str, Config, str]]:
    """name -> (title, config, what to watch for); ValueError names a bad entry."""
    with open(path or resource("presets.toml"), "rb") as f:
        raw = tomllib.load(f)
    presets = {}
    for name, entry in raw.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("title"), str)
                and isinstance(entry.get("text"), str)):
            raise ValueError(f"preset {name!r} needs a title and a text")
        try:
            config = Config.from_dict(entry.get("config", {}))
        except ValueError as exc:
            raise ValueError(f"preset {name!r}: {exc}") from None
        presets[name] = (entry["title"], config, entry["text"])
    return presets


PRESETS = load_presets()
