from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.openai_preference import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

TOOLS = [{"type": "function", "function": {"name": "get_weather",
                                           "parameters": {"type": "object"}}}]
VALID: dict[str, Any] = {
    "input": {"messages": [{"role": "system", "content": "Be brief."},
                           {"role": "user", "content": "How cold is Paris today?"}],
              "tools": TOOLS, "parallel_tool_calls": True},
    "preferred_output": [{"role": "assistant", "content": "About 4 degrees."}],
    "non_preferred_output": [{"role": "assistant", "content": "Cold."}],
}

def _copy(record: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(record))
    return copy


def _with(record: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copy = _copy(record)
    target: Any = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _without(record: dict[str, Any], *path: str | int) -> dict[str, Any]:
    copy = _copy(record)
    target: Any = copy
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return copy


DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    (_without(VALID, "non_preferred_output"), "S001", "/non_preferred_output"),
    (_without(VALID, "input", "messages"), "S001", "/input/messages"),
    (_with(VALID, ("messages",), []), "S002", "/messages"),
    (_with(VALID, ("input", "functions"), []), "S002", "/input/functions"),
    (_with(VALID, ("input",), "How cold is Paris?"), "S003", "/input"),
    (_with(VALID, ("preferred_output",), {"role": "assistant", "content": "x"}), "S003",
     "/preferred_output"),
    (_with(VALID, ("input", "parallel_tool_calls"), "yes"), "S003",
     "/input/parallel_tool_calls"),
    (_with(VALID, ("preferred_output",), []), "C015", "/preferred_output"),
    (_with(VALID, ("input", "messages"), []), "C015", "/input/messages"),
    (_with(VALID, ("non_preferred_output", 0, "role"), "user"), "C001",
     "/non_preferred_output/0/role"),
    (_with(VALID, ("input", "messages", 1, "role"), "human"), "C001",
     "/input/messages/1/role"),
    (_with(VALID, ("preferred_output", 0, "weight"), 0.5), "C007",
     "/preferred_output/0/weight"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


def test_valid_record_has_no_findings() -> None:
    assert _verdicts(VALID) == []


def test_valid_record_reads_into_a_preference_example() -> None:
    example = FORMAT.read(VALID)
    assert example.kind == "preference"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("system", "Be brief.", "/input/messages/0"),
        ("user", "How cold is Paris today?", "/input/messages/1"),
    ]
    assert example.messages[1].content is not None
    assert example.messages[1].content[0].pointer == "/input/messages/1/content"
    assert example.chosen is not None and example.rejected is not None
    assert [(m.role, m.text, m.pointer) for m in example.chosen] == [
        ("assistant", "About 4 degrees.", "/preferred_output/0")]
    assert [(m.role, m.text, m.pointer) for m in example.rejected] == [
        ("assistant", "Cold.", "/non_preferred_output/0")]
    assert example.tools == TOOLS


def test_tool_calls_in_outputs_are_read() -> None:
    call = {"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    record = _with(VALID, ("preferred_output",), [{"role": "assistant", "tool_calls": [call]}])
    assert _verdicts(record) == []
    example = FORMAT.read(record)
    assert example.chosen is not None
    (tool_call,) = example.chosen[0].tool_calls
    assert tool_call.name == "get_weather"
    assert tool_call.pointer == "/preferred_output/0/tool_calls/0"
    assert tool_call.arguments_pointer == "/preferred_output/0/tool_calls/0/function/arguments"


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


@pytest.mark.parametrize("record", [
    {}, {"input": None}, {"input": {"messages": "hi"}, "preferred_output": [1, "x", None]},
    {"input": {"messages": [None, {"role": 3, "content": {"a": 1}}]},
     "preferred_output": {"role": "assistant"}, "non_preferred_output": 7},
])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    _verdicts(record)
    example = FORMAT.read(record)
    assert example.kind == "preference"


def test_matches_its_records_even_when_invalid() -> None:
    assert FORMAT.matches(VALID)
    assert FORMAT.matches({"input": {"messages": []}})
    assert FORMAT.matches({"preferred_output": []})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in [VALID]:
        assert not get_format(other).matches(record)



def test_corpus_file_is_matched_read_and_valid() -> None:
    path = CORPUS / "openai_dpo__together_rewardbench2_val.jsonl"
    if not path.is_file():
        pytest.skip("corpus file not present")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        example = FORMAT.read(record)
        assert example.chosen and example.rejected
        assert _verdicts(record) == []
