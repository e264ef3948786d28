"""Every file nnviz reads or writes, each format in a module of its own.

All readers share `safe_read` (regular files only, size limits, no pickles, every failure
one FormatError in words; the bounds are in core.limits) and all writers `atomic.atomic_write` (never a half-written file). The names below
are the package's API; sessions load the Trainer and with it numba, so they are imported
on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnviz.core.errors import FormatError
from nnviz.core.files.atomic import atomic_write
from nnviz.core.files.csv_rows import CsvColumns, preview_csv
from nnviz.core.files.data_csv import CsvPoints, load_csv, save_csv
from nnviz.core.files.history_csv import export_history_csv
from nnviz.core.files.safe_read import read_bytes, read_npz
from nnviz.core.files.weights import (
    check_fits,
    export_pytorch,
    export_weights,
    import_weights,
    network_meta,
    weights_json,
)

if TYPE_CHECKING:
    from nnviz.core.files.session import load_session, save_session

__all__ = ["CsvColumns", "CsvPoints", "FormatError", "atomic_write", "check_fits", "export_history_csv", "export_pytorch", "export_weights",
           "import_weights", "load_csv", "load_session", "network_meta", "preview_csv", "read_bytes", "read_npz",
           "save_csv", "save_session", "weights_json"]


def __getattr__(name: str):
    if name in ("save_session", "load_session"):
        from nnviz.core.files import session
        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
