"""What a writer raises when a format cannot hold an example.

Apart from the :class:`ftdata.formats.Format` record so that the writing helpers
(:mod:`ftdata.formats._reasoning`, :mod:`ftdata.formats._write`), which ``Format`` itself uses,
need not import the package.
"""

from __future__ import annotations


class Unrepresentable(Exception):
    """An example cannot be written in a format without losing something; ``reason`` says what.

    Converters skip such a record and report it with its location and this reason, never
    flattening it silently.
    """

    # Public as ftdata.formats.Unrepresentable (tracebacks and pickles name it there).
    __module__ = "ftdata.formats"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
