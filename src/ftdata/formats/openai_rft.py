"""``openai-rft``: reinforcement fine-tuning; the conversation ends with the user's turn.

Any extra keys are allowed: they are passed to the grader as reference data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable, llamafactory_v1
from ftdata.formats._openai import (
    ANY,
    FUNCTIONS,
    REASONING_KEY,
    TOOLS,
    has_messages_key,
    last_role,
    messages_array,
    read_messages,
    read_tools,
    write_conversation,
)
from ftdata.formats._write import require_kind, require_no_label
from ftdata.model import Example
from ftdata.shapes import Bool, Obj

# Keys that make a ``messages`` record another format's (Bedrock, LLaMA-Factory, KTO).
# (``label`` is allowed: graders often read one; KTO records end with the assistant.)
OTHER_FORMAT_KEYS = ("system", "schemaVersion", "images", "videos", "audios")
# Settings of other formats: not grader data, so not written.
_OTHER_FORMAT_SETTINGS = ("schemaVersion", "toolConfig")

SHAPE = Obj(
    {"messages": messages_array(), "tools": TOOLS, "parallel_tool_calls": Bool(),
     "functions": FUNCTIONS},
    required=["messages"], extra=ANY, what="record")


def matches(record: Mapping[str, Any]) -> bool:
    return (has_messages_key(record)
            and not any(key in record for key in OTHER_FORMAT_KEYS)
            and last_role(record.get("messages")) == "user"
            and not llamafactory_v1.matches(record))


_CONVERSATION_KEYS = ("messages", "tools", "functions")


def read(record: Mapping[str, Any]) -> Example:
    # Everything else is reference data for the grader (and ``parallel_tool_calls``).
    extra = {k: v for k, v in record.items() if k not in _CONVERSATION_KEYS}
    return Example(kind="chat", messages=read_messages(record.get("messages"), "/messages"),
                   tools=read_tools(record), metadata=extra)


def write(example: Example) -> dict[str, Any]:
    """The example as an RFT record: the conversation, then the metadata as grader data.

    >>> write(Example(kind="chat", messages=[text_message("user", "2+2?", "")],
    ...               metadata={"answer": "4"}))
    {'messages': [{'role': 'user', 'content': '2+2?'}], 'answer': '4'}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    last = example.messages[-1].role if example.messages else "nothing"
    if last != "user":
        raise Unrepresentable(f"{FORMAT.id} conversations end with the user's turn, "
                              f"not with {last}")
    record = write_conversation(example, FORMAT.id, carried=tuple(example.metadata))
    extra = {key: value for key, value in example.metadata.items()
             if key not in record and key not in _OTHER_FORMAT_SETTINGS and value != []}
    for key in extra:
        if key in OTHER_FORMAT_KEYS:
            raise Unrepresentable(f"{key!r} would make the {FORMAT.id} record read as another "
                                  f"format's")
    return {**record, **extra}


FORMAT = Format(
    id="openai-rft",
    title="OpenAI reinforcement fine-tuning record",
    description='{"messages": [..., last is user], any extra keys for the grader}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="messages",
    conversational=True,
    ends_with_user=True,
    used_by="OpenAI, Azure OpenAI reinforcement fine-tuning",
    reasoning=REASONING_KEY,
)
