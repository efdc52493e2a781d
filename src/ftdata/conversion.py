"""Convert any supported input into one format's JSONL, never dropping a record silently.

``convert`` reads the input as a stream of records (:mod:`ftdata.sources`), writes each with the
target format's writer (:attr:`ftdata.formats.Format.write`) and returns the summary of SPEC §5:
``{"input", "output", "from", "to", "read", "written", "skipped": [{"line", "reason"}]}``, with
``read == written + len(skipped)``. A record that cannot be converted (an empty answer, no
assistant turn, an unknown speaker or role, something the target format cannot express) is
skipped with its location and the reason.

The output is written through :func:`ftdata.outputs.atomic_output`: a temporary file in its
directory, synced and renamed over the output only when everything went well, so a failure
leaves no temporary file and an existing output as it was. The output may not be the input, nor
a link to it. A name ending in ``.gz`` is written gzip-compressed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from ftdata.diagnostics import printable, redact_quoted
from ftdata.formats import Format, Unrepresentable, get_format
from ftdata.formats._reasoning import REASONING_MODES, ReasoningMode, place_reasoning
from ftdata.model import Example, Message
from ftdata.outputs import atomic_output, refuse_overwriting_inputs
from ftdata.readers import (
    BOM,
    TEXT_SUFFIXES,
    FileEvents,
    InputError,
    choose_layout,
    file_size,
    logical_name,
    read_events,
)
from ftdata.shapes import check_shape
from ftdata.sources import (
    Item,
    Skip,
    SourceError,
    SourceOptions,
    json_records,
    message,
    read_items,
    source_kinds,
    unknown_role,
)
from ftdata.wording import plural

#: How many records detection looks at.
DETECTION_SAMPLE = 100
#: Extension (after any ``.gz``) -> input kind.
EXTENSION_KINDS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx",
                   ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
JSON_EXTENSIONS = (".json", ".jsonl", ".ndjson")
TEXT_EXTENSIONS = (".txt", ".text", ".log")
#: File signatures -> input kind.
MAGIC_KINDS = {b"PK\x03\x04": "xlsx", b"PAR1": "parquet"}
#: Records between two progress updates.
PROGRESS_EVERY = 1000

Summary = dict[str, Any]


class ConvertError(ValueError):
    """The conversion cannot start: the target format has no writer."""


class SkippedRecords(Exception):
    """Raised by ``convert(..., strict=True)`` when a record was skipped.

    The output has been written all the same; ``summary`` is what ``convert`` would return.
    """

    def __init__(self, summary: Summary) -> None:
        skipped = summary["skipped"]
        first = skipped[0]
        where = f"line {first['line']}: " if first["line"] is not None else ""
        super().__init__(f"{len(skipped)} of {summary['read']} records skipped (first: "
                         f"{where}{first['reason']})")
        self.summary = summary


class NothingWritten(Exception):
    """Raised by ``convert(..., allow_empty=False)`` when no record could be converted.

    No output is written then (an output from an earlier run is left as it was);
    ``summary`` is what ``convert`` would have returned.
    """

    def __init__(self, summary: Summary) -> None:
        super().__init__(f"no record could be converted "
                         f"({plural(summary['read'], 'record')} read)")
        self.summary = summary


class SkippedRecordWarning(UserWarning):
    """Issued by :func:`read` for a record it leaves out, when no ``on_skip`` is given."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def caller_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn`, called from the function that warns, that
    names the first frame outside ftdata: the caller's line, however many of ftdata's own
    functions (``ftdata.to_hf_dataset`` wraps its integration's) stand between."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


# -- detection -----------------------------------------------------------------------------


def detect_kind(path: str | os.PathLike[str], events: FileEvents | None = None) -> str:
    """The ``--from`` kind of a file, from its extension, then its content.

    ``events``, when given, is the file opened for reading: its content is looked at through
    it (the records read ahead are read again from it), so the file is opened once.

    >>> detect_kind("faq.csv")
    'csv'

    Raises :class:`ftdata.readers.InputError` when the file cannot be read and
    :class:`ftdata.sources.SourceError` when its kind cannot be told.
    """
    name = logical_name(path).lower()
    extension = os.path.splitext(name)[1]
    if extension in EXTENSION_KINDS:
        return EXTENSION_KINDS[extension]
    file_size(path)
    if events is None:
        events = read_events(path)
        try:
            return detect_kind(path, events)
        finally:
            events.close()
    head = events.open()
    for magic, kind in MAGIC_KINDS.items():
        if head.startswith(magic):
            return kind
    from ftdata.sources import transcript, whatsapp

    text = head.decode("utf-8", errors="replace")
    if extension not in JSON_EXTENSIONS and whatsapp.looks_like(text):
        return "whatsapp"  # before JSON: iOS lines start with "["
    if extension in JSON_EXTENSIONS or (extension not in TEXT_EXTENSIONS and head.lstrip(
            BOM).lstrip()[:1] in (b"{", b"[")):
        return _detect_json_kind(path, events)
    if transcript.looks_like(text):
        return "transcript"
    if extension in TEXT_SUFFIXES:
        # A plain-text corpus, one document a line; a JSON Lines file under a .txt name is
        # read as the readers read it.
        return ("text" if choose_layout(path, head) == "text"
                else _detect_json_kind(path, events))
    raise SourceError(f"{os.fspath(path)}: cannot tell what kind of input this is; pass "
                      f"--from ({', '.join(source_kinds())})")


def _lacks_keys(fmt: Format, record: dict[str, Any]) -> bool:
    return any(finding.code == "S001" for finding in check_shape(fmt.shape, record))


def _detect_json_kind(path: str | os.PathLike[str], events: FileEvents) -> str:
    from ftdata.engine import detect_format
    from ftdata.sources import chatgpt_export, cohere_chat, qa

    samples = [record for _, record in itertools.islice(json_records(events.look_ahead()),
                                                         DETECTION_SAMPLE)
               if not isinstance(record, Skip)]
    if not samples:
        raise SourceError(f"{os.fspath(path)}: no JSON records to tell the input kind from; "
                          f"pass --from")
    half = (len(samples) + 1) // 2
    for kind, looks_like in (("chatgpt-export", chatgpt_export.looks_like),
                             ("cohere-chat", cohere_chat.looks_like)):
        if sum(1 for record in samples if looks_like(record)) >= half:
            return kind
    detection = detect_format(samples)
    fmt = detection.format
    # A record the format claims but lacks keys of (torchtune's instruction/response is no
    # Alpaca record) does not count for it; a format whose records hold no answer (a prompt
    # with reward columns) yields to a Q&A reading that finds one in every record.
    fits = sum(1 for record in samples if fmt is not None and fmt.matches(record)
               and not _lacks_keys(fmt, record))
    questions = sum(1 for record in samples if qa.looks_like(record))
    if fmt is not None and fits >= questions and not (
            fmt.ends_with_user and all(qa.reads(record) for record in samples)):
        return fmt.id
    if questions >= half:
        return "qa"
    if detection.format is not None:
        return detection.format.id
    keys = ", ".join(sorted({key for record in samples[:10] for key in record})[:12])
    raise SourceError(f"{os.fspath(path)}: no known input has these keys ({keys}); pass "
                      f"--from, or --from qa with --map KEY=FIELD")


# -- records -------------------------------------------------------------------------------


def add_system(example: Example, text: str) -> Example:
    """Give an example a leading system message unless it has one (text examples have none).

    >>> add_system(Example(kind="completion"), "Be brief.").kind
    'chat'
    """
    if example.kind == "text" or example.system is not None:
        return example
    example.messages.insert(0, message("system", text))
    if example.kind == "completion":
        example.kind = "chat"
    return example


def _answered(item: Message) -> bool:
    if item.tool_calls:
        return True
    return any(part.type != "text" or (part.text or "").strip() for part in item.content or ())


def _where(item: Message) -> str:
    return f" (at {item.pointer})" if item.pointer else ""


def conversion_problem(example: Example, target: Format) -> str | None:
    """Why an example cannot be converted whatever the target's writer says, if it cannot.

    >>> from ftdata.sources import message
    >>> conversion_problem(Example(kind="chat", messages=[message("user", "Hi")]),
    ...                    get_format("openai-chat"))
    'no assistant turn'
    """
    role = unknown_role(example)
    if role is not None:
        return (f"unknown role {role!r} (map it with --roles "
                f"'{role}=user|assistant|system')")
    if example.kind == "text":
        return None if (example.text or "").strip() else "empty text"
    if example.kind == "preference":
        for side, answers in (("chosen", example.chosen), ("rejected", example.rejected)):
            if not answers or not any(_answered(answer) for answer in answers):
                return f"empty {side} answer"
        return None
    answers = [item for item in example.messages if item.role == "assistant"]
    if not answers:
        return None if target.ends_with_user else "no assistant turn"
    for answer in answers:
        if not _answered(answer):
            return f"empty answer{_where(answer)}"
    return None


def encode(example: Example, target: Format,
           write: Callable[[Example], dict[str, Any]]) -> bytes | Skip:
    """One output line for an example, or why it cannot be written.

    >>> encode(Example(kind="chat"), get_format("openai-chat"), lambda e: {"x": 1})
    Skip(reason='no assistant turn')
    """
    problem = conversion_problem(example, target)
    if problem is not None:
        return Skip(problem)
    try:
        record = write(example)
    except Unrepresentable as error:
        return Skip(error.reason)
    try:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError as error:
        return Skip(f"cannot be written as JSON: {error}")


def _placed_encode(example: Example, target: Format, write: Callable[[Example], dict[str, Any]],
                   reasoning: ReasoningMode | None) -> tuple[bytes | Skip, int]:
    """:func:`encode` after ``--reasoning`` has placed the traces; the traces dropped."""
    if reasoning is None or not example.has_reasoning:
        return encode(example, target, write), 0
    try:
        example, dropped = place_reasoning(example, target, reasoning)
    except Unrepresentable as error:
        return Skip(error.reason), 0
    return encode(example, target, write), dropped


# -- progress ------------------------------------------------------------------------------


@contextlib.contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int], None]]:
    """A progress display on stderr, shown only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda count: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # The total is unknown until the input ends, so the bar pulses and the count grows.
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed:,} records"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as display:
        task = display.add_task(label, total=None)
        yield lambda count: display.update(task, completed=count)


# -- API -----------------------------------------------------------------------------------


def _options(mapping: Mapping[str, str] | None, roles: Mapping[str, str] | None
             ) -> SourceOptions:
    return SourceOptions(mapping=dict(mapping or {}), roles=dict(roles or {}))


def convert(input: str | os.PathLike[str], output: str | os.PathLike[str], *, to: str,
            from_: str | None = None, mapping: Mapping[str, str] | None = None,
            roles: Mapping[str, str] | None = None, system: str | None = None,
            reasoning: ReasoningMode | None = None, strict: bool = False,
            progress: bool = False, allow_empty: bool = True) -> Summary:
    """Convert ``input`` into ``output``, one ``to`` record per line; return the summary.

    >>> convert("faq.csv", "train.jsonl", to="openai-chat")  # doctest: +SKIP
    {'input': 'faq.csv', 'output': 'train.jsonl', 'from': 'csv', 'to': 'openai-chat',
     'read': 3, 'written': 2, 'skipped': [{'line': 1, 'reason': 'empty answer'}]}

    ``from_`` is a format id or a source kind (detected when omitted); ``mapping`` is
    ``--map`` (column or key -> field), ``roles`` is ``--roles`` (speaker or role -> system,
    user or assistant); ``system`` is added to every example that has no system message.
    ``reasoning`` is ``--reasoning``: where reasoning traces go, ``think-tags`` (a ``<think>``
    block at the start of the content), ``field`` (the target format's field; a record is
    skipped when it has none) or ``drop`` (removed, and counted in the summary's
    ``reasoning_dropped``). Without it a trace goes back where it was read from, and a record
    whose trace has no place in the target format is skipped with the reason.
    With ``strict``, :class:`SkippedRecords` is raised after writing when a record was skipped.
    A skip of what could not be read at all (:func:`unreadable`: a line that is not JSON, a
    record over the size limit, the end of a truncated gzip) means the output lacks part of
    the input whatever ``strict`` says (``ftdata convert`` exits 1).
    Without ``allow_empty``, :class:`NothingWritten` is raised when no record was written, and
    no output is written (``ftdata convert`` does this unless ``--allow-empty``).
    ``progress`` shows a progress display on stderr when it is a terminal.

    Raises :class:`ftdata.readers.InputError` when the input cannot be read,
    :class:`ftdata.outputs.OutputError` when the output cannot be written there (it is the
    input, or a link to it), :class:`ConvertError` or :class:`ftdata.sources.SourceError`
    (both ``ValueError``) for a conversion that cannot start, ``ValueError`` for an unknown
    format.
    """
    target = get_format(to)
    write = target.write
    if write is None:
        raise ConvertError(f"writing {to} is not supported yet")
    if reasoning is not None and reasoning not in REASONING_MODES:
        raise ValueError(f"unknown reasoning placement {reasoning!r} "
                         f"(known: {', '.join(REASONING_MODES)})")
    file_size(input)
    refuse_overwriting_inputs(output, [input])
    items = _detected_items(input, from_, _options(mapping, roles))
    kind = items.kind
    summary: Summary = {"input": os.fspath(input), "output": os.fspath(output), "from": kind,
                        "to": to, "read": 0, "written": 0, "skipped": []}
    skipped: list[dict[str, Any]] = summary["skipped"]
    read = written = dropped = 0
    label = f"{os.path.basename(os.fspath(input))} -> {to}"
    with atomic_output(output, inputs=[input]) as stream, _progress(progress, label) as tick:
        for location, item in items:
            read += 1
            traces = 0
            if isinstance(item, Example):
                if system:
                    add_system(item, system)
                outcome, traces = _placed_encode(item, target, write, reasoning)
            else:
                outcome = item
            if isinstance(outcome, Skip):
                skipped.append({"line": location, "reason": _one_line(outcome.reason)})
            else:
                stream.write(outcome)
                written += 1
                dropped += traces
            if read % PROGRESS_EVERY == 0:
                tick(read)
        summary["read"], summary["written"] = read, written
        if reasoning == "drop":
            summary["reasoning_dropped"] = dropped
        if not written and not allow_empty:
            raise NothingWritten(summary)  # inside the block: the output is not written
    if strict and skipped:
        raise SkippedRecords(summary)
    return summary


#: The codes of a skip whose record could not be read at all (not UTF-8, not JSON, over the
#: size limit, or the unreadable end of a file), as :func:`ftdata.sources.json_records` words
#: them: input lost to damage, not a record read whole that cannot be converted.
UNREADABLE_CODES = ("F001", "F002", "F012")


def unreadable(summary: Summary) -> int:
    """How many of a summary's skips are of input that could not be read (a truncated gzip, a
    cut last line, an unclosed array): :data:`UNREADABLE_CODES`.

    >>> unreadable({"skipped": [{"line": 3, "reason": "empty answer"},
    ...                         {"line": 9, "reason": "F002 invalid JSON: ..."}]})
    1
    """
    return sum(1 for entry in summary["skipped"]
               if entry["reason"].split(" ", 1)[0] in UNREADABLE_CODES)


def read(path: str | os.PathLike[str], *, from_: str | None = None,
         mapping: Mapping[str, str] | None = None, roles: Mapping[str, str] | None = None,
         system: str | None = None,
         on_skip: Callable[[int | None, str], None] | None = None) -> Iterator[Example]:
    """The canonical examples of any supported input, in order, streamed.

    >>> for example in read("chat.txt", from_="transcript"):  # doctest: +SKIP
    ...     print(example.messages[-1].text)

    A record that cannot be read is passed to ``on_skip(location, reason)``; without it, a
    :class:`SkippedRecordWarning` says where and why. Options are those of :func:`convert`.
    """
    file_size(path)
    items = _detected_items(path, from_, _options(mapping, roles))
    return _examples(items, os.fspath(path), system, on_skip)


def _one_line(reason: str) -> str:
    """A skip reason fit for one line of a report: it may quote the data (a speaker, a tool
    name) with line breaks, lone surrogate escapes or a secret in it."""
    return redact_quoted(printable(reason)).replace("\r", "\\r").replace("\n", "\\n")


class _Items(Iterator[Item]):
    """The items of an input with the kind they were read as."""

    def __init__(self, kind: str, items: Iterator[Item]) -> None:
        self.kind = kind
        self.items = items

    def __next__(self) -> Item:
        return next(self.items)


def _detected_items(path: str | os.PathLike[str], kind: str | None, options: SourceOptions
                    ) -> _Items:
    """The items of ``path`` read as ``kind``, detected when ``None``. A file whose content
    tells its kind is opened once: detection and reading share it."""
    if kind is not None or os.path.splitext(logical_name(path).lower())[1] in EXTENSION_KINDS:
        kind = kind or detect_kind(path)
        return _Items(kind, _read_items(path, kind, options))
    events = read_events(path)
    try:
        kind = detect_kind(path, events)
        return _Items(kind, _read_items(path, kind, options, events))
    except BaseException:
        events.close()
        raise


def _read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions,
                events: FileEvents | None = None) -> Iterator[Item]:
    """:func:`read_items`, with a read failure (a corrupt or truncated gzip) as InputError."""
    try:
        items = read_items(path, kind, options, events)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{os.fspath(path)}: cannot read ({error})") from None
    return _guarded(items, path)


def _guarded(items: Iterator[Item], path: str | os.PathLike[str]) -> Iterator[Item]:
    """``items``, with a read failure part-way (a corrupt or truncated gzip) as an InputError.

    EOFError is not an OSError, and left alone it would read as an interrupt to the CLI.
    """
    try:
        yield from items
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{os.fspath(path)}: cannot read ({error})") from None


def _examples(items: Iterator[Item], name: str, system: str | None,
              on_skip: Callable[[int | None, str], None] | None) -> Iterator[Example]:
    for location, item in items:
        if isinstance(item, Skip):
            if on_skip is not None:
                on_skip(location, item.reason)
            else:
                where = f"{name}:{location}" if location is not None else name
                warnings.warn(f"{where}: skipped: {item.reason}", SkippedRecordWarning,
                              stacklevel=caller_stacklevel())
            continue
        yield add_system(item, system) if system else item


__all__ = ["ConvertError", "SkippedRecordWarning", "SkippedRecords", "convert", "detect_kind",
           "read"]
