"""Quality rules (Q): whitespace, invisible characters, placeholders, chat markup, JSON, refusals.

The texts of an example are collected once (:func:`example_texts`, shared with the privacy
rules). Each check then scans them with a bare, precompiled trigger pattern: no groups, and
first characters that are rare in text, so the regular-expression engine skips ahead quickly;
pure-ASCII texts skip the Unicode checks altogether. The slower judgement (is this brace a
template variable or code? is this ``User:`` at the start of a line?) only runs on the few
places a trigger finds.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules import RuleContext, register, rule
from ftdata.scan.regions import CodeRegions, line_at, looks_like_code
from ftdata.scan.texts import (
    Text,
    example_texts,
    joined_texts,
    shorten,
    text_label,
    texts_by_message,
)
from ftdata.scan.triggers import (
    FOLDED,
    SPACE_BYTE,
    WHITESPACE,
    caseless,
    literal,
    utf8_alternatives,
)

W, INFO = Severity.WARNING, Severity.INFO

_SYSTEM_ROLES = ("system", "developer")
_TOOL_RESULT_ROLES = ("tool", "function")


# -- Q001 ---------------------------------------------------------------------------------


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
                                    and first.message.role in _TOOL_RESULT_ROLES):
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


@rule("Q001", "surrounding-whitespace", INFO, fixable=True, triggers=_q001_triggers)
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


# -- Q002 ---------------------------------------------------------------------------------

_C1_AND_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b\u2060\u180e\ufeff\u2061-\u2064"
_JOINERS = "\u200c\u200d"

#: The characters that UTF-8 continuation bytes (0x80-0xBF) become when decoded as
#: Windows-1252 or as Latin-1 (which turns 0x80-0x9F into C1 controls).
_CONTINUATION = "".join(
    bytes([byte]).decode("cp1252", errors="replace").replace("\ufffd", "")
    for byte in range(0x80, 0xC0)) + "".join(chr(byte) for byte in range(0x80, 0xA0))
_CONT = "[" + re.escape(_CONTINUATION) + "]"

#: A run of mojibake: UTF-8 lead characters, each followed by its continuation characters.
_MOJIBAKE = re.compile(f"(?:[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}"
                       f"|[\u00f0-\u00f4]{_CONT}{{3}})+")
#: Where a run of :data:`_MOJIBAKE` may start (a bare pattern, scanned fast).
_MOJIBAKE_TRIGGER = re.compile(f"[\u00c2-\u00f4]{_CONT}")
#: Every single character Q002 reports, in one class; matches are classified afterwards.
_SUSPECT = re.compile(f"[{_C1_AND_C0}\ufffd{_BIDI_CONTROLS}{_INVISIBLE}{_JOINERS}"
                      f"\ud800-\udfff\U000e0000-\U000e007f]")
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KIND_BY_CHARACTER = [
    (re.compile(f"[{_C1_AND_C0}]"), "control"), (re.compile("\ufffd"), "replacement"),
    (re.compile(f"[{_BIDI_CONTROLS}]"), "bidi"), (re.compile(f"[{_INVISIBLE}]"), "invisible"),
    (re.compile(f"[{_JOINERS}]"), "joiner"), (re.compile("[\ud800-\udfff]"), "surrogate"),
    (re.compile("[\U000e0000-\U000e007f]"), "tag"),
]

_Q002_WHAT = {
    "control": ("control character", "control characters"),
    "replacement": ("U+FFFD replacement character (the text was decoded with errors)",
                    "U+FFFD replacement characters (the text was decoded with errors)"),
    "bidi": ("bidirectional override character", "bidirectional override characters"),
    "invisible": ("invisible character", "invisible characters"),
    "surrogate": ("lone surrogate", "lone surrogates"),
    "tag": ("invisible Unicode tag character", "invisible Unicode tag characters"),
}

#: Short names for the controls that ``unicodedata`` does not name.
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x0B: "VERTICAL TAB",
                  0x0C: "FORM FEED", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def _character_name(char: str) -> str:
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def _latin_bytes(value: str) -> bytes | None:
    """The bytes a Windows-1252 (or Latin-1) reading of which gave ``value``."""
    out = bytearray()
    for char in value:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)


def repair_mojibake(value: str) -> str | None:
    """The text that ``value`` was before UTF-8 was misread as Windows-1252, if it was.

    >>> repair_mojibake("cafÃ©")
    'café'
    >>> repair_mojibake("café") is None
    True
    """
    data = _latin_bytes(value)
    if data is None:
        return None
    try:
        repaired = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return repaired if repaired != value else None


def _is_stray_joiner(value: str, position: int) -> bool:
    # ZWJ/ZWNJ belong in emoji sequences and in Arabic, Persian and Indic words; between ASCII
    # characters (or at an edge) they only hide in a word.
    before = value[position - 1] if position else ""
    after = value[position + 1] if position + 1 < len(value) else ""
    return all(not char or char.isascii() for char in (before, after))


def _suspect_kind(value: str, position: int) -> str:
    char = value[position]
    return next(kind for pattern, kind in _KIND_BY_CHARACTER if pattern.match(char))


def _mojibake_runs(value: str) -> Iterator[tuple[int, str]]:
    end = 0
    for trigger in _MOJIBAKE_TRIGGER.finditer(value):
        if trigger.start() < end:
            continue
        run = _MOJIBAKE.match(value, trigger.start())
        if run is not None:
            end = run.end()
            if repair_mojibake(run.group()) is not None:
                yield run.start(), run.group()


def _is_tag(char: str) -> bool:
    return "\U000e0000" <= char <= "\U000e007f"


def _suspects(value: str) -> list[tuple[int, str, str]]:
    """``(position, kind, text)`` of everything Q002 reports in ``value``, in order."""
    found = [] if value.isascii() else [
        (position, "mojibake", run) for position, run in _mojibake_runs(value)]
    # A C1 control inside a mojibake run is one of its bytes, reported with the run.
    garbled = {position + offset for position, _, run in found for offset in range(len(run))}
    in_flag = False  # inside the tag sequence of an emoji flag (England, Scotland, Wales)
    for match in _SUSPECT.finditer(value):
        position = match.start()
        if position in garbled:
            continue
        kind = _suspect_kind(value, position)
        if kind == "joiner":
            if not _is_stray_joiner(value, position):
                continue
            kind = "invisible"
        elif kind == "tag":
            previous = value[position - 1:position]
            if not _is_tag(previous):
                in_flag = previous == "\U0001f3f4"
            if in_flag:
                continue
        found.append((position, kind, match.group()))
    found.sort()
    return found


def _q002_findings(text: Text) -> Iterator[Finding]:
    value = text.value
    if value.isascii() and _ASCII_CONTROL.search(value) is None:
        return  # the common case, at no cost
    found: dict[str, tuple[int, int, str]] = {}  # kind -> (count, first position, first text)
    for position, kind, sample in _suspects(value):
        count, first, first_sample = found.get(kind, (0, position, sample))
        found[kind] = (count + 1, first, first_sample)
    for kind, (count, first, sample) in found.items():
        where = f"at character {first + 1}" if count == 1 else f"first at character {first + 1}"
        if kind == "mojibake":
            repaired = repair_mojibake(sample) or "?"
            more = f" and {count - 1} more" if count > 1 else ""
            message = (f"{text_label(text)} has mojibake {shorten(sample)!r}{more} (UTF-8 read as "
                       f"Windows-1252; probably {shorten(repaired)!r}), {where}")
        else:
            singular, plural = _Q002_WHAT[kind]
            noun = singular if count == 1 else f"{count} {plural}"
            named = "" if kind == "replacement" else f" {_character_name(sample[0])}"
            article = ("an " if noun[0] in "aeiouAEIOU" else "a ") if count == 1 else ""
            message = f"{text_label(text)} has {article}{noun}{named}, {where}"
        yield Finding("Q002", message, text.pointer)


#: The code points of :data:`_SUSPECT` but the surrogates, as ranges.
_SUSPECT_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xFFFD, 0xFFFD),
                   (0x202A, 0x202E), (0x2066, 0x2069), (0x200B, 0x200D), (0x2060, 0x2064),
                   (0x180E, 0x180E), (0xFEFF, 0xFEFF), (0xE0000, 0xE007F))


def _q002_triggers() -> tuple[str, ...]:
    """A character of :data:`_SUSPECT` (a lone surrogate as ``surrogatepass`` writes it), or
    where :data:`_MOJIBAKE_TRIGGER` matches."""
    suspects = "".join(chr(code) for low, high in _SUSPECT_RANGES for code in range(low, high + 1))
    leads = "".join(chr(code) for code in range(0xC2, 0xF5))
    return (utf8_alternatives(suspects), r"\xed[\xa0-\xbf][\x80-\xbf]",
            utf8_alternatives(leads) + utf8_alternatives(_CONTINUATION))


@rule("Q002", "control-characters", W, triggers=_q002_triggers)
def control_characters(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Text contains control, invisible or garbled characters.

    **What it does.** Reports, in every text of the example (content, names, tool call
    arguments): C0 and C1 control characters other than tab, newline and carriage return;
    U+FFFD replacement characters; zero-width and other invisible characters (U+200B, U+2060,
    U+FEFF, Unicode tag characters outside emoji flags, and zero-width joiners between ASCII
    characters; joiners inside emoji or Arabic and Indic words are fine); bidirectional
    override and isolate characters (U+202A-U+202E, U+2066-U+2069; the LRM/RLM marks of
    right-to-left text are fine); lone surrogates; and mojibake, UTF-8 text that was decoded as
    Windows-1252 (`Ã©` for `é`, `â€™` for `’`), which it names with the probable original.

    **Why is this bad?** These characters are invisible in review but tokenized in training:
    the model learns to emit them, and hidden characters can smuggle instructions past a
    reviewer. Replacement characters and mojibake mean the text was decoded wrongly upstream,
    so every non-ASCII character of that source is probably damaged.

    **Example.** `"content": "The caf\\u00c3\\u00a9 opens at 9\\u200b."` (`cafÃ©` and a
    zero-width space)

    **Use instead.** `"content": "The café opens at 9."` Re-decode the source as UTF-8 and
    remove the invisible characters.
    """
    joined = joined_texts(example)
    if joined.isascii() and _ASCII_CONTROL.search(joined) is None:
        return  # nearly every example, in one scan
    for text in example_texts(example):
        yield from _q002_findings(text)


# -- Q003 ---------------------------------------------------------------------------------

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
                and (text.message is None or text.message.role not in _TOOL_RESULT_ROLES)):
            yield from _q003_findings(text, example, scan=scan)


# -- Q004 ---------------------------------------------------------------------------------

_Q004_MARKUP = re.compile(
    # Special tokens that tokenizers parse inside text: reported even inside code.
    r"(?P<token><\|[A-Za-z_][\w.-]{0,40}\|>"               # ChatML, Llama 3, Phi, GPT
    r"|<｜[^｜\n]{1,40}｜>"                                  # DeepSeek's full-width bars
    r"|\[/?INST\]|<</?SYS>>"                                 # Llama 2, Mistral
    r"|\[/?(?:AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|SYSTEM_PROMPT)\]"  # Mistral v3
    r"|<(?:start|end)_of_turn>"                              # Gemma
    r"|\[(?:EOS|BOS)\]|<(?:eos|bos)>)"
    r"|(?P<sentence></?s>)"                                  # Llama 2 BOS/EOS, at the edges
    r"|(?P<media><(?:image|video|audio)>)")
#: Where a match of :data:`_Q004_MARKUP` may start: a bare pattern the scan skips ahead with.
_MARKUP_TRIGGER = re.compile(r"<[|｜]|<</?S|\[/?(?:INST|AVAIL|TOOL_|SYSTEM_P|EOS|BOS)"
                             r"|<(?:start|end)_of|</?s>|<(?:eos|bos|image|video|audio)>")

#: Plain-text turn markers: a role word and a colon, judged on their line afterwards.
_ROLE_TRIGGER = re.compile(r"(?:Human|Assistant|User|Bot|System|Thought|HUMAN|ASSISTANT|USER"
                           r"|BOT|SYSTEM|Instruction|Response|Input)(?:\*\*)?:")
#: What may precede the role word on its line: indentation, bold, an Alpaca ``###`` header.
_ROLE_LINE_START = re.compile(r"[ \t]*(?:(?P<header>\#{2,3})[ \t]*)?(?:\*\*)?")
_HEADER_ONLY = ("Instruction", "Response", "Input")

_SPACES = re.compile(r"\s*")

#: Which record key lists the media a placeholder token stands for.
_MEDIA_KEYS = {"<image>": "images", "<video>": "videos", "<audio>": "audios"}


def _markup(value: str, start: int, example: Example, regions: CodeRegions) -> Iterator[str]:
    for trigger in _MARKUP_TRIGGER.finditer(value, start):
        match = _Q004_MARKUP.match(value, trigger.start())
        if match is None:
            continue
        kind, marker = match.lastgroup, match.group()
        if kind == "sentence":
            if not (_SPACES.fullmatch(value, 0, match.start())
                    or _SPACES.fullmatch(value, match.end())):
                continue  # <s> in the middle of prose is HTML strikethrough
        elif kind == "media":
            if any(isinstance(example.metadata.get(key), list) for key in _MEDIA_KEYS.values()):
                continue  # a multimodal record's placeholder: C016 matches it to its media
            if match.start() in regions:
                continue
        yield marker


def _role_markers(value: str, start: int, regions: CodeRegions) -> Iterator[str]:
    for match in _ROLE_TRIGGER.finditer(value, start):
        end = match.end() + (2 if value.startswith("**", match.end()) else 0)
        if end < len(value) and value[end] not in " \t\n":
            continue  # "User:password", "System:Windows" are not turn markers
        line_start = value.rfind("\n", max(0, match.start() - 64), match.start()) + 1
        if not line_start and match.start() > 64:
            continue  # more than 64 characters into its line: not a turn marker
        prefix = _ROLE_LINE_START.fullmatch(value, line_start, match.start())
        if prefix is None or match.start() in regions:
            continue
        word = match.group().rstrip(":*")
        if word in _HEADER_ONLY and not prefix.group("header"):
            continue  # "Input:" alone is an ordinary label; "### Input:" is Alpaca's
        yield ("### " if prefix.group("header") else "") + word + ":"


def _q004_markers(text: Text, example: Example) -> list[str]:
    value = text.value
    # Every special token starts with "<" or "[" and every role marker ends with ":"; the
    # substring tests are far cheaper than the searches they spare.
    markup = _MARKUP_TRIGGER.search(value) if "<" in value or "[" in value else None
    role = _ROLE_TRIGGER.search(value) if ":" in value else None
    if markup is None and role is None:
        return []  # nearly every text
    regions = CodeRegions(value)
    found: list[str] = []
    markers = [*(_markup(value, markup.start(), example, regions) if markup else ()),
               *(_role_markers(value, role.start(), regions) if role else ())]
    for marker in markers:
        if marker not in found:
            found.append(marker)
    return found


def _q004_triggers() -> tuple[str, ...]:
    """Where :data:`_MARKUP_TRIGGER` or :data:`_ROLE_TRIGGER` match."""
    return (_MARKUP_TRIGGER.pattern.replace("[|｜]", f"(?:\\||{literal('｜')})"),
            _ROLE_TRIGGER.pattern)


@rule("Q004", "chat-markup-in-content", W, triggers=_q004_triggers)
def chat_markup_in_content(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Content contains the markup of a chat template.

    **What it does.** Looks in message content, prompts and completions for the special tokens
    of common chat templates: ChatML `<|im_start|>`/`<|im_end|>`, `<|endoftext|>`, Llama 3
    `<|begin_of_text|>`/`<|start_header_id|>`/`<|eot_id|>` (any `<|...|>` token), Llama 2 and
    Mistral `[INST]`/`[/INST]`/`<<SYS>>`, Gemma `<start_of_turn>`/`<end_of_turn>`, `[EOS]`,
    and `<s>`/`</s>` at either end of a text; for Alpaca headers (`### Instruction:`,
    `### Response:`) and role prefixes at the start of a line (`Human:`, `Assistant:`,
    `User:`, `Bot:`, `System:`, `Thought:`); and for `<image>`, `<video>` and `<audio>` in a
    record with no media list (in LLaMA-Factory's multimodal records, which list `images`,
    `videos` or `audios`, they are placeholders, and C016 counts them against the lists).
    Special tokens count even inside code blocks, since tokenizers parse them there too; the
    plain-text markers do not. The `text` format is not checked: its documents are often
    rendered with a chat template on purpose.

    **Why is this bad?** The provider or trainer adds the template itself: markup inside the
    content renders twice, tokenizers turn it into real control tokens, and the model learns
    to emit turn boundaries or to continue the conversation on its own. Bedrock rejects text
    with role markers (an error with `--target bedrock`).

    **Example.** `{"role": "assistant", "content": "Paris.<|im_end|>\\nUser: and Spain?"}`

    **Use instead.** `{"role": "assistant", "content": "Paris."}`, with the next question as
    its own user message.
    """
    joined = joined_texts(example)
    if "<" not in joined and "[" not in joined and ":" not in joined:
        return
    for text in example_texts(example):
        if text.field == "content" and text.message is not None:
            markers = _q004_markers(text, example)
            if markers:
                shown = ", ".join(repr(m) for m in markers[:4])
                more = f" and {len(markers) - 4} more" if len(markers) > 4 else ""
                yield Finding("Q004", f"{text_label(text)} contains chat markup {shown}{more}",
                              text.pointer)


# -- Q005 ---------------------------------------------------------------------------------


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


@rule("Q005", "double-encoded-json", W, fixable=True, triggers=_q005_triggers)
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


# -- Q006 ---------------------------------------------------------------------------------

_APOSTROPHE = "['’]"
_CANNOT = (rf"(?:can{_APOSTROPHE}?t|cannot|can not|am unable to|{_APOSTROPHE}m unable to"
           rf"|am not able to|{_APOSTROPHE}m not able to|won{_APOSTROPHE}t|will not"
           rf"|must decline to|{_APOSTROPHE}m not allowed to)")
_REFUSED = (r"(?:help|assist|provide|fulfil+|comply|do that|do this|answer|generate|create"
            r"|write|engage|support|share|give|offer|discuss|participate|complete|produce"
            r"|perform|continue|respond|condone|promote|encourage|facilitate)")

_LIMITATION = (rf"(?:don{_APOSTROPHE}t|do not|can{_APOSTROPHE}?t|cannot|am not|{_APOSTROPHE}m not"
               rf"|am unable|{_APOSTROPHE}m unable|have no|lack|won{_APOSTROPHE}t|will not"
               r"|must (?:decline|clarify|inform|point out))")

#: "As an AI language model, ..." anywhere in an answer; a bare "As an AI, ..." only when a
#: limitation follows ("As an AI assistant, I'd be happy to help" is not boilerplate).
_AI_DISCLAIMER = re.compile(
    r"\bas an? (?:AI|artificial intelligence) (?:language |text-based )?model\b"
    r"|\bas a (?:large |text-based )?language model\b"
    rf"|\bas an? (?:AI|artificial intelligence)(?: assistant| chatbot| system)?,? I {_LIMITATION}"
    r"|\bals (?:ein )?(?:KI-Sprachmodell|Sprachmodell|KI-Modell)\b"
    r"|\ben tant que modèle de langage\b|\ben tant qu['’](?:IA|intelligence artificielle),? je ne\b"
    r"|\bcomo (?:un )?modelo de lenguaje\b|\bcomo (?:una )?(?:IA|inteligencia artificial),? no\b"
    r"|\bcomo (?:um )?modelo de linguagem\b|\bcome (?:un )?modello (?:di )?linguaggio\b"
    r"|\bкак (?:языковая модель|модель ИИ)"
    r"|作为一个?(?:人工智能|AI)语言模型|AI言語モデルとして",
    re.IGNORECASE)

#: Substrings every disclaimer of :data:`_AI_DISCLAIMER` in a Latin script contains; a text
#: without any of them (nearly all) is not searched.
_DISCLAIMER_HINTS = ("n AI", "N AI", "anguage model", "ANGUAGE MODEL", "rtificial intelligence",
                     "Sprachmodell", "KI-Modell", "modelo de l", "linguaggio", " IA", "'IA")
_DISCLAIMER_HINTS_NON_ASCII = ("’IA", "modèle de langage", "модель", "语言模型", "言語モデル")
#: Quotes, emphasis and list or quote markers an answer may open with.
_LEAD_IN = re.compile(r"[\s\"'“*>-]+")


def _lead_in(value: str) -> int:
    match = _LEAD_IN.match(value)
    return match.end() if match else 0


def _may_disclaim(value: str) -> bool:
    return any(hint in value for hint in _DISCLAIMER_HINTS) or (
        not value.isascii() and any(hint in value for hint in _DISCLAIMER_HINTS_NON_ASCII))


#: Refusals that open an answer.
_REFUSAL_OPENING = re.compile(
    rf"(?:(?:I{_APOSTROPHE}m|I am) (?:very |so |truly )?sorry|I apologi[sz]e|Sorry|Unfortunately)"
    rf",? (?:but )?(?:as an AI[^,.]{{0,30}},? )?I {_CANNOT} (?:\w+ ){{0,2}}{_REFUSED}"
    rf"|I {_CANNOT} (?:help|assist) (?:you )?with (?:that|this|your)"
    rf"|I {_CANNOT} (?:fulfil+|comply with) (?:that|this|your)"
    r"|(?:Es tut mir leid|Entschuldigung),? (?:aber )?(?:ich kann|kann ich) (?:\w+ ){0,3}"
    r"(?:nicht|keine) (?:\w+ ){0,2}(?:helfen|behilflich|erfüllen|bereitstellen|beantworten"
    r"|unterstützen|erstellen|nachkommen)"
    r"|(?:Je suis désolée?|Désolée?),? mais je ne (?:peux|suis pas en mesure d['’e]) ?"
    r"(?:pas )?(?:vous |t['’] ?)?(?:aider|répondre|fournir|satisfaire|générer|créer|écrire)"
    r"|Lo siento,? (?:pero )?no (?:puedo|soy capaz de) (?:\w+ ){0,1}(?:ayudar\w*|asistir"
    r"|proporcionar|cumplir|responder|generar|crear|escribir|ofrecer)"
    r"|(?:很?抱歉|对不起)[，,]?\s*(?:但是?)?我(?:无法|不能)(?:帮助|协助|提供|回答|满足|完成|生成"
    r"|参与|执行)",
    re.IGNORECASE)


def _q006_triggers() -> tuple[str, ...]:
    """A text that opens (after :data:`_LEAD_IN`) as a refusal of :data:`_REFUSAL_OPENING`
    may, or that holds a hint of :func:`_may_disclaim`."""
    lead_in = rf"(?:{SPACE_BYTE}|[\"'*>-]|{literal('“')})*"
    openings = "|".join([caseless("i") + rf"(?:[ ']|{literal('’')})",
                         caseless("sorry|unfortunately|es tut mir leid|entschuldigung|je suis d"
                                  "|lo siento"),
                         caseless("d") + rf"(?:{literal('é')}|{literal('É')})",
                         literal("很"), literal("抱歉"), literal("对不起")])
    return (rf"\xff{lead_in}(?:{openings})", FOLDED,
            *(literal(hint) for hint in _DISCLAIMER_HINTS + _DISCLAIMER_HINTS_NON_ASCII))


@rule("Q006", "refusal-boilerplate", INFO, triggers=_q006_triggers)
def refusal_boilerplate(example: Example, context: RuleContext) -> Iterator[Finding]:
    """An answer is a canned refusal or an "As an AI language model" disclaimer.

    **What it does.** Looks at assistant answers (the chosen side of a preference pair, not
    the rejected one, where a refusal is the point) for an opening refusal such as "I'm sorry,
    but I can't help with that" or "I cannot fulfill this request", and for "As an AI language
    model, ..." anywhere; a plain "As an AI, ..." only counts when a limitation follows ("As
    an AI, I don't have opinions"), so "As an AI assistant, I'd be happy to help" does not.
    Refusals are recognised in English, German, French, Spanish and Chinese, the disclaimer
    also in Portuguese, Italian, Russian and Japanese. To keep false alarms low, an apology
    only counts when what cannot be done is helping, answering, providing, writing and the
    like: "Sorry, I can't find that order" is not a refusal.

    **Why is this bad?** Refusals distilled from another model teach the fine-tuned one to
    refuse harmless requests and to talk about itself in that model's voice. When the
    refusals are intended (safety data), this is only a reminder to check them.

    **Example.** `{"role": "assistant", "content": "As an AI language model, I cannot
    browse the internet."}`

    **Use instead.** Replace the refusal with a real answer, or drop the example.
    """
    rejected = {id(message) for message in example.rejected or ()}
    reported: set[int] = set()
    for text in example_texts(example):
        message = text.message
        if (text.field != "content" or message is None or message.role != "assistant"
                or id(message) in rejected or id(message) in reported):
            continue
        value = text.value
        opening = _REFUSAL_OPENING.match(value, _lead_in(value))
        match = opening or (_AI_DISCLAIMER.search(value) if _may_disclaim(value) else None)
        if match:
            reported.add(id(message))
            what = "opens with a refusal" if opening else "has AI-model boilerplate"
            yield Finding("Q006", f"{text_label(text)} {what} "
                                  f"({shorten(match.group().rstrip(', '), 48)!r})",
                          text.pointer)


# -- Q007 ---------------------------------------------------------------------------------

register("Q007", "inconsistent-system-prompt", INFO, """
    The examples of a file do not share one system prompt.

    **What it does.** Compares the system prompts of all chat examples in a file (leading
    system or developer messages, with whitespace runs collapsed) and reports a file that uses
    several different ones, or where most examples have a system prompt and some have none.
    Files whose examples carry no system prompt at all are fine.

    **Why is this bad?** The model learns to behave as trained only when the prompt at
    inference matches the one it was trained with; examples without it (or with a stray
    variant) teach a second, unprompted behaviour and dilute the first.

    **Example.** 998 examples start with `"You are a helpful assistant."`, two with
    `"You are a helpfull assistant"` and forty have no system message.

    **Use instead.** Give every example the same system prompt (`ftdata convert --system`
    adds one), or none of them.
""")

def system_prompt_key(example: Example) -> str | None:
    """A short, stable key of an example's system prompt, ``None`` when it has none.

    The leading system (or developer) messages are joined, stripped and their whitespace runs
    collapsed, then hashed, so two prompts that differ only in spacing share a key and a
    file's set of keys stays small whatever the prompts' length. Only chat and preference
    examples have system prompts.

    >>> from ftdata.model import Example, text_message
    >>> one = Example("chat", [text_message("system", "Be  brief.", "/messages/0")])
    >>> two = Example("chat", [text_message("system", "Be brief.\\n", "/messages/0")])
    >>> system_prompt_key(one) == system_prompt_key(two) != None
    True
    >>> system_prompt_key(Example("chat", [text_message("user", "Hi", "/messages/0")]))
    """
    if example.kind not in ("chat", "preference"):
        return None
    parts: list[str] = []
    for message in example.messages:
        if message.role not in _SYSTEM_ROLES:
            break
        parts.append(message.text)
    if not parts:
        return None
    prompt = parts[0] if len(parts) == 1 else "\n".join(parts)
    try:
        return _prompt_keys[prompt]
    except KeyError:
        pass
    # split() and \s agree on what whitespace is, and the join needs no pattern.
    normalized = " ".join(prompt.split())
    key = hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"),
                          digest_size=8).hexdigest() if normalized else None
    if len(_prompt_keys) >= _PROMPT_KEYS_KEPT:
        _prompt_keys.clear()
    _prompt_keys[prompt] = key
    return key


#: The keys of the system prompts seen last, by their text: a file repeats a few prompts in
#: every example, so most examples cost one lookup. Bounded, for files where every prompt
#: is different.
_prompt_keys: dict[str, str | None] = {}
_PROMPT_KEYS_KEPT = 256


def _line(place: Any) -> str:
    return f"line {place}"


class SystemPromptTally:
    """Q007 over a whole file: how many examples use each system prompt, and which have none.

    It keeps one counter and a first place per distinct prompt key (at most
    ``MAX_DISTINCT``), so it stays small whatever the file's size. A place is a line; the
    tally of a partitioned dataset merges its partitions' tallies (:meth:`merge`) with
    places that say which partition, and names them in :meth:`findings`. Each partition
    caps its own keys, so in a dataset where a partition holds more than ``MAX_DISTINCT``
    prompts before the common one, the merged counts (and Q007) can differ from one run over
    the concatenated files.
    """

    MAX_DISTINCT = 10_000
    #: Q007 speaks only when one prompt is used by at least this share of the examples
    #: that have one: files whose every example carries its own context are not inconsistent.
    DOMINANT_SHARE = 0.5

    def __init__(self) -> None:
        self.prompts: dict[str, list[Any]] = {}  # key -> [count, first place]
        self.missing = 0
        self.first_missing: Any = None
        self.conversations = 0

    def observe(self, key: str | None, line: int) -> None:
        self.conversations += 1
        if key is None:
            self.missing += 1
            if self.first_missing is None:
                self.first_missing = line
            return
        entry = self.prompts.get(key)
        if entry is not None:
            entry[0] += 1
        elif len(self.prompts) < self.MAX_DISTINCT:
            self.prompts[key] = [1, line]

    def merge(self, other: SystemPromptTally, place: Callable[[Any], Any]) -> None:
        """Add the tally of the next part of the same dataset; ``place`` turns its places
        into this tally's, which must sort in the dataset's order. Parts are merged in order,
        so a prompt already counted keeps its first place."""
        self.conversations += other.conversations
        self.missing += other.missing
        if self.first_missing is None and other.first_missing is not None:
            self.first_missing = place(other.first_missing)
        for key, (count, first) in other.prompts.items():
            entry = self.prompts.get(key)
            if entry is not None:
                entry[0] += count
            elif len(self.prompts) < self.MAX_DISTINCT:
                self.prompts[key] = [count, place(first)]

    def findings(self, where: Callable[[Any], str] = _line) -> list[Finding]:
        """Q007's finding, if the prompts are inconsistent; ``where`` names a place."""
        with_prompt = self.conversations - self.missing
        if not self.prompts or with_prompt == 0:
            return []
        ranked = sorted(self.prompts.values(), key=lambda entry: (-entry[0], entry[1]))
        count, line = ranked[0]
        if count <= self.DOMINANT_SHARE * with_prompt:
            return []
        others = with_prompt - count
        most_have_one = with_prompt > self.DOMINANT_SHARE * self.conversations
        if not others and not (self.missing and most_have_one):
            return []
        parts = [f"{count:,} of {self.conversations:,} examples use the system prompt of "
                 f"{where(line)}"]
        if others:
            variants = len(ranked) - 1
            first_other = min(entry[1] for entry in ranked[1:])
            parts.append(f"{others:,} {'uses' if others == 1 else 'use'} {variants:,} other "
                         f"prompt{'s' if variants != 1 else ''} (first at {where(first_other)})")
        if self.missing:
            parts.append(f"{self.missing:,} {'has' if self.missing == 1 else 'have'} none "
                         f"(first at {where(self.first_missing)})")
        return [Finding("Q007", "; ".join(parts))]
