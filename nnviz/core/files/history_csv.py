"""The loss history as CSV: one row per recorded epoch, numbers that read back bit for bit."""

from __future__ import annotations

import numpy as np

from nnviz.core.files.atomic import atomic_write


def export_history_csv(source, path) -> None:
    """epoch,train_loss,test_loss per recorded epoch, losses in repr (bit-exact; 'nan' for
    the test loss when there was no test set; a diverged epoch's row is left out).

    `source` is a Trainer or a Snapshot: anything with history_epoch/_train/_test.
    """
    epochs = np.asarray(source.history_epoch).reshape(-1)
    train = np.asarray(source.history_train, dtype=np.float64).reshape(-1)
    test = np.asarray(source.history_test, dtype=np.float64).reshape(-1)
    if not len(epochs) == len(train) == len(test):
        raise ValueError("the loss history columns have different lengths")
    lines = ["epoch,train_loss,test_loss"]
    # the entries of a divergence (inf or NaN losses) are left out: every number written is
    # finite, but for 'nan' where there was no test set
    keep = np.isfinite(train) & ~np.isinf(test)
    for e, a, b in zip(epochs[keep].tolist(), train[keep].tolist(), test[keep].tolist()):
        ep = str(int(e)) if float(e).is_integer() else repr(float(e))
        lines.append(f"{ep},{a!r},{b!r}")
    data = ("\n".join(lines) + "\n").encode("ascii")
    atomic_write(path, lambda f: f.write(data))
