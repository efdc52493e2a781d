from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.bedrock_claude import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

USER = {"role": "user", "content": "What is the capital of France?"}
ASSISTANT = {"role": "assistant", "content": "Paris."}

WITH_SYSTEM: dict[str, Any] = {"system": "Answer in one word.", "messages": [USER, ASSISTANT]}
WITHOUT_SYSTEM: dict[str, Any] = {"messages": [USER, ASSISTANT]}
MULTI_TURN: dict[str, Any] = {"messages": [USER, ASSISTANT,
                                           {"role": "user", "content": "And Italy?"},
                                           {"role": "assistant", "content": "Rome."}]}
VALID = [WITH_SYSTEM, WITHOUT_SYSTEM, MULTI_TURN]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"system": "Be brief."}, [("S001", "/messages")]),
    ({"messages": []}, [("C015", "/messages")]),
    ({**WITH_SYSTEM, "system": [{"text": "Be brief."}]}, [("S003", "/system")]),
    ({**WITH_SYSTEM, "id": "1"}, [("S002", "/id")]),
    ({"messages": [{"role": "system", "content": "Be brief."}, USER, ASSISTANT]},
     [("C001", "/messages/0/role")]),
    ({"messages": [{"role": "model", "content": "Paris."}]}, [("C001", "/messages/0/role")]),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]},
     [("S003", "/messages/0/content")]),
    ({"messages": [USER, {"role": "assistant", "content": None}]},
     [("S003", "/messages/1/content")]),
    ({"messages": [USER, {"role": "assistant"}]}, [("S001", "/messages/1/content")]),
    ({"messages": [USER, {**ASSISTANT, "name": "bot"}]}, [("S002", "/messages/1/name")]),
    ({"messages": [USER, {**ASSISTANT, "weight": 0}]}, [("S002", "/messages/1/weight")]),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "expected"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any],
                                           expected: list[tuple[str, str]]) -> None:
    assert _verdicts(record) == expected


def test_system_string_becomes_the_leading_system_message() -> None:
    example = FORMAT.read(WITH_SYSTEM)
    assert example.kind == "chat"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("system", "Answer in one word.", "/system"),
        ("user", "What is the capital of France?", "/messages/0"),
        ("assistant", "Paris.", "/messages/1")]
    assert [part.pointer for m in example.messages for part in m.content or ()] == [
        "/system", "/messages/0/content", "/messages/1/content"]
    assert example.system == "Answer in one word."


def test_record_without_system_has_no_system_message() -> None:
    assert [m.role for m in FORMAT.read(WITHOUT_SYSTEM).messages] == ["user", "assistant"]


@pytest.mark.parametrize("record", [
    {"messages": "Hi", "system": 3},
    {"messages": [None, 1, {"role": 2, "content": [{"text": "x"}]}, {}]},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


@pytest.mark.parametrize("record", VALID)
def test_matches_its_own_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)


def test_a_system_string_fits_no_other_messages_format() -> None:
    others = [fmt.id for fmt_id in ("openai-chat", "openai-rft", "bedrock-conversation",
                                    "sharegpt", "trl-kto")
              if (fmt := get_format(fmt_id)).matches(WITH_SYSTEM)]
    assert others == []


def test_plain_openai_chat_records_overlap_as_the_spec_says() -> None:
    # SPEC §2: bedrock-claude is a subset of openai-chat; detection prefers openai-chat.
    assert FORMAT.matches(WITHOUT_SYSTEM)
    assert get_format("openai-chat").matches(WITHOUT_SYSTEM)



def test_corpus_records_are_matched_and_read() -> None:
    path = CORPUS / "bedrock_system_messages__tooluse_train_ft.jsonl"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the corpus")
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert not get_format("openai-chat").matches(record)
        assert _verdicts(record) == []
        assert [m.role for m in FORMAT.read(record).messages] == ["system", "user", "assistant"]
