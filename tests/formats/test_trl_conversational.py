from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.trl_conversational import FORMAT
from ftdata.shapes import check_shape

VALIDATOR = Draft202012Validator(FORMAT.json_schema())

VALID: dict[str, Any] = {
    "prompt": [{"role": "system", "content": "Be brief."},
               {"role": "user", "content": "What color is the sky?"}],
    "completion": [{"role": "assistant", "content": "It is blue."}],
}
TOOLS = [{"type": "function", "function": {"name": "get_weather",
                                           "parameters": {"type": "object"}}}]
WITH_TOOLS: dict[str, Any] = {
    "prompt": [{"role": "user", "content": "Weather in Paris?"}],
    "completion": [
        {"role": "assistant", "tool_calls": [
            {"type": "function", "function": {"name": "get_weather",
                                              "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "name": "get_weather", "content": "22"},
        {"role": "assistant", "content": "22 degrees."},
    ],
    "tools": TOOLS,
}
WITH_IMAGES: dict[str, Any] = {
    "images": ["https://example.com/sky.png", "https://example.com/sea.png"],
    "prompt": [{"role": "user", "content": [
        {"type": "image"}, {"type": "image"}, {"type": "text", "text": "Which is bluer?"}]}],
    "completion": [{"role": "assistant", "content": [{"type": "text", "text": "The sea."}]}],
}

def _user(content: Any = "Hi") -> dict[str, Any]:
    return {"role": "user", "content": content}


def _assistant(content: Any = "Hello", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content, **extra}


DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": [_user()]}, "S001", "/completion"),
    ({"completion": [_assistant()]}, "S001", "/prompt"),
    ({**VALID, "messages": []}, "S002", "/messages"),
    ({"prompt": [_user()], "completion": [_assistant(weight=1)]}, "S002",
     "/completion/0/weight"),
    ({"prompt": "Hi", "completion": [_assistant()]}, "S003", "/prompt"),
    ({"prompt": [_user()], "completion": "Hello"}, "S003", "/completion"),
    ({**VALID, "images": "https://example.com/a.png"}, "S003", "/images"),
    ({**VALID, "images": [{"url": "https://example.com/a.png"}]}, "S003", "/images/0"),
    ({"prompt": [_user([{"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}])],
      "completion": [_assistant()]}, "S004", "/prompt/0/content/0/type"),
    ({"prompt": [_user([{"type": "image", "url": "https://e.com/a.png"}])],
      "completion": [_assistant()]}, "S002", "/prompt/0/content/0/url"),
    ({"prompt": [_user()], "completion": [{"role": "assistant"}]}, "S001",
     "/completion/0/content"),
    ({"prompt": [_user()], "completion": []}, "C015", "/completion"),
    ({"prompt": [], "completion": [_assistant()]}, "C015", "/prompt"),
    ({"prompt": [_user()], "completion": [{"role": "model", "content": "Hello"}]}, "C001",
     "/completion/0/role"),
    ({"prompt": [_user()], "completion": [{"role": "function", "name": "f", "content": "1"}]},
     "C001", "/completion/0/role"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", [VALID, WITH_TOOLS, WITH_IMAGES])
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


def test_valid_record_reads_prompt_then_completion() -> None:
    example = FORMAT.read(VALID)
    assert example.kind == "chat"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("system", "Be brief.", "/prompt/0"),
        ("user", "What color is the sky?", "/prompt/1"),
        ("assistant", "It is blue.", "/completion/0"),
    ]
    last = example.messages[-1]
    assert last.content is not None
    assert [part.pointer for part in last.content] == ["/completion/0/content"]
    assert FORMAT.conversational


def test_tool_calls_and_results_are_read() -> None:
    example = FORMAT.read(WITH_TOOLS)
    assert [m.role for m in example.messages] == ["user", "assistant", "tool", "assistant"]
    (call,) = example.messages[1].tool_calls
    assert (call.name, call.arguments, call.id) == ("get_weather", {"city": "Paris"}, None)
    assert call.pointer == "/completion/0/tool_calls/0"
    assert call.arguments_pointer == "/completion/0/tool_calls/0/function/arguments"
    assert example.messages[2].name == "get_weather"
    assert example.tools == TOOLS


def test_image_placeholders_take_the_images_in_order() -> None:
    example = FORMAT.read(WITH_IMAGES)
    user = example.messages[0]
    assert user.content is not None
    assert [(p.type, p.url, p.pointer) for p in user.content] == [
        ("image", "https://example.com/sky.png", "/images/0"),
        ("image", "https://example.com/sea.png", "/images/1"),
        ("text", None, "/prompt/0/content/2"),
    ]
    assert user.text == "Which is bluer?"


def test_images_without_placeholders_open_the_first_user_message() -> None:
    record = {"images": ["https://example.com/sky.png"],
              "prompt": [{"role": "system", "content": "Be brief."}, _user("What is this?")],
              "completion": [_assistant("The sky.")]}
    assert _verdicts(record) == []
    user = FORMAT.read(record).messages[1]
    assert user.content is not None
    assert [(p.type, p.url, p.pointer) for p in user.content] == [
        ("image", "https://example.com/sky.png", "/images/0"),
        ("text", None, "/prompt/1/content"),
    ]


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_unknown_roles_are_kept_for_c001() -> None:
    example = FORMAT.read({"prompt": [_user()], "completion": [{"role": "model",
                                                                "content": "Hello"}]})
    assert [m.role for m in example.messages] == ["user", "model"]


@pytest.mark.parametrize("record", [
    {}, {"prompt": None, "completion": 3},
    {"prompt": [None, 1, {"role": 5, "content": [None, {"type": "image"}]}],
     "completion": {"role": "assistant"}, "images": [None, 3], "tools": "x"},
    {"prompt": [{"content": [{"type": "image"}]}], "completion": [], "images": "a.png"},
    {"prompt": [_user()], "completion": [_assistant()], "images": [1, 2]},
])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    _verdicts(record)
    assert FORMAT.read(record).kind == "chat"


def test_matches_its_records_even_when_invalid() -> None:
    for record in (VALID, WITH_TOOLS, WITH_IMAGES):
        assert FORMAT.matches(record)
    assert FORMAT.matches({"prompt": "Hi", "completion": [_assistant()]})
    assert FORMAT.matches({"prompt": [], "completion": None})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in [VALID, WITH_TOOLS, WITH_IMAGES]:
        assert not get_format(other).matches(record)


def test_tools_as_a_json_string_and_schema_keys_beyond_openai() -> None:
    # transformers' get_json_schema adds "return"; datasets before 4.7 stored a JSON string.
    schema = {"type": "function", "function": {
        "name": "get_weather", "parameters": {"type": "object"}, "return": {"type": "string"}}}
    for tools in ([schema], json.dumps([schema])):
        record = {**WITH_TOOLS, "tools": tools}
        assert check_shape(FORMAT.shape, record) == []
        assert FORMAT.read(record).tools == [schema]
