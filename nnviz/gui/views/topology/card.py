"""Words of the network graph: headers, hover cards, and the inline value editor.

The card texts are built from a Snapshot on every repaint, so a card under a still
mouse follows the live value while training runs (the Playground's card is frozen).
"""

from __future__ import annotations

import inspect
import weakref
from typing import Callable

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from nnviz.core.model import activations, features, losses
from nnviz.core.snapshot import Snapshot
from nnviz.gui.style.values import format_value, parse_value

CARD_STYLE = ("QLabel { background: rgba(255, 255, 255, 240); border: 1px solid #9a9a9a;"
              " border-radius: 4px; padding: 5px 7px; color: #222; }")
ERROR_STYLE = ("QLabel { background: #fdecea; border: 1px solid #d9534f; border-radius: 3px;"
               " padding: 3px 6px; color: #a12622; }")
LINK_HINT = "click to edit \u00b7 wheel \u00b10.05 (Shift \u00b10.01)"


class ValueEditor(QLineEdit):
    """QLineEdit that reports Escape (a plain QLineEdit ignores it)."""

    cancelled = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class InlineEditor:
    """A value editor opened on the graph, with a red message under it for refused input.

    Enter parses the text (values.parse_value) and hands (target, value) to `apply`, which
    returns '' when the edit was sent or a reason in words; Escape closes, sending nothing.
    Every refusal also goes to `post` (the view's message_posted signal).
    """

    def __init__(self, parent: QWidget, apply: Callable[[tuple, float], str],
                 post: Callable[[str], None]) -> None:
        # the view that owns this editor passes its own methods: held weakly, or the view
        # and the editor would make a cycle that only Python's garbage collector frees, in
        # whatever thread it runs (the parent is reached through the editor's own widgets)
        self._apply, self._post = _weakly(apply), _weakly(post)
        self.target: tuple | None = None               # ("weight", l, dst, src) | ("bias", l, k)
        self.line = ValueEditor(parent)
        self.line.setFixedWidth(110)
        self.line.setToolTip("Enter applies, Escape cancels")
        self.line.hide()
        self.message = QLabel(parent)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.setMaximumWidth(280)
        self.message.hide()
        self.line.returnPressed.connect(self._enter)
        self.line.cancelled.connect(self.close)

    def is_open(self) -> bool:
        return self.line.isVisible()

    def open(self, target: tuple, value: float, anchor: QPoint) -> None:
        """Show the editor centred on `anchor` (parent pixels), prefilled and selected."""
        self.target = target
        self.message.hide()
        self.line.setText(format_value(value, 6))
        w, h = self.line.width(), self.line.sizeHint().height()
        parent = self.line.parentWidget()
        pw, ph = parent.width(), parent.height()
        self.line.move(min(max(anchor.x() - w // 2, 0), max(pw - w, 0)),
                       min(max(anchor.y() - h // 2, 0), max(ph - 2 * h, 0)))
        self.line.show()
        self.line.raise_()
        self.line.selectAll()
        self.line.setFocus(Qt.MouseFocusReason)

    def close(self) -> None:
        self.line.hide()
        self.message.hide()
        self.target = None

    def refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.adjustSize()
        x = min(self.line.x(), max(self.line.parentWidget().width() - self.message.width(), 0))
        self.message.move(x, self.line.y() + self.line.height() + 2)
        self.message.show()
        self.message.raise_()
        post = self._post()
        if post is not None:
            post(text)

    def _enter(self) -> None:
        if self.target is None:
            return
        try:
            value = parse_value(self.line.text())
        except ValueError as exc:
            self.refuse(str(exc))
            return
        apply = self._apply()
        if apply is None:                # its view is being deleted
            return
        problem = apply(self.target, value)
        if problem:
            self.refuse(problem)
        else:
            self.close()


def _weakly(fn: Callable) -> Callable[[], Callable | None]:
    """A weak reference to a bound method; anything else (a function) held as it is."""
    if inspect.ismethod(fn):
        return weakref.WeakMethod(fn)
    return lambda: fn


def feature_labels(snap: Snapshot) -> list[str]:
    """Display names of the inputs (config keys such as 'x1' become 'X₁')."""
    return [features.FEATURES[n][0] if n in features.FEATURES else str(n) for n in snap.feature_names]


def activation_label(snap: Snapshot, column: int) -> str:
    """Activation of a non-input column, e.g. 'Tanh'; the output's comes from the loss."""
    cfg = snap.config
    try:
        name = (losses.OUTPUT_ACTIVATION[cfg.output_kind] if column == len(snap.layer_sizes) - 1
                else cfg.activations[column - 1])
    except (AttributeError, IndexError, KeyError):
        return "?"
    return activations.LABELS.get(name, name)


def header_html(snap: Snapshot, column: int, compact: bool = False) -> str:
    """Two lines above a column: its size ('4 neurons', or '4' when compact) and activation."""
    n = snap.layer_sizes[column]
    if column == 0:
        return "<b>Inputs</b><br>features"
    if column == len(snap.layer_sizes) - 1:
        title = "Output" if n == 1 else f"{n} outputs"
    else:
        title = str(n) if compact else f"{n} neuron{'s' if n != 1 else ''}"
    return f"<b>{title}</b><br>{activation_label(snap, column)}"


def header_font(font: QFont, room: float) -> tuple[bool, QFont]:
    """(compact, font) for column headers: shrink the font so "32 neurons" fits between
    columns; below 6.5 pt give up words and show only the number."""
    bold = QFont(font)
    bold.setBold(True)
    width = QFontMetricsF(bold).horizontalAdvance("32 neurons")
    if width <= room:
        return False, font
    size = font.pointSizeF() * room / width
    small = QFont(font)
    small.setPointSizeF(max(size, 6.5))
    return size < 6.5, small


def node_words(snap: Snapshot, column: int, index: int) -> str:
    """A neuron in words, counted from 1: 'X₁', 'layer 1, neuron 3', 'output'."""
    sizes = snap.layer_sizes
    if column == 0:
        names = feature_labels(snap)
        return names[index] if index < len(names) else f"input {index + 1}"
    if column == len(sizes) - 1:
        return "output" if sizes[-1] == 1 else f"output {index + 1}"
    return f"layer {column}, neuron {index + 1}"


def link_card(snap: Snapshot, layer: int, dst: int, src: int, value: float) -> tuple[str, str]:
    """(plain, rich) card of weights[layer][dst, src] showing `value` (maybe a nudge in flight)."""
    title = f"Weight {format_value(value)}"
    lines = [f"{node_words(snap, layer, src)} \u2192 {node_words(snap, layer + 1, dst)}"]
    died = dead_since(snap, layer, dst, src)
    if died:
        title = f"Dead link (weight {format_value(value)})"
        lines += [f"dead since epoch {died}: the L1 penalty would have pushed it",
                  "across zero, so it was set to 0 and is no longer trained",
                  "(as in TensorFlow Playground). Reset or an edit revives it."]
    else:
        lines.append(f"gradient {_entry(snap.grad_weights, layer, (dst, src))}")
    return _card(title, lines, LINK_HINT)


def dead_since(snap: Snapshot, layer: int, dst: int, src: int) -> int:
    """The epoch (from 1) in which that link died, 0 while it lives."""
    try:
        return int(snap.dead[layer][dst, src])
    except (IndexError, TypeError, ValueError):
        return 0


def neuron_card(snap: Snapshot, column: int, index: int, bias: float) -> tuple[str, str]:
    """(plain, rich) card of a neuron: its bias, activation and last bias gradient."""
    if column == 0:
        return _card(f"Input {node_words(snap, 0, index)}",
                     ["the feature's value over the data square"], "no bias to edit")
    layer = column - 1
    lines = [f"bias {format_value(bias)}", f"activation {activation_label(snap, column)}",
             f"bias gradient {_entry(snap.grad_biases, layer, (index,))}"]
    return _card(node_words(snap, column, index).capitalize(), lines, "click to edit the bias")


def _card(title: str, lines: list[str], hint: str) -> tuple[str, str]:
    plain = "\n".join([title, *lines, hint])
    rich = f"<b>{title}</b><br>" + "<br>".join(lines) + f"<br><span style='color:#888'>{hint}</span>"
    return plain, rich


def _entry(arrays: tuple[np.ndarray, ...], layer: int, index: tuple[int, ...]) -> str:
    """One gradient entry to 3 significant digits, or 'n/a' before the first step."""
    try:
        return format_value(float(arrays[layer][index]))
    except (IndexError, TypeError, ValueError):
        return "n/a"
