"""Formula cards: every equation's numbers, read back from the card's text, recompute the
result it shows (to within the digits shown), and the result is the step's real number."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.cards import half_unit, recompute, to_python
from nnviz.core import Config, Dataset, Trainer, explain_step
from nnviz.core.learn.explain import Explanation, stages
from nnviz.core.learn.formulas import num, weight_digits
from nnviz.core.learn.update_cards import card_for, update_card

CASES = {
    "tanh-sgd": Config(batch_size=7),
    "relu-momentum-l2": Config(activation="relu", optimizer="momentum", regularization="l2", reg_rate=0.01),
    "elu-nesterov-l1": Config(activation="elu", optimizer="nesterov", regularization="l1", reg_rate=0.03),
    "sigmoid-bce-rmsprop": Config(output="sigmoid_bce", activation="sigmoid", optimizer="rmsprop"),
    "softmax-adam": Config(dataset="blobs", n_classes=3, activation="leaky_relu", optimizer="adam"),
    "regression-sine": Config(dataset="reg-gauss", activation="sine", features=("x1", "x2", "x1^2", "sin(x2)")),
    "wide-linear-l1-dead": Config(activation="linear", hidden_layers=(12, 3), regularization="l1", reg_rate=0.3,
                                  features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")),
}


def targets(e: Explanation) -> list[tuple]:
    sizes, L = e.layer_sizes, e.n_layers
    return ([("node", c, j) for c in range(L + 1) for j in range(sizes[c])]
            + [("link", l, j, i) for l in range(L) for j in range(sizes[l + 1]) for i in range(sizes[l])]
            + [("bias", l, j) for l in range(L) for j in range(sizes[l + 1])])


@pytest.mark.parametrize("name", CASES)
def test_every_card_of_every_stage_recomputes_its_result(name: str) -> None:
    t = Trainer(CASES[name])
    for _ in range(37):     # past an epoch end (SGD carries 5 points at batch 7)
        t.step_batch()
    e = explain_step(t)
    checked = 0
    for stage in stages(e.n_layers):
        for target in targets(e):
            for row, average in ((0, False), (len(e.points) - 1, True)):
                card = card_for(e, stage, target, row, average)
                assert card.title and card.text().startswith(card.title)
                for eq in card.equations:
                    again, shown, tol = recompute(eq.text())
                    assert abs(again - shown) <= tol * 1.000001, (card.text(), eq.text(), again, shown, tol)
                    # and what is shown is the step's real number, rounded
                    assert abs(shown - eq.value) <= half_unit(to_python(eq.shown).lstrip("-")) * 1.000001
                    checked += 1
    assert checked > 500


def test_update_cards_follow_the_rule_to_the_kernels_result() -> None:
    """The card's w_new is the weight step_batch() leaves, for every optimiser."""
    for optimizer in ("sgd", "momentum", "nesterov", "rmsprop", "adam"):
        t = Trainer(Config(optimizer=optimizer, regularization="l2", reg_rate=0.01, learning_rate=0.01))
        for _ in range(5):
            t.step_batch()
        e = explain_step(t)
        card = update_card(e, 1, 1, 2)
        t.step_batch()
        final = [eq for eq in card.equations if eq.lhs == "w_new"][-1]
        assert final.value == t.network.weights[1][1, 2]
        assert len(card.equations) >= {"sgd": 4, "momentum": 5, "nesterov": 5, "rmsprop": 6, "adam": 9}[optimizer]


def test_l1_card_says_when_a_weight_is_set_to_zero_and_its_link_dies() -> None:
    t = Trainer(Config(regularization="l1", reg_rate=1.0, learning_rate=0.3, batch_size=10, seed=2))
    for _ in range(200):
        e = explain_step(t)
        dying = np.argwhere(e.dies[0])
        if len(dying):
            break
        t.step_batch()
    else:
        pytest.fail("no link died in 200 updates")
    j, i = dying[0]
    card = update_card(e, 0, int(j), int(i))
    assert card.equations[-1].lhs == "Δ" and card.equations[-2].text() == "w_new = 0"
    assert any("dies" in n for n in card.notes)
    t.step_batch()
    after = explain_step(t)
    assert after.dead[0][j, i]
    assert "dead link is not updated" in update_card(after, 0, int(j), int(i)).text()


def test_a_card_by_hand() -> None:
    """Point (1, 2); neuron w = (0.5, -0.25), b = 0.1: z = 0.5 - 0.5 + 0.1 = 0.1."""
    data = Dataset(np.array([[1.0, 2.0]]), np.array([1.0]), 2)
    t = Trainer(Config(dataset="custom", hidden_layers=(1,), batch_size=1, learning_rate=0.1), data=(data, data))
    t.set_weight(0, 0, 0, 0.5)
    t.set_weight(0, 0, 1, -0.25)
    t.set_bias(0, 0, 0.1)
    card = card_for(explain_step(t), ("forward", 1), ("node", 1, 0), 0, False)
    assert card.lines()[:5] == ["Forward: layer 1, neuron 1", "z = Σ w·a + b", "a = tanh(z)",
                                "z = 0.5 × 1 + (−0.25) × 2 + 0.1 = 0.1", "a = tanh(0.1) = 0.09967"]


def test_numbers_are_printed_with_a_true_minus_and_enough_digits_to_show_a_change() -> None:
    assert num(-0.000012345) == "−1.234e−05" and num(0.5) == "0.5" and num(0.0) == "0"
    assert weight_digits(0.4123, -3.7e-4) == 6          # 0.412300 -> 0.411930: the change shows
    assert num(0.4123, 6) != num(0.4123 - 3.7e-4, 6)
    assert weight_digits(0.5, 0.0) == 4
