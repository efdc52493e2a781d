"""``prompt-completion``: one prompt string and the completion to learn.

Used by OpenAI's legacy fine-tuning, Together's instruction format, Amazon Bedrock (Titan,
Llama, distillation) and TRL's standard prompt-completion datasets. No other keys are allowed:
OpenAI and Bedrock reject them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.model import Example, Message, Part
from ftdata.shapes import Obj, Str

SHAPE = Obj({"prompt": Str(), "completion": Str()}, required=["prompt", "completion"],
            what="record")


def string_message(role: str, value: Any, pointer: str) -> Message | None:
    """A one-part message for a string-valued key (both pointers are the key's own)."""
    if not isinstance(value, str):
        return None
    return Message(role=role, content=[Part("text", text=value, pointer=pointer)],
                   pointer=pointer)


def matches(record: Mapping[str, Any]) -> bool:
    # Message lists make it ``trl-conversational``; a ``label`` makes it ``trl-kto``.
    return ("prompt" in record and "completion" in record and "label" not in record
            and not isinstance(record["prompt"], list)
            and not isinstance(record["completion"], list))


def read(record: Mapping[str, Any]) -> Example:
    messages = [string_message("user", record.get("prompt"), "/prompt"),
                string_message("assistant", record.get("completion"), "/completion")]
    return Example(kind="completion", messages=[m for m in messages if m is not None])


FORMAT = Format(
    id="prompt-completion",
    title="Prompt-completion record",
    description='{"prompt": str, "completion": str}',
    kind="completion",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="prompt-completion",
    used_by="OpenAI legacy, Together instruction, Bedrock Titan/Llama, TRL standard",
)
