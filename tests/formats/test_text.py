from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.text import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

VALID: dict[str, Any] = {"text": "The sky is blue.\nThe grass is green."}

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({}, "S001", "/text"),
    ({"text": None}, "S003", "/text"),
    ({"text": ["a", "b"]}, "S003", "/text"),
    ({**VALID, "meta": {"source": "wiki"}}, "S002", "/meta"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


def test_valid_record_has_no_findings() -> None:
    assert _verdicts(VALID) == []


def test_valid_record_reads_into_a_text_example() -> None:
    example = FORMAT.read(VALID)
    assert example.kind == "text"
    assert example.text == VALID["text"]
    assert example.messages == []


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


@pytest.mark.parametrize("record", [{}, {"text": 3}, {"text": {"a": [1]}}])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    example = FORMAT.read(record)
    assert example.kind == "text"
    assert example.text is None


def test_matches_its_records_even_when_invalid() -> None:
    assert FORMAT.matches(VALID)
    assert FORMAT.matches({"text": None, "id": 1})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in [VALID]:
        assert not get_format(other).matches(record)



def test_corpus_file_is_matched_read_and_valid() -> None:
    path = CORPUS / "text__mlx_lora_wikisql_train.jsonl"
    if not path.is_file():
        pytest.skip("corpus file not present")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert FORMAT.read(record).text == record["text"]
        assert _verdicts(record) == []
