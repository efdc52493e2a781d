"""``llamafactory-v1``: LLaMA-Factory v1 SFT samples, messages of typed content parts.

A record holds ``messages``; each message has a ``role`` (``system``, ``user``, ``assistant``,
``tool``), a ``content`` list of ``{"type", "value"}`` parts and an optional ``loss_weight``.
Part types are ``text``, ``reasoning`` (the turn's thinking, rendered as the chat template's
``reasoning_content``), ``tool_call`` (a JSON-encoded ``{"name", "arguments"}``) and the media
``image_url``, ``video_url`` and ``audio_url`` (a path or URL). ``tools`` is a JSON-encoded
list of tool definitions; ``extra_info`` a string. Sources in hiyouga/LLaMA-Factory (commit
ff6d4d12): ``src/llamafactory/v1/utils/types.py`` lines 81-118 (``Content``, ``Message``,
``SFTSample``, ``DPOSample``) and ``src/llamafactory/v1/core/rendering/format.py`` lines
38-98 (how each part type is rendered).

``loss_weight`` multiplies the loss of the turn's tokens and defaults to 1.0 (``types.py``
line 93-94). Only assistant turns are trained: a sample is cut after every assistant turn of
weight above 1e-6 (``core/data_engine.py`` line 140) and each cut trains its last turn only
(``core/rendering/rendering.py`` lines 144-166). So any weight of 0 or more is valid on any
turn; a negative one is reported (C007). The canonical weight of an assistant turn is its
``loss_weight`` (``None`` for the default 1.0); the weight of any other turn has no effect and
is not kept, and the writer spells every turn's weight out as LLaMA-Factory's own converters do
(0.0 for prompt turns, ``plugins/data_plugins/converter.py`` lines 149-165).

The preference sample (``chosen_messages``/``rejected_messages``) is ``llamafactory-v1-preference``,
which shares the messages defined here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from ftdata.diagnostics import Finding
from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import has_messages_key, messages_array
from ftdata.formats._reasoning import read_think_tags
from ftdata.formats._write import (
    arguments_object,
    check_metadata,
    check_name,
    function_definitions,
    link_tools,
    require_kind,
    require_messages,
    require_no_label,
    role_name,
    unsupported_part,
)
from ftdata.formats.sharegpt import read_calls, read_tools, tools_text_findings
from ftdata.model import Example, Message, Part, ToolCall
from ftdata.shapes import Arr, Num, Obj, Ref, Str, Tagged

# -- shape ----------------------------------------------------------------------------------

#: Part type -> canonical media type (``types.py`` line 82).
MEDIA_TYPES: dict[str, Literal["image", "video", "audio"]] = {
    "image_url": "image", "video_url": "video", "audio_url": "audio"}
PART_TYPES = ("text", "reasoning", "tool_call", *MEDIA_TYPES)
ROLES = ("system", "user", "assistant", "tool")


def _part(kind: str) -> Obj:
    return Obj({"type": Str([kind]), "value": Str()}, required=["type", "value"],
               what=f"{kind} part")


PART = Ref("v1_content_part", Tagged("type", {kind: _part(kind) for kind in PART_TYPES},
                                     what="content part type"))
#: A negative weight would push the model away from the turn; LLaMA-Factory takes it for "not
#: trained" (``rendering.py`` line 161), which is weight 0.
LOSS_WEIGHT = Num(minimum=0, code="C007", what="loss_weight")


def _message(role: str) -> Obj:
    return Obj({"role": Str([role]), "content": Arr(PART, what="content"),
                "loss_weight": LOSS_WEIGHT},
               required=["role", "content"], what=f"{role} message")


MESSAGE = Ref("v1_message", Tagged("role", {role: _message(role) for role in ROLES},
                                   code="C001", what="role"))

#: Keys every v1 sample may carry besides its messages (``types.py`` lines 100-105).
SAMPLE_FIELDS = {"tools": Str(), "extra_info": Str(), "_dataset_name": Str()}
CARRIED = ("extra_info", "_dataset_name")

SHAPE = Obj({"messages": messages_array(item=MESSAGE), **SAMPLE_FIELDS},
            required=["messages"], what="record")


def typed_messages(value: Any) -> bool:
    """Whether a message list is in v1's spelling: its first message has a ``loss_weight`` or
    content parts holding a ``value`` (OpenAI's parts hold ``text``).

    >>> typed_messages([{"role": "user", "content": [{"type": "text", "value": "Hi"}]}])
    True
    >>> typed_messages([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}])
    False
    """
    if not isinstance(value, list) or not value or not isinstance(value[0], Mapping):
        return False
    first = value[0]
    if "loss_weight" in first:
        return True
    content = first.get("content")
    return (isinstance(content, list) and bool(content) and isinstance(content[0], Mapping)
            and "value" in content[0])


def cross_check(record: Mapping[str, Any]) -> list[Finding]:
    """``tools`` must hold JSON: LLaMA-Factory raises on anything else, an empty string aside
    (``core/rendering/rendering.py`` lines 73-80)."""
    return tools_text_findings(record, empty=True)


def matches(record: Mapping[str, Any]) -> bool:
    return has_messages_key(record) and (typed_messages(record["messages"])
                                         or any(key in record for key in CARRIED))


# -- reading --------------------------------------------------------------------------------


def _weight(role: str, value: Any) -> float | None:
    if role != "assistant" or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if value == 1 else value


def read_v1_message(raw: Any, pointer: str) -> Message | None:
    """One message; parts that are not objects are left to the shape to report."""
    if not isinstance(raw, Mapping):
        return None
    role = raw.get("role")
    role = role if isinstance(role, str) else ""
    message = Message(role=role, content=None, weight=_weight(role, raw.get("loss_weight")),
                      pointer=pointer, weight_pointer=f"{pointer}/loss_weight")
    content = raw.get("content")
    if not isinstance(content, list):
        return message
    parts: list[Part] = []
    reasoning: list[str] = []
    for index, item in enumerate(content):
        if not isinstance(item, Mapping):
            continue
        item_pointer = f"{pointer}/content/{index}"
        value_pointer = f"{item_pointer}/value"  # findings point at the string itself
        kind, value = item.get("type"), item.get("value")
        kind = kind if isinstance(kind, str) else "text"
        text = value if isinstance(value, str) else None
        if kind == "reasoning":
            # Several reasoning parts are concatenated (``format.py`` lines 50-51).
            reasoning.append(text or "")
            if message.reasoning_pointer is None:
                message.reasoning_pointer = value_pointer
        elif kind == "tool_call":
            message.tool_calls.extend(read_calls(value, item_pointer, value_pointer))
        elif kind in MEDIA_TYPES:
            parts.append(Part(MEDIA_TYPES[kind], url=text, pointer=value_pointer))
        else:
            parts.append(Part("text", text=text, pointer=value_pointer))
    # A turn that only calls tools has no content, as in the other formats.
    message.content = parts if parts or not message.tool_calls else None
    if reasoning:
        message.reasoning = "".join(reasoning)
        message.reasoning_source = "reasoning"
    elif role == "assistant":
        read_think_tags(message)  # a <think> block written in the text, as Qwen3 data has it
    return message


def read_v1_messages(raw: Any, pointer: str, start: int = 0) -> list[Message]:
    if not isinstance(raw, list):
        return []
    messages = (read_v1_message(raw[index], f"{pointer}/{index}")
                for index in range(start, len(raw)))
    return [message for message in messages if message is not None]


def read_sample_fields(record: Mapping[str, Any], example: Example) -> Example:
    """``tools`` and the carried strings (``extra_info``, ``_dataset_name``) of a sample."""
    example.tools = read_tools(record.get("tools"))
    example.metadata.update({key: record[key] for key in CARRIED
                             if isinstance(record.get(key), str)})
    return example


def read(record: Mapping[str, Any]) -> Example:
    return read_sample_fields(record, Example(
        kind="chat", messages=read_v1_messages(record.get("messages"), "/messages")))


# -- writing --------------------------------------------------------------------------------

#: Canonical role -> v1 role; OpenAI's legacy function results are tool messages.
WRITE_ROLES = {"system": "system", "user": "user", "assistant": "assistant", "tool": "tool",
               "function": "tool"}
WRITE_MEDIA: dict[str, str] = {media: kind for kind, media in MEDIA_TYPES.items()}


def _write_part(part: Part, fmt: str) -> dict[str, str]:
    if part.type == "text":
        return {"type": "text", "value": part.text or ""}
    kind = WRITE_MEDIA.get(part.type)
    if kind is None or part.url is None:
        raise unsupported_part(part, fmt)
    return {"type": kind, "value": part.url}


def _write_call(call: ToolCall, fmt: str) -> dict[str, str]:
    value = {"name": call.name, "arguments": arguments_object(call, fmt)}
    return {"type": "tool_call", "value": json.dumps(value, ensure_ascii=False)}


def _loss_weight(message: Message, role: str, fmt: str) -> float:
    weight = message.weight
    if role == "assistant":
        return 1.0 if weight is None else float(weight)
    if weight is not None and weight != 0:
        raise Unrepresentable(f"{fmt} trains assistant turns only ({message.role} turn with "
                              f"weight {str(weight)[:20]})")
    return 0.0


def write_v1_message(message: Message, fmt: str) -> dict[str, Any]:
    """One message: reasoning first, then the content, then the tool calls."""
    role = role_name(WRITE_ROLES, message, fmt)
    check_name(message, fmt)
    content: list[dict[str, str]] = []
    if message.reasoning is not None:
        if role != "assistant":
            raise Unrepresentable(f"{fmt} renders reasoning of assistant turns only")
        content.append({"type": "reasoning", "value": message.reasoning})
    content.extend(_write_part(part, fmt) for part in message.content or ())
    if message.tool_calls and role != "assistant":
        raise Unrepresentable(f"{fmt} has tool calls only in assistant turns")
    content.extend(_write_call(call, fmt) for call in message.tool_calls)
    return {"role": role, "content": content,
            "loss_weight": _loss_weight(message, role, fmt)}


def write_v1_messages(messages: list[Message], fmt: str, what: str = "conversation"
                      ) -> list[dict[str, Any]]:
    require_messages(messages, fmt, what)
    return [write_v1_message(message, fmt) for message in messages]


def write_sample_fields(example: Example, fmt: str, record: dict[str, Any]) -> dict[str, Any]:
    """Check what the example carries besides messages and add ``tools`` and the carried
    strings to ``record``. Results answer calls by position: v1 has no call ids."""
    require_no_label(example, fmt)
    check_metadata(example, fmt, CARRIED)
    if not link_tools(example.all_messages()).in_order:
        raise Unrepresentable(f"tool results out of the order of their calls, which {fmt} "
                              f"pairs by position")
    if example.tools is not None:
        functions = function_definitions(example.tools, fmt)
        record["tools"] = json.dumps([{"type": "function", "function": function}
                                      for function in functions], ensure_ascii=False)
    for key in CARRIED:
        value = example.metadata.get(key)
        if isinstance(value, str):
            record[key] = value
    return record


def write(example: Example) -> dict[str, Any]:
    """The example as v1 messages, every turn's ``loss_weight`` spelt out.

    >>> from ftdata.model import text_message
    >>> write(Example(kind="chat", messages=[text_message("user", "Hi", ""),
    ...                                      text_message("assistant", "Hello!", "")]))
    {'messages': [{'role': 'user', 'content': [{'type': 'text', 'value': 'Hi'}], \
'loss_weight': 0.0}, {'role': 'assistant', 'content': [{'type': 'text', 'value': 'Hello!'}], \
'loss_weight': 1.0}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    record: dict[str, Any] = {"messages": write_v1_messages(example.messages, FORMAT.id)}
    return write_sample_fields(example, FORMAT.id, record)


FORMAT = Format(
    id="llamafactory-v1",
    title="LLaMA-Factory v1 SFT sample",
    description='{"messages": [{"role", "content": [{"type": text|reasoning|tool_call|'
                'image_url|video_url|audio_url, "value": str}], "loss_weight"?: number}], '
                '"tools"?: str, "extra_info"?: str}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=cross_check,
    family="llamafactory-v1",
    conversational=True,
    local_media=True,
    # A turn's reasoning is a typed part of its content (core/rendering/format.py:38-98).
    reasoning="reasoning",
    used_by="LLaMA-Factory v1 (SFT)",
)
