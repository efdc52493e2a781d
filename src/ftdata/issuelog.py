"""A file's issues in bounded memory: counts, the first issues of each code, the rest on disk.

An issue costs about 0.86 KB in memory, so a file with a million broken lines would need most
of a gigabyte to hold them. :class:`IssueLog` holds every issue in memory up to
:data:`SPILL_AFTER` (nearly every file stays there, and is handled exactly as a list); past
that it writes every issue, in order, to an anonymous temporary file and keeps in memory only
the counts, the file-level issues and the first :data:`KEEP_PER_CODE` issues of each code.
Iterating reads the file back, so every output still lists every issue, streamed.

The temporary file has no name (:func:`tempfile.TemporaryFile`): nothing is left behind,
whether the run ends, is interrupted or is killed.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any, SupportsIndex, overload

import orjson

from ftdata.diagnostics import Issue, Severity

#: Issues held in memory before any goes to disk: about 9 MB, more than any file that is
#: read by a person, so ordinary runs never write one.
SPILL_AFTER = 10_000
#: Issues of each code kept in memory once the log is on disk: enough to show a code's first
#: examples (the HTML report's groups, ``--max-issues`` below it) without reading the file,
#: and at most about 11 MB even if all of the ~130 codes fire.
KEEP_PER_CODE = 100
#: Bytes read back from disk at a time.
_READ_BYTES = 1 << 20

_SEVERITIES = {severity.value: severity for severity in Severity}


class IssueLog(list[Issue]):
    """The issues of one file, in report order once :meth:`finish` ran: file-level issues
    first, then by line (the order a stable sort on ``(line is not None, line)`` gives).

    It is a list while it holds at most :data:`SPILL_AFTER` issues. Past that, the list
    itself holds only :attr:`kept` issues, and every Python-level use (iteration, ``len``,
    indexing, ``in``, ``==``, ``+``, pickling) goes through the methods below, which read the
    rest from disk; sorting or inserting in place is then refused.
    """

    def __init__(self, issues: Iterable[Issue] = (), *, spill_after: int | None = None,
                 keep_per_code: int | None = None) -> None:
        super().__init__()
        self.spill_after = SPILL_AFTER if spill_after is None else spill_after
        self.keep_per_code = KEEP_PER_CODE if keep_per_code is None else keep_per_code
        #: Issues per severity and per code, whether in memory or on disk.
        self.severities: Counter[Severity] = Counter()
        self.codes: Counter[str] = Counter()
        self._disk: IO[bytes] | None = None
        self._on_disk = 0
        self._file_level: list[Issue] = []
        self._last_line = 0
        self._in_order = True
        for issue in issues:
            self.append(issue)

    # -- writing ---------------------------------------------------------------------------

    def append(self, issue: Issue) -> None:
        self.severities[issue.severity] += 1
        self.codes[issue.code] += 1
        if self._disk is None:
            super().append(issue)
            if super().__len__() > self.spill_after:
                self._spill()
            return
        self._write(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.append(issue)

    def _spill(self) -> None:
        import tempfile  # only a file with many issues spills (start-up)

        self._disk = tempfile.TemporaryFile(prefix="ftdata-issues-")  # noqa: SIM115 - closed in close()
        held = list(super().__iter__())
        super().clear()
        self.codes.clear()
        for issue in held:
            self.codes[issue.code] += 1
            self._write(issue)

    def _write(self, issue: Issue) -> None:
        assert self._disk is not None
        if self.codes[issue.code] <= self.keep_per_code:
            super().append(issue)
        if issue.line is None:
            self._file_level.append(issue)
            return
        if issue.line < self._last_line:
            self._in_order = False
        self._last_line = issue.line
        self._disk.write(orjson.dumps((issue.code, issue.name, issue.severity.value,
                                       issue.line, issue.record, issue.pointer, issue.message,
                                       issue.fixable, issue.pointer_note)))
        self._disk.write(b"\n")
        self._on_disk += 1

    def finish(self) -> IssueLog:
        """Put the issues in report order (see the class); returns the log itself."""
        if self._disk is None:
            held = sorted(super().__iter__(), key=lambda i: (i.line is not None, i.line or 0))
            super().clear()
            super().extend(held)
            return self
        if not self._in_order:
            # Not seen in practice (records arrive in file order); sorted on disk to be sure.
            import tempfile

            disk, self._disk = self._disk, tempfile.TemporaryFile(  # noqa: SIM115
                prefix="ftdata-issues-")  # closed in close()
            disk.seek(0)
            lines = sorted(disk, key=lambda raw: orjson.loads(raw)[3])
            disk.close()
            self._disk.writelines(lines)
            self._in_order = True
        return self

    @property
    def spilled(self) -> bool:
        """Whether issues went to disk."""
        return self._disk is not None

    @property
    def kept(self) -> list[Issue]:
        """The issues in memory: all of them, or once spilled the first of each code."""
        return list(super().__iter__())

    def close(self) -> None:
        """Drop the issues on disk (the log then holds only what it kept)."""
        if self._disk is not None:
            self._disk.close()

    # -- reading ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Issue]:
        if self._disk is None:
            return super().__iter__()
        return self._read()

    def _read(self) -> Iterator[Issue]:
        disk = self._disk
        assert disk is not None
        yield from list(self._file_level)
        disk.flush()
        # Read at explicit offsets, so that two iterations at once do not move each other.
        fd, offset, rest = disk.fileno(), 0, b""
        while chunk := os.pread(fd, _READ_BYTES, offset):
            offset += len(chunk)
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for raw in lines:
                yield _issue(orjson.loads(raw))

    def __len__(self) -> int:
        if self._disk is None:
            return super().__len__()
        return len(self._file_level) + self._on_disk

    def __bool__(self) -> bool:
        return len(self) > 0

    def __contains__(self, item: object) -> bool:
        return any(issue == item for issue in self)

    def __reversed__(self) -> Iterator[Issue]:
        return reversed(list(self))

    @overload
    def __getitem__(self, index: SupportsIndex) -> Issue: ...

    @overload
    def __getitem__(self, index: slice) -> list[Issue]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Issue | list[Issue]:
        if self._disk is None:
            return super().__getitem__(index)
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step > 0:
                return list(itertools.islice(self, start, stop, step))
            return list(self)[index]
        position = index.__index__()
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError("issue index out of range")
        return next(itertools.islice(self, position, None))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, list):
            return NotImplemented
        return len(self) == len(other) and all(
            a == b for a, b in zip(self, other, strict=True))

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __add__(self, other: list[Issue]) -> list[Issue]:  # type: ignore[override]
        return [*self, *other]

    def __repr__(self) -> str:
        if self._disk is None:
            return super().__repr__()
        return f"<IssueLog of {len(self)} issues, {self._on_disk} on disk>"

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)

    def copy(self) -> list[Issue]:
        return list(self)

    # -- refused once on disk --------------------------------------------------------------

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._in_memory_only("sort")
        super().sort(*args, **kwargs)

    def insert(self, index: SupportsIndex, issue: Issue) -> None:
        self._in_memory_only("insert into")
        super().insert(index, issue)

    def _in_memory_only(self, what: str) -> None:
        if self._disk is not None:
            raise TypeError(f"cannot {what} an issue log on disk; make a list of it first")


def _issue(row: list[Any]) -> Issue:
    """An issue read back: its fields were made safe when it was first built, so they are set
    as they are instead of going through :class:`Issue`'s checks again."""
    code, name, severity, line, record, pointer, message, fixable, note = row
    issue = object.__new__(Issue)
    for field, value in (("code", code), ("name", name), ("severity", _SEVERITIES[severity]),
                         ("line", line), ("record", record), ("pointer", pointer),
                         ("message", message), ("fixable", fixable), ("pointer_note", note)):
        object.__setattr__(issue, field, value)
    return issue


def in_report_order(issues: list[Issue]) -> list[Issue]:
    """``issues`` in report order: an :class:`IssueLog` put in order in place, any other list
    sorted into a new one (file-level issues first, then by line, stable)."""
    if isinstance(issues, IssueLog):
        return issues.finish()
    return sorted(issues, key=lambda i: (i.line is not None, i.line or 0))
