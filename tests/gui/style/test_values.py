"""Numbers as the views write them: never a "-0"."""

from __future__ import annotations

import pytest

from nnviz.gui.style.values import fixed, format_value, readout
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.topology.card import link_card, neuron_card


@pytest.mark.parametrize("value, text", [(-0.0, "0"), (0.0, "0"), (-1e-7, "-1e-07"), (0.123456, "0.123"),
                                         (-2.5, "-2.5"), (1e6, "1e+06")])
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_digits():
    assert format_value(-0.0, 6) == "0" and format_value(0.1234567, 6) == "0.123457"


@pytest.mark.parametrize("value, text", [(-0.0, "0.000"), (-0.0004, "0.000"), (-0.0005, "-0.001"),
                                         (0.25, "0.250"), (-3.14159, "-3.142")])
def test_fixed(value, text):
    assert fixed(value) == text


def test_cards_of_a_negative_zero():
    snap = make_snapshot()
    assert link_card(snap, 0, 1, 0, -0.0)[0].splitlines()[0] == "Weight 0"
    assert "bias 0\n" in neuron_card(snap, 1, 0, -0.0)[0]


def test_editor_opens_on_a_negative_zero_as_0(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QWidget

    from nnviz.gui.views.topology.card import InlineEditor
    parent = QWidget()
    qtbot.addWidget(parent)
    editor = InlineEditor(parent, lambda target, value: "", lambda text: None)
    editor.open(("weight", 0, 1, 0), -0.0, QPoint(10, 10))
    assert editor.line.text() == "0"
    editor.open(("weight", 0, 1, 0), -0.123456789, QPoint(10, 10))
    assert editor.line.text() == "-0.123457"


@pytest.mark.parametrize("value, text", [(0.1234, "0.123"), (-0.0001, "0.000"), (99999.0, "99999.000"),
                                         (1e5, "1e+05"), (-2.4512e156, "-2.45e+156"), (float("inf"), "\u2013"),
                                         (float("nan"), "\u2013")])
def test_readout_stays_short_when_a_value_blows_up(value, text):
    """Fixed decimals as the Playground, but a diverged loss or R^2 of 1e156 is not 157
    digits wide (its label would set the window's minimum width past any screen)."""
    assert readout(value) == text
