"""Where a report's issues sit in the file itself: physical lines and record digests.

A report's ``line`` is the physical line of a JSONL file but the element number of a JSON
document; code scanning and pull-request annotations need the physical line either way, and
SARIF wants a digest of the record an issue is about so that annotations survive edits
elsewhere in the file. Both are recorded while the file is read for validation
(:class:`SourceRecorder`), for the records that get an issue; the content itself is never kept
or shown. :meth:`SourceMap.build` reads a file again only for a report made elsewhere.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from dataclasses import dataclass, field

from ftdata.diagnostics import Issue
from ftdata.readers import (
    CheckedRecord,
    ElementRecord,
    InputError,
    Layout,
    RawRecord,
    choose_layout,
    read_events,
)


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
    #: Whether digests were recorded (a map made for line numbers alone has none).
    digests: bool = True

    @classmethod
    def build(cls, path: str | os.PathLike[str], issues: Collection[Issue], *,
              digests: bool = True) -> SourceMap:
        """Read ``path`` (up to the last issue's line); an unreadable path maps nothing."""
        wanted = {issue.line for issue in issues if issue.line is not None}
        if not wanted:
            return cls(None, {}, digests)
        last = max(wanted)
        events = read_events(path)
        try:
            events.open()
            recorder = SourceRecorder(events.layout, digests=digests)
            if events.layout != "jsonl" or digests:
                for event in events:
                    if isinstance(event, RawRecord):
                        if event.line in wanted:
                            recorder.note(event)
                        if event.line >= last:
                            break
            return recorder.map()
        except (InputError, OSError, EOFError):
            # Gone or unreadable: the name alone says whether its lines are physical ones.
            return cls(choose_layout(path, b""), {}, digests)
        finally:
            events.close()

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


@dataclass(slots=True)
class SourceRecorder:
    """Notes the physical line and digest of each record that gets an issue, as the file is
    read: only what a renderer cannot know from the report (the physical lines of a JSON
    document's elements; digests when asked for)."""

    layout: Layout | None
    digests: bool = False
    records: dict[int, RecordSource] = field(default_factory=dict)

    def note(self, event: RawRecord) -> None:
        """Record where ``event``'s record is, and its digest when wanted."""
        if self.layout != "json" and not self.digests:
            return  # the line of a record is its physical line
        physical = event.physical if isinstance(event, ElementRecord) else event.line
        digest = None
        if isinstance(event, CheckedRecord):
            digest = event.digest  # computed by the worker that read it
        elif self.digests:
            digest = hashlib.sha256(event.data).hexdigest()
        self.records[event.line] = RecordSource(physical, digest)

    def map(self) -> SourceMap:
        return SourceMap(self.layout, self.records, self.digests)
