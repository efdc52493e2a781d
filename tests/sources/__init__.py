"""Helpers for the converter-input tests: read a file's items and show them as plain data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ftdata.model import Example, Message
from ftdata.sources import Skip, SourceOptions, read_items

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

Shown = tuple[int | None, Any]


def turns(messages: list[Message] | None) -> list[tuple[str, str]]:
    return [(message.role, message.text) for message in messages or ()]


def show(item: Example | Skip) -> Any:
    """A skip as ``("skip", reason)``, an example as its kind and ``(role, text)`` turns."""
    if isinstance(item, Skip):
        return ("skip", item.reason)
    if item.kind == "preference":
        return ("preference", turns(item.messages), turns(item.chosen), turns(item.rejected))
    if item.label is not None:
        return (item.kind, turns(item.messages), item.label)
    return (item.kind, turns(item.messages))


def read(path: str | Path, kind: str, *, mapping: dict[str, str] | None = None,
         roles: dict[str, str] | None = None) -> list[Shown]:
    options = SourceOptions(mapping=mapping or {}, roles=roles or {})
    return [(location, show(item)) for location, item in read_items(path, kind, options)]
