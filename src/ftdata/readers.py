"""Readers: turn a file into a stream of raw records with exact locations, never loading it whole.

JSONL is read line by line; JSON documents (an array of records, or one or more top-level
objects) are split into their elements by an incremental scanner, so a large JSON array costs no
more memory than its largest element. Records stay raw bytes: parsing is part of the pure
per-record check, so it can run in another process.

Two more layouts come from real files. A ``.jsonl`` that holds pretty-printed objects one after
another (``json.dump(record, file, indent=2)`` in a loop) is read object by object, each located
at the physical line where it starts, with one F011 saying so. A ``.txt`` is a plain-text corpus,
one document per line, each read as a ``{"text": ...}`` record; blank lines separate documents
and are not records.
"""

from __future__ import annotations

import collections
import functools
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

import orjson

BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"
CHUNK_SIZE = 1 << 20
#: The largest record read (a JSONL line, a JSON array element or top-level value, a
#: pretty-printed object, a line of a plain-text corpus); a larger one is F012 and is skipped
#: without being held. Providers cap an example far below it: the longest per-example limit
#: in ``data/models.json`` is 131,072 tokens (about 0.5 MB of text), and OpenAI's vision
#: fine-tuning takes images of at most 10 MB each
#: (https://developers.openai.com/api/docs/guides/vision-fine-tuning, "Image data
#: requirements"), so 32 MiB leaves room for inline images while a record, parsed and
#: checked, stays within a few hundred MB of memory.
MAX_LINE_BYTES = 32 << 20
#: How much of a file the layout is decided from.
HEAD_BYTES = 1 << 16
#: Plain-text corpora: one document per line (after any ``.gz``).
TEXT_SUFFIXES = (".txt", ".text")

#: ``jsonl``: one record a line; ``json``: an array or top-level values, numbered by element;
#: ``concatenated``: pretty-printed objects one after another, located by physical line;
#: ``text``: one plain-text document a line.
Layout = Literal["jsonl", "json", "concatenated", "text"]

#: F011's message: what is wrong with the file and the command that repairs it.
CONCATENATED_MESSAGE = ("the file holds pretty-printed JSON objects, not one per line; "
                        "`ftdata fix` rewrites it as JSON Lines")


class InputError(Exception):
    """The input cannot be read at all (missing, a directory, not gzip): exit 2."""


@dataclass(slots=True, frozen=True)
class RawRecord:
    """One record's bytes. ``line`` is the JSONL line or the 1-based JSON array element."""

    line: int
    data: bytes


@dataclass(slots=True, frozen=True)
class ElementRecord(RawRecord):
    """An element of a JSON document: ``line`` numbers the element, ``physical`` is the
    1-based physical line it starts on (for annotations), counted as the file is read."""

    physical: int


@dataclass(slots=True, frozen=True)
class CheckedRecord(RawRecord):
    """A record checked where its bytes were read (a worker reading a byte range): ``data``
    is empty, ``digest`` the SHA-256 of its bytes when digests were asked for."""

    digest: str | None


@dataclass(slots=True, frozen=True)
class LineFinding:
    """A problem found by the reader itself (blank line, BOM, broken JSON framing)."""

    code: str
    message: str
    line: int | None
    #: How many consecutive lines it stands for (a run of blank lines is one F004).
    count: int = 1


def too_large(what: str, size: int, line: int | None) -> LineFinding:
    """F012: a record of ``size`` bytes, over :data:`MAX_LINE_BYTES`."""
    return LineFinding("F012", f"the {what} is {_size(size)}, over the {_size(MAX_LINE_BYTES)} "
                               f"record limit; it was not read", line)


def _size(count: int) -> str:
    """``count`` bytes for a message.

    >>> _size(3 << 30), _size(64)
    ('3,072.0 MiB', '64 bytes')
    """
    return f"{count / (1 << 20):,.1f} MiB" if count >= 1 << 20 else f"{count:,} bytes"


def blank_lines(first: int, count: int) -> LineFinding:
    """F004 for a run of ``count`` blank lines starting at line ``first``."""
    if count == 1:
        return LineFinding("F004", "blank line", first)
    return LineFinding("F004", f"{count:,} blank lines (lines {first:,}-{first + count - 1:,})",
                       first, count)


Event = RawRecord | LineFinding


def open_binary(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading bytes, transparently decompressing gzip (sniffed, not guessed)."""
    name = os.fspath(path)
    if os.path.isdir(name):
        raise InputError(f"{name}: is a directory, not a file")
    try:
        raw = open(name, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot open ({error.strerror or error})") from None
    head = raw.peek(2)[:2] if isinstance(raw, io.BufferedReader) else b""
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if name.endswith(".gz") and head:
        raw.close()
        raise InputError(f"{name}: has a .gz name but is not gzip data")
    return raw


def file_size(path: str | os.PathLike[str]) -> int:
    """The size of a readable file in bytes; :class:`InputError` otherwise."""
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read ({error.strerror or error})") from None
    if os.path.isdir(name):
        raise InputError(f"{name}: is a directory, not a file")
    if not os.access(name, os.R_OK):
        raise InputError(f"{name}: permission denied")
    return info.st_size


def logical_name(path: str | os.PathLike[str]) -> str:
    """The file name without a compression suffix (``train.jsonl.gz`` -> ``train.jsonl``)."""
    name = os.fspath(path)
    return name[:-3] if name.endswith(".gz") else name


def choose_layout(path: str | os.PathLike[str], head: bytes) -> Layout:
    """How a file is read, from its name and its first bytes (up to :data:`HEAD_BYTES`).

    JSON arrays and ``.json`` files are documents. A ``.txt`` is plain text unless its first
    non-blank line is a JSON object (a JSON Lines file under another name). Anything else is
    JSON Lines, or pretty-printed objects when the first object spans several lines.

    >>> choose_layout("train.jsonl", b'{\\n  "text": "Hi"\\n}\\n')
    'concatenated'
    >>> choose_layout("corpus.txt", b"The first document.\\n")
    'text'
    """
    stripped = head.lstrip(BOM).lstrip()
    name = logical_name(path).lower()
    if name.endswith(TEXT_SUFFIXES):
        return "jsonl" if _first_line_is_object(stripped) else "text"
    if stripped.startswith(b"["):
        return "json"
    if name.endswith(".json"):
        return "json"
    return "concatenated" if _pretty_printed(stripped) else "jsonl"


def _first_line(head: bytes) -> bytes:
    return head.split(b"\n", 1)[0].strip(_WHITESPACE)


def _first_line_is_object(head: bytes) -> bool:
    line = _first_line(head)
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _pretty_printed(head: bytes) -> bool:
    """Does the file start with a JSON object spread over several lines?

    The first line must not be a record by itself; then either the first object parses whole
    and spans a line break, or (an object larger than the head) its first line ends where
    only pretty-printing ends a line: after ``{``, ``[`` or ``,``.
    """
    if not head.startswith(b"{") or b"\n" not in head:
        return False
    line = _first_line(head)
    try:
        orjson.loads(line)
        return False  # the first line is a record by itself: JSON Lines
    except orjson.JSONDecodeError:
        pass
    try:
        _, end = json.JSONDecoder().raw_decode(head.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return line.endswith((b"{", b"[", b","))
    return end > len(line.decode("utf-8", "replace"))


def head_of(stream: BinaryIO) -> bytes:
    """The first :data:`HEAD_BYTES` of a stream: fewer at its end, or where a truncated or
    corrupt gzip stops (the reader then reports it as F002). A stream that fails before its
    first byte raises."""
    head = b""
    while len(head) < HEAD_BYTES:
        try:
            more = stream.read1(HEAD_BYTES - len(head))  # type: ignore[attr-defined]
        except (OSError, EOFError, zlib.error):
            if not head:
                raise
            break
        if not more:
            break
        head += more
    return head


def read_head(path: str | os.PathLike[str]) -> bytes:
    """The first bytes of a file (:func:`head_of`), decompressed; :class:`InputError` when it
    cannot be read."""
    with open_binary(path) as stream:
        try:
            return head_of(stream)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"{os.fspath(path)}: cannot read ({error})") from None


def sniff_layout(path: str | os.PathLike[str]) -> Layout:
    """The layout the readers use for ``path``; :class:`InputError` when it cannot be read.

    >>> sniff_layout("samples/openai-chat/clean.jsonl")  # doctest: +SKIP
    'jsonl'
    """
    return choose_layout(path, read_head(path))


def read_events(path: str | os.PathLike[str], *, digests: bool = False) -> FileEvents:
    """All records and reader findings of a file, in order (read lazily, on first use).

    The iterator is a :class:`FileEvents`: the file is opened once, its format can be told
    from events read ahead (:meth:`FileEvents.look_ahead`) and ``close()`` closes it early.
    ``digests`` says that the records' digests are wanted (for SARIF fingerprints).
    """
    return FileEvents(path, digests=digests)


#: The reader of each layout.
LAYOUT_READERS: dict[Layout, Callable[[BinaryIO], Iterator[Event]]] = {}


def _stream_events(stream: BinaryIO, layout: Layout) -> Generator[Event, None, None]:
    try:
        try:
            yield from LAYOUT_READERS[layout](stream)
        except (OSError, EOFError, zlib.error) as error:  # truncated or corrupt gzip
            yield LineFinding("F002", f"the file cannot be read to the end: {error}", None)
    finally:
        stream.close()


class _Prefixed(io.RawIOBase):
    """The bytes already read from a stream (its head), then the rest of the stream: a
    compressed or non-seekable input is read on, never rewound and read again."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head = memoryview(head)
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        return self.stream.readinto(buffer)  # type: ignore[attr-defined, no-any-return]

    def close(self) -> None:
        self.stream.close()
        super().close()


def iter_jsonl(stream: BinaryIO) -> Iterator[Event]:
    """JSON Lines: one record per physical line; CRLF and a leading BOM are tolerated.

    A line over :data:`MAX_LINE_BYTES` is reported (F012, with its size) and skipped without
    being held, so a gzip bomb with no newline streams through in bounded memory. A run of
    blank lines is one F004 with its count, skipped a buffer at a time.
    """
    number = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            size, blank = _drop_line(stream, line)
            if blank:  # a huge run of whitespace: a blank line, skipped in constant memory
                extra = _skip_blank_lines(stream)
                yield blank_lines(number, 1 + extra)
                number += extra
            else:
                yield too_large("line", size, number)
            continue
        if number == 1 and line.startswith(BOM):
            yield LineFinding("F005", "the file starts with a UTF-8 byte-order mark", 1)
            line = line[len(BOM):]
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip():
            extra = _skip_blank_lines(stream)
            yield blank_lines(number, 1 + extra)
            number += extra
            continue
        yield RawRecord(number, line)


def _drop_line(stream: BinaryIO, start: bytes) -> tuple[int, bool]:
    """Read past the rest of an overlong line, a chunk at a time: its size and whether it was
    all whitespace."""
    size = len(start)
    blank = not start.strip(_WHITESPACE)
    while True:
        rest = stream.readline(CHUNK_SIZE)
        size += len(rest)
        if blank and rest.strip(_WHITESPACE):
            blank = False
        if not rest or rest.endswith(b"\n"):
            return size, blank


def _skip_blank_lines(stream: BinaryIO) -> int:
    """Consume the whole blank lines (whitespace up to a line break) that come next, a buffer
    at a time: how many. A stream that cannot be peeked at skips none."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return 0
    count = 0
    while True:
        data: bytes = peek(CHUNK_SIZE)
        if not data:
            return count
        blank = len(data) - len(data.lstrip(_WHITESPACE))
        end = data.rfind(b"\n", 0, blank) + 1
        if end == 0:
            return count
        count += data.count(b"\n", 0, end)
        stream.read(end)
        if end < len(data):
            return count


_STRUCTURE = re.compile(rb'[\[\]{}",]')
_STRING_END = re.compile(rb'["\\]')
_WHITESPACE = b" \t\r\n"


def iter_json_document(stream: BinaryIO) -> Iterator[Event]:
    """Elements of a JSON array, or each top-level value of a JSON document, as raw bytes.

    The scanner only tracks strings and bracket depth; each element is parsed later by the
    record check, which reports its syntax errors precisely. ``line`` is the 1-based element.
    Whitespace between elements is skipped without being held, and an element over
    :data:`MAX_LINE_BYTES` is reported (F012) and skipped, so memory stays bounded whatever
    the file holds.
    """
    buffer = bytearray()
    offset = 0  # absolute position of buffer[0]
    position = 0  # scan position within buffer
    eof = False
    first = True
    depth = 0
    in_string = False
    scalar = False  # inside a bare top-level scalar (it ends at whitespace)
    mode: Literal["array", "values"] | None = None
    element_start: int | None = None  # absolute
    oversized_start: int | None = None  # absolute start of an element too large to hold
    array_closed = False
    count = 0
    # Physical lines: newlines before buffer[0] (dropped whitespace included), and a cursor
    # into the buffer with the newlines before it; the cursor only moves forward, so the
    # file's newlines are counted once.
    newlines_before = 0
    cursor = 0
    newlines_cursor = 0
    start_line = 1

    def line_at(index: int) -> int:
        nonlocal cursor, newlines_cursor
        if index >= cursor:
            newlines_cursor += buffer.count(b"\n", cursor, index)
        else:
            newlines_cursor -= buffer.count(b"\n", index, cursor)
        cursor = index
        return 1 + newlines_before + newlines_cursor

    def fill() -> bool:
        nonlocal eof, first
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            eof = True
            return False
        if first:
            first = False
            if chunk.startswith(BOM):
                chunk = chunk[len(BOM):]
                pending.append(LineFinding("F005", "the file starts with a UTF-8 byte-order mark",
                                           1))
        buffer.extend(chunk)
        return True

    pending: list[Event] = []

    def element(end: int) -> Event | None:
        nonlocal count, element_start, oversized_start
        if oversized_start is not None:
            size = end - oversized_start
            oversized_start = element_start = None
            count += 1
            return too_large("element", size, count)
        assert element_start is not None
        data = bytes(buffer[element_start - offset:end - offset]).strip(_WHITESPACE)
        element_start = None
        if not data:
            return None
        count += 1
        return ElementRecord(count, data, start_line)

    while True:
        if pending:
            yield from pending
            pending.clear()
        if position >= len(buffer):
            if element_start is not None and offset + len(buffer) - element_start > MAX_LINE_BYTES:
                oversized_start, element_start = element_start, None  # stop holding it
            # Drop what has been consumed before reading more.
            keep_from = element_start - offset if element_start is not None else position
            line_at(keep_from)
            newlines_before += newlines_cursor
            cursor = newlines_cursor = 0
            del buffer[:keep_from]
            offset += keep_from
            position -= keep_from
            if not fill():
                break
            continue
        if in_string:
            quote = buffer.find(b'"', position)  # memchr: a long string is passed at C speed
            index = buffer.find(b"\\", position, len(buffer) if quote < 0 else quote)
            if index < 0:
                index = quote
            if index < 0:
                position = len(buffer)
                continue
            if buffer[index] == 0x5C:  # backslash: skip the escaped byte
                if index + 1 >= len(buffer) and not eof:
                    position = index
                    if not fill():
                        position = len(buffer)
                    continue
                position = index + 2
                continue
            in_string = False
            position = index + 1
            continue
        if scalar:
            match = _SPACE.search(buffer, position)
            if match is None:
                position = len(buffer)
                continue
            scalar = False
            position = match.start()
            record = element(offset + position)
            if record:
                yield record
            continue
        if mode is None:
            position = _skip_space(buffer, position)
            if position >= len(buffer):
                continue
            if buffer[position] == ord("["):
                mode = "array"
                depth = 1
                position += 1
                element_start = offset + position
            else:
                mode = "values"
            continue
        if mode == "array" and array_closed:
            if _skip_space(buffer, position) < len(buffer):
                yield LineFinding("F002", "unexpected content after the closing ']' of the array",
                                  None)
                return
            position = len(buffer)
            continue
        if mode == "array" and depth == 1 and element_start == offset + position:
            # Nothing of the element yet: leading whitespace is not kept.
            position = _skip_space(buffer, position)
            element_start = offset + position
            if position >= len(buffer):
                continue
            start_line = line_at(position)
        if (mode == "array" and depth == 1 and element_start is not None
                and buffer[position] in _WHITESPACE):
            # Whitespace after the element's value: a long run is dropped, not held.
            end = _skip_space(buffer, position)
            if end - position > 4096 or end >= len(buffer):
                line_at(position)
                newlines_cursor += buffer.count(b"\n", position, end)
                del buffer[position:end]
            else:
                position = end
            continue
        if mode == "values" and depth == 0:
            position = _skip_space(buffer, position)
            if position >= len(buffer):
                continue
            element_start = offset + position
            start_line = line_at(position)
            if buffer[position] not in b"{[":
                scalar = True  # a bare scalar at the top level: it ends at whitespace
                continue
        match = _STRUCTURE.search(buffer, position)
        if match is None:
            position = len(buffer)
            continue
        index = match.start()
        byte = buffer[index]
        position = index + 1
        if byte == 0x22:  # "
            in_string = True
        elif byte in b"[{":
            depth += 1
        elif byte in b"]}":
            depth -= 1
            if mode == "array" and depth == 0:
                record = element(offset + index)
                if record:
                    yield record
                array_closed = True
            elif mode == "values" and depth == 0:
                record = element(offset + index + 1)
                if record:
                    yield record
        elif byte == 0x2C and mode == "array" and depth == 1:  # ,
            record = element(offset + index)
            if record:
                yield record
            else:
                yield LineFinding("F002", f"empty element after element {count} of the array",
                                  count + 1)
            element_start = offset + position
    if pending:
        yield from pending
    if (element_start is not None or oversized_start is not None) and (
            mode == "values" or not array_closed):
        record = element(offset + len(buffer))
        if record:
            yield record  # truncated: the record check reports where it breaks
    if mode == "array" and not array_closed:
        yield LineFinding("F002", "the JSON array is not closed (is the file truncated?)", None)


_SPACE = re.compile(rb"[ \t\r\n]")


def _skip_space(buffer: bytearray, position: int) -> int:
    """The first position at or after ``position`` that is not JSON whitespace (or the end)."""
    if position >= len(buffer) or buffer[position] not in _WHITESPACE:
        return position
    near = bytes(buffer[position:position + 64]).lstrip(_WHITESPACE)
    if near:  # a short run, as between the elements of most files
        return position + 64 - len(near) if position + 64 <= len(buffer) else \
            len(buffer) - len(near)
    return len(buffer) - len(bytes(buffer[position:]).lstrip(_WHITESPACE))


#: What the line scanner of pretty-printed objects looks at: an escaped byte (skipped whole),
#: a quote, a bracket.
_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


class _PendingObject:
    """The lines of the object being read, with its first line; dropped past the size limit."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.last = line
        self.parts: list[bytes] = []
        self.size = 0
        self.oversized = False
        #: Whether one of its lines is indented: then a ``{`` at the start of a line can only
        #: open the next top-level object (nested values are indented).
        self.indented = False

    def add(self, part: bytes, line: int) -> None:
        self.last = line
        if self.parts and part[:1] in (b" ", b"\t"):
            self.indented = True
        self.size += len(part)
        if self.oversized:
            return
        if self.size > MAX_LINE_BYTES:
            self.oversized = True
            self.parts.clear()
        else:
            self.parts.append(part)

    def event(self) -> Event | None:
        if self.oversized:
            return too_large("object", self.size, self.line)
        data = b"".join(self.parts).strip(_WHITESPACE)
        return RawRecord(self.line, data) if data else None


def iter_concatenated(stream: BinaryIO) -> Iterator[Event]:
    """Pretty-printed JSON objects one after another, each located at the line it starts on.

    The file is read a line at a time, tracking strings and bracket depth, so memory holds one
    object at most (:data:`MAX_LINE_BYTES`; a larger one is reported and skipped). A JSON string
    cannot hold a raw line break, so each line starts outside any string: an unterminated
    string spoils one object, not the rest of the file. In an indented file, a ``{`` at the start
    of a line while an object is still open starts the next object: the open one is cut off and
    its record check says where it breaks. One F011 marks the first object that spans several
    lines.
    """
    lines = iter(functools.partial(stream.readline, MAX_LINE_BYTES + 1), b"")
    scan = _ObjectScanner()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            size, _ = _drop_line(stream, line)
            yield too_large("line", size, number)
            scan.pending, scan.depth = None, 0  # the object it was part of cannot be read
            continue
        if number == 1 and line.startswith(BOM):
            yield LineFinding("F005", "the file starts with a UTF-8 byte-order mark", 1)
            line = line[len(BOM):]
        pending = scan.pending
        if pending is not None and pending.indented:
            # Indented: only the top-level braces sit at the start of a line (a raw line break
            # is never inside a string), so the lines between them are taken without a scan
            # and the record check parses the whole object.
            if line[:1] not in _TOP_LEVEL:
                pending.add(line, number)
                continue
            if line[:1] in b"]}":
                scan.depth = 1  # this closes the object
        events = scan.line(line, number)
        if events:
            yield from events
    yield from scan.finish()


#: The bytes that start a line only at the top level of an indented object.
_TOP_LEVEL = (b"{", b"}", b"[", b"]")
#: A complete JSON string on one line (the unrolled form: no alternation per byte), a bracket.
_STRING = re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


class _ObjectScanner:
    """The state of :func:`iter_concatenated` between lines: the open object and its depth.

    :meth:`line` returns the events a line completes, as a list: most lines complete none,
    and a generator per line would cost more than the scan itself.
    """

    def __init__(self) -> None:
        self.pending: _PendingObject | None = None
        self.depth = 0
        self.reported = False
        self.events: list[Event] = []

    def line(self, line: bytes, number: int) -> list[Event]:
        """The events ``line`` completes (the list is reused: take them before the next)."""
        events = self.events
        events.clear()
        pending = self.pending
        if pending is not None and self.depth > 0:
            if pending.indented and line.startswith(b"{"):
                self._close()  # cut off: the next object starts here
            else:
                state = self._inside(pending, line, number)
                if state == "closed":
                    self._close()
                if state is not None:
                    return events
        self._tokens(line, number)
        return events

    def _inside(self, pending: _PendingObject, line: bytes, number: int
                ) -> Literal["open", "closed"] | None:
        """A line of an open object, taken whole: its strings removed, only its brackets are
        counted (the common case, at C speed). ``None`` when the line needs the token scan: a
        string left open, or more after the object closes."""
        bare = _STRING.sub(b"", line) if b'"' in line else line
        if b'"' in bare:
            return None
        level = self.depth
        for bracket in _BRACKET.finditer(bare):
            level += 1 if bracket.group() in b"[{" else -1
            if level <= 0:
                if bare[bracket.end():].strip(_WHITESPACE):
                    return None
                pending.add(line, number)
                return "closed"
        self.depth = level
        pending.add(line, number)
        return "open"

    def _tokens(self, line: bytes, number: int) -> None:
        start = 0
        in_string = False
        for match in _TOKENS.finditer(line):
            token = match.group()
            if in_string:
                in_string = token != b'"'
                continue
            if self.pending is None:
                gap = line[start:match.start()].strip(_WHITESPACE)
                if gap:  # text outside any object: a record of its own, which fails to parse
                    self.events.append(RawRecord(number, gap))
                self.pending = _PendingObject(number)
                start = match.start()
            if token == b'"':
                in_string = True
            elif token in (b"{", b"["):
                self.depth += 1
            elif token in (b"}", b"]"):
                self.depth -= 1
                if self.depth <= 0:
                    self.pending.add(line[start:match.end()], number)
                    self._close()
                    start = match.end()
        rest = line[start:]
        if self.pending is not None:
            self.pending.add(rest, number)
            if self.depth == 0:  # a top-level string: a value that ends with its line
                self._close()
        elif rest.strip(_WHITESPACE):
            self.events.append(RawRecord(number, rest.strip(_WHITESPACE)))

    def _close(self) -> None:
        pending = self.pending
        self.pending, self.depth = None, 0
        if pending is None:
            return
        event = pending.event()
        if event is not None and not self.reported and pending.last > pending.line:
            self.reported = True
            self.events.append(LineFinding("F011", CONCATENATED_MESSAGE, pending.line))
        if event is not None:
            self.events.append(event)

    def finish(self) -> list[Event]:
        """The object still open at the end of the file: truncated, the record check says
        where it breaks."""
        self.events.clear()
        if self.pending is not None:
            event = self.pending.event()
            self.pending = None
            if event is not None:
                self.events.append(event)
        return self.events


def text_record(line: bytes) -> bytes:
    """A plain-text document as the bytes of a ``text`` record.

    A line that is not UTF-8 is passed on as it is, so that the record check reports F001 at
    the line's own byte.

    >>> text_record(b"Hello")
    b'{"text":"Hello"}'
    """
    try:
        return orjson.dumps({"text": line.decode("utf-8")})
    except UnicodeDecodeError:
        return line


def iter_text(stream: BinaryIO) -> Iterator[Event]:
    """A plain-text corpus: each non-blank line is one ``text`` record at its physical line.

    Blank lines separate documents and are not records (no F004: they are part of the format).
    The line end (LF or CRLF) is not part of the document; other surrounding whitespace is,
    and Q001 reports it. A leading byte-order mark is F005.
    """
    for event in iter_jsonl(stream):
        if isinstance(event, RawRecord):
            yield RawRecord(event.line, text_record(event.data))
        elif event.code != "F004":
            yield event


LAYOUT_READERS.update({"jsonl": iter_jsonl, "json": iter_json_document,
                       "concatenated": iter_concatenated, "text": iter_text})


# -- byte ranges ------------------------------------------------------------------------------


#: What :meth:`FileEvents.look_ahead` holds at most: the events read ahead are kept until
#: they are read again, so a file whose first records are huge or not JSON objects is told
#: from fewer records rather than held whole.
LOOK_AHEAD_BYTES = 64 << 20
LOOK_AHEAD_EVENTS = 100_000


class FileEvents(Iterator[Event]):
    """The events of one file, as :func:`read_events` returns them: the file is opened once
    (on :meth:`open`, or the first ``next``) and each of its bytes read once.

    Format detection looks at the first records through :meth:`look_ahead`; iteration then
    gives those events again before reading on. A caller about to hand the records to worker
    processes can instead let the workers read byte ranges of a plain JSON Lines file
    themselves (:meth:`ranges`, :func:`read_range`) rather than reading every byte here.
    """

    def __init__(self, path: str | os.PathLike[str], *, digests: bool = False) -> None:
        self.path = path
        #: Whether the records' digests are wanted (workers reading ranges compute them).
        self.digests = digests
        #: Whether the file is gzip (its size after decompression is unknown).
        self.compressed = False
        self.layout: Layout | None = None
        self._head: bytes | None = None
        self._stream: BinaryIO | None = None
        self._events: Generator[Event, None, None] | None = None
        self._ahead: collections.deque[Event] = collections.deque()
        self._held = 0
        self._exhausted = False
        self._taken = False

    def open(self) -> bytes:
        """Open the file, if not yet, and read its first :data:`HEAD_BYTES` (the layout is
        chosen from them); :class:`InputError` when it cannot be read."""
        if self._head is None:
            stream = open_binary(self.path)
            try:
                head = head_of(stream)
                self.compressed = isinstance(stream, gzip.GzipFile)
                if self.compressed or not stream.seekable():
                    stream = io.BufferedReader(_Prefixed(head, stream),
                                               CHUNK_SIZE)
                else:
                    stream.seek(0)  # a plain file: its head is still in the buffer
            except (OSError, EOFError, zlib.error) as error:
                stream.close()
                raise InputError(f"{os.fspath(self.path)}: cannot read ({error})") from None
            self._head, self._stream = head, stream
            self.layout = choose_layout(self.path, head)
            self._events = _stream_events(stream, self.layout)
        return self._head

    @property
    def started(self) -> bool:
        """Whether reading has begun (the ranges then no longer describe what is left)."""
        return self._taken

    def __iter__(self) -> FileEvents:
        return self

    def __next__(self) -> Event:
        if self._ahead:
            self._taken = True
            return self._ahead.popleft()
        if self._events is None:
            self.open()
            assert self._events is not None
        self._taken = True
        return next(self._events)

    def _read_ahead(self) -> Event | None:
        if self._events is None:
            self.open()
            assert self._events is not None
        if self._exhausted:
            return None
        try:
            event = next(self._events)
        except StopIteration:
            self._exhausted = True
            return None
        self._ahead.append(event)
        self._held += 64 + (len(event.data) if isinstance(event, RawRecord) else 0)
        return event

    def look_ahead(self) -> Iterator[Event]:
        """The first events, read ahead and kept, so that iteration gives them again: format
        detection sees the first records without a second read of the file. It stops at
        :data:`LOOK_AHEAD_BYTES` or :data:`LOOK_AHEAD_EVENTS` held."""
        if self._taken:
            raise RuntimeError("the events are being read already")
        yield from list(self._ahead)
        while self._held < LOOK_AHEAD_BYTES and len(self._ahead) < LOOK_AHEAD_EVENTS:
            event = self._read_ahead()
            if event is None:
                return
            yield event

    def ranges(self, size: int) -> tuple[list[Event], int, list[tuple[int, int]]] | None:
        """For workers that read byte ranges themselves: the events read ahead, the lines
        they span, and byte ranges of about ``size`` bytes that cut the rest of a plain JSON
        Lines file at line starts. This object is then done with (closed).

        ``None`` when the file must be read as one stream: gzip, another layout, a pipe,
        reading begun, or a read error (the stream reader then reports it). A range never
        starts with a line that begins with a byte-order mark, so only the file's first line
        can be F005.
        """
        if self._taken:
            return None
        try:
            self.open()
        except InputError:
            return None
        stream = self._stream
        assert stream is not None and self._events is not None
        if self.compressed or self.layout != "jsonl" or (
                not self._exhausted and not stream.seekable()):
            return None
        ranges: list[tuple[int, int]] = []
        try:
            while not self._exhausted and \
                    os.pread(stream.fileno(), len(BOM), stream.tell()) == BOM:
                self._read_ahead()  # a range must not start with a byte-order mark
            # F005 comes before the record of its line, which the reader has already read:
            # take that record too, or the ranges, which start after the line, would lose it.
            while not self._exhausted and self._ahead and isinstance(
                    self._ahead[-1], LineFinding) and self._ahead[-1].code == "F005":
                self._read_ahead()
            if any(isinstance(event, LineFinding) and event.line is None
                   for event in self._ahead):
                return None  # a read error: the stream reader reports it
            # Read to its end already (a small file), the file has no range left.
            total = 0 if self._exhausted else os.fstat(stream.fileno()).st_size
            start = total if self._exhausted else stream.tell()
            while start < total:
                end = _line_start(stream, start + max(size, 1), total)
                ranges.append((start, end))
                start = end
        except OSError:
            return None
        lines = max((event.line + (event.count - 1 if isinstance(event, LineFinding) else 0)
                     for event in self._ahead if event.line is not None), default=0)
        ahead = list(self._ahead)
        self._ahead.clear()
        self._taken = True
        self.close()
        return ahead, lines, ranges

    def close(self) -> None:
        """Stop reading and close the file now rather than when the iterator is collected."""
        if self._events is not None:
            self._events.close()
        elif self._stream is not None:
            self._stream.close()


#: How far the search for a line start reads at a time.
_SEEK_BLOCK = 1 << 16


def _line_start(stream: BinaryIO, position: int, total: int) -> int:
    """The first line start at or after ``position`` that does not begin with a BOM."""
    while position < total:
        stream.seek(position - 1)
        offset = position - 1
        while True:
            block = stream.read(_SEEK_BLOCK)
            if not block:
                return total
            found = block.find(b"\n")
            if found >= 0:
                break
            offset += len(block)
        position = offset + found + 1
        if position >= total:
            return total
        stream.seek(position)
        if stream.read(len(BOM)) != BOM:
            return position
        position += 1
    return total


class _Bounded(io.RawIOBase):
    """At most ``limit`` bytes of a raw file, from its current position."""

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        self.raw = raw
        self.left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.left <= 0:
            return 0
        view = memoryview(buffer)
        count = self.raw.readinto(view[:min(len(view), self.left)])  # type: ignore[attr-defined]
        self.left -= count or 0
        return count or 0


def read_range(path: str | os.PathLike[str], start: int, end: int) -> Iterator[Event]:
    """The events of the lines in ``[start, end)`` of a plain JSON Lines file, exactly as the
    stream reader gives them, with lines numbered from 1 at ``start``.

    A read error ends the range with an F002 whose ``line`` is ``None``.
    """
    with open(path, "rb", buffering=0) as raw:
        yield from range_events(raw, start, end)


def range_events(raw: BinaryIO, start: int, end: int) -> Iterator[Event]:
    """:func:`read_range` from a file already open (unbuffered): a worker opens the file once
    and reads all its ranges through it."""
    try:
        raw.seek(start)
        stream = io.BufferedReader(_Bounded(raw, end - start), CHUNK_SIZE)
        yield from iter_jsonl(stream)
    except OSError as error:
        yield LineFinding("F002", f"the file cannot be read to the end: {error}", None)
