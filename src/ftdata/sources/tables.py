"""Tables as converter input: CSV, TSV, XLSX and Parquet, read in chunks.

Two layouts are understood:

* **one row per example**: question/answer (prompt/completion), instruction/input/output,
  prompt/chosen/rejected (preference), prompt/completion/label (KTO), each with an optional
  system column;
* **one row per chat turn**: a conversation id, the speaker's role and the message content, and
  optionally a turn index or timestamp that orders the turns. Rows of one conversation need not
  be adjacent or in order; consecutive turns of one speaker are merged with a newline.

Columns are recognised by their header (:data:`HEADER_SYNONYMS`, compared case-insensitively
with spaces, hyphens and dots read as underscores) or named with ``--map COL=FIELD``, COL a
header or a 0-based column index. When the first row names no known column and does not look
like a header (long cells, several lines, sentences), or ``--map`` uses column indices only, the
table has no header; a header-less table of two columns is question, answer.

Cells are kept byte for byte: CSV cells are read as text (``NA`` stays ``NA``), numbers and
times from XLSX or Parquet are written out (``3``, ``2.5``, ``2024-05-01T10:00:00``). The
location of a record is its 1-based row, the header not counted; a blank row counts as a row but
is no record. pandas, pyarrow and openpyxl are imported only here, when a table is read
(``pip install 'ftdata[tables]'``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import importlib
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ftdata.formats.alpaca import INPUT_SEPARATOR
from ftdata.model import Example
from ftdata.readers import InputError, file_size, logical_name, open_binary
from ftdata.sources import (
    FIELDS,
    SPEAKER_ROLES,
    Item,
    RoleMap,
    Skip,
    SourceError,
    SourceOptions,
    Turn,
    conversation,
    json_kind,
    message,
    unknown_speaker,
)

#: Rows per chunk read from a CSV, TSV or Parquet file.
CHUNK_ROWS = 4096
#: The widest table read: every layout above needs at most a handful of columns, and a wider
#: row (a million columns from a file with no line breaks) would take minutes and gigabytes to
#: parse, so it is refused before pandas sees it.
MAX_COLUMNS = 1024
#: The largest uncompressed part of an ``.xlsx`` (a zip archive) other than its worksheets,
#: which are streamed: openpyxl loads the shared-strings table whole, so a 3 MB zip bomb could
#: otherwise ask for gigabytes. Declared sizes can be trusted: :mod:`zipfile` never
#: decompresses past a member's declared size.
MAX_XLSX_PART_BYTES = 256 << 20
#: A worksheet is streamed, but one row (one cell) is held whole: a worksheet larger than
#: :data:`MAX_XLSX_PART_BYTES` is refused when it compresses more than this (XML of real
#: tables compresses about 10:1; a bomb of one repeated byte about 1000:1).
MAX_XLSX_RATIO = 100

#: Header names recognised without ``--map``, per field.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt", "question", "questions", "instruction", "query", "q", "user",
               "human", "request", "user_message", "user_input"),
    "input": ("input", "context"),
    "completion": ("completion", "answer", "answers", "output", "response", "reply", "a",
                   "assistant", "gpt", "bot", "target", "assistant_message"),
    "system": ("system", "system_prompt", "system_message"),
    "conversation_id": ("conversation_id", "conversation", "conv_id", "dialog_id",
                        "dialogue_id", "thread_id", "thread", "session_id", "session",
                        "chat_id", "ticket_id", "ticket", "case_id"),
    "turn": ("turn", "turn_id", "turn_index", "turn_number", "message_index", "index",
             "position", "seq", "sequence", "order", "timestamp", "time", "datetime",
             "created_at", "sent_at"),
    "role": ("role", "speaker", "author", "sender", "from", "participant", "speaker_role",
             "author_role"),
    "content": ("content", "text", "message", "body", "utterance", "value", "msg",
                "message_text"),
    # response_j/response_k: torchtune's stack_exchange_paired_dataset reads question,
    # response_j (chosen) and response_k (rejected) (pytorch/torchtune, commit bd2a0fc7,
    # torchtune/datasets/_stack_exchange_paired.py lines 115-119).
    "chosen": ("chosen", "preferred", "accepted", "chosen_response", "preferred_output",
               "response_j"),
    "rejected": ("rejected", "non_preferred", "dispreferred", "rejected_response",
                 "non_preferred_output", "response_k"),
    "label": ("label", "kto_label", "kto_tag", "desirable", "is_desirable"),
}

#: Cell values read as a KTO label (compared case-insensitively).
LABELS: dict[str, bool] = {
    **dict.fromkeys(("true", "1", "yes", "y", "good", "desirable", "positive"), True),
    **dict.fromkeys(("false", "0", "no", "n", "bad", "undesirable", "negative"), False),
}

#: File kind -> column separator of text tables.
SEPARATORS = {"csv": ",", "tsv": "\t"}

_SYNONYM_FIELD = {name: fld for fld, names in HEADER_SYNONYMS.items() for name in names}
_TEXT_FIELDS = ("prompt", "input", "completion", "system", "chosen", "rejected")

Layout = Literal["pair", "kto", "preference", "turns"]
Row = Sequence[Any]


def normal_name(name: str) -> str:
    """A header as compared with :data:`HEADER_SYNONYMS`: ``"Conversation ID"`` ->
    ``"conversation_id"``."""
    return re.sub(r"[\s\-./]+", "_", name.strip().casefold()).strip("_")


# -- cells ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str | None:
    """A cell as text (empty for a missing value); ``None`` when it holds no text at all.

    >>> cell_text(3.0), cell_text(2.5), cell_text(None), cell_text(["a"])
    ('3', '2.5', '', None)
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return None


def parse_label(value: Any) -> bool | None:
    """A KTO label from a cell (:data:`LABELS`), ``None`` when it is neither true nor false.

    >>> parse_label("Yes"), parse_label(0), parse_label("maybe")
    (True, False, None)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return LABELS.get(value.strip().casefold())
    return None


def _blank(text: str) -> bool:
    return not text.strip()


# -- columns -------------------------------------------------------------------------------


def resolve_fields(names: Sequence[str] | None, width: int, mapping: Mapping[str, str],
                   *, what: str = "column") -> dict[str, int]:
    """Field -> column position, from ``--map`` first, then the header synonyms.

    ``names`` is the header (``None`` for a header-less table); a ``--map`` column is a header
    name, or a 0-based index below ``width``. Two columns that both look like one field are an
    error: ``--map`` must choose.

    >>> resolve_fields(["ID", "Question", "Answer"], 3, {})
    {'prompt': 1, 'completion': 2}
    >>> resolve_fields(None, 2, {"1": "prompt", "0": "completion"})
    {'prompt': 1, 'completion': 0}
    """
    fields: dict[str, int] = {}
    for column, name in mapping.items():
        index = _find_column(names, width, column, what)
        if name in fields:
            raise SourceError(f"--map: two {what}s map to {name}")
        fields[name] = index
    taken = set(fields.values())
    guessed: dict[str, int] = {}
    for index, header in enumerate(names or ()):
        guess = _SYNONYM_FIELD.get(normal_name(header))
        if index in taken or guess is None or guess in fields:
            continue
        if guess in guessed:
            first = (names or ())[guessed[guess]]
            raise SourceError(f"{what}s {first!r} and {header!r} both look like {guess}; "
                              f"choose one with --map {header}={guess}")
        guessed[guess] = index
    return {**fields, **guessed}


def _find_column(names: Sequence[str] | None, width: int, column: str, what: str) -> int:
    if names is not None:
        if column in names:
            return list(names).index(column)
        folded = [index for index, name in enumerate(names)
                  if normal_name(name) == normal_name(column)]
        if len(folded) == 1:
            return folded[0]
    if column.isdigit() and int(column) < width:
        return int(column)
    shown = _names(names) if names else f"{width} unnamed"
    raise SourceError(f"--map {column}: no {what} {column!r} (the {what}s are {shown})")


def _names(names: Sequence[str], shown: int = 8) -> str:
    """The first column names for a message, each cut short.

    >>> _names(["q", "a" * 50, *"cdefghij"])
    "'q', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...', 'c', 'd', 'e', 'f', 'g', 'h' and 2 more"
    """
    texts = [repr(name if len(name) <= 32 else name[:29] + "...") for name in names[:shown]]
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(texts) + more


def choose_layout(fields: Mapping[str, int], names: Sequence[str] | None, *,
                  what: str = "column") -> Layout:
    """What one row holds, from the fields its columns resolved to.

    >>> choose_layout({"prompt": 0, "completion": 1, "label": 2}, None)
    'kto'
    """
    if "chosen" in fields and "rejected" in fields:
        return "preference"
    if ("prompt" in fields or "input" in fields) and "completion" in fields:
        return "kto" if "label" in fields else "pair"
    if "role" in fields and "content" in fields:
        if "conversation_id" not in fields:
            raise SourceError(f"rows with a role and content need a conversation id {what} "
                              f"(--map COL=conversation_id)")
        return "turns"
    shown = _names(names) if names else "no header"
    placeholder = "KEY" if what == "key" else "COL"
    raise SourceError(f"cannot tell what the {what}s hold ({shown}); name them with "
                      f"--map {placeholder}=FIELD, FIELD one of {', '.join(FIELDS)}")


def row_example(values: Mapping[str, Any], layout: Layout) -> Example | Skip:
    """One example from one row's fields (``pair``, ``kto`` or ``preference`` layout).

    >>> row_example({"prompt": "Hi", "completion": " "}, "pair")
    Skip(reason='empty answer')
    """
    texts: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        if name in values:
            text = cell_text(values[name])
            if text is None:
                return Skip(f"the {name} is {json_kind(values[name])}, not text")
            texts[name] = text
    prompt, extra = texts.get("prompt"), texts.get("input", "")
    if prompt is not None and extra:
        prompt = prompt + INPUT_SEPARATOR + extra if prompt else extra
    elif prompt is None and "input" in texts:
        prompt = extra
    system = texts.get("system", "")
    messages = [message("system", system)] if system else []
    if layout == "preference":
        if prompt is not None:
            if _blank(prompt):
                return Skip("empty prompt")
            messages.append(message("user", prompt))
        for side in ("chosen", "rejected"):
            if _blank(texts[side]):
                return Skip(f"empty {side} answer")
        return Example(kind="preference", messages=messages,
                       chosen=[message("assistant", texts["chosen"])],
                       rejected=[message("assistant", texts["rejected"])])
    if prompt is None or _blank(prompt):
        return Skip("empty prompt")
    if _blank(texts["completion"]):
        return Skip("empty answer")
    example = Example(kind="chat" if system else "completion",
                      messages=[*messages, message("user", prompt),
                                message("assistant", texts["completion"])])
    if layout == "kto":
        label = parse_label(values["label"])
        if label is None:
            return Skip(f"label {cell_text(values['label']) or values['label']!r} is not "
                        f"true or false")
        example.label = label
    return example


# -- reading rows --------------------------------------------------------------------------


@dataclass
class Table:
    """A table's header (``None`` when it has none), width and a way to read its data rows.

    ``rows()`` opens the file afresh on every call and yields ``(row number, cells)``; blank
    rows are counted, not yielded.
    """

    header: list[str] | None
    width: int
    raw_rows: Callable[[], Iterator[Row]] = field(repr=False)
    skip_rows: int = 0

    def rows(self) -> Iterator[tuple[int, Row]]:
        number = -self.skip_rows
        for row in self.raw_rows():
            number += 1
            if number < 1 or all(_empty_cell(cell) for cell in row):
                continue
            yield number, row


def _empty_cell(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise SourceError(f"reading tables needs {package}: pip install 'ftdata[tables]'"
                          ) from None


def _delimiter(path: str | os.PathLike[str], kind: str) -> str:
    """``,`` for CSV unless the first line holds more semicolons than commas (Excel's CSV in
    many locales); a tab for TSV."""
    separator = SEPARATORS[kind]
    if kind != "csv":
        return separator
    with open_binary(path) as stream:
        head = stream.read(1 << 16)
    first = head.split(b"\n", 1)[0]
    return ";" if first.count(b";") > first.count(b",") else separator


def _text_rows(path: str | os.PathLike[str], separator: str) -> Iterator[Row]:
    pandas = _optional("pandas")
    name = os.fspath(path)
    stream = open_binary(path)
    try:
        _check_width(stream, separator, name)
        reader = pandas.read_csv(stream, sep=separator, header=None, dtype=str,
                                 keep_default_na=False, na_filter=False,
                                 skip_blank_lines=False, chunksize=CHUNK_ROWS,
                                 encoding="utf-8")
        with reader:
            for chunk in reader:
                yield from chunk.itertuples(index=False, name=None)
    except pandas.errors.EmptyDataError:
        return
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text ({error.reason} at byte "
                         f"{error.start})") from None
    except pandas.errors.ParserError as error:
        raise InputError(f"{name}: not a well-formed table: {str(error).strip()}") from None
    finally:
        stream.close()


def _check_width(stream: Any, separator: str, name: str) -> None:
    """Refuse a table whose first row has more than :data:`MAX_COLUMNS` cells, reading at most
    a chunk at a time (separators inside quotes are not counted); the stream is rewound."""
    mark = separator.encode()
    cells, quoted = 1, False
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        line = chunk.split(b"\n", 1)[0]
        if b'"' in line:
            for index, part in enumerate(line.split(b'"')):
                if index:
                    quoted = not quoted
                if not quoted:
                    cells += part.count(mark)
        else:
            cells += line.count(mark) if not quoted else 0
        if cells > MAX_COLUMNS:
            raise InputError(f"{name}: the first row has more than {MAX_COLUMNS:,} columns; "
                             f"not a table of examples")
        if len(line) < len(chunk) and not quoted:
            break
    stream.seek(0)


def _check_xlsx_sizes(name: str) -> None:
    """Refuse an ``.xlsx`` whose parts expand past :data:`MAX_XLSX_PART_BYTES` (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(name) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"{name}: not an .xlsx workbook ({error})") from None
    for member in members:
        if member.file_size <= MAX_XLSX_PART_BYTES:
            continue
        sheet = member.filename.startswith("xl/worksheets/")
        if not sheet or member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            raise InputError(f"{name}: {member.filename} expands to "
                             f"{member.file_size / (1 << 20):,.0f} MiB from "
                             f"{member.compress_size / (1 << 20):,.1f} MiB; is it a zip bomb?")


def _xlsx_rows(path: str | os.PathLike[str]) -> Iterator[Row]:
    openpyxl = _optional("openpyxl")
    name = os.fspath(path)
    _check_xlsx_sizes(name)
    try:
        workbook = openpyxl.load_workbook(name, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors
        raise InputError(f"{name}: not an .xlsx workbook ({error})") from None
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # Read-only mode stops at the sheet's <dimension> tag, which some writers leave stale
        # (rows appended afterwards): forget it and read every row there is.
        # https://openpyxl.readthedocs.io/en/stable/optimized.html#worksheet-dimensions
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                raise InputError(f"{name}: a row has more than {MAX_COLUMNS:,} columns; "
                                 f"not a table of examples")
            yield row
    finally:
        workbook.close()


def _parquet_file(path: str | os.PathLike[str]) -> Any:
    parquet = _optional("pyarrow.parquet")
    try:
        return parquet.ParquetFile(os.fspath(path))
    except Exception as error:  # pyarrow.lib.ArrowInvalid and friends
        raise InputError(f"{os.fspath(path)}: not a Parquet file ({error})") from None


def _parquet_rows(path: str | os.PathLike[str]) -> Iterator[Row]:
    with _parquet_file(path) as table:
        for batch in table.iter_batches(batch_size=CHUNK_ROWS):
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _looks_like_header(cells: Row) -> bool:
    texts = [cell_text(cell) for cell in cells]
    names = [text for text in texts if text]
    if not names or len(set(names)) != len(names):
        return False
    return all(len(name) <= 64 and "\n" not in name and name == name.strip()
               and not name.endswith(("?", ".", "!")) for name in names)


def _has_header(first: Row, mapping: Mapping[str, str]) -> bool:
    texts = [cell_text(cell) or "" for cell in first]
    normals = {normal_name(text) for text in texts}
    if any(name in _SYNONYM_FIELD for name in normals):
        return True
    named = [column for column in mapping if not column.isdigit()]
    if any(column in texts or normal_name(column) in normals for column in named):
        return True
    if mapping and not named:
        return False
    return _looks_like_header(first)


def open_table(path: str | os.PathLike[str], kind: str, mapping: Mapping[str, str]) -> Table:
    """The table in a file, its header decided (see the module documentation).

    >>> open_table("faq.csv", "csv", {}).header  # doctest: +SKIP
    ['Question', 'Answer']
    """
    file_size(path)
    if kind == "parquet":
        with _parquet_file(path) as parquet:
            names = list(parquet.schema_arrow.names)
        return Table(names, len(names), lambda: _parquet_rows(path))
    if kind == "xlsx":
        def raw() -> Iterator[Row]:
            return _xlsx_rows(path)
    else:
        separator = _delimiter(path, kind)

        def raw() -> Iterator[Row]:
            return _text_rows(path, separator)
    leading, first = 0, None
    rows = raw()
    try:
        for row in rows:
            if not all(_empty_cell(cell) for cell in row):
                first = row
                break
            leading += 1
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    if first is None:
        return Table(None, 0, raw)
    if _has_header(first, mapping):
        header = [cell_text(cell) or "" for cell in first]
        return Table(header, len(header), raw, skip_rows=leading + 1)
    return Table(None, len(first), raw, skip_rows=0)


# -- items ---------------------------------------------------------------------------------


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    """The examples of a table; raises :class:`SourceError` when its columns are unclear.

    >>> next(read_items("faq.csv", "csv", SourceOptions()))  # doctest: +SKIP
    (1, Example(kind='completion', ...))
    """
    if kind not in ("csv", "tsv", "xlsx", "parquet"):
        raise SourceError(f"{logical_name(path)}: {kind!r} is not a table kind")
    table = open_table(path, kind, options.mapping)
    if table.width == 0:
        return iter(())
    fields = resolve_fields(table.header, table.width, options.mapping)
    if table.header is None and not options.mapping and table.width == 2:
        fields = {"prompt": 0, "completion": 1}
    return table_items(table, fields, options.roles)


def table_items(table: Table, fields: Mapping[str, int], roles: Mapping[str, str],
                *, roles_apply: str = "--roles applies") -> Iterator[Item]:
    """The examples of a table whose columns are resolved (:func:`resolve_fields`): one per
    row, or one per conversation when the rows are chat turns. ``roles`` (speaker -> role)
    only fit chat turns; ``roles_apply`` starts the error that says so.
    """
    layout = choose_layout(fields, table.header)
    if layout == "turns":
        return _turn_items(table, fields, RoleMap(roles, SPEAKER_ROLES))
    if roles:
        raise SourceError(f"{roles_apply} to tables with one row per chat turn")
    return _row_items(table, fields, layout)


def _row_items(table: Table, fields: Mapping[str, int], layout: Layout) -> Iterator[Item]:
    for number, row in table.rows():
        values = {name: row[index] if index < len(row) else None
                  for name, index in fields.items()}
        yield number, row_example(values, layout)


def _cell(row: Row, index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


@dataclass
class _Conversation:
    id: str
    first: int
    rows: list[tuple[int, Any, Any, Any]] = field(default_factory=list)


def _turn_items(table: Table, fields: Mapping[str, int], roles: RoleMap) -> Iterator[Item]:
    """One example per conversation id, wherever its rows are.

    A first pass notes the last row of each conversation (a few bytes per conversation); the
    second collects each conversation's rows and finishes it at its last row, so only the
    conversations still open stay in memory. Items come out in order of their first row.
    """
    id_column = fields["conversation_id"]
    last: dict[str, int] = {}
    for number, row in table.rows():
        key = cell_text(_cell(row, id_column))
        if key:
            last[key] = number
    opened: dict[str, _Conversation] = {}  # in order of first row
    finished: list[tuple[int, Example | Skip]] = []
    for number, row in table.rows():
        key = cell_text(_cell(row, id_column))
        if not key:
            what = "no conversation id" if key == "" else "a conversation id that is not text"
            heapq.heappush(finished, (number, Skip(f"row {number} has {what}")))
        else:
            current = opened.get(key)
            if current is None:
                current = opened[key] = _Conversation(key, number)
            current.rows.append((number, _cell(row, fields.get("turn")),
                                 _cell(row, fields["role"]), _cell(row, fields["content"])))
            if last.get(key) == number:
                del opened[key]
                heapq.heappush(finished, (current.first, _finish(current, roles,
                                                                 "turn" in fields)))
        oldest = next(iter(opened.values())).first if opened else None
        while finished and (oldest is None or finished[0][0] < oldest):
            yield heapq.heappop(finished)
    for conversation_left in opened.values():  # only if the file changed between passes
        heapq.heappush(finished, (conversation_left.first,
                                  _finish(conversation_left, roles, "turn" in fields)))
    while finished:
        yield heapq.heappop(finished)


def _finish(current: _Conversation, roles: RoleMap, ordered: bool) -> Example | Skip:
    rows = current.rows
    if ordered:
        keys = []
        for number, turn, _, _ in rows:
            key = order_key(turn)
            if key is None:
                return Skip(f"turn {cell_text(turn) or turn!r} at row {number} is neither a "
                            f"number nor an ISO 8601 time")
            keys.append(key)
        if len({key[0] for key in keys}) > 1:
            return Skip(f"the turns of conversation {current.id!r} mix numbers and times")
        try:
            order = sorted(range(len(rows)), key=lambda index: keys[index])
        except TypeError:  # times with and without a zone
            return Skip(f"the turn times of conversation {current.id!r} cannot be compared")
        rows = [rows[index] for index in order]
    turns: list[Turn] = []
    for number, _, speaker, content in rows:
        name = cell_text(speaker) or ""
        role = roles.resolve(name)
        if role is None:
            return unknown_speaker(name, f"row {number}")
        text = cell_text(content)
        if text is None:
            return Skip(f"the content at row {number} is {json_kind(content)}, not text")
        turns.append(Turn(role, text, f"row {number}"))
    return conversation(turns)


def order_key(value: Any) -> tuple[int, Any] | None:
    """How a turn index or timestamp sorts: numbers, or times (ISO 8601 text or real times).

    >>> order_key("12"), order_key("soon")
    ((0, 12), None)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else (0, value)
    if isinstance(value, dt.datetime):
        return (1, value)
    if isinstance(value, dt.date):
        return (1, dt.datetime.combine(value, dt.time()))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return (0, int(text))
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return None if math.isnan(number) else (0, number)
    try:
        return (1, dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
