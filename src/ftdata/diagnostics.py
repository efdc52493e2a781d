"""The one diagnostic type that every check produces and every renderer consumes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    #: This finding's own severity, when the rule's depends on the case (T004 is an error when
    #: the trainer drops the example); the user's and the target's severity for the code win.
    severity: Severity | None = field(default=None, repr=False)


#: Every secret P001 knows, and every token :func:`ftdata.scan.secrets.credential_like`
#: masks, is a run of at least 16 characters without a space.
_LONG_TOKEN = re.compile(r"\S{16}")
#: A key in a pointer long enough to be a secret (a record may use one as a key).
_LONG_KEY = re.compile(r"[^/]{16}")


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
    #: Set when ``pointer`` no longer resolves in the record because a key on its path had to
    #: be shown differently: ``"escaped"`` (a lone surrogate or a control character written as
    #: an escape) or ``"masked"`` (a credential masked); ``None`` when the pointer is the
    #: record's own.
    pointer_note: str | None = None

    def __post_init__(self) -> None:
        # A lone surrogate from a \u escape in the data cannot be printed or written as UTF-8:
        # every renderer would fail on it, so the issue carries it escaped.
        if not self.message.isascii():
            object.__setattr__(self, "message", printable(self.message))
        raw = self.pointer
        if self.pointer is not None and not self.pointer.isascii():
            object.__setattr__(self, "pointer", printable(self.pointer))
        # A key or value quoted with a line break in it would start a new output line, which a
        # CI runner may take for a workflow command (``::error ...::``): escape controls.
        object.__setattr__(self, "message", escape_controls(self.message))
        if self.pointer is not None:
            object.__setattr__(self, "pointer", escape_controls(self.pointer))
            if self.pointer != raw:
                object.__setattr__(self, "pointer_note", "escaped")
        # Messages and pointers may quote the data (a role, a key, a tool name, an id, a URL):
        # this is the one place every quoted value goes through before any renderer sees it.
        # A secret there is masked as P001 masks it, and so is a token that merely looks like
        # a credential, so no report ever prints one whole (SPEC §4).
        if _LONG_TOKEN.search(self.message):
            object.__setattr__(self, "message", redact_quoted(self.message))
        if self.pointer is not None and _LONG_KEY.search(self.pointer):
            shown = redact_quoted(self.pointer, pointer=True)
            if shown != self.pointer:
                object.__setattr__(self, "pointer", shown)
                object.__setattr__(self, "pointer_note", "masked")

    @property
    def at(self) -> str:
        """`` (at POINTER)`` for a line of output, saying when the pointer is shown escaped or
        masked (it then does not resolve in the record); ``""`` without a pointer."""
        if not self.pointer:
            return ""
        note = f", {self.pointer_note}" if self.pointer_note else ""
        return f" (at {self.pointer}{note})"

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
            # Only where the pointer does not resolve: it is shown escaped or masked.
            **({"pointer_note": self.pointer_note} if self.pointer_note else {}),
        }


def redact_quoted(text: str, *, pointer: bool = False) -> str:
    """``text`` with every secret, and every token that looks like a credential, masked: the
    one redaction step for anything that quotes a record; a ``pointer`` is masked token by
    token (see :func:`ftdata.scan.secrets.redact_quoted`)."""
    if not (_LONG_KEY if pointer else _LONG_TOKEN).search(text):
        return text  # every secret and every credential-like token is a long run
    from ftdata.scan.secrets import redact_quoted as redact  # loads only when a text needs it

    return redact(text, pointer=pointer)


def printable(text: str) -> str:
    """``text`` with any lone surrogate written as its ``\\uXXXX`` escape, so it encodes.

    >>> printable("a\\ud800b")
    'a\\\\ud800b'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


#: Characters that would start a new line or steer a terminal: C0 and C1 controls, DEL, the
#: Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def escape_controls(text: str) -> str:
    """``text`` with every control character but the tab written as an escape, so that an
    output line never breaks inside it (and so no line can start with a CI workflow command).

    >>> escape_controls("a\\n::error::x")
    'a\\\\n::error::x'
    """
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda match: _SHORT_ESCAPES.get(match.group())
                         or _hex_escape(ord(match.group())), text)


def _hex_escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable_path(name: str) -> str:
    """A file name as reports show it: bytes that are not UTF-8 (which Python keeps as
    surrogate escapes) as ``\\xNN``, control characters escaped.

    >>> printable_path("bad\\udcff.jsonl")
    'bad\\\\xff.jsonl'
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return escape_controls(printable(name))
    return escape_controls(raw.decode("utf-8", "backslashreplace"))


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


def json_kind(value: object) -> str:
    """How a JSON value is named in a message: ``"an array"``, ``"a string"``, ``"null"``..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number"
