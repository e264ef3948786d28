"""What to tell the user when a network can no longer learn, in words.

The condition itself is found by the kernel (kernels._scan_frozen, _stays_frozen): one
layer whose every neuron gives the same value on every training point and passes back no
gradient, with nothing else left to move the weights feeding it. Here it is explained:
which layer, what its units do, why that is final, and what to try.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.config import Config
from nnviz.core.model import activations, losses
from nnviz.core.model.network import Network

Array = np.ndarray
SWITCH_OFF = ("relu",)          # units whose slope is 0 over a whole half-line


def stuck_message(config: Config, net: Network, layer: int, epoch: int, x: Array, dead: Array) -> str:
    """The message for layer `layer` (1 = first hidden, net.n_layers = the output) found
    frozen at `epoch`; x (N, n_in) the training features, dead (P,) the dead-link mask."""
    head = f"The network can no longer learn (epoch {epoch}): "
    value = float(net.forward(x[:1])[1][layer][0, 0]) if len(x) else 0.0
    lr = f"{config.learning_rate:g}"
    if layer == net.n_layers:
        act = losses.OUTPUT_ACTIVATION[net.output_kind]
        return (head + f"the output is saturated at {value:+.3g} on every training point, where "
                f"{activations.LABELS.get(act, act)}'s slope is exactly 0, so no gradient flows back "
                f"at all. This usually follows too large a learning rate ({lr} now). Lower it and "
                "press Reset.")
    act = net.hidden_activations[layer - 1]
    name = activations.LABELS.get(act, act)
    if act in SWITCH_OFF:
        what = (f"every {name} of hidden layer {layer} is switched off on every training point (it "
                f"outputs {value:.3g}, its input is 0 or below, where its slope is 0)")
    else:
        what = (f"every {name} unit of hidden layer {layer} is saturated on every training point "
                "(it gives the same value everywhere, where its slope is exactly 0)")
    why = (f", so no gradient reaches layer {layer} or any layer before it, and the output is "
           "the same for every point")
    if config.init == "zeros":
        cure = ". All weights started at 0, so no unit could switch on: choose another initialisation and press Reset."
    elif np.any(dead):
        cure = ". The L1 penalty has killed links on the way: lower the regularisation rate and press Reset."
    else:
        cure = (f". This usually follows too large a learning rate ({lr} now). Lower it and press Reset"
                + ("; Leaky ReLU or ELU units cannot switch off for good." if act in SWITCH_OFF else "."))
    return head + what + why + cure
