"""``prompt-completion``: one prompt string and the completion to learn.

Used by OpenAI's legacy fine-tuning, Together's instruction format, Amazon Bedrock (Titan,
Llama, distillation) and TRL's standard prompt-completion datasets. No other keys are allowed:
OpenAI and Bedrock reject them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._reasoning import THINK_OPEN, read_think_tags
from ftdata.formats._write import (
    check_metadata,
    plain_turn,
    require_kind,
    require_no_label,
    require_no_tools,
)
from ftdata.model import Example, Message, Part
from ftdata.shapes import Obj, Str

SHAPE = Obj({"prompt": Str(), "completion": Str()}, required=["prompt", "completion"],
            what="record")


def string_message(role: str, value: Any, pointer: str) -> Message | None:
    """A one-part message for a string-valued key (both pointers are the key's own)."""
    if not isinstance(value, str):
        return None
    message = Message(role=role, content=[Part("text", text=value, pointer=pointer)],
                      pointer=pointer)
    if role == "assistant" and value.startswith(THINK_OPEN):
        read_think_tags(message)
    return message


def matches(record: Mapping[str, Any]) -> bool:
    # Message lists make it ``trl-conversational``; a ``label`` makes it ``trl-kto``.
    return ("prompt" in record and "completion" in record and "label" not in record
            and not isinstance(record["prompt"], list)
            and not isinstance(record["completion"], list))


def read(record: Mapping[str, Any]) -> Example:
    messages = [string_message("user", record.get("prompt"), "/prompt"),
                string_message("assistant", record.get("completion"), "/completion")]
    return Example(kind="completion", messages=[m for m in messages if m is not None])


_TURN_ROLES = {"user": "user", "assistant": "assistant"}


def prompt_and_completion(example: Example, fmt: str) -> tuple[str, str]:
    """The two strings of a ``[user, assistant]`` example; anything else is unrepresentable."""
    roles = [message.role for message in example.messages]
    if roles[:1] == ["system"]:
        raise Unrepresentable(f"{fmt} has no system prompt")
    if roles != ["user", "assistant"]:
        raise Unrepresentable(f"{fmt} holds one user prompt and one answer, not "
                              f"{', '.join(roles) or 'no turns'}")
    prompt, completion = (plain_turn(m, _TURN_ROLES, fmt)[1] for m in example.messages)
    return prompt, completion


def write(example: Example) -> dict[str, Any]:
    """The example as a prompt string and a completion string.

    >>> write(Example(kind="completion", messages=[text_message("user", "2+2=", ""),
    ...                                            text_message("assistant", "4", "")]))
    {'prompt': '2+2=', 'completion': '4'}
    """
    require_kind(example, FORMAT.id, ("completion", "chat"))
    require_no_label(example, FORMAT.id)
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    prompt, completion = prompt_and_completion(example, FORMAT.id)
    return {"prompt": prompt, "completion": completion}


FORMAT = Format(
    id="prompt-completion",
    title="Prompt-completion record",
    description='{"prompt": str, "completion": str}',
    kind="completion",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="prompt-completion",
    used_by="OpenAI legacy, Together instruction, Bedrock Titan/Llama, TRL standard",
)
