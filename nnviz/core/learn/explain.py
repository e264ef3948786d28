"""One training step explained: forward pass, loss, backpropagation and update, with the numbers.

`explain_step(trainer)` takes the next mini-batch (the very points step_batch() will
average, SGD's carried leftover included) or given training points, and returns every
number of the step without changing the trainer: each point's pre-activations z and
activations a layer by layer, its loss, its deltas, its gradient on every weight, the
batch average the update uses and the update itself, taken apart by the optimiser's rule.

Where the numbers come from, and why: the update (and the averaged gradient it used) is
the compiled kernel's own, run on copies of the trainer's state (Trainer.preview_step),
so applying it equals Trainer.step_batch() to the last bit. The per-point numbers are
recomputed in numpy (Network.forward and Nielsen's backward pass, as reference.py),
because the kernel only keeps sums; their average agrees with the kernel's gradient to
about 1e-15 (sums in another order).

Indexing, as the network graph's columns: column 0 is the inputs, column L the outputs.
z[c], a[c] and delta[c] are (B, n_c) for c = 0..L; z[0] = a[0] are the input features,
delta[0] is d loss / d feature. grad_weights[l] (B, n_{l+1}, n_l) and grad_biases[l]
(B, n_{l+1}) are per point, for weights[l][j, i] (neuron i of column l -> neuron j of l+1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.learn.update_rule import UpdateParts, update_parts
from nnviz.core.model import activations, features, losses
from nnviz.core.model.network import Network
from nnviz.core.train.optimizers import weight_mask
from nnviz.core.train.trainer_preview import StepPreview

Array = np.ndarray
PHASES = ("forward", "loss", "backward", "update")


@dataclass(frozen=True)
class Explanation:
    """Every number of one training step; B points, L weight layers (see the module doc)."""

    points: Array                  # (B,) training indices, carried points first
    carried: Array                 # (B,) bool: carried from the previous epoch's leftover
    xy: Array                      # (B, 2) raw coordinates of the points
    labels: Array                  # (B,) their labels or regression targets
    inputs: Array                  # (B, F) input features
    targets: Array                 # (B, n_out) what the output is trained towards
    z: list[Array]                 # L + 1 arrays (B, n_c): pre-activations (z[0] = inputs)
    a: list[Array]                 # L + 1 arrays (B, n_c): activations (a[0] = inputs)
    output: Array                  # (B, n_out) = a[L]
    loss: Array                    # (B,) each point's loss, without the penalty
    delta: list[Array]             # L + 1 arrays (B, n_c): d loss / d z
    grad_weights: list[Array]      # L arrays (B, n_out, n_in): each point's gradient
    grad_biases: list[Array]       # L arrays (B, n_out)
    mean_grad_weights: list[Array]  # L arrays (n_out, n_in): the averaged gradient the update uses
    mean_grad_biases: list[Array]  # L arrays (n_out,)
    update_weights: list[Array]    # L arrays (n_out, n_in): after - before
    update_biases: list[Array]     # L arrays (n_out,)
    weights_before: list[Array]
    biases_before: list[Array]
    weights_after: list[Array]     # bit for bit what the step leaves
    biases_after: list[Array]
    dead: list[Array]              # L bool arrays (n_out, n_in): dead links, not updated
    dies: list[Array]              # L bool arrays: links this update kills (SGD under L1)
    rule: UpdateParts              # the optimiser's rule, parameter by parameter (flat, P)
    preview: StepPreview           # the kernel's update on copies (flat arrays, counters)
    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]   # activation of columns 1..L (the output's from the loss)
    output_kind: str
    feature_names: tuple[str, ...]
    carry_fresh: bool              # the carried sum equals the carried points' gradients now

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    @property
    def size(self) -> int:
        """Points the update averages over (carried ones whose indices are unknown included)."""
        return self.preview.size

    def flat_index(self, layer: int, dst: int, src: int | None = None) -> int:
        """Index in the flat parameter arrays (rule, preview) of weights[layer][dst, src],
        or of biases[layer][dst] when src is None."""
        sizes = self.layer_sizes
        w0 = sum(sizes[k] * sizes[k + 1] + sizes[k + 1] for k in range(layer))
        if src is None:
            return int(w0 + sizes[layer] * sizes[layer + 1] + dst)
        return int(w0 + dst * sizes[layer] + src)


def stages(n_layers: int) -> list[tuple[str, int]]:
    """The steps of the walk through one update: (phase, column). Forward fills columns
    1..L, Loss compares the output, Backward goes from column L down to 1, then Update."""
    return ([("forward", c) for c in range(1, n_layers + 1)] + [("loss", n_layers)]
            + [("backward", c) for c in range(n_layers, 0, -1)] + [("update", 0)])


def explain_step(trainer, points=None) -> Explanation:
    """The next update of `trainer` (or one from the given training-point indices) with all
    its numbers; the trainer is left bit for bit as it was. ValueError without training points."""
    pre = trainer.preview_step(points)
    net = trainer.network
    before = Network(net.layer_sizes, net.hidden_activations, net.output_kind, net.feature_names)
    before.set_params(pre.params_before)
    after = before.copy()
    after.set_params(pre.params_after)
    idx = pre.points
    kind, n_classes = net.output_kind, trainer.n_classes
    xy = np.asarray(trainer.train_x, dtype=np.float64)[idx]
    labels = np.asarray(trainer.train_y, dtype=np.float64)[idx]
    x = features.transform(xy, net.feature_names)                     # (B, F)
    t = np.asarray(losses.targets(kind, labels, n_classes), dtype=np.float64)
    zs, outs = before.forward(x)
    z, a = [x, *zs], outs
    deltas = _backward(before, z, a, t)
    gw = [np.einsum("bj,bi->bji", deltas[l + 1], a[l]) for l in range(net.n_layers)]
    gb = [deltas[l + 1].copy() for l in range(net.n_layers)]
    parts = update_parts(pre, weight_mask(net.w_off, net.b_off, net.params.size))
    return Explanation(
        points=idx, carried=pre.carried, xy=xy, labels=labels, inputs=x, targets=t, z=z, a=a,
        output=a[-1], loss=losses.loss_from_logits(kind, z[-1], t), delta=deltas, grad_weights=gw,
        grad_biases=gb, mean_grad_weights=_weights_of(before, pre.grad), mean_grad_biases=_biases_of(before, pre.grad),
        update_weights=[wa - wb for wa, wb in zip(after.weights, before.weights)],
        update_biases=[ba - bb for ba, bb in zip(after.biases, before.biases)],
        weights_before=[w.copy() for w in before.weights], biases_before=[b.copy() for b in before.biases],
        weights_after=[w.copy() for w in after.weights], biases_after=[b.copy() for b in after.biases],
        dead=_weights_of(before, parts.frozen), dies=_weights_of(before, parts.dies), rule=parts, preview=pre,
        layer_sizes=net.layer_sizes, activations=net.layer_activations, output_kind=kind,
        feature_names=net.feature_names, carry_fresh=_carry_fresh(pre, gw, gb))


def stage_link_values(exp: Explanation, stage: tuple[str, int], row: int, average: bool) -> tuple[Array, str]:
    """What each link shows in a stage: (M,) values in the graph's link order (weights[l]
    row-major, layer after layer) and their name. Forward: each link's contribution w·a
    for point `row`, for the layers reached so far; Backward: each link's gradient (the
    point's, or the batch average the update uses), for the layers reached; Update: the
    change of each weight. Links not reached yet are 0."""
    phase, col = stage
    out = []
    for l in range(exp.n_layers):
        reached = (l + 1 <= col or phase == "loss") if phase in ("forward", "loss") else l + 1 >= col
        if phase == "update":
            v = exp.update_weights[l]
        elif not reached:
            v = np.zeros_like(exp.weights_before[l])
        elif phase == "backward":
            v = exp.mean_grad_weights[l] if average else exp.grad_weights[l][row]
        else:
            v = exp.weights_before[l] * exp.a[l][row][None, :]
        out.append(v.ravel())
    name = {"forward": "contribution w·a", "loss": "contribution w·a",
            "backward": "batch-average gradient ∂L/∂w" if average else "gradient ∂L/∂w",
            "update": "update Δw"}[phase]
    return np.concatenate(out), name


def step_pictures(exp: Explanation) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """(before, after): every neuron's picture over the grid (as Snapshot.grid) at the weights
    before and after the explained update, for the decision surface "before against after"."""
    net = Network(exp.layer_sizes, exp.activations[:-1], exp.output_kind, exp.feature_names)
    net.set_params(exp.preview.params_before)
    before = net.grid_outputs()        # views into a buffer made fresh for each call: no copies needed
    net.set_params(exp.preview.params_after)
    return before, net.grid_outputs()


def _backward(net: Network, z: list[Array], a: list[Array], t: Array) -> list[Array]:
    """delta[c] (B, n_c) for c = 0..L: the output's from the loss, then
    delta_c = (delta_{c+1} @ W_c) * f'(z_c); inputs have no activation (f' = 1)."""
    L = net.n_layers
    deltas: list[Array] = [np.empty(0)] * (L + 1)
    deltas[L] = losses.delta(net.output_kind, a[L], t)
    acts = net.layer_activations
    for c in range(L - 1, -1, -1):
        back = deltas[c + 1] @ net.weights[c]
        deltas[c] = back if c == 0 else back * activations.derivative(acts[c - 1], z[c], a[c])
    return deltas


def _weights_of(net: Network, flat: Array) -> list[Array]:
    """Copies (n_out, n_in) of the weight entries of a flat (P,) array."""
    return [flat[w0:b0].reshape(w.shape).copy() for w0, b0, w in zip(net.w_off, net.b_off, net.weights)]


def _biases_of(net: Network, flat: Array) -> list[Array]:
    return [flat[b0:b0 + b.size].copy() for b0, b in zip(net.b_off, net.biases)]


def _carry_fresh(pre: StepPreview, gw: list[Array], gb: list[Array]) -> bool:
    """Whether the carried gradient sum is what the carried points give at today's weights
    (an edit since the epoch's end makes it stale; the update still uses the stored sum)."""
    if not pre.carry_count:
        return True
    if int(pre.carried.sum()) != pre.carry_count:
        return False     # which points it holds is unknown (a session from before the rule)
    c = pre.carried
    flat = np.concatenate([np.concatenate([w[c].sum(axis=0).ravel(), b[c].sum(axis=0)]) for w, b in zip(gw, gb)])
    scale = max(1.0, float(np.max(np.abs(pre.carry_sum))))
    return bool(np.allclose(flat, pre.carry_sum, rtol=1e-9, atol=1e-12 * scale))
