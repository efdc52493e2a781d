"""``bedrock-rft``: Amazon Bedrock reinforcement fine-tuning records (Nova and open-weight models).

Bedrock takes RFT prompts "in OpenAI chat completion format": ``messages`` with system, user
and assistant turns holding the prompt, which end with the user's turn; ``reference_answer``,
"the expected output or evaluation criteria that your reward function uses", and optionally
"fields used by grader Lambda for grading"
(https://docs.aws.amazon.com/bedrock/latest/userguide/rft-prepare-data.html and
rft-prepare-data-open-weight.html; aws-samples/amazon-bedrock-samples
custom-models/bedrock-reinforcement-fine-tuning/models/nova/train_gms8k_example.jsonl adds
``task_id``, ``domain`` and others). Amazon's dataset validator
(aws-samples/amazon-nova-samples customization/bedrock-finetuning/understanding/
dataset_validation/nova_ft_dataset_validator.py, ``RFTMessage``/``RFTDatasetSample``) takes
string content only, the roles system, user and assistant, an optional ``id`` and OpenAI-style
``tools``, and a ``reference_answer`` that is a string or an object.

Detection: every such record is also an ``openai-rft`` record (OpenAI passes any extra key,
``reference_answer`` included, to its graders) and an ``openai-chat`` one, so on its own a file
of them is read as ``openai-rft``, the more general format; ``--target bedrock`` or ``--format
bedrock-rft`` picks this one, as ``bedrock-claude`` is picked over ``openai-chat``. Listed
after both in the registry, it never wins a tie on its own. All three are of the ``messages``
family, so a file holding them is not mixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable, openai_rft
from ftdata.formats._openai import (
    ANY,
    TOOLS,
    has_messages_key,
    messages_array,
    read_messages,
    read_tools,
    write_tools,
)
from ftdata.formats._write import (
    SETTINGS,
    plain_turn,
    require_kind,
    require_messages,
    require_no_label,
)
from ftdata.model import Example
from ftdata.shapes import Obj, Ref, Str, Tagged, Union

ROLES = ("system", "user", "assistant")
ANSWER_KEY = "reference_answer"

MESSAGE = Ref("bedrock_rft_message", Tagged("role", {
    role: Obj({"role": Str([role]), "content": Str()}, required=["role", "content"],
              what=f"{role} message")
    for role in ROLES
}, code="C001", what="role"))

SHAPE = Obj(
    {"messages": messages_array(item=MESSAGE),
     ANSWER_KEY: Union(Str(), Obj({}, extra=True, what=ANSWER_KEY)),
     "id": Str(), "tools": TOOLS},
    required=["messages", ANSWER_KEY], extra=ANY, what="record")


def matches(record: Mapping[str, Any]) -> bool:
    """An ``openai-rft`` record (a ``messages`` list whose last turn is the user's), or a
    ``messages`` record with Bedrock's ``reference_answer`` whose conversation is broken (empty,
    say): one such record must not make ``--target bedrock`` read an RFT file as another
    format."""
    return openai_rft.matches(record) or (
        ANSWER_KEY in record and has_messages_key(record)
        and not any(key in record for key in openai_rft.OTHER_FORMAT_KEYS))


_CONVERSATION_KEYS = ("messages", "tools")


def read(record: Mapping[str, Any]) -> Example:
    # Everything but the conversation is data for the reward function, the answer included.
    extra = {key: value for key, value in record.items() if key not in _CONVERSATION_KEYS}
    return Example(kind="chat", messages=read_messages(record.get("messages"), "/messages"),
                   tools=read_tools(record), metadata=extra)


WRITE_ROLES = {role: role for role in ROLES}


def write(example: Example) -> dict[str, Any]:
    """The prompt as plain-text messages, then the metadata as the grader's fields.

    >>> write(Example(kind="chat", messages=[text_message("user", "2+2?", "")],
    ...               metadata={"reference_answer": "4"}))
    {'messages': [{'role': 'user', 'content': '2+2?'}], 'reference_answer': '4'}
    """
    require_kind(example, FORMAT.id, ("chat", "completion"))
    require_no_label(example, FORMAT.id)
    messages = require_messages(example.messages, FORMAT.id)
    if messages[-1].role != "user":
        raise Unrepresentable(f"{FORMAT.id} conversations end with the user's turn, "
                              f"not with {messages[-1].role}")
    if ANSWER_KEY not in example.metadata:
        raise Unrepresentable(f"{FORMAT.id} records need a {ANSWER_KEY} for the reward function")
    record: dict[str, Any] = {"messages": [
        dict(zip(("role", "content"), plain_turn(message, WRITE_ROLES, FORMAT.id), strict=True))
        for message in messages]}
    if example.tools is not None:
        record["tools"] = write_tools(example.tools, FORMAT.id)
    # Training settings of other formats are not grader data.
    record.update((key, value) for key, value in example.metadata.items()
                  if key not in record and key not in SETTINGS)
    if not matches(record):
        raise Unrepresentable(f"the record's keys would make it read as another format's, "
                              f"not {FORMAT.id}")
    return record


FORMAT = Format(
    id="bedrock-rft",
    title="Amazon Bedrock reinforcement fine-tuning record",
    description='{"messages": [{"role": "system" | "user" | "assistant", "content": str}, ..., '
                'last is user], "reference_answer": str | object, "id"?, "tools"?, '
                'any extra keys for the grader}',
    kind="chat",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="messages",
    conversational=True,
    ends_with_user=True,
    used_by="Amazon Bedrock reinforcement fine-tuning (Nova, open-weight models)",
)
