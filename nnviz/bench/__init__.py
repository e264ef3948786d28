"""Benchmarks: `python -m nnviz.bench core [--json]` (engine) and `gui` (views).

`print_rows` is the one output format: a table for people, or with --json one
{"name", "value", "unit"} object per line for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence


def print_rows(rows: Iterable[Sequence], json_out: bool) -> None:
    """rows of (name, value, unit[, note]); printed as they come (flushing each line)."""
    if not json_out:
        print(f"{'name':<18} {'value':>11}  {'unit':<9} note", flush=True)
    for name, value, unit, *note in rows:
        if json_out:
            print(json.dumps({"name": name, "value": round(float(value), 4), "unit": unit}), flush=True)
        else:
            print(f"{name:<18} {float(value):>11.2f}  {unit:<9} {' '.join(note)}", flush=True)
