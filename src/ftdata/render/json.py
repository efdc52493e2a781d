"""The JSON report of SPEC §5: ``{"ftdata_version", "files": [...]}``.

:func:`stream` writes it piece by piece: each file's issues are written one at a time where
its ``issues`` list goes, so a file whose issues are on disk (:mod:`ftdata.issuelog`) is never
held whole in memory. The text is exactly what one ``orjson.dumps(..., OPT_INDENT_2)`` of the
whole document gives.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence

import orjson

from ftdata import __version__
from ftdata.report import Report

_INDENT = orjson.OPT_INDENT_2


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    return "".join(stream(reports, quiet))


def stream(reports: Sequence[Report], quiet: bool = False) -> Iterator[str]:
    """:func:`render`, in pieces."""
    # Each report's issues stand as a unique placeholder string in the document, which is
    # then written around them; a placeholder cannot occur elsewhere (it is random).
    token = secrets.token_hex(16)
    holders: dict[str, Report] = {}

    def placeholder(report: Report) -> str:
        key = f"{token}-{len(holders)}"
        holders[key] = report
        return key

    document = {"ftdata_version": __version__,
                "files": [r.to_dict(issues=placeholder) for r in reports]}
    text = orjson.dumps(document, option=_INDENT).decode("utf-8")
    position = 0
    for key, report in holders.items():
        quoted = f'"{key}"'
        found = text.index(quoted, position)
        line_start = text.rfind("\n", 0, found) + 1
        indent = found - line_start - len('"issues": ')
        yield text[position:found]
        yield from _issues(report, indent)
        position = found + len(quoted)
    yield text[position:] + "\n"


def _issues(report: Report, indent: int) -> Iterator[str]:
    """A report's shown issues as the list orjson would indent at ``indent`` spaces."""
    inner = "\n" + " " * (indent + 2)
    first = True
    for issue in report.shown_issues:
        piece = orjson.dumps(issue.to_dict(), option=_INDENT).decode("utf-8")
        yield ("[" if first else ",") + inner + piece.replace("\n", inner)
        first = False
    yield "[]" if first else "\n" + " " * indent + "]"
