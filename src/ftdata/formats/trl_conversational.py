"""``trl-conversational``: TRL's conversational prompt-completion datasets.

``prompt`` and ``completion`` are lists of chat messages that TRL renders with the model's chat
template. Messages follow the Hugging Face chat-template conventions, which differ from OpenAI's
in a few places: an image in the content is a bare ``{"type": "image"}`` placeholder filled from
the record's ``images`` list, tool-call arguments may be an object, and tool calls and tool
results need no id. ``tools`` holds the tools' JSON schemas (a list, or a JSON string of
one). The message shapes defined here are shared by ``trl-preference`` and
``trl-kto``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import (
    REASONING_ELSEWHERE,
    REASONING_FIELDS,
    REASONING_KEY,
    TEXT_PART,
    messages_array,
    read_content,
    read_message,
    read_tools,
    reasoning_key,
)
from ftdata.formats._write import (
    arguments_object,
    check_metadata,
    check_weight,
    function_definitions,
    require_content,
    require_kind,
    require_messages,
    require_no_label,
    role_name,
    unsupported_part,
)
from ftdata.formats.sharegpt import read_tools as read_json_tools
from ftdata.formats.sharegpt import tools_text_findings
from ftdata.model import Example, Message, Part, ToolCall
from ftdata.shapes import Arr, Null, Obj, Ref, Str, Tagged, Union

IMAGE_PLACEHOLDER = Obj({"type": Str(["image"])}, required=["type"], what="image part")
PART = Ref("trl_content_part", Tagged("type", {"text": TEXT_PART, "image": IMAGE_PLACEHOLDER},
                                      what="content part type"))
CONTENT = Union(Str(), Arr(PART, what="content"))

TOOL_CALL = Ref("trl_tool_call", Obj(
    {"id": Str(), "type": Str(["function"], what="tool call type"),
     "function": Obj({"name": Str(),
                      "arguments": Union(Str(), Obj({}, extra=True, what="arguments"))},
                     required=["name", "arguments"], what="function call")},
    required=["function"], what="tool call"))


def _plain(role: str) -> Obj:
    return Obj({"role": Str([role]), "content": CONTENT, "name": Str(), **REASONING_ELSEWHERE},
               required=["role", "content"], what=f"{role} message")


# The chat template renders the messages, so the reasoning keys are the templates' (Qwen3's
# ``reasoning_content``, gpt-oss's ``thinking``) and those of the OpenAI-style files.
ASSISTANT = Obj(
    {"role": Str(["assistant"]), "content": Union(Str(), Null(), Arr(PART, what="content")),
     "name": Str(), "tool_calls": Arr(TOOL_CALL, what="tool_calls"), **REASONING_FIELDS},
    required=["role"], require_any=[("content", "tool_calls")], absent_when_null=["content"],
    what="assistant message")
TOOL = Obj({"role": Str(["tool"]), "content": CONTENT, "name": Str(), "tool_call_id": Str(),
            **REASONING_ELSEWHERE},
           required=["role", "content"], what="tool message")

TRL_MESSAGE = Ref("trl_message", Tagged("role", {
    "system": _plain("system"),
    "developer": _plain("developer"),
    "user": _plain("user"),
    "assistant": ASSISTANT,
    "tool": TOOL,
}, code="C001", what="role"))

IMAGES = Arr(Str(), what="images")

#: TRL's ``tools`` column: the JSON schemas of the tools (``transformers``' ``get_json_schema``
#: writes them with keys such as ``return`` beyond OpenAI's), or one JSON string holding that
#: list, the spelling for ``datasets`` before 4.7 (TRL ``docs/source/dataset_formats.md``
#: lines 157-223; both read by ``trl/trainer/sft_trainer.py`` lines 1458-1459 and
#: ``trl/trainer/dpo_trainer.py`` lines 1020-1021, commit f2cd5771).
TRL_TOOL = Ref("trl_tool", Obj(
    {"type": Str(["function"], what="tool type"),
     "function": Obj({"name": Str(), "description": Str(),
                      "parameters": Obj({}, extra=True, what="parameters")},
                     required=["name"], extra=True, what="function definition")},
    required=["type", "function"], what="tool"))
TRL_TOOLS = Union(Str(), Arr(TRL_TOOL, what="tools"))

SHAPE = Obj(
    {"prompt": messages_array(what="prompt", item=TRL_MESSAGE),
     "completion": messages_array(what="completion", item=TRL_MESSAGE),
     "images": IMAGES, "tools": TRL_TOOLS},
    required=["prompt", "completion"], what="record")

# -- reading ------------------------------------------------------------------------------


def read_trl_content(value: Any, pointer: str) -> list[Part] | None:
    """Like OpenAI content, except that ``{"type": "image"}`` is an image placeholder."""
    if not isinstance(value, list):
        return read_content(value, pointer)
    parts: list[Part] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            continue
        item_pointer = f"{pointer}/{index}"
        if item.get("type") == "image":
            parts.append(Part("image", pointer=item_pointer))
        else:
            text = item.get("text")
            parts.append(Part("text", text=text if isinstance(text, str) else "",
                              pointer=item_pointer))
    return parts


def read_trl_messages(raw: Any, pointer: str, start: int = 0) -> list[Message]:
    """Messages ``raw[start:]``, skipping items that are not objects (the shape reports them)."""
    if not isinstance(raw, list):
        return []
    messages: list[Message] = []
    for index in range(start, len(raw)):
        item = raw[index]
        message = read_message(item, f"{pointer}/{index}")
        if message is None:
            continue
        content = item.get("content")
        if isinstance(content, list):  # a string was read alike (its <think> block included)
            message.content = read_trl_content(content, f"{pointer}/{index}/content")
        messages.append(message)
    return messages


def attach_images(record: Mapping[str, Any], messages: list[Message]) -> None:
    """Fill image placeholders from the record's ``images``, as TRL does.

    Placeholders take the images in order. With no placeholder at all, TRL puts the images at
    the start of the first user message. Each filled image part points at its URL in
    ``/images``, where findings about it belong.
    """
    images = record.get("images")
    if not isinstance(images, list) or not images:
        return
    placeholders = [part for message in messages for part in message.content or ()
                    if part.type == "image"]
    if placeholders:
        for index, (part, url) in enumerate(zip(placeholders, images, strict=False)):
            part.url = url if isinstance(url, str) else None
            part.pointer = f"/images/{index}"
        return
    first_user = next((message for message in messages if message.role == "user"), None)
    if first_user is None:
        return
    parts = [Part("image", url=url if isinstance(url, str) else None, pointer=f"/images/{index}")
             for index, url in enumerate(images)]
    first_user.content = [*parts, *(first_user.content or ())]


def read_trl_tools(record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The ``tools`` column, a list or the JSON string of one; ``None`` when absent."""
    value = record.get("tools")
    if isinstance(value, str):
        return read_json_tools(value)
    return read_tools(record)


def check_trl_tools(record: Mapping[str, Any]) -> list[Finding]:
    """A ``tools`` string must hold JSON: TRL decodes it with ``json.loads``, which raises on
    anything else, an empty string included (``trl/trainer/sft_trainer.py`` line 1459)."""
    return tools_text_findings(record, empty=False)


def write_trl_tools(tools: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """Tools as TRL's list of JSON schemas, every key of the definitions kept."""
    return [{"type": "function", "function": function}
            for function in function_definitions(tools, fmt)]


def matches(record: Mapping[str, Any]) -> bool:
    # Strings in both keys make it ``prompt-completion``; a ``label`` makes it ``trl-kto``.
    return ("prompt" in record and "completion" in record and "label" not in record
            and (isinstance(record["prompt"], list) or isinstance(record["completion"], list)))


def read(record: Mapping[str, Any]) -> Example:
    messages = [*read_trl_messages(record.get("prompt"), "/prompt"),
                *read_trl_messages(record.get("completion"), "/completion")]
    attach_images(record, messages)
    return Example(kind="chat", messages=messages, tools=read_trl_tools(record))


# -- writing ------------------------------------------------------------------------------

#: Canonical role -> TRL role; OpenAI's legacy function results are tool messages.
WRITE_ROLES = {"system": "system", "developer": "developer", "user": "user",
               "assistant": "assistant", "tool": "tool", "function": "tool"}


def split_completion(messages: list[Message], fmt: str) -> tuple[list[Message], list[Message]]:
    """The prompt (up to the last user turn) and the completion TRL trains on (the rest)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise Unrepresentable(f"{fmt} needs a user turn to end the prompt")
    if last_user == len(messages) - 1:
        raise Unrepresentable(f"the conversation ends with the user's turn; {fmt} needs a "
                              f"completion after it")
    return messages[:last_user + 1], messages[last_user + 1:]


def _write_part(part: Part, images: list[str] | None, fmt: str) -> dict[str, Any]:
    if part.type == "text":
        return {"type": "text", "text": part.text or ""}
    if part.type != "image" or part.url is None or images is None:
        raise unsupported_part(part, fmt)
    images.append(part.url)
    return {"type": "image"}


def _write_call(call: ToolCall, fmt: str) -> dict[str, Any]:
    arguments = call.arguments if isinstance(call.arguments, str) else arguments_object(call, fmt)
    written: dict[str, Any] = {"type": "function",
                               "function": {"name": call.name, "arguments": arguments}}
    if call.id is not None:
        written["id"] = call.id
    return written


def write_trl_message(message: Message, images: list[str] | None, fmt: str, *,
                      trained: bool) -> dict[str, Any]:
    """One chat message; image parts become placeholders whose URLs go to ``images``.

    TRL trains on the completion only: a turn of weight 0 fits in the prompt (``trained`` is
    false there), not in the completion.
    """
    role = role_name(WRITE_ROLES, message, fmt)
    if trained:
        check_weight(message, fmt)
    written: dict[str, Any] = {"role": role}
    if message.content is not None or role != "assistant":
        parts = require_content(message, fmt)
        written["content"] = (parts[0].text or "" if len(parts) == 1 and parts[0].type == "text"
                              else [_write_part(part, images, fmt) for part in parts])
    elif not message.tool_calls:
        raise Unrepresentable(f"assistant turn without content or tool calls, which {fmt} "
                              f"requires")
    if message.name is not None:
        written["name"] = message.name
    if message.tool_calls:
        if role != "assistant":
            raise Unrepresentable(f"{fmt} has tool calls only in assistant turns")
        written["tool_calls"] = [_write_call(call, fmt) for call in message.tool_calls]
    if role == "tool" and message.tool_call_id is not None:
        written["tool_call_id"] = message.tool_call_id
    if message.reasoning is not None:
        written[reasoning_key(message, role, fmt)] = message.reasoning
    return written


def write_trl_messages(messages: list[Message], images: list[str] | None, fmt: str, *,
                       trained: bool, what: str) -> list[dict[str, Any]]:
    require_messages(messages, fmt, what)
    return [write_trl_message(message, images, fmt, trained=trained) for message in messages]


def write(example: Example) -> dict[str, Any]:
    """The example as prompt and completion messages, split after the last user turn.

    >>> chat = Example(kind="chat", messages=[text_message("user", "Hi", ""),
    ...                                       text_message("assistant", "Hello!", "")])
    >>> write(chat)
    {'prompt': [{'role': 'user', 'content': 'Hi'}], 'completion': [{'role': 'assistant', \
'content': 'Hello!'}]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    prompt, completion = split_completion(example.messages, FORMAT.id)
    images: list[str] = []
    record: dict[str, Any] = {
        "prompt": write_trl_messages(prompt, images, FORMAT.id, trained=False, what="prompt"),
        "completion": write_trl_messages(completion, images, FORMAT.id, trained=True,
                                         what="completion"),
    }
    if images:
        record["images"] = images
    if example.tools is not None:
        record["tools"] = write_trl_tools(example.tools, FORMAT.id)
    return record


FORMAT = Format(
    id="trl-conversational",
    title="TRL conversational prompt-completion record",
    description='{"prompt": [messages], "completion": [messages], "images"?: [str], "tools"?}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=check_trl_tools,
    family="prompt-completion",
    conversational=True,
    used_by="TRL SFT (prompt-completion, conversational)",
    reasoning=REASONING_KEY,
)
