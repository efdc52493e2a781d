from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.bedrock_conversation import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks) or [{"text": "Hi"}]}


def _assistant(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks) or [{"text": "Hello!"}]}


def _image(fmt: str = "png", uri: str = "s3://bucket/cat.png") -> dict[str, Any]:
    return {"image": {"format": fmt, "source": {"s3Location": {"uri": uri}}}}


TEXT: dict[str, Any] = {
    "schemaVersion": "bedrock-conversation-2024",
    "system": [{"text": "You are a digital assistant."}],
    "messages": [_user(), _assistant()],
}
NO_VERSION: dict[str, Any] = {"system": TEXT["system"], "messages": TEXT["messages"]}
NO_SYSTEM: dict[str, Any] = {"schemaVersion": "any string", "messages": TEXT["messages"]}
IMAGES: dict[str, Any] = {
    "schemaVersion": "bedrock-conversation-2024",
    "messages": [
        _user({"text": "What is this?"}, _image(),
              {"image": {"format": "jpeg", "source": {"s3Location": {
                  "uri": "s3://bucket/dog.jpg", "bucketOwner": "123456789012"}}}}),
        _assistant({"text": "A cat and a dog."}),
    ],
}
VIDEO: dict[str, Any] = {"messages": [
    _user({"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://b/v.mp4"}}}},
          {"text": "Describe the video."}),
    _assistant(),
]}
TOOL_SPEC: dict[str, Any] = {
    "name": "get_weather", "description": "Weather in a city",
    "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
TOOLS: dict[str, Any] = {
    "schemaVersion": "bedrock-conversation-2024",
    "toolConfig": {"tools": [{"toolSpec": TOOL_SPEC}]},
    "messages": [
        _user({"text": "Weather in Paris?"}),
        _assistant({"reasoningContent": {"reasoningText": {"text": "Use the tool."}}},
                   {"toolUse": {"toolUseId": "t1", "name": "get_weather",
                                "input": {"city": "Paris"}}}),
        _user({"toolResult": {"toolUseId": "t1", "status": "success",
                              "content": [{"json": {"temperature": 21}}, {"text": "sunny"}]}}),
        _assistant({"text": "It is 21 degrees and sunny."}),
    ],
}
DOCUMENT: dict[str, Any] = {"messages": [
    _user({"document": {"format": "pdf", "name": "report",
                        "source": {"s3Location": {"uri": "s3://b/report.pdf"}}}},
          {"text": "Summarise."}),
    _assistant(),
]}
VALID = [TEXT, NO_VERSION, NO_SYSTEM, IMAGES, VIDEO, TOOLS, DOCUMENT]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({**TEXT, "messages": [{"role": "system", "content": [{"text": "Be brief."}]}]},
     [("C001", "/messages/0/role")]),
    ({**TEXT, "messages": []}, [("C015", "/messages")]),
    ({"schemaVersion": "bedrock-conversation-2024"}, [("S001", "/messages")]),
    ({**TEXT, "schemaVersion": 2024}, [("S003", "/schemaVersion")]),
    ({**TEXT, "system": "You are a digital assistant."}, [("S003", "/system")]),
    ({**TEXT, "system": [{"text": "A"}, {"content": "B"}]},
     [("S001", "/system/1/text"), ("S002", "/system/1/content")]),
    ({**TEXT, "messages": [{"role": "user", "content": "Hi"}]}, [("S003", "/messages/0/content")]),
    ({**TEXT, "messages": [{"role": "user"}]}, [("S001", "/messages/0/content")]),
    ({**TEXT, "messages": [_user({"type": "text", "text": "Hi"})]},
     [("S002", "/messages/0/content/0/type")]),
    ({**TEXT, "messages": [_user({"text": "Hi", **_image()})]},
     [("S002", "/messages/0/content/0/image")]),
    ({**TEXT, "messages": [_user(), _assistant(_image())]},
     [("S001", "/messages/1/content/0/text"), ("S002", "/messages/1/content/0/image")]),
    ({**TEXT, "messages": [_user(_image("bmp"))]},
     [("S004", "/messages/0/content/0/image/format")]),
    ({**TEXT, "messages": [_user(_image("PNG"))]},
     [("S004", "/messages/0/content/0/image/format")]),
    ({**TEXT, "messages": [_user({"image": {"format": "png", "source": {"s3Location": {}}}})]},
     [("S001", "/messages/0/content/0/image/source/s3Location/uri")]),
    ({**TEXT, "messages": [_user({"image": {"format": "png", "source": {"bytes": "AA=="}}})]},
     [("S001", "/messages/0/content/0/image/source/s3Location"),
      ("S002", "/messages/0/content/0/image/source/bytes")]),
    ({**TEXT, "messages": [_user(), _assistant({"toolUse": {
        "toolUseId": "t1", "name": "f", "input": '{"a": 1}'}})]},
     [("S003", "/messages/1/content/0/toolUse/input")]),
    ({**TEXT, "messages": [_user({"toolResult": {"toolUseId": "t1", "content": [{"text": "x"}],
                                                 "status": "failed"}})]},
     [("S004", "/messages/0/content/0/toolResult/status")]),
    ({**TEXT, "messages": [_user({"toolResult": {"toolUseId": "t1", "content": []}})]},
     [("S004", "/messages/0/content/0/toolResult/content")]),
    ({**TEXT, "messages": [_user({"toolResult": {"toolUseId": "t1", "content": [{"json": 1}]}})]},
     [("S003", "/messages/0/content/0/toolResult/content/0/json")]),
    ({**TEXT, "toolConfig": {"tools": []}}, [("S004", "/toolConfig/tools")]),
    ({**TEXT, "toolConfig": {"tools": [{"toolSpec": {"name": "f"}}]}},
     [("S001", "/toolConfig/tools/0/toolSpec/description"),
      ("S001", "/toolConfig/tools/0/toolSpec/inputSchema")]),
    ({**TEXT, "inferenceConfig": {"maxTokens": 10}}, [("S002", "/inferenceConfig")]),
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


def test_text_record_reads_system_blocks_and_turns() -> None:
    example = FORMAT.read(TEXT)
    assert example.kind == "chat"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("system", "You are a digital assistant.", "/system/0"),
        ("user", "Hi", "/messages/0"), ("assistant", "Hello!", "/messages/1")]
    assert [part.pointer for m in example.messages for part in m.content or ()] == [
        "/system/0/text", "/messages/0/content/0/text", "/messages/1/content/0/text"]
    assert example.metadata == {"schemaVersion": "bedrock-conversation-2024"}
    assert example.system == "You are a digital assistant."


def test_images_become_image_parts() -> None:
    user = FORMAT.read(IMAGES).messages[0]
    assert user.content is not None
    assert [(p.type, p.url, p.pointer) for p in user.content] == [
        ("text", None, "/messages/0/content/0/text"),
        ("image", "s3://bucket/cat.png", "/messages/0/content/1/image"),
        ("image", "s3://bucket/dog.jpg", "/messages/0/content/2/image")]


def test_tool_use_and_results_are_read() -> None:
    example = FORMAT.read(TOOLS)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("user", "/messages/0"), ("assistant", "/messages/1"),
        ("tool", "/messages/2/content/0"), ("assistant", "/messages/3")]
    caller, result = example.messages[1], example.messages[2]
    assert caller.content is None
    (call,) = caller.tool_calls
    assert (call.name, call.arguments, call.id, call.pointer, call.arguments_pointer) == (
        "get_weather", {"city": "Paris"}, "t1", "/messages/1/content/1",
        "/messages/1/content/1/toolUse/input")
    assert result.tool_call_id == "t1"
    assert result.content is not None
    assert [(p.text, p.pointer) for p in result.content] == [
        ('{"temperature": 21}', "/messages/2/content/0/toolResult/content/0/json"),
        ("sunny", "/messages/2/content/0/toolResult/content/1/text")]
    assert example.tools == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather in a city",
        "parameters": TOOL_SPEC["inputSchema"]["json"]}}]


def test_empty_content_stays_empty_for_c002() -> None:
    message = FORMAT.read({"messages": [_user(), {"role": "assistant", "content": []}]}).messages[1]
    assert (message.content, message.content_pointer) == ([], "/messages/1/content")


def test_unknown_role_is_kept_for_c001() -> None:
    record = {"messages": [{"role": "system", "content": [{"text": "x"}]}]}
    assert [m.role for m in FORMAT.read(record).messages] == ["system"]


@pytest.mark.parametrize("record", [
    {"messages": "Hi", "system": "x", "toolConfig": []},
    {"messages": [None, 1, {"role": 2, "content": {}}, {"content": [None, 1, {}]}]},
    {"messages": [{"role": "user", "content": [{"image": "x"}, {"image": {"source": 1}},
                                               {"toolResult": {"content": [1, {}]}},
                                               {"toolUse": {}}, {"text": None}]}]},
    {"system": [None, {"text": 1}], "toolConfig": {"tools": [1, {"toolSpec": 2},
                                                             {"toolSpec": {}}]}},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


@pytest.mark.parametrize("record", VALID)
def test_matches_its_own_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)



def test_corpus_records_are_matched_and_read() -> None:
    path = CORPUS / "bedrock_nova__tooluse_formatted_test.jsonl"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the corpus")
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert not get_format("openai-chat").matches(record)
        assert _verdicts(record) == []
        assert [m.role for m in FORMAT.read(record).messages] == ["system", "user", "assistant"]
