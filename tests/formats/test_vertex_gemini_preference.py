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
from ftdata.formats.vertex_gemini_preference import FORMAT
from ftdata.model import Example, Message, Part, ToolCall, text_message
from ftdata.shapes import check_shape
from ftdata.targets import get_target
from tests.conftest import SAMPLES

VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def _model(text: str) -> dict[str, Any]:
    return {"role": "model", "parts": [{"text": text}]}


def _scored(score: int, text: str) -> dict[str, Any]:
    return {"score": score, "completion": _model(text)}


# Vertex's own example (gemini-preference-tuning-prepare): preferred completion first.
DOCS: dict[str, Any] = {
    "system_instruction": {"parts": [{"text": "You are a chat bot."}]},
    "contents": [_user("What is my favorite fruit?")],
    "completions": [_scored(1, "Apple! Apple! Apple!"),
                    _scored(0, "Your favorite fruit is apple.")],
}
MULTI_TURN: dict[str, Any] = {
    "contents": [_user("I want to learn Spanish."), _model("How much time do you have?"),
                 _user("Twenty minutes a day.")],
    "completions": [_scored(1, "Ten minutes of vocabulary, ten of listening."),
                    _scored(0, "Move to Spain.")],
}
# The dispreferred completion listed first, the system instruction in camelCase with a role.
REORDERED: dict[str, Any] = {
    "systemInstruction": {"role": "system", "parts": [{"text": "Be kind."}]},
    "contents": [_user("Greet me.")],
    "completions": [_scored(0, "Go away."), _scored(1, "Hello, nice to meet you!")],
}
VALID = [DOCS, MULTI_TURN, REORDERED]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({**DOCS, "completions": [_scored(2, "Apple!"), _scored(0, "An apple.")]},
     [("S004", "/completions/0/score")]),
    ({**DOCS, "completions": [_scored(1, "Apple!")]}, [("S004", "/completions")]),
    ({**DOCS, "completions": [_scored(1, "A"), _scored(0, "B"), _scored(0, "C")]},
     [("S004", "/completions")]),
    ({**DOCS, "completions": [_scored(1, "A"), _scored(1, "B")]}, [("S004", "/completions")]),
    ({**DOCS, "completions": [_scored(0, "A"), {"score": 0.0, "completion": _model("B")}]},
     [("S004", "/completions")]),
    ({**DOCS, "completions": [{"completion": _model("A")}, _scored(0, "B")]},
     [("S001", "/completions/0/score")]),
    ({**DOCS, "completions": [_scored(1, "A"), {"score": 0, "completion": _user("B")}]},
     [("C001", "/completions/1/completion/role")]),
    ({**DOCS, "completions": [_scored(1, "A"), {"score": 0}]},
     [("S001", "/completions/1/completion")]),
    ({**DOCS, "contents": []}, [("C015", "/contents")]),
    ({"completions": DOCS["completions"]}, [("S001", "/contents")]),
    ({**DOCS, "contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/png", "data": "iVBO"}}]}]},
     [("S001", "/contents/0/parts/0/text"), ("S002", "/contents/0/parts/0/inlineData")]),
    ({**DOCS, "contents": [{"role": "user", "parts": []}]}, [("C002", "/contents/0/parts")]),
    ({**DOCS, "tools": []}, [("S002", "/tools")]),
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


def _texts(messages: list[Message] | None) -> list[tuple[str, str, str]]:
    return [(m.role, m.text, m.pointer) for m in messages or ()]


def test_the_higher_score_is_chosen_wherever_it_is_listed() -> None:
    example = FORMAT.read(REORDERED)
    assert example.kind == "preference"
    assert _texts(example.messages) == [("system", "Be kind.", "/systemInstruction"),
                                        ("user", "Greet me.", "/contents/0")]
    assert _texts(example.chosen) == [
        ("assistant", "Hello, nice to meet you!", "/completions/1/completion")]
    assert _texts(example.rejected) == [("assistant", "Go away.", "/completions/0/completion")]
    assert [part.pointer for turn in example.chosen or () for part in turn.content or ()] == [
        "/completions/1/completion/parts/0/text"]


def test_equal_scores_are_s004_and_read_in_the_listed_order() -> None:
    record = {**DOCS, "completions": [_scored(1, "A"), _scored(1, "B")]}
    report = ftdata.validate_records([DOCS, record])
    assert [(issue.code, issue.line, issue.message) for issue in report.issues] == [
        ("S004", 2, "both completions have score 1; one must be preferred (1), the other not "
                    "(0)")]
    example = FORMAT.read(record)
    assert [m.text for m in example.chosen or ()] == ["A"]
    assert [m.text for m in example.rejected or ()] == ["B"]


@pytest.mark.parametrize("record", [
    {"contents": "Hi", "completions": "x"},
    {"contents": [None, {"role": 3}], "completions": [None, {"score": "1", "completion": 2}]},
    {"contents": [], "completions": []},
    {"system_instruction": [], "completions": [{"score": 1}]},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


def test_identical_completions_are_c014() -> None:
    record = {**DOCS, "completions": [_scored(1, "Apple!"), _scored(0, "Apple!")]}
    report = ftdata.validate_records([DOCS, record])
    assert [(issue.code, issue.line, issue.pointer) for issue in report.issues] == [
        ("C014", 2, "/completions/1/completion")]


# -- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("record", VALID)
def test_preference_records_are_not_supervised_tuning_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)
    assert not get_format("vertex-gemini").matches(record)


def test_supervised_tuning_records_are_not_claimed() -> None:
    assert not FORMAT.matches({"contents": [_user("Hi"), _model("Hello")]})


def test_a_file_of_them_is_detected_and_the_vertex_target_accepts_it() -> None:
    detected = detect_format(VALID)
    assert detected.format is not None and detected.format.id == FORMAT.id
    assert get_target("vertex").accepts(FORMAT.id)
    report = ftdata.validate_records(VALID, target="vertex")
    assert [issue.code for issue in report.issues] == ["F007"]  # 100 examples recommended


def test_mixing_with_supervised_records_is_f008() -> None:
    report = ftdata.validate_records([*VALID, {"contents": [_user("Hi"), _model("Hello")]}])
    assert [(issue.code, issue.line, issue.pointer) for issue in report.issues] == [
        ("F008", None, None), ("S001", 4, "/completions")]


# -- writing ---------------------------------------------------------------------------------


def test_records_are_written_back_as_they_were() -> None:
    assert FORMAT.write is not None
    assert FORMAT.write(FORMAT.read(DOCS)) == DOCS
    assert FORMAT.write(FORMAT.read(MULTI_TURN)) == MULTI_TURN


def test_the_preferred_completion_and_the_docs_system_key_are_written_first() -> None:
    assert FORMAT.write is not None
    assert FORMAT.write(FORMAT.read(REORDERED)) == {
        "system_instruction": {"parts": [{"text": "Be kind."}]},
        "contents": [_user("Greet me.")],
        "completions": [_scored(1, "Hello, nice to meet you!"), _scored(0, "Go away.")]}


def _pair(**changes: Any) -> Example:
    fields: dict[str, Any] = {"kind": "preference",
                              "messages": [text_message("user", "Greet me.", "")],
                              "chosen": [text_message("assistant", "Hello!", "")],
                              "rejected": [text_message("assistant", "Go away.", "")]}
    return Example(**{**fields, **changes})


@pytest.mark.parametrize(("example", "reason"), [
    (_pair(messages=[text_message("user", "Hi", ""), text_message("assistant", "Yo", "")]),
     "vertex-gemini-preference prompts end with the user's turn, not with assistant"),
    (_pair(messages=[]), "empty prompt, which vertex-gemini-preference cannot hold"),
    (_pair(chosen=[text_message("assistant", "A", ""), text_message("assistant", "B", "")]),
     "vertex-gemini-preference completions are one model turn each"),
    (_pair(rejected=[]), "vertex-gemini-preference completions are one model turn each"),
    (_pair(chosen=[Message("assistant", None, tool_calls=[ToolCall("f", "{}")])]),
     "vertex-gemini-preference has no tool calls"),
    (_pair(messages=[Message("user", [Part("image", url="gs://b/cat.png")])]),
     "vertex-gemini-preference cannot carry image content"),
    (_pair(tools=[{"type": "function", "function": {"name": "f"}}]),
     "vertex-gemini-preference cannot declare tools"),
    (Example(kind="chat", messages=[text_message("user", "Hi", "")]),
     "vertex-gemini-preference has no place for a conversation"),
])
def test_unrepresentable_examples_name_the_reason(example: Example, reason: str) -> None:
    assert FORMAT.write is not None
    with pytest.raises(Unrepresentable) as raised:
        FORMAT.write(example)
    assert raised.value.reason == reason


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_round_trip_through_convert_and_validate(tmp_path: Path) -> None:
    clean = SAMPLES / "vertex-gemini-preference" / "clean.jsonl"
    as_openai = tmp_path / "openai.jsonl"
    back = tmp_path / "vertex.jsonl"
    first = convert(clean, as_openai, to="openai-preference")
    assert first["from"] == FORMAT.id and first["written"] == first["read"] == 10
    assert ftdata.validate(as_openai, target="openai").issues == []
    second = convert(as_openai, back, to=FORMAT.id)
    assert second["written"] == 10 and second["skipped"] == []
    # Read back, every record is the same example; written again, the same record.
    for original, written in zip(_lines(clean), _lines(back), strict=True):
        assert FORMAT.write is not None
        assert written == FORMAT.write(FORMAT.read(original))
    report = ftdata.validate(back, target="vertex")
    assert report.format == FORMAT.id and report.ok
    assert [issue.code for issue in report.issues] == ["F007"]
