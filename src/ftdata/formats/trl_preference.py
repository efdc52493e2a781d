"""``trl-preference``: TRL's paired preference datasets (DPO, ORPO, CPO, reward modelling).

``prompt``, ``chosen`` and ``rejected`` are each a string (standard) or a list of chat messages
(conversational). Without ``prompt`` the prompt is implicit: ``chosen`` and ``rejected`` are
whole conversations and TRL takes their common leading turns as the prompt. Vision datasets add
``images``; tool-using ones ``tools`` (read by ``trl/trainer/dpo_trainer.py`` lines 1020-1022,
huggingface/trl commit f2cd5771).

The two forms train differently (TRL applies the chat template to conversational data only),
so a pair read from strings (with no images, which only the conversational form can carry) is
marked ``trl_form: "standard"`` in the example's metadata and written back as strings while its
turns still fit them; everything else is written in the conversational form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import REASONING_KEY, messages_array
from ftdata.formats._write import (
    check_metadata,
    require_kind,
    require_no_label,
)
from ftdata.formats.prompt_completion import string_message
from ftdata.formats.trl_conversational import (
    IMAGES,
    TRL_MESSAGE,
    TRL_TOOLS,
    attach_images,
    check_trl_tools,
    read_trl_messages,
    read_trl_tools,
    write_trl_messages,
    write_trl_tools,
)
from ftdata.model import Example, Message
from ftdata.shapes import Obj, Str, Union


def _text_or_messages(what: str) -> Union:
    return Union(Str(), messages_array(what=what, item=TRL_MESSAGE))


SHAPE = Obj(
    {"prompt": _text_or_messages("prompt"), "chosen": _text_or_messages("chosen"),
     "rejected": _text_or_messages("rejected"), "images": IMAGES, "tools": TRL_TOOLS},
    required=["chosen", "rejected"], what="record")

# Other formats that also carry ``chosen``/``rejected`` (LLaMA-Factory's ShareGPT and Alpaca
# preference data) or that are told apart by these keys.
_OTHER_FORMAT_KEYS = ("conversations", "instruction", "messages", "input", "label")


def matches(record: Mapping[str, Any]) -> bool:
    return (("chosen" in record or "rejected" in record)
            and not any(key in record for key in _OTHER_FORMAT_KEYS))


def shared_turns(chosen: Any, rejected: Any) -> int:
    """How many leading turns two conversations share, keeping at least one answer each."""
    if not isinstance(chosen, list) or not isinstance(rejected, list):
        return 0
    count = 0
    while (count < min(len(chosen), len(rejected)) - 1
           and chosen[count] == rejected[count]):
        count += 1
    return count


def _side(value: Any, pointer: str, start: int = 0) -> list[Message]:
    if isinstance(value, list):
        return read_trl_messages(value, pointer, start)
    message = string_message("assistant", value, pointer)
    return [message] if message is not None else []


def read(record: Mapping[str, Any]) -> Example:
    chosen, rejected = record.get("chosen"), record.get("rejected")
    if "prompt" in record:
        prompt = record["prompt"]
        if isinstance(prompt, list):
            messages = read_trl_messages(prompt, "/prompt")
        else:
            message = string_message("user", prompt, "/prompt")
            messages = [message] if message is not None else []
        shared = 0
    else:
        shared = shared_turns(chosen, rejected)
        messages = read_trl_messages(chosen[:shared], "/chosen") if isinstance(chosen, list) else []
    example = Example(kind="preference", messages=messages,
                      chosen=_side(chosen, "/chosen", shared),
                      rejected=_side(rejected, "/rejected", shared),
                      tools=read_trl_tools(record))
    if "images" not in record and "tools" not in record and all(
            isinstance(record.get(key, ""), str) for key in ("prompt", "chosen", "rejected")):
        example.metadata[FORM_KEY] = STANDARD
    attach_images(record, example.all_messages())
    return example


#: The metadata entry that marks a pair read from plain strings.
FORM_KEY, STANDARD = "trl_form", "standard"


def plain_text(messages: list[Message] | None, role: str) -> str | None:
    """The text of a side that is one plain message of ``role``, else ``None``."""
    if not messages or len(messages) != 1:
        return None
    message = messages[0]
    if (message.role != role or message.name or message.tool_calls or message.tool_call_id
            or message.weight is not None or message.reasoning is not None
            or any(part.type != "text" for part in message.content or ())):
        return None
    return message.text


def _standard(example: Example) -> dict[str, Any] | None:
    """The pair as strings, when it was read from strings and still fits them."""
    if example.metadata.get(FORM_KEY) != STANDARD or example.tools is not None:
        return None
    record: dict[str, Any] = {}
    if example.messages:
        prompt = plain_text(example.messages, "user")
        if prompt is None:
            return None
        record["prompt"] = prompt
    for key, side in (("chosen", example.chosen), ("rejected", example.rejected)):
        text = plain_text(side, "assistant")
        if text is None:
            return None
        record[key] = text
    return record


def write(example: Example) -> dict[str, Any]:
    """The pair in TRL's conversational form: ``prompt``, ``chosen`` and ``rejected`` messages;
    in the standard form (strings) when it was read from strings.

    >>> from ftdata.model import text_message
    >>> pair = Example(kind="preference", messages=[text_message("user", "Hi", "")],
    ...                chosen=[text_message("assistant", "Hello!", "")],
    ...                rejected=[text_message("assistant", "Go.", "")])
    >>> write(pair)["chosen"]
    [{'role': 'assistant', 'content': 'Hello!'}]
    >>> write(read({"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}))
    {'prompt': 'The sky is', 'chosen': ' blue.', 'rejected': ' green.'}
    """
    require_kind(example, FORMAT.id, ("preference",))
    require_no_label(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    standard = _standard(example)
    if standard is not None:
        return standard
    images: list[str] = []
    record: dict[str, Any] = {}
    if example.messages:
        record["prompt"] = write_trl_messages(example.messages, images, FORMAT.id,
                                              trained=False, what="prompt")
    for key, side in (("chosen", example.chosen), ("rejected", example.rejected)):
        record[key] = write_trl_messages(side or [], images, FORMAT.id, trained=True,
                                         what=f"{key} answer")
    if images:
        record["images"] = images
    if example.tools is not None:
        record["tools"] = write_trl_tools(example.tools, FORMAT.id)
    return record


FORMAT = Format(
    id="trl-preference",
    title="TRL preference record",
    description='{"prompt"?: str | [messages], "chosen": str | [messages], '
                '"rejected": str | [messages], "images"?: [str], "tools"?}',
    kind="preference",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=check_trl_tools,
    family="trl-preference",
    used_by="TRL DPO, ORPO, CPO, Reward",
    reasoning=REASONING_KEY,
)
