"""File requests handled inside the worker thread, where the only Trainer lives.

Every reader validates the whole file before anything changes, so a bad file leaves
the session exactly as it was; writers go through a temporary file (core.files.atomic).
"""

from __future__ import annotations

import os

from nnviz.core import files
from nnviz.core.data.datasets import Dataset
from nnviz.core.errors import FormatError, shorten

MAX_MESSAGE = 600      # characters of a refusal; the values it quotes are shorter still
FILE_REQUESTS = ("save_session", "open_session", "export_weights", "import_weights",
                 "export_history", "export_data", "import_data")


class FileSlots:
    """Mixed into TrainingWorker: file_done / file_failed report the outcome.

    The worker's one queued slot `handle_file(name, args)` dispatches to these.
    """

    def _attempt(self, action: str, path: str, fn) -> None:
        """Run a file action; report its outcome, and its news (a returned text) after it.

        Every exception is reported, not only the expected ones: a writer can also raise
        OverflowError or MemoryError, and an exception escaping a queued slot would only
        print a traceback while the user waits for an answer that never comes.
        """
        try:
            news = fn()
        except (FormatError, ValueError) as exc:
            self.file_failed.emit(action, f"{path}: {shorten(str(exc), MAX_MESSAGE)}")
        except OSError as exc:
            self.file_failed.emit(action, f"{path}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - the boundary of every file action
            self.file_failed.emit(action, f"{path}: {type(exc).__name__}: {shorten(str(exc), 120)}")
        else:
            self.file_done.emit(action, path)
            if news:
                self.status_posted.emit(news)

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
        def write():
            if self.trainer.diverged:   # say why, rather than which weight is not finite
                raise ValueError(f"cannot export a diverged run. {self.trainer.diverged}")
            if path.lower().endswith(".py"):   # a script that trains on needs the settings and data too
                files.export_pytorch(self.trainer, path)
            else:
                files.export_weights(self.trainer.network, path)
        self._attempt("export_weights", path, write)

    def import_weights(self, path: str) -> None:
        def load():
            net = files.import_weights(path)
            files.check_fits(net, self.trainer.network)
            self.trainer.load_params(net.params)
            self._new_weights()            # edits aimed at the weights before the import are refused
            self._trained()
            self._log_edit(f"weights imported from {path}")
            self._emit()
        self._attempt("import_weights", path, load)

    def export_history(self, path: str) -> None:
        self._attempt("export_history", path, lambda: files.export_history_csv(self.trainer, path))

    def export_data(self, path: str) -> None:
        t = self.trainer
        train, test = Dataset(t.train_x, t.train_y, t.n_classes), Dataset(t.test_x, t.test_y, t.n_classes)
        self._attempt("export_data", path, lambda: files.save_csv(train, path, test))

    def import_data(self, path: str, columns=None) -> None:
        """Points from a CSV file, in the columns chosen (None: the reader's own choice)."""
        def load():
            points = files.load_csv(path, columns)
            if len(points.data) < 2:
                raise FormatError("the file has fewer than two points")
            cfg = self.trainer.config
            self.trainer.set_data(*points.train_test(cfg.train_ratio, cfg.seed))
            self._data_changed()
            self._emit()
            how = ("split as the file's split column says" if points.is_test is not None
                   else f"split {cfg.train_ratio} % for training at random")
            return (f"Imported {len(points.data):,} points from {os.path.basename(path)}: "
                    f"{points.reason}; {how}.")
        self._attempt("import_data", path, load)
