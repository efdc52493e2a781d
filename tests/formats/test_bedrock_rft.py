from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.conversion import convert
from ftdata.engine import detect_format
from ftdata.formats import Unrepresentable, get_format
from ftdata.formats.bedrock_rft import FORMAT
from ftdata.model import Example, text_message
from ftdata.shapes import check_shape
from ftdata.targets import get_target
from tests.conftest import SAMPLES

VALIDATOR = Draft202012Validator(FORMAT.json_schema())

SYSTEM = {"role": "system", "content": "You are a helpful math tutor."}
QUESTION = {"role": "user", "content": "How many seashells does Leigh have?"}

# The shape of aws-samples/amazon-bedrock-samples custom-models/bedrock-reinforcement-fine-tuning
# /models/nova/train_gms8k_example.jsonl: an object answer and grader fields.
GSM8K: dict[str, Any] = {
    "messages": [SYSTEM, QUESTION],
    "reference_answer": {"final_answer": "16", "steps": ["2 x 12 = 24", "48 / 3 = 16"]},
    "task_id": "gsm8k_train_0", "domain": "math", "data_source": "openai/gsm8k"}
# Bedrock's documented example: a string answer.
QA: dict[str, Any] = {"messages": [SYSTEM, {"role": "user", "content": "What is ML?"}],
                      "reference_answer": "Machine learning is a subset of AI."}
MULTI_TURN: dict[str, Any] = {
    "id": "marbles_1",
    "messages": [{"role": "user", "content": "I have 3 red and 5 blue marbles."},
                 {"role": "assistant", "content": "8 marbles. What would you like to know?"},
                 {"role": "user", "content": "Probability that two drawn are blue?"}],
    "reference_answer": "5/14"}
WITH_TOOLS: dict[str, Any] = {
    "messages": [{"role": "user", "content": "Area of a triangle of base 10 and height 5?"}],
    "tools": [{"type": "function", "function": {
        "name": "calculate_area", "description": "Area of a triangle.",
        "parameters": {"type": "object", "properties": {"base": {"type": "number"},
                                                        "height": {"type": "number"}}}}}],
    "reference_answer": {"ground_truth": ["calculate_area(base=10, height=5)"]}}
VALID = [GSM8K, QA, MULTI_TURN]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"messages": [QUESTION]}, [("S001", "/reference_answer")]),
    ({**QA, "reference_answer": 4}, [("S003", "/reference_answer")]),
    ({**QA, "reference_answer": ["4"]}, [("S003", "/reference_answer")]),
    ({**QA, "id": 7}, [("S003", "/id")]),
    ({**QA, "messages": []}, [("C015", "/messages")]),
    ({**QA, "messages": [{"role": "developer", "content": "Be brief."}, QUESTION]},
     [("C001", "/messages/0/role")]),
    ({**QA, "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]},
     [("S003", "/messages/0/content")]),
    ({**QA, "messages": [{"role": "user"}]}, [("S001", "/messages/0/content")]),
    ({**QA, "messages": [{**QUESTION, "name": "ann"}]}, [("S002", "/messages/0/name")]),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", [*VALID, WITH_TOOLS])
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "expected"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any],
                                           expected: list[tuple[str, str]]) -> None:
    assert _verdicts(record) == expected


def test_everything_but_the_conversation_is_grader_data() -> None:
    example = FORMAT.read(GSM8K)
    assert example.kind == "chat"
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("system", "/messages/0"), ("user", "/messages/1")]
    assert example.metadata == {key: GSM8K[key] for key in
                                ("reference_answer", "task_id", "domain", "data_source")}
    assert FORMAT.read(WITH_TOOLS).tools == WITH_TOOLS["tools"]


@pytest.mark.parametrize("record", [{"messages": "Hi", "reference_answer": 3},
                                    {"messages": [None, 1, {"role": 2}], "tools": "x"}])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


# -- detection -------------------------------------------------------------------------------


def test_alone_the_records_read_as_openai_rft_and_the_bedrock_target_picks_bedrock_rft() -> None:
    records = [GSM8K, QA, MULTI_TURN]
    assert all(get_format(f).matches(r) for r in records
               for f in ("openai-rft", "openai-chat", "bedrock-rft"))
    detected = detect_format(records)
    assert detected.format is not None and detected.format.id == "openai-rft"
    under_bedrock = detect_format(records, get_target("bedrock"))
    assert under_bedrock.format is not None and under_bedrock.format.id == "bedrock-rft"


def test_a_broken_record_with_a_reference_answer_keeps_the_file_bedrock_rft() -> None:
    # An empty conversation ends with no user turn, but the answer says what the record is.
    records = [GSM8K, QA, {"messages": [], "reference_answer": "x"}]
    assert FORMAT.matches(records[2]) and not get_format("openai-rft").matches(records[2])
    detected = detect_format(records, get_target("bedrock"))
    assert detected.format is not None and detected.format.id == "bedrock-rft"


@pytest.mark.parametrize("record", [
    {"schemaVersion": "bedrock-conversation-2024", "messages": [
        {"role": "user", "content": [{"text": "Hi"}]}], "reference_answer": "x"},
    {"system": "Be brief.", "messages": [QUESTION], "reference_answer": "x"},
    {"messages": [QUESTION, {"role": "assistant", "content": "16"}]},
    {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "reference_answer": "x"},
])
def test_other_formats_records_are_not_claimed(record: dict[str, Any]) -> None:
    assert not FORMAT.matches(record)


def test_plain_prompts_without_answers_are_rft_records_missing_their_answer() -> None:
    # They fit bedrock-claude too; listed first, bedrock-rft names what is missing.
    report = ftdata.validate_records([{"messages": [QUESTION]}] * 2, target="bedrock")
    assert report.format == "bedrock-rft"
    assert [(issue.code, issue.line, issue.pointer) for issue in report.issues] == [
        ("S001", 1, "/reference_answer"), ("S001", 2, "/reference_answer")]


def test_sft_records_are_not_claimed_under_the_bedrock_target() -> None:
    claude = [{"system": "Be brief.", "messages": [QUESTION, {"role": "assistant",
                                                             "content": "16"}]}] * 3
    detected = detect_format(claude, get_target("bedrock"))
    assert detected.format is not None and detected.format.id == "bedrock-claude"


# -- the bedrock target ----------------------------------------------------------------------


def test_the_bedrock_target_accepts_rft_records_without_order_errors() -> None:
    report = ftdata.validate_records([GSM8K, QA, MULTI_TURN, WITH_TOOLS], target="bedrock")
    assert report.format == "bedrock-rft"
    # No C003/C004 (no assistant answer, ends with the user) and no C005 (strict alternation:
    # a system message first, two user turns are not judged), as for openai-rft.
    assert [(issue.code, issue.line) for issue in report.issues] == []


def test_the_bedrock_target_still_checks_the_prompt() -> None:
    marked = {**QA, "messages": [{"role": "user", "content": "User: hi\nAssistant:"}]}
    report = ftdata.validate_records([GSM8K, marked], target="bedrock")
    assert [(issue.code, issue.severity.value, issue.line) for issue in report.issues] == [
        ("Q004", "error", 2)]


# -- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("record", [*VALID, WITH_TOOLS])
def test_records_are_written_back_as_they_were(record: dict[str, Any]) -> None:
    assert FORMAT.write is not None
    assert FORMAT.write(FORMAT.read(record)) == record


@pytest.mark.parametrize(("example", "reason"), [
    (Example(kind="chat", messages=[text_message("user", "2+2?", "")]),
     "bedrock-rft records need a reference_answer for the reward function"),
    (Example(kind="chat", messages=[text_message("user", "2+2?", ""),
                                    text_message("assistant", "4", "")],
             metadata={"reference_answer": "4"}),
     "bedrock-rft conversations end with the user's turn, not with assistant"),
    (Example(kind="chat", messages=[text_message("developer", "Be brief.", ""),
                                    text_message("user", "2+2?", "")],
             metadata={"reference_answer": "4"}),
     "bedrock-rft has no 'developer' role"),
    (Example(kind="chat", messages=[text_message("user", "2+2?", "")],
             metadata={"reference_answer": "4", "system": "Be brief."}),
     "the record's keys would make it read as another format's, not bedrock-rft"),
])
def test_unrepresentable_examples_name_the_reason(example: Example, reason: str) -> None:
    assert FORMAT.write is not None
    with pytest.raises(Unrepresentable) as raised:
        FORMAT.write(example)
    assert raised.value.reason == reason


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_round_trip_through_convert_and_validate(tmp_path: Path) -> None:
    clean = SAMPLES / "bedrock-rft" / "clean.jsonl"
    as_openai = tmp_path / "openai.jsonl"
    back = tmp_path / "bedrock.jsonl"
    first = convert(clean, as_openai, to="openai-rft", from_="bedrock-rft")
    second = convert(as_openai, back, to="bedrock-rft")
    assert first["written"] == second["written"] == first["read"] == 11
    assert second["from"] == "openai-rft" and second["skipped"] == []
    assert _lines(back) == _lines(clean)
    report = ftdata.validate(back, target="bedrock")
    assert report.format == "bedrock-rft" and report.issues == [] and report.ok


def test_openai_rft_records_without_an_answer_are_skipped_with_the_reason(
        tmp_path: Path) -> None:
    source = tmp_path / "openai.jsonl"
    source.write_text(json.dumps({"messages": [QUESTION], "correct_answer": "B"}) + "\n"
                      + json.dumps(QA) + "\n", encoding="utf-8")
    summary = convert(source, tmp_path / "out.jsonl", to="bedrock-rft")
    assert summary["written"] == 1
    assert summary["skipped"] == [
        {"line": 1, "reason": "bedrock-rft records need a reference_answer for the reward "
                              "function"}]
