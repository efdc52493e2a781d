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

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._write import (
    check_metadata,
    check_name,
    check_no_calls,
    check_weight,
    leading_system,
    plain_turn,
    require_kind,
    require_messages,
    require_no_tools,
    role_name,
)
from ftdata.formats.prompt_completion import string_message
from ftdata.formats.sharegpt import MEDIA_KEYS, MediaText
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


# -- writing ------------------------------------------------------------------------------

WRITE_ROLES = {"system": "system", "user": "user", "assistant": "assistant"}


def _text(message: Message, media: MediaText) -> str:
    role_name(WRITE_ROLES, message, FORMAT.id)
    check_no_calls(message, FORMAT.id)
    check_weight(message, FORMAT.id)
    check_name(message, FORMAT.id)
    return media.text(message)


def _answer_text(side: list[Message] | None, key: str, media: MediaText) -> str:
    if not side or len(side) != 1 or side[0].role != "assistant":
        raise Unrepresentable(f"{FORMAT.id} holds one assistant turn as the {key} answer")
    return _text(side[0], media)


def write(example: Example) -> dict[str, Any]:
    """The last user turn as the instruction, earlier rounds as ``history``.

    The input is always empty: canonical form keeps the instruction and the input joined.

    >>> chat = Example(kind="chat", messages=[text_message("user", "Add 2 and 2.", ""),
    ...                                       text_message("assistant", "4", "")])
    >>> write(chat)
    {'instruction': 'Add 2 and 2.', 'input': '', 'output': '4'}
    """
    require_kind(example, FORMAT.id, ("chat", "completion", "preference"))
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id, MEDIA_KEYS)
    system, turns = leading_system(example.messages, FORMAT.id)
    if len(system) > 1:
        raise Unrepresentable(f"{FORMAT.id} holds one system prompt")
    preference = example.kind == "preference"
    media = MediaText(FORMAT.id)
    texts = [_text(message, media) for message in require_messages(turns, FORMAT.id)]
    alternating = all(m.role == ("user", "assistant")[i % 2] for i, m in enumerate(turns))
    if not alternating or len(turns) % 2 != preference:
        end = "the user's turn" if preference else "the assistant's answer"
        raise Unrepresentable(f"{FORMAT.id} needs user and assistant turns in alternation, "
                              f"ending with {end}")
    if not preference:
        texts, output = texts[:-1], texts[-1]
    record: dict[str, Any] = {"instruction": texts[-1], "input": ""}
    if preference:
        record["chosen"] = _answer_text(example.chosen, "chosen", media)
        record["rejected"] = _answer_text(example.rejected, "rejected", media)
    else:
        record["output"] = output
    if system:
        record["system"] = plain_turn(system[0], WRITE_ROLES, FORMAT.id)[1]
    if len(texts) > 1:
        record["history"] = [list(pair) for pair in zip(texts[:-1:2], texts[1:-1:2], strict=True)]
    if example.label is not None:
        if preference:
            raise Unrepresentable(f"{FORMAT.id} preference pairs have no KTO label")
        record["kto_tag"] = example.label
    record.update(media.fields(example))
    return record


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
    write=write,
    family="alpaca",
    conversational=True,
    used_by="LLaMA-Factory, Axolotl",
)
