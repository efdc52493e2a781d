"""Small builders shared by the renderer tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ftdata.diagnostics import Issue, Severity
from ftdata.report import Report
from ftdata.rules import get_rule


def issue(code: str, line: int | None = None, *, message: str = "something is wrong",
          pointer: str | None = None, severity: Severity | None = None,
          record: int | None = -1) -> Issue:
    """An issue of a registered rule; ``record`` follows ``line`` unless given."""
    rule = get_rule(code)
    if record == -1:
        record = None if line is None else line - 1
    return Issue(code=code, name=rule.name, severity=severity or rule.severity, line=line,
                 record=record, pointer=pointer, message=message, fixable=rule.fixable)


def report(path: str, issues: list[Issue], *, records: int = 3, strict: bool = False,
           max_issues: int | None = None, fmt: str | None = "openai-chat") -> Report:
    return Report(path=path, format=fmt, target="generic", model=None, records=records,
                  valid_records=records, issues=issues, strict=strict, max_issues=max_issues)


def chat(user: str, assistant: str = "ok") -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": user},
                         {"role": "assistant", "content": assistant}]}


def write_json_array(path: Path, elements: list[Any], *, bom: bool = False) -> list[int]:
    """Write an indented JSON array; return the physical line on which each element starts."""
    text = "[\n"
    starts = []
    for index, element in enumerate(elements):
        starts.append(text.count("\n") + 1)
        text += json.dumps(element, indent=2) + (",\n" if index < len(elements) - 1 else "\n")
    text += "]\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return starts
