"""``openai-preference``: direct preference optimization pairs.

The prompt sits under ``input`` (messages, with optional ``tools`` and ``parallel_tool_calls``);
``preferred_output`` and ``non_preferred_output`` each hold the assistant's continuation. Used by
OpenAI and Azure OpenAI DPO and by Together's preference fine-tuning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import (
    ASSISTANT_MESSAGE,
    TOOLS,
    messages_array,
    read_messages,
    read_tools,
)
from ftdata.model import Example
from ftdata.shapes import Bool, Obj

INPUT = Obj({"messages": messages_array(what="input messages"), "tools": TOOLS,
             "parallel_tool_calls": Bool()},
            required=["messages"], what="input")

SHAPE = Obj(
    {"input": INPUT,
     "preferred_output": messages_array(what="preferred_output", item=ASSISTANT_MESSAGE),
     "non_preferred_output": messages_array(what="non_preferred_output",
                                            item=ASSISTANT_MESSAGE)},
    required=["input", "preferred_output", "non_preferred_output"], what="record")

_OUTPUT_KEYS = ("preferred_output", "non_preferred_output")


def matches(record: Mapping[str, Any]) -> bool:
    # Alpaca records have an ``input`` key too, but it holds a string.
    return any(key in record for key in _OUTPUT_KEYS) or isinstance(record.get("input"), Mapping)


def read(record: Mapping[str, Any]) -> Example:
    raw_input = record.get("input")
    prompt = raw_input if isinstance(raw_input, Mapping) else {}
    return Example(
        kind="preference",
        messages=read_messages(prompt.get("messages"), "/input/messages"),
        tools=read_tools(prompt),
        chosen=read_messages(record.get("preferred_output"), "/preferred_output"),
        rejected=read_messages(record.get("non_preferred_output"), "/non_preferred_output"),
    )


FORMAT = Format(
    id="openai-preference",
    title="OpenAI preference (DPO) fine-tuning record",
    description='{"input": {"messages": [...], "tools"?, "parallel_tool_calls"?}, '
                '"preferred_output": [assistant messages], '
                '"non_preferred_output": [assistant messages]}',
    kind="preference",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="openai-preference",
    used_by="OpenAI, Azure OpenAI DPO, Together preference fine-tuning",
)
