"""Resolving RFC 6901 JSON pointers in decoded records, for fixes that edit a value in place."""

from __future__ import annotations

from typing import Any


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def locate(document: Any, pointer: str) -> tuple[Any, str | int] | None:
    """The container holding the value at ``pointer`` and its key, or ``None``."""
    if not pointer.startswith("/"):
        return None
    tokens = [_unescape(token) for token in pointer[1:].split("/")]
    node = document
    for token in tokens[:-1]:
        node = _child(node, token)
        if node is _MISSING:
            return None
    last = tokens[-1]
    if isinstance(node, dict) and last in node:
        return node, last
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node, int(last)
    return None


def get(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (``""`` is the whole document); ``KeyError`` if absent."""
    if pointer == "":
        return document
    found = locate(document, pointer)
    if found is None:
        raise KeyError(pointer)
    container, key = found
    return container[key]


_MISSING = object()


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, _MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return _MISSING
