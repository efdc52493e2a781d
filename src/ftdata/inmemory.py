r"""Records held in memory as JSON text: what an ETL job hands :func:`ftdata.validate_records`.

Values with an obvious JSON meaning are coerced (numpy scalars and arrays, ``Decimal``,
``datetime``/``date``/``time`` and pandas ``Timestamp``, pandas ``NA``/``NaT``); a value that
has none (a ``set``, ``bytes``, a key that is not a string, nesting deeper than JSON encoders
allow, any other object) makes the record an F002 at the pointer of that value, never an
exception.

An integer beyond 64 bits and a string with a lone surrogate are valid JSON that orjson cannot
write: such a record is written as a file holds it (the integer's digits, a ``\ud800``
escape), so it gets exactly the verdict the same record gets from a file (the lone surrogate is
Q002 at its string, the integer is judged by the schema like any number).

>>> from decimal import Decimal
>>> encode_record({"weight": Decimal("1")})
b'{"weight":1}'
>>> encode_record({"tags": {"a"}}).finding.pointer
'/tags'
>>> encode_record({"id": 2**70, "text": "a\ud800"})
b'{"id":1180591620717411303424,"text":"a\\ud800"}'
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from ftdata.diagnostics import Finding

#: Containers a record may nest: orjson refuses the 255th level (checked with orjson 3.10).
MAX_DEPTH = 254
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
    if pointer is None:
        # Nothing without a JSON form: only what orjson cannot write, written as a file holds it.
        try:
            return json.dumps(_plain(item), separators=(",", ":")).encode("ascii")
        except (TypeError, ValueError, RecursionError):
            pass
    return Unencodable(Finding("F002", f"the record cannot be written as JSON: {what}", pointer))


def _plain(value: Any) -> Any:
    """``value`` as the standard encoder writes it with orjson's meaning: coerced values, and
    NaN or an infinity as null (orjson writes them so). Integers beyond 64 bits stay digits and
    a lone surrogate becomes its escape. Called once :func:`_locate` found nothing
    without a JSON form, so the nesting is within :data:`MAX_DEPTH`."""
    for _ in range(8):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else None
        if isinstance(value, dict):
            return {key: _plain(child) for key, child in value.items()}
        if isinstance(value, (list, tuple)):
            return [_plain(child) for child in value]
        value = _coerce(value)
    raise TypeError("a value that does not settle into JSON")


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
        if isinstance(value, (int, float, str)):
            # NaN and infinities are null to orjson; integers beyond 64 bits and lone
            # surrogates are valid JSON that only orjson cannot write (see _plain).
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
