"""``openai-chat``: one conversation per record under ``messages``.

Used by OpenAI, Azure OpenAI, Together, Fireworks, Mistral and TRL/Axolotl chat templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, llamafactory_v1
from ftdata.formats._openai import (
    FUNCTIONS,
    REASONING_KEY,
    TOOLS,
    has_messages_key,
    messages_array,
    read_messages,
    read_settings,
    read_tools,
    write_conversation,
)
from ftdata.formats._write import require_kind, require_no_label
from ftdata.model import Example
from ftdata.shapes import Bool, Obj

SHAPE = Obj(
    {"messages": messages_array(), "tools": TOOLS, "parallel_tool_calls": Bool(),
     "functions": FUNCTIONS},
    required=["messages"], what="record")

# Keys that make a ``messages`` record another format's (Bedrock, LLaMA-Factory multimodal).
_OTHER_FORMAT_KEYS = ("system", "schemaVersion", "images", "videos", "audios", "label")


def matches(record: Mapping[str, Any]) -> bool:
    return (has_messages_key(record) and not any(key in record for key in _OTHER_FORMAT_KEYS)
            and not llamafactory_v1.matches(record))


def read(record: Mapping[str, Any]) -> Example:
    return Example(kind="chat", messages=read_messages(record.get("messages"), "/messages"),
                   tools=read_tools(record), metadata=read_settings(record))


def write(example: Example) -> dict[str, Any]:
    """The example as an OpenAI chat record.

    >>> write(Example(kind="chat", messages=[text_message("user", "Hi", "")]))
    {'messages': [{'role': 'user', 'content': 'Hi'}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    return write_conversation(example, FORMAT.id)


FORMAT = Format(
    id="openai-chat",
    title="OpenAI chat fine-tuning record",
    description='{"messages": [{"role", "content", ...}], "tools"?, "parallel_tool_calls"?, '
                '"functions"?}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="messages",
    conversational=True,
    used_by="OpenAI, Azure OpenAI, Together, Fireworks, Mistral, TRL/Axolotl chat_template",
    reasoning=REASONING_KEY,
)
