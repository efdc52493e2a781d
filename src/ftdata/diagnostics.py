"""The one diagnostic type that every check produces and every renderer consumes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(slots=True, frozen=True)
class Finding:
    """What a check reports about one record, before severity and location are resolved."""

    code: str
    message: str
    pointer: str | None = None


@dataclass(slots=True, frozen=True)
class Issue:
    """A located, classified problem, as reported to the user.

    ``line`` is 1-based (the physical line of a JSONL file, the element of a JSON array);
    ``record`` is 0-based; both are ``None`` for file-level issues. ``pointer`` is an RFC 6901
    JSON pointer into the record where one applies.
    """

    code: str
    name: str
    severity: Severity
    line: int | None
    record: int | None
    pointer: str | None
    message: str
    fixable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "line": self.line,
            "record": self.record,
            "pointer": self.pointer,
            "message": self.message,
            "fixable": self.fixable,
        }


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)
