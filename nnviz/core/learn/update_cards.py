"""Formula cards of the Update phase, and the one entry point that picks a card for a hover.

The update card follows the optimiser's rule (update_rule.py) line by line with this
step's numbers: the averaged gradient, the velocity or moments, Adam's bias-corrected
m_hat and v_hat, the effective step, the penalty step, a weight set to 0 or a link that dies.
"""

from __future__ import annotations

from nnviz.core.learn.explain import Explanation
from nnviz.core.learn.formulas import (
    Card,
    Equation,
    delta_card,
    forward_card,
    grad_card,
    link_forward_card,
    loss_card,
    node_name,
    num,
    par,
    weight_digits,
)


def update_card(exp: Explanation, layer: int, dst: int, src: int | None = None) -> Card:
    """How the update moves weights[layer][dst, src] (or biases[layer][dst] when src is None)."""
    k = exp.flat_index(layer, dst, src)
    r = exp.rule
    w, g, after = float(r.before[k]), float(r.g[k]), float(r.after[k])
    change = float(after - w)
    dg = weight_digits(w, change)
    target = node_name(exp, layer + 1, dst)
    is_bias = src is None
    title = f"Update: bias of {target}" if is_bias else f"Update: {node_name(exp, layer, src)} → {target}"
    new = "b_new" if is_bias else "w_new"
    if r.frozen[k]:
        died = int(exp.preview.dead_before[k])
        return Card(title, ("a dead link is not updated",), (Equation(new, num(w, dg), after, dg),),
                    ((f"dead since epoch {died}: the L1 penalty would have pushed it across 0 (as in "
                      "TensorFlow Playground); Reset or an edit revives it"),))
    penalised = not is_bias and r.regularization != "none"
    w1_name = "w₁" if penalised else new
    eqs = [Equation("g", num(g), g)]
    eqs += _rule_equations(exp, k, w, dg, w1_name)
    notes = [f"g averages the gradient over the {exp.size} points of the update"]
    if penalised:
        eqs += _penalty_equations(exp, k, w, dg, new, notes)
    eqs.append(Equation("Δ", f"{num(after, dg)} − {par(w, dg)}", change, 4))
    if is_bias and r.regularization != "none":
        notes.append("biases are never regularised")
    return Card(title, tuple(_rule_symbols(r.optimizer, penalised, r.regularization)), tuple(eqs), tuple(notes))


def _rule_symbols(opt: str, penalised: bool, reg: str) -> list[str]:
    lines = {"sgd": ["w₁ = w − η·g"], "momentum": ["v = μ·v + g", "w₁ = w − η·v"],
             "nesterov": ["v = μ·v + g", "w₁ = w − η·(g + μ·v)"],
             "rmsprop": ["s = ρ·s + (1 − ρ)·g²", "step = η·g / (√s + ε)", "w₁ = w − step"],
             "adam": ["m = β₁·m + (1 − β₁)·g,  v = β₂·v + (1 − β₂)·g²", "m_hat = m / (1 − β₁^t),  v_hat = v / (1 − β₂^t)",
                      "step = η·m_hat / (√v_hat + ε)", "w₁ = w − step"]}[opt]
    if penalised:
        lines.append("w_new = w₁ − η·λ·w" if reg == "l2" else "w_new = w₁ − η·λ·sign(w)  (0 if it crosses 0)")
    return lines


def _rule_equations(exp: Explanation, k: int, w: float, dg: int, w1_name: str) -> list[Equation]:
    """The optimiser's lines with the numbers, ending in w₁ = w − step."""
    r = exp.rule
    g, lr, w1 = float(r.g[k]), r.lr, float(r.w1[k])
    if r.optimizer == "sgd":
        return [Equation(w1_name, f"{num(w, dg)} − {num(lr)} × {par(g)}", w1, dg)]
    if r.optimizer in ("momentum", "nesterov"):
        m0, m = float(r.m_before[k]), float(r.m_after[k])
        eqs = [Equation("v", f"{num(r.momentum)} × {par(m0)} + {par(g)}", m)]
        step = f"{par(m)}" if r.optimizer == "momentum" else f"({num(g)} + {num(r.momentum)} × {par(m)})"
        return [*eqs, Equation(w1_name, f"{num(w, dg)} − {num(lr)} × {step}", w1, dg)]
    step = float(r.step[k])
    if r.optimizer == "rmsprop":
        v0, v = float(r.v_before[k]), float(r.v_after[k])
        eqs = [Equation("s", f"{num(r.beta2)} × {par(v0)} + {num(1.0 - r.beta2)} × {par(g)}²", v),
               Equation("step", f"{num(lr)} × {par(g)} / (√({num(v)}) + {num(r.epsilon)})", step)]
    else:
        m0, m, v0, v = (float(a[k]) for a in (r.m_before, r.m_after, r.v_before, r.v_after))
        m_hat, v_hat = float(r.m_hat[k]), float(r.v_hat[k])
        eqs = [Equation("m", f"{num(r.beta1)} × {par(m0)} + {num(1.0 - r.beta1)} × {par(g)}", m),
               Equation("v", f"{num(r.beta2)} × {par(v0)} + {num(1.0 - r.beta2)} × {par(g)}²", v),
               # m_hat, not m with a combining circumflex: Qt draws that mark above a v lines away
               Equation("m_hat", f"{par(m)} / (1 − {num(r.beta1)}^{r.t})", m_hat),
               Equation("v_hat", f"{num(v)} / (1 − {num(r.beta2)}^{r.t})", v_hat),
               Equation("step", f"{num(lr)} × {par(m_hat)} / (√({num(v_hat)}) + {num(r.epsilon)})", step)]
    return [*eqs, Equation(w1_name, f"{num(w, dg)} − {par(step)}", w1, dg)]


def _penalty_equations(exp: Explanation, k: int, w: float, dg: int, new: str, notes: list[str]) -> list[Equation]:
    """The penalty step on a weight, and what happens when L1 would cross zero."""
    r = exp.rule
    w1, after = float(r.w1[k]), float(r.after[k])
    factor = f"{num(r.lr)} × {num(r.reg_rate)}"
    if r.regularization == "l2":
        return [Equation(new, f"{num(w1, dg)} − {factor} × {par(w, dg)}", after, dg)]
    sign = "1" if w > 0 else "(−1)" if w < 0 else "0"
    if not r.crossed[k]:
        return [Equation(new, f"{num(w1, dg)} − {factor} × {sign}", after, dg)]
    w2 = float(w1 - float(r.penalty[k]))
    notes.append("the penalty would push the weight across 0, so it is set to exactly 0"
                 + (" and the link dies: it is never updated again (as in TensorFlow Playground)"
                    if r.dies[k] else ""))
    return [Equation("w₂", f"{num(w1, dg)} − {factor} × {sign}", w2, dg), Equation(new, "0", after)]


def bias_forward_card(exp: Explanation, layer: int, j: int) -> Card:
    b = float(exp.biases_before[layer][j])
    return Card(f"Forward: bias of {node_name(exp, layer + 1, j)}", ("z = Σ w·a + b: the bias is added to z",),
                (Equation("b", num(b), b),))


def waiting_card(title: str, when: str) -> Card:
    return Card(title, (), (), (f"not computed yet: {when}",))


def _item_name(exp: Explanation, kind: str, ids: list[int]) -> str:
    if kind == "node":
        return node_name(exp, ids[0], ids[1])
    if kind == "link":
        return f"{node_name(exp, ids[0], ids[2])} → {node_name(exp, ids[0] + 1, ids[1])}"
    return f"bias of {node_name(exp, ids[0] + 1, ids[1])}"


def card_for(exp: Explanation, stage: tuple[str, int], target: tuple, row: int, average: bool) -> Card:
    """The card of a hovered item in a stage (stages() in explain.py).

    target: ("node", column, j), ("link", layer, dst, src) or ("bias", layer, j); row is
    the batch point shown; average: gradients as the batch average the update uses.
    """
    phase, col = stage
    kind, *ids = target
    column = ids[0] if kind == "node" else ids[0] + 1      # the column the item belongs to (a link's target)
    L = exp.n_layers
    if phase in ("forward", "loss") and column > col and not (kind == "node" and column == 0):
        return waiting_card(f"Forward: {_item_name(exp, kind, ids)}", "the forward pass gets there in a later step (→)")
    if phase == "backward" and column < col and not (kind == "node" and column == 0 and col == 1):
        return waiting_card(f"Backward: {_item_name(exp, kind, ids)}", "the error flows back there in a later step (→)")
    if phase in ("forward", "loss"):
        if kind == "node":
            if phase == "loss" and column == L:
                return loss_card(exp, row)
            return forward_card(exp, column, ids[1], row)
        if kind == "link":
            return link_forward_card(exp, *ids, row)
        return bias_forward_card(exp, *ids)
    if phase == "backward":
        if kind == "node":
            return delta_card(exp, column, ids[1], row)
        if kind == "link":
            return grad_card(exp, *ids, None if average else row)
        return grad_card(exp, ids[0], ids[1], None, None if average else row)
    if kind == "link":
        return update_card(exp, *ids)
    if kind == "bias":
        return update_card(exp, ids[0], ids[1])
    if column == 0:
        return Card(f"Input {node_name(exp, 0, ids[1])}", (), (), ("an input has no bias: nothing to update",))
    return update_card(exp, column - 1, ids[1])
