"""``bedrock-claude``: Amazon Bedrock fine-tuning records for Anthropic Claude 3 Haiku.

An optional ``system`` string and ``messages`` of ``user`` and ``assistant`` turns whose
``content`` is a string. Nothing else is allowed anywhere. Every such record is also an
``openai-chat`` record without a system key, so detection keeps the more general format unless
``--format bedrock-claude`` or ``--target bedrock`` asks for this one; a top-level ``system``
string fits this format only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import messages_array, read_messages
from ftdata.formats._write import (
    check_metadata,
    leading_system,
    plain_turn,
    require_kind,
    require_messages,
    require_no_label,
    require_no_tools,
    require_user_assistant_alternation,
)
from ftdata.formats.prompt_completion import string_message
from ftdata.model import Example
from ftdata.shapes import Obj, Ref, Str, Tagged

ROLES = ("user", "assistant")

MESSAGE = Ref("bedrock_claude_message", Tagged("role", {
    role: Obj({"role": Str([role]), "content": Str()}, required=["role", "content"],
              what=f"{role} message")
    for role in ROLES
}, code="C001", what="role"))

SHAPE = Obj({"system": Str(), "messages": messages_array(item=MESSAGE)}, required=["messages"],
            what="record")

_RECORD_KEYS = frozenset({"system", "messages"})
_MESSAGE_KEYS = frozenset({"role", "content"})


def _plain_message(message: Any) -> bool:
    return (isinstance(message, Mapping) and isinstance(message.get("content"), str)
            and _MESSAGE_KEYS.issuperset(message))


def matches(record: Mapping[str, Any]) -> bool:
    messages = record.get("messages")
    return (isinstance(messages, list) and _RECORD_KEYS.issuperset(record)
            and isinstance(record.get("system", ""), str)
            and all(_plain_message(message) for message in messages))


def read(record: Mapping[str, Any]) -> Example:
    messages = read_messages(record.get("messages"), "/messages")
    system = string_message("system", record.get("system"), "/system")
    if system is not None:
        messages.insert(0, system)
    return Example(kind="chat", messages=messages)


WRITE_ROLES = {role: role for role in ("system", *ROLES)}


def write(example: Example) -> dict[str, Any]:
    """The example with a ``system`` string and plain-text user and assistant turns.

    >>> chat = Example(kind="chat", messages=[text_message("system", "Be brief.", ""),
    ...                                       text_message("user", "Hi", ""),
    ...                                       text_message("assistant", "Hello!", "")])
    >>> write(chat)["system"]
    'Be brief.'
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    system, turns = leading_system(example.messages, FORMAT.id)
    if len(system) > 1:
        raise Unrepresentable(f"{FORMAT.id} holds one system prompt")
    record: dict[str, Any] = {}
    if system:
        record["system"] = plain_turn(system[0], WRITE_ROLES, FORMAT.id)[1]
    record["messages"] = [
        dict(zip(("role", "content"), plain_turn(message, WRITE_ROLES, FORMAT.id), strict=True))
        for message in require_messages(turns, FORMAT.id)]
    require_user_assistant_alternation(record["messages"], FORMAT.id)
    return record


FORMAT = Format(
    id="bedrock-claude",
    title="Amazon Bedrock Claude 3 Haiku fine-tuning record",
    description='{"system"?: str, "messages": [{"role": "user" | "assistant", '
                '"content": str}]}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="messages",
    conversational=True,
    used_by="Amazon Bedrock (Claude 3 Haiku fine-tuning)",
)
