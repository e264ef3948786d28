"""Editing weights and biases on the graph: a click opens the value editor, the wheel
nudges, Ctrl+click picks. Its own module as it is what the view sends, not what it draws."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent

from nnviz.core.snapshot import Snapshot

NUDGE, FINE_NUDGE = 0.05, 0.01   # a wheel notch's change of a value; with Shift held


class EditingMixin:
    """Mixin of TopologyView: called from its event filter and inline editor, in the GUI
    thread (no slot here is connected to a signal)."""

    def _looking_back(self) -> bool:
        """A look into the past (the timeline) is read-only: say so instead of editing."""
        if self._snap is None or self._snap.viewing < 0:
            return False
        self.message_posted.emit(f"This is epoch {self._snap.epoch:,} from the timeline, read-only: press Live "
                                 f"(Esc) to edit the live run, or Restore to go back to this epoch.")
        return True

    def set_editable(self, on: bool) -> None:
        """Whether a click opens the value editor and the wheel nudges (hover cards stay)."""
        self.editable = bool(on)
        if not on:
            self.close_editor()

    def _on_click(self, event: QMouseEvent) -> bool:
        if not self.editable:
            return False
        hit = self._hit(QPointF(event.position()))
        target = self._target_of(hit)
        if target is None:
            self.close_editor()
            return False
        if self._picking or event.modifiers() & Qt.ControlModifier:
            self.parameter_picked.emit(target)    # choosing a landscape axis is no edit
            return True
        if self._looking_back():
            return True
        self._open_editor(target, QPointF(event.position()))
        return True

    def _on_wheel(self, event: QWheelEvent) -> bool:
        if not self.editable:
            return False
        hit = self._hit(QPointF(event.position()))
        target = self._target_of(hit)
        if target is None:
            return False
        if self._looking_back():
            return True
        delta = event.angleDelta().y() or event.angleDelta().x()  # Shift may turn the wheel sideways
        step = FINE_NUDGE if event.modifiers() & Qt.ShiftModifier else NUDGE
        value = self._current_value(target) + step * delta / 120.0
        self._emit_edit(target, value, self._snap.network_id)
        self._pending[target] = value
        self._update_hover()
        return True

    # -- editing ---------------------------------------------------------------------------
    def _target_of(self, hit: tuple[str, int] | None) -> tuple | None:
        if hit is None or self._layout is None:
            return None
        if hit[0] == "link":
            return ("weight", *(int(v) for v in self._layout.link_ids[hit[1]]))
        column, index = self._hover_neuron_of(*hit)
        return None if column == 0 else ("bias", column - 1, index)

    def _current_value(self, target: tuple) -> float:
        if target in self._pending:
            return self._pending[target]
        if target[0] == "weight":
            return float(self._snap.weights[target[1]][target[2], target[3]])
        return float(self._snap.biases[target[1]][target[2]])

    @staticmethod
    def _target_valid(snap: Snapshot, target: tuple) -> bool:
        try:
            if target[0] == "weight":
                snap.weights[target[1]][target[2], target[3]]
            else:
                snap.biases[target[1]][target[2]]
        except IndexError:
            return False
        return True

    def _open_editor(self, target: tuple, pos: QPointF) -> None:
        anchor = self.view.viewport().mapTo(self, pos.toPoint())
        self._editing_network = self._snap.network_id
        self.inline.open(target, self._current_value(target), anchor)
        self.card.hide()

    def _post_message(self, text: str) -> None:
        """The inline editor's messages (a method, which it holds weakly: no cycle)."""
        self.message_posted.emit(text)

    def _apply_edit(self, target: tuple, value: float) -> str:
        """The inline editor's Enter: send the request, or say why not."""
        if self._snap is None or not self._target_valid(self._snap, target):
            return "The network changed while you typed; that link or neuron is gone."
        if self._snap.viewing >= 0:
            return "This is a look back in time, read-only: press Live (Esc) first."
        if self._snap.network_id != self._editing_network:
            return ("The network changed while you typed (rebuilt, reset or loaded); "
                    "nothing was sent. Press Escape and pick the link again.")
        self._emit_edit(target, value, self._editing_network)
        self._pending[target] = value
        self._show_card()
        return ""

    def _emit_edit(self, target: tuple, value: float, network: int) -> None:
        if target[0] == "weight":
            self.weight_edit_requested.emit(target[1], target[2], target[3], float(value), int(network))
        else:
            self.bias_edit_requested.emit(target[1], target[2], float(value), int(network))
