"""Claims about a run, written as a teacher would say them, and the numbers in a text.

A claim is a short comparison of measures (measures.py) with numbers or with the same or
another measure of an earlier step, named by that step's id:

    test_loss > 0.38
    0.3 < test_accuracy <= 0.9
    test_loss < 0.5 * small.test_loss        (× works as well as *)
    train_loss < 0.1 and test_loss > 0.3     (every part must hold)
    diverged          not stuck              layer_spread == 0

A text shows measured numbers with placeholders: "{test_loss:.2f}", "{small.epoch}",
"{test_accuracy:.0%}", "{steps:,d}"; "{{" and "}}" are literal braces. Both are parsed when the lesson
is read (a mistake is refused with the file's name and where), and nothing in them is ever
executed: the grammar has numbers, names, one multiplication, comparisons and "and", no more.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from nnviz.core.learn.measures import FLAGS, MEASURES

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
       "!=": operator.ne}
_TOKEN = re.compile(r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
                    r"|(?P<ref>[A-Za-z][\w-]*(?:\.[A-Za-z_]\w*)?)|(?P<op><=|>=|==|!=|<|>)|(?P<mul>[*\u00d7]))")
_FIELD = re.compile(r"\{\{|\}\}|\{(?P<ref>[^{}:]*)(?::(?P<spec>[^{}]*))?\}|[{}]")
_SPEC = re.compile(r"(?P<comma>,?)(?:\.(?P<digits>\d{1,2}))?(?P<kind>[fge%d]?)")


class ClaimError(ValueError):
    """A claim or a text the lesson reader refuses; the message says what is wrong."""


@dataclass(frozen=True)
class Ref:
    """A measure of this step (step "") or of an earlier step named by its id."""
    step: str
    name: str

    def __str__(self) -> str:
        return f"{self.step}.{self.name}" if self.step else self.name


@dataclass(frozen=True)
class Term:
    """factor * ref, or a plain number (ref None)."""
    factor: float
    ref: Ref | None = None

    def value(self, now: dict[str, float], earlier: dict[str, dict[str, float]]) -> float | None:
        """The term's value; None when it names a step that has no result yet."""
        if self.ref is None:
            return self.factor
        source = now if not self.ref.step else earlier.get(self.ref.step)
        return None if source is None else self.factor * source[self.ref.name]

    def __str__(self) -> str:
        if self.ref is None:
            return f"{self.factor:g}"
        return str(self.ref) if self.factor == 1 else f"{self.factor:g} \u00d7 {self.ref}"


@dataclass(frozen=True)
class Comparison:
    """terms[0] ops[0] terms[1] (ops[1] terms[2]): one comparison, or a chained pair."""
    terms: tuple[Term, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    """One or more comparisons joined by "and"; it holds when all of them do."""
    text: str
    parts: tuple[Comparison, ...]

    def refs(self) -> list[Ref]:
        return [t.ref for part in self.parts for t in part.terms if t.ref is not None]


@dataclass(frozen=True)
class Verdict:
    """How a claim fared: held True/False, or None when it could not be checked."""
    claim: Claim
    held: bool | None
    words: str          # the claim with the measured numbers, e.g. "test_loss = 0.407 > 0.38"


def parse_claim(text: str, steps: tuple[str, ...] = ()) -> Claim:
    """A Claim from its text; `steps` are the ids of the earlier steps it may name."""
    if not isinstance(text, str) or not text.strip():
        raise ClaimError("a claim must be a non-empty text such as \"test_loss < 0.1\"")
    pieces = re.split(r"\s+and\s+", text.strip())
    return Claim(text, tuple(_comparison(p.strip(), steps, text) for p in pieces))


def _comparison(words: str, steps: tuple[str, ...], text: str) -> Comparison:
    if words in FLAGS or (words.startswith("not ") and words[4:].strip() in FLAGS):
        negate = words.startswith("not ")
        name = words[4:].strip() if negate else words
        return Comparison((Term(1.0, _ref(name, steps, text)), Term(0.0)), ("==" if negate else "!=",))
    tokens = _tokens(words, text)
    terms, ops, i = [], [], 0
    while True:
        term, i = _term(tokens, i, steps, text)
        terms.append(term)
        if i == len(tokens):
            break
        kind, value = tokens[i]
        if kind != "op":
            raise ClaimError(f"claim \"{text}\": expected a comparison (<, <=, >, >=, ==) after {term}")
        ops.append(value)
        i += 1
    if not ops or len(ops) > 2:
        raise ClaimError(f"claim \"{text}\" must compare two or three things, as \"test_loss < 0.1\" "
                         "or \"0.1 < test_loss < 0.3\"")
    if all(t.ref is None for t in terms):
        raise ClaimError(f"claim \"{text}\" names no measure")
    return Comparison(tuple(terms), tuple(ops))


def _tokens(text: str, claim: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise ClaimError(f"claim \"{claim}\": cannot read it from \"{text[pos:pos + 12].strip()}\"")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _term(tokens: list, i: int, steps: tuple[str, ...], text: str) -> tuple[Term, int]:
    """number | ref | number * ref | ref * number"""
    if i >= len(tokens):
        raise ClaimError(f"claim \"{text}\" ends too early")
    kind, value = tokens[i]
    if kind not in ("num", "ref"):
        raise ClaimError(f"claim \"{text}\": expected a number or a measure, not \"{value}\"")
    mul = i + 2 < len(tokens) and tokens[i + 1][0] == "mul"
    if mul:
        other_kind, other = tokens[i + 2]
        if {kind, other_kind} != {"num", "ref"}:
            raise ClaimError(f"claim \"{text}\": multiply a measure by a number, as \"0.5 * small.test_loss\"")
        num, ref = (value, other) if kind == "num" else (other, value)
        return Term(_number(num, text), _ref(ref, steps, text)), i + 3
    if kind == "num":
        return Term(_number(value, text)), i + 1
    return Term(1.0, _ref(value, steps, text)), i + 1


def _number(text: str, claim: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ClaimError(f"claim \"{claim}\": {text} is not a finite number")
    return value


def _ref(text: str, steps: tuple[str, ...], claim: str) -> Ref:
    step, _, name = text.rpartition(".")
    if name not in MEASURES:
        raise ClaimError(f"claim \"{claim}\": unknown measure \"{name}\" (docs/lessons.md lists them)")
    if step and step not in steps:
        raise ClaimError(f"claim \"{claim}\": \"{step}\" is not the id of an earlier step")
    return Ref(step, name)


def check(claim: Claim, now: dict[str, float], earlier: dict[str, dict[str, float]]) -> Verdict:
    """Evaluate a claim on this step's measures and the earlier steps' (by id)."""
    held, words = True, []
    for part in claim.parts:
        values = [t.value(now, earlier) for t in part.terms]
        missing = [str(t.ref.step) for t, v in zip(part.terms, values) if v is None]
        if missing:
            return Verdict(claim, None, f"{claim.text} (not checked: step \"{missing[0]}\" has not been run)")
        held = held and all(OPS[op](a, b) for op, a, b in zip(part.ops, values, values[1:]))
        shown = [f"{t} = {fmt(v)}" if t.ref is not None else fmt(v) for t, v in zip(part.terms, values)]
        words.append(shown[0] + "".join(f" {op} {s}" for op, s in zip(part.ops, shown[1:])))
    return Verdict(claim, bool(held), " and ".join(words))


# -- numbers in texts ----------------------------------------------------------------------
def fmt(value: float, spec: str = "") -> str:
    """A measured number for a reader: whole numbers as such, others to 4 significant digits,
    unless the text asks for a format; "not a number" for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not a number"
    if math.isinf(value):
        return "infinite"
    if not spec:
        return f"{int(value):d}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    m = _SPEC.fullmatch(spec)
    comma, digits, kind = m.group("comma"), m.group("digits"), m.group("kind")
    if kind == "d":
        return format(round(value), f"{comma}d")
    return format(value, f"{comma}.{digits or 3}{kind or 'f'}")


def check_text(text: str, steps: tuple[str, ...], where: str) -> None:
    """Refuse a text whose placeholders name an unknown measure or step, or a bad format."""
    for m in _FIELD.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            raise ClaimError(f"{where}: a lone \"{token}\" (write {{{{ or }}}} for a brace)")
        try:
            _ref(m.group("ref").strip(), steps, token)
        except ClaimError as exc:
            raise ClaimError(f"{where}: the placeholder {token}: {str(exc).split(': ', 1)[1]}; "
                             "write {{ and }} for literal braces") from None
        spec = m.group("spec") or ""
        if not _SPEC.fullmatch(spec):
            raise ClaimError(f"{where}: the format \"{spec}\" is not one of .2f, .3g, .1e, .0%, d, ,d")


def fill(text: str, now: dict[str, float], earlier: dict[str, dict[str, float]]) -> str:
    """The text with its placeholders replaced by measured numbers ("?" for a step not run)."""
    def one(m: re.Match) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if m.group("ref") is None:
            return token
        step, _, name = m.group("ref").strip().rpartition(".")
        source = now if not step else earlier.get(step)
        if source is None or name not in source:
            return "?"
        return fmt(source[name], m.group("spec") or "")
    return _FIELD.sub(one, text)
