"""File > Import data: choose which columns of a CSV file hold x, y, the label and the split.

The dialog shows the first rows of the file (csv_rows.preview_csv reads at most 64 kB, so
it opens at once whatever the file's size) with the chosen columns marked, and says which
problem type their labels make and why, or which field is not a number. The import
itself runs in the worker thread with the columns chosen here; it reads the whole file,
so its message has the last word.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.errors import FormatError
from nnviz.core.files.csv_rows import DELIMITERS, CsvColumns, CsvPreview, preview_csv, suggest_columns
from nnviz.core.files.data_csv import preview_summary

ROLES = ("x", "y", "label", "split")
ROLE_COLOURS = {"x": "#d6e9f8", "y": "#d6e9f8", "label": "#fde3c8", "split": "#e3e3e3"}
NO_SPLIT = -1     # the split box's item meaning "split at random"
TABLE_ROWS = 50   # rows of the preview drawn in the table (the summary reads all it has)
TABLE_COLUMNS = 60   # columns drawn in the table: beyond, the chosen ones are still drawn


class CsvImportDialog(QDialog):
    """Modal: exec() == Accepted, then columns() is the choice to import with."""

    def __init__(self, path: str, preview: CsvPreview, train_ratio: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import data")
        self.setObjectName("csv_import_dialog")
        self.path, self.preview = path, preview
        self._train_ratio = train_ratio
        chosen = suggest_columns(preview.rows, preview.delimiter)

        intro = QLabel(f"<b>{os.path.basename(path)}</b>: choose the columns that hold the points' "
                       "coordinates and labels.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.RichText)
        self.header = QCheckBox("First row names the columns")
        self.header.setToolTip("Tick when the first row is a header, not a point")
        self.delimiter = QComboBox()
        for d, word in DELIMITERS.items():
            self.delimiter.addItem(word.capitalize(), d)
        self.delimiter.setToolTip("What separates the values in a row")
        self.boxes = {role: QComboBox() for role in ROLES}
        tips = {"x": "The column of the points' x coordinates (horizontal)",
                "y": "The column of the points' y coordinates (vertical)",
                "label": "The column of the labels: classes (-1/+1, 0/1, 0..9) or regression targets",
                "split": "A column of 'train' / 'test' words that says which points are held out"}
        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.header)
        top.addStretch(1)
        top.addWidget(QLabel("Separator"))
        top.addWidget(self.delimiter)
        for role in ROLES:
            self.boxes[role].setToolTip(tips[role])
            self.boxes[role].setObjectName(f"column_{role}")
            form.addRow({"x": "x", "y": "y", "label": "Label", "split": "Train/test"}[role], self.boxes[role])
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        self.table.setMinimumHeight(220)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("summary")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(top)
        lay.addLayout(form)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)
        lay.addWidget(self.buttons)
        self.resize(720, 560)

        self._show(chosen)
        self.header.toggled.connect(self._changed)
        self.delimiter.currentIndexChanged.connect(self._delimiter_changed)
        for box in self.boxes.values():
            box.currentIndexChanged.connect(self._changed)

    # -- the choice ----------------------------------------------------------------------
    def columns(self) -> CsvColumns:
        split = self.boxes["split"].currentData()
        return CsvColumns(self.boxes["x"].currentData(), self.boxes["y"].currentData(),
                          self.boxes["label"].currentData(), None if split == NO_SPLIT else split,
                          self.header.isChecked(), self.delimiter.currentData())

    def set_columns(self, columns: CsvColumns) -> None:
        """Show a choice (tests, and a new separator's suggestion)."""
        self._show(columns)

    # -- showing -------------------------------------------------------------------------
    def _names(self, header: bool) -> list[str]:
        width = max((len(r) for r in self.preview.rows), default=0)
        first = self.preview.rows[0] if self.preview.rows else ()
        return [f"{c + 1}: {first[c]}" if header and c < len(first) and first[c] else f"Column {c + 1}"
                for c in range(width)]

    def _show(self, columns: CsvColumns) -> None:
        """Fill the boxes for this preview and select `columns`, with no signal on the way."""
        widgets = [self.header, self.delimiter, *self.boxes.values()]
        for w in widgets:
            w.blockSignals(True)
        self.header.setChecked(columns.header)
        self.delimiter.setCurrentIndex(max(self.delimiter.findData(self.preview.delimiter), 0))
        names = self._names(columns.header)
        for role, box in self.boxes.items():
            box.clear()
            if role == "split":
                box.addItem(f"None: split at random ({self._train_ratio} % for training)", NO_SPLIT)
            for c, text in enumerate(names):
                box.addItem(text, c)
            want = getattr(columns, role)
            box.setCurrentIndex(max(box.findData(NO_SPLIT if want is None else want), 0))
        for w in widgets:
            w.blockSignals(False)
        self._refresh()

    def _refresh(self) -> None:
        """The table with the chosen columns marked, and the summary under it."""
        columns = self.columns()
        rows = self.preview.rows
        width = max((len(r) for r in rows), default=0)
        body = rows[1:] if columns.header else rows
        names = self._names(columns.header)
        roles = {getattr(columns, r): r for r in ROLES if getattr(columns, r) is not None}
        # a file of thousands of columns: the first ones and the chosen ones, in order
        shown = sorted(set(range(min(width, TABLE_COLUMNS))) | {c for c in roles if c < width})
        self.table.clear()
        self.table.setColumnCount(len(shown))
        self.table.setRowCount(min(len(body), TABLE_ROWS))
        self.table.setHorizontalHeaderLabels(
            [f"{names[c]}  \u2192 {roles[c]}" if c in roles else names[c] for c in shown])
        for i, row in enumerate(body[:TABLE_ROWS]):
            for j, c in enumerate(shown):
                item = QTableWidgetItem(row[c] if c < len(row) else "")
                if c in roles:
                    item.setBackground(QBrush(QColor(ROLE_COLOURS[roles[c]])))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        ok, text = preview_summary(rows, columns)
        more = "" if self.preview.complete or not ok else " The file goes on; the import reads all of it."
        self.summary.setText(text + more)
        self.summary.setStyleSheet("" if ok else "color: #b00020;")
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def _changed(self) -> None:
        if self.sender() is self.header:   # the column names in the boxes change with it
            self._show(self.columns())
        else:
            self._refresh()

    def _delimiter_changed(self) -> None:
        """Read the preview again with the new separator (its columns are others)."""
        try:
            self.preview = preview_csv(self.path, self.delimiter.currentData())
        except (FormatError, OSError) as exc:   # the file changed under the dialog
            self.summary.setText(str(exc))
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
            return
        self._show(suggest_columns(self.preview.rows, self.preview.delimiter))


def ask_columns(parent: QWidget, path: str, train_ratio: int) -> tuple[bool, CsvColumns | None]:
    """(go on, columns): the dialog's choice, or (True, None) when the file has no readable
    preview, so that the worker's reader refuses it with its message; (False, None) on Cancel."""
    try:
        preview = preview_csv(path)
    except (FormatError, OSError):
        return True, None
    dialog = CsvImportDialog(path, preview, train_ratio, parent)
    if dialog.exec() != QDialog.Accepted:
        return False, None
    return True, dialog.columns()
