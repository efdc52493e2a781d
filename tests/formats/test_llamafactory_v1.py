from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

import ftdata
from ftdata.formats import Unrepresentable, get_format
from ftdata.formats.llamafactory_v1 import FORMAT
from ftdata.model import Example, Message, Part, ToolCall, text_message
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _turn(role: str, *parts: dict[str, Any], weight: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": role, "content": list(parts)}
    if weight is not None:
        message["loss_weight"] = weight
    return message


def _text(value: str) -> dict[str, str]:
    return {"type": "text", "value": value}


# As LLaMA-Factory's own converters write them: every turn weighed, 0.0 unless assistant.
PLAIN: dict[str, Any] = {"messages": [
    _turn("system", _text("Be brief."), weight=0.0),
    _turn("user", _text("What color is the sky?"), weight=0.0),
    _turn("assistant", _text("It is blue."), weight=1.0),
    _turn("user", _text("And at night?"), weight=0.0),
    _turn("assistant", _text("Black."), weight=0.5),
]}
WITH_TOOLS: dict[str, Any] = {
    "messages": [
        _turn("user", _text("Weather in Paris?"), weight=0.0),
        _turn("assistant", {"type": "reasoning", "value": "The user wants the weather."},
              {"type": "tool_call",
               "value": '{"name": "get_weather", "arguments": {"city": "Paris"}}'},
              weight=1.0),
        _turn("tool", _text('{"temperature": 21}'), weight=0.0),
        _turn("assistant", _text("It is 21 degrees."), weight=1.0),
    ],
    "tools": '[{"type": "function", "function": {"name": "get_weather", '
             '"parameters": {"type": "object"}}}]',
    "extra_info": "source=demo",
}
WITH_IMAGES: dict[str, Any] = {"messages": [
    _turn("user", {"type": "image_url", "value": "data/mllm_demo_data/1.jpg"},
          _text("Who are they?"), {"type": "video_url", "value": "data/clip.mp4"},
          {"type": "audio_url", "value": "data/a.wav"}, weight=0.0),
    _turn("assistant", _text("Two football players."), weight=1.0),
]}
#: LLaMA-Factory's multimodal demo leaves the weights out (they default to 1.0).
UNWEIGHTED: dict[str, Any] = {"messages": [_turn("user", _text("Hi")),
                                           _turn("assistant", _text("Hello"))]}
VALID = [PLAIN, UNWEIGHTED]

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({}, "S001", "/messages"),
    ({"messages": []}, "C015", "/messages"),
    ({"messages": [_turn("gpt", _text("Hi"))]}, "C001", "/messages/0/role"),
    ({"messages": [{"role": "user"}]}, "S001", "/messages/0/content"),
    ({"messages": [{"role": "user", "content": "Hi"}]}, "S003", "/messages/0/content"),
    ({"messages": [_turn("user", {"type": "text", "text": "Hi"})]}, "S001",
     "/messages/0/content/0/value"),
    ({"messages": [_turn("user", {"type": "image", "value": "a.png"})]}, "S004",
     "/messages/0/content/0/type"),
    ({"messages": [_turn("assistant", _text("Hi"), weight=-1)]}, "C007",
     "/messages/0/loss_weight"),
    ({"messages": [_turn("assistant", _text("Hi"), weight="1")]}, "S003",
     "/messages/0/loss_weight"),
    ({**PLAIN, "tools": [{"name": "f"}]}, "S003", "/tools"),
    ({**PLAIN, "images": ["a.png"]}, "S002", "/images"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", [*VALID, WITH_TOOLS, WITH_IMAGES])
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


def test_weights_other_than_0_and_1_are_valid() -> None:
    # LLaMA-Factory multiplies the loss by any weight; OpenAI's 0/1 rule is not v1's.
    report = ftdata.validate_records([PLAIN], format=FORMAT.id, tokens=False)
    assert [issue.code for issue in report.issues] == []


def test_assistant_weights_are_kept_and_prompt_weights_are_not() -> None:
    example = FORMAT.read(PLAIN)
    assert [(m.role, m.text, m.weight) for m in example.messages] == [
        ("system", "Be brief.", None), ("user", "What color is the sky?", None),
        ("assistant", "It is blue.", None), ("user", "And at night?", None),
        ("assistant", "Black.", 0.5)]
    assert [m.pointer for m in example.messages][:2] == ["/messages/0", "/messages/1"]


def test_reasoning_and_tool_call_parts_go_to_their_own_fields() -> None:
    example = FORMAT.read(WITH_TOOLS)
    call_turn = example.messages[1]
    assert call_turn.reasoning == "The user wants the weather."
    assert call_turn.reasoning_pointer == "/messages/1/content/0/value"
    assert call_turn.content is None
    assert [(c.name, c.arguments, c.pointer, c.arguments_pointer)
            for c in call_turn.tool_calls] == [
        ("get_weather", {"city": "Paris"}, "/messages/1/content/1",
         "/messages/1/content/1/value")]
    assert example.tools == [{"type": "function", "function": {
        "name": "get_weather", "parameters": {"type": "object"}}}]
    assert example.metadata == {"extra_info": "source=demo"}


def test_media_parts_are_read_in_place() -> None:
    user = FORMAT.read(WITH_IMAGES).messages[0]
    assert [(p.type, p.url, p.text, p.pointer) for p in user.content or ()] == [
        ("image", "data/mllm_demo_data/1.jpg", None, "/messages/0/content/0/value"),
        ("text", None, "Who are they?", "/messages/0/content/1/value"),
        ("video", "data/clip.mp4", None, "/messages/0/content/2/value"),
        ("audio", "data/a.wav", None, "/messages/0/content/3/value")]


def test_local_media_paths_are_not_reported() -> None:
    report = ftdata.validate_records([WITH_IMAGES], format=FORMAT.id, tokens=False)
    assert [issue.code for issue in report.issues] == []


def test_several_reasoning_parts_are_joined() -> None:
    record = {"messages": [_turn("user", _text("Hi")), _turn(
        "assistant", {"type": "reasoning", "value": "a"}, {"type": "reasoning", "value": "b"},
        _text("Hello"))]}
    assert FORMAT.read(record).messages[1].reasoning == "ab"


def test_a_broken_tool_call_is_located() -> None:
    record = {"messages": [_turn("user", _text("Hi")),
                           _turn("assistant", {"type": "tool_call", "value": "{name: f}"})]}
    report = ftdata.validate_records([record], format=FORMAT.id, tokens=False)
    assert [(issue.code, issue.pointer) for issue in report.issues] == [
        ("C009", "/messages/1/content/0/value")]


def test_negative_weight_is_c007_and_weight_0_everywhere_is_c008() -> None:
    negative = {"messages": [_turn("user", _text("Hi")),
                             _turn("assistant", _text("Hello"), weight=-0.5)]}
    untrained = {"messages": [_turn("user", _text("Hi"), weight=0.0),
                              _turn("assistant", _text("Hello"), weight=0.0)]}
    report = ftdata.validate_records([negative, untrained], format=FORMAT.id, tokens=False)
    assert [(issue.code, issue.record) for issue in report.issues] == [("C007", 0),
                                                                      ("C008", 1)]


@pytest.mark.parametrize("record", [{}, {"messages": "hi"}, {"messages": [None, {"role": 1}]},
                                    {"messages": [{"role": "user", "content": [None, 3]}]},
                                    {"messages": [{"content": [{"type": 1, "value": None}]}]},
                                    {"messages": [_turn("user", _text("x"))], "tools": "{"}])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    assert FORMAT.read(record).kind == "chat"


def test_matches_v1_records_and_the_openai_formats_do_not() -> None:
    for record in [*VALID, WITH_TOOLS, WITH_IMAGES]:
        assert FORMAT.matches(record)
        assert not get_format("openai-chat").matches(record)
        assert not get_format("openai-rft").matches(record)
    assert not FORMAT.matches({"messages": [{"role": "user", "content": "Hi"}]})
    assert not FORMAT.matches({"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]})


def test_writer_spells_every_weight_out_and_puts_reasoning_first() -> None:
    example = Example(kind="chat", tools=[{"type": "function", "function": {"name": "f"}}],
                      messages=[text_message("user", "Hi", ""),
                                Message("assistant", [Part("text", text="Calling.")],
                                        tool_calls=[ToolCall("f", '{"x": 1}')],
                                        reasoning="Think.", weight=0)])
    assert FORMAT.write is not None
    assert FORMAT.write(example) == {
        "messages": [
            {"role": "user", "content": [_text("Hi")], "loss_weight": 0.0},
            {"role": "assistant", "content": [
                {"type": "reasoning", "value": "Think."}, _text("Calling."),
                {"type": "tool_call", "value": '{"name": "f", "arguments": {"x": 1}}'}],
             "loss_weight": 0.0}],
        "tools": '[{"type": "function", "function": {"name": "f"}}]'}


@pytest.mark.parametrize(("example", "reason"), [
    (Example(kind="chat", messages=[Message("user", [Part("text", text="Hi")], weight=1),
                                    text_message("assistant", "Hello", "")]),
     "llamafactory-v1 trains assistant turns only (user turn with weight 1)"),
    (Example(kind="chat", messages=[Message("user", [Part("text", text="Hi")],
                                            reasoning="hm"),
                                    text_message("assistant", "Hello", "")]),
     "llamafactory-v1 renders reasoning of assistant turns only"),
    (Example(kind="chat", messages=[text_message("developer", "Be brief.", ""),
                                    text_message("assistant", "Hello", "")]),
     "llamafactory-v1 has no 'developer' role"),
    (Example(kind="chat", label=True, messages=[text_message("user", "Hi", ""),
                                                text_message("assistant", "Hello", "")]),
     "llamafactory-v1 has no KTO label"),
    (Example(kind="chat", messages=[Message("user", [Part("file", url="a.pdf")]),
                                    text_message("assistant", "Hello", "")]),
     "llamafactory-v1 cannot carry file content"),
])
def test_what_v1_cannot_hold_is_refused(example: Example, reason: str) -> None:
    assert FORMAT.write is not None
    with pytest.raises(Unrepresentable) as error:
        FORMAT.write(example)
    assert error.value.reason == reason


def test_converts_to_openai_chat_and_back(tmp_path: Path) -> None:
    source = tmp_path / "v1.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in [*VALID, WITH_TOOLS]), "utf-8")
    chat = tmp_path / "chat.jsonl"
    summary = ftdata.convert(source, chat, to="openai-chat")
    # The weight 0.5 and extra_info have no OpenAI spelling: those records are skipped.
    assert summary["skipped"] == [
        {"line": 1, "reason": "openai-chat weighs only assistant turns, by 0 or 1"},
        {"line": 3, "reason": "openai-chat has no place for the record's 'extra_info'"}]
    back = tmp_path / "back.jsonl"
    assert ftdata.convert(chat, back, to=FORMAT.id)["written"] == 1
    report = ftdata.validate(back, format=FORMAT.id, target="llamafactory", tokens=False)
    assert [issue.code for issue in report.issues if issue.severity.value == "error"] == []
    assert json.loads(back.read_text("utf-8").splitlines()[0]) == {"messages": [
        {"role": "user", "content": [_text("Hi")], "loss_weight": 0.0},
        {"role": "assistant", "content": [_text("Hello")], "loss_weight": 1.0}]}


def test_corpus_file_is_detected_valid_and_round_trips() -> None:
    path = CORPUS / "llamafactory_v1_sft__demo.jsonl"
    if not path.is_file():
        pytest.skip("corpus file not present")
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    assert records
    assert FORMAT.write is not None
    for record in records:
        assert _verdicts(record) == []
        assert FORMAT.write(FORMAT.read(record)) == record
    report = ftdata.validate(path, tokens=False)
    assert report.to_dict()["format"] == FORMAT.id
    assert [issue.code for issue in report.issues if issue.severity.value == "error"] == []


def test_tools_that_are_not_json_are_s004() -> None:
    records = [{**PLAIN, "tools": "[{name: get_weather}]"}, {**PLAIN, "tools": '"f"'},
               {**PLAIN, "tools": ""}]
    report = ftdata.validate_records(records, format=FORMAT.id, tokens=False)
    # An empty string declares no tools (LLaMA-Factory skips it).
    assert [(issue.code, issue.record, issue.pointer) for issue in report.issues] == [
        ("S004", 0, "/tools"), ("S004", 1, "/tools")]
