from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.formats import get_format
from ftdata.formats.trl_stepwise import FORMAT, cross_check
from ftdata.shapes import check_shape

# TRL's example, docs/source/dataset_formats.md lines 81-88.
VALID: dict[str, Any] = {
    "prompt": "Which number is larger, 9.8 or 9.11?",
    "completions": ["The fractional part of 9.8 is 0.8.",
                    "The fractional part of 9.11 is 0.11.",
                    "0.11 is greater than 0.8.", "Hence, 9.11 > 9.8."],
    "labels": [True, True, False, False],
}
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({**VALID, "labels": [True, True]}, "S004", "/labels"),
    ({"prompt": "?", "completions": ["a"]}, "S001", "/labels"),
    ({**VALID, "labels": [1, 1, 0, 0]}, "S003", "/labels/0"),
    ({**VALID, "completions": []}, "C015", "/completions"),
    ({**VALID, "prompt": [{"role": "user", "content": "?"}]}, "S003", "/prompt"),
    ({**VALID, "completion": "x"}, "S002", "/completion"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    # The lengths are the one thing a JSON Schema cannot compare.
    assert VALIDATOR.is_valid(record) == (not findings), findings
    findings.extend(cross_check(record))
    return [(finding.code, finding.pointer) for finding in findings]


def test_valid_record_has_no_findings() -> None:
    assert _verdicts(VALID) == []
    report = ftdata.validate_records([VALID], format=FORMAT.id, target="trl", tokens=False)
    assert [issue.code for issue in report.issues] == []


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_a_label_count_mismatch_is_a_located_error_in_validate() -> None:
    report = ftdata.validate_records([VALID, {**VALID, "labels": [True]}], format=FORMAT.id,
                                     tokens=False)
    assert [(i.code, i.record, i.pointer, i.message) for i in report.issues] == [
        ("S004", 1, "/labels", "labels has 1 items, completions has 4 (one label per step)")]


def test_steps_read_as_assistant_turns_and_labels_as_metadata() -> None:
    example = FORMAT.read(VALID)
    assert [(m.role, m.pointer) for m in example.messages][:3] == [
        ("user", "/prompt"), ("assistant", "/completions/0"), ("assistant", "/completions/1")]
    assert example.metadata == {"labels": [True, True, False, False]}


def test_round_trip_and_refusals() -> None:
    assert FORMAT.write is not None
    assert FORMAT.write(FORMAT.read(VALID)) == VALID
    chat = get_format("openai-chat")
    assert chat.write is not None
    with pytest.raises(Exception, match="no place for the record's 'labels'"):
        chat.write(FORMAT.read(VALID))


def test_matches() -> None:
    assert FORMAT.matches(VALID)
    assert FORMAT.matches({"completions": []})
    assert not FORMAT.matches({"prompt": "x", "completion": "y"})
    for other in ("trl-prompt-only", "prompt-completion", "trl-kto"):
        assert not get_format(other).matches(VALID)


@pytest.mark.parametrize("record", [{}, {"completions": "x", "labels": None},
                                    {"prompt": 1, "completions": [None, "a"], "labels": [1]}])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    assert FORMAT.read(record).kind == "chat"


def test_convert_skips_a_mismatched_record_with_its_reason(tmp_path: Path) -> None:
    source = tmp_path / "prm.jsonl"
    source.write_text(json.dumps(VALID) + "\n" + json.dumps({**VALID, "labels": [True]})
                      + "\n", "utf-8")
    output = tmp_path / "out.jsonl"
    summary = ftdata.convert(source, output, to=FORMAT.id)
    assert summary["from"] == FORMAT.id
    assert summary["skipped"] == [{"line": 2, "reason": "S004 labels has 1 items, completions "
                                                        "has 4 (one label per step) (at "
                                                        "/labels)"}]
    assert json.loads(output.read_text("utf-8")) == VALID
