"""What the integrations share: tables held in memory read as examples, and files read as rows.

A DataFrame or a Hugging Face dataset is read in one of three ways, chosen from its columns:

* **a record column**: a column named ``record`` (or mapped with ``mapping={COL: "record"}``)
  whose cells are records of a format, as dicts or JSON text;
* **rows that are records**: columns named as a format's keys holding lists or objects
  (``messages``, ``conversations``, ``prompt``/``chosen``/``rejected`` as message lists, ...),
  or a ``text`` column; columns the format does not know are left out;
* **a table**: question/answer-like columns, or one row per chat turn, read exactly as
  ``ftdata convert`` reads a CSV file (the same header synonyms and ``--map`` fields).

Every row becomes an example or a skip with its 1-based row number, so
``read == written + len(skipped)`` holds for the writers here as for ``convert``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ftdata.formats import Format, get_format
from ftdata.model import Example, Message
from ftdata.outputs import atomic_output
from ftdata.sources import (
    Item,
    RoleMap,
    Skip,
    SourceError,
    SourceOptions,
    json_kind,
    remap_roles,
    shape_skip,
)

#: The ``mapping`` field naming a column whose cells are whole records.
RECORD = "record"
#: Rows looked at to choose how a table in memory is read, and to detect a format.
SAMPLE_ROWS = 100

Summary = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Verbatim:
    """A record already in the output format, written as it is once it is known convertible
    (so a DataFrame read from a file writes that file's records back unchanged)."""

    example: Example
    record: dict[str, Any]


#: A row's location and what it gives: an example, a record to keep, or why there is none.
RowItem = tuple[int | None, Example | Skip | Verbatim]


# -- plain values ---------------------------------------------------------------------------


def missing(value: Any) -> bool:
    """True for the ways a table in memory says "no value": None, NaN, ``pd.NA``, ``NaT``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def plain(value: Any, *, drop_none: bool = False) -> Any:
    """A cell as plain Python: numpy arrays and scalars, pandas and Arrow values unwrapped.

    With ``drop_none``, object keys whose value is missing are left out: Arrow gives every
    struct all the keys seen in its column, so a null there stands for a key the record did
    not have.

    >>> plain({"a": (1, 2), "b": None}, drop_none=True)
    {'a': [1, 2]}
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Mapping):
        items = ((str(key), plain(item, drop_none=drop_none)) for key, item in value.items())
        return {key: item for key, item in items if not (drop_none and item is None)}
    if isinstance(value, (list, tuple)):
        return [plain(item, drop_none=drop_none) for item in value]
    if missing(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return plain(tolist(), drop_none=drop_none)
    return value


# -- tables in memory -----------------------------------------------------------------------


@dataclass
class Frame:
    """A table held in memory: column names and a way to read its rows afresh, in order.

    ``label(row)`` is what the caller uses to find the 1-based ``row`` again (a DataFrame's
    index label, a dataset's position). ``sparse`` says nulls inside objects stand for missing
    keys (Arrow-backed data).
    """

    columns: list[str]
    rows: Callable[[], Iterator[Sequence[Any]]]
    label: Callable[[int], Any]
    sparse: bool = False


def frame_items(frame: Frame, *, format: str | None = None,
                mapping: Mapping[str, str] | None = None,
                roles: Mapping[str, str] | None = None,
                keep: str | None = None) -> tuple[str, Iterator[RowItem]]:
    """How ``frame`` is read (a format id or ``table``) and its items, by 1-based row.

    Records of format ``keep`` come as :class:`Verbatim` items. Raises
    :class:`ftdata.sources.SourceError` when the columns say nothing usable.
    """
    mapping = dict(mapping or {})
    roles = dict(roles or {})
    record_columns = [column for column, name in mapping.items() if name == RECORD]
    if record_columns:
        if len(mapping) > 1:
            raise SourceError(f"mapping: column {record_columns[0]!r} holds whole records; "
                              f"map no other column")
        return _record_column_items(frame, _column(frame, record_columns[0]), format, roles,
                                    keep)
    options = SourceOptions(mapping=mapping, roles=roles)
    if mapping:
        if format is not None:
            raise SourceError("mapping names table columns; it does not apply with format=")
        return "table", _table_items(frame, options)
    if next(iter(frame.rows()), None) is None:
        # No row (a filter kept none): nothing to read, whatever the columns are.
        return "table", iter(())
    if RECORD in frame.columns:
        return _record_column_items(frame, frame.columns.index(RECORD), format, roles, keep)
    if format is not None:
        return _row_record_items(frame, get_format(format), roles, keep)
    sample = [_row_record(frame, row) for row in itertools.islice(frame.rows(), SAMPLE_ROWS)]
    if any(isinstance(value, (list, dict)) for row in sample for value in row.values()):
        found = _detect(sample, frame)
        assert found is not None
        return _row_record_items(frame, found, roles, keep)
    try:
        return "table", _table_items(frame, options)
    except SourceError:
        fmt = _detect(sample, frame, required=False)
        if fmt is None:
            raise
        return _row_record_items(frame, fmt, roles, keep)


def _column(frame: Frame, name: str) -> int:
    if name in frame.columns:
        return frame.columns.index(name)
    shown = ", ".join(repr(column) for column in frame.columns)
    raise SourceError(f"mapping: no column {name!r} (the columns are {shown})")


def _detect(sample: Iterable[Mapping[str, Any]], frame: Frame, *,
            required: bool = True) -> Format | None:
    from ftdata.engine import detect_format

    detection = detect_format(sample)
    if detection.format is None and required:
        shown = ", ".join(repr(column) for column in frame.columns)
        raise SourceError(f"cannot tell the format of the rows ({detection.reason}; the "
                          f"columns are {shown}); pass format=, or mapping={{COL: FIELD}}")
    return detection.format


def _table_items(frame: Frame, options: SourceOptions) -> Iterator[Item]:
    from ftdata.sources import tables

    def rows() -> Iterator[Sequence[Any]]:
        return (tuple(plain(cell) for cell in row) for row in frame.rows())

    table = tables.Table(list(frame.columns), len(frame.columns), rows)
    fields = tables.resolve_fields(table.header, table.width, options.mapping)
    return tables.table_items(table, fields, options.roles, roles_apply="roles apply")


# -- records --------------------------------------------------------------------------------


def _row_record(frame: Frame, row: Sequence[Any]) -> dict[str, Any]:
    """A row as a record: its non-missing cells, keyed by column."""
    return {column: plain(cell, drop_none=frame.sparse)
            for column, cell in zip(frame.columns, row, strict=False) if not _absent(cell)}


def _absent(cell: Any) -> bool:
    # Lists and arrays are values even when empty; only scalars can be missing.
    return (not isinstance(cell, (list, tuple, Mapping)) and getattr(cell, "ndim", 0) == 0
            and missing(cell))


def decode_cell(cell: Any, *, sparse: bool = False) -> dict[str, Any] | Skip:
    """A record cell (an object or JSON text) as a dict, or why it is none."""
    from ftdata.parsing import RecordError, decode_record

    if isinstance(cell, Mapping):
        return plain(cell, drop_none=sparse)  # type: ignore[no-any-return]
    if isinstance(cell, (str, bytes)):
        data = cell.encode("utf-8", "surrogatepass") if isinstance(cell, str) else cell
        try:
            value = decode_record(data)
        except RecordError as error:
            return Skip(f"{error.finding.code} {error.finding.message}")
    elif _absent(cell):
        return Skip("no record (the cell is empty)")
    else:
        value = plain(cell)
    if not isinstance(value, dict):
        return Skip(f"F003 the record is {json_kind(value)}, not a JSON object")
    return value


def _record_column_items(frame: Frame, column: int, format: str | None,
                         roles: Mapping[str, str], keep: str | None
                         ) -> tuple[str, Iterator[RowItem]]:
    def records() -> Iterator[tuple[int | None, dict[str, Any] | Skip]]:
        for number, row in enumerate(frame.rows(), start=1):
            yield number, decode_cell(row[column] if column < len(row) else None,
                                      sparse=frame.sparse)

    if format is not None:
        fmt = get_format(format)
    else:
        sample = [record for _, record in itertools.islice(records(), SAMPLE_ROWS)
                  if not isinstance(record, Skip)]
        found = _detect(sample, frame)
        assert found is not None
        fmt = found
    return fmt.id, format_items(records(), fmt, roles, verbatim=fmt.id == keep)


def _row_record_items(frame: Frame, fmt: Format, roles: Mapping[str, str], keep: str | None
                      ) -> tuple[str, Iterator[RowItem]]:
    def records() -> Iterator[tuple[int | None, dict[str, Any] | Skip]]:
        for number, row in enumerate(frame.rows(), start=1):
            yield number, openai_messages(fmt, project(fmt, _row_record(frame, row)))

    return fmt.id, format_items(records(), fmt, roles, verbatim=fmt.id == keep)


def project(fmt: Format, record: dict[str, Any]) -> dict[str, Any]:
    """The record without the columns its format has no key for (ids, sources, splits)."""
    from ftdata.shapes import Keyed, Obj

    shape = fmt.shape.choose(record) if isinstance(fmt.shape, Keyed) else fmt.shape
    if not isinstance(shape, Obj) or shape.extra is not False:
        return record
    return {key: value for key, value in record.items() if key in shape.fields}


def openai_messages(fmt: Format, record: dict[str, Any]) -> dict[str, Any]:
    """Messages in Hugging Face's chat-template convention spelled as OpenAI's formats need them.

    Tool-call arguments given as objects become JSON text; tool calls without an id get one
    (``call00001``, ...) and tool results without ``tool_call_id`` take the id of the first
    call not yet answered, the pairing by position the convention means.
    """
    messages = record.get("messages")
    if fmt.family != "messages" or not isinstance(messages, list):
        return record
    taken = {call.get("id") for message in messages if isinstance(message, dict)
             for call in _calls(message)}
    fresh = (f"call{n:05d}" for n in itertools.count(1) if f"call{n:05d}" not in taken)
    open_ids: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool":
            answered = message.get("tool_call_id")
            if answered is None and open_ids:
                message["tool_call_id"] = open_ids.pop(0)
            elif answered in open_ids:
                open_ids.remove(answered)
            continue
        if message.get("tool_calls"):
            open_ids = []
        for call in _calls(message):
            function = call.get("function")
            if isinstance(function, dict) and isinstance(function.get("arguments"), dict):
                function["arguments"] = json.dumps(function["arguments"], ensure_ascii=False)
            if "function" in call:
                call.setdefault("type", "function")
                if "id" not in call:
                    call["id"] = next(fresh)
            if isinstance(call.get("id"), str):
                open_ids.append(call["id"])
    return record


def _calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    calls = message.get("tool_calls")
    return [call for call in calls if isinstance(call, dict)] if isinstance(calls, list) else []


def format_items(records: Iterable[tuple[int | None, dict[str, Any] | Skip]], fmt: Format,
                 roles: Mapping[str, str], *, verbatim: bool = False) -> Iterator[RowItem]:
    """Records read with their format's reader; one that does not fit its shape is skipped with
    the first structural finding, as ``ftdata convert`` does. With ``verbatim`` (and no
    ``roles`` to apply), records come with their examples, to be written unchanged."""
    role_map = RoleMap(roles) if roles else None
    for number, record in records:
        if isinstance(record, Skip):
            yield number, record
            continue
        skip = shape_skip(fmt, record)
        if skip is not None:
            yield number, skip
            continue
        example = fmt.read(record)
        if role_map is not None:
            remap_roles(example, role_map)
            yield number, example
        else:
            yield number, Verbatim(example, record) if verbatim else example


# -- writing --------------------------------------------------------------------------------


def write_items(items: Iterable[Item | RowItem], output: str | os.PathLike[str], *, to: str,
                system: str | None, strict: bool, input_name: str, from_kind: str,
                label: Callable[[int], Any]) -> Summary:
    """Write examples as ``to`` records through an atomic output; return the convert summary.

    Each skip carries its 1-based row (``line``), the caller's ``index`` for it and the reason.
    With ``strict``, :class:`ftdata.conversion.SkippedRecords` is raised after writing.
    """
    from ftdata.conversion import (
        ConvertError,
        SkippedRecords,
        add_system,
        conversion_problem,
        encode,
    )

    target = get_format(to)
    write = target.write
    if write is None:
        raise ConvertError(f"writing {to} is not supported yet")
    summary: Summary = {"input": input_name, "output": os.fspath(output), "from": from_kind,
                        "to": to, "read": 0, "written": 0, "skipped": []}
    skipped: list[dict[str, Any]] = summary["skipped"]
    read = written = 0
    with atomic_output(output) as stream:
        for location, item in items:
            read += 1
            outcome: bytes | Skip
            if isinstance(item, Verbatim) and not system:
                outcome = _verbatim_line(item, conversion_problem(item.example, target))
            elif isinstance(item, (Example, Verbatim)):
                example = item.example if isinstance(item, Verbatim) else item
                if system:
                    add_system(example, system)
                outcome = encode(example, target, write)
            else:
                outcome = item
            if isinstance(outcome, Skip):
                index = None if location is None else plain(label(location))
                skipped.append({"line": location, "index": index, "reason": outcome.reason})
            else:
                stream.write(outcome)
                written += 1
    summary["read"], summary["written"] = read, written
    if strict and skipped:
        raise SkippedRecords(summary)
    return summary


def _verbatim_line(item: Verbatim, problem: str | None) -> bytes | Skip:
    if problem is not None:
        return Skip(problem)
    try:
        return orjson.dumps(item.record, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError as error:
        return Skip(f"cannot be written as JSON: {error}")


# -- files as rows ----------------------------------------------------------------------------


def file_records(path: str | os.PathLike[str], format: str | None
                 ) -> tuple[Format, Iterator[tuple[int | None, dict[str, Any] | Skip]]]:
    """A dataset file's format (given or detected) and its records with their lines.

    A line that is no JSON object comes as a :class:`ftdata.sources.Skip` saying why. Raises
    :class:`ftdata.readers.InputError` when the file cannot be read and ``ValueError`` when its
    format cannot be told.
    """
    from ftdata.engine import detect_format, sample_records
    from ftdata.readers import file_size, read_events
    from ftdata.sources import json_records

    file_size(path)
    events = read_events(path)  # opened once: detection looks at the records read ahead
    if format is not None:
        fmt = get_format(format)
    else:
        detection = detect_format(sample_records(events))
        if detection.format is None:
            events.close()
            raise ValueError(f"{os.fspath(path)}: cannot tell the format ({detection.reason}); "
                             f"pass format=, or convert the file first with ftdata.convert")
        fmt = detection.format
    return fmt, json_records(events)


def read_tolerantly(fmt: Format, record: Mapping[str, Any]) -> Example | None:
    """The record's example, or ``None`` when it is too broken to read (validation says why)."""
    try:
        return fmt.read(record)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def message_dicts(messages: Sequence[Message] | None) -> list[dict[str, Any]]:
    """Messages as ``{"role", "content"}`` dicts; content is the text, ``None`` when absent."""
    return [{"role": message.role,
             "content": None if message.content is None else message.text}
            for message in messages or ()]


def line_issues(path: str | os.PathLike[str], fmt: Format, target: str, model: str | None
                ) -> tuple[dict[int, list[str]], list[dict[str, Any]]]:
    """Issue codes by line from a validation run, and as dicts the issues of no record
    (file-level ones, blank lines)."""
    from ftdata.api import validate

    report = validate(path, format=fmt.id, target=target, model=model)
    by_line: dict[int, list[str]] = {}
    file_level: list[dict[str, Any]] = []
    for issue in report.issues:
        if issue.line is None or issue.record is None:
            file_level.append(issue.to_dict())
        else:
            by_line.setdefault(issue.line, []).append(issue.code)
    return by_line, file_level
