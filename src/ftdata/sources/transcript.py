"""Plain chat transcripts as converter input: ``Speaker: text`` lines.

::

    User: How do I reset my password?
    Assistant: Open Settings, then Security.
    The link is at the bottom.

    Customer: Is there a student discount?
    Agent: Yes, 20%.

A blank line ends a conversation. A line that starts with a known speaker and a colon starts a
message; any other line continues the message before it, so messages may span several lines
(joined with a newline, kept as written). Known speakers are the default names
(:data:`ftdata.sources.SPEAKER_ROLES`: User, Human, Customer, Q / Assistant, AI, Bot, Agent,
A, ..., System) and every name given with ``--roles NAME=ROLE``. A conversation whose first line
names another speaker is skipped with that name, so that ``--roles`` can be given for it. Once
``--roles`` names the speakers, a later ``Name: text`` line whose name is not among them skips
its conversation the same way rather than being read as part of the message before it
(without ``--roles``, such a line, ``Note: ...``, continues the message).
Consecutive messages of one speaker are merged. The location of a conversation is its first
line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ftdata.readers import BOM, file_size, open_binary
from ftdata.sources import (
    SPEAKER_ROLES,
    Item,
    RoleMap,
    Skip,
    SourceOptions,
    Turn,
    conversation,
    no_mapping,
    unknown_speaker,
)

SPEAKER_LINE = re.compile(r"([^:\n]{1,64}):[ \t]*(.*)", re.DOTALL)

_PLAIN_NAME = re.compile(r"[\w .'’-]+")

#: A line prefix this short and with this few words may be a speaker's name.
MAX_NAME_CHARS, MAX_NAME_WORDS = 40, 4


def looks_like(text: str) -> bool:
    """Does the start of a text file read as a transcript?

    Its first line names a default speaker, or it starts with a speaker line and the first
    lines name at least two different speakers.

    >>> looks_like("User: Hi"), looks_like("Note: see below")
    (True, False)
    """
    lines = [line.lstrip("\ufeff") for line in text.splitlines() if line.strip()][:20]
    names = [match.group(1).strip() for match in map(SPEAKER_LINE.fullmatch, lines)
             if match is not None and _PLAIN_NAME.fullmatch(match.group(1).strip())
             and _name_like(match.group(1))]
    first = SPEAKER_LINE.fullmatch(lines[0]) if lines else None
    if first is None or not names or first.group(1).strip() != names[0]:
        return False
    return names[0].casefold() in SPEAKER_ROLES or len(set(names)) >= 2


def _name_like(name: str) -> bool:
    stripped = name.strip()
    return bool(stripped) and len(stripped) <= MAX_NAME_CHARS and (
        len(stripped.split()) <= MAX_NAME_WORDS)


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    no_mapping(options)
    file_size(path)
    return _items(path, RoleMap(options.roles, SPEAKER_ROLES))


@dataclass
class _Block:
    """The lines of one conversation so far."""

    first: int
    turns: list[Turn] = field(default_factory=list)
    problem: Skip | None = None

    def item(self) -> Item:
        return self.first, self.problem or conversation(self.turns)


def _items(path: str | os.PathLike[str], roles: RoleMap) -> Iterator[Item]:
    block: _Block | None = None
    with open_binary(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                if block is None:
                    block = _Block(number)
                block.problem = block.problem or Skip(
                    f"invalid UTF-8 at line {number}, byte {error.start + 1}")
                continue
            if not line.strip():
                if block is not None:
                    yield block.item()
                    block = None
                continue
            if block is None:
                block = _Block(number)
            if block.problem is None:
                _add_line(block, line, number, roles)
    if block is not None:
        yield block.item()


def _add_line(block: _Block, line: str, number: int, roles: RoleMap) -> None:
    match = SPEAKER_LINE.fullmatch(line)
    named = match is not None and _name_like(match.group(1)) and bool(
        _PLAIN_NAME.fullmatch(match.group(1).strip()))
    if match is not None and roles.knows(match.group(1)):
        role = roles.resolve(match.group(1))
        assert role is not None
        block.turns.append(Turn(role, match.group(2), f"line {number}"))
    elif block.turns and not (named and roles.given):
        last = block.turns[-1]
        last.text = f"{last.text}\n{line}" if last.text else line
    elif match is not None and named:
        block.problem = unknown_speaker(match.group(1).strip(), f"line {number}")
    else:
        block.problem = Skip(f"line {number} does not start with a speaker ('Name: text')")
