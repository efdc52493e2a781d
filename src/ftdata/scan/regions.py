"""Where code and mathematics sit in a text: braces, markup and role prefixes there are not
what they seem (Q003, Q004).

:func:`code_spans` finds fenced and inline code, LaTeX maths and HTML code elements in one
linear pass; :class:`CodeRegions` answers "is this position inside one?" and computes the spans
only when first asked; :func:`looks_like_code` reads the line around a candidate.
"""

from __future__ import annotations

import bisect
import re

#: The openers and closers of code and mathematics: fences, backtick runs, ``$$``, ``\[ \]``,
#: ``\( \)`` and HTML code elements. :func:`code_spans` pairs them in one pass.
_REGION_MARK = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})"
    r"|(?P<ticks>`+)"
    r"|(?P<math>\$\$|\\[\[(])|(?P<end_math>\\[\])])"
    r"|<(?P<tag>code|pre|script|style)\b[^<>]{0,1000}>|</(?P<end_tag>code|pre|script|style)\s*>",
    re.MULTILINE | re.IGNORECASE)
_INLINE_MATH = re.compile(r"(?<![\w$])\$(?=\S)[^$\n]{1,2000}?(?<=\S)\$(?![\w$])")
#: An inline code span or a bit of maths longer than this is taken for a stray opener.
_SPAN_LIMIT = 20_000
_MATH_CLOSERS = {"$$": "$$", "\\[": "\\]", "\\(": "\\)"}


def code_spans(text: str) -> list[tuple[int, int]]:
    """The code and mathematics spans of ``text``, in order, found in linear time.

    A fence runs to the next fence of the same kind (or to the end), a backtick run to the next
    run of the same length, ``$$``, ``\\[`` and ``\\(`` to their closers and an HTML code
    element to its end tag; an opener left without a closer within reach is literal text.
    """
    spans: list[tuple[int, int]] = []
    opener: re.Match[str] | None = None
    for mark in _REGION_MARK.finditer(text):
        if opener is None:
            if mark.lastgroup in ("fence", "ticks", "math", "tag"):
                opener = mark
            continue
        kind, opened = opener.lastgroup, opener.group(opener.lastgroup or 0)
        if kind != "fence" and mark.lastgroup == "fence":
            opener = mark  # a fence line wins over a stray inline opener
            continue
        if kind == "fence":
            closed = (mark.lastgroup == "fence" and mark.group("fence")[0] == opened[0]
                      and len(mark.group("fence")) >= len(opened))
        elif kind == "ticks":
            closed = mark.lastgroup == "ticks" and mark.group("ticks") == opened
        elif kind == "math":
            closed = mark.group() == _MATH_CLOSERS[opened]
        else:
            closed = mark.lastgroup == "end_tag" and mark.group("end_tag").lower() == opened.lower()
        if closed:
            spans.append((opener.start(), mark.end()))
            opener = None
        elif kind != "fence" and mark.start() - opener.start() > _SPAN_LIMIT:
            opener = mark if mark.lastgroup in ("fence", "ticks", "math", "tag") else None
    if opener is not None and opener.lastgroup == "fence":
        spans.append((opener.start(), len(text)))
    spans.extend(match.span() for match in _INLINE_MATH.finditer(text))
    spans.sort()
    return spans


class CodeRegions:
    """The code spans of one text, computed on first use (most texts never need them)."""

    __slots__ = ("_ends", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def __contains__(self, position: int) -> bool:
        if self._starts is None:
            self._starts = []
            for start, end in code_spans(self.text):
                if self._ends and start < self._ends[-1]:  # nested in the previous span
                    self._ends[-1] = max(self._ends[-1], end)
                    continue
                self._starts.append(start)
                self._ends.append(end)
        index = bisect.bisect_right(self._starts, position) - 1
        return index >= 0 and position < self._ends[index]


#: Lines that read as source code rather than prose.
_CODE_LINE = re.compile(
    r"^(?:[ ]{4,}|\t)\S"                                         # an indented code block line
    r"|[;{}]\s*$|^\s*(?:\}|\{\s*$|\{\s*[\"']?\w+[\"']?\s*:)"       # C-like statements and blocks
    r"|^\s*(?:def|class|import|from\s+\S+\s+import|return|const|let|var|function|fn|func"
    r"|public|private|protected|static|void|package|using|#include|@\w+|SELECT|INSERT"
    r"|UPDATE|DELETE|CREATE|WITH)\b"
    r"|[=!<>+*/%-]=|=>|->|:=|&&|\|\||::|\s=\s|\w=[\"'\w]"            # operators, assignments
    r"|\w\(|\)\.|\bf[\"']|\$[\"'{]|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>",  # calls, f-strings, tags
    re.MULTILINE)


#: How far around a candidate its line is read: enough for any line of prose or code, and a
#: bound on the work for a text that is one huge line.
_LINE_REACH = 200


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lower = max(0, start - _LINE_REACH)
    line_start = text.rfind("\n", lower, start) + 1 or lower
    line_end = text.find("\n", end, end + _LINE_REACH)
    return line_start, (min(len(text), end + _LINE_REACH) if line_end < 0 else line_end)


def line_at(text: str, position: int) -> str:
    start, end = line_bounds(text, position, position)
    return text[start:end]


def looks_like_code(text: str, start: int, end: int) -> bool:
    """Whether the line around ``text[start:end]`` reads as code, the span itself aside (a
    line must not look like code only because it ends with the ``}}`` of a placeholder)."""
    line_start, line_end = line_bounds(text, start, end)
    # Where the window cuts a long line, a neutral mark keeps the cut from reading as the
    # line's own start or end.
    head = "…" if line_start and text[line_start - 1] != "\n" else ""
    tail = "…" if line_end < len(text) and text[line_end] != "\n" else ""
    line = head + text[line_start:start] + "name" + text[end:line_end] + tail
    return _CODE_LINE.search(line) is not None

