from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.formats import get_format
from ftdata.formats.llamafactory_v1_preference import FORMAT
from ftdata.shapes import check_shape


def _turn(role: str, text: str, weight: float) -> dict[str, Any]:
    return {"role": role, "content": [{"type": "text", "value": text}], "loss_weight": weight}


PROMPT = [_turn("system", "You are an AI assistant.", 0.0),
          _turn("user", "Translate to English: Bună ziua.", 0.0)]
# The shape of LLaMA-Factory's data/v1_dpo_demo.jsonl.
VALID: dict[str, Any] = {
    "chosen_messages": [*PROMPT, _turn("assistant", "Good afternoon.", 1.0)],
    "rejected_messages": [*PROMPT, _turn("assistant", "Good night.", 1.0)],
}
WITH_TOOLS: dict[str, Any] = {
    "chosen_messages": [_turn("user", "Weather in Paris?", 0.0), {
        "role": "assistant", "loss_weight": 1.0, "content": [
            {"type": "tool_call",
             "value": '{"name": "get_weather", "arguments": {"city": "Paris"}}'}]}],
    "rejected_messages": [_turn("user", "Weather in Paris?", 0.0),
                          _turn("assistant", "I cannot know.", 1.0)],
    "tools": '[{"type": "function", "function": {"name": "get_weather"}}]',
}
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"chosen_messages": VALID["chosen_messages"]}, "S001", "/rejected_messages"),
    ({**VALID, "rejected_messages": []}, "C015", "/rejected_messages"),
    ({**VALID, "chosen": "x"}, "S002", "/chosen"),
    ({**VALID, "rejected_messages": [{"role": "assistant", "content": "Hi"}]}, "S003",
     "/rejected_messages/0/content"),
    ({**VALID, "chosen_messages": [_turn("bot", "Hi", 1.0)]}, "C001",
     "/chosen_messages/0/role"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", [VALID, WITH_TOOLS])
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []
    report = ftdata.validate_records([record], format=FORMAT.id, target="llamafactory",
                                     tokens=False)
    assert [issue.code for issue in report.issues] == []


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_the_shared_turns_are_the_prompt() -> None:
    example = FORMAT.read(VALID)
    assert example.kind == "preference"
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("system", "/chosen_messages/0"), ("user", "/chosen_messages/1")]
    assert [(m.text, m.pointer) for m in example.chosen or ()] == [
        ("Good afternoon.", "/chosen_messages/2")]
    assert [(m.text, m.pointer) for m in example.rejected or ()] == [
        ("Good night.", "/rejected_messages/2")]


def test_identical_answers_are_c014() -> None:
    record = {**VALID, "rejected_messages": VALID["chosen_messages"]}
    report = ftdata.validate_records([record], format=FORMAT.id, tokens=False)
    assert [(issue.code, issue.pointer) for issue in report.issues] == [
        ("C014", "/rejected_messages")]


def test_round_trip_repeats_the_prompt_on_both_sides() -> None:
    assert FORMAT.write is not None
    for record in (VALID, WITH_TOOLS):
        assert FORMAT.write(FORMAT.read(record)) == record


def test_matches_its_records_only() -> None:
    assert FORMAT.matches(VALID)
    assert FORMAT.matches({"chosen_messages": []})
    assert not FORMAT.matches({"chosen": [], "rejected": []})
    assert not get_format("trl-preference").matches(VALID)


@pytest.mark.parametrize("record", [{}, {"chosen_messages": "x", "rejected_messages": None},
                                    {"chosen_messages": [None], "rejected_messages": [1]}])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    assert FORMAT.read(record).kind == "preference"


def test_converts_from_and_to_trl_preference(tmp_path: Path) -> None:
    source = tmp_path / "dpo.jsonl"
    source.write_text(json.dumps(VALID) + "\n", "utf-8")
    trl = tmp_path / "trl.jsonl"
    assert ftdata.convert(source, trl, to="trl-preference")["written"] == 1
    assert json.loads(trl.read_text("utf-8"))["chosen"] == [
        {"role": "assistant", "content": "Good afternoon."}]
    back = tmp_path / "back.jsonl"
    assert ftdata.convert(trl, back, to=FORMAT.id)["written"] == 1
    assert json.loads(back.read_text("utf-8")) == VALID
