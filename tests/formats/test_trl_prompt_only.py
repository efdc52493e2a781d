from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.formats import Unrepresentable, get_format
from ftdata.formats.trl_prompt_only import FORMAT
from ftdata.model import Example, text_message
from ftdata.shapes import check_shape

STANDARD: dict[str, Any] = {"prompt": "The sky is"}
CONVERSATIONAL: dict[str, Any] = {"prompt": [
    {"role": "system", "content": "Answer with a number."},
    {"role": "user", "content": "What is 2+2?"}], "solution": "4"}
VALID = [STANDARD, CONVERSATIONAL, {"prompt": "2+2=", "answer": "4", "level": 1}]
WITH_IMAGES: dict[str, Any] = {
    "prompt": [{"role": "user", "content": [{"type": "image"},
                                            {"type": "text", "text": "What is this?"}]}],
    "images": ["https://example.com/cat.png"]}
WITH_TOOLS: dict[str, Any] = {
    "prompt": [{"role": "user", "content": "Weather in Paris?"}],
    "tools": [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        "return": {"type": "string"}}}]}
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"answer": "4"}, "S001", "/prompt"),
    ({"prompt": 3}, "S003", "/prompt"),
    ({"prompt": []}, "C015", "/prompt"),
    ({"prompt": [{"role": "human", "content": "Hi"}]}, "C001", "/prompt/0/role"),
    ({**WITH_IMAGES, "images": "cat.png"}, "S003", "/images"),
    ({**WITH_TOOLS, "tools": [{"name": "get_weather"}]}, "S001", "/tools/0/type"),
    ({**STANDARD, "completion": " blue."}, "S002", "/completion"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", [*VALID, WITH_IMAGES, WITH_TOOLS])
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_no_answer_is_no_issue() -> None:
    # C003 (no assistant), C004 (last not assistant), C005 (no alternation) want an answer
    # that a prompt-only record never has.
    records = [*VALID, WITH_IMAGES, WITH_TOOLS, {"prompt": [
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Tell me a joke."}]}]
    report = ftdata.validate_records(records, format=FORMAT.id, target="trl", tokens=False)
    assert [(issue.code, issue.record) for issue in report.issues] == []


def test_conversation_rules_that_still_apply() -> None:
    record = {"prompt": [{"role": "user", "content": "Hi"},
                         {"role": "system", "content": "Be brief."},
                         {"role": "user", "content": ""}]}
    report = ftdata.validate_records([record], format=FORMAT.id, tokens=False)
    assert sorted(issue.code for issue in report.issues) == ["C002", "C006"]


def test_standard_prompt_reads_as_a_user_turn_and_extra_columns_as_metadata() -> None:
    example = FORMAT.read(VALID[2])
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("user", "2+2=", "/prompt")]
    assert example.metadata == {"answer": "4", "level": 1, "trl_form": "standard"}


def test_images_fill_their_placeholders() -> None:
    parts = FORMAT.read(WITH_IMAGES).messages[0].content or []
    assert [(p.type, p.url, p.pointer) for p in parts] == [
        ("image", "https://example.com/cat.png", "/images/0"),
        ("text", None, "/prompt/0/content/1")]


def test_tool_schemas_keep_every_key() -> None:
    tools = FORMAT.read(WITH_TOOLS).tools
    assert tools == WITH_TOOLS["tools"]
    as_string = {**WITH_TOOLS, "tools": json.dumps(WITH_TOOLS["tools"])}
    assert _verdicts(as_string) == []
    assert FORMAT.read(as_string).tools == tools


def test_round_trip() -> None:
    assert FORMAT.write is not None
    for record in [*VALID, WITH_IMAGES, WITH_TOOLS]:
        assert FORMAT.write(FORMAT.read(record)) == record


def test_an_answered_conversation_is_refused() -> None:
    assert FORMAT.write is not None
    chat = Example(kind="chat", messages=[text_message("user", "Hi", ""),
                                          text_message("assistant", "Hello", "")])
    with pytest.raises(Unrepresentable, match="end with the user's turn, not with assistant"):
        FORMAT.write(chat)
    clash = Example(kind="chat", messages=[text_message("user", "Hi", "")],
                    metadata={"completion": "x"})
    with pytest.raises(Unrepresentable, match="'completion' would make"):
        FORMAT.write(clash)


def test_matches_prompt_records_of_no_other_format() -> None:
    for record in [*VALID, WITH_IMAGES, WITH_TOOLS]:
        assert FORMAT.matches(record)
    for record in ({"prompt": "a", "completion": "b"}, {"prompt": "a", "chosen": "b",
                                                        "rejected": "c"},
                   {"prompt": "a", "completion": "b", "label": True},
                   {"prompt": "a", "completions": ["b"], "labels": [True]}):
        assert not FORMAT.matches(record)


@pytest.mark.parametrize("record", [{}, {"prompt": None}, {"prompt": [None, 1]},
                                    {"prompt": "x", "images": [1], "tools": "{"}])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    assert FORMAT.read(record).kind == "chat"


def test_converts_with_openai_rft_both_ways(tmp_path: Path) -> None:
    source = tmp_path / "grpo.jsonl"
    source.write_text(json.dumps(CONVERSATIONAL) + "\n", "utf-8")
    rft = tmp_path / "rft.jsonl"
    assert ftdata.convert(source, rft, to="openai-rft")["written"] == 1
    assert json.loads(rft.read_text("utf-8")) == {
        "messages": CONVERSATIONAL["prompt"], "solution": "4"}
    back = tmp_path / "back.jsonl"
    assert ftdata.convert(rft, back, to=FORMAT.id)["written"] == 1
    assert json.loads(back.read_text("utf-8")) == CONVERSATIONAL
    assert get_format("openai-rft").matches(json.loads(rft.read_text("utf-8")))


def test_a_tools_string_that_is_not_json_is_s004() -> None:
    # TRL json.loads a tools string, so even an empty one fails.
    records = [{**WITH_TOOLS, "tools": "get_weather"}, {**WITH_TOOLS, "tools": ""},
               {**WITH_TOOLS, "tools": json.dumps(WITH_TOOLS["tools"])}]
    report = ftdata.validate_records(records, format=FORMAT.id, tokens=False)
    assert [(issue.code, issue.record, issue.pointer) for issue in report.issues] == [
        ("S004", 0, "/tools"), ("S004", 1, "/tools")]
