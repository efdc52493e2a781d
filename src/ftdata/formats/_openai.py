"""OpenAI-style messages (``role``/``content``), shared by the formats that use them.

The shapes follow OpenAI's fine-tuning file format: roles system, developer, user, assistant,
tool and the legacy function; content a string or a list of ``text``/``image_url`` parts;
assistant turns may carry ``tool_calls``, a legacy ``function_call`` and a ``weight`` of 0 or 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.diagnostics import pointer_join
from ftdata.formats._errors import Unrepresentable
from ftdata.formats._reasoning import THINK_OPEN, read_think_tags
from ftdata.formats._write import (
    ToolLinks,
    arguments_text,
    check_metadata,
    function_definitions,
    link_tools,
    require_messages,
    role_name,
    unsupported_part,
)
from ftdata.model import ROLES, Example, Message, Part, ToolCall
from ftdata.shapes import (
    AnyValue,
    Arr,
    Bool,
    Forbidden,
    Null,
    Num,
    Obj,
    Ref,
    Shape,
    Str,
    Tagged,
    Union,
)

TEXT_PART = Obj({"type": Str(["text"]), "text": Str()}, required=["type", "text"],
                what="text part")
IMAGE_PART = Obj(
    {"type": Str(["image_url"]),
     "image_url": Obj({"url": Str(), "detail": Str(["auto", "low", "high"], what="detail")},
                      required=["url"], what="image_url")},
    required=["type", "image_url"], what="image part")
PART = Ref("content_part", Tagged("type", {"text": TEXT_PART, "image_url": IMAGE_PART},
                                  what="content part type"))
CONTENT = Union(Str(), Arr(PART, what="content"))

FUNCTION_CALL = Obj({"name": Str(), "arguments": Str()}, required=["name", "arguments"],
                    what="function call")
TOOL_CALL = Ref("tool_call", Obj(
    {"id": Str(), "type": Str(["function"], what="tool call type"), "function": FUNCTION_CALL},
    required=["id", "type", "function"], what="tool call"))

#: OpenAI's rule; a target with ``weights_on_any_message`` lifts it (rules.schema.lift_findings).
WEIGHT_ELSEWHERE = "weight is only allowed on assistant messages"
_WEIGHT_ELSEWHERE = Forbidden("C007", WEIGHT_ELSEWHERE)

#: The keys that hold an assistant's reasoning trace, in the order a reader looks for them:
#: Together's ``reasoning`` and ``reasoning_content``, axolotl's and Qwen3's
#: ``reasoning_content``, Harmony's ``thinking`` (sources in :mod:`ftdata.formats._reasoning`).
REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")
#: The key a writer uses when the reasoning was not read from one of them: the one that
#: Together, axolotl's default and Qwen3's chat template all read.
REASONING_KEY = "reasoning_content"
#: Reasoning keys on a message that is not the assistant's: C017, like a misplaced weight.
REASONING_ELSEWHERE: dict[str, Shape] = {
    key: Forbidden("C017", "reasoning is only allowed on assistant messages")
    for key in REASONING_KEYS}
REASONING_FIELDS: dict[str, Shape] = {key: Str() for key in REASONING_KEYS}


def _plain(role: str, *, content_required: bool = True) -> Obj:
    return Obj({"role": Str([role]), "content": CONTENT, "name": Str(),
                "weight": _WEIGHT_ELSEWHERE, **REASONING_ELSEWHERE},
               required=["role", "content"] if content_required else ["role"],
               what=f"{role} message")


ASSISTANT = Obj(
    {"role": Str(["assistant"]), "content": Union(Str(), Null(), Arr(PART, what="content")),
     "name": Str(), "tool_calls": Arr(TOOL_CALL, what="tool_calls"),
     "function_call": FUNCTION_CALL, "refusal": Union(Str(), Null()),
     "weight": Num(enum=[0, 1], code="C007", what="weight"), **REASONING_FIELDS},
    required=["role"], require_any=[("content", "tool_calls", "function_call")],
    # "content": null only stands beside calls: without them the turn has no answer (OpenAI's
    # chat input: content "required unless tool_calls or function_call is specified").
    absent_when_null=["content"], what="assistant message")

TOOL = Obj({"role": Str(["tool"]), "content": CONTENT, "tool_call_id": Str(), "name": Str(),
            "weight": _WEIGHT_ELSEWHERE, **REASONING_ELSEWHERE},
           required=["role", "content", "tool_call_id"], what="tool message")
FUNCTION = Obj({"role": Str(["function"]), "content": Union(Str(), Null()), "name": Str(),
                "weight": _WEIGHT_ELSEWHERE, **REASONING_ELSEWHERE},
               required=["role", "name", "content"], what="function message")

MESSAGE_BRANCHES: dict[str, Obj] = {
    "system": _plain("system"),
    "developer": _plain("developer"),
    "user": _plain("user"),
    "assistant": ASSISTANT,
    "tool": TOOL,
    "function": FUNCTION,
}
MESSAGE = Ref("message", Tagged("role", MESSAGE_BRANCHES, code="C001", what="role"))
ASSISTANT_MESSAGE = Ref("assistant_message",
                        Tagged("role", {"assistant": ASSISTANT}, code="C001", what="role"))

_FUNCTION_FIELDS: dict[str, Shape] = {
    "name": Str(), "description": Str(), "parameters": Obj({}, extra=True, what="parameters"),
    "strict": Bool()}
FUNCTION_DEF = Ref("function_definition", Obj(_FUNCTION_FIELDS, required=["name"],
                                              what="function definition"))
TOOL_DEF = Ref("tool", Obj({"type": Str(["function"], what="tool type"),
                            "function": FUNCTION_DEF},
                           required=["type", "function"], what="tool"))
TOOLS = Arr(TOOL_DEF, what="tools")
FUNCTIONS = Arr(FUNCTION_DEF, what="functions")


def messages_array(*, what: str = "messages", item: Shape = MESSAGE) -> Arr:
    """A non-empty array of messages; an empty one is C015 (empty-conversation)."""
    return Arr(item, min_items=1, min_code="C015", what=what)


ANY = AnyValue()

# -- reading ------------------------------------------------------------------------------


def read_content(value: Any, pointer: str) -> list[Part] | None:
    """Content as parts: a string is one text part, ``None`` (or absent) stays ``None``."""
    if isinstance(value, str):
        return [Part("text", value, None, None, pointer)]
    if not isinstance(value, list):
        return None
    parts: list[Part] = []
    for index, item in enumerate(value):
        item_pointer = f"{pointer}/{index}"
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type")
        if kind == "image_url":
            image = item.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else None
            detail = image.get("detail") if isinstance(image, Mapping) else None
            parts.append(Part("image", url=url if isinstance(url, str) else None,
                              detail=detail if isinstance(detail, str) else None,
                              pointer=item_pointer))
        else:
            text = item.get("text")
            parts.append(Part("text", text=text if isinstance(text, str) else None,
                              pointer=item_pointer))
    return parts


def read_tool_calls(message: Mapping[str, Any], pointer: str) -> list[ToolCall]:
    calls: list[ToolCall] = []
    raw_calls = message.get("tool_calls")
    if isinstance(raw_calls, list):
        for index, raw in enumerate(raw_calls):
            if not isinstance(raw, Mapping):
                continue
            function = raw.get("function")
            function = function if isinstance(function, Mapping) else {}
            name = function.get("name")
            call_id = raw.get("id")
            calls.append(ToolCall(name=name if isinstance(name, str) else "",
                                  arguments=function.get("arguments"),
                                  id=call_id if isinstance(call_id, str) else None,
                                  pointer=pointer_join(pointer, "tool_calls", index),
                                  arguments_pointer=pointer_join(
                                      pointer, "tool_calls", index, "function", "arguments")))
    legacy = message.get("function_call")
    if isinstance(legacy, Mapping):
        name = legacy.get("name")
        calls.append(ToolCall(name=name if isinstance(name, str) else "",
                              arguments=legacy.get("arguments"),
                              pointer=pointer_join(pointer, "function_call"),
                              arguments_pointer=pointer_join(pointer, "function_call",
                                                             "arguments")))
    return calls


#: The known roles as one shared string each: the rules compare roles all the time, and
#: equal strings that are the same object compare at once.
_SHARED_ROLES = {role: role for role in ROLES}


def read_message(raw: Any, pointer: str) -> Message | None:
    # Called for every message of every record: one lookup per key, positional arguments,
    # and the tool-call reader only for the turns that have calls.
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return None
    get = raw.get
    role = get("role")
    if type(role) is str:
        role = _SHARED_ROLES.get(role, role)
    name = get("name")
    weight = get("weight")
    tool_call_id = get("tool_call_id")
    content = get("content")
    content_pointer = pointer + "/content"
    message = Message(
        role if isinstance(role, str) else "",
        [Part("text", content, None, None, content_pointer)] if isinstance(content, str)
        else read_content(content, content_pointer),
        name if isinstance(name, str) else None,
        read_tool_calls(raw, pointer) if "tool_calls" in raw or "function_call" in raw else [],
        tool_call_id if isinstance(tool_call_id, str) else None,
        weight if isinstance(weight, (int, float)) and not isinstance(weight, bool) else None,
        pointer,
    )
    if role == "assistant":
        # Only the assistant's reasoning is read; elsewhere the shape reports it (C017).
        if len(raw) != 2 or "content" not in raw:
            read_reasoning_field(raw, message, pointer)
        if type(content) is str and content.startswith(THINK_OPEN):
            read_think_tags(message)
    return message


def read_reasoning_field(raw: Mapping[str, Any], message: Message, pointer: str) -> None:
    """The first reasoning key of :data:`REASONING_KEYS` the message has, as its reasoning."""
    for key in REASONING_KEYS:
        value = raw.get(key)
        if isinstance(value, str):
            message.reasoning = value
            message.reasoning_pointer = f"{pointer}/{key}"
            message.reasoning_source = key
            return


def read_messages(raw: Any, pointer: str) -> list[Message]:
    """Messages from a list, skipping items that are not objects (the shape reports them)."""
    if not isinstance(raw, list):
        return []
    messages = []
    for index, item in enumerate(raw):
        message = read_message(item, f"{pointer}/{index}")
        if message is not None:
            messages.append(message)
    return messages


def read_tools(record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Declared tools, normalised to ``{"type": "function", "function": {...}}``."""
    tools: list[dict[str, Any]] = []
    found = False
    raw_tools = record.get("tools")
    if isinstance(raw_tools, list):
        found = True
        tools.extend(dict(t) for t in raw_tools if isinstance(t, Mapping))
    raw_functions = record.get("functions")
    if isinstance(raw_functions, list):
        found = True
        tools.extend({"type": "function", "function": dict(f)}
                     for f in raw_functions if isinstance(f, Mapping))
    return tools if found else None


def has_messages_key(record: Mapping[str, Any], key: str = "messages") -> bool:
    return isinstance(record.get(key), list)


def last_role(messages: Any) -> str | None:
    if isinstance(messages, list) and messages and isinstance(messages[-1], Mapping):
        role = messages[-1].get("role")
        return role if isinstance(role, str) else None
    return None


def message_dict_list(value: Any) -> bool:
    """True for a non-empty list of objects that have a ``role`` (a message list)."""
    return (isinstance(value, list) and bool(value)
            and all(isinstance(item, Mapping) and "role" in item for item in value))


def read_settings(record: Mapping[str, Any]) -> dict[str, Any]:
    """``parallel_tool_calls``, kept in the example's metadata so a writer can restore it."""
    value = record.get("parallel_tool_calls")
    return {"parallel_tool_calls": value} if isinstance(value, bool) else {}


# -- writing ------------------------------------------------------------------------------

#: Canonical role -> OpenAI role. Legacy function calling is written in today's spelling:
#: ``function`` results become ``tool`` messages, ``function_call`` a ``tool_calls`` entry.
WRITE_ROLES = {"system": "system", "developer": "developer", "user": "user",
               "assistant": "assistant", "tool": "tool", "function": "tool"}
WEIGHTS = (0, 1)
FUNCTION_KEYS = frozenset(_FUNCTION_FIELDS)


def write_content(parts: list[Part], fmt: str) -> str | list[dict[str, Any]]:
    """One text part as a string, anything else as a list of text and image parts."""
    if len(parts) == 1 and parts[0].type == "text":
        return parts[0].text or ""
    return [_write_part(part, fmt) for part in parts]


def _write_part(part: Part, fmt: str) -> dict[str, Any]:
    if part.type == "text":
        return {"type": "text", "text": part.text or ""}
    if part.type != "image" or part.url is None:
        raise unsupported_part(part, fmt)
    image = {"url": part.url}
    if part.detail is not None:
        image["detail"] = part.detail
    return {"type": "image_url", "image_url": image}


def _write_call(call: ToolCall, links: ToolLinks) -> dict[str, Any]:
    return {"id": links.call_id(call), "type": "function",
            "function": {"name": call.name, "arguments": arguments_text(call)}}


def write_message(message: Message, links: ToolLinks, fmt: str) -> dict[str, Any]:
    """One message; ``links`` supplies the ids of tool calls and of the calls results answer."""
    role = role_name(WRITE_ROLES, message, fmt)
    written: dict[str, Any] = {"role": role}
    if message.content is not None:
        written["content"] = write_content(message.content, fmt)
    elif role != "assistant":
        raise Unrepresentable(f"{message.role} turn without content, which {fmt} requires")
    elif not message.tool_calls:
        raise Unrepresentable(f"assistant turn without content or tool calls, which {fmt} "
                              f"requires")
    if message.name is not None:
        written["name"] = message.name
    if message.tool_calls:
        if role != "assistant":
            raise Unrepresentable(f"{fmt} has tool calls only in assistant turns")
        written["tool_calls"] = [_write_call(call, links) for call in message.tool_calls]
    if role == "tool":
        written["tool_call_id"] = links.result_id(message)
        if written["tool_call_id"] is None:
            raise Unrepresentable("tool result that answers no tool call")
    if message.weight is not None:
        if role != "assistant" or message.weight not in WEIGHTS:
            raise Unrepresentable(f"{fmt} weighs only assistant turns, by 0 or 1")
        written["weight"] = message.weight
    if message.reasoning is not None:
        written[reasoning_key(message, role, fmt)] = message.reasoning
    return written


def reasoning_key(message: Message, role: str, fmt: str) -> str:
    """The key of the message's reasoning: the one it was read from, else
    :data:`REASONING_KEY`; only assistant messages have one."""
    if role != "assistant":
        raise Unrepresentable(f"{fmt} has reasoning only in assistant turns")
    source = message.reasoning_source
    return source if source in REASONING_KEYS else REASONING_KEY


def write_messages(messages: list[Message], fmt: str, links: ToolLinks | None = None,
                   what: str = "conversation") -> list[dict[str, Any]]:
    """Non-empty messages; tool calls without ids get generated ones (OpenAI requires ids)."""
    require_messages(messages, fmt, what)
    links = links if links is not None else link_tools(messages, generate=True)
    return [write_message(message, links, fmt) for message in messages]


def write_tools(tools: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    return [{"type": "function", "function": function}
            for function in function_definitions(tools, fmt, FUNCTION_KEYS)]


def write_conversation(example: Example, fmt: str, links: ToolLinks | None = None,
                       carried: tuple[str, ...] = ("parallel_tool_calls",)) -> dict[str, Any]:
    """``messages``, ``tools`` and ``parallel_tool_calls``: the part shared by OpenAI records."""
    check_metadata(example, fmt, carried)
    record: dict[str, Any] = {"messages": write_messages(example.messages, fmt, links)}
    if example.tools is not None:
        record["tools"] = write_tools(example.tools, fmt)
    parallel = example.metadata.get("parallel_tool_calls")
    if isinstance(parallel, bool):
        record["parallel_tool_calls"] = parallel
    return record
