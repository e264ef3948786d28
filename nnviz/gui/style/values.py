"""Checking a value the user typed into a weight or bias editor (no Qt, so it is unit-tested).

PRODUCT.md section 3: text, empty, nan, inf, 1e400 and anything beyond +-1e6 are refused
with a message in words; nothing reaches the trainer.
"""

from __future__ import annotations

import math

from nnviz.core.errors import shorten
from nnviz.core.limits import MAX_PARAM

MAX_ABS = MAX_PARAM  # larger weights are never useful and would only make the network diverge


def parse_value(text: str) -> float:
    """The number in `text`, or ValueError with a message the user can act on."""
    s = str(text).strip().replace("\u2212", "-")  # accept the typographic minus the cards show
    if not s:
        raise ValueError("Type a number, for example 0.5 or -1e-3.")
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"\u201c{shorten(s)}\u201d is not a number. Type a number such as 0.5 or -1e-3.") from None
    if math.isnan(value):
        raise ValueError("\u201cnan\u201d (not a number) cannot be a weight. Type a real number.")
    if math.isinf(value):
        if "inf" in s.lower():
            raise ValueError("Infinity cannot be a weight. Type a number between -1e6 and 1e6.")
        raise ValueError(f"{shorten(s)} is too large to be stored. Type a number between -1e6 and 1e6.")
    if abs(value) > MAX_ABS:
        raise ValueError(f"{shorten(s)} is beyond \u00b11e6. Type a number between -1e6 and 1e6.")
    return value


def format_value(value: float, digits: int = 3) -> str:
    """Significant digits, as the hover card shows weights, biases and gradients; a zero
    is "0", never "-0" (L1 and hand edits can leave a negative zero)."""
    return f"{float(value) + 0.0:.{digits}g}"


def readout(value: float, decimals: int = 3) -> str:
    """A read-out under a heading: fixed decimals (as the Playground shows losses), but
    three significant digits from 1e5 on, since a blown-up loss or R² of 1e150 in fixed
    decimals is 151 digits wide and its label then sets the panel's and the window's
    minimum width past any screen; "–" when not finite."""
    v = float(value)
    if not math.isfinite(v):
        return "\u2013"
    return fixed(v, decimals) if abs(v) < 1e5 else f"{v:.3g}"


def fixed(value: float, decimals: int = 3) -> str:
    """Fixed decimals with no "-0.000" for a small negative value that rounds to zero."""
    text = f"{float(value):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text
