"""Text output: one issue a line, ``PATH:LINE: CODE [severity] message``, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from ftdata.diagnostics import Issue
from ftdata.report import Report


def format_issue(path: str, issue: Issue) -> str:
    where = f"{path}:{issue.line}" if issue.line is not None else path
    pointer = f" (at {issue.pointer})" if issue.pointer else ""
    return f"{where}: {issue.code} [{issue.severity.value}] {issue.message}{pointer}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(report: Report) -> str:
    counts = report.summary
    verdict = "ok" if report.ok else "FAILED"
    fmt = report.format or "unknown format"
    return (f"{report.path}: {verdict}: {_plural(report.records, 'record')} "
            f"({report.valid_records} valid), {fmt}, target {report.target}: "
            f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
            f"{counts['info']} info")


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    lines: list[str] = []
    for report in reports:
        shown = report.shown_issues
        lines.extend(format_issue(report.path, issue) for issue in shown)
        if not quiet:
            omitted = len(report.issues) - len(shown)
            if omitted:
                lines.append(f"{report.path}: ... {_plural(omitted, 'more issue')} not shown "
                             f"(--max-issues {report.max_issues})")
            lines.append(summary_line(report))
    return "\n".join(lines) + ("\n" if lines else "")
