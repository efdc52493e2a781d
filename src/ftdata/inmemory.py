"""Records held in memory as JSON text: what an ETL job hands :func:`ftdata.validate_records`.

Values with an obvious JSON meaning are coerced (numpy scalars and arrays, ``Decimal``,
``datetime``/``date``/``time`` and pandas ``Timestamp``, pandas ``NA``/``NaT``); a value that
has none (a ``set``, ``bytes``, an integer beyond 64 bits, a string with a lone surrogate, a
key that is not a string, nesting deeper than JSON encoders allow, any other object) makes the
record an F002 at the pointer of that value, never an exception.

>>> from decimal import Decimal
>>> encode_record({"weight": Decimal("1")})
b'{"weight":1}'
>>> encode_record({"tags": {"a"}}).finding.pointer
'/tags'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from ftdata.diagnostics import Finding

#: Containers a record may nest: orjson refuses the 255th level (checked with orjson 3.10).
MAX_DEPTH = 254
#: What an integer must fit in for orjson (and Arrow, which ``datasets`` reads JSON with).
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


@dataclass(frozen=True, slots=True)
class Unencodable:
    """A record with no JSON form, and where and why."""

    finding: Finding


class _NoJson(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def encode_record(item: Mapping[str, Any] | bytes | str | Any) -> bytes | Unencodable:
    """A record's JSON bytes (text as given), or why it has none."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8", "surrogatepass")
    try:
        return orjson.dumps(item, default=_coerce, option=_OPTIONS)
    except (TypeError, ValueError, RecursionError):
        pass
    pointer, what = _locate(item)
    return Unencodable(Finding("F002", f"the record cannot be written as JSON: {what}", pointer))


def _coerce(value: Any) -> Any:
    """orjson's ``default``: the JSON meaning of a value it cannot write, or TypeError."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if _missing(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if type(value).__module__ == "numpy":
        tolist = getattr(value, "tolist", None)
        if callable(tolist):
            return tolist()
    raise TypeError(_describe(value))


def _missing(value: Any) -> bool:
    """pandas ``NA`` and ``NaT`` (without importing pandas)."""
    return type(value).__name__ in {"NAType", "NaTType"} and type(value).__module__.startswith(
        "pandas")


def _describe(value: Any) -> str:
    kind = type(value)
    if isinstance(value, (set, frozenset)):
        return "a set (use a list)"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes (decode them to text)"
    return f"a value of type {kind.__module__}.{kind.__qualname__}".replace("builtins.", "")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _locate(item: Any) -> tuple[str | None, str]:
    """The pointer of the first value without a JSON form, and what it is."""
    stack: list[tuple[Any, str, int]] = [(item, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        try:
            found = _check(value, pointer, depth, stack)
        except _NoJson as error:
            return pointer, error.what
        if found is not None:
            return found
    return None, "a value orjson cannot write"


def _check(value: Any, pointer: str, depth: int,
           stack: list[tuple[Any, str, int]]) -> tuple[str, str] | None:
    for _ in range(8):  # a coerced value (an array's list) is checked again
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                raise _NoJson("an integer beyond 64 bits (write it as a string)")
            return None
        if isinstance(value, float):
            return None  # orjson writes NaN and infinities as null
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _NoJson("a string with a lone surrogate, which UTF-8 cannot hold"
                              ) from None
            return None
        if isinstance(value, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise _NoJson(f"nesting deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                children = []
                for key, child in value.items():
                    if not isinstance(key, str):
                        raise _NoJson(f"a key of type {type(key).__qualname__} "
                                      f"(JSON keys are strings)")
                    children.append((child, f"{pointer}/{_escape(key)}", depth + 1))
            else:
                children = [(child, f"{pointer}/{index}", depth + 1)
                            for index, child in enumerate(value)]
            stack.extend(reversed(children))
            return None
        try:
            value = _coerce(value)
        except TypeError as error:
            raise _NoJson(str(error)) from None
    raise _NoJson("a value that does not settle into JSON")


__all__ = ["MAX_DEPTH", "Unencodable", "encode_record"]
