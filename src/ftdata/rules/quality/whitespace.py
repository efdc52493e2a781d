"""Q001: whitespace at the start or end of a text, and the fix that trims it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import Fix, RuleContext, edit_string, rule
from ftdata.scan.texts import TOOL_RESULT_ROLES, Text, example_texts, text_label, texts_by_message
from ftdata.scan.triggers import WHITESPACE

INFO = Severity.INFO


class WhitespacePolicy(NamedTuple):
    """Which ends of a string Q001 looks at, and whether one final newline is fine there."""

    leading: bool
    trailing: bool
    final_newline: bool


#: Keys whose strings a trainer concatenates as raw text (``prompt + completion``): the end of
#: the prompt and the start of the completion are the seam, where a separator or a leading
#: space is the documented convention (OpenAI's legacy guide), not noise.
_SEAM_PROMPT = ("prompt",)
_SEAM_COMPLETION = ("completion", "chosen", "rejected")
_FENCE = re.compile(r"[ \t]*(?:`{3,}|~{3,})[ \t]*")


def whitespace_policy(pointer: str) -> WhitespacePolicy:
    """What Q001 checks (and its fix trims) in the string at ``pointer`` of a raw record.

    >>> whitespace_policy("/completion")
    WhitespacePolicy(leading=False, trailing=True, final_newline=True)
    """
    key = pointer[1:] if pointer.count("/") == 1 else None
    if key == "text":
        return WhitespacePolicy(leading=True, trailing=True, final_newline=True)
    if key in _SEAM_PROMPT:
        return WhitespacePolicy(leading=True, trailing=False, final_newline=False)
    if key in _SEAM_COMPLETION:
        return WhitespacePolicy(leading=False, trailing=True, final_newline=True)
    return WhitespacePolicy(leading=True, trailing=True, final_newline=False)


def fix_surrounding_whitespace(value: str, pointer: str) -> str:
    """Q001's fix: the string at ``pointer`` with the whitespace the rule reports removed.

    >>> fix_surrounding_whitespace(" Paris. \\n", "/messages/1/content")
    'Paris.'
    >>> fix_surrounding_whitespace(" Paris.\\n\\n", "/completion")
    ' Paris.\\n'
    """
    return trim_surrounding_whitespace(value, whitespace_policy(pointer))


def trim_surrounding_whitespace(value: str, policy: WhitespacePolicy) -> str:
    """The string as Q001's fix leaves it.

    >>> trim_surrounding_whitespace("  Paris. \\n", WhitespacePolicy(True, True, False))
    'Paris.'
    >>> trim_surrounding_whitespace("```py\\nx = 1\\n```\\n", WhitespacePolicy(True, True, False))
    '```py\\nx = 1\\n```\\n'
    """
    result = value.lstrip() if policy.leading else value
    if policy.trailing:
        stripped = result.rstrip()
        newline = next((end for end in ("\n", "\r\n")
                        if result.startswith(end, len(stripped))), "")
        if newline and stripped and (
                policy.final_newline
                or _FENCE.fullmatch(stripped, stripped.rfind("\n") + 1) is not None):
            stripped += newline
        result = stripped
    return result


def _show_whitespace(whitespace: str) -> str:
    if len(whitespace) <= 6:
        return repr(whitespace)
    return f"{len(whitespace)} whitespace characters"


def _message_whitespace(texts: list[Text]) -> Iterator[Finding]:
    """Leading whitespace on the first text part, trailing on the last one."""
    first, last = texts[0], texts[-1]
    if not (first.value[:1].isspace() or last.value[-1:].isspace()):
        return  # the common case, without copying the text
    if all(text.value.isspace() or not text.value for text in texts):
        return  # empty content is C002's
    if first.field != "content" or (first.message is not None
                                    and first.message.role in TOOL_RESULT_ROLES):
        return  # a tool's output is what the tool printed
    policy = whitespace_policy(first.pointer)
    leading = first.value[:len(first.value) - len(first.value.lstrip())]
    trimmed = trim_surrounding_whitespace(last.value, policy._replace(leading=False))
    trailing = last.value[len(trimmed):]
    problems = []
    if policy.leading and leading:
        problems.append(("leading", leading, first.pointer))
    if trailing:
        problems.append(("trailing", trailing, last.pointer))
    if len(problems) == 2 and first.pointer == last.pointer:
        yield Finding("Q001", f"{text_label(first)} has leading and trailing whitespace "
                              f"({_show_whitespace(leading)}, {_show_whitespace(trailing)})",
                      first.pointer)
        return
    for side, whitespace, pointer in problems:
        yield Finding("Q001", f"{text_label(first)} has {side} whitespace "
                              f"({_show_whitespace(whitespace)})", pointer)


def _q001_triggers() -> tuple[str, ...]:
    """A text that starts or ends with whitespace."""
    return (r"\xff" + WHITESPACE, WHITESPACE + r"\xff")


def _strip_whitespace(record: Any, pointer: str) -> bool:
    return edit_string(record, pointer, lambda value: fix_surrounding_whitespace(value, pointer))


@rule("Q001", "surrounding-whitespace", INFO,
      fix=Fix("stripped surrounding whitespace", _strip_whitespace), triggers=_q001_triggers)
def surrounding_whitespace(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Content starts or ends with whitespace.

    **What it does.** Looks at the start and end of message content, of the text document and
    of prompts and completions. Tool results are left alone (they are what the tool printed).
    A prompt may end, and a completion may start, with whitespace: in the prompt-completion
    formats the two are joined as raw text and that seam is where a separator belongs. One
    final newline is accepted at the end of a completion or a text document, and after a
    closing code fence (```` ``` ````) in chat content, where it is the usual end of a code
    answer; any other trailing whitespace is reported.

    **Why is this bad?** Whitespace is tokenized: the model learns to open answers with a
    space or a newline, or to emit trailing blanks before it stops, and the same answer
    tokenizes differently with and without it. It is nearly always an artefact of scraping or
    of string concatenation.

    **Example.** `{"role": "assistant", "content": "\\n\\nParis is the capital.  "}`

    **Use instead.** `{"role": "assistant", "content": "Paris is the capital."}`
    (`ftdata fix` trims it, by the same policy.)
    """
    for texts in texts_by_message(example_texts(example)):
        yield from _message_whitespace(texts)
