"""The one error type readers raise, so callers can catch bad input in one place, and the
one way a message quotes what it refuses."""

from __future__ import annotations

from typing import Any

from nnviz.core.limits import MAX_QUOTE


class FormatError(ValueError):
    """A file or value that cannot be read: the message says what is wrong, in words."""


def shorten(text: str, limit: int = MAX_QUOTE) -> str:
    """text cut to `limit` characters, "..." marking the cut: a file may put megabytes in
    one field, and a message box must still fit on the screen."""
    return text if len(text) <= limit else text[:max(limit - 3, 0)] + "..."


def quote(value: Any, limit: int = MAX_QUOTE) -> str:
    """repr(value) for a message, cut to `limit` characters (see shorten). Only the head of
    a huge text or container is rendered, and a huge whole number is described."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        return f"a whole number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, str):
        value = value[:limit + 1]          # still longer than the limit, so the cut shows
    elif isinstance(value, (list, tuple, dict)) and len(value) > limit:
        items = list(value.items() if isinstance(value, dict) else value)[:limit]
        return shorten(repr(items)[:-1] + ", ...", limit)
    return shorten(repr(value), limit)
