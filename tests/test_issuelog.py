"""Issues in bounded memory: counts and the first issues of each code kept, the rest on disk."""

from __future__ import annotations

import json
import os
import pickle
import tracemalloc
from pathlib import Path

import pytest

import ftdata
from ftdata import issuelog
from ftdata.diagnostics import Issue, Severity
from ftdata.issuelog import IssueLog, in_report_order
from ftdata.render import get_renderer


def issue(code: str, line: int | None, severity: Severity = Severity.ERROR) -> Issue:
    return Issue(code=code, name="name", severity=severity, line=line,
                 record=None if line is None else line - 1,
                 pointer=None if line is None else f"/messages/{line % 3}",
                 message=f"{code} on line {line}")


def mixed() -> list[Issue]:
    issues = [issue("S002" if n % 3 else "C005", n,
                    Severity.WARNING if n % 5 == 0 else Severity.ERROR) for n in range(1, 60)]
    issues.insert(10, issue("F008", None))  # file-level issues come first in a report
    issues.append(issue("F007", None, Severity.INFO))
    return issues


def test_a_spilled_log_reads_as_the_sorted_list() -> None:
    issues = mixed()
    log = IssueLog(spill_after=5, keep_per_code=2)
    log.extend(issues)
    expected = in_report_order(list(issues))
    assert log.finish() is log and log.spilled
    assert list(log) == expected and log == expected and len(log) == len(expected)
    assert log[0] == expected[0] and log[-1] == expected[-1] and log[7] == expected[7]
    assert log[:4] == expected[:4] and log[3:9:2] == expected[3:9:2]
    assert expected[5] in log and issue("X", 999) not in log
    assert log + [expected[0]] == [*expected, expected[0]]  # noqa: RUF005 - its __add__
    # Counted as they came; in memory only the first two of each code.
    assert log.severities[Severity.WARNING] == sum(i.severity is Severity.WARNING for i in issues)
    assert sorted(i.code for i in log.kept) == ["C005", "C005", "F007", "F008", "S002", "S002"]
    assert [i.line for i in log.kept if i.code == "S002"] == [1, 2]
    # A pickled log (sent to another process) is a plain list of every issue.
    assert pickle.loads(pickle.dumps(log)) == expected
    with pytest.raises(TypeError):
        log.sort()


def test_the_disk_file_has_no_name_and_goes_with_the_log() -> None:
    log = IssueLog(spill_after=1)
    log.extend(mixed())
    assert log._disk is not None
    where = os.readlink(f"/proc/self/fd/{log._disk.fileno()}")
    # Unlinked from the start (or never linked: O_TMPFILE), so no run leaves it behind.
    assert where.endswith("(deleted)") or not os.path.exists(where)
    log.close()


def test_a_log_under_the_limit_is_a_plain_sorted_list() -> None:
    issues = mixed()
    log = IssueLog(issues).finish()
    assert not log.spilled and log == in_report_order(list(issues)) and len(log.kept) == len(log)


def _many(path: Path, count: int) -> None:
    line = '{"messages":[{"role":"user","content":"hi %d"},{"role":"assistant","content":"ok"}],' \
           '"x":1}\n'
    path.write_text("".join(line % n for n in range(count)), encoding="utf-8")


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github"])
def test_outputs_list_every_issue_whether_spilled_or_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    path = tmp_path / "train.jsonl"
    _many(path, 300)
    held = ftdata.validate(path, tokens=False)
    monkeypatch.setattr(issuelog, "SPILL_AFTER", 20)
    monkeypatch.setattr(issuelog, "KEEP_PER_CODE", 3)
    spilled = ftdata.validate(path, tokens=False)
    assert isinstance(spilled.issues, IssueLog) and spilled.issues.spilled
    assert len(spilled.issues.kept) == 3
    assert spilled.to_dict() == held.to_dict() and spilled.summary == held.summary
    render = get_renderer(output_format)
    assert render([spilled], False) == render([held], False)
    if output_format == "json":
        assert len(json.loads(render([spilled], False))["files"][0]["issues"]) == 300
    # --max-issues keeps its meaning: the first N shown, all counted.
    held.max_issues = spilled.max_issues = 7
    assert render([spilled], False) == render([held], False)


def test_memory_per_issue_is_bounded(tmp_path: Path) -> None:
    """Before: about 0.86 KB an issue, every one kept; now the disk holds them past 10,000."""
    log = IssueLog()
    tracemalloc.start()
    for n in range(1, 60_001):
        log.append(Issue("S002", "unknown-key", Severity.ERROR, n, n - 1, "/x",
                         "unknown key 'x' in record"))
    log.finish()
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert log.spilled and len(log) == 60_000
    assert size < 60_000 * 100, size / 60_000  # measured: 0.3 bytes an issue (a list: 170)
    assert sum(1 for _ in log) == 60_000
    log.close()
