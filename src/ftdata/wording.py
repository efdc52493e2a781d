"""Counted nouns for messages: "1 record", "2 records"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural (``many``, else ``word`` + "s") unless it is one.

    >>> plural(1, "record"), plural(2, "record"), plural(0, "match", "matches")
    ('1 record', '2 records', '0 matches')
    >>> plural(1_500, "example")
    '1,500 examples'
    """
    return f"{count:,} {word if count == 1 else many or word + 's'}"
