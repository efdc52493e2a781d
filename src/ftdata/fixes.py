"""``ftdata fix``: the safe autofixes, applied to a copy of the file, each change reported.

Record-level fixes edit the raw record at the pointer of the finding that asked for them, so
everything else in the record (key order, unknown keys, numbers) is kept as it was; records
that need no change are written back byte for byte. The input is never modified.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ftdata.diagnostics import Finding
from ftdata.engine import RecordChecker, detect_format, sample_records
from ftdata.formats import get_format
from ftdata.outputs import atomic_output
from ftdata.parsing import RecordError, decode_exactly, one_line
from ftdata.readers import BOM, LineFinding, RawRecord, read_events
from ftdata.rules import RecordEdit, all_rules, error_codes, get_rule, matches_code
from ftdata.rules.duplicates import DuplicateTracker
from ftdata.targets import get_target


@dataclass
class FixResult:
    input: str
    output: str
    read: int = 0
    written: int = 0
    dropped: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: What could not be read and so is not in the output: a line over the size limit, the
    #: unreadable end of a truncated gzip (``line`` None). Each counts as one read.
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output, "read": self.read,
                "written": self.written, "dropped": self.dropped, "skipped": self.skipped,
                "changes": self.changes}


def fixable_codes(select: Sequence[str] = ()) -> frozenset[str]:
    """The fixes that apply: every registered fixable rule, narrowed by ``select`` prefixes."""
    return frozenset(rule.code for rule in all_rules()
                     if rule.fixable and (not select or matches_code(rule.code, select)))


def _done(code: str) -> str:
    """How the fix report words the change of ``code``'s fix (given where the rule is)."""
    fix = get_rule(code).fix
    assert fix is not None
    return fix.done


def _record_edit(code: str) -> RecordEdit | None:
    fix = get_rule(code).fix
    return fix.edit if fix is not None else None


def fix_file(path: str | os.PathLike[str], output: str | os.PathLike[str], *,
             select: Sequence[str] = (), format: str | None = None) -> FixResult:
    """Write a fixed copy of ``path`` to ``output`` and say what changed, line by line.

    ``read == written + dropped + len(skipped)``: what the reader could not read (a line over
    the size limit, the end of a truncated gzip) is listed in ``skipped`` with the reason.

    >>> fix_file("train.jsonl", "train.fixed.jsonl").to_dict()["dropped"]  # doctest: +SKIP
    3
    """
    codes = fixable_codes(select)
    events = read_events(path)  # opened once: detection looks at records read ahead
    fmt = get_format(format) if format else detect_format(sample_records(events)).format
    result = FixResult(os.fspath(path), os.fspath(output))
    # Fixes that edit a record; the others (framing, duplicates) are applied here.
    record_codes = frozenset(code for code in codes if _record_edit(code) is not None)
    checker = (RecordChecker(fmt, get_target("generic"), record_codes,
                             duplicates="D001" in codes, error_codes=error_codes())
               if fmt is not None else None)
    tracker = DuplicateTracker() if "D001" in codes else None
    as_array = os.fspath(output).removesuffix(".gz").endswith(".json")
    with atomic_output(output, inputs=[path]) as stream:
        writer = _RecordWriter(stream, as_array)
        for event in events:
            if isinstance(event, LineFinding):
                if event.code in codes and event.code in ("F004", "F005", "F011"):
                    action = _done(event.code)
                    if event.count > 1:  # a run of blank lines, reported once
                        action = f"dropped {event.count:,} blank lines"
                    result.changes.append({"line": event.line, "code": event.code,
                                           "action": action})
                elif event.code == "F004":
                    for _ in range(event.count):  # not asked to drop them: keep them
                        writer.blank()
                elif event.code == "F005":
                    stream.write(BOM)  # not asked to remove it: keep it
                elif event.code in ("F002", "F012"):  # what the reader could not read
                    result.read += 1
                    result.skipped.append({"line": event.line, "reason": event.message})
                continue
            result.read += 1
            data = _fixed_record(event, checker, tracker, record_codes, result)
            if data is None:
                result.dropped += 1
                continue
            writer.write(data)
            result.written += 1
        writer.close()
    return result


def _fixed_record(event: RawRecord, checker: RecordChecker | None,
                  tracker: DuplicateTracker | None, codes: Iterable[str],
                  result: FixResult) -> bytes | None:
    if checker is None:
        return event.data
    outcome = checker(event.data)
    if tracker is not None and outcome.keys is not None:
        for finding in tracker.observe(outcome.keys, event.line):
            if finding.code == "D001":
                result.changes.append({"line": event.line, "code": "D001",
                                       "action": f"{_done('D001')} ({finding.message})"})
                return None
    wanted = [f for f in outcome.findings if f.code in codes and f.pointer is not None]
    if not wanted:
        return event.data
    try:
        record = decode_exactly(event.data)
    except RecordError:
        return event.data
    changed = False
    for finding in wanted:
        changed |= _apply(record, finding, event.line, result)
    return _encode(record) if changed else event.data


def _encode(record: Any) -> bytes:
    """Compact JSON of an edited record, keeping what orjson cannot write (big integers,
    lone surrogate escapes) as it was instead of failing."""
    try:
        return orjson.dumps(record)
    except TypeError:
        return json.dumps(record, separators=(",", ":")).encode("ascii")


def _apply(record: Any, finding: Finding, line: int, result: FixResult) -> bool:
    edit, action = _record_edit(finding.code), _done(finding.code)
    assert finding.pointer is not None and edit is not None
    if not edit(record, finding.pointer):
        return False
    result.changes.append({"line": line, "code": finding.code, "pointer": finding.pointer,
                           "action": action})
    return True


class _RecordWriter:
    """JSON Lines, or a JSON array with one record a line when the output is ``.json``."""

    def __init__(self, stream: Any, as_array: bool) -> None:
        self.stream = stream
        self.as_array = as_array
        self.count = 0
        if as_array:
            stream.write(b"[\n")

    def write(self, data: bytes) -> None:
        if self.as_array:
            self.stream.write((b",\n" if self.count else b"") + one_line(data))
        else:
            self.stream.write(one_line(data) + b"\n")
        self.count += 1

    def blank(self) -> None:
        if not self.as_array:
            self.stream.write(b"\n")

    def close(self) -> None:
        if self.as_array:
            self.stream.write(b"\n]\n")

