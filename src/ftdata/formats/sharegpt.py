"""``sharegpt``: ShareGPT conversations, as LLaMA-Factory and legacy Axolotl read them.

A record holds its turns under ``conversations`` as ``{"from", "value"}`` objects; ``from`` is
``system``, ``human``, ``gpt``, ``function_call`` (the value is a JSON call, or a JSON list of
calls, ``{"name", "arguments"}``) or ``observation`` (a tool result). ``system`` and ``tools``
(JSON-encoded, possibly empty) are optional strings; the ``id`` that the original ShareGPT
dumps carry is allowed too.

LLaMA-Factory adds three variants, all accepted here:

* preference data: ``chosen`` and ``rejected`` answer turns next to the prompt ``conversations``;
* KTO data: a boolean ``kto_tag``;
* multimodal data: ``images``, ``videos`` and ``audios`` lists, matched by ``<image>``,
  ``<video>`` and ``<audio>`` placeholders in the text. Its demo files use the role/content
  spelling ``{"messages": [{"role", "content"}]}`` with roles ``user``, ``assistant``,
  ``system``, ``function`` and ``observation``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import has_messages_key, messages_array
from ftdata.formats.prompt_completion import string_message
from ftdata.model import Example, Message, Part, ToolCall
from ftdata.shapes import (
    Arr,
    Bool,
    Keyed,
    Num,
    Obj,
    Ref,
    Shape,
    Str,
    Tagged,
    Union,
)


@dataclass(frozen=True)
class _Spelling:
    """How one variant names its turns: the list, the role and text keys, the role names."""

    turns: str
    role_key: str
    text_key: str
    #: Raw role -> canonical role; the call role becomes an assistant turn with tool calls.
    roles: Mapping[str, str]
    call_role: str


SHAREGPT = _Spelling("conversations", "from", "value",
                     {"system": "system", "human": "user", "gpt": "assistant",
                      "function_call": "assistant", "observation": "tool"},
                     call_role="function_call")
ROLE_CONTENT = _Spelling("messages", "role", "content",
                         {"system": "system", "user": "user", "assistant": "assistant",
                          "function": "assistant", "observation": "tool"},
                         call_role="function")

MEDIA_KEYS = ("images", "videos", "audios")


def _turn(spelling: _Spelling, role: str) -> Obj:
    return Obj({spelling.role_key: Str([role]), spelling.text_key: Str()},
               required=[spelling.role_key, spelling.text_key], what=f"{role} turn")


def _turn_shape(spelling: _Spelling, roles: Sequence[str]) -> Tagged:
    return Tagged(spelling.role_key, {role: _turn(spelling, role) for role in roles},
                  code="C001", what=spelling.role_key)


TURN = Ref("sharegpt_turn", _turn_shape(SHAREGPT, list(SHAREGPT.roles)))
ANSWER = Ref("sharegpt_answer", _turn_shape(SHAREGPT, ["gpt", "function_call"]))
MESSAGE = Ref("sharegpt_message", _turn_shape(ROLE_CONTENT, list(ROLE_CONTENT.roles)))

_COMMON: dict[str, Shape] = {
    "system": Str(),
    "tools": Str(),
    "id": Union(Str(), Num()),
    **{key: Arr(Str(), what=key) for key in MEDIA_KEYS},
}
_CONVERSATIONS = messages_array(what="conversations", item=TURN)

CONVERSATIONS_RECORD = Ref("sharegpt_record", Obj(
    {"conversations": _CONVERSATIONS, "kto_tag": Bool(), **_COMMON},
    required=["conversations"], what="record"))
PREFERENCE_RECORD = Ref("sharegpt_preference_record", Obj(
    {"conversations": _CONVERSATIONS, "chosen": ANSWER, "rejected": ANSWER, **_COMMON},
    required=["conversations", "chosen", "rejected"], what="preference record"))
MESSAGES_RECORD = Ref("sharegpt_messages_record", Obj(
    {"messages": messages_array(item=MESSAGE), **_COMMON},
    required=["messages"], what="record"))

SHAPE = Keyed([("chosen", PREFERENCE_RECORD), ("rejected", PREFERENCE_RECORD),
                  ("messages", MESSAGES_RECORD), ("conversations", CONVERSATIONS_RECORD)],
                 fallback=CONVERSATIONS_RECORD)


def matches(record: Mapping[str, Any]) -> bool:
    # Plain ``messages`` records are OpenAI's; only the multimodal keys make them LLaMA-Factory's.
    if "conversations" in record:
        return True
    return has_messages_key(record) and any(key in record for key in MEDIA_KEYS)


# -- reading ------------------------------------------------------------------------------


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def read_calls(value: Any, pointer: str, value_pointer: str) -> list[ToolCall]:
    """The calls in a function-call turn: a JSON call or list of calls, kept raw if neither."""
    if not isinstance(value, str):
        return []
    decoded = _decode(value)
    calls = decoded if isinstance(decoded, list) else [decoded]
    if not calls or not all(isinstance(call, Mapping) for call in calls):
        return [ToolCall(name="", arguments=value, pointer=pointer,
                         arguments_pointer=value_pointer)]
    out: list[ToolCall] = []
    for call in calls:
        name = call.get("name")
        out.append(ToolCall(name=name if isinstance(name, str) else "",
                            arguments=call.get("arguments"), pointer=pointer,
                            arguments_pointer=value_pointer))
    return out


def _read_turn(raw: Any, pointer: str, spelling: _Spelling) -> Message | None:
    if not isinstance(raw, Mapping):
        return None
    tag = raw.get(spelling.role_key)
    tag = tag if isinstance(tag, str) else ""
    value = raw.get(spelling.text_key)
    value_pointer = f"{pointer}/{spelling.text_key}"
    if tag == spelling.call_role:
        return Message(role="assistant", content=None,
                       tool_calls=read_calls(value, pointer, value_pointer), pointer=pointer)
    content = [Part("text", text=value, pointer=value_pointer)] if isinstance(value, str) else None
    return Message(role=spelling.roles.get(tag, tag), content=content, pointer=pointer)


def _read_turns(raw: Any, spelling: _Spelling) -> list[Message]:
    if not isinstance(raw, list):
        return []
    turns = (_read_turn(item, f"/{spelling.turns}/{index}", spelling)
             for index, item in enumerate(raw))
    return [turn for turn in turns if turn is not None]


def read_tools(value: Any) -> list[dict[str, Any]] | None:
    """Declared tools from the JSON-encoded ``tools`` string; ``None`` when there are none.

    LLaMA-Factory accepts a list of function definitions (or one definition), bare or wrapped
    in ``{"type": "function", "function": {...}}``; an empty string declares nothing.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    decoded = _decode(value)
    if isinstance(decoded, Mapping):
        decoded = [decoded]
    if not isinstance(decoded, list):
        return None
    tools: list[dict[str, Any]] = []
    for item in decoded:
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("function"), Mapping):
            tools.append(dict(item))
        else:
            tools.append({"type": "function", "function": dict(item)})
    return tools


def _answer(raw: Any, pointer: str) -> list[Message]:
    message = _read_turn(raw, pointer, SHAREGPT)
    return [message] if message is not None else []


def read(record: Mapping[str, Any]) -> Example:
    preference = "chosen" in record or "rejected" in record
    role_content = not preference and "messages" in record
    spelling = ROLE_CONTENT if role_content else SHAREGPT
    messages = _read_turns(record.get(spelling.turns), spelling)
    system = string_message("system", record.get("system"), "/system")
    if system is not None:
        messages.insert(0, system)
    kto_tag = record.get("kto_tag")
    example = Example(kind="chat", messages=messages, tools=read_tools(record.get("tools")),
                      label=kto_tag if isinstance(kto_tag, bool) else None,
                      metadata={key: record[key] for key in MEDIA_KEYS
                                if isinstance(record.get(key), list)})
    if preference:
        example.kind = "preference"
        example.chosen = _answer(record.get("chosen"), "/chosen")
        example.rejected = _answer(record.get("rejected"), "/rejected")
    return example


FORMAT = Format(
    id="sharegpt",
    title="ShareGPT conversation record (LLaMA-Factory, Axolotl)",
    description='{"conversations": [{"from", "value"}], "system"?: str, "tools"?: str, '
                '"chosen"?, "rejected"?, "kto_tag"?, "images"?, "videos"?, "audios"?}; '
                'LLaMA-Factory multimodal: {"messages": [{"role", "content"}], "images"?, ...}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="sharegpt",
    conversational=True,
    used_by="LLaMA-Factory, legacy Axolotl",
)
