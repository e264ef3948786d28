"""Hand edits in the worker thread, tied to the network they were aimed at; what the
worker tells the window about the user's work: hand edits for undo, and whether anything
is unsaved.

Mixed into TrainingWorker (training.py), in the worker thread with the Trainer:

- Each network gets a number (Snapshot.network_id). A rebuild (Reset, a new shape, new
  data that needs another output, an opened session) or imported weights give a new one.
  An edit carries the number the user saw when picking the link or neuron, and is
  refused once that network is gone, so an edit sent just before a shape change never
  lands on the rebuilt network's link with the same indices. An undo or redo aimed at
  an older network is refused too, and the window clears its undo stack when the number
  changes.
- Every applied hand edit is reported with the value it replaced, read from the Trainer
  at the moment the edit lands (not from a Snapshot the GUI may hold from frames ago),
  so an undo puts back exactly those bits.
- "Unsaved" means training or editing since the last save, open or rebuild; points drawn
  or loaded stay unsaved through a rebuild (they are still there), until saved or until
  generated data replaces them.
"""

from __future__ import annotations

from PySide6.QtCore import Slot

from nnviz.core.config import CUSTOM


class EditTracking:
    """Bookkeeping for undo and for the unsaved mark; see the module doc."""

    def _init_tracking(self) -> None:
        self._net = None                 # the Network object the number below belongs to
        self._net_id = 0
        self._unsaved_training = False   # trained or weights edited since save/open/rebuild
        self._unsaved_data = False       # points drawn, erased or loaded since save/open

    def _network_id(self) -> int:
        """The current network's number (a new Network object gets the next one)."""
        if self.trainer is not None and self.trainer.network is not self._net:
            self._net = self.trainer.network
            self._net_id += 1
            self._unsaved_training = False        # a fresh network: nothing trained to lose
        return self._net_id

    def _new_weights(self) -> None:
        """All weights replaced at once (imported): older edits no longer apply."""
        self._network_id()
        self._net_id += 1

    def _trained(self) -> None:
        self._network_id()
        self._unsaved_training = True

    def _data_changed(self) -> None:
        self._network_id()
        generated = self.trainer is not None and self.trainer.config.dataset not in CUSTOM
        self._unsaved_data = not generated or self._unsaved_data
        if generated:                             # Regenerate keeps the training, and says so
            self._unsaved_training = True

    def _saved(self) -> None:
        """The session on disk is now exactly this state (after a save or an open)."""
        self._network_id()
        self._unsaved_training = self._unsaved_data = False

    def _settings_applied(self) -> None:
        """After new settings: generated data (a data-set change) leaves no drawn points."""
        self._network_id()
        if self.trainer is not None and self.trainer.config.dataset not in CUSTOM:
            self._unsaved_data = False

    @property
    def unsaved(self) -> bool:
        return self._unsaved_training or self._unsaved_data

    @Slot(int, int, int, float, int)
    def set_weight(self, layer: int, dst: int, src: int, value: float, network: int) -> None:
        """weights[layer][dst, src] = value, if the network is still number `network`."""
        self._hand_edit(("weight", layer, dst, src), value, network)

    @Slot(int, int, float, int)
    def set_bias(self, layer: int, neuron: int, value: float, network: int) -> None:
        """biases[layer][neuron] = value, if the network is still number `network`."""
        self._hand_edit(("bias", layer, neuron), value, network)

    def _hand_edit(self, target: tuple, value: float, network: int) -> None:
        if self.trainer is None:
            return
        name = f"w[{target[1]}][{target[2]},{target[3]}]" if target[0] == "weight" else \
            f"b[{target[1]}][{target[2]}]"
        if network != self._network_id():
            self.status_posted.emit(f"Edit of {name} not applied: the network changed (rebuilt, reset, "
                                    "opened or imported) after you picked it. Pick it again.")
            self._emit()
            return
        t = self.trainer
        try:
            if target[0] == "weight":
                old = t.get_weight(*target[1:])
                was_dead = bool(t.dead[target[1]][target[2], target[3]])
                t.set_weight(*target[1:], value)
            else:
                old, was_dead = t.get_bias(*target[1:]), False
                t.set_bias(*target[1:], value)
        except (ValueError, IndexError) as exc:
            self.message_posted.emit(f"Edit refused: {exc}")
        else:
            self._log_edit(f"{name} = {value:.6g}")
            self._edited(target, old, value, was_dead)
        self._emit()

    def _log_edit(self, text: str) -> None:
        t = self.trainer
        self._edit_log.append(f"epoch {t.epoch}, step {t.total_steps}, network {self._network_id()}: {text}")

    def _edited(self, target: tuple, old: float, new: float, was_dead: bool = False) -> None:
        """A hand edit landed: report it for the undo stack and mark the work unsaved.
        was_dead: the link was dead (SGD under L1) before the edit revived it."""
        self._trained()
        self.edit_applied.emit((target, float(old), float(new), self._net_id, was_dead))

    @Slot(object)
    def replay_edit(self, request: tuple) -> None:
        """Undo or redo: (target, value, network number, words, dead); target is
        ("weight", layer, dst, src) or ("bias", layer, neuron); dead puts a link back
        dead, as it was before the edit being undone. Applied exactly, not reported back
        as a new edit."""
        target, value, network, words, dead = request
        if self.trainer is None:
            return
        if network != self._network_id():
            self.message_posted.emit(f"{words} refused: the network has been rebuilt since that edit.")
            self._emit()
            return
        try:
            if target[0] == "weight":
                self.trainer.set_weight(*target[1:], value, dead=dead)
            else:
                self.trainer.set_bias(*target[1:], value)
        except (ValueError, IndexError) as exc:
            self.message_posted.emit(f"{words} refused: {exc}")
        else:
            self._trained()
            self._log_edit(f"{words.lower()}: {target[0]} {list(target[1:])} = {value:.6g}")
        self._emit()
