"""Q005: JSON encoded twice, and the fix that decodes one level."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import Fix, RuleContext, edit_string, rule
from ftdata.scan.texts import example_texts, text_label
from ftdata.scan.triggers import SPACE_BYTE

W = Severity.WARNING


def decode_double_encoded(value: object) -> str | None:
    """The JSON text inside a JSON string literal, when ``value`` is JSON encoded twice.

    It is also Q005's fix: the returned text is what the field should hold.

    >>> decode_double_encoded('"{\\\\"city\\\\": \\\\"Paris\\\\"}"')
    '{"city": "Paris"}'
    >>> decode_double_encoded('{"city": "Paris"}') is None
    True
    """
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    if len(stripped) < 4 or stripped[0] != '"' or stripped[-1] != '"':
        return None
    try:
        inner = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if not isinstance(inner, str) or inner.strip()[:1] not in ("{", "["):
        return None
    try:
        decoded = json.loads(inner)
    except (ValueError, RecursionError):
        return None
    return inner if isinstance(decoded, (dict, list)) else None


def _q005_triggers() -> tuple[str, ...]:
    """A text whose first character after any whitespace is a quote."""
    return (rf'\xff{SPACE_BYTE}*"',)


def _decode_once(record: Any, pointer: str) -> bool:
    return edit_string(record, pointer, decode_double_encoded)


@rule("Q005", "double-encoded-json", W, fix=Fix("decoded double-encoded JSON", _decode_once),
      triggers=_q005_triggers)
def double_encoded_json(example: Example, context: RuleContext) -> Iterator[Finding]:
    """JSON is encoded twice: a JSON string whose value is JSON text again.

    **What it does.** Decodes tool call arguments and message content that are JSON string
    literals (`"\\"{...}\\""`) and reports them when the decoded string is itself a JSON object
    or array.

    **Why is this bad?** The model learns to emit escaped, quoted JSON (`"{\\"city\\": ...}"`)
    that no tool parser accepts, and the chat template renders it with a second layer of
    backslashes.

    **Example.** `"arguments": "\\"{\\\\\\"location\\\\\\": \\\\\\"home\\\\\\"}\\""`

    **Use instead.** `"arguments": "{\\"location\\": \\"home\\"}"` (`ftdata fix` decodes
    one level.)
    """
    for message in example.all_messages():
        for call in message.tool_calls:
            if decode_double_encoded(call.arguments) is not None:
                yield Finding("Q005", f"the arguments of tool call {call.name or '?'!r} are a "
                                      f"JSON string holding JSON (encoded twice)",
                              call.arguments_pointer or call.pointer)
    for text in example_texts(example):
        first = text.value[:1]
        if (text.field == "content" and (first == '"' or first.isspace())
                and decode_double_encoded(text.value)):
            yield Finding("Q005", f"{text_label(text)} is a JSON string holding JSON "
                                  f"(encoded twice)", text.pointer)
