"""WhatsApp chat exports (``_chat.txt``) as converter input, Android and iOS.

::

    12/31/21, 10:15 PM - Alice: Hi!                   (Android, 12-hour clock)
    31/12/2021, 22:15 - Alice: Hi!                    (Android, 24-hour clock)
    01/01/2019, 11:25 a. m. - Alice: Hola             (Android, Spanish locale)
    [31.12.21, 22:15:30] Alice: Hi!                   (iOS)
    [12/31/21, 10:15:30 PM] Alice: ‎image omitted     (iOS, media)

Choices, all visible in the conversion summary:

* **Which author is the assistant** must be given: ``--roles "Alice=assistant"``. Without it,
  or when no author has that name, the conversion stops with the authors found. Authors not
  named in ``--roles`` are users.
* **Conversations** are split by calendar day, as the export writes the date: each day's
  messages form one example, located at the line of its first message. A day needs a user and
  an assistant message; consecutive messages of one author are merged with a newline.
* **Messages spanning several lines** are joined with newlines, kept as written; the
  ``<This message was edited>`` marker at the end of a message is export metadata and is
  removed.
* **System lines** (no author: "You were added", "Alice created group ...") and iOS notices
  (text starting with U+200E, such as the end-to-end encryption notice) are not messages: they
  are left out.
* **Media placeholders** (``<Media omitted>``, ``image omitted``, ``<attached: ...>``, ``... (file
  attached)``), deleted messages and call notices carry no text to train on. Each is skipped
  with its line and the reason, and its day's conversation goes on without it; it is never kept
  as text, which would teach the model to say "<Media omitted>".

Dates are only compared, never parsed, so day-month and month-day locales both work.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ftdata.readers import BOM, file_size, open_binary
from ftdata.sources import (
    Item,
    RoleMap,
    Skip,
    SourceError,
    SourceOptions,
    Turn,
    conversation,
    no_mapping,
)

_STAMP = (r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s(?:[^\W\d_]{1,5}\.?\s)?"
          r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
          r"(?:[\s\u202f\u00a0]?(?P<ampm>[aApP]\.?[\s\u202f\u00a0]?[mM]\.?))?")
#: A message's first line: Android ``date, time - rest``, iOS ``[date, time] rest``.
HEADERS = (re.compile(rf"{_STAMP}\s[-–]\s(?P<rest>.*)", re.DOTALL),
           re.compile(rf"\[{_STAMP}\]\s(?P<rest>.*)", re.DOTALL))
AUTHOR = re.compile(r"(?P<author>[^:\n]{1,100}?):[ \u00a0]?(?P<text>.*)", re.DOTALL)

#: Invisible marks that start some lines of iOS exports.
MARKS = "\u200e\u200f\ufeff"
EDITED = re.compile(r"\s*\u200e?<This message was edited>$")

#: Whole-message texts that stand for something the export does not hold.
PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<Media omitted>|(?:image|video|audio|sticker|GIF|document|photo|"
                r"Contact card) omitted|<attached: [^>]*>|.+ \(file attached\)(?:\n.*)?",
                re.IGNORECASE | re.DOTALL), "media message"),
    (re.compile(r"This message was deleted\.?|You deleted this message\.?", re.IGNORECASE),
     "deleted message"),
    (re.compile(r"(?:Missed )?(?:group )?(?:voice|video) call(?:, .*)?", re.IGNORECASE),
     "call notice"),
)


def parse_header(line: str) -> tuple[str, str] | None:
    """``(date, rest)`` when a line starts a message or system line, else ``None``.

    >>> parse_header("01/01/2019, 11:25 a. m. - John Doe: Hi")
    ('01/01/2019', 'John Doe: Hi')
    """
    text = line.lstrip(MARKS)
    for pattern in HEADERS:
        match = pattern.fullmatch(text)
        if match is not None:
            return match.group("date"), match.group("rest")
    return None


def split_author(rest: str) -> tuple[str, str] | None:
    """``(author, text)``, or ``None`` for a system line (no author).

    >>> split_author("John Doe:."), split_author("You were added")
    (('John Doe', '.'), None)
    """
    match = AUTHOR.fullmatch(rest)
    if match is None or '"' in match.group("author") or "“" in match.group("author"):
        return None
    return match.group("author").strip(MARKS + " "), match.group("text")


def looks_like(text: str) -> bool:
    """Does the start of a text file read as a WhatsApp export?

    >>> looks_like("[31.12.21, 22:15:30] Bob: Hi")
    True
    """
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    return bool(lines) and parse_header(lines[0].lstrip(MARKS)) is not None


def placeholder(text: str) -> str | None:
    """What a placeholder message stands for, or ``None`` for a real message.

    >>> placeholder("<Media omitted>"), placeholder("See you!")
    ('media message', None)
    """
    bare = text.strip(MARKS + " ")
    for pattern, what in PLACEHOLDERS:
        if pattern.fullmatch(bare):
            return what
    return None


def _lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str | None]]:
    """Numbered lines, ``None`` for one that is not UTF-8."""
    with open_binary(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield number, None


def authors(path: str | os.PathLike[str]) -> list[str]:
    """Every author of a chat, in order of first message.

    >>> authors("_chat.txt")  # doctest: +SKIP
    ['Alice', 'Shop Bot']
    """
    found: dict[str, None] = {}
    for _, line in _lines(path):
        header = parse_header(line) if line is not None else None
        if header is not None:
            author = split_author(header[1])
            if author is not None:
                found.setdefault(author[0])
    return list(found)


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    no_mapping(options)
    file_size(path)
    names = authors(path)
    shown = ", ".join(repr(name) for name in names[:20]) or "none"
    assistants = [name for name, role in options.roles.items() if role == "assistant"]
    if not assistants:
        raise SourceError(f"a WhatsApp chat needs the assistant's name: --roles "
                          f"'NAME=assistant' (authors: {shown})")
    roles = RoleMap(options.roles, fallback="user")
    known = {name.strip().casefold() for name in names}
    for name in options.roles:
        if name.strip().casefold() not in known:
            raise SourceError(f"--roles {name}: no author of that name in the chat "
                              f"(authors: {shown})")
    return _items(path, roles)


@dataclass
class _Message:
    line: int
    role: str
    lines: list[str]
    broken: bool = False


@dataclass
class _Day:
    date: str
    turns: list[Turn] = field(default_factory=list)
    first: int | None = None
    skips: list[Item] = field(default_factory=list)

    def items(self) -> list[Item]:
        out = list(self.skips)
        if self.turns:
            out.append((self.first, conversation(self.turns)))
        return sorted(out, key=lambda item: item[0] or 0)


def _items(path: str | os.PathLike[str], roles: RoleMap) -> Iterator[Item]:
    day: _Day | None = None
    pending: _Message | None = None  # the message being read
    in_system = False  # continuation lines of a system line are left out too
    for number, line in _lines(path):
        header = parse_header(line) if line is not None else None
        if header is None:
            if pending is not None:
                pending.lines.append(line or "")
                pending.broken = pending.broken or line is None
            elif not in_system and line is not None and line.strip():
                yield number, Skip(f"line {number} is not a WhatsApp message")
            elif line is None:
                yield number, Skip(f"invalid UTF-8 at line {number}")
            continue
        date, rest = header
        if pending is not None and day is not None:
            _close(pending, day)
            pending = None
        if day is None or day.date != date:
            if day is not None:
                yield from day.items()
            day = _Day(date)
        author = split_author(rest)
        in_system = author is None or (author[1].startswith("\u200e")
                                       and placeholder(author[1]) is None)
        if not in_system and author is not None:
            role = roles.resolve(author[0])
            assert role is not None
            pending = _Message(number, role, [author[1]])
    if pending is not None and day is not None:
        _close(pending, day)
    if day is not None:
        yield from day.items()


def _close(pending: _Message, day: _Day) -> None:
    if pending.broken:
        day.skips.append((pending.line, Skip(f"invalid UTF-8 in the message at line "
                                             f"{pending.line}")))
        return
    text = EDITED.sub("", "\n".join(pending.lines))
    what = placeholder(text)
    if what is not None:
        shown = text.strip(MARKS + " ").split("\n", 1)[0]
        day.skips.append((pending.line, Skip(f"{what} ({shown}): no text to train on")))
        return
    if day.first is None:
        day.first = pending.line
    day.turns.append(Turn(pending.role, text, f"line {pending.line}"))
