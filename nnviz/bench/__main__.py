"""`python -m nnviz.bench PART [--json]`: PART is "core" (engine) or "gui" (views).

Each part is imported only when asked for, so `core` never loads Qt:
- core: nnviz.bench.core.run(json_out) prints its own rows;
- gui (hook for the lead's module): nnviz.bench.gui.run() returns rows of
  (name, value, unit), printed here by nnviz.bench.print_rows.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from nnviz.bench import print_rows

MODULES = {"core": "nnviz.bench.core", "gui": "nnviz.bench.gui"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnviz.bench", description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=sorted(MODULES), help="what to measure")
    parser.add_argument("--json", action="store_true", help='one {"name", "value", "unit"} object per line')
    args = parser.parse_args(argv)
    try:
        module = importlib.import_module(MODULES[args.part])
    except ModuleNotFoundError as exc:
        if exc.name != MODULES[args.part]:
            raise
        print(f"the {args.part!r} benchmark is not available ({MODULES[args.part]} is missing)", file=sys.stderr)
        return 2
    if args.part == "core":
        module.run(json_out=args.json)
    else:
        print_rows(module.run(), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
