"""The result of validating one file, and its JSON form (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftdata.diagnostics import Issue, Severity
from ftdata.issuelog import IssueLog

if TYPE_CHECKING:
    from ftdata.locations import SourceMap
    from ftdata.rules.duplicates import DuplicateTracker
    from ftdata.rules.quality import SystemPromptTally
    from ftdata.statistics import StatsAccumulator


@dataclass
class Report:
    """One file's verdict: its format, counts, issues and statistics."""

    path: str
    format: str | None
    target: str
    model: str | None
    records: int
    valid_records: int
    issues: list[Issue]
    stats: dict[str, Any] = field(default_factory=dict)
    strict: bool = False
    max_issues: int | None = None
    #: The exact distributions behind ``stats`` (not part of the JSON report).
    accumulator: StatsAccumulator | None = field(default=None, repr=False, compare=False)
    #: The file's duplicate index, kept to look for leaks from its validation file.
    duplicates: DuplicateTracker | None = field(default=None, repr=False, compare=False)
    #: The report of the validation file checked against this one (``--validation-file``).
    validation: Report | None = field(default=None, repr=False, compare=False)
    #: A partition's system prompts, which Q007 judges over the whole dataset (Dask).
    system_prompts: SystemPromptTally | None = field(default=None, repr=False, compare=False)
    #: Physical lines and digests of the records with issues, recorded while the file was
    #: read (for annotations; not part of the JSON report).
    sources: SourceMap | None = field(default=None, repr=False, compare=False)

    @property
    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        if isinstance(self.issues, IssueLog):  # counted as they came, some may be on disk
            for severity, count in self.issues.severities.items():
                counts[severity.value] += count
            return counts
        for issue in self.issues:
            counts[issue.severity.value] += 1
        return counts

    @property
    def fail_severity(self) -> Severity:
        return Severity.WARNING if self.strict else Severity.ERROR

    @property
    def ok(self) -> bool:
        """False when any issue is at or above the failing severity (error; warning if strict),
        in this file or in its validation file (the CLI's exit status)."""
        threshold = self.fail_severity.rank
        if self.validation is not None and not self.validation.ok:
            return False
        if isinstance(self.issues, IssueLog):
            return not any(severity.rank >= threshold and count
                           for severity, count in self.issues.severities.items())
        return not any(issue.severity.rank >= threshold for issue in self.issues)

    @property
    def shown_issues(self) -> list[Issue]:
        """The issues to display: all of them, or the first ``max_issues``."""
        if self.max_issues is None:
            return self.issues
        return self.issues[: self.max_issues]

    def to_dict(self, *, issues: Callable[[Report], Any] | None = None) -> dict[str, Any]:
        """The report's JSON form (SPEC §5). ``issues``, when given, makes the value of each
        ``issues`` key (this report's and its validation file's) from the report instead of
        listing them, so that a renderer can stream them."""
        shown = self.shown_issues
        data: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "target": self.target,
            "model": self.model,
            "records": self.records,
            "valid_records": self.valid_records,
            "summary": self.summary,
            "issues": ([issue.to_dict() for issue in shown] if issues is None
                       else issues(self)),
            "stats": self.stats,
        }
        if len(shown) < len(self.issues):
            data["issues_omitted"] = len(self.issues) - len(shown)
        if self.validation is not None:
            # The library's one report carries what the CLI lists as a second file entry.
            data["validation"] = self.validation.to_dict(issues=issues)
        return data
