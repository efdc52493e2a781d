"""Where a report's issues sit in the file itself, for renderers that annotate source files.

A report's ``line`` is the physical line of a JSONL file but the element number of a JSON
array; code scanning and pull-request annotations need the physical line either way. For
annotations to survive edits elsewhere in the file, SARIF also wants a digest of the content
an issue is about. Both come from one more streaming pass over the file, stopped at the last
line asked for; the content itself is never kept or shown.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from ftdata.diagnostics import Issue
from ftdata.readers import (
    BOM,
    CHUNK_SIZE,
    InputError,
    Layout,
    RawRecord,
    choose_layout,
    open_binary,
    read_events,
    sniff_layout,
)

_WHITESPACE = re.compile(rb"[ \t\r\n]*")
_WHITESPACE_AND_COMMAS = re.compile(rb"[ \t\r\n,]*")
#: Bytes compared at each element start to make sure the walk is still in step.
_CHECK_BYTES = 16


@dataclass(frozen=True, slots=True)
class RecordSource:
    """A record's first physical line and a digest of its bytes (``None`` when not asked)."""

    physical_line: int | None
    digest: str | None


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Physical lines and content digests of the records some issues are about.

    Example::

        source = SourceMap.build("train.jsonl", report.issues)
        source.physical_line(issue)   # the line to annotate, or None for the whole file
    """

    layout: Layout | None
    records: dict[int, RecordSource]

    @classmethod
    def build(cls, path: str | os.PathLike[str], issues: Collection[Issue], *,
              digests: bool = True) -> SourceMap:
        """Read ``path`` once (up to the last issue's line); an unreadable path maps nothing."""
        wanted = {issue.line for issue in issues if issue.line is not None}
        if not wanted:
            return cls(None, {})
        try:
            layout = _layout(path)
            if layout == "jsonl" and not digests:
                return cls(layout, {})  # lines are physical already
            return cls(layout, dict(_locate(path, layout, wanted, digests)))
        except (InputError, OSError, EOFError):
            # Gone or unreadable: the name alone says whether its lines are physical ones.
            return cls(choose_layout(path, b""), {})

    def physical_line(self, issue: Issue) -> int | None:
        """The 1-based physical line an issue is on, or ``None`` when it is about the file."""
        if issue.line is None:
            return None
        if self.layout != "json":
            return issue.line  # JSONL: report lines are physical lines
        if issue.record is None:
            # A reader finding in a JSON document: only the byte-order mark has a known line.
            return 1 if issue.code == "F005" else None
        found = self.records.get(issue.line)
        return found.physical_line if found else None

    def digest(self, issue: Issue) -> str | None:
        """A digest of the bytes of the record an issue is about, when it could be read."""
        if issue.line is None or issue.record is None:
            return None
        found = self.records.get(issue.line)
        return found.digest if found else None


def _layout(path: str | os.PathLike[str]) -> Layout:
    # Decided exactly as the readers decide it, so element numbers mean the same thing.
    return sniff_layout(path)


def _locate(path: str | os.PathLike[str], layout: Layout, wanted: set[int],
            digests: bool) -> Iterator[tuple[int, RecordSource]]:
    last = max(wanted)
    walker = _ElementWalker(open_binary(path)) if layout == "json" else None
    events = read_events(path)
    try:
        for event in events:
            if not isinstance(event, RawRecord):
                continue
            physical = walker.place(event.data) if walker else event.line
            if event.line in wanted:
                digest = hashlib.sha256(event.data).hexdigest() if digests else None
                yield event.line, RecordSource(physical, digest)
            if event.line >= last:
                return
    finally:
        events.close()  # type: ignore[attr-defined]  # a generator: closes the file now
        if walker is not None:
            walker.close()


class _ElementWalker:
    """Follows the elements of a JSON document through a second stream, counting newlines.

    The readers hand over each element's bytes exactly as they are in the file, and only
    whitespace (and commas, in an array) separates two elements, so the start of each
    element is found by skipping that gap. If the bytes ever disagree, the walk stops
    placing elements rather than guess.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._position = 0
        self._line = 1
        self._gap: re.Pattern[bytes] | None = None
        self._lost = False

    def close(self) -> None:
        self._stream.close()

    def _fill(self) -> bool:
        chunk = self._stream.read(CHUNK_SIZE)
        if not chunk:
            return False
        self._buffer = self._buffer[self._position:] + chunk
        self._position = 0
        return True

    def _ensure(self, count: int) -> None:
        while len(self._buffer) - self._position < count and self._fill():
            pass

    def _skip(self, pattern: re.Pattern[bytes]) -> None:
        while True:
            match = pattern.match(self._buffer, self._position)
            end = match.end() if match else self._position
            self._line += self._buffer.count(b"\n", self._position, end)
            self._position = end
            if end < len(self._buffer) or not self._fill():
                return

    def _advance(self, count: int) -> None:
        while count > 0:
            if self._position >= len(self._buffer) and not self._fill():
                return
            take = min(count, len(self._buffer) - self._position)
            self._line += self._buffer.count(b"\n", self._position, self._position + take)
            self._position += take
            count -= take

    def _start(self) -> None:
        self._ensure(len(BOM))
        if self._buffer.startswith(BOM, self._position):
            self._position += len(BOM)
        self._skip(_WHITESPACE)
        self._ensure(1)
        if self._buffer[self._position:self._position + 1] == b"[":
            self._advance(1)
            self._gap = _WHITESPACE_AND_COMMAS
        else:
            self._gap = _WHITESPACE

    def place(self, data: bytes) -> int | None:
        """The physical line on which the element with these bytes starts."""
        if self._lost:
            return None
        if self._gap is None:
            self._start()
        assert self._gap is not None
        self._skip(self._gap)
        check = data[:_CHECK_BYTES]
        self._ensure(len(check))
        if not self._buffer.startswith(check, self._position):
            self._lost = True
            return None
        start = self._line
        self._advance(len(data))
        return start


def artifact_uri(path: str) -> tuple[str, bool]:
    """A URI for ``path``: relative to the working directory when inside it, else absolute.

    Returns ``(uri, relative)``; a relative URI is percent-encoded with forward slashes.

    Example::

        artifact_uri("data/train set.jsonl")   # ("data/train%20set.jsonl", True)
    """
    relative = relative_path(path)
    if relative is not None:
        return quote(relative, safe="/"), True
    return Path(path).resolve().as_uri(), False


def relative_path(path: str) -> str | None:
    """``path`` relative to the working directory, with forward slashes, or ``None`` if outside.

    Example::

        relative_path("./data/train.jsonl")   # "data/train.jsonl"
    """
    try:
        resolved = Path(os.path.abspath(path))
        relative = resolved.relative_to(Path.cwd())
    except ValueError:
        return None
    text = relative.as_posix()
    return None if text in ("", ".") else text


def display_path(path: str) -> str:
    """The path a CI annotation should name: repository-relative when possible.

    Example::

        display_path("./data/train.jsonl")   # "data/train.jsonl"
    """
    return relative_path(path) or path
