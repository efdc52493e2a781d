"""``llamafactory-v1-preference``: LLaMA-Factory v1 DPO samples.

A record holds two whole conversations, ``chosen_messages`` and ``rejected_messages``, in the
v1 message spelling of ``llamafactory-v1`` (typed ``{"type", "value"}`` parts, ``loss_weight``),
plus the optional ``tools`` and ``extra_info`` strings. Source: hiyouga/LLaMA-Factory (commit
ff6d4d12) ``src/llamafactory/v1/utils/types.py`` lines 108-118 (``DPOSample``) and the ``pair``
converter that builds it, ``src/llamafactory/v1/plugins/data_plugins/converter.py`` lines
238-297; demo: ``data/v1_dpo_demo.jsonl``.

The two conversations share their prompt: the canonical example keeps the leading turns they
have in common as its messages, and the rest of each as the chosen and rejected answers. The
writer repeats the prompt on both sides, as the demo does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.formats._openai import messages_array
from ftdata.formats._write import require_kind
from ftdata.formats.llamafactory_v1 import (
    MESSAGE,
    SAMPLE_FIELDS,
    cross_check,
    read_sample_fields,
    read_v1_messages,
    write_sample_fields,
    write_v1_messages,
)
from ftdata.formats.trl_preference import shared_turns
from ftdata.model import Example
from ftdata.shapes import Obj

SHAPE = Obj(
    {"chosen_messages": messages_array(what="chosen_messages", item=MESSAGE),
     "rejected_messages": messages_array(what="rejected_messages", item=MESSAGE),
     **SAMPLE_FIELDS},
    required=["chosen_messages", "rejected_messages"], what="record")


def matches(record: Mapping[str, Any]) -> bool:
    return "chosen_messages" in record or "rejected_messages" in record


def read(record: Mapping[str, Any]) -> Example:
    chosen, rejected = record.get("chosen_messages"), record.get("rejected_messages")
    shared = shared_turns(chosen, rejected)
    return read_sample_fields(record, Example(
        kind="preference",
        messages=read_v1_messages(chosen[:shared], "/chosen_messages")
        if isinstance(chosen, list) else [],
        chosen=read_v1_messages(chosen, "/chosen_messages", shared),
        rejected=read_v1_messages(rejected, "/rejected_messages", shared)))


def write(example: Example) -> dict[str, Any]:
    """The pair as two whole conversations, the shared prompt repeated on each side.

    >>> from ftdata.model import text_message
    >>> pair = Example(kind="preference", messages=[text_message("user", "Hi", "")],
    ...                chosen=[text_message("assistant", "Hello!", "")],
    ...                rejected=[text_message("assistant", "Go.", "")])
    >>> [m["content"][0]["value"] for m in write(pair)["rejected_messages"]]
    ['Hi', 'Go.']
    """
    require_kind(example, FORMAT.id, ("preference",))
    prompt = write_v1_messages(example.messages, FORMAT.id, "prompt") if example.messages else []
    record: dict[str, Any] = {}
    for key, side in (("chosen_messages", example.chosen), ("rejected_messages",
                                                            example.rejected)):
        what = f"{key.split('_')[0]} answer"
        record[key] = [*prompt, *write_v1_messages(side or [], FORMAT.id, what)]
    return write_sample_fields(example, FORMAT.id, record)


FORMAT = Format(
    id="llamafactory-v1-preference",
    title="LLaMA-Factory v1 DPO sample",
    description='{"chosen_messages": [v1 messages], "rejected_messages": [v1 messages], '
                '"tools"?: str, "extra_info"?: str}',
    kind="preference",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=cross_check,
    family="llamafactory-v1-preference",
    local_media=True,
    # A turn's reasoning is a typed part of its content (core/rendering/format.py:38-98).
    reasoning="reasoning",
    used_by="LLaMA-Factory v1 (DPO)",
)
