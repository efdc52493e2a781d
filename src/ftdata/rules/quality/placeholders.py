"""Q003: template placeholders never filled in, told apart from code and mathematics."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.scan.regions import CodeRegions, line_at, looks_like_code
from ftdata.scan.texts import (
    TOOL_RESULT_ROLES,
    Text,
    example_texts,
    joined_texts,
    shorten,
    text_label,
)
from ftdata.scan.triggers import FOLDED, SPACE_BYTE, caseless, literal

W = Severity.WARNING


_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_Q003 = re.compile(
    # {{ name }}, {{ user.name | title }}: Mustache, Handlebars, Jinja variables.
    rf"(?P<double>\{{\{{-?\s*{_IDENTIFIER}(?:\s*\|\s*\w+(?:\([^()\n]*\))?)*\s*-?\}}\}})"
    # {name}: a format-string field, judged on its context below.
    rf"|(?P<single>(?<![{{$#%\\\w^_]){{{_IDENTIFIER}}}(?![}}\w]))"
    r"|(?P<bracket>\[(?:INSERT|Insert|insert)\b[^\[\]\n]{0,60}\]"
    r"|[\[<{](?:PLACEHOLDER|placeholder|Placeholder)\b[^\[\]<>{}\n]{0,40}[\]>}])")

#: Where a match of :data:`_Q003` may start: bare patterns whose first characters are rare,
#: so the scan skips ahead fast; brackets and ``lorem ipsum`` only after a substring test.
_Q003_TRIGGER = re.compile(r"\{[{A-Za-z_]")
_BRACKET_TRIGGER = re.compile(r"[\[<{](?:INSERT|[Ii]nsert|PLACEHOLDER|[Pp]laceholder)")
_BRACKET_HINTS = ("nsert", "NSERT", "laceholder", "LACEHOLDER")
_LOREM = re.compile(r"\b[Ll]orem ipsum\b")

#: Names a format-string field would carry; a lone letter or a subscript (``{x}``,
#: ``{x_n}``) is mathematics.
_TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9]+(?:_[a-z0-9]+)+|[a-z]{2,}(?:[A-Z][a-z0-9]*)*"
                            r"|[A-Z][a-z]+(?:[A-Z][a-z0-9]*)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,}"
                            r"|\w+(?:\.\w+)+")

#: Whole contents that are a placeholder and nothing else.
_PLACEHOLDER_CONTENT = re.compile(
    r"(?:(?:insert |enter |add |put )?(?:your |the )?"
    r"(?:question|answer|response|reply|prompt|instruction|input|output|text|message|"
    r"completion|content)(?: goes)? here"
    r"|your (?:question|answer|response|reply|prompt|instruction|input|output|text|message)"
    r"|placeholder(?: text)?|sample text|todo|tbd|fixme)[.!:…]*",
    re.IGNORECASE)
_TODO_CONTENT = re.compile(r"(?:TODO|FIXME)\b[^\n]{0,80}")
#: At most this many candidates are judged in one text.
_MAX_JUDGED = 500
#: Mathematical notation on a line makes its braces sets and sequences.
_MATH_SYMBOLS = re.compile(r"[∈∉⊂⊆⊃∀∃≤≥≠≈∑∏∫√∞→↦ℝℕℤℚ]|\b(?:sequence|subsequence|set of)\b")
#: A prompt that asks for a template or filler text makes placeholders the expected answer.
_PLACEHOLDER_TOPIC = re.compile(r"lorem|placeholder|dummy|filler|template|fill[ -]in|form\b",
                                re.IGNORECASE)


def _prompt_asks_for_placeholders(example: Example) -> bool:
    return any(_PLACEHOLDER_TOPIC.search(m.text) for m in example.messages
               if m.role != "assistant")


def _template_candidate(match: re.Match[str], value: str, regions: CodeRegions) -> bool:
    """Whether a brace or bracket match is a leftover placeholder rather than code or maths;
    the cheap tests first, the reading of the line last."""
    start = match.start()
    before = value[start - 1:start]
    if match.lastgroup == "single":
        if not _TEMPLATE_NAME.fullmatch(match.group(), 1, len(match.group()) - 1):
            return False
        if _first_character(value) in ("{", "["):  # JSON or a literal: braces are data
            return False
    # LaTeX (\frac{{a}}{b}, x^{{2}}) and expression syntax (GitHub Actions' ${{ github.sha }},
    # Ruby's #{{...}}) are not template variables.
    elif match.lastgroup == "double" and (before.isalnum() or before in ("\\", "^", "_", "$", "#")):
        return False
    if start in regions or looks_like_code(value, start, match.end()):
        return False
    return match.lastgroup != "single" or not _MATH_SYMBOLS.search(line_at(value, start))


_LEADING_SPACE = re.compile(r"\s*")


def _first_character(value: str) -> str:
    space = _LEADING_SPACE.match(value)
    end = space.end() if space else 0
    return value[end:end + 1]


def _q003_may_match(value: str) -> bool:
    """Whether :func:`_q003_matches` could find anything in ``value`` (or in any text of an
    example, given :func:`joined_texts`): every candidate holds a brace, a bracket hint or
    ``lorem ipsum``."""
    return ("{" in value or "orem ipsum" in value
            or any(hint in value for hint in _BRACKET_HINTS))


def _q003_matches(value: str) -> Iterator[re.Match[str]]:
    triggers = [*_Q003_TRIGGER.finditer(value)] if "{" in value else []
    if any(hint in value for hint in _BRACKET_HINTS):
        triggers.extend(_BRACKET_TRIGGER.finditer(value))
    for trigger in triggers:
        match = _Q003.match(value, trigger.start())
        if match is not None:
            yield match
    if "orem ipsum" in value:
        yield from _LOREM.finditer(value)


def _q003_findings(text: Text, example: Example, *, scan: bool = True) -> Iterator[Finding]:
    """Q003's findings in one text; ``scan=False`` when the example holds no candidate at all,
    so only a whole-content placeholder is looked for."""
    value = text.value
    if len(value) <= 120:
        stripped = value.strip()
        if _PLACEHOLDER_CONTENT.fullmatch(stripped) or _TODO_CONTENT.fullmatch(stripped):
            yield Finding("Q003", f"{text_label(text)} is a placeholder: "
                                  f"{shorten(stripped, 40)!r}", text.pointer)
            return
    if not scan:
        return
    regions = CodeRegions(value)
    found: list[str] = []
    reported: set[str] = set()
    judged = 0
    asked: bool | None = None
    for match in _q003_matches(value):
        candidate = match.group()
        if candidate in reported:
            continue  # the same placeholder again
        judged += 1
        if judged > _MAX_JUDGED:
            break  # a text with this many brace fields is code or data
        if match.re is _LOREM or match.lastgroup == "bracket":
            if asked is None:
                asked = _prompt_asks_for_placeholders(example)
            placeholder = not asked and match.start() not in regions
        else:
            placeholder = _template_candidate(match, value, regions)
        if placeholder:
            reported.add(candidate)
            found.append(candidate)
    if found:
        shown = ", ".join(repr(shorten(item, 40)) for item in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        noun = "placeholder" if len(found) == 1 else "placeholders"
        yield Finding("Q003", f"{text_label(text)} has template {noun} {shown}{more}", text.pointer)


def _q003_triggers() -> tuple[str, ...]:
    """Where :func:`_q003_matches` may find a candidate, and a whole text that
    :data:`_PLACEHOLDER_CONTENT` or :data:`_TODO_CONTENT` may match once stripped."""
    # The last word of each alternative of _PLACEHOLDER_CONTENT, at the end of a text.
    last = caseless("here|question|answer|response|reply|prompt|instruction|input|output"
                    "|text|message|placeholder|todo|tbd|fixme")
    return (_Q003_TRIGGER.pattern, _BRACKET_TRIGGER.pattern, "orem ipsum",
            rf"(?:{last})(?:[.!:]|{literal('…')})*{SPACE_BYTE}*\xff",
            rf"\xff{SPACE_BYTE}*(?:TODO|FIXME)", FOLDED)


@rule("Q003", "template-placeholder", W, triggers=_q003_triggers)
def template_placeholder(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Text holds a template placeholder that was never filled in.

    **What it does.** Looks in the content of system, user and assistant messages and in the
    text document for: template variables (`{{name}}`, `{{ user.name | title }}`); a
    format-string field such as `{user_name}` or `{city}` in prose; `[INSERT ...]` and
    `<PLACEHOLDER>`-style markers and `lorem ipsum`, unless the prompt asks for a template, a
    form or filler text; and contents that are only a placeholder (`your question`, `Answer
    here`, `TODO`). Braces in code and mathematics are not placeholders: fenced and inline
    code, LaTeX maths, lines that read as code (assignments, calls, f-strings, HTML tags,
    statements ending in `;` or `{`), JSON, `${{ expressions }}`, `\\frac{{a}}{b}`-style LaTeX,
    and fields that are a single letter or a subscript (`{x}`, `{x_n}`) or sit next to
    mathematical symbols are skipped. Tool results are not checked.

    **Why is this bad?** The model learns to answer with the literal placeholder: `I am
    {{name}}, trained by {{author}}` is what it will say about itself.

    **Example.** `{"role": "assistant", "content": "I am {{name}}, an AI assistant."}`

    **Use instead.** Render the template before training: `"I am Ada, an AI assistant."`
    """
    scan = _q003_may_match(joined_texts(example))
    for text in example_texts(example):
        if (text.field == "content" and (scan or len(text.value) <= 120)
                and (text.message is None or text.message.role not in TOOL_RESULT_ROLES)):
            yield from _q003_findings(text, example, scan=scan)
