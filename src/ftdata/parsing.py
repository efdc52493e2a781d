"""Decoding one record's bytes: UTF-8, then JSON, with precise, readable complaints."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from ftdata.diagnostics import Finding


class RecordError(Exception):
    """A record's bytes cannot be decoded; ``finding`` says why (F001 or F002)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    # A number beyond a double is Infinity to Python but an error to most providers' parsers,
    # and written back it would become null: report it instead of accepting it.
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 24 else f"{text[:20]}..."
        raise ValueError(f"the number {shown} is too large for a 64-bit float")
    return value


def decode_record(data: bytes) -> Any:
    """Decode one record; raises :class:`RecordError` with an F001/F002 finding."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    # orjson refused: find out why, and accept what is valid JSON that orjson cannot hold
    # (integers beyond 64 bits, lone surrogate escapes).
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordError(Finding("F001", f"invalid UTF-8 at byte {error.start + 1} "
                                          f"(0x{data[error.start]:02x})")) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg} at column {error.colno}"
        if error.lineno > 1:
            # A record over several lines (a JSON array's element, a pretty-printed object):
            # the line counts from the record's first line, which the issue's own line names.
            message = (f"invalid JSON: {error.msg} at line {error.lineno} of the record, "
                       f"column {error.colno}")
        raise RecordError(Finding("F002", message)) from None
    except RecursionError:
        raise RecordError(Finding("F002", "invalid JSON: nested too deeply")) from None
    except ValueError as error:
        raise RecordError(Finding("F002", f"invalid JSON: {error}")) from None


#: A digit run long enough to be an integer a 64-bit decoder would round.
_LONG_NUMBER = re.compile(rb"\d{16,}")


def decode_exactly(data: bytes) -> Any:
    """:func:`decode_record`, with integers kept exact: the fast decoder reads big ones as
    floats, which written back would change the record."""
    if _LONG_NUMBER.search(data):
        try:
            return json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            pass  # decode_record says precisely what is wrong
    return decode_record(data)


def one_line(data: bytes) -> bytes:
    """A record as a single JSON Lines line: pretty-printed JSON is re-serialised compactly."""
    if b"\n" not in data and b"\r" not in data:
        return data
    try:
        value = decode_exactly(data)
    except RecordError:
        return data.replace(b"\r", b" ").replace(b"\n", b" ")
    try:
        return orjson.dumps(value)
    except TypeError:  # an integer beyond 64 bits or a lone surrogate: the standard encoder
        return json.dumps(value, separators=(",", ":")).encode("ascii")
