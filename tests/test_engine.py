"""The engine end to end: a file with two dozen defects gets exactly the right codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftdata
from ftdata.engine import detect_format
from ftdata.targets import get_target
from tests.conftest import SAMPLES

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"
CLEAN = SAMPLES / "openai-chat" / "clean.jsonl"

EXPECTED = [
    ("F008", None, None),
    ("F005", 1, None),
    ("C003", 2, "/messages"),
    ("F002", 3, None),
    ("F003", 4, None),
    ("F004", 5, None),
    ("C015", 6, "/messages"),
    ("S001", 7, "/messages/0/role"),
    ("S002", 8, "/metadata"),
    ("S003", 9, "/messages/0/content"),
    ("S004", 10, "/messages/1/tool_calls/0/type"),
    ("C001", 11, "/messages/1/role"),
    ("C002", 12, "/messages/1/content"),
    ("C004", 13, "/messages/2"),
    ("C005", 14, "/messages/1"),
    ("C006", 15, "/messages/2"),
    ("C007", 16, "/messages/1/weight"),
    ("C008", 17, "/messages"),
    ("C009", 18, "/messages/1/tool_calls/0/function/arguments"),
    ("C010", 19, "/messages/1/tool_calls/0"),
    ("C011", 20, "/messages/2"),
    ("C012", 21, "/messages/1/tool_calls/0"),
    ("C013", 22, "/messages/0/content/1"),
    ("F001", 23, None),
    ("C007", 24, "/messages/0/weight"),
    ("S003", 25, "/messages"),
    ("S001", 26, "/messages"),
    ("S002", 26, "/prompt"),
    ("S002", 26, "/completion"),
]


def test_broken_sample_gets_exactly_the_right_codes_at_the_right_lines() -> None:
    report = ftdata.validate(BROKEN)
    assert report.format == "openai-chat"
    assert [(i.code, i.line, i.pointer) for i in report.issues] == EXPECTED
    assert report.records == 25
    assert not report.ok


def test_record_indexes_are_zero_based_and_skip_blank_lines() -> None:
    report = ftdata.validate(BROKEN)
    by_line = {i.line: i.record for i in report.issues if i.line is not None}
    assert by_line[2] == 1
    assert by_line[4] == 3
    assert by_line[6] == 4  # line 5 is blank: not a record


def test_clean_sample_passes_for_openai() -> None:
    report = ftdata.validate(CLEAN, target="openai")
    assert report.issues == []
    assert report.ok and report.valid_records == report.records == 12


def test_select_and_ignore_prefixes() -> None:
    selected = ftdata.validate(BROKEN, select="C00")
    assert {i.code for i in selected.issues} == {f"C00{n}" for n in range(1, 10)}
    ignored = ftdata.validate(BROKEN, select="C", ignore="C00,C01")
    assert ignored.issues == []


def test_unknown_code_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="X9"):
        ftdata.validate(BROKEN, select="X9")


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    record = {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
                           {"role": "assistant", "content": "c"}]}
    path.write_text(json.dumps(record) + "\n")
    assert ftdata.validate(path).ok
    assert not ftdata.validate(path, strict=True).ok


def test_to_dict_has_the_spec_keys() -> None:
    data = ftdata.validate(BROKEN).to_dict()
    assert list(data) == ["path", "format", "target", "model", "records", "valid_records",
                          "summary", "issues", "stats"]
    assert list(data["issues"][2]) == ["code", "name", "severity", "line", "record", "pointer",
                                       "message", "fixable"]
    assert data["summary"] == {"error": 22, "warning": 7, "info": 0}


def test_valid_records_counts_records_without_errors() -> None:
    report = ftdata.validate(BROKEN)
    # Line 1 is clean; lines 13-15, 19 and 21 have warnings only.
    assert report.valid_records == 6


@pytest.mark.parametrize(("records", "target", "expected"), [
    ([{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}],
     None, "openai-chat"),
    ([{"messages": [{"role": "user", "content": "q"}]}] * 3, None, "openai-rft"),
    ([{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}],
     "bedrock", "bedrock-claude"),
    ([{"prompt": "q", "completion": "a"}], None, "prompt-completion"),
    ([{"text": "t"}], None, "text"),
])
def test_detection(records: list[dict[str, object]], target: str | None, expected: str) -> None:
    detection = detect_format(records, get_target(target) if target else None)
    assert detection.format is not None and detection.format.id == expected


def test_nothing_recognisable_is_f009(tmp_path: Path) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text('{"question": "q", "answer": "a"}\n')
    report = ftdata.validate(path)
    assert report.format is None
    assert [i.code for i in report.issues] == ["F009"]
    assert report.valid_records == 0


def test_records_that_are_not_objects_are_f003_when_no_format_is_found(tmp_path: Path) -> None:
    path = tmp_path / "lists.jsonl"
    path.write_text('"text"\n[1, 2]\n{"messages": [\n')
    report = ftdata.validate(path)
    assert report.format is None
    assert [(i.code, i.line, i.record) for i in report.issues] == [
        ("F009", None, None), ("F003", 1, 0), ("F003", 2, 1), ("F002", 3, 2)]


def test_target_refuses_a_format_it_does_not_accept(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"text": "hello"}\n')
    report = ftdata.validate(path, target="mistral")
    assert "F009" in [i.code for i in report.issues]


def test_validate_records_accepts_dicts_and_json_strings() -> None:
    good = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    report = ftdata.validate_records([good, json.dumps(good), "{broken"])
    assert [(i.code, i.line, i.record) for i in report.issues] == [("D001", 2, 1), ("F002", 3, 2)]


def test_tables_and_chat_logs_are_pointed_at_convert(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("question,answer\nHi,Hello\n")
    report = ftdata.validate(path)
    assert [(i.code, i.line) for i in report.issues] == [("F009", None)]
    assert "ftdata convert" in report.issues[0].message


# -- plain-text corpora ----------------------------------------------------------------------


def test_a_txt_is_a_plain_text_corpus_of_text_records(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt"
    path.write_bytes(b"The first document.\n\nThe second one.\r\ncaf\xe9\n")
    report = ftdata.validate(path)
    assert (report.format, report.records) == ("text", 3)
    assert [(i.code, i.line, i.record) for i in report.issues] == [("F001", 4, 2)]
    stats = ftdata.stats(path, model="gpt-4o-mini")
    assert (stats["format"], stats["examples"]) == ("text", 2)
    assert stats["tokens"]["total"] > 0


@pytest.mark.parametrize(("name", "kind"), [("transcript.txt", "transcript"),
                                            ("whatsapp_ios_24h.txt", "whatsapp")])
def test_a_txt_that_is_a_chat_log_is_to_be_converted(name: str, kind: str) -> None:
    from tests.sources import FIXTURES

    report = ftdata.validate(FIXTURES / name)
    (issue,) = report.issues
    assert (issue.code, report.records) == ("F009", 0)
    assert f"--from {kind}" in issue.message and "--format text" in issue.message
    # Told it is plain text, validate reads it so.
    as_text = ftdata.validate(FIXTURES / name, format="text")
    assert as_text.format == "text" and as_text.records > 0


def test_the_corpus_whatsapp_export_is_still_a_chat_log(corpus: Path) -> None:
    report = ftdata.validate(corpus / "chatlog_whatsapp__chatminer_12hrs.txt")
    assert [(issue.code, issue.line) for issue in report.issues] == [("F009", None)]
    assert "--from whatsapp" in report.issues[0].message
