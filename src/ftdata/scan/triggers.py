"""Trigger patterns: what a text-scanning rule needs to see before its Python runs.

A rule that scans text (Q001-Q006, P001-P002) declares triggers: regular expressions over
bytes such that the rule can report something about an example only if one of them matches
the example's texts, each encoded as UTF-8 (lone surrogates kept, ``surrogatepass``) and each
framed by :data:`SEPARATOR` bytes, which no UTF-8 text holds. A trigger may match where the
rule then reports nothing (it only sends the example to the rule, which decides as it always
did); it must never miss an example the rule would report.

The patterns are written in the syntax that Python's :mod:`re` (on bytes), Hyperscan and RE2
share: classes, alternations, bounded repeats, ``(?i:...)``; no look-around, no
back-references. The helpers below build them from characters: :func:`utf8_alternatives`
turns a set of characters into byte sequences, :func:`caseless` matches ASCII letters in any
case (and :data:`FOLDED` the four non-ASCII characters ``re.IGNORECASE`` folds to them).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

#: Frames every text: 0xFF is no byte of any UTF-8 sequence.
SEPARATOR = b"\xff"


def _escape(data: bytes) -> str:
    return "".join(f"\\x{byte:02x}" if not (chr(byte).isalnum() and byte < 0x80) else chr(byte)
                   for byte in data)


def utf8_alternatives(chars: Iterable[str]) -> str:
    """A pattern over bytes that matches the UTF-8 encoding of any of ``chars`` (a lone
    surrogate as ``surrogatepass`` writes it), grouped by all but the last byte.

    >>> utf8_alternatives("ab\\u00e9")
    '(?:[\\\\x61\\\\x62]|\\\\xc3[\\\\xa9])'
    """
    by_prefix: dict[bytes, list[int]] = {}
    for char in sorted(set(chars)):
        data = char.encode("utf-8", "surrogatepass")
        by_prefix.setdefault(data[:-1], []).append(data[-1])
    parts = [_escape(prefix) + "[" + "".join(f"\\x{byte:02x}" for byte in last) + "]"
             for prefix, last in by_prefix.items()]
    return "(?:" + "|".join(parts) + ")"


def characters(pattern: str, flags: int = 0) -> str:
    """Every character that the one-character ``pattern`` matches (a class, say).

    >>> characters("[a-c]")
    'abc'
    """
    compiled = re.compile(pattern, flags)
    return "".join(chr(code) for code in range(sys.maxunicode + 1)
                   if compiled.fullmatch(chr(code)))


#: Every character ``str.isspace`` (and ``\\s`` in a ``str`` pattern) counts as whitespace
#: (the test suite checks this against every code point).
SPACE_CHARACTERS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
                    + "".join(chr(code) for code in range(0x2000, 0x200B))
                    + "\u2028\u2029\u202f\u205f\u3000")
#: A pattern for one of :data:`SPACE_CHARACTERS`.
WHITESPACE = utf8_alternatives(SPACE_CHARACTERS)
#: One byte of any of :data:`SPACE_CHARACTERS`' encodings: ``SPACE_BYTE*`` matches every run
#: of whitespace (and more), and compiles far smaller than ``(?:WHITESPACE)*``.
SPACE_BYTE = "[" + "".join(f"\\x{byte:02x}" for byte in sorted(set(
    SPACE_CHARACTERS.encode("utf-8")))) + "]"

#: The four non-ASCII characters ``re.IGNORECASE`` folds to ASCII letters (``İ`` and ``ı`` to
#: ``i``, ``K`` to ``k``, ``ſ`` to ``s``): a rule with a :func:`caseless` trigger adds this
#: one too, so that a text with one of them is always looked at.
FOLDED = r"\xc4[\xb0\xb1]|\xe2\x84\xaa|\xc5\xbf"


def caseless(pattern: str) -> str:
    """``pattern`` (ASCII) matched in any case of its ASCII letters; what ``re.IGNORECASE``
    matches besides (in a ``str`` pattern) is :data:`FOLDED`'s to catch.

    >>> caseless("ok")
    '(?i:ok)'
    """
    return f"(?i:{pattern})"


def literal(text: str) -> str:
    """A pattern over bytes for ``text``'s UTF-8 encoding, escaped."""
    return "".join(re.escape(chr(byte)) if byte < 0x80 else f"\\x{byte:02x}"
                   for byte in text.encode("utf-8"))
