"""``openai-rft``: reinforcement fine-tuning; the conversation ends with the user's turn.

Any extra keys are allowed: they are passed to the grader as reference data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import (
    ANY,
    FUNCTIONS,
    TOOLS,
    has_messages_key,
    last_role,
    messages_array,
    read_messages,
    read_tools,
)
from ftdata.model import Example
from ftdata.shapes import Bool, Obj

# Keys that make a ``messages`` record another format's (Bedrock, LLaMA-Factory, KTO).
_OTHER_FORMAT_KEYS = ("system", "schemaVersion", "images", "videos", "audios", "label")

SHAPE = Obj(
    {"messages": messages_array(), "tools": TOOLS, "parallel_tool_calls": Bool(),
     "functions": FUNCTIONS},
    required=["messages"], extra=ANY, what="record")


def matches(record: Mapping[str, Any]) -> bool:
    return (has_messages_key(record)
            and not any(key in record for key in _OTHER_FORMAT_KEYS)
            and last_role(record.get("messages")) == "user")


def read(record: Mapping[str, Any]) -> Example:
    extra = {k: v for k, v in record.items()
             if k not in ("messages", "tools", "parallel_tool_calls", "functions")}
    return Example(kind="chat", messages=read_messages(record.get("messages"), "/messages"),
                   tools=read_tools(record), metadata=extra)


FORMAT = Format(
    id="openai-rft",
    title="OpenAI reinforcement fine-tuning record",
    description='{"messages": [..., last is user], any extra keys for the grader}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="messages",
    conversational=True,
    ends_with_user=True,
    used_by="OpenAI, Azure OpenAI reinforcement fine-tuning",
)
