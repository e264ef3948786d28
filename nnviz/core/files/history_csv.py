"""The loss history as CSV: one row per recorded epoch, numbers that read back bit for bit."""

from __future__ import annotations

import numpy as np

from nnviz.core.files.atomic import atomic_write_bytes

HEADER = "epoch,train_loss,test_loss"


def history_csv_text(source) -> str:
    """The CSV text: a comment line when the history is thinned, the header, then
    epoch,train_loss,test_loss per recorded epoch end (the latest included), losses in
    repr (bit-exact, 'nan' where there is no test set). The entries of a divergence (an
    infinite or NaN loss) are left out, so every number written is finite.

    `source` is a Trainer or a Snapshot: anything with history_epoch/_train/_test and
    history_stride.
    """
    epochs = np.asarray(source.history_epoch).reshape(-1)
    train = np.asarray(source.history_train, dtype=np.float64).reshape(-1)
    test = np.asarray(source.history_test, dtype=np.float64).reshape(-1)
    if not len(epochs) == len(train) == len(test):
        raise ValueError("the loss history columns have different lengths")
    stride = int(getattr(source, "history_stride", 1))
    lines = []
    if stride > 1:
        lines.append(f"# thinned: the history keeps the epochs that are multiples of {stride} "
                     f"(stride {stride}) and the latest, epoch {int(epochs[-1])}")
    lines.append(HEADER)
    keep = np.isfinite(train) & ~np.isinf(test)   # a divergence's rows: not finite
    for e, a, b in zip(epochs[keep].tolist(), train[keep].tolist(), test[keep].tolist()):
        lines.append(f"{int(e)},{a!r},{b!r}")
    return "\n".join(lines) + "\n"


def export_history_csv(source, path) -> None:
    """Write history_csv_text(source) to path atomically."""
    atomic_write_bytes(path, history_csv_text(source).encode("ascii"))
