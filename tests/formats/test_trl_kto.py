from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.trl_kto import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _user(content: Any = "What color is the sky?") -> dict[str, Any]:
    return {"role": "user", "content": content}


def _assistant(content: Any = "It is blue.") -> dict[str, Any]:
    return {"role": "assistant", "content": content}


STANDARD: dict[str, Any] = {"prompt": "The sky is", "completion": " blue.", "label": True}
CONVERSATIONAL: dict[str, Any] = {"prompt": [_user()], "completion": [_assistant()],
                                  "label": False}
MESSAGES: dict[str, Any] = {"messages": [_user(), _assistant()], "label": True}
VALID = [STANDARD, CONVERSATIONAL, MESSAGES]

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": "The sky is", "completion": " blue."}, "S001", "/label"),
    ({"messages": [_user(), _assistant()]}, "S001", "/label"),
    ({"completion": " blue.", "label": True}, "S001", "/prompt"),
    ({"label": True}, "S001", "/prompt"),
    ({"prompt": "The sky is", "label": True}, "S001", "/completion"),
    ({**STANDARD, "label": "true"}, "S003", "/label"),
    ({**MESSAGES, "label": 1}, "S003", "/label"),
    ({**STANDARD, "prompt": 3}, "S003", "/prompt"),
    ({**STANDARD, "messages": [_user()]}, "S002", "/messages"),
    ({**MESSAGES, "system": "Be brief."}, "S002", "/system"),
    ({**STANDARD, "images": ["https://example.com/a.png"]}, "S002", "/images"),
    ({**MESSAGES, "messages": []}, "C015", "/messages"),
    ({**CONVERSATIONAL, "completion": []}, "C015", "/completion"),
    ({**MESSAGES, "messages": [_user(), {"role": "gpt", "content": "Hi"}]}, "C001",
     "/messages/1/role"),
    ({**CONVERSATIONAL, "completion": [{"role": "model", "content": "Hi"}]}, "C001",
     "/completion/0/role"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


def test_standard_record_reads_as_a_completion_with_its_label() -> None:
    example = FORMAT.read(STANDARD)
    assert (example.kind, example.label) == ("completion", True)
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("user", "The sky is", "/prompt"), ("assistant", " blue.", "/completion")]
    assert example.messages[1].content is not None
    assert [part.pointer for part in example.messages[1].content] == ["/completion"]


def test_conversational_record_reads_as_a_chat() -> None:
    example = FORMAT.read(CONVERSATIONAL)
    assert (example.kind, example.label) == ("chat", False)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("user", "/prompt/0"), ("assistant", "/completion/0")]


def test_llamafactory_messages_record_reads_as_a_chat() -> None:
    example = FORMAT.read(MESSAGES)
    assert (example.kind, example.label) == ("chat", True)
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("user", "What color is the sky?", "/messages/0"),
        ("assistant", "It is blue.", "/messages/1")]
    assert example.messages[1].content is not None
    assert [part.pointer for part in example.messages[1].content] == ["/messages/1/content"]


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_a_label_that_is_not_a_boolean_is_not_read() -> None:
    assert FORMAT.read({**STANDARD, "label": "true"}).label is None


@pytest.mark.parametrize("record", [
    {}, {"label": None}, {"prompt": None, "completion": [None, 1], "label": 0},
    {"messages": "hi", "label": True}, {"messages": [None, {"role": 1}], "label": []},
])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    _verdicts(record)
    assert FORMAT.read(record).kind in ("chat", "completion")


def test_matches_its_records_even_when_invalid() -> None:
    for record in VALID:
        assert FORMAT.matches(record)
    assert FORMAT.matches({"completion": "x", "label": "yes"})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in VALID:
        assert not get_format(other).matches(record)



def test_llamafactory_corpus_file_is_matched_read_and_valid() -> None:
    path = CORPUS / "kto_messages__llamafactory_kto_en_demo.json"
    if not path.is_file():
        pytest.skip("corpus file not present")
    records = json.loads(path.read_text(encoding="utf-8"))
    assert records
    for record in records:
        assert FORMAT.matches(record)
        example = FORMAT.read(record)
        assert example.kind == "chat"
        assert example.label is record["label"]
        assert _verdicts(record) == []
