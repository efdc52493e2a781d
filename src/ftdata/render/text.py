"""Text output: one issue a line, ``PATH:LINE: CODE [severity] message``, then a summary.

The plain form is the contract (SPEC §5) and what pipes, files and pre-commit get. On a
terminal the same characters are printed in colour through ``rich``, which is imported only
then, so the pre-commit path stays fast. Both forms are built from the same styled segments,
so they cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from ftdata.diagnostics import Issue, Severity
from ftdata.report import Report

if TYPE_CHECKING:
    from rich.console import Console

#: A piece of a line and the rich style it is shown in on a terminal ("" for none).
Segment = tuple[str, str]

SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow",
                   Severity.INFO: "cyan"}


def _issue_segments(path: str, issue: Issue) -> list[Segment]:
    where = f"{path}:{issue.line}" if issue.line is not None else path
    segments: list[Segment] = [(where, "bold"), (": ", ""), (issue.code, "bold"), (" ", ""),
                               (f"[{issue.severity.value}]", SEVERITY_STYLES[issue.severity]),
                               (f" {issue.message}", "")]
    if issue.pointer:
        segments.append((issue.at, "dim"))
    return segments


def _plain(segments: Sequence[Segment]) -> str:
    return "".join(text for text, _ in segments)


def format_issue(path: str, issue: Issue) -> str:
    """One issue as a line of the text report.

    Example::

        format_issue("train.jsonl", issue)
        # "train.jsonl:2: C003 [error] the conversation has no assistant message (at /messages)"
    """
    return _plain(_issue_segments(path, issue))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _count_style(count: int, style: str) -> str:
    return style if count else ""


def _summary_segments(report: Report) -> list[Segment]:
    counts = report.summary
    verdict = ("ok", "bold green") if report.ok else ("FAILED", "bold red")
    fmt = report.format or "unknown format"
    return [(report.path, "bold"), (": ", ""), verdict,
            (f": {_plural(report.records, 'record')} ({report.valid_records} valid), {fmt}, "
             f"target {report.target}: ", ""),
            (_plural(counts["error"], "error"), _count_style(counts["error"], "bold red")),
            (", ", ""),
            (_plural(counts["warning"], "warning"), _count_style(counts["warning"], "yellow")),
            (", ", ""),
            (f"{counts['info']} info", _count_style(counts["info"], "cyan"))]


def summary_line(report: Report) -> str:
    """The last line for one file: verdict, records and counts by severity.

    Example::

        summary_line(report)
        # "train.jsonl: FAILED: 25 records (6 valid), openai-chat, target generic: 22 errors, ..."
    """
    return _plain(_summary_segments(report))


def omitted_line(report: Report) -> str | None:
    """The note that ``--max-issues`` hid some issues, or ``None`` when none were hidden."""
    omitted = len(report.issues) - len(report.shown_issues)
    if not omitted:
        return None
    return (f"{report.path}: ... {_plural(omitted, 'more issue')} not shown "
            f"(--max-issues {report.max_issues})")


def _lines(reports: Sequence[Report], quiet: bool) -> Iterator[list[Segment]]:
    """The report's lines, one at a time: a file's issues may be read back from disk."""
    for report in reports:
        for issue in report.shown_issues:
            yield _issue_segments(report.path, issue)
        if not quiet:
            omitted = omitted_line(report)
            if omitted:
                yield [(omitted, "dim")]
            yield _summary_segments(report)


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    """The plain text report (no colour), exactly as SPEC §5 describes it.

    Example::

        print(render([ftdata.validate("train.jsonl")]), end="")
    """
    return "".join(stream(reports, quiet))


def stream(reports: Sequence[Report], quiet: bool = False) -> Iterator[str]:
    """:func:`render`, line by line (each ending in a newline), in bounded memory."""
    for line in _lines(reports, quiet):
        yield _plain(line) + "\n"


def wants_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output written to ``stream``.

    ``NO_COLOR`` (any non-empty value) turns colour off; otherwise ``FORCE_COLOR`` (any
    non-empty value) turns it on, for CI logs that render colour; otherwise colour is used
    only on a terminal that is not ``TERM=dumb``.

    Example::

        wants_color(sys.stdout)   # False when piped
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def print_color(reports: Sequence[Report], quiet: bool = False, *,
                file: TextIO | None = None) -> None:
    """Print the text report in colour: severities coloured, codes bold, then the summary.

    The characters are those of :func:`render`; only the styling differs. Lines are never
    wrapped, so a long message stays one line.

    Example::

        print_color([ftdata.validate("train.jsonl")])
    """
    from rich.text import Text

    console = _color_console(file)
    for segments in _lines(reports, quiet):
        text = Text(no_wrap=True, end="\n")
        for piece, style in segments:
            text.append(piece, style=style or None)
        console.print(text, soft_wrap=True)


def _color_console(file: TextIO | None) -> Console:
    from rich.console import Console

    return Console(file=file, force_terminal=True, no_color=False, highlight=False,
                   markup=False, emoji=False, soft_wrap=True)
