"""Where a report's issues sit in the file itself, for renderers that annotate source files.

The physical lines and digests are recorded while the file is validated
(:mod:`ftdata.locations`); :func:`source_map` reads the file again only for a report that
carries none (one made by hand, or by a cluster).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from ftdata.diagnostics import Issue
from ftdata.locations import RecordSource, SourceMap
from ftdata.report import Report

__all__ = ["RecordSource", "SourceMap", "artifact_uri", "display_path", "relative_path",
           "source_map"]


def source_map(report: Report, issues: list[Issue], *, digests: bool) -> SourceMap:
    """The physical lines (and digests) of ``issues``: as recorded while ``report``'s file was
    read, or read from the file when the report carries none."""
    recorded = report.sources
    if recorded is not None and (recorded.digests or not digests):
        return recorded
    return SourceMap.build(report.path, issues, digests=digests)


def artifact_uri(path: str) -> tuple[str, bool]:
    """A URI for ``path``: relative to the working directory when inside it, else absolute.

    Returns ``(uri, relative)``; a relative URI is percent-encoded with forward slashes.

    Example::

        artifact_uri("data/train set.jsonl")   # ("data/train%20set.jsonl", True)
    """
    relative = relative_path(path)
    if relative is not None:
        return quote(relative, safe="/"), True
    return Path(path).resolve().as_uri(), False


def relative_path(path: str) -> str | None:
    """``path`` relative to the working directory, with forward slashes, or ``None`` if outside.

    Example::

        relative_path("./data/train.jsonl")   # "data/train.jsonl"
    """
    try:
        resolved = Path(os.path.abspath(path))
        relative = resolved.relative_to(Path.cwd())
    except ValueError:
        return None
    text = relative.as_posix()
    return None if text in ("", ".") else text


def display_path(path: str) -> str:
    """The path a CI annotation should name: repository-relative when possible.

    Example::

        display_path("./data/train.jsonl")   # "data/train.jsonl"
    """
    return relative_path(path) or path
