"""Formula cards: one equation of an explained step with the actual numbers plugged in.

Following CNN Explainer's "interactive formula" view: hovering a neuron or a link in any
phase shows its equation (z = Σ w·a + b, a = f(z); δ = f′(z)·Σ w·δ; ∂L/∂w = δ·a; the
optimiser's update) with the numbers of this point and this step. Every equation keeps
its exact result (`value`) next to the text, and its right side is plain arithmetic over
the numbers shown (×, /, +, −, ^, ², √, and tanh, σ, exp, log, sin, cos, max, sign), so a
test can evaluate it and recompute the result to within the digits shown.

Numbers are shown to 4 significant digits, except a weight and its new value, which get
enough digits that their difference (often 1e-4 of the weight) is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.learn.explain import Explanation
from nnviz.core.model import features

MINUS = "\u2212"
MAX_TERMS = 8      # terms of a sum written out; the rest are summed into one number
FUNCTION = {"tanh": "tanh({z})", "sigmoid": "σ({z})", "sine": "sin({z})"}


def num(x: float, digits: int = 4) -> str:
    """x to `digits` significant digits with a typographic minus ("−0.1234", "1.5e−05")."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    if x == 0.0:
        return "0"
    return f"{x:.{digits}g}".replace("-", MINUS)


def par(x: float, digits: int = 4) -> str:
    """num(x), in parentheses when negative, for a factor of a product."""
    s = num(x, digits)
    return f"({s})" if s.startswith(MINUS) else s


def weight_digits(w: float, change: float) -> int:
    """Significant digits that show w and w + change as different numbers (4..17)."""
    if change == 0.0 or not math.isfinite(change) or not math.isfinite(w):
        return 4
    big = max(abs(w), abs(w + change), abs(change))
    return int(min(max(math.floor(math.log10(big)) - math.floor(math.log10(abs(change))) + 3, 4), 17))


@dataclass(frozen=True)
class Equation:
    """lhs = expr = shown; `value` is the exact result."""

    lhs: str
    expr: str
    value: float
    digits: int = 4

    @property
    def shown(self) -> str:
        return num(self.value, self.digits)

    def text(self) -> str:
        return f"{self.lhs} = {self.shown}" if self.expr == self.shown else f"{self.lhs} = {self.expr} = {self.shown}"


@dataclass(frozen=True)
class Card:
    """A titled card: the rule in symbols, then the equations with numbers, then notes."""

    title: str
    formula: tuple[str, ...]
    equations: tuple[Equation, ...]
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [self.title, *self.formula, *(e.text() for e in self.equations), *self.notes]

    def text(self) -> str:
        return "\n".join(self.lines())


def node_name(exp: Explanation, column: int, j: int) -> str:
    """'X₁', 'layer 2, neuron 3', 'the output' (counted from 1, as the graph's cards)."""
    if column == 0:
        name = exp.feature_names[j]
        return features.FEATURES[name][0] if name in features.FEATURES else name
    if column == exp.n_layers:
        return "the output" if exp.layer_sizes[-1] == 1 else f"output {j + 1}"
    return f"layer {column}, neuron {j + 1}"


def point_words(exp: Explanation, row: int) -> str:
    x, y = exp.xy[row]
    label = exp.labels[row]
    return f"point #{int(exp.points[row])} ({num(x, 3)}, {num(y, 3)}), label {num(label, 3)}"


def _sum_terms(factors: list[tuple[float, float]], notes: list[str]) -> str:
    """'w₁ × a₁ + w₂ × a₂ + …'; past MAX_TERMS the rest is one summed number, said in notes."""
    shown = [f"{par(w)} × {par(a)}" for w, a in factors[:MAX_TERMS]]
    if len(factors) > MAX_TERMS:
        shown.append(par(sum(w * a for w, a in factors[MAX_TERMS:])))
        notes.append(f"the last number sums the other {len(factors) - MAX_TERMS} terms")
    return " + ".join(shown) if shown else "0"


def _activation_eq(name: str, zs: np.ndarray, a: float, j: int) -> tuple[Equation, str]:
    """The equation a = f(z) of one neuron (zs: the layer's z, for softmax) and the rule."""
    z = float(zs[j])
    if name in FUNCTION:
        rule = f"a = {FUNCTION[name].format(z='z')}"
        return Equation("a", FUNCTION[name].format(z=num(z)), a), rule
    if name == "relu":
        return Equation("a", f"max(0, {num(z)})", a), "a = max(0, z)"
    if name == "leaky_relu":
        return Equation("a", num(z) if z > 0 else f"0.01 × {par(z)}", a), "a = z if z > 0, else 0.01·z"
    if name == "elu":
        return Equation("a", num(z) if z > 0 else f"exp({num(z)}) − 1", a), "a = z if z > 0, else e^z − 1"
    if name == "softmax":
        den = " + ".join(f"exp({num(v)})" for v in zs)
        return Equation("a", f"exp({num(z)}) / ({den})", a), "a = exp(z) / Σ exp(z_k)"
    return Equation("a", num(z), a), "a = z"


def _slope(name: str, z: float, a: float) -> tuple[str, str]:
    """f′(z) written with the numbers (for a δ equation) and a note when it is a case."""
    if name == "tanh":
        return f"(1 − {par(a)}²)", ""
    if name == "sigmoid":
        return f"{par(a)} × (1 − {num(a)})", ""
    if name == "sine":
        return f"cos({num(z)})", ""
    if name == "relu":
        return ("1", "ReLU's slope is 1 where z > 0") if z > 0 else ("0", "ReLU's slope is 0 where z ≤ 0: nothing flows back")
    if name == "leaky_relu":
        return ("1", "") if z > 0 else ("0.01", "Leaky ReLU's slope is 0.01 where z ≤ 0")
    if name == "elu":
        return ("1", "") if z > 0 else (f"({num(a)} + 1)", "ELU's slope is a + 1 where z ≤ 0")
    return "1", ""


# -- forward ---------------------------------------------------------------------------
def forward_card(exp: Explanation, column: int, j: int, row: int) -> Card:
    """z = Σ w·a + b and a = f(z) for neuron j of a column, for one point of the batch."""
    who = node_name(exp, column, j)
    if column == 0:
        return _input_card(exp, j, row)
    l = column - 1
    notes: list[str] = []
    expr = _sum_terms(list(zip(exp.weights_before[l][j], exp.a[l][row])), notes)
    b = float(exp.biases_before[l][j])
    z = float(exp.z[column][row, j])
    a = float(exp.a[column][row, j])
    act_eq, act_rule = _activation_eq(exp.activations[l], exp.z[column][row], a, j)
    return Card(f"Forward: {who}", ("z = Σ w·a + b", act_rule),
                (Equation("z", f"{expr} + {par(b)}", z), act_eq), (*notes, point_words(exp, row)))


def _input_card(exp: Explanation, j: int, row: int) -> Card:
    x, y = (float(v) for v in exp.xy[row])
    name = exp.feature_names[j]
    value = float(exp.inputs[row, j])
    expr = {"x1": num(x), "x2": num(y), "x1^2": f"{par(x)} × {par(x)}", "x2^2": f"{par(y)} × {par(y)}",
            "x1*x2": f"{par(x)} × {par(y)}", "sin(x1)": f"sin({num(x)})", "sin(x2)": f"sin({num(y)})"}
    label = node_name(exp, 0, j)
    return Card(f"Input {label}", (f"{label} of the point (x, y)",), (Equation(label, expr.get(name, num(value)), value),),
                (point_words(exp, row),))


def link_forward_card(exp: Explanation, layer: int, dst: int, src: int, row: int) -> Card:
    """The link's contribution w·a to the z of the neuron it feeds."""
    w = float(exp.weights_before[layer][dst, src])
    a = float(exp.a[layer][row, src])
    notes = [f"adds to z of {node_name(exp, layer + 1, dst)} (z = {num(exp.z[layer + 1][row, dst])})",
             point_words(exp, row)]
    return Card(f"Forward: {node_name(exp, layer, src)} → {node_name(exp, layer + 1, dst)}",
                ("contribution = w·a",), (Equation("w·a", f"{par(w)} × {par(a)}", w * a),), tuple(notes))


# -- loss ---------------------------------------------------------------------------------
def loss_card(exp: Explanation, row: int) -> Card:
    """The point's loss, its formula with the output and the target."""
    kind = exp.output_kind
    out, t, z = exp.output[row], exp.targets[row], exp.z[-1][row]
    loss = float(exp.loss[row])
    notes = [point_words(exp, row), f"batch mean loss {num(float(np.mean(exp.loss)))} over {len(exp.points)} points"]
    if kind in ("tanh_mse", "linear_mse"):
        eq = Equation("L", f"0.5 × ({num(out[0])} − {par(t[0])})²", loss)
        return Card("Loss: squared error", ("L = ½·(a − t)²",), (eq,), tuple(notes))
    if kind == "sigmoid_bce":
        zz = float(z[0])
        eq = Equation("L", f"max({num(zz)}, 0) − {par(t[0])} × {par(zz)} + log(1 + exp({num(-abs(zz))}))", loss)
        notes.insert(0, f"p = σ(z) = {num(out[0])}; computed from z, so it stays exact where p rounds to 0 or 1")
        return Card("Loss: cross-entropy", ("L = −[t·log p + (1 − t)·log(1 − p)]", "  = max(z, 0) − t·z + log(1 + e^−|z|)"),
                    (eq,), tuple(notes))
    c = int(np.argmax(t))
    p = float(out[c])
    expr = f"−log({num(p)})" if p > 0 else f"log({' + '.join(f'exp({num(v)})' for v in z)}) − {par(z[c])}"
    notes.insert(0, f"the point's class is {c}; p is the output for that class")
    return Card("Loss: cross-entropy", ("L = −log p_class",), (Equation("L", expr, loss),), tuple(notes))


# -- backward -----------------------------------------------------------------------------
def delta_card(exp: Explanation, column: int, j: int, row: int) -> Card:
    """δ of neuron j: from the loss at the output, from the layer above elsewhere."""
    who = node_name(exp, column, j)
    d = float(exp.delta[column][row, j])
    notes: list[str] = []
    if column == exp.n_layers:
        a, t = float(exp.output[row, j]), float(exp.targets[row, j])
        if exp.output_kind == "tanh_mse":
            eq = Equation("δ", f"({num(a)} − {par(t)}) × (1 − {par(a)}²)", d)
            rule = "δ = ∂L/∂z = (a − t)·(1 − a²)"
        else:
            eq = Equation("δ", f"{num(a)} − {par(t)}", d)
            rule = "δ = ∂L/∂z = a − t"
            notes.append("the output's activation and its loss combine to this simple slope")
        return Card(f"Backward: {who}", (rule,), (eq,), (*notes, point_words(exp, row)))
    w = exp.weights_before[column][:, j]               # links out of this neuron
    back = _sum_terms(list(zip(w, exp.delta[column + 1][row])), notes)
    if column == 0:
        return Card(f"Backward: input {who}", ("∂L/∂x = Σ w·δ  (how the loss changes with this input)",),
                    (Equation("∂L/∂x", back, d),), (*notes, point_words(exp, row)))
    name = exp.activations[column - 1]
    slope, why = _slope(name, float(exp.z[column][row, j]), float(exp.a[column][row, j]))
    if why:
        notes.insert(0, why)
    return Card(f"Backward: {who}", ("δ = f′(z)·Σ w·δ  (δ of the neurons it feeds)",),
                (Equation("δ", f"{slope} × ({back})", d),), (*notes, point_words(exp, row)))


def grad_card(exp: Explanation, layer: int, dst: int, src: int | None, row: int | None) -> Card:
    """∂L/∂w = δ·a of a link (src given) or ∂L/∂b = δ of a bias, for one point (row) or as
    the batch average the update uses (row None)."""
    target = node_name(exp, layer + 1, dst)
    title = (f"Gradient: {node_name(exp, layer, src)} → {target}" if src is not None
             else f"Gradient: bias of {target}")
    per = exp.grad_weights[layer][:, dst, src] if src is not None else exp.grad_biases[layer][:, dst]
    if row is not None:
        d = float(exp.delta[layer + 1][row, dst])
        if src is None:
            return Card(title, ("∂L/∂b = δ",), (Equation("∂L/∂b", num(d), d),), (point_words(exp, row),))
        a = float(exp.a[layer][row, src])
        return Card(title, ("∂L/∂w = δ·a  (δ of the neuron it feeds, a of the one it leaves)",),
                    (Equation("∂L/∂w", f"{par(d)} × {par(a)}", float(per[row])),), (point_words(exp, row),))
    k = exp.flat_index(layer, dst, src)
    mean = float(exp.rule.g[k])
    pre = exp.preview
    own = ~exp.carried
    parts = [num(float(per[own].sum()))]
    notes = [f"{int(own.sum())} points of this batch sum to {num(float(per[own].sum()))}"]
    if pre.carry_count:
        parts.append(par(float(pre.carry_sum[k])))
        notes.append(f"{par(float(pre.carry_sum[k]))} is the gradient of the {pre.carry_count} points carried from "
                     "the previous epoch")
    if src is not None and exp.dead[layer][dst, src]:
        notes.append("a dead link: its gradient is not used (shown as 0)")
        return Card(title, ("g = 0 on a dead link",), (Equation("g", "0", 0.0),), tuple(notes))
    lhs = "g" if src is not None else "g_b"
    return Card(title, ("g = (Σ over the batch of ∂L/∂w) / points",),
                (Equation(lhs, f"({' + '.join(parts)}) / {pre.size}", mean),), tuple(notes))
