"""``trl-stepwise``: TRL's stepwise (process) supervision datasets, for reward models.

A record holds a ``prompt`` string, the reasoning steps that answer it as ``completions`` (a
list of strings) and one boolean per step in ``labels`` (is this step correct?). TRL's PRM
trainer tokenizes the prompt and each step as plain text and pairs every step with its label,
so the two lists must have the same length. Sources (huggingface/trl, commit f2cd5771):
``docs/source/dataset_formats.md`` lines 81-88 and 389-401; ``trl/experimental/prm/
prm_trainer.py`` lines 325-345 (the pairing, ``zip(..., strict=True)``).

The canonical example is the prompt as a user turn followed by one assistant turn per step;
the labels are its metadata (``labels``), so a format with no place for them refuses the
example rather than dropping them. The steps follow each other without user turns between
them, so the conversation-order rules do not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.formats import Format, Unrepresentable
from ftdata.formats._write import (
    check_metadata,
    plain_turn,
    require_kind,
    require_no_label,
    require_no_tools,
)
from ftdata.formats.prompt_completion import string_message
from ftdata.model import Example, Message
from ftdata.shapes import Arr, Bool, Obj, Str

SHAPE = Obj(
    {"prompt": Str(),
     "completions": Arr(Str(), min_items=1, min_code="C015", what="completions"),
     "labels": Arr(Bool(), min_items=1, what="labels")},
    required=["prompt", "completions", "labels"], what="record")

LABELS = "labels"


def matches(record: Mapping[str, Any]) -> bool:
    # Vertex's preference records hold ``completions`` too, beside ``contents``.
    return (("completions" in record and "contents" not in record)
            or ("prompt" in record and LABELS in record))


def cross_check(record: Mapping[str, Any]) -> list[Finding]:
    """One label per step: TRL pairs them with ``zip(strict=True)``, which raises otherwise.

    >>> cross_check({"prompt": "?", "completions": ["a", "b"], "labels": [True]})
    [Finding(code='S004', message='labels has 1 items, completions has 2 (one label per \
step)', pointer='/labels')]
    """
    completions, labels = record.get("completions"), record.get(LABELS)
    if (isinstance(completions, list) and isinstance(labels, list)
            and len(completions) != len(labels)):
        return [Finding("S004", f"labels has {len(labels)} items, completions has "
                                f"{len(completions)} (one label per step)", f"/{LABELS}")]
    return []


def read(record: Mapping[str, Any]) -> Example:
    prompt = string_message("user", record.get("prompt"), "/prompt")
    messages = [prompt] if prompt is not None else []
    completions = record.get("completions")
    if isinstance(completions, list):
        for index, step in enumerate(completions):
            message = string_message("assistant", step, f"/completions/{index}")
            if message is not None:
                messages.append(message)
    example = Example(kind="chat", messages=messages)
    labels = record.get(LABELS)
    if isinstance(labels, list):
        example.metadata[LABELS] = list(labels)
    return example


_ROLES = {"user": "user", "assistant": "assistant"}


def _steps(messages: list[Message]) -> tuple[str, list[str]]:
    if len(messages) < 2 or messages[0].role != "user" or any(
            message.role != "assistant" for message in messages[1:]):
        raise Unrepresentable(f"{FORMAT.id} holds one user prompt and then the assistant's "
                              f"steps")
    turns = [plain_turn(message, _ROLES, FORMAT.id)[1] for message in messages]
    return turns[0], turns[1:]


def write(example: Example) -> dict[str, Any]:
    """The prompt, its steps and their labels.

    >>> write(read({"prompt": "9.8 or 9.11?", "completions": ["9.8 is larger."],
    ...             "labels": [True]}))
    {'prompt': '9.8 or 9.11?', 'completions': ['9.8 is larger.'], 'labels': [True]}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id, (LABELS,))
    prompt, steps = _steps(example.messages)
    labels = example.metadata.get(LABELS)
    if not isinstance(labels, list) or not all(isinstance(label, bool) for label in labels):
        raise Unrepresentable(f"{FORMAT.id} needs a correctness label for every step")
    if len(labels) != len(steps):
        raise Unrepresentable(f"{len(labels)} labels for {len(steps)} steps")
    return {"prompt": prompt, "completions": steps, LABELS: list(labels)}


FORMAT = Format(
    id="trl-stepwise",
    title="TRL stepwise supervision record",
    description='{"prompt": str, "completions": [str], "labels": [bool], one label per step}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    cross_check=cross_check,
    family="trl-stepwise",
    used_by="TRL PRM (process reward models)",
)
