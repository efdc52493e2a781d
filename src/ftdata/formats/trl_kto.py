"""``trl-kto``: unpaired preference data, one completion and a boolean ``label``.

TRL's KTO and BCO trainers take ``{"prompt", "completion", "label"}`` with strings (standard) or
message lists (conversational). LLaMA-Factory's KTO datasets keep the whole conversation under
``messages`` instead, with the same ``label``; both forms are accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._openai import REASONING_KEY, last_role, messages_array
from ftdata.formats._write import check_metadata, require_kind, require_no_tools
from ftdata.formats.prompt_completion import prompt_and_completion, string_message
from ftdata.formats.trl_conversational import (
    TRL_MESSAGE,
    read_trl_messages,
    split_completion,
    write_trl_messages,
)
from ftdata.model import Example, Message
from ftdata.shapes import Bool, Keyed, Obj, Str, Union


def _text_or_messages(what: str) -> Union:
    return Union(Str(), messages_array(what=what, item=TRL_MESSAGE))


PROMPT_COMPLETION = Obj(
    {"prompt": _text_or_messages("prompt"), "completion": _text_or_messages("completion"),
     "label": Bool()},
    required=["prompt", "completion", "label"], what="record")
MESSAGES = Obj({"messages": messages_array(item=TRL_MESSAGE), "label": Bool()},
               required=["messages", "label"], what="record")

# A record without ``prompt`` but with ``messages`` is LLaMA-Factory's form; anything else is
# checked as TRL's, so a record with neither is told that ``prompt`` is missing.
SHAPE = Keyed([("prompt", PROMPT_COMPLETION), ("messages", MESSAGES)])


def matches(record: Mapping[str, Any]) -> bool:
    if "label" not in record:
        return False
    if "prompt" in record or "completion" in record:
        return True
    # A ``messages`` record ending with the user is reinforcement data with a grader label.
    return "messages" in record and last_role(record.get("messages")) != "user"


def _turns(value: Any, pointer: str, role: str) -> list[Message]:
    if isinstance(value, list):
        return read_trl_messages(value, pointer)
    message = string_message(role, value, pointer)
    return [message] if message is not None else []


def read(record: Mapping[str, Any]) -> Example:
    label = record.get("label")
    label = label if isinstance(label, bool) else None
    if "prompt" not in record and "messages" in record:
        return Example(kind="chat", messages=read_trl_messages(record["messages"], "/messages"),
                       label=label)
    prompt, completion = record.get("prompt"), record.get("completion")
    conversational = isinstance(prompt, list) or isinstance(completion, list)
    messages = [*_turns(prompt, "/prompt", "user"),
                *_turns(completion, "/completion", "assistant")]
    return Example(kind="chat" if conversational else "completion", messages=messages,
                   label=label)


def write(example: Example) -> dict[str, Any]:
    """TRL's form: strings for a prompt-completion pair, message lists for a conversation.

    >>> write(Example(kind="completion", label=True,
    ...               messages=[text_message("user", "The sky is", ""),
    ...                         text_message("assistant", " blue.", "")]))
    {'prompt': 'The sky is', 'completion': ' blue.', 'label': True}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    if example.label is None:
        raise Unrepresentable(f"{FORMAT.id} needs a label (is the completion desirable?)")
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    if example.kind == "completion":
        prompt, completion = prompt_and_completion(example, FORMAT.id)
        return {"prompt": prompt, "completion": completion, "label": example.label}
    before, after = split_completion(example.messages, FORMAT.id)
    return {"prompt": write_trl_messages(before, None, FORMAT.id, trained=False, what="prompt"),
            "completion": write_trl_messages(after, None, FORMAT.id, trained=True,
                                             what="completion"),
            "label": example.label}


FORMAT = Format(
    id="trl-kto",
    title="TRL unpaired preference (KTO) record",
    description='{"prompt": str | [messages], "completion": str | [messages], "label": bool} '
                'or {"messages": [messages], "label": bool}',
    kind="completion",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="prompt-completion",
    conversational=True,
    used_by="TRL KTO/BCO, LLaMA-Factory KTO",
    reasoning=REASONING_KEY,
)
