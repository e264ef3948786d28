"""Reading one field of a lesson file, checked, with a message that says where: its own
module as these rules hold for every table of the file alike."""

from __future__ import annotations

from nnviz.core.errors import FormatError, quote


def check_keys(raw: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise FormatError(f"{where}: unknown key {quote(unknown[0])} (known: {', '.join(sorted(allowed))})")


def read_text(raw: dict, key: str, where: str, limit: int, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise FormatError(f"{where}: {key} must be a text, not {quote(value)}")
    value = value.strip()
    if required and not value:
        raise FormatError(f"{where} needs a {key}")
    if len(value) > limit:
        raise FormatError(f"{where}: {key} is {len(value)} characters long; at most {limit}")
    return value


def read_count(raw: dict, key: str, limit: int, where: str) -> int:
    value = raw.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise FormatError(f"{where}: {key} must be a whole number 0..{limit}, not {quote(value)}")
    return value


def read_number(raw: dict, key: str, default: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 1e9:
        raise FormatError(f"{where}: {key} must be a number, not {quote(value)}")
    return float(value)
