"""``alpaca``: instruction-following records, as LLaMA-Factory and Axolotl read them.

``instruction`` and ``output`` are required; ``input`` (extra context for the instruction),
``system`` and ``history`` (earlier ``[question, answer]`` rounds) are optional. Files are often
one JSON array rather than JSONL. LLaMA-Factory's variants are accepted too: preference data
puts ``chosen`` and ``rejected`` answers in place of ``output``, KTO data adds a boolean
``kto_tag``, and multimodal data adds ``images``, ``videos`` and ``audios`` lists.

In canonical form the record is a conversation: the system prompt, the history rounds, then one
user turn holding the instruction followed by the input (separated by a blank line when the
input is not empty), and the output as the assistant's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats.prompt_completion import string_message
from ftdata.formats.sharegpt import MEDIA_KEYS
from ftdata.model import Example, Message, Part
from ftdata.shapes import Arr, Bool, Keyed, Obj, Ref, Shape, Str

INPUT_SEPARATOR = "\n"  # as LLaMA-Factory joins instruction and input

ROUND = Arr(Str(), min_items=2, max_items=2, what="history round")

_PROMPT: dict[str, Shape] = {
    "instruction": Str(), "input": Str(), "system": Str(),
    "history": Arr(ROUND, what="history"),
    **{key: Arr(Str(), what=key) for key in MEDIA_KEYS},
}

RECORD = Ref("alpaca_record", Obj({**_PROMPT, "output": Str(), "kto_tag": Bool()},
                                  required=["instruction", "output"], what="record"))
PREFERENCE_RECORD = Ref("alpaca_preference_record", Obj(
    {**_PROMPT, "chosen": Str(), "rejected": Str()},
    required=["instruction", "chosen", "rejected"], what="preference record"))

SHAPE = Keyed([("chosen", PREFERENCE_RECORD), ("rejected", PREFERENCE_RECORD),
                  ("output", RECORD)], fallback=RECORD)


def matches(record: Mapping[str, Any]) -> bool:
    return "instruction" in record


def _history(raw: Any) -> list[Message]:
    if not isinstance(raw, list):
        return []
    messages: list[Message | None] = []
    for index, pair in enumerate(raw):
        if not isinstance(pair, list):
            continue
        for position, role in enumerate(("user", "assistant")[:len(pair)]):
            messages.append(string_message(role, pair[position], f"/history/{index}/{position}"))
    return [message for message in messages if message is not None]


def _prompt(record: Mapping[str, Any]) -> Message | None:
    """The user turn: the instruction, then the input when there is one."""
    instruction, extra = record.get("instruction"), record.get("input")
    extra = extra if isinstance(extra, str) else ""
    if not isinstance(instruction, str):
        return string_message("user", extra, "/input") if extra else None
    text = instruction + INPUT_SEPARATOR + extra if extra else instruction
    return Message(role="user", content=[Part("text", text=text, pointer="/instruction")],
                   pointer="/instruction")


def _answer(record: Mapping[str, Any], key: str) -> list[Message]:
    message = string_message("assistant", record.get(key), f"/{key}")
    return [message] if message is not None else []


def read(record: Mapping[str, Any]) -> Example:
    turns = [string_message("system", record.get("system"), "/system"),
             *_history(record.get("history")),
             _prompt(record)]
    kto_tag = record.get("kto_tag")
    example = Example(kind="chat", messages=[turn for turn in turns if turn is not None],
                      label=kto_tag if isinstance(kto_tag, bool) else None,
                      metadata={key: record[key] for key in MEDIA_KEYS
                                if isinstance(record.get(key), list)})
    if "chosen" in record or "rejected" in record:
        example.kind = "preference"
        example.chosen = _answer(record, "chosen")
        example.rejected = _answer(record, "rejected")
    else:
        example.messages.extend(_answer(record, "output"))
    return example


FORMAT = Format(
    id="alpaca",
    title="Alpaca instruction record (LLaMA-Factory, Axolotl)",
    description='{"instruction": str, "input"?: str, "output": str, "system"?: str, '
                '"history"?: [[str, str], ...]}; LLaMA-Factory also: "chosen"/"rejected" '
                'in place of "output", "kto_tag"?, "images"?, "videos"?, "audios"?',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="alpaca",
    conversational=True,
    used_by="LLaMA-Factory, Axolotl",
)
