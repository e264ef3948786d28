"""File > Import data through the real window: the column dialog with its preview, the
worker reading the whole file, what the status bar says, and a window that never freezes.

The column dialog is the application's own (CsvImportDialog); only its exec() is replaced,
by a function that makes the user's choice and presses Import.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from helpers.files import run_file, state
from helpers.hostile import csv_digit_field
from helpers.window import act_and_wait
from nnviz.core.files.csv_rows import CsvColumns, preview_csv
from nnviz.gui.window import csv_dialog, menus
from nnviz.gui.window.csv_dialog import CsvImportDialog

WIDE = ("id,name,height,width,kind,fold\n"
        + "".join(f'{i},"item {i}, big",{(i % 7) - 3}.5,{(i % 5) - 2}.25,{i % 3},'
                  f'{"test" if i % 5 == 0 else "train"}\n' for i in range(60)))


@pytest.fixture
def wide(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE)
    return path


# -- the dialog on its own ---------------------------------------------------------------
def test_the_dialog_previews_the_file_and_lets_the_user_choose_each_column(qtbot, wide):
    d = CsvImportDialog(str(wide), preview_csv(wide), 50)
    qtbot.addWidget(d)
    # a header without x/y/label names: columns with fractions for x and y, the last whole-
    # numbered one for the label, a column of train/test words for the split
    assert d.header.isChecked() and d.delimiter.currentData() == ","
    assert d.columns() == CsvColumns(2, 3, 4, 5, True, ",")
    assert d.table.rowCount() == 50 and d.table.columnCount() == 6       # 60 rows, 50 drawn
    assert d.table.item(0, 1).text() == "item 0, big"                  # a quoted comma stays
    assert "\u2192 x" in d.table.horizontalHeaderItem(2).text()
    assert d.summary.text().startswith("3 classes, because every label is a whole number 0..2")
    ok = d.buttons.button(QDialogButtonBox.Ok)
    assert ok.isEnabled()

    d.boxes["label"].setCurrentIndex(d.boxes["label"].findData(1))    # the text column
    assert not ok.isEnabled() and "the label column: 'item 0, big' is not a number" in d.summary.text()
    d.boxes["label"].setCurrentIndex(d.boxes["label"].findData(0))    # ids 0..59
    assert ok.isEnabled() and d.summary.text().startswith(
        "Regression, because the labels are whole numbers up to 59: as classes they would be 60")
    d.boxes["x"].setCurrentIndex(d.boxes["x"].findData(0))            # x == label
    assert not ok.isEnabled() and "different columns" in d.summary.text()
    d.set_columns(CsvColumns(3, 2, 4, 5, True, ","))
    assert ok.isEnabled() and d.columns().split == 5
    d.header.setChecked(False)                                           # the header is a row now
    assert not ok.isEnabled() and "Row 1" in d.summary.text()


def test_a_semicolon_file_with_decimal_commas(qtbot, tmp_path):
    path = tmp_path / "de.csv"
    path.write_text("x;y;Klasse\n0,5;1,25;1\n-2;3,5;-1\n")
    d = CsvImportDialog(str(path), preview_csv(path), 50)
    qtbot.addWidget(d)
    assert d.delimiter.currentData() == ";"
    assert d.columns() == CsvColumns(0, 1, 2, None, True, ";")
    assert d.summary.text().startswith("2 classes, because every label is -1 or +1")
    d.delimiter.setCurrentIndex(d.delimiter.findData(","))             # read again by commas
    assert d.preview.delimiter == "," and d.table.columnCount() == 3


def test_the_preview_reads_a_bounded_part_of_a_large_file(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("x,y,label\n")
        f.writelines(f"{i * 1e-5!r},{-i * 1e-5!r},{i % 2}\n" for i in range(100_000))
    p = preview_csv(path)
    assert len(p.rows) == 100 and not p.complete
    p = preview_csv(path, max_rows=10**6)
    assert not p.complete and 2000 < len(p.rows) < 4000                 # 64 kB of rows
    assert all(len(r) == 3 for r in p.rows)                              # no cut last line


# -- through the window and the worker ---------------------------------------------------
def _answer_with(monkeypatch, choose):
    """Replace the dialog's exec(): choose(dialog) makes the user's choice, then Import."""
    seen = []

    def exec_(self):
        seen.append(self)
        choose(self)
        return QDialog.Accepted if self.buttons.button(QDialogButtonBox.Ok).isEnabled() else QDialog.Rejected

    monkeypatch.setattr(CsvImportDialog, "exec", exec_)
    monkeypatch.setattr(menus, "ask_columns", csv_dialog.ask_columns)
    return seen


def test_importing_chosen_columns_with_the_file_split(qtbot, monkeypatch, dialogs, window, wide):
    w = window
    seen = _answer_with(monkeypatch, lambda d: d.set_columns(CsvColumns(3, 2, 4, 5, True, ",")))
    dialogs.choose(wide)
    assert run_file(qtbot, w, w.actions["import_data"].trigger) == ("done", "import_data", str(wide))
    assert len(seen) == 1
    snap = w.latest
    rows = [r.split(",") for r in WIDE.splitlines()[1:]]
    rows = [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows]          # "item i, big" splits
    want_train = [(float(r[3]), float(r[2]), float(r[4])) for r in rows if r[5] == "train"]
    want_test = [(float(r[3]), float(r[2]), float(r[4])) for r in rows if r[5] == "test"]
    assert np.column_stack([snap.train_x, snap.train_y]).tolist() == [list(t) for t in want_train]
    assert np.column_stack([snap.test_x, snap.test_y]).tolist() == [list(t) for t in want_test]
    assert snap.n_classes == 3 and snap.config.dataset == "custom"
    message = w.statusBar().currentMessage()
    assert message == ("Imported 60 points from wide.csv: 3 classes, because every label is a "
                       "whole number 0..2; split as the file's split column says."), message


def test_twenty_whole_number_labels_say_why_they_became_regression(qtbot, monkeypatch, dialogs,
                                                                  window, tmp_path):
    path = tmp_path / "twenty.csv"
    path.write_text("x,y,label\n" + "".join(f"{i / 4},{-i / 4},{i % 20}\n" for i in range(100)))
    seen = _answer_with(monkeypatch, lambda d: None)
    dialogs.choose(path)
    assert run_file(qtbot, window, window.actions["import_data"].trigger)[0] == "done"
    assert seen[0].summary.text().startswith("Regression, because the labels are whole numbers up to 19")
    assert window.latest.n_classes == 0 and window.latest.config.dataset == "custom-regression"
    message = window.statusBar().currentMessage()
    assert "regression, because the labels are whole numbers up to 19: as classes they would be " \
           "20, more than the 10 nnviz can show; split 50 % for training at random" in message


def test_cancel_in_the_dialog_changes_nothing(qtbot, monkeypatch, dialogs, window, wide):
    w = window
    monkeypatch.setattr(CsvImportDialog, "exec", lambda self: QDialog.Rejected)
    monkeypatch.setattr(menus, "ask_columns", csv_dialog.ask_columns)
    before = state(w)
    dialogs.choose(wide)
    w.actions["import_data"].trigger()
    act_and_wait(qtbot, w, w.step_epoch_requested.emit)
    assert not w.outcomes.items
    assert state(w)["trainer_train_x"] == before["trainer_train_x"]


def test_a_megabyte_digit_field_never_blocks_the_window(qtbot, monkeypatch, dialogs, window, tmp_path):
    """The old number pattern held the GIL for hours here, and the window froze with it.
    Measured: the refusal comes in under a second and the GUI thread's 5 ms timer is never
    late by more than 100 ms meanwhile, from the menu action to the message. On this shared
    2-core machine a busy neighbour alone can delay a thread that long, so the figure is
    the best of up to three imports (the old code failed every one of them by hours)."""
    w = window
    path = csv_digit_field(tmp_path)
    monkeypatch.setattr(menus, "ask_columns", csv_dialog.ask_columns)   # the preview reads it too
    monkeypatch.setattr(CsvImportDialog, "exec", lambda self: QDialog.Accepted)
    dialogs.choose(path)
    best = (float("inf"), float("inf"))
    for _ in range(3):
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        start = time.perf_counter()
        kind, action, message = run_file(qtbot, w, w.actions["import_data"].trigger)
        took = time.perf_counter() - start
        qtbot.wait(20)
        timer.stop()
        assert (kind, action) == ("failed", "import_data") and "longer than 65,536 characters" in message
        assert len(message) < 250
        gap = float(np.diff([start, *ticks]).max())
        best = min(best, (gap, took))
        if gap < 0.100 and took < 1.0:
            break
    assert best[0] < 0.100 and best[1] < 1.0, best


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("action,name", [("import_data", "pipe.csv"), ("open_session", "pipe.nnviz"),
                                         ("import_weights", "pipe.json")])
def test_a_fifo_is_refused_and_the_window_goes_on(qtbot, monkeypatch, dialogs, window, tmp_path,
                                                  action, name):
    """Opening a FIFO hung training silently, and quitting then aborted."""
    w = window
    monkeypatch.setattr(menus, "ask_columns", csv_dialog.ask_columns)
    fifo = tmp_path / name
    os.mkfifo(fifo)
    before = state(w)
    dialogs.choose(fifo)
    done = threading.Event()
    release = threading.Timer(10.0, lambda: done.is_set() or os.close(
        os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    release.start()
    try:
        kind, _, message = run_file(qtbot, w, getattr(w.file_actions, action))
    finally:
        done.set()
        release.cancel()
    assert kind == "failed" and "named pipe (FIFO)" in message, message
    assert state(w) == before
    assert act_and_wait(qtbot, w, w.step_epoch_requested.emit).epoch == before["epoch"] + 1


def test_a_file_of_hundreds_of_columns_draws_the_first_and_the_chosen_ones(qtbot, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(",".join(f"c{i}" for i in range(300)) + "\n"
                    + ",".join(f"{i / 3}" for i in range(299)) + ",1\n")
    d = CsvImportDialog(str(path), preview_csv(path), 50)
    qtbot.addWidget(d)
    assert d.boxes["x"].count() == 300                       # every column can be chosen
    d.set_columns(CsvColumns(250, 120, 299, None, True, ","))
    assert d.table.columnCount() == 63                        # the first 60 and the three chosen
    heads = [d.table.horizontalHeaderItem(j).text() for j in range(63)]
    assert heads[60:] == ["121: c120  \u2192 y", "251: c250  \u2192 x", "300: c299  \u2192 label"]
    assert d.table.item(0, 61).text() == str(250 / 3)[:40]
