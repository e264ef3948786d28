"""The words of the explain panel, stage by stage, built from an Explanation (no Qt).

Each stage says what happens in it, in a sentence or two, and shows its key equation
with this point's numbers (the formula cards of core/learn): the loss at the Loss stage,
the output's δ when the backward pass starts, the optimiser's rule and a summary of the
update at the end.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.learn.explain import Explanation
from nnviz.core.learn.formulas import Card, delta_card, loss_card, node_name, num
from nnviz.core.learn.update_rule import describe_rule, effective_rate

OPTIMIZER_NAMES = {"sgd": "SGD (the Playground's)", "momentum": "Momentum", "nesterov": "Nesterov momentum",
                   "rmsprop": "RMSprop", "adam": "Adam"}
GREY = "#777"


def title(exp: Explanation) -> str:
    """One line: which update this is and what it averages."""
    pre = exp.preview
    if pre.chosen:
        return (f"One point alone: #{int(exp.points[0])}" if len(exp.points) == 1
                else f"{len(exp.points)} chosen points") + " \u00b7 an update of its own"
    own = len(exp.points) - int(exp.carried.sum())
    carried = f" + {pre.carry_count} carried" if pre.carry_count else ""
    return f"Next update: epoch {pre.epoch + 1}, batch {pre.batch + 1} \u00b7 {own} points{carried}"


def _card_html(card: Card, with_title: bool = False) -> str:
    rows = [f"<b>{card.title}</b>"] if with_title else []
    rows += [f"<span style='color:{GREY}'><i>{f}</i></span>" for f in card.formula]
    rows += [e.text() for e in card.equations]
    return "<br>".join(rows)


def stage_html(exp: Explanation, stage: tuple[str, int], row: int, average: bool, surface: str = "after") -> str:
    """What the panel says at a stage, for batch point `row`."""
    phase, col = stage
    L = exp.n_layers
    if phase == "forward":
        where = "the output" if col == L else f"hidden layer {col} of {L - 1}"
        return (f"<b>1 \u00b7 Forward: {where}</b><br>Each neuron adds up its inputs times their weights plus "
                "its bias, <i>z = \u03a3 w\u00b7a + b</i>, then applies its activation, <i>a = f(z)</i>. "
                "The links show each input's share <i>w\u00b7a</i> (blue adds, orange subtracts; width is size); "
                "beside each neuron: this point's z and a. The cross on every picture is where the point lies."
                f"<br><span style='color:{GREY}'>Hover a neuron or link for its equation with the numbers.</span>")
    if phase == "loss":
        card = loss_card(exp, row)
        mean = float(np.mean(exp.loss))
        return (f"<b>2 \u00b7 Loss: the output against the target</b><br>{_card_html(card)}<br>"
                f"Mean over the batch's {len(exp.points)} points: {num(mean)}. The update follows the "
                "average of their gradients.")
    if phase == "backward":
        show = ("the batch average, which the update uses" if average
                else "this point's gradient (tick Batch average for what the update uses)")
        head = (f"<b>3 \u00b7 Backward: {'the output' if col == L else f'layer {col}'}</b><br>The error flows "
                "back. At the output the loss gives <i>\u03b4 = \u2202L/\u2202z</i>; each layer below gets "
                "<i>\u03b4 = f\u2032(z)\u00b7\u03a3 w\u00b7\u03b4</i> from the neurons it feeds, and each link's "
                f"gradient is <i>\u2202L/\u2202w = \u03b4\u00b7a</i>. Links show {show}.")
        if col == L:
            head += "<br>" + _card_html(delta_card(exp, L, 0, row), with_title=True)
        return head
    return update_html(exp, surface)


def update_html(exp: Explanation, surface: str) -> str:
    """The optimiser's rule, what this update does to the weights, and what Apply does."""
    r, pre = exp.rule, exp.preview
    rows = [f"<b>4 \u00b7 Update: {OPTIMIZER_NAMES.get(r.optimizer, r.optimizer)}</b>"]
    rows += [f"<span style='color:{GREY}'><i>{line}</i></span>" for line in describe_rule(r)]
    change = np.concatenate([u.ravel() for u in exp.update_weights])
    if change.size:
        l, j, i = _largest(exp)
        rows.append(f"Largest move: {node_name(exp, l, i)} \u2192 {node_name(exp, l + 1, j)} by "
                    f"{num(float(exp.update_weights[l][j, i]))}; mean |\u0394w| {num(float(np.mean(np.abs(change))))}.")
    if r.optimizer not in ("sgd", "momentum", "nesterov"):
        rows.append(f"Effective step per unit of gradient: median {num(effective_rate(r))} (\u03b7 = {num(r.lr)}).")
    zeroed, dies = int(np.sum(r.crossed & ~r.dies)), int(np.sum(r.dies))
    dead = int(sum(int(d.sum()) for d in exp.dead))
    if zeroed or dies or dead:
        rows.append(", ".join(p for p in (f"{zeroed} weights set to 0 by L1" if zeroed else "",
                                            f"{dies} links die" if dies else "",
                                            f"{dead} dead links not updated" if dead else "") if p) + ".")
    rows += _batch_notes(exp)
    pictures = {"before": "the decision surface before the update", "after": "the decision surface after it",
                "change": "how the output changes (after \u2212 before, scaled to its largest change)"}
    rows.append(f"The big picture shows {pictures.get(surface, surface)}.")
    rows.append(f"<span style='color:{GREY}'>" + (
        "Apply makes one update from these points alone; the epoch's batch counter stays."
        if pre.chosen else "Apply makes this update: the weights then equal Step one mini-batch's, to the last "
        "bit.") + " Leave changes nothing.</span>")
    return "<br>".join(rows)


def _largest(exp: Explanation) -> tuple[int, int, int]:
    best, where = -1.0, (0, 0, 0)
    for l, u in enumerate(exp.update_weights):
        if u.size and float(np.max(np.abs(u))) > best:
            best = float(np.max(np.abs(u)))
            j, i = np.unravel_index(int(np.argmax(np.abs(u))), u.shape)
            where = (l, int(j), int(i))
    return where


def _batch_notes(exp: Explanation) -> list[str]:
    pre = exp.preview
    notes = []
    if pre.carry_count:
        notes.append(f"It averages {exp.size} points: {exp.size - pre.carry_count} of this batch and the "
                     f"{pre.carry_count} left over at the end of epoch {pre.epoch}, whose gradient was carried "
                     "(as in TensorFlow Playground).")
        if not exp.carry_fresh:
            notes.append("The weights were edited since those points' gradient was taken: the update uses the "
                         "gradient as it was carried, not as it would be now.")
    if len(pre.leftover):
        notes.append(f"It is the epoch's last update: the {len(pre.leftover)} points left over are carried "
                     "into the next epoch's first update.")
    return notes


def point_row(exp: Explanation, row: int) -> tuple[str, str, str, str]:
    """Cells of the batch table: index (marked when carried), label, output, loss."""
    mark = " carried" if exp.carried[row] else ""
    out = exp.output[row]
    shown = num(float(out[0]), 3) if out.size == 1 else f"class {int(np.argmax(out))}"
    return (f"#{int(exp.points[row])}{mark}", num(float(exp.labels[row]), 3), shown, num(float(exp.loss[row]), 3))
