"""ChatGPT data exports (``conversations.json``) as converter input.

The file is a JSON array of conversations, streamed one element at a time. Each conversation
keeps its messages as a tree (``mapping``: node id -> ``{"message", "parent", "children"}``):
editing a question or regenerating an answer starts a new branch. The branch the user last saw
ends at ``current_node``; it is followed back to the root, and only that branch becomes the
example. A conversation without ``current_node`` (or with a null one) gets its newest branch
instead, the one ending at the leaf with the greatest ``create_time``: that is the node
``current_node`` names ("the ID of the most recent message node", as
mitkury/chatgpt-export-parser docs/chatgpt-data-export-format.md describes the export) and the
branch ChatGPT shows. Its location is the conversation's 1-based element in the array.

What is kept: the text of user and assistant messages (``text`` and ``multimodal_text``
content) and non-empty system messages. What is left out, as it is not part of the visible
dialogue: hidden messages (``is_visually_hidden_from_conversation``), tool traffic (author
``tool``, or an assistant message addressed to a tool: ``recipient`` other than ``all``),
reasoning (``thoughts``, ``reasoning_recap``), code and its output, browsing displays, and
messages with no text. A conversation whose kept messages hold an image or file is skipped:
the export does not include the file. ``--roles`` renames author roles (``tool=assistant``
keeps tool output as assistant text).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from ftdata.model import Example
from ftdata.readers import file_size
from ftdata.sources import (
    TARGET_ROLES,
    Item,
    RoleMap,
    Skip,
    SourceOptions,
    Turn,
    conversation,
    json_records,
    no_mapping,
)

#: Content types whose ``parts`` are the visible message.
TEXT_CONTENT = ("text", "multimodal_text")


#: Keys of an export's conversation besides ``mapping``; one of them tells it from any other
#: JSON object that happens to have a ``mapping``.
CONVERSATION_KEYS = ("current_node", "create_time", "update_time", "title", "conversation_id")


def looks_like(record: Mapping[str, Any]) -> bool:
    """A conversation of an export: a message ``mapping`` and its conversation's keys.

    >>> looks_like({"title": "Chat", "mapping": {}, "current_node": "n1"})
    True
    >>> looks_like({"title": "Chat", "create_time": 1700000000.0, "mapping": {}})
    True
    """
    return (isinstance(record.get("mapping"), Mapping)
            and any(key in record for key in CONVERSATION_KEYS))


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    no_mapping(options)
    file_size(path)
    return _items(path, RoleMap(options.roles, {role: role for role in TARGET_ROLES}))


def _items(path: str | os.PathLike[str], roles: RoleMap) -> Iterator[Item]:
    for element, record in json_records(path):
        yield element, record if isinstance(record, Skip) else read_conversation(record, roles)


def current_branch(record: Mapping[str, Any]) -> list[Mapping[str, Any]] | Skip:
    """The nodes from the root to ``current_node`` (or to the newest leaf), in conversation
    order.

    >>> [node["id"] for node in current_branch({"current_node": "b", "mapping": {
    ...     "a": {"id": "a", "parent": None}, "b": {"id": "b", "parent": "a"}}})]
    ['a', 'b']
    """
    mapping = record.get("mapping")
    if not isinstance(mapping, Mapping):
        return Skip('S001 the conversation has no "mapping" object')
    node_id = record.get("current_node")
    if node_id is None:
        node_id = newest_leaf(mapping)
        if node_id is None:
            return Skip('S001 the conversation has no "current_node" and no message')
    elif not isinstance(node_id, str):
        return Skip('S003 the conversation\'s "current_node" is not a string')
    branch: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    while node_id is not None:
        if not isinstance(node_id, str) or node_id in seen:
            return Skip(f"the message tree is broken at node {node_id!r}")
        node = mapping.get(node_id)
        if not isinstance(node, Mapping):
            return Skip(f"node {node_id!r} is not in the mapping")
        seen.add(node_id)
        branch.append(node)
        node_id = node.get("parent")
    branch.reverse()
    return branch


def newest_leaf(mapping: Mapping[str, Any]) -> str | None:
    """The id of the leaf (a node no other node names as its parent) whose message was created
    last; among leaves without a time, or with the same time, the one listed last. ``None`` when
    the mapping has no node.

    Children are found from the ``parent`` links, the ones the branch is followed by, so a
    stale ``children`` list cannot pick a node that is not on any branch.

    >>> newest_leaf({"r": {"parent": None}, "a": {"parent": "r", "message": {"create_time": 2}},
    ...              "b": {"parent": "r", "message": {"create_time": 1}}})
    'a'
    """
    parents = {node["parent"] for node in mapping.values()
               if isinstance(node, Mapping) and isinstance(node.get("parent"), str)}
    newest: tuple[float, int] | None = None
    found: str | None = None
    for position, (node_id, node) in enumerate(mapping.items()):
        if not isinstance(node, Mapping) or node_id in parents:
            continue
        key = (_create_time(node), position)
        if newest is None or key > newest:
            newest, found = key, node_id
    return found


def _create_time(node: Mapping[str, Any]) -> float:
    message = node.get("message")
    created = message.get("create_time") if isinstance(message, Mapping) else None
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        return float(created)
    return float("-inf")


def read_conversation(record: Mapping[str, Any], roles: RoleMap) -> Example | Skip:
    """The example of one conversation (its current or newest branch), or why there is none.

    >>> read_conversation({"mapping": {}, "current_node": "x"}, RoleMap({}))
    Skip(reason="node 'x' is not in the mapping")
    """
    branch = current_branch(record)
    if isinstance(branch, Skip):
        return branch
    turns: list[Turn] = []
    for node in branch:
        found = _turn(node.get("message"), roles)
        if isinstance(found, Skip):
            return found
        if found is not None:
            turns.append(found)
    return conversation(turns)


def _turn(raw: Any, roles: RoleMap) -> Turn | Skip | None:
    """The kept message of a node, ``None`` when it is left out."""
    if not isinstance(raw, Mapping):
        return None
    author = raw.get("author")
    source_role = author.get("role") if isinstance(author, Mapping) else None
    metadata = raw.get("metadata")
    if not isinstance(source_role, str) or (
            isinstance(metadata, Mapping)
            and metadata.get("is_visually_hidden_from_conversation")):
        return None
    role = roles.resolve(source_role)
    recipient = raw.get("recipient", "all")
    content = raw.get("content")
    if role is None or recipient not in ("all", None) or not isinstance(content, Mapping) or (
            content.get("content_type") not in TEXT_CONTENT):
        return None
    where = f"message {raw.get('id')!r}"
    texts: list[str] = []
    for part in content.get("parts") or ():
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, Mapping):
            kind = part.get("content_type", "a non-text part")
            return Skip(f"{where} holds {kind}, a file the export does not include")
    text = "\n".join(text for text in texts if text)
    if not text.strip():
        return None
    return Turn(role, text, where)
