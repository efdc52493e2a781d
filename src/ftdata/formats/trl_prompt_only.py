"""``trl-prompt-only``: TRL's prompt-only datasets, for the online trainers (GRPO, RLOO, ...).

A record holds a ``prompt`` only, a string (standard) or a list of chat messages
(conversational); the model writes the completions during training. Vision datasets add
``images`` (filled into ``{"type": "image"}`` placeholders, as in ``trl-conversational``),
tool-using ones ``tools``. Every other column is passed to the reward functions, so any extra
key is allowed. Sources (huggingface/trl, commit f2cd5771): ``docs/source/dataset_formats.md``
lines 27-31 and 296-330 (the type), 403-423 (the trainers that take it);
``trl/trainer/grpo_trainer.py`` lines 1617-1618 (extra columns become reward arguments).

The canonical example is a conversation that ends with the user's turn and has no answer, as
in ``openai-rft``: the rules that want an assistant turn (C003, C004, C005) do not apply. A
prompt read from a string is marked ``trl_form: "standard"`` and written back as a string
while it is still one plain user turn; the extra columns are the example's metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import ANY, messages_array
from ftdata.formats._write import SETTINGS, require_kind, require_no_label
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
from ftdata.formats.trl_preference import FORM_KEY, STANDARD, plain_text
from ftdata.model import Example
from ftdata.shapes import Forbidden, Obj, Str, Union

#: Keys that make a ``prompt`` record another format's: an answer (``prompt-completion``,
#: ``trl-conversational``), a pair, a KTO label, stepwise completions, or other formats' turns.
OTHER_FORMAT_KEYS = ("completion", "completions", "chosen", "rejected", "label", "labels",
                     "messages", "conversations", "contents", "instruction")

SHAPE = Obj(
    {"prompt": Union(Str(), messages_array(what="prompt", item=TRL_MESSAGE)),
     "images": IMAGES, "tools": TRL_TOOLS,
     # Not reward columns: a record with one of them in a prompt-only file is another kind of
     # record, whose answer the online trainers would never see.
     **{key: Forbidden("S002", f"key {key!r} belongs to another format (a prompt-only record "
                               f"holds no answer)") for key in OTHER_FORMAT_KEYS}},
    required=["prompt"], extra=ANY, what="record")
#: Columns of the record that are not reward data.
_OWN_KEYS = ("prompt", "images", "tools")


def matches(record: Mapping[str, Any]) -> bool:
    return "prompt" in record and not any(key in record for key in OTHER_FORMAT_KEYS)


def read(record: Mapping[str, Any]) -> Example:
    prompt = record.get("prompt")
    if isinstance(prompt, list):
        messages = read_trl_messages(prompt, "/prompt")
    else:
        message = string_message("user", prompt, "/prompt")
        messages = [message] if message is not None else []
    example = Example(kind="chat", messages=messages, tools=read_trl_tools(record),
                      metadata={key: value for key, value in record.items()
                                if key not in _OWN_KEYS})
    if isinstance(prompt, str) and "images" not in record:
        example.metadata[FORM_KEY] = STANDARD
    attach_images(record, messages)
    return example


def _reward_columns(example: Example) -> dict[str, Any]:
    """The metadata written as extra columns: everything but settings and empty lists."""
    columns = {key: value for key, value in example.metadata.items()
               if key not in SETTINGS and value != []}
    for key in columns:
        if key in OTHER_FORMAT_KEYS or key in _OWN_KEYS:
            raise Unrepresentable(f"{key!r} would make the {FORMAT.id} record read as another "
                                  f"format's")
    return columns


def write(example: Example) -> dict[str, Any]:
    """The prompt, a string when it was read from one, then the reward columns.

    >>> write(read({"prompt": "2+2=", "answer": "4"}))
    {'prompt': '2+2=', 'answer': '4'}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    last = example.messages[-1].role if example.messages else "nothing"
    if last != "user":
        raise Unrepresentable(f"{FORMAT.id} prompts end with the user's turn, not with {last}")
    record: dict[str, Any] = {}
    text = plain_text(example.messages, "user")
    if example.metadata.get(FORM_KEY) == STANDARD and text is not None and not example.tools:
        record["prompt"] = text
    else:
        images: list[str] = []
        record["prompt"] = write_trl_messages(example.messages, images, FORMAT.id,
                                              trained=False, what="prompt")
        if images:
            record["images"] = images
    if example.tools is not None:
        record["tools"] = write_trl_tools(example.tools, FORMAT.id)
    return {**record, **_reward_columns(example)}


FORMAT = Format(
    id="trl-prompt-only",
    title="TRL prompt-only record",
    description='{"prompt": str | [messages], "images"?: [str], "tools"?, any extra keys for '
                'the reward functions}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=check_trl_tools,
    family="prompt-completion",
    conversational=True,
    ends_with_user=True,
    used_by="TRL GRPO, RLOO, Online DPO, XPO, Nash-MD",
)
