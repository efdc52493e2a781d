"""Schema rules (S): the keys and types a record of the format must have.

They are raised by the format's shape (see :mod:`ftdata.shapes`), which is also rendered as the
format's JSON Schema, so the schema in ``schemas/`` and these rules agree. A target may refuse
more than its formats' shapes do: :func:`target_findings` reads the raw record for S001 and
S002, the S004 check reads the canonical example, both by the target's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ftdata.diagnostics import Finding, Severity
from ftdata.formats._openai import WEIGHT_ELSEWHERE
from ftdata.model import Example, Message
from ftdata.pointers import get
from ftdata.rules._registry import RuleContext, register, rule
from ftdata.targets import Target

E = Severity.ERROR

register("S001", "missing-key", E, """
    A required key is missing.

    **What it does.** Checks the record, and every message and part inside it, against the
    format's required keys. The pointer names the place the key should be. An assistant
    message's `"content": null` counts as missing unless the message carries `tool_calls` (or
    the legacy `function_call`): null is how a turn that only calls tools says it has no text,
    so without calls the turn has no answer at all, exactly as if `content` were left out. With
    `--target mistral` every function declared under `tools` also needs a `description` and
    `parameters`.

    **Why is this bad?** The provider rejects the record: OpenAI's chat input requires
    `content` "unless tool_calls or function_call is specified", and its data checks count a
    null content without a call as missing
    (https://cookbook.openai.com/examples/chat_finetuning_data_prep). A trainer renders the
    turn through a chat template that fails on the null or prints `None` as the answer to
    learn.

    **Example.** `{"messages": [{"content": "hi"}]}` (the message has no `role`);
    `{"role": "assistant", "content": null}`.

    **Use instead.** `{"messages": [{"role": "user", "content": "hi"}]}`; the assistant's
    answer as its `content`, or the `tool_calls` it makes.
""", structural=True, raised_by=("ftdata.shapes",))

register("S002", "unknown-key", E, """
    A key that the format does not define.

    **What it does.** Reports keys the format does not know, at every level. With
    `--target together` it also reports `tools`, `functions` and `parallel_tool_calls` at the
    top of a record: Together's check accepts no key besides the format's own columns there.

    **Why is this bad?** Strict providers reject the record; lenient trainers drop the key
    silently, so a misspelt key (`"contnet"`) loses data without a word.

    **Example.** `{"messages": [...], "metadata": {"source": "crm"}}` for OpenAI.

    **Use instead.** Remove the key, or keep side data in a separate file keyed by line.
""", structural=True, raised_by=("ftdata.shapes",))

register("S003", "wrong-type", E, """
    A value has the wrong JSON type.

    **What it does.** Checks the JSON type of every known key.

    **Why is this bad?** The provider rejects the record, or a trainer crashes mid-run.

    **Example.** `{"role": "user", "content": 42}`

    **Use instead.** `{"role": "user", "content": "42"}`
""", structural=True, raised_by=("ftdata.shapes",))

@rule("S004", "invalid-value", E, structural=True)
def invalid_value(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A value is of the right type but not one the format allows.

    **What it does.** Checks fixed values (`"type": "function"`, `schemaVersion`, part types,
    image `detail`) and array sizes. With `--target together` it also checks that each side
    of a preference pair holds exactly one message, and that a conversation's contents are
    all strings or all lists of parts.

    **Why is this bad?** The provider rejects the record.

    **Example.** `{"type": "func", "function": {...}}` in a tool call.

    **Use instead.** `{"type": "function", "function": {...}}`
    """
    # Fixed values are the shape's to check; this only knows the target's.
    target = context.target
    findings: list[Finding] = []
    if target.single_message_outputs and example.kind == "preference":
        for side in (example.chosen, example.rejected):
            # An empty side is C015 already (the shape's).
            if side and len(side) != 1 and side[0].pointer:
                container = side[0].pointer.rpartition("/")[0]
                findings.append(Finding("S004", f"{container.lstrip('/')} holds {len(side)} "
                                                f"messages ({target.id} accepts exactly one)",
                                        container))
    if target.uniform_content_shape and example.kind in ("chat", "preference"):
        findings.extend(_mixed_contents(example.messages, target.id))
    return findings


def _is_string(message: Message) -> bool:
    """Whether the content was a string in the record (one text part at the content key)."""
    content = message.content
    return content is not None and len(content) == 1 and \
        content[0].pointer == message.content_pointer


def _mixed_contents(messages: list[Message], target: str) -> list[Finding]:
    shapes = [(message, _is_string(message)) for message in messages
              if message.content is not None]
    if not shapes:
        return []
    first = shapes[0][1]
    for message, is_string in shapes[1:]:
        if is_string != first:
            what, other = ("a string", "lists of parts") if is_string else \
                ("a list of parts", "strings")
            return [Finding("S004", f"{message.role} content is {what} after {other} ({target} "
                                    f"wants one or the other throughout)",
                            message.content_pointer)]
    return []


def target_findings(record: Mapping[str, Any], target: Target) -> list[Finding]:
    """What the target refuses in a raw record beyond the format's shape: keys at the top of
    the record (S002) and keys missing from the functions declared under ``tools`` (S001)."""
    findings: list[Finding] = []
    for key in target.refused_record_keys:
        if key in record:
            findings.append(Finding("S002", f"{key} at the top of the record ({target.id} "
                                            f"refuses it)", "/" + key))
    tools = record.get("tools") if target.function_keys else None
    if isinstance(tools, list):
        for index, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, Mapping) else None
            if not isinstance(function, Mapping):
                continue  # the shape says it
            for key in target.function_keys:
                if key not in function:
                    findings.append(Finding("S001", f"the function has no {key!r} "
                                                    f"({target.id} needs it)",
                                            f"/tools/{index}/function/{key}"))
    return findings


def lift_findings(findings: list[Finding], record: Mapping[str, Any],
                  target: Target) -> list[Finding]:
    """The shape's findings less those the target does not hold against the record: OpenAI's
    rule that weights sit on assistant messages only (``weights_on_any_message``) and a weight
    of ``true`` or ``false`` (``boolean_weights``)."""
    if not (target.weights_on_any_message or target.boolean_weights):
        return findings
    kept: list[Finding] = []
    for finding in findings:
        pointer = finding.pointer
        if pointer and pointer.endswith("/weight"):
            if (target.weights_on_any_message and finding.code == "C007"
                    and finding.message == WEIGHT_ELSEWHERE):
                continue
            if (target.boolean_weights and finding.code == "S003"
                    and isinstance(get(record, pointer), bool)):
                continue
        kept.append(finding)
    return kept
