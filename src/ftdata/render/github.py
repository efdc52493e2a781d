"""GitHub Actions workflow commands: one annotation per issue, then the plain summary.

Each issue becomes ``::error file=PATH,line=N,title=CODE name::message`` (``::warning`` for
warnings, ``::notice`` for info); GitHub shows it on the line of the pull request's diff.
Issues about the whole file carry no ``line``. Data is escaped as the runner expects (``%``,
CR and LF), and property values also escape ``:`` and ``,``, which delimit properties: an
unescaped newline in a message would otherwise end the command and let the rest of the line
be read as a command of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from ftdata.diagnostics import Issue, Severity
from ftdata.render._source import display_path, source_map
from ftdata.render.text import omitted_line, summary_line
from ftdata.report import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape the message of a workflow command.

    Example::

        escape_data("100%\\ndone")   # "100%25%0Adone"
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value of a workflow command (``file``, ``title``).

    Example::

        escape_property("a:b,c")   # "a%3Ab%2Cc"
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_command(path: str, issue: Issue, line: int | None) -> str:
    """One issue as a workflow command; ``line`` is the physical line, or ``None``.

    Example::

        format_command("train.jsonl", issue, 4)
        # "::error file=train.jsonl,line=4,title=C003 no-assistant-message::..."
    """
    properties = [f"file={escape_property(path)}"]
    if line is not None:
        properties.append(f"line={line}")
    properties.append(f"title={escape_property(f'{issue.code} {issue.name}')}")
    pointer = issue.at
    message = escape_data(f"{issue.message}{pointer}")
    return f"::{COMMANDS[issue.severity]} {','.join(properties)}::{message}"


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    """Workflow commands for every shown issue of every report, then the summaries.

    Example::

        print(render([ftdata.validate("train.jsonl")]), end="")
    """
    lines: list[str] = []
    for report in reports:
        shown = report.shown_issues
        source = source_map(report, shown, digests=False)
        path = display_path(report.path)
        lines.extend(format_command(path, issue, source.physical_line(issue)) for issue in shown)
        if not quiet:
            omitted = omitted_line(report)
            if omitted:
                lines.append(omitted)
            lines.append(summary_line(report))
    return "\n".join(lines) + ("\n" if lines else "")
