from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.prompt_completion import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
CORPUS_FILES = ["prompt_completion__mlx_wwdc25_valid.jsonl",
                "prompt_completion__cohere_content_rephrasing.jsonl",
                "prompt_completion__bedrock_uber10k_distillation.jsonl"]
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

VALID: dict[str, Any] = {"prompt": "Translate to French: cheese\n", "completion": " fromage"}

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": "Hi"}, "S001", "/completion"),
    ({"completion": "Hello"}, "S001", "/prompt"),
    ({**VALID, "id": 7}, "S002", "/id"),
    ({**VALID, "label": True}, "S002", "/label"),
    ({**VALID, "prompt": 42}, "S003", "/prompt"),
    ({**VALID, "completion": None}, "S003", "/completion"),
    ({**VALID, "prompt": [{"role": "user", "content": "Hi"}]}, "S003", "/prompt"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


def test_valid_record_has_no_findings() -> None:
    assert _verdicts(VALID) == []
    assert _verdicts({"prompt": "", "completion": ""}) == []


def test_valid_record_reads_into_user_and_assistant_turns() -> None:
    example = FORMAT.read(VALID)
    assert example.kind == "completion"
    user, assistant = example.messages
    assert (user.role, user.text, user.pointer) == ("user", VALID["prompt"], "/prompt")
    assert (assistant.role, assistant.text, assistant.pointer) == (
        "assistant", " fromage", "/completion")
    assert user.content is not None and assistant.content is not None
    assert [part.pointer for part in user.content] == ["/prompt"]
    assert [part.pointer for part in assistant.content] == ["/completion"]


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


@pytest.mark.parametrize("record", [
    {}, {"prompt": None, "completion": 3}, {"prompt": ["a"], "completion": {"x": 1}},
])
def test_read_skips_what_is_not_a_string(record: dict[str, Any]) -> None:
    _verdicts(record)
    example = FORMAT.read(record)
    assert example.kind == "completion"
    assert example.messages == []


def test_read_keeps_the_readable_half() -> None:
    example = FORMAT.read({"prompt": 42, "completion": "4"})
    assert [(m.role, m.pointer) for m in example.messages] == [("assistant", "/completion")]


def test_matches_its_records_even_when_invalid() -> None:
    assert FORMAT.matches(VALID)
    assert FORMAT.matches({"prompt": 1, "completion": None})
    assert FORMAT.matches({**VALID, "id": 7})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in [VALID]:
        assert not get_format(other).matches(record)



@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_is_matched_read_and_valid(name: str) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip("corpus file not present")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert len(FORMAT.read(record).messages) == 2
        assert _verdicts(record) == []
