from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats.vertex_gemini import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _user(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "parts": list(parts) or [{"text": "Hi"}]}


def _model(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "model", "parts": list(parts) or [{"text": "Hello!"}]}


PLAIN: dict[str, Any] = {"contents": [_user(), _model()]}
SYSTEM: dict[str, Any] = {
    "systemInstruction": {"role": "system", "parts": [{"text": "Be brief."}]},
    "contents": [_user(), _model()],
}
SNAKE_SYSTEM: dict[str, Any] = {"system_instruction": {"parts": [{"text": "Be brief."}]},
                                "contents": [_user(), _model()]}
DECLARATION = {"name": "get_weather", "description": "Weather in a city",
               "parameters": {"type": "OBJECT",
                              "properties": {"city": {"type": "STRING"}}}}
FUNCTIONS: dict[str, Any] = {
    "contents": [
        _user({"text": "Weather in Paris?"}),
        _model({"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}),
        _user({"functionResponse": {"name": "get_weather", "response": {"temperature": 21}}}),
        _model({"text": "It is 21 degrees."}),
    ],
    "tools": [{"functionDeclarations": [DECLARATION]}],
    "toolConfig": {"functionCallingConfig": {"mode": "AUTO",
                                             "allowedFunctionNames": ["get_weather"]}},
}
MEDIA: dict[str, Any] = {"contents": [
    _user({"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/cat.png"}},
          {"inlineData": {"mimeType": "audio/mp3", "data": "SUQz"}},
          {"fileData": {"mimeType": "video/mp4", "fileUri": "gs://bucket/cat.mp4"},
           "videoMetadata": {"startOffset": "1s", "endOffset": "5s"}},
          {"text": "What are these?"}),
    _model({"text": "Thinking about the cat.", "thought": True, "thoughtSignature": "c2ln"},
           {"text": "A cat."}),
]}
VALID = [PLAIN, SYSTEM, SNAKE_SYSTEM, FUNCTIONS, MEDIA]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"contents": [_user(), {"role": "assistant", "parts": [{"text": "Hello!"}]}]},
     [("C001", "/contents/1/role")]),
    ({"contents": [{"parts": [{"text": "Hi"}]}]}, [("S001", "/contents/0/role")]),
    ({"contents": []}, [("C015", "/contents")]),
    ({}, [("S001", "/contents")]),
    ({"contents": [_user(), {"role": "model", "parts": []}]}, [("C002", "/contents/1/parts")]),
    ({"contents": [_user(), {"role": "model", "content": "Hello!"}]},
     [("S001", "/contents/1/parts"), ("S002", "/contents/1/content")]),
    ({"contents": [_user(), _model({"text": "Hi", "functionCall": {"name": "f"}})]},
     [("S002", "/contents/1/parts/0/functionCall")]),
    ({"contents": [_user({"functionCall": {"name": "f", "args": {}}})]},
     [("S001", "/contents/0/parts/0/text"), ("S002", "/contents/0/parts/0/functionCall")]),
    ({"contents": [_user(), _model({"functionCall": {"name": "f", "args": '{"a": 1}'}})]},
     [("S003", "/contents/1/parts/0/functionCall/args")]),
    ({"contents": [_user({"fileData": {"mimeType": "image/png"}})]},
     [("S001", "/contents/0/parts/0/fileData/fileUri")]),
    ({"contents": [_user({"inline_data": {"mime_type": "image/png", "data": "AA=="}})]},
     [("S001", "/contents/0/parts/0/text"), ("S002", "/contents/0/parts/0/inline_data")]),
    ({"contents": [_user({"text": 42})]}, [("S003", "/contents/0/parts/0/text")]),
    ({**PLAIN, "systemInstruction": {"role": "system"}}, [("S001", "/systemInstruction/parts")]),
    ({**PLAIN, "systemInstruction": "Be brief."}, [("S003", "/systemInstruction")]),
    ({**PLAIN, "generationConfig": {"temperature": 0}}, [("S002", "/generationConfig")]),
    ({**PLAIN, "tools": [{"function_declarations": [DECLARATION]}]},
     [("S001", "/tools/0/functionDeclarations"), ("S002", "/tools/0/function_declarations")]),
    ({**PLAIN, "toolConfig": {"functionCallingConfig": {"mode": "auto"}}},
     [("S004", "/toolConfig/functionCallingConfig/mode")]),
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


def test_system_instruction_and_model_role_are_read() -> None:
    example = FORMAT.read(SYSTEM)
    assert example.kind == "chat"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("system", "Be brief.", "/systemInstruction"), ("user", "Hi", "/contents/0"),
        ("assistant", "Hello!", "/contents/1")]
    assert [part.pointer for m in example.messages for part in m.content or ()] == [
        "/systemInstruction/parts/0/text", "/contents/0/parts/0/text",
        "/contents/1/parts/0/text"]


def test_snake_case_system_instruction_is_read() -> None:
    (system, *_) = FORMAT.read(SNAKE_SYSTEM).messages
    assert (system.role, system.text, system.pointer) == (
        "system", "Be brief.", "/system_instruction")


def test_function_calls_and_responses_become_tool_calls_and_tool_messages() -> None:
    example = FORMAT.read(FUNCTIONS)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("user", "/contents/0"), ("assistant", "/contents/1"),
        ("tool", "/contents/2/parts/0/functionResponse"),
        ("assistant", "/contents/3")]
    caller, result = example.messages[1], example.messages[2]
    assert caller.content is None
    (call,) = caller.tool_calls
    assert (call.name, call.arguments, call.pointer, call.arguments_pointer) == (
        "get_weather", {"city": "Paris"}, "/contents/1/parts/0",
        "/contents/1/parts/0/functionCall/args")
    assert (result.name, json.loads(result.text)) == ("get_weather", {"temperature": 21})
    assert result.content is not None
    assert result.content[0].pointer == "/contents/2/parts/0/functionResponse/response"
    assert example.tools == [{"type": "function", "function": DECLARATION}]


def test_call_without_args_has_empty_arguments() -> None:
    record = {"contents": [_user(), _model({"functionCall": {"name": "now", "id": "c1"}})]}
    (call,) = FORMAT.read(record).messages[1].tool_calls
    assert (call.arguments, call.id, call.arguments_pointer) == (
        {}, "c1", "/contents/1/parts/0/functionCall")


def test_mixed_user_turn_answers_calls_before_asking() -> None:
    record = {"contents": [
        _user(), _model({"functionCall": {"name": "f", "args": {}}}),
        _user({"functionResponse": {"name": "f", "response": {}}}, {"text": "And now?"}),
    ]}
    assert [(m.role, m.pointer) for m in FORMAT.read(record).messages] == [
        ("user", "/contents/0"), ("assistant", "/contents/1"),
        ("tool", "/contents/2/parts/0/functionResponse"),
        ("user", "/contents/2")]


def test_media_parts_and_thoughts() -> None:
    user, model = FORMAT.read(MEDIA).messages
    assert user.content is not None and model.content is not None
    assert [(p.type, p.url, p.pointer) for p in user.content] == [
        ("image", "gs://bucket/cat.png", "/contents/0/parts/0/fileData"),
        ("audio", "data:audio/mp3;base64,SUQz", "/contents/0/parts/1/inlineData"),
        ("video", "gs://bucket/cat.mp4", "/contents/0/parts/2/fileData"),
        ("text", None, "/contents/0/parts/3/text")]
    assert (model.text, [p.pointer for p in model.content]) == (
        "A cat.", ["/contents/1/parts/1/text"])


def test_unknown_role_is_kept_for_c001() -> None:
    record = {"contents": [{"role": "function", "parts": [{"text": "x"}]}]}
    assert [m.role for m in FORMAT.read(record).messages] == ["function"]


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


DEEP = _deep(100_000)


@pytest.mark.parametrize("record", [
    {"contents": "Hi"},
    {"contents": [None, 1, {"role": 3, "parts": "x"}, {"parts": [None, {"text": 1}, {}]}]},
    {"contents": [{"role": "model", "parts": [{"functionCall": "f"}, {"functionCall": {}},
                                                {"inlineData": {"data": 1}}]}]},
    {"contents": [{"role": "user", "parts": [{"functionResponse": {"response": DEEP}}]}]},
    {"systemInstruction": {"parts": [{"text": None}, "x"]},
     "tools": [1, {"a": 1}, {"functionDeclarations": 2}]},
    {"system_instruction": [], "tools": "x"},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


@pytest.mark.parametrize("record", VALID)
def test_matches_its_own_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)



def test_corpus_records_are_matched_and_read() -> None:
    path = CORPUS / "gemini_vertex__gcp_glucose_examples.jsonl"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the corpus")
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert _verdicts(record) == []
        example = FORMAT.read(record)
        assert [m.role for m in example.messages] == ["system", "user", "assistant"]
