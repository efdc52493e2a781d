from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.formats.sharegpt import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

TOOLS = json.dumps([{"name": "get_weather", "description": "Weather in a city",
                     "parameters": {"type": "object",
                                    "properties": {"city": {"type": "string"}}}}])
CALL = json.dumps({"name": "get_weather", "arguments": {"city": "Paris"}})

PLAIN: dict[str, Any] = {"conversations": [{"from": "human", "value": "Hi"},
                                           {"from": "gpt", "value": "Hello!"}]}
TOOL_USE: dict[str, Any] = {
    "conversations": [
        {"from": "human", "value": "Weather in Paris?"},
        {"from": "function_call", "value": CALL},
        {"from": "observation", "value": '{"temperature": 21}'},
        {"from": "gpt", "value": "It is 21 degrees."},
    ],
    "system": "You are a weather bot.",
    "tools": TOOLS,
}
SYSTEM_TURN: dict[str, Any] = {"conversations": [{"from": "system", "value": "Be brief."},
                                                 *PLAIN["conversations"]]}
PREFERENCE: dict[str, Any] = {"conversations": [{"from": "human", "value": "Hi"}],
                              "chosen": {"from": "gpt", "value": "Hello!"},
                              "rejected": {"from": "gpt", "value": "Go away."}}
KTO: dict[str, Any] = {**PLAIN, "kto_tag": False}
MULTIMODAL: dict[str, Any] = {"conversations": [{"from": "human", "value": "<image>Who?"},
                                                {"from": "gpt", "value": "A cat."}],
                              "images": ["data/cat.jpg"], "videos": [], "audios": []}
ROLE_CONTENT: dict[str, Any] = {
    "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "<image>Weather here?"},
                 {"role": "function", "content": CALL},
                 {"role": "observation", "content": '{"temperature": 21}'},
                 {"role": "assistant", "content": "It is 21 degrees."}],
    "images": ["data/paris.jpg"],
}
EMPTY_TOOLS: dict[str, Any] = {**PLAIN, "tools": "", "id": "QWJhYvA_0"}
VALID = [PLAIN, TOOL_USE, SYSTEM_TURN, PREFERENCE, KTO, MULTIMODAL, ROLE_CONTENT, EMPTY_TOOLS]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"conversations": [{"from": "user", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
     [("C001", "/conversations/0/from")]),
    ({"conversations": [{"from": "human"}, {"from": "gpt", "value": "Hello"}]},
     [("S001", "/conversations/0/value")]),
    ({"conversations": [{"value": "Hi"}]}, [("S001", "/conversations/0/from")]),
    ({"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": None}]},
     [("S003", "/conversations/1/value")]),
    ({"conversations": [{"from": "human", "value": "Hi", "weight": 1}]},
     [("S002", "/conversations/0/weight")]),
    ({"conversations": []}, [("C015", "/conversations")]),
    ({}, [("S001", "/conversations")]),
    ({**PLAIN, "tools": json.loads(TOOLS)}, [("S003", "/tools")]),
    ({**PLAIN, "system": ["Be brief."]}, [("S003", "/system")]),
    ({**PLAIN, "instruction": "Greet."}, [("S002", "/instruction")]),
    ({**PLAIN, "kto_tag": "true"}, [("S003", "/kto_tag")]),
    ({**MULTIMODAL, "images": [{"path": "data/cat.jpg"}]}, [("S003", "/images/0")]),
    ({"conversations": PREFERENCE["conversations"], "chosen": PREFERENCE["chosen"]},
     [("S001", "/rejected")]),
    ({**PREFERENCE, "chosen": {"from": "human", "value": "Hello!"}},
     [("C001", "/chosen/from")]),
    ({**PREFERENCE, "kto_tag": True}, [("S002", "/kto_tag")]),
    ({**ROLE_CONTENT, "messages": [{"role": "model", "content": "Hi"}]},
     [("C001", "/messages/0/role")]),
    ({**ROLE_CONTENT, "messages": [{"role": "user", "content": [{"type": "text"}]}]},
     [("S003", "/messages/0/content")]),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


def _turns(messages: list[Any]) -> list[tuple[str, str, str]]:
    return [(m.role, m.text, m.pointer) for m in messages]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "expected"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any],
                                           expected: list[tuple[str, str]]) -> None:
    assert _verdicts(record) == expected


def test_plain_record_reads_human_and_gpt_turns() -> None:
    example = FORMAT.read(PLAIN)
    assert example.kind == "chat"
    assert _turns(example.messages) == [("user", "Hi", "/conversations/0"),
                                        ("assistant", "Hello!", "/conversations/1")]
    assert [part.pointer for m in example.messages for part in m.content or ()] == [
        "/conversations/0/value", "/conversations/1/value"]
    assert example.tools is None


def test_tool_use_record_reads_calls_results_and_tools() -> None:
    example = FORMAT.read(TOOL_USE)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("system", "/system"), ("user", "/conversations/0"), ("assistant", "/conversations/1"),
        ("tool", "/conversations/2"), ("assistant", "/conversations/3")]
    system, _, call_turn, result, _ = example.messages
    assert system.content is not None and system.content[0].pointer == "/system"
    assert call_turn.content is None
    (call,) = call_turn.tool_calls
    assert (call.name, call.arguments, call.pointer, call.arguments_pointer) == (
        "get_weather", {"city": "Paris"}, "/conversations/1", "/conversations/1/value")
    assert result.text == '{"temperature": 21}'
    assert example.tools == [{"type": "function", "function": json.loads(TOOLS)[0]}]


def test_system_turn_inside_conversations_stays_a_system_message() -> None:
    assert [m.role for m in FORMAT.read(SYSTEM_TURN).messages] == ["system", "user", "assistant"]


def test_function_call_that_is_not_json_is_kept_for_c009() -> None:
    record = {"conversations": [{"from": "human", "value": "Weather?"},
                                {"from": "function_call", "value": "get_weather(Paris)"}]}
    (call,) = FORMAT.read(record).messages[1].tool_calls
    assert (call.name, call.arguments, call.arguments_pointer) == (
        "", "get_weather(Paris)", "/conversations/1/value")
    report = ftdata.validate_records([record], format="sharegpt", ignore=["F007"])
    assert ("C009", "/conversations/1/value") in [(i.code, i.pointer) for i in report.issues]


def test_function_call_list_is_parallel_calls() -> None:
    value = json.dumps([{"name": "a", "arguments": {}}, {"name": "b", "arguments": "{}"}])
    record = {"conversations": [{"from": "human", "value": "Go"},
                                {"from": "function_call", "value": value}]}
    calls = FORMAT.read(record).messages[1].tool_calls
    assert [(c.name, c.arguments) for c in calls] == [("a", {}), ("b", "{}")]


@pytest.mark.parametrize(("tools", "expected"), [
    ("", None),
    ("[]", []),
    ("not json", None),
    ('{"name": "f"}', [{"type": "function", "function": {"name": "f"}}]),
    ('[{"type": "function", "function": {"name": "f"}}]',
     [{"type": "function", "function": {"name": "f"}}]),
])
def test_tools_string_is_decoded(tools: str, expected: list[dict[str, Any]] | None) -> None:
    assert FORMAT.read({**PLAIN, "tools": tools}).tools == expected


def test_preference_record_reads_prompt_and_both_answers() -> None:
    example = FORMAT.read(PREFERENCE)
    assert example.kind == "preference"
    assert _turns(example.messages) == [("user", "Hi", "/conversations/0")]
    assert example.chosen is not None and example.rejected is not None
    assert _turns(example.chosen) == [("assistant", "Hello!", "/chosen")]
    assert _turns(example.rejected) == [("assistant", "Go away.", "/rejected")]
    assert example.chosen[0].content is not None
    assert example.chosen[0].content[0].pointer == "/chosen/value"


def test_kto_tag_is_the_label() -> None:
    example = FORMAT.read(KTO)
    assert (example.kind, example.label) == ("chat", False)


def test_media_lists_go_to_metadata() -> None:
    example = FORMAT.read(MULTIMODAL)
    assert example.metadata == {"images": ["data/cat.jpg"], "videos": [], "audios": []}


def test_role_content_variant_maps_llamafactory_roles() -> None:
    example = FORMAT.read(ROLE_CONTENT)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("system", "/messages/0"), ("user", "/messages/1"), ("assistant", "/messages/2"),
        ("tool", "/messages/3"), ("assistant", "/messages/4")]
    (call,) = example.messages[2].tool_calls
    assert (call.name, call.arguments_pointer) == ("get_weather", "/messages/2/content")
    assert example.messages[1].content is not None
    assert example.messages[1].content[0].pointer == "/messages/1/content"
    assert example.metadata == {"images": ["data/paris.jpg"]}


def test_unknown_from_is_kept_for_c001() -> None:
    record = {"conversations": [{"from": "bot", "value": "Hi"}]}
    assert [m.role for m in FORMAT.read(record).messages] == ["bot"]


def test_image_placeholders_are_counted_against_images() -> None:
    record = {**MULTIMODAL, "images": ["a.jpg", "b.jpg"]}
    report = ftdata.validate_records([record], format="sharegpt", ignore=["F007"])
    assert [(i.code, i.pointer) for i in report.issues] == [("C016", "/images")]


@pytest.mark.parametrize("record", [
    {"conversations": "Hi"},
    {"conversations": [1, None, [], {"from": 3, "value": {}}]},
    {"conversations": [{"from": "function_call", "value": "[1, 2]"},
                       {"from": "function_call", "value": "[]"},
                       {"from": "function_call", "value": "[" * 100_000},
                       {"from": "function_call"}]},
    {"messages": None, "images": "x"},
    {"messages": [{"role": "function", "content": 5}], "videos": [1]},
    {"conversations": [], "chosen": "Hello", "rejected": [1], "tools": 7, "kto_tag": "x"},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


@pytest.mark.parametrize("record", VALID)
def test_matches_its_own_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)



def _load(name: str) -> list[Any]:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    data = json.loads(path.read_text("utf-8"))
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("name", [
    "sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json",
    "sharegpt_dpo__llamafactory_dpo_en_demo.json",
    "sharegpt__axolotl_missingturns.json",
    "messages_images__llamafactory_mllm_demo.json",
])
def test_corpus_records_are_matched_and_read(name: str) -> None:
    records = _load(name)
    assert records
    for record in records:
        assert FORMAT.matches(record)
        FORMAT.read(record)
        assert _verdicts(record) == []


def test_corpus_glaive_calls_are_declared_tools() -> None:
    for record in _load("sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json"):
        example = FORMAT.read(record)
        declared = {tool["function"]["name"] for tool in example.tools or ()}
        calls = [call for m in example.messages for call in m.tool_calls]
        assert all(call.name in declared and isinstance(call.arguments, dict) for call in calls)


def test_corpus_dpo_records_are_preference_pairs() -> None:
    for record in _load("sharegpt_dpo__llamafactory_dpo_en_demo.json"):
        example = FORMAT.read(record)
        assert example.kind == "preference"
        assert example.messages[-1].role == "user"
        assert example.chosen is not None and [m.role for m in example.chosen] == ["assistant"]
