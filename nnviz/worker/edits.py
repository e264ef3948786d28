"""Hand edits of weights and biases, handled inside the worker thread, tied to the
network they were aimed at.

Every network gets a generation number, shown in each Snapshot: a new one whenever the
Network object changes (a rebuild, Reset, an opened session) or its weights are
replaced (imported). An edit carries the generation the user saw when picking the link
or neuron; the worker refuses it once that network is gone, so an edit sent just before
a shape change can never land on the rebuilt network's link with the same indices.
"""

from __future__ import annotations

from PySide6.QtCore import Slot


class EditSlots:
    """Mixed into TrainingWorker: set_weight, set_bias, the generation and the edit log."""

    @Slot(int, int, int, float, int)
    def set_weight(self, layer: int, dst: int, src: int, value: float, generation: int) -> None:
        """weights[layer][dst, src] = value, if the network is still generation `generation`."""
        self._edit(f"w[{layer}][{dst},{src}]", value, generation,
                   lambda: self.trainer.set_weight(layer, dst, src, value))

    @Slot(int, int, float, int)
    def set_bias(self, layer: int, neuron: int, value: float, generation: int) -> None:
        """biases[layer][neuron] = value, if the network is still generation `generation`."""
        self._edit(f"b[{layer}][{neuron}]", value, generation,
                   lambda: self.trainer.set_bias(layer, neuron, value))

    def _edit(self, name: str, value: float, generation: int, apply) -> None:
        if self.trainer is None:
            return
        if generation != self.generation():
            self.status_posted.emit(f"Edit of {name} not applied: the network changed (rebuilt, reset, "
                                    "opened or imported) after you picked it. Pick it again.")
        else:
            try:
                apply()
            except (ValueError, IndexError) as exc:
                self.message_posted.emit(f"Edit refused: {exc}")
            else:
                self._log_edit(f"{name} = {value:.6g}")
        self._emit()

    def generation(self) -> int:
        """The current network's generation: a new one whenever the Network object changed."""
        net = self.trainer.network if self.trainer is not None else None
        if net is not self._gen_network:
            self._gen_network = net
            self._generation += 1
        return self._generation

    def new_generation(self) -> None:
        """The network keeps its object but not its weights (imported): edits aimed at the
        old weights are refused."""
        self._gen_network = None

    def _log_edit(self, text: str) -> None:
        t = self.trainer
        self._edit_log.append(f"epoch {t.epoch}, step {t.total_steps}, network {self.generation()}: {text}")
