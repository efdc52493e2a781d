"""Cohere chat fine-tuning data as converter input.

One conversation per JSONL line: ``{"messages": [{"role": "System" | "User" | "Chatbot",
"content": str}]}``. The roles map to system, user and assistant (case-insensitively);
``--roles`` renames others. Messages are kept one for one, in order; a record whose messages do
not have this shape is skipped with the S code that validation would report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from ftdata.model import Example
from ftdata.readers import file_size
from ftdata.sources import (
    Item,
    RoleMap,
    Skip,
    SourceOptions,
    json_kind,
    json_records,
    message,
    no_mapping,
    unknown_speaker,
)

#: Cohere's role names.
COHERE_ROLES = {"System": "system", "User": "user", "Chatbot": "assistant"}


def looks_like(record: Mapping[str, Any]) -> bool:
    """A ``messages`` record with Cohere's ``Chatbot`` role.

    >>> looks_like({"messages": [{"role": "User", "content": "Hi"},
    ...                          {"role": "Chatbot", "content": "Hello"}]})
    True
    """
    messages = record.get("messages")
    return isinstance(messages, list) and any(
        isinstance(item, Mapping) and isinstance(item.get("role"), str)
        and item["role"].casefold() == "chatbot" for item in messages)


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    no_mapping(options)
    file_size(path)
    return _items(path, RoleMap(options.roles, COHERE_ROLES))


def _items(path: str | os.PathLike[str], roles: RoleMap) -> Iterator[Item]:
    for line, record in json_records(path):
        yield line, record if isinstance(record, Skip) else read_record(record, roles)


def read_record(record: Mapping[str, Any], roles: RoleMap) -> Example | Skip:
    """One record's conversation, message for message, or why it cannot be read.

    >>> read_record({"messages": [{"role": "Chatbot", "content": 1}]}, RoleMap({}, COHERE_ROLES))
    Skip(reason='S003 content is a number, not a string (at /messages/0/content)')
    """
    raw = record.get("messages")
    if raw is None:
        return Skip('S001 the record has no "messages" key')
    if not isinstance(raw, list):
        return Skip(f"S003 messages is {json_kind(raw)}, not an array (at /messages)")
    example = Example(kind="chat")
    for index, item in enumerate(raw):
        where = f"/messages/{index}"
        if not isinstance(item, Mapping):
            return Skip(f"S003 the message is {json_kind(item)}, not an object (at {where})")
        role, content = item.get("role"), item.get("content")
        if not isinstance(role, str):
            return Skip(f'S001 the message has no "role" string (at {where})')
        if not isinstance(content, str):
            return Skip(f"S003 content is {json_kind(content)}, not a string "
                        f"(at {where}/content)")
        canonical = roles.resolve(role)
        if canonical is None:
            return unknown_speaker(role, where)
        example.messages.append(message(canonical, content))
    return example
