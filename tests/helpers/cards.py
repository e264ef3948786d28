"""Recomputing a formula card's equations from the text alone (no Qt).

A card line reads "lhs = expr = result" (or "lhs = result"). The expression is plain
arithmetic over the numbers shown, in the card's symbols (× · / + − ^ ² √ and tanh, σ,
exp, log, sin, cos, max, sign); it is translated to Python and evaluated. Each number is
rounded on the card, so the recomputed result may differ from the shown one by what those
roundings can do: every number is moved by half a unit of its last shown digit (at least
4 significant digits, what the cards print), the moves' effects are summed, and the
shown result's own rounding is added.
"""

from __future__ import annotations

import math
import re

import numpy as np

NUMBER = re.compile(r"(?<![\w.*])(\d+(?:\.\d*)?(?:e[-+]?\d+)?)")
FUNCS = {"tanh": math.tanh, "exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos,
         "sqrt": math.sqrt, "max": max, "sign": np.sign, "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z))}


def to_python(expr: str) -> str:
    s = expr.replace("\u2212", "-").replace("×", "*").replace("·", "*").replace("^", "**").replace("²", "**2")
    return s.replace("√(", "sqrt(").replace("σ(", "sigmoid(")


def half_unit(token: str) -> float:
    """Half a unit of the last shown digit, for at least 4 significant digits."""
    mant = token.lower().partition("e")[0]
    digits = mant.replace(".", "").lstrip("0") or "0"
    sig = max(len(digits), 4)
    value = abs(float(token))
    if value == 0.0:
        return 0.0
    return 0.5 * 10.0 ** (math.floor(math.log10(value)) - sig + 1)


def evaluate(py: str) -> float:
    return float(eval(py, {"__builtins__": {}}, FUNCS))


def recompute(line: str) -> tuple[float, float, float]:
    """(recomputed, shown result, tolerance) of one card line "lhs = expr = result"."""
    parts = line.split(" = ")
    assert len(parts) >= 2, line
    expr, shown = (parts[-2], parts[-1]) if len(parts) >= 3 else (parts[-1], parts[-1])
    py_shown = to_python(shown)
    result = float(py_shown)
    py = to_python(expr)
    base = evaluate(py)
    tol = half_unit(py_shown.lstrip("-"))
    for m in NUMBER.finditer(py):
        token = m.group(1)
        h = half_unit(token)
        if h == 0.0 or py[max(m.start() - 2, 0):m.start()] == "**":
            continue   # zero and integer powers are exact
        moved = py[:m.start()] + repr(float(token) + h) + py[m.end():]
        tol += abs(evaluate(moved) - base)
    return base, result, tol


def equation_lines(text: str) -> list[str]:
    """The lines of a card's plain text that carry numbers: 'name = … = number'."""
    out = []
    for line in text.splitlines():
        parts = line.split(" = ")
        if len(parts) >= 2 and re.fullmatch(r"[−-]?[\d.]+(e[−-]?\d+)?|0", parts[-1].strip()):
            out.append(line)
    return out
