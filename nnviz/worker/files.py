"""File requests handled inside the worker thread, where the only Trainer lives.

Every reader validates the whole file before anything changes, so a bad file leaves
the session exactly as it was; writers go through a temporary file (core.files.atomic).
"""

from __future__ import annotations

import numpy as np

from nnviz.core import files
from nnviz.core.data.datasets import Dataset, split
from nnviz.core.errors import FormatError

FILE_REQUESTS = ("save_session", "open_session", "export_weights", "import_weights",
                 "export_history", "export_data", "import_data")


class FileSlots:
    """Mixed into TrainingWorker: file_done / file_failed report the outcome.

    The worker's one queued slot `handle_file(name, args)` dispatches to these.
    """

    def _attempt(self, action: str, path: str, fn) -> None:
        try:
            fn()
        except (FormatError, ValueError) as exc:
            self.file_failed.emit(action, f"{path}: {exc}")
        except OSError as exc:
            self.file_failed.emit(action, f"{path}: {exc.strerror or exc}")
        else:
            self.file_done.emit(action, path)

    def save_session(self, path: str, extra: dict) -> None:
        def save():
            files.save_session(self.trainer, path, extra)
            self._saved()
        self._attempt("save_session", path, save)
        self._emit()                     # the unsaved mark goes (after file_done, in order)

    def open_session(self, path: str) -> None:
        def load():
            trainer, extra = files.load_session(path)
            self.session_extra = extra
            self.trainer = trainer          # replace_trainer below emits the Snapshot
            self._saved()
            self.replace_trainer(trainer)
        self._attempt("open_session", path, load)

    def export_weights(self, path: str) -> None:
        if path.lower().endswith(".py"):   # a script that trains on needs the settings and data too
            self._attempt("export_weights", path, lambda: files.export_pytorch(self.trainer, path))
        else:
            self._attempt("export_weights", path, lambda: files.export_weights(self.trainer.network, path))

    def import_weights(self, path: str) -> None:
        def load():
            net = files.import_weights(path)
            files.check_fits(net, self.trainer.network)
            self.trainer.load_params(net.params)
            self._new_weights()
            self._trained()
            self._log_edit(f"weights imported from {path}")
            self._emit()
        self._attempt("import_weights", path, load)

    def export_history(self, path: str) -> None:
        self._attempt("export_history", path, lambda: files.export_history_csv(self.trainer, path))

    def export_data(self, path: str) -> None:
        t = self.trainer
        data = Dataset(np.concatenate([t.train_x, t.test_x]), np.concatenate([t.train_y, t.test_y]),
                       t.n_classes)
        self._attempt("export_data", path, lambda: files.save_csv(data, path))

    def import_data(self, path: str) -> None:
        def load():
            data = files.load_csv(path)
            if len(data) < 2:
                raise FormatError("the file has fewer than two points")
            rng = np.random.default_rng(self.trainer.config.seed)
            train, test = split(data.take(rng.permutation(len(data))), self.trainer.config.train_ratio)
            if len(train) == 0 or len(test) == 0:
                raise FormatError("too few points to split into training and test sets")
            self.trainer.set_data(train, test)
            self._data_changed()
            self._emit()
        self._attempt("import_data", path, load)
