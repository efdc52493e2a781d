"""One test per file rule: a file that triggers it and one that does not."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.engine import ValidateOptions, validate_path

GOOD_LINE = json.dumps({"messages": [{"role": "user", "content": "Hi"},
                                     {"role": "assistant", "content": "Hello!"}]})
PC_LINE = json.dumps({"prompt": "Hi", "completion": "Hello!"})
PRETTY_LINE = json.dumps(json.loads(GOOD_LINE), indent=2)


def lines(*items: str) -> bytes:
    return ("\n".join(items) + "\n").encode()


# code: (bad file bytes, good file bytes, target)
CASES: dict[str, tuple[bytes, bytes, str]] = {
    "F001": (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n', lines(GOOD_LINE),
             "generic"),
    "F002": (lines(GOOD_LINE, '{"messages": [}'), lines(GOOD_LINE), "generic"),
    "F003": (lines(GOOD_LINE, '["Hi", "Hello!"]'), lines(GOOD_LINE), "generic"),
    "F004": (lines(GOOD_LINE, "", GOOD_LINE), lines(GOOD_LINE, GOOD_LINE), "generic"),
    "F005": (b"\xef\xbb\xbf" + lines(GOOD_LINE), lines(GOOD_LINE), "generic"),
    "F007": (lines(*[GOOD_LINE] * 9), lines(*[GOOD_LINE] * 10), "openai"),
    "F008": (lines(GOOD_LINE, GOOD_LINE, PC_LINE), lines(GOOD_LINE, GOOD_LINE), "generic"),
    "F009": (lines('{"question": "Hi", "answer": "Hello!"}'), lines(GOOD_LINE), "generic"),
    "F011": (lines(PRETTY_LINE, PRETTY_LINE.replace("Hi", "Hey")),
             lines(GOOD_LINE, GOOD_LINE.replace("Hi", "Hey")), "generic"),
}


def _codes(path: Path, target: str) -> list[str]:
    # The files repeat one record: duplicates (D) are not what these tests look at.
    return [issue.code for issue in ftdata.validate(path, target=target, ignore="D").issues]


@pytest.mark.parametrize("code", sorted(CASES))
def test_file_rule_triggers(code: str, tmp_path: Path) -> None:
    bad, _, target = CASES[code]
    path = tmp_path / "train.jsonl"
    path.write_bytes(bad)
    assert code in _codes(path, target)


@pytest.mark.parametrize("code", sorted(CASES))
def test_file_rule_is_silent(code: str, tmp_path: Path) -> None:
    _, good, target = CASES[code]
    path = tmp_path / "train.jsonl"
    path.write_bytes(good)
    assert _codes(path, target) == []


def _with_target_limits(monkeypatch: pytest.MonkeyPatch, **limits: Any) -> None:
    from dataclasses import replace

    from ftdata import targets

    monkeypatch.setitem(targets.TARGETS, "fireworks",
                        replace(targets.TARGETS["fireworks"], **limits))


def test_f006_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(lines(*[GOOD_LINE] * 3))
    _with_target_limits(monkeypatch, max_file_bytes=path.stat().st_size)
    assert _codes(path, "fireworks") == []
    _with_target_limits(monkeypatch, max_file_bytes=path.stat().st_size - 1)
    report = ftdata.validate(path, target="fireworks", ignore="D")
    assert [(i.code, i.line, i.record) for i in report.issues] == [("F006", None, None)]


def test_f010_too_many_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(lines(*[GOOD_LINE] * 4))
    _with_target_limits(monkeypatch, max_examples=4)
    assert _codes(path, "fireworks") == []
    _with_target_limits(monkeypatch, max_examples=3)
    assert _codes(path, "fireworks") == ["F010"]


def test_count_limits_do_not_apply_to_a_validation_file(tmp_path: Path) -> None:
    path = tmp_path / "valid.jsonl"
    path.write_bytes(lines(GOOD_LINE))
    report = validate_path(path, ValidateOptions(target="openai", count_limits=False))
    assert report.issues == []


@pytest.mark.parametrize("writer", [
    lambda p, b: p.write_bytes(gzip.compress(b)),
])
def test_gzip_is_read_transparently(tmp_path: Path,
                                    writer: Callable[[Path, bytes], object]) -> None:
    path = tmp_path / "train.jsonl.gz"
    writer(path, lines(GOOD_LINE, '{"messages": [}'))
    report = ftdata.validate(path)
    assert [(i.code, i.line) for i in report.issues] == [("F002", 2)]


def test_f011_is_one_issue_and_the_records_are_still_checked(tmp_path: Path) -> None:
    no_answer = {"messages": [{"role": "user", "content": "Hi"}]}
    path = tmp_path / "train.jsonl"
    path.write_text(PRETTY_LINE + "\n" + json.dumps(no_answer, indent=4) + "\n" + PRETTY_LINE,
                    encoding="utf-8")
    report = ftdata.validate(path)
    assert [(i.code, i.line, i.record) for i in report.issues] == [
        ("F011", 1, None), ("C003", 13, 1), ("D001", 21, 2)]
    assert (report.records, report.format) == (3, "openai-chat")


def test_a_broken_pretty_printed_object_is_f002_at_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(PRETTY_LINE + '\n{\n  "messages": [\n    {"role": "user",}\n  ]\n}\n',
                    encoding="utf-8")
    report = ftdata.validate(path)
    assert [(i.code, i.line, i.message) for i in report.issues] == [
        ("F011", 1, "the file holds pretty-printed JSON objects, not one per line; "
                    "`ftdata fix` rewrites it as JSON Lines"),
        ("F002", 13, "invalid JSON: Expecting property name enclosed in double quotes at "
                     "line 3 of the record, column 21")]


def test_f012_record_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ftdata import readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 1000)
    big = json.dumps({"messages": [{"role": "user", "content": "x" * 2000},
                                   {"role": "assistant", "content": "Hello!"}]})
    path = tmp_path / "train.jsonl"
    path.write_bytes(lines(GOOD_LINE, big, GOOD_LINE.replace("Hi", "Hey")))
    issues = ftdata.validate(path, ignore="D").issues
    assert [(issue.code, issue.line) for issue in issues] == [("F012", 2)]
    assert f"{len(big) + 1:,} bytes, over the 1,000 bytes record limit" in issues[0].message
    path.write_bytes(lines(GOOD_LINE, GOOD_LINE.replace("Hi", "Hey")))
    assert _codes(path, "generic") == []
