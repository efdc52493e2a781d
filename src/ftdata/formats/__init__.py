"""Formats: one module per format id, each a :class:`Format` built from data and small functions.

A format knows how to recognise its records (``matches``, by keys only), the shape its records
must have (a :class:`ftdata.shapes.Shape`, also rendered as its JSON Schema), and how to read a
raw record into the canonical :class:`ftdata.model.Example`. The registry below is the only
list of formats: adding one is a new module plus one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.formats._errors import Unrepresentable
from ftdata.model import Example, Kind
from ftdata.shapes import JSONSchema, Shape, json_schema_document

Record = Mapping[str, Any]

__all__ = ["FORMAT_MODULES", "Format", "Record", "Unrepresentable", "all_formats",
           "format_ids", "get_format"]


@dataclass(frozen=True)
class Format:
    id: str
    title: str
    description: str
    kind: Kind
    shape: Shape
    #: Key-based test: does this record look like this format (valid or not)?
    matches: Callable[[Record], bool]
    #: Read a record into the canonical form; must tolerate invalid records (best effort).
    read: Callable[[Record], Example]
    #: Records of formats in one family share a top-level shape (``messages``); mixing them
    #: in a file is not reported as F008.
    family: str = ""
    #: Conversation-order rules (C003, C004, C005) apply.
    conversational: bool = False
    #: A conversation whose last turn is the user's is the expected shape (RFT).
    ends_with_user: bool = False
    #: Media may be local file paths, which the trainer loads itself (C013 does not ask for
    #: a URL).
    local_media: bool = False
    used_by: str = ""
    #: Write a canonical example as one record of this format; raises :class:`Unrepresentable`
    #: when the format cannot express it.
    write: Callable[[Example], dict[str, Any]] | None = None
    #: Checks across keys that a JSON Schema cannot state (two arrays of one length), run
    #: after the shape; their findings are structural, like the shape's.
    cross_check: Callable[[Record], list[Finding]] | None = None
    #: Where the format keeps a message's reasoning trace (the field or block its writer
    #: uses by default), or ``None`` when it has no place for one (a ``<think>`` block in the
    #: content aside): see :mod:`ftdata.formats._reasoning`.
    reasoning: str | None = None

    def __post_init__(self) -> None:
        # Every writer places reasoning traces the same way (a trace read from a <think> block
        # goes back into the content; one from a field needs the format's field), whoever
        # calls it: see ftdata.formats._reasoning.placing_writer.
        if self.write is not None:
            from ftdata.formats._reasoning import placing_writer

            object.__setattr__(self, "write", placing_writer(self, self.write))

    def json_schema(self) -> JSONSchema:
        return json_schema_document(self.shape, format_id=self.id, title=self.title,
                                    description=self.description)


#: Format id -> module name under ``ftdata.formats``, in detection preference order: when two
#: formats explain the same records, the one listed first wins.
FORMAT_MODULES: dict[str, str] = {
    "openai-rft": "openai_rft",
    "openai-chat": "openai_chat",
    "openai-preference": "openai_preference",
    "prompt-completion": "prompt_completion",
    "text": "text",
    "trl-conversational": "trl_conversational",
    "trl-preference": "trl_preference",
    "trl-kto": "trl_kto",
    "sharegpt": "sharegpt",
    "alpaca": "alpaca",
    "vertex-gemini": "vertex_gemini",
    "vertex-gemini-preference": "vertex_gemini_preference",
    "bedrock-conversation": "bedrock_conversation",
    # After openai-rft and openai-chat, which read the same records: picked by --target bedrock
    # or --format. Before bedrock-claude: a file of plain prompts with no answer is RFT's.
    "bedrock-rft": "bedrock_rft",
    "bedrock-claude": "bedrock_claude",
    "llamafactory-v1": "llamafactory_v1",
    "llamafactory-v1-preference": "llamafactory_v1_preference",
    "trl-prompt-only": "trl_prompt_only",
    "trl-stepwise": "trl_stepwise",
}

_LOADED: dict[str, Format] = {}


def get_format(format_id: str) -> Format:
    """The format with this id; ``ValueError`` names the known ids when it does not exist."""
    loaded = _LOADED.get(format_id)
    if loaded is not None:
        return loaded
    module_name = FORMAT_MODULES.get(format_id)
    if module_name is None:
        known = ", ".join(sorted(FORMAT_MODULES))
        raise ValueError(f"unknown format {format_id!r} (known: {known})")
    module = importlib.import_module(f"ftdata.formats.{module_name}")
    fmt: Format = module.FORMAT
    _LOADED[format_id] = fmt
    return fmt


def all_formats() -> list[Format]:
    return [get_format(format_id) for format_id in FORMAT_MODULES]


def format_ids() -> list[str]:
    return list(FORMAT_MODULES)
