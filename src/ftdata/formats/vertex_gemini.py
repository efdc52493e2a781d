"""``vertex-gemini``: Google Vertex AI supervised tuning records for Gemini models.

A record is a ``GenerateContentRequest``-like object: ``contents`` (turns with role ``user`` or
``model`` and a list of ``parts``), an optional ``systemInstruction`` (whose role Vertex
ignores) and optional ``tools``/``toolConfig`` for function-calling tuning. A part holds one kind
of data: ``text``, ``inlineData`` (base64 bytes), ``fileData`` (a Cloud Storage or web URI),
``functionCall`` (model turns) or ``functionResponse`` (user turns); any part may be marked as
a ``thought`` and carry a ``thoughtSignature``, and media parts may carry ``videoMetadata``.
Thoughts are not part of the canonical conversation: they are not what the model learns to say
("During supervised fine-tuning, the model learns from the training data and omits the thinking
process", https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-tuning), so this
format has no place for a reasoning trace either: a writer refuses one (``ftdata convert
--reasoning think-tags`` keeps it in the text, ``--reasoning drop`` leaves it out).
Keys are camelCase, as Vertex documents them, except that ``system_instruction`` is accepted
too: Google's own function-calling tuning examples spell it that way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from ftdata.formats import Format, Unrepresentable
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
    result_object,
    system_texts,
    unsupported_part,
    write_turns,
)
from ftdata.model import Example, Message, Part, ToolCall
from ftdata.shapes import AnyValue, Arr, Bool, Keyed, Num, Obj, Ref, Shape, Str, Tagged

_THOUGHT: dict[str, Shape] = {"thought": Bool(), "thoughtSignature": Str()}
_VIDEO_METADATA = Obj({"startOffset": Str(), "endOffset": Str(), "fps": Num()},
                      what="videoMetadata")

BLOB = Obj({"mimeType": Str(), "data": Str()}, required=["mimeType", "data"], what="inlineData")
FILE_DATA = Obj({"mimeType": Str(), "fileUri": Str()}, required=["mimeType", "fileUri"],
                what="fileData")
FUNCTION_CALL = Obj({"name": Str(), "args": Obj({}, extra=True, what="args"), "id": Str()},
                    required=["name"], what="functionCall")
FUNCTION_RESPONSE = Obj(
    {"name": Str(), "response": Obj({}, extra=True, what="response"), "id": Str()},
    required=["name", "response"], what="functionResponse")

_DATA_SHAPES: dict[str, Shape] = {
    "inlineData": BLOB,
    "fileData": FILE_DATA,
    "functionCall": FUNCTION_CALL,
    "functionResponse": FUNCTION_RESPONSE,
}
_MEDIA = ("inlineData", "fileData")

#: Which kinds of part each role may hold, in the order a part's kind is recognised.
PART_KINDS: dict[str, tuple[str, ...]] = {
    "user": ("text", "inlineData", "fileData", "functionResponse"),
    "model": ("text", "functionCall"),
}


def _part(kind: str, role: str, kinds: tuple[str, ...]) -> Obj:
    fields: dict[str, Shape] = {**_THOUGHT}
    if kind == "text":
        fields["text"] = Str()
        # Recognised first, so a part of no known kind is told which keys it may have.
        return Obj(fields, require_any=[kinds], what=f"{role} part")
    fields[kind] = _DATA_SHAPES[kind]
    if kind in _MEDIA:
        fields["videoMetadata"] = _VIDEO_METADATA
    return Obj(fields, required=[kind], what=f"{role} part")


def _parts(prefix: str, role: str, kinds: tuple[str, ...]) -> Arr:
    part = Ref(f"{prefix}_{role}_part",
               Keyed([(kind, _part(kind, role, kinds)) for kind in kinds]))
    return Arr(part, min_items=1, min_code="C002", what="parts")


def content_shape(name: str, part_kinds: Mapping[str, tuple[str, ...]], prefix: str) -> Ref:
    """A turn (``role`` and ``parts``) of one of the roles of ``part_kinds``, whose parts are
    of the kinds listed for its role; the JSON Schema names it ``name`` and its parts
    ``{prefix}_{role}_part``."""
    return Ref(name, Tagged("role", {
        role: Obj({"role": Str([role]), "parts": _parts(prefix, role, kinds)},
                  required=["role", "parts"], what=f"{role} content")
        for role, kinds in part_kinds.items()
    }, code="C001", what="role"))


CONTENT = content_shape("gemini_content", PART_KINDS, "gemini")

SYSTEM_INSTRUCTION = Obj(
    {"role": Str(),
     "parts": Arr(Obj({"text": Str()}, required=["text"], what="system instruction part"),
                  min_items=1, min_code="C002", what="systemInstruction parts")},
    required=["parts"], what="systemInstruction")

_DECLARATION_FIELDS: dict[str, Shape] = {
    "name": Str(), "description": Str(), "parameters": Obj({}, extra=True, what="parameters"),
    "parametersJsonSchema": AnyValue(), "response": Obj({}, extra=True, what="response"),
    "responseJsonSchema": AnyValue()}
DECLARATION_KEYS = frozenset(_DECLARATION_FIELDS)
FUNCTION_DECLARATION = Ref("gemini_function_declaration", Obj(
    _DECLARATION_FIELDS, required=["name"], what="function declaration"))
TOOL = Obj({"functionDeclarations": Arr(FUNCTION_DECLARATION, what="functionDeclarations")},
           required=["functionDeclarations"], what="tool")
TOOL_CONFIG = Obj(
    {"functionCallingConfig": Obj(
        {"mode": Str(["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"], what="mode"),
         "allowedFunctionNames": Arr(Str(), what="allowedFunctionNames")},
        what="functionCallingConfig")},
    what="toolConfig")

SYSTEM_KEYS = ("systemInstruction", "system_instruction")

SHAPE = Obj(
    {"contents": Arr(CONTENT, min_items=1, min_code="C015", what="contents"),
     **{key: SYSTEM_INSTRUCTION for key in SYSTEM_KEYS},
     "tools": Arr(TOOL, what="tools"), "toolConfig": TOOL_CONFIG},
    required=["contents"], what="record")


#: The key of preference tuning records (``vertex-gemini-preference``), which share the rest.
PREFERENCE_KEY = "completions"


def matches(record: Mapping[str, Any]) -> bool:
    return PREFERENCE_KEY not in record and (
        "contents" in record or any(key in record for key in SYSTEM_KEYS))


# -- reading ------------------------------------------------------------------------------

#: Vertex role -> canonical role.
ROLES = {"user": "user", "model": "assistant"}

MediaType = Literal["image", "video", "audio", "file"]
#: The top-level MIME type -> the canonical part type (anything else is a ``file``).
MEDIA_TYPES: dict[str, MediaType] = {"image": "image", "video": "video", "audio": "audio"}


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""


def _media_part(data: Mapping[str, Any], kind: str, pointer: str) -> Part:
    mime = data.get("mimeType")
    mime = mime if isinstance(mime, str) else ""
    part_type = MEDIA_TYPES.get(mime.split("/", 1)[0], "file")
    url: str | None = None
    if kind == "fileData":
        uri = data.get("fileUri")
        url = uri if isinstance(uri, str) else None
    elif isinstance(data.get("data"), str):
        url = f"data:{mime};base64,{data['data']}"
    return Part(part_type, url=url, pointer=pointer)


def _call(data: Mapping[str, Any], pointer: str) -> ToolCall:
    name, call_id = data.get("name"), data.get("id")
    has_args = "args" in data
    return ToolCall(name=name if isinstance(name, str) else "",
                    arguments=data["args"] if has_args else {},
                    id=call_id if isinstance(call_id, str) else None,
                    pointer=pointer,
                    arguments_pointer=f"{pointer}/functionCall" + ("/args" if has_args else ""))


def _result(data: Mapping[str, Any], pointer: str) -> Message:
    # The tool message is the functionResponse object: its name and response sit under it.
    pointer = f"{pointer}/functionResponse"
    name, call_id = data.get("name"), data.get("id")
    response = data.get("response")
    content = [Part("text", text=_json_text(response),
                    pointer=pointer + ("/response" if "response" in data else ""))]
    return Message(role="tool", content=content, name=name if isinstance(name, str) else None,
                   tool_call_id=call_id if isinstance(call_id, str) else None, pointer=pointer,
                   tool_call_id_pointer=pointer + "/id")


def read_content(raw: Any, pointer: str) -> list[Message]:
    """One turn: tool results answering earlier calls first, then the turn itself."""
    if not isinstance(raw, Mapping):
        return []
    role = raw.get("role")
    role = ROLES.get(role, role) if isinstance(role, str) else ""
    raw_parts = raw.get("parts")
    content: list[Part] = []
    calls: list[ToolCall] = []
    results: list[Message] = []
    for index, part in enumerate(raw_parts if isinstance(raw_parts, list) else ()):
        part_pointer = f"{pointer}/parts/{index}"
        if not isinstance(part, Mapping) or part.get("thought") is True:
            continue
        if "text" in part:
            text = part["text"]
            content.append(Part("text", text=text if isinstance(text, str) else "",
                                pointer=f"{part_pointer}/text"))
            continue
        kind = next((key for key in _DATA_SHAPES if key in part), None)
        data = part.get(kind) if kind is not None else None
        if kind is None or not isinstance(data, Mapping):
            continue
        if kind in _MEDIA:
            content.append(_media_part(data, kind, f"{part_pointer}/{kind}"))
        elif kind == "functionCall":
            calls.append(_call(data, part_pointer))
        else:
            results.append(_result(data, part_pointer))
    if content or calls or not results:
        message = Message(role=role, content=content or None, tool_calls=calls, pointer=pointer)
        if role == "assistant":
            read_think_tags(message)  # a <think> block written into the text is read back
        results.append(message)
    return results


def read_system(record: Mapping[str, Any]) -> Message | None:
    """The system instruction (either spelling of its key) as a system message."""
    key = next((key for key in SYSTEM_KEYS if key in record), None)
    raw = record.get(key) if key is not None else None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("parts"), list):
        return None
    parts = [Part("text", text=part["text"], pointer=f"/{key}/parts/{index}/text")
             for index, part in enumerate(raw["parts"])
             if isinstance(part, Mapping) and isinstance(part.get("text"), str)]
    return Message(role="system", content=parts, pointer=f"/{key}") if parts else None


def read_tools(record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Function declarations, normalised to ``{"type": "function", "function": {...}}``."""
    raw = record.get("tools")
    if not isinstance(raw, list):
        return None
    tools: list[dict[str, Any]] = []
    for tool in raw:
        declarations = tool.get("functionDeclarations") if isinstance(tool, Mapping) else None
        if isinstance(declarations, list):
            tools.extend({"type": "function", "function": dict(declaration)}
                         for declaration in declarations if isinstance(declaration, Mapping))
    return tools


def read(record: Mapping[str, Any]) -> Example:
    messages: list[Message] = []
    system = read_system(record)
    if system is not None:
        messages.append(system)
    contents = record.get("contents")
    for index, raw in enumerate(contents if isinstance(contents, list) else ()):
        messages.extend(read_content(raw, f"/contents/{index}"))
    config = record.get("toolConfig")
    return Example(kind="chat", messages=messages, tools=read_tools(record),
                   metadata={"toolConfig": config} if isinstance(config, Mapping) else {})


# -- writing ------------------------------------------------------------------------------

#: Canonical role -> Vertex role; tool results travel in user turns as functionResponse parts.
WRITE_ROLES = {"user": "user", "assistant": "model", "tool": "user", "function": "user"}
_TURNS = TurnStyle("vertex-gemini", WRITE_ROLES, items="parts", result_kind="functionResponse",
                   caller="model", calls="function calls", empty_turns=False)

#: File extension -> MIME type, for media referenced by URI (Gemini's supported types).
MIME_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
    "heic": "image/heic", "heif": "image/heif",
    "mp4": "video/mp4", "mpeg": "video/mpeg", "mpg": "video/mpg", "mov": "video/mov",
    "avi": "video/avi", "flv": "video/x-flv", "webm": "video/webm", "wmv": "video/wmv",
    "3gp": "video/3gpp",
    "mp3": "audio/mp3", "wav": "audio/wav", "aac": "audio/aac", "flac": "audio/flac",
    "ogg": "audio/ogg", "m4a": "audio/m4a",
    "pdf": "application/pdf", "txt": "text/plain",
}


def _media_payload(url: str) -> dict[str, Any]:
    """``inlineData`` for a base64 data URI, ``fileData`` (MIME type by extension) otherwise."""
    if url.startswith("data:"):
        header, comma, data = url[len("data:"):].partition(",")
        mime, _, encoding = header.partition(";")
        if not comma or encoding != "base64":
            raise Unrepresentable(f"{FORMAT.id} needs media data URIs in base64")
        return {"inlineData": {"mimeType": mime, "data": data}}
    extension = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
    if extension not in MIME_TYPES:
        raise Unrepresentable(f"no MIME type for {url!r}, which {FORMAT.id} needs")
    return {"fileData": {"mimeType": MIME_TYPES[extension], "fileUri": url}}


def _write_part(part: Part, role: str) -> dict[str, Any]:
    if part.type == "text":
        return {"text": part.text or ""}
    if role != "user" or part.url is None:
        raise unsupported_part(part, f"a {FORMAT.id} {role} turn")
    payload = _media_payload(part.url)
    data = payload.get("inlineData") or payload["fileData"]
    if MEDIA_TYPES.get(data["mimeType"].split("/", 1)[0], "file") != part.type:
        raise Unrepresentable(f"{part.type} part of MIME type {data['mimeType']!r}")
    return payload


def _write_call(call: ToolCall) -> dict[str, Any]:
    written = {"name": call.name, "args": arguments_object(call, FORMAT.id)}
    if call.id is not None:
        written["id"] = call.id
    return {"functionCall": written}


def _write_result(message: Message, links: ToolLinks) -> dict[str, Any]:
    call = links.answered(message)
    name = message.name if message.name is not None else call.name if call else ""
    if not name:
        raise Unrepresentable(f"tool result without the name of its function, which "
                              f"{FORMAT.id} requires")
    written: dict[str, Any] = {"name": name, "response": result_object(message, FORMAT.id)}
    call_id = links.result_id(message)
    if call_id is not None:
        written["id"] = call_id
    return {"functionResponse": written}


def _write_contents(messages: list[Message], links: ToolLinks) -> list[dict[str, Any]]:
    return write_turns(messages, _TURNS, _write_part, _write_call,
                       lambda message: _write_result(message, links))


def write(example: Example) -> dict[str, Any]:
    """The example as ``contents`` of user and model turns, the system prompt apart.

    >>> chat = Example(kind="chat", messages=[text_message("user", "Hi", ""),
    ...                                       text_message("assistant", "Hello!", "")])
    >>> write(chat)["contents"][1]
    {'role': 'model', 'parts': [{'text': 'Hello!'}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    check_metadata(example, FORMAT.id, ("toolConfig",))
    system, turns = leading_system(example.messages, FORMAT.id)
    record: dict[str, Any] = {}
    if system:
        record["systemInstruction"] = {
            "role": "system",
            "parts": [{"text": text} for text in system_texts(system, FORMAT.id)]}
    record["contents"] = _write_contents(turns, link_tools(example.messages))
    if example.tools is not None:
        record["tools"] = [{"functionDeclarations": function_definitions(
            example.tools, FORMAT.id, DECLARATION_KEYS)}]
    config = example.metadata.get("toolConfig")
    if isinstance(config, Mapping):
        record["toolConfig"] = dict(config)
    return record


FORMAT = Format(
    id="vertex-gemini",
    title="Vertex AI Gemini supervised tuning record",
    description='{"systemInstruction"?: {"role"?, "parts": [{"text"}]}, '
                '"contents": [{"role": "user" | "model", "parts": [...]}], '
                '"tools"?: [{"functionDeclarations": [...]}], "toolConfig"?}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="vertex-gemini",
    conversational=True,
    used_by="Google Vertex AI Gemini supervised tuning",
)
