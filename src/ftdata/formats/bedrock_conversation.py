"""``bedrock-conversation``: Amazon Bedrock's conversation records for Nova fine-tuning.

The record follows the Bedrock Converse API: an optional ``system`` list of ``{"text"}``
blocks, and ``messages`` whose ``content`` is a list of blocks holding one kind of data each.
User turns may hold ``text``, ``image``, ``video`` and ``document`` blocks (media are read from
S3 through ``source.s3Location``) and ``toolResult`` blocks; assistant turns hold ``text``,
``reasoningContent`` (Nova 2) and ``toolUse`` blocks. ``toolConfig`` declares the tools.

``schemaVersion`` is conventionally ``"bedrock-conversation-2024"``, but Amazon's Nova guide says
it "can be any string value" and Amazon's own dataset validator treats it as optional, so any
string, or none, is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import has_messages_key, messages_array
from ftdata.formats._reasoning import read_think_tags
from ftdata.formats._write import (
    ToolLinks,
    TurnStyle,
    arguments_object,
    check_metadata,
    function_definitions,
    leading_system,
    link_tools,
    require_kind,
    require_no_label,
    require_user_assistant_alternation,
    system_texts,
    text_only,
    unsupported_part,
    write_turns,
)
from ftdata.model import Example, Message, Part, ToolCall
from ftdata.shapes import Arr, Keyed, Obj, Ref, Shape, Str, Tagged

S3_LOCATION = Obj({"uri": Str(), "bucketOwner": Str()}, required=["uri"], what="s3Location")
SOURCE = Obj({"s3Location": S3_LOCATION}, required=["s3Location"], what="source")


def _media(kind: str, formats: tuple[str, ...], **extra: Shape) -> Obj:
    return Obj({"format": Str(formats, what=f"{kind} format"), "source": SOURCE, **extra},
               required=["format", "source"], what=kind)


_TOOL_RESULT_BLOCK = Keyed([
    ("text", Obj({"text": Str()}, require_any=[("text", "json")], what="tool result block")),
    ("json", Obj({"json": Obj({}, extra=True, what="json")}, required=["json"],
                 what="tool result block")),
])

BLOCK_SHAPES: dict[str, Shape] = {
    "image": _media("image", ("jpeg", "png", "gif", "webp")),
    "video": _media("video", ("mov", "mkv", "mp4", "webm")),
    "document": _media("document", ("pdf",), name=Str()),
    "toolResult": Obj({"toolUseId": Str(),
                       "content": Arr(_TOOL_RESULT_BLOCK, min_items=1, what="content"),
                       "status": Str(["success", "error"], what="status")},
                      required=["toolUseId", "content"], what="toolResult"),
    "reasoningContent": Obj(
        {"reasoningText": Obj({"text": Str(), "signature": Str()}, required=["text"],
                              what="reasoningText")},
        required=["reasoningText"], what="reasoningContent"),
    "toolUse": Obj({"toolUseId": Str(), "name": Str(), "input": Obj({}, extra=True, what="input")},
                   required=["toolUseId", "name", "input"], what="toolUse"),
}

#: Which kinds of content block each role may hold.
BLOCK_KINDS: dict[str, tuple[str, ...]] = {
    "user": ("text", "image", "video", "document", "toolResult"),
    "assistant": ("text", "reasoningContent", "toolUse"),
}


def _block(kind: str, role: str) -> Obj:
    what = f"{role} content block"
    if kind == "text":
        # Recognised first, so a block of no known kind is told which keys it may have.
        return Obj({"text": Str()}, require_any=[BLOCK_KINDS[role]], what=what)
    return Obj({kind: BLOCK_SHAPES[kind]}, required=[kind], what=what)


def _message(role: str) -> Obj:
    block = Ref(f"bedrock_{role}_block",
                Keyed([(kind, _block(kind, role)) for kind in BLOCK_KINDS[role]]))
    return Obj({"role": Str([role]), "content": Arr(block, what="content")},
               required=["role", "content"], what=f"{role} message")


MESSAGE = Ref("bedrock_message", Tagged("role", {role: _message(role) for role in BLOCK_KINDS},
                                        code="C001", what="role"))

SYSTEM = Arr(Obj({"text": Str()}, required=["text"], what="system block"), what="system")

TOOL_SPEC = Obj(
    {"name": Str(), "description": Str(),
     "inputSchema": Obj({"json": Obj({}, extra=True, what="json")}, required=["json"],
                        what="inputSchema")},
    required=["name", "description", "inputSchema"], what="toolSpec")
TOOL_CONFIG = Obj(
    {"tools": Arr(Obj({"toolSpec": TOOL_SPEC}, required=["toolSpec"], what="tool"),
                  min_items=1, what="tools")},
    required=["tools"], what="toolConfig")

SHAPE = Obj(
    {"schemaVersion": Str(), "system": SYSTEM, "messages": messages_array(item=MESSAGE),
     "toolConfig": TOOL_CONFIG},
    required=["messages"], what="record")


def _converse_blocks(content: Any) -> bool:
    """A non-empty list of content blocks without OpenAI's ``type`` key."""
    return (isinstance(content, list) and bool(content)
            and all(isinstance(block, Mapping) and "type" not in block for block in content))


_CONVERSE_KEYS = ("schemaVersion", "toolConfig")


def matches(record: Mapping[str, Any]) -> bool:
    # OpenAI records have no such keys, a string system, and ``type`` in every content part.
    if not has_messages_key(record):
        return False
    if any(key in record for key in _CONVERSE_KEYS) or isinstance(record.get("system"), list):
        return True
    return any(isinstance(message, Mapping) and _converse_blocks(message.get("content"))
               for message in record["messages"])


# -- reading ------------------------------------------------------------------------------

MediaType = Literal["image", "video", "file"]
MEDIA_TYPES: dict[str, MediaType] = {"image": "image", "video": "video", "document": "file"}

#: The block that holds an assistant turn's reasoning (Nova 2): ``{"reasoningContent":
#: {"reasoningText": {"text", "signature"?}}}``, as Amazon's Nova 2.0 SFT guide shows it
#: (https://docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html, "Text with
#: reasoning"); the signature is not part of the canonical example.
REASONING_BLOCK = "reasoningContent"

#: The order in which a block's kind is recognised when reading.
_KINDS = ("text", "image", "video", "document", "toolResult", "reasoningContent", "toolUse")


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""


def _media_part(data: Mapping[str, Any], part_type: MediaType, pointer: str) -> Part:
    source = data.get("source")
    location = source.get("s3Location") if isinstance(source, Mapping) else None
    uri = location.get("uri") if isinstance(location, Mapping) else None
    return Part(part_type, url=uri if isinstance(uri, str) else None, pointer=pointer)


def _tool_use(data: Mapping[str, Any], pointer: str) -> ToolCall:
    name, call_id = data.get("name"), data.get("toolUseId")
    return ToolCall(name=name if isinstance(name, str) else "", arguments=data.get("input"),
                    id=call_id if isinstance(call_id, str) else None, pointer=pointer,
                    arguments_pointer=f"{pointer}/toolUse/input")


def _tool_result(data: Mapping[str, Any], pointer: str) -> Message:
    parts: list[Part] = []
    blocks = data.get("content")
    for index, block in enumerate(blocks if isinstance(blocks, list) else ()):
        block_pointer = f"{pointer}/toolResult/content/{index}"
        if not isinstance(block, Mapping):
            continue
        if isinstance(block.get("text"), str):
            parts.append(Part("text", text=block["text"], pointer=f"{block_pointer}/text"))
        elif "json" in block:
            parts.append(Part("text", text=_json_text(block["json"]),
                              pointer=f"{block_pointer}/json"))
    call_id = data.get("toolUseId")
    turn = pointer.rsplit("/content/", 1)[0]
    return Message(role="tool", content=parts, pointer=pointer,
                   tool_call_id=call_id if isinstance(call_id, str) else None,
                   tool_call_id_pointer=f"{pointer}/toolResult/toolUseId",
                   role_pointer=f"{turn}/role")


def _block_kind(block: Any) -> str | None:
    if not isinstance(block, Mapping):
        return None
    return next((key for key in _KINDS if key in block), None)


def _read_message(raw: Any, pointer: str) -> list[Message]:
    """One turn: tool results answering earlier calls first, then the turn itself."""
    if not isinstance(raw, Mapping):
        return []
    role = raw.get("role")
    role = role if isinstance(role, str) else ""
    blocks = raw.get("content")
    if isinstance(blocks, str):
        return [Message(role=role, content=[Part("text", text=blocks,
                                                 pointer=f"{pointer}/content")],
                        pointer=pointer)]
    parts: list[Part] = []
    calls: list[ToolCall] = []
    results: list[Message] = []
    reasoning: list[tuple[str, str]] = []
    for index, block in enumerate(blocks if isinstance(blocks, list) else ()):
        block_pointer = f"{pointer}/content/{index}"
        kind = _block_kind(block)
        data = block[kind] if kind is not None else None
        if kind == "text":
            parts.append(Part("text", text=data if isinstance(data, str) else "",
                              pointer=f"{block_pointer}/text"))
        elif kind is None or not isinstance(data, Mapping):
            continue
        elif kind in MEDIA_TYPES:
            parts.append(_media_part(data, MEDIA_TYPES[kind], f"{block_pointer}/{kind}"))
        elif kind == "toolUse":
            calls.append(_tool_use(data, block_pointer))
        elif kind == "toolResult":
            results.append(_tool_result(data, block_pointer))
        elif kind == "reasoningContent":
            text = data.get("reasoningText")
            text = text.get("text") if isinstance(text, Mapping) else None
            if isinstance(text, str):
                reasoning.append((text, f"{block_pointer}/reasoningContent/reasoningText/text"))
    if parts or calls or reasoning or not results:
        # Present but empty content stays an empty list, so C002 points at it.
        content = parts if isinstance(blocks, list) and (parts or not calls) else None
        message = Message(role=role, content=content, tool_calls=calls, pointer=pointer)
        if reasoning:
            # Several reasoning blocks in one turn are one trace, read in order.
            message.reasoning = "\n".join(text for text, _ in reasoning)
            message.reasoning_pointer = reasoning[0][1]
            message.reasoning_source = REASONING_BLOCK
        elif role == "assistant":
            read_think_tags(message)
        results.append(message)
    return results


def read_tools(record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Tool specs, normalised to ``{"type": "function", "function": {...}}``."""
    config = record.get("toolConfig")
    raw = config.get("tools") if isinstance(config, Mapping) else None
    if not isinstance(raw, list):
        return None
    tools: list[dict[str, Any]] = []
    for tool in raw:
        spec = tool.get("toolSpec") if isinstance(tool, Mapping) else None
        if not isinstance(spec, Mapping):
            continue
        function = {key: spec[key] for key in ("name", "description") if key in spec}
        schema = spec.get("inputSchema")
        if isinstance(schema, Mapping) and "json" in schema:
            function["parameters"] = schema["json"]
        tools.append({"type": "function", "function": function})
    return tools


def read(record: Mapping[str, Any]) -> Example:
    messages: list[Message] = []
    system = record.get("system")
    for index, block in enumerate(system if isinstance(system, list) else ()):
        if isinstance(block, Mapping) and isinstance(block.get("text"), str):
            pointer = f"/system/{index}"
            messages.append(Message(role="system", content=[
                Part("text", text=block["text"], pointer=f"{pointer}/text")], pointer=pointer))
    raw_messages = record.get("messages")
    for index, raw in enumerate(raw_messages if isinstance(raw_messages, list) else ()):
        messages.extend(_read_message(raw, f"/messages/{index}"))
    version = record.get("schemaVersion")
    return Example(kind="chat", messages=messages, tools=read_tools(record),
                   metadata={"schemaVersion": version} if isinstance(version, str) else {})


# -- writing ------------------------------------------------------------------------------

SCHEMA_VERSION = "bedrock-conversation-2024"

#: Canonical role -> Bedrock role; tool results travel in user turns as toolResult blocks.
WRITE_ROLES = {"user": "user", "assistant": "assistant", "tool": "user", "function": "user"}
_TURNS = TurnStyle("bedrock-conversation", WRITE_ROLES, items="content", result_kind="toolResult",
                   caller="assistant", calls="tool calls", empty_turns=True,
                   reasoning=lambda text: {REASONING_BLOCK: {"reasoningText": {"text": text}}})

#: Canonical media part type -> block kind, and file extension -> the block's ``format``.
MEDIA_BLOCKS: dict[str, tuple[str, dict[str, str]]] = {
    "image": ("image", {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif",
                        "webp": "webp"}),
    "video": ("video", {"mov": "mov", "mkv": "mkv", "mp4": "mp4", "webm": "webm"}),
    "file": ("document", {"pdf": "pdf"}),
}

#: The function fields a toolSpec holds (``parameters`` is its ``inputSchema``).
_FUNCTION_KEYS = ("name", "description", "parameters")


def _media_block(part: Part, role: str) -> dict[str, Any]:
    block = MEDIA_BLOCKS.get(part.type)
    if block is None or role != "user" or part.url is None:
        raise unsupported_part(part, f"a {FORMAT.id} {role} turn")
    kind, formats = block
    if urlsplit(part.url).scheme != "s3":
        raise Unrepresentable(f"{FORMAT.id} reads media from S3 only, not {part.url!r}")
    media_format = formats.get(PurePosixPath(urlsplit(part.url).path).suffix.lower()[1:])
    if media_format is None:
        raise Unrepresentable(f"{FORMAT.id} reads no {kind} like {part.url!r}")
    return {kind: {"format": media_format, "source": {"s3Location": {"uri": part.url}}}}


def _write_block(part: Part, role: str) -> dict[str, Any]:
    return {"text": part.text or ""} if part.type == "text" else _media_block(part, role)


def _write_call(call: ToolCall, links: ToolLinks) -> dict[str, Any]:
    return {"toolUse": {"toolUseId": links.call_id(call), "name": call.name,
                        "input": arguments_object(call, FORMAT.id)}}


def _write_result(message: Message, links: ToolLinks) -> dict[str, Any]:
    call_id = links.result_id(message)
    if call_id is None:
        raise Unrepresentable("tool result that answers no tool call")
    text_only(message, FORMAT.id)
    blocks = [{"text": part.text or ""} for part in message.content or ()]
    if not blocks:
        raise Unrepresentable(f"empty tool result, which {FORMAT.id} cannot hold")
    return {"toolResult": {"toolUseId": call_id, "content": blocks}}


def _write_messages(messages: list[Message], links: ToolLinks) -> list[dict[str, Any]]:
    return write_turns(messages, _TURNS, _write_block, lambda call: _write_call(call, links),
                       lambda message: _write_result(message, links))


def _tool_spec(function: Mapping[str, Any]) -> dict[str, Any]:
    missing = [key for key in _FUNCTION_KEYS if key not in function]
    if missing:
        raise Unrepresentable(f"{FORMAT.id} needs the {missing[0]} of every tool")
    return {"toolSpec": {"name": function["name"], "description": function["description"],
                         "inputSchema": {"json": function["parameters"]}}}


def write(example: Example) -> dict[str, Any]:
    """The example as a Converse-style record; tool calls without ids get generated ones.

    >>> chat = Example(kind="chat", messages=[text_message("user", "Hi", ""),
    ...                                       text_message("assistant", "Hello!", "")])
    >>> write(chat)["messages"][0]
    {'role': 'user', 'content': [{'text': 'Hi'}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    check_metadata(example, FORMAT.id, ("schemaVersion",))
    system, turns = leading_system(example.messages, FORMAT.id)
    version = example.metadata.get("schemaVersion")
    record: dict[str, Any] = {"schemaVersion": version if isinstance(version, str)
                              else SCHEMA_VERSION}
    if system:
        record["system"] = [{"text": text} for text in system_texts(system, FORMAT.id)]
    record["messages"] = _write_messages(turns, link_tools(example.messages, generate=True))
    require_user_assistant_alternation(record["messages"], FORMAT.id)
    if example.tools:
        record["toolConfig"] = {"tools": [
            _tool_spec(function)
            for function in function_definitions(example.tools, FORMAT.id, _FUNCTION_KEYS)]}
    return record


FORMAT = Format(
    id="bedrock-conversation",
    title="Amazon Bedrock conversation record (Nova fine-tuning)",
    description='{"schemaVersion"?: str, "system"?: [{"text"}], '
                '"messages": [{"role": "user" | "assistant", "content": [{"text"} | {"image"} | '
                '{"video"} | ...]}], "toolConfig"?}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="bedrock-conversation",
    conversational=True,
    used_by="Amazon Bedrock Nova fine-tuning",
    reasoning=REASONING_BLOCK,
)
