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
from dataclasses import dataclass, field
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import has_messages_key, messages_array
from ftdata.formats._reasoning import THINK_OPEN, read_think_tags
from ftdata.formats._write import (
    arguments_object,
    check_metadata,
    check_name,
    check_no_reasoning,
    check_weight,
    function_definitions,
    has_content,
    link_tools,
    plain_turn,
    require_content,
    require_kind,
    require_messages,
    role_name,
    unsupported_part,
)
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
    message = Message(role=spelling.roles.get(tag, tag), content=content, pointer=pointer)
    if message.role == "assistant" and isinstance(value, str) and value.startswith(THINK_OPEN):
        # LLaMA-Factory keeps reasoning models' thoughts in the answer this way.
        read_think_tags(message)
    return message


def _read_turns(raw: Any, spelling: _Spelling) -> list[Message]:
    if not isinstance(raw, list):
        return []
    turns = (_read_turn(item, f"/{spelling.turns}/{index}", spelling)
             for index, item in enumerate(raw))
    return [turn for turn in turns if turn is not None]


def tools_text_findings(record: Mapping[str, Any], *, empty: bool) -> list[Finding]:
    """S004 for a ``tools`` string that does not hold JSON tool definitions (a list or one
    object); ``empty`` says whether an empty string (no tools) is fine.

    >>> tools_text_findings({"tools": "[{name: f}]"}, empty=True)[0].message
    'tools is not JSON tool definitions (Expecting property name enclosed in double quotes)'
    """
    value = record.get("tools")
    if not isinstance(value, str) or (empty and not value.strip()):
        return []
    try:
        decoded = json.loads(value)
    except ValueError as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        return [Finding("S004", f"tools is not JSON tool definitions ({reason})", "/tools")]
    except RecursionError:
        return [Finding("S004", "tools is not JSON tool definitions (nested too deeply)",
                        "/tools")]
    if not isinstance(decoded, (list, dict)):
        return [Finding("S004", "tools is not JSON tool definitions (not a list or an object)",
                        "/tools")]
    return []


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


# -- writing ------------------------------------------------------------------------------

#: Canonical role -> ``from`` of a ShareGPT turn; an assistant turn that calls tools is a
#: ``function_call`` turn instead.
WRITE_ROLES = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation",
               "function": "observation"}
#: Canonical media part type -> LLaMA-Factory's placeholder and the record key of its files.
MEDIA_PLACEHOLDERS = {"image": ("<image>", "images"), "video": ("<video>", "videos"),
                      "audio": ("<audio>", "audios")}


@dataclass
class MediaText:
    """Turn texts with LLaMA-Factory's media placeholders, collecting the files in order.

    Shared with ``alpaca``, whose LLaMA-Factory records carry media the same way.
    """

    fmt: str
    found: dict[str, list[str]] = field(default_factory=lambda: {key: [] for key in MEDIA_KEYS})
    texts: list[str] = field(default_factory=list)

    def text(self, message: Message) -> str:
        """The message's text, each media part replaced by its placeholder."""
        pieces: list[str] = []
        check_no_reasoning(message, self.fmt)
        for part in require_content(message, self.fmt):
            placeholder = MEDIA_PLACEHOLDERS.get(part.type)
            if part.type == "text":
                pieces.append(part.text or "")
            elif placeholder is None or part.url is None:
                raise unsupported_part(part, self.fmt)
            else:
                pieces.append(placeholder[0])
                self.found[placeholder[1]].append(part.url)
        text = "".join(pieces)
        self.texts.append(text)
        return text

    def fields(self, example: Example) -> dict[str, list[str]]:
        """The media lists: the files of the media parts, or the lists the example came with."""
        fields: dict[str, list[str]] = {}
        for token, key in MEDIA_PLACEHOLDERS.values():
            given = example.metadata.get(key)
            if self.found[key]:
                if given:
                    raise Unrepresentable(f"both {key} in the turns and a list of {key}")
                if sum(text.count(token) for text in self.texts) != len(self.found[key]):
                    raise Unrepresentable(f"a text holds {token}, which {self.fmt} would take "
                                          f"for a placeholder")
                fields[key] = self.found[key]
            elif isinstance(given, list):
                fields[key] = list(given)
        return fields


def _calls_value(message: Message) -> str:
    calls = [{"name": call.name, "arguments": arguments_object(call, FORMAT.id)}
             for call in message.tool_calls]
    return json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)


def _write_turn(message: Message, media: MediaText) -> dict[str, str]:
    check_no_reasoning(message, FORMAT.id)
    check_weight(message, FORMAT.id)
    check_name(message, FORMAT.id)
    if not message.tool_calls:
        return {"from": role_name(WRITE_ROLES, message, FORMAT.id), "value": media.text(message)}
    if message.role != "assistant":
        raise Unrepresentable(f"{FORMAT.id} has tool calls only in assistant turns")
    if has_content(message):
        raise Unrepresentable(f"{FORMAT.id} turns hold text or tool calls, not both")
    return {"from": SHAREGPT.call_role, "value": _calls_value(message)}


def _answer_turn(side: list[Message] | None, key: str, media: MediaText) -> dict[str, str]:
    if not side or len(side) != 1 or side[0].role != "assistant":
        raise Unrepresentable(f"{FORMAT.id} holds one assistant turn as the {key} answer")
    return _write_turn(side[0], media)


def write(example: Example) -> dict[str, Any]:
    """The example as ``conversations`` turns; a leading system message is the ``system`` key.

    >>> chat = Example(kind="chat", messages=[text_message("user", "Hi", ""),
    ...                                       text_message("assistant", "Hello!", "")])
    >>> write(chat)
    {'conversations': [{'from': 'human', 'value': 'Hi'}, {'from': 'gpt', 'value': 'Hello!'}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion", "preference"))
    check_metadata(example, FORMAT.id, MEDIA_KEYS)
    if not link_tools(example.all_messages()).in_order:
        raise Unrepresentable(f"tool results out of the order of their calls, which "
                              f"{FORMAT.id} pairs by position")
    media = MediaText(FORMAT.id)
    messages = example.messages
    record: dict[str, Any] = {}
    if messages and messages[0].role == "system":
        record["system"] = plain_turn(messages[0], WRITE_ROLES, FORMAT.id)[1]
        messages = messages[1:]
    record["conversations"] = [_write_turn(message, media)
                               for message in require_messages(messages, FORMAT.id)]
    if example.kind == "preference":
        if example.label is not None:
            raise Unrepresentable(f"{FORMAT.id} preference pairs have no KTO label")
        record["chosen"] = _answer_turn(example.chosen, "chosen", media)
        record["rejected"] = _answer_turn(example.rejected, "rejected", media)
    elif example.label is not None:
        record["kto_tag"] = example.label
    if example.tools is not None:
        record["tools"] = json.dumps(function_definitions(example.tools, FORMAT.id),
                                     ensure_ascii=False)
    record.update(media.fields(example))
    return record


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
    write=write,
    family="sharegpt",
    conversational=True,
    used_by="LLaMA-Factory, legacy Axolotl",
)
