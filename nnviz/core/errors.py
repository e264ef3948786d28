"""The one error type readers raise, so callers can catch bad input in one place."""


class FormatError(ValueError):
    """A file or value that cannot be read: the message says what is wrong, in words."""
