"""``trl-conversational``: TRL's conversational prompt-completion datasets.

``prompt`` and ``completion`` are lists of chat messages that TRL renders with the model's chat
template. Messages follow the Hugging Face chat-template conventions, which differ from OpenAI's
in a few places: an image in the content is a bare ``{"type": "image"}`` placeholder filled from
the record's ``images`` list, tool-call arguments may be an object, and tool calls and tool
results need no id. The message shapes defined here are shared by ``trl-preference`` and
``trl-kto``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import (
    TEXT_PART,
    TOOLS,
    messages_array,
    read_content,
    read_message,
    read_tools,
)
from ftdata.model import Example, Message, Part
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
    return Obj({"role": Str([role]), "content": CONTENT, "name": Str()},
               required=["role", "content"], what=f"{role} message")


ASSISTANT = Obj(
    {"role": Str(["assistant"]), "content": Union(Str(), Null(), Arr(PART, what="content")),
     "name": Str(), "tool_calls": Arr(TOOL_CALL, what="tool_calls")},
    required=["role"], require_any=[("content", "tool_calls")], what="assistant message")
TOOL = Obj({"role": Str(["tool"]), "content": CONTENT, "name": Str(), "tool_call_id": Str()},
           required=["role", "content"], what="tool message")

TRL_MESSAGE = Ref("trl_message", Tagged("role", {
    "system": _plain("system"),
    "developer": _plain("developer"),
    "user": _plain("user"),
    "assistant": ASSISTANT,
    "tool": TOOL,
}, code="C001", what="role"))

IMAGES = Arr(Str(), what="images")

SHAPE = Obj(
    {"prompt": messages_array(what="prompt", item=TRL_MESSAGE),
     "completion": messages_array(what="completion", item=TRL_MESSAGE),
     "images": IMAGES, "tools": TOOLS},
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
        message.content = read_trl_content(item.get("content"), f"{pointer}/{index}/content")
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


def matches(record: Mapping[str, Any]) -> bool:
    # Strings in both keys make it ``prompt-completion``; a ``label`` makes it ``trl-kto``.
    return ("prompt" in record and "completion" in record and "label" not in record
            and (isinstance(record["prompt"], list) or isinstance(record["completion"], list)))


def read(record: Mapping[str, Any]) -> Example:
    messages = [*read_trl_messages(record.get("prompt"), "/prompt"),
                *read_trl_messages(record.get("completion"), "/completion")]
    attach_images(record, messages)
    return Example(kind="chat", messages=messages, tools=read_tools(record))


FORMAT = Format(
    id="trl-conversational",
    title="TRL conversational prompt-completion record",
    description='{"prompt": [messages], "completion": [messages], "images"?: [str], "tools"?}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="prompt-completion",
    conversational=True,
    used_by="TRL SFT (prompt-completion, conversational)",
)
