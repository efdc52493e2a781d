"""What the per-record check returns: a record's findings and the small summary a file's merge
needs. Apart from :mod:`ftdata.engine` so that the worker pool (:mod:`ftdata.parallel`), which
rebuilds results from rows, does not import the engine that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ftdata.diagnostics import Finding
    from ftdata.model import Example
    from ftdata.rules.duplicates import RecordKeys
    from ftdata.statistics import ExampleSummary
    from ftdata.tokens import ExampleTokens


@dataclass(slots=True)
class RecordResult:
    """What the per-record check learns about one record."""

    findings: list[Finding]
    example: Example | None = None
    #: The id of another format's family this record looks like (for F008).
    foreign_format: str | None = None
    tokens: ExampleTokens | None = None
    keys: RecordKeys | None = None
    #: What the statistics need of the example (the example itself stays in its process).
    summary: ExampleSummary | None = None
    #: The trainer's view of it: (rendered tokens, trained tokens kept, trained tokens lost,
    #: truncated, dropped); see :attr:`ftdata.templates.view.ViewOutcome.summary`.
    view: tuple[int, int, int, bool, bool] | None = None
