"""``openai-preference``: direct preference optimization pairs.

The prompt sits under ``input`` (messages, with optional ``tools`` and ``parallel_tool_calls``);
``preferred_output`` and ``non_preferred_output`` each hold the assistant's continuation. Used by
OpenAI and Azure OpenAI DPO and by Together's preference fine-tuning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import (
    ASSISTANT_MESSAGE,
    REASONING_KEY,
    TOOLS,
    messages_array,
    read_messages,
    read_settings,
    read_tools,
    write_conversation,
    write_messages,
)
from ftdata.formats._write import link_tools, require_kind, require_no_label
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
        metadata=read_settings(prompt),
    )


def write(example: Example) -> dict[str, Any]:
    """The example as a DPO record; both answers must be assistant turns only.

    >>> pair = Example(kind="preference", messages=[text_message("user", "Hi", "")],
    ...                chosen=[text_message("assistant", "Hello!", "")],
    ...                rejected=[text_message("assistant", "Go.", "")])
    >>> write(pair)["preferred_output"]
    [{'role': 'assistant', 'content': 'Hello!'}]
    """
    require_kind(example, FORMAT.id, ("preference",))
    require_no_label(example, FORMAT.id)
    links = link_tools(example.all_messages(), generate=True)
    record: dict[str, Any] = {"input": write_conversation(example, FORMAT.id, links)}
    for key, side in zip(_OUTPUT_KEYS, (example.chosen, example.rejected), strict=True):
        if any(message.role != "assistant" for message in side or ()):
            raise Unrepresentable(f"{FORMAT.id} answers hold assistant turns only")
        record[key] = write_messages(side or [], FORMAT.id, links, what=key)
    return record


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
    write=write,
    family="openai-preference",
    used_by="OpenAI, Azure OpenAI DPO, Together preference fine-tuning",
    reasoning=REASONING_KEY,
)
