"""Converter inputs: each source turns one file into canonical examples, in order, streamed.

A source yields ``(location, item)`` pairs. ``location`` is where the record starts: the JSONL
line or the 1-based JSON array element, the 1-based table row (header not counted), the first
line of a conversation in a chat log, or ``None`` for a problem with the file as a whole.
``item`` is an :class:`~ftdata.model.Example`, or a :class:`Skip` saying why that record cannot
be converted; nothing is dropped without one.

>>> from ftdata.sources import SourceOptions, read_items
>>> for line, item in read_items("faq.csv", "csv", SourceOptions()):  # doctest: +SKIP
...     print(line, item)

Source kinds are the format ids (read with the format's own reader) plus the kinds in
:data:`SOURCE_MODULES`. Heavy libraries (pandas, pyarrow, openpyxl) are imported only by the
table source, when it runs.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftdata.diagnostics import json_kind as json_kind
from ftdata.formats import FORMAT_MODULES, Format, get_format
from ftdata.model import ROLES, Example, Message, Part

if TYPE_CHECKING:
    from ftdata.readers import Event, FileEvents

#: Source kind -> module under ``ftdata.sources``. Every format id is a source kind too.
SOURCE_MODULES: dict[str, str] = {
    "csv": "tables",
    "tsv": "tables",
    "xlsx": "tables",
    "parquet": "tables",
    "qa": "qa",
    "transcript": "transcript",
    "whatsapp": "whatsapp",
    "chatgpt-export": "chatgpt_export",
    "cohere-chat": "cohere_chat",
}

#: What a table column or a Q&A key may hold (``--map COL=FIELD``). ``input`` is extra context
#: that follows the prompt, as in Alpaca's instruction/input/output.
FIELDS = ("prompt", "input", "completion", "system", "conversation_id", "turn", "role",
          "content", "chosen", "rejected", "label")

#: Roles a speaker or source role may be mapped to with ``--roles``.
TARGET_ROLES = ("system", "user", "assistant")

#: Speaker names understood without ``--roles`` (compared case-insensitively) in transcripts
#: and in tables with one row per chat turn.
SPEAKER_ROLES: dict[str, str] = {
    **dict.fromkeys(("user", "human", "customer", "client", "visitor", "guest", "caller",
                     "patient", "student", "q", "question"), "user"),
    **dict.fromkeys(("assistant", "ai", "bot", "agent", "gpt", "chatbot", "model", "support",
                     "operator", "representative", "a", "answer"), "assistant"),
    "system": "system",
}

#: Joins consecutive turns of one speaker into one message.
TURN_SEPARATOR = "\n"


def source_kinds() -> list[str]:
    """Every ``--from`` kind: the converter-only kinds, then the format ids.

    >>> source_kinds()[:3]
    ['csv', 'tsv', 'xlsx']
    """
    return [*SOURCE_MODULES, *FORMAT_MODULES]


class SourceError(ValueError):
    """The input cannot be converted as asked (a usage error: exit 2)."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A record that cannot be converted, and why."""

    reason: str


Item = tuple[int | None, Example | Skip]


@dataclass(frozen=True)
class SourceOptions:
    """What the user told the converter about the input.

    ``mapping`` is ``--map COL=FIELD`` (tables and Q&A files); ``roles`` is ``--roles SRC=DST``
    with DST one of :data:`TARGET_ROLES`.
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column, name in self.mapping.items():
            if name not in FIELDS:
                raise SourceError(f"--map {column}={name}: the field must be one of "
                                  f"{', '.join(FIELDS)}")
        for source, role in self.roles.items():
            if role not in TARGET_ROLES:
                raise SourceError(f"--roles {source}={role}: the role must be one of "
                                  f"{', '.join(TARGET_ROLES)}")


class RoleMap:
    """Speaker names or source roles to canonical roles: ``--roles`` first, then defaults.

    Names are compared exactly, then case-insensitively with surrounding spaces ignored.

    >>> RoleMap({"Chatbot": "assistant"}, SPEAKER_ROLES).resolve(" HUMAN ")
    'user'
    """

    def __init__(self, given: Mapping[str, str], defaults: Mapping[str, str] | None = None,
                 fallback: str | None = None) -> None:
        self.given = dict(given)
        self.folded = {_fold(name): role for name, role in (defaults or {}).items()}
        self.folded.update({_fold(name): role for name, role in given.items()})
        self.fallback = fallback

    def resolve(self, name: str) -> str | None:
        role = self.given.get(name)
        if role is None:
            role = self.folded.get(_fold(name), self.fallback)
        return role

    def knows(self, name: str) -> bool:
        return name in self.given or _fold(name) in self.folded


def _fold(name: str) -> str:
    return name.strip().casefold()


def unknown_speaker(name: str, where: str) -> Skip:
    """The skip for a speaker no role is known for, with the ``--roles`` that would fix it."""
    return Skip(f"unknown speaker {name!r} at {where} (map it with --roles "
                f"'{name}=user|assistant|system')")


@dataclass(slots=True)
class Turn:
    """One chat-log message before assembly: its role, its text and where it was read."""

    role: str
    text: str
    where: str


def conversation(turns: Sequence[Turn]) -> Example | Skip:
    """A chat example from chat-log turns, or why there is none.

    Consecutive turns of one role are merged with :data:`TURN_SEPARATOR`. A conversation needs
    a user turn and an assistant turn, and no empty message.

    >>> conversation([Turn("user", "Hi", "line 1"), Turn("user", "there", "line 2")])
    Skip(reason='no assistant turn')
    """
    merged: list[tuple[str, list[str]]] = []
    for turn in turns:
        if not turn.text.strip():
            return Skip(f"empty message at {turn.where}")
        if merged and merged[-1][0] == turn.role:
            merged[-1][1].append(turn.text)
        else:
            merged.append((turn.role, [turn.text]))
    roles = {role for role, _ in merged}
    if "assistant" not in roles:
        return Skip("no assistant turn")
    if "user" not in roles:
        return Skip("no user turn")
    return Example(kind="chat", messages=[message(role, TURN_SEPARATOR.join(texts))
                                          for role, texts in merged])


def message(role: str, text: str) -> Message:
    """A one-part text message, as sources build them.

    >>> message("user", "Hi").text
    'Hi'
    """
    return Message(role=role, content=[Part("text", text=text)])


def remap_roles(example: Example, roles: RoleMap) -> None:
    """Rename message roles that ``--roles`` names (a format source's own roles otherwise)."""
    for item in example.all_messages():
        mapped = roles.resolve(item.role)
        if mapped is not None:
            item.role = mapped


def unknown_role(example: Example) -> str | None:
    """The first role that is not canonical, if any.

    >>> unknown_role(Example(kind="chat", messages=[message("model", "Hi")]))
    'model'
    """
    for item in example.all_messages():
        if item.role not in ROLES:
            return item.role
    return None


# -- JSON inputs -----------------------------------------------------------------------------


def json_records(source: str | os.PathLike[str] | Iterable[Event]
                 ) -> Iterator[tuple[int | None, dict[str, Any] | Skip]]:
    """Decoded JSON objects of a JSONL or JSON file with their lines; broken ones as skips.

    ``source`` is the file's path or its events, already being read (a
    :class:`ftdata.readers.FileEvents` whose records format detection has looked at).

    Blank lines and a byte-order mark are not records. A framing problem with no line (an
    unclosed array, a truncated gzip) is a skip at ``None``.

    >>> next(json_records("train.jsonl"))  # doctest: +SKIP
    (1, {'messages': [...]})
    """
    from ftdata.parsing import RecordError, decode_record
    from ftdata.readers import LineFinding, read_events

    events = read_events(source) if isinstance(source, str | os.PathLike) else source
    for event in events:
        if isinstance(event, LineFinding):
            if event.code in ("F002", "F012"):  # a record that could not be read: a skip
                yield event.line, Skip(f"{event.code} {event.message}")
            continue
        try:
            value = decode_record(event.data)
        except RecordError as error:
            yield event.line, Skip(f"{error.finding.code} {error.finding.message}")
            continue
        if not isinstance(value, dict):
            yield event.line, Skip(f"F003 the record is {json_kind(value)}, not a JSON object")
            continue
        yield event.line, value


def no_mapping(options: SourceOptions) -> None:
    """Refuse ``--map`` for a source whose records have no columns or keys to map."""
    if options.mapping:
        raise SourceError("--map applies to tables and Q&A files only")


def shape_skip(fmt: Format, record: dict[str, Any]) -> Skip | None:
    """The skip for a record that does not have its format's shape: its first F or S finding,
    with where it is; ``None`` for a record the format's reader can take."""
    from ftdata.shapes import check_shape

    findings = check_shape(fmt.shape, record)
    if not findings and fmt.cross_check is not None:
        findings = fmt.cross_check(record)
    problem = next((finding for finding in findings if finding.code[0] in "FS"), None)
    if problem is None:
        return None
    where = f" (at {problem.pointer})" if problem.pointer else ""
    return Skip(f"{problem.code} {problem.message}{where}")


def _format_items(path: str | os.PathLike[str] | FileEvents, fmt: Format,
                  roles: RoleMap | None) -> Iterator[Item]:
    """Records of a format file, read with the format's reader; invalid ones skipped.

    A record with an F or S finding (it does not have the format's shape) is skipped with that
    finding's code and message.
    """
    for line, record in json_records(path):
        if isinstance(record, Skip):
            yield line, record
            continue
        skip = shape_skip(fmt, record)
        if skip is not None:
            yield line, skip
            continue
        example = fmt.read(record)
        if roles is not None:
            remap_roles(example, roles)
        yield line, example


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions,
               events: FileEvents | None = None) -> Iterator[Item]:
    """The items of a file read as ``kind`` (a format id or a :data:`SOURCE_MODULES` kind).

    ``events`` is the file already opened (to detect its kind): a format's records are read
    on from it; other kinds read the file themselves.

    Raises :class:`SourceError` for an unknown kind or options that do not apply, and
    :class:`ftdata.readers.InputError` when the file cannot be read.
    """
    if kind in FORMAT_MODULES:
        no_mapping(options)
        roles = RoleMap(options.roles) if options.roles else None
        return _format_items(path if events is None else events, get_format(kind), roles)
    if events is not None:
        events.close()
    module_name = SOURCE_MODULES.get(kind)
    if module_name is None:
        raise SourceError(f"unknown input kind {kind!r} (known: {', '.join(source_kinds())})")
    module = importlib.import_module(f"ftdata.sources.{module_name}")
    items: Iterator[Item] = module.read_items(path, kind, options)
    return items
