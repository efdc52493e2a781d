"""One test per conversation rule: a record that triggers it and one that does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ftdata
from tests.rules.helpers import TOOLS, assistant, call, chat, codes, user

SYSTEM = {"role": "system", "content": "Be brief."}

CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    # code: (bad record, good record, format, target)
    "C001": (chat(user(), {"role": "model", "content": "4"}), chat(user(), assistant()),
             "openai-chat", "generic"),
    "C002": (chat(user(), assistant("  ")), chat(user(), assistant()), "openai-chat", "generic"),
    "C003": (chat(user()), chat(user(), assistant()), "openai-chat", "generic"),
    "C004": (chat(user(), assistant(), user("And 3+3?")), chat(user(), assistant()),
             "openai-chat", "generic"),
    "C005": (chat(user(), user("Hello?"), assistant()), chat(user(), assistant()),
             "openai-chat", "generic"),
    "C006": (chat(user(), assistant(), SYSTEM, user(), assistant()),
             chat(SYSTEM, user(), assistant()), "openai-chat", "generic"),
    "C007": (chat(user(), assistant(weight=2)), chat(user(), assistant(weight=1)),
             "openai-chat", "generic"),
    "C008": (chat(user(), assistant(weight=0)),
             chat(user(), assistant(weight=0), user(), assistant(weight=1)),
             "openai-chat", "generic"),
    "C009": (chat(user(), {"role": "assistant", "tool_calls": [call(arguments="{city")]},
                  tools=TOOLS),
             chat(user(), {"role": "assistant", "tool_calls": [call()]}, tools=TOOLS),
             "openai-chat", "generic"),
    "C010": (chat(user(), {"role": "assistant", "tool_calls": [call()]}, assistant("Sunny."),
                  tools=TOOLS),
             chat(user(), {"role": "assistant", "tool_calls": [call()]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny."), tools=TOOLS),
             "openai-chat", "generic"),
    "C011": (chat(user(), assistant("Checking."),
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny.")),
             chat(user(), {"role": "assistant", "tool_calls": [call()]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny.")),
             "openai-chat", "generic"),
    "C012": (chat(user(), {"role": "assistant", "tool_calls": [call("get_wether")]},
                  tools=TOOLS),
             chat(user(), {"role": "assistant", "tool_calls": [call()]}, tools=TOOLS),
             "openai-chat", "generic"),
    "C013": (chat({"role": "user", "content": [
                 {"type": "image_url", "image_url": {"url": "cat.png"}}]}, assistant()),
             chat({"role": "user", "content": [
                 {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]},
                  assistant()),
             "openai-chat", "generic"),
    "C014": ({"input": {"messages": [user()]},
              "preferred_output": [assistant("4")], "non_preferred_output": [assistant(" 4 ")]},
             {"input": {"messages": [user()]},
              "preferred_output": [assistant("4")], "non_preferred_output": [assistant("5")]},
             "openai-preference", "generic"),
    "C015": (chat(), chat(user(), assistant()), "openai-chat", "generic"),
    "C016": ({"messages": [user("<image>What is this?"), assistant("A cat.")],
              "images": ["a.jpg", "b.jpg"]},
             {"messages": [user("<image>What is this?"), assistant("A cat.")],
              "images": ["a.jpg"]},
             "sharegpt", "llamafactory"),
    "C017": (chat(user(), assistant("<think>Two and two make 4")),
             chat(user(), assistant("<think>Two and two.</think>4")), "openai-chat", "generic"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_on_bad_record(code: str) -> None:
    bad, _, format_id, target = CASES[code]
    assert code in codes(bad, format=format_id, target=target)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_good_record(code: str) -> None:
    _, good, format_id, target = CASES[code]
    assert codes(good, format=format_id, target=target) == []


def test_every_conversation_code_has_a_case() -> None:
    from ftdata.rules import all_rules

    assert {r.code for r in all_rules() if r.family == "C"} == set(CASES)


def test_weight_on_a_user_message_is_c007() -> None:
    assert codes(chat({**user(), "weight": 1}, assistant())) == ["C007"]


def test_tool_turn_counts_as_one_assistant_turn() -> None:
    record = chat(user(), {"role": "assistant", "tool_calls": [call()]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny."), tools=TOOLS)
    assert "C005" not in codes(record)


def test_final_tool_call_needs_no_result() -> None:
    record = chat(user(), {"role": "assistant", "tool_calls": [call()]}, tools=TOOLS)
    assert codes(record) == []


def test_bedrock_requires_a_user_turn_first_and_makes_it_an_error() -> None:
    from ftdata import validate_records

    record = {"messages": [assistant("Hi"), user(), assistant()]}
    report = validate_records([record], format="bedrock-claude", target="bedrock",
                              ignore=["F007"])
    assert [(i.code, i.severity.value) for i in report.issues] == [("C005", "error")]


def test_mistral_checks_tool_call_ids_and_content_with_calls() -> None:
    record = chat(user(), {"role": "assistant", "content": "Checking", "tool_calls": [call()]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny."), tools=TOOLS)
    found = codes(record, target="mistral")
    assert found.count("C009") == 2
    # mistral-finetune wants a description and parameters on every declared function.
    function = {"name": "get_weather", "description": "The weather.",
                "parameters": {"type": "object"}}
    described = [{"type": "function", "function": function}]
    fine = chat(user(), {"role": "assistant", "tool_calls": [call(call_id="abc123XYZ")]},
                {"role": "tool", "tool_call_id": "abc123XYZ", "content": "sunny"},
                assistant("Sunny."), tools=described)
    assert codes(fine, target="mistral") == []
    assert codes({**fine, "tools": TOOLS}, target="mistral") == ["S001"]


def test_double_encoded_arguments_are_not_c009() -> None:
    record = chat(user(), {"role": "assistant",
                           "tool_calls": [call(arguments='"{\\"city\\": \\"Paris\\"}"')]},
                  tools=TOOLS)
    assert "C009" not in codes(record)


def test_unknown_role_is_reported_once() -> None:
    # C003/C004/C005 stay quiet when a role is unknown: C001 says what is wrong.
    assert codes(chat(user(), {"role": "Chatbot", "content": "4"})) == ["C001"]


def test_missing_content_is_not_also_empty_content() -> None:
    assert codes(chat(user(), {"role": "assistant"})) == ["S001"]


# Each check answers "is anything wrong?" in one cheap pass before its full walk; the cases
# below sit on the edges of those passes and pin the exact findings.

def findings(record: dict[str, Any], *, format: str = "openai-chat",
             target: str = "generic") -> list[tuple[str, str, str | None]]:
    from ftdata import validate_records

    report = validate_records([record], format=format, target=target, ignore=["F007"])
    return [(issue.code, issue.message, issue.pointer) for issue in report.issues]


def test_blank_text_parts_are_empty_content() -> None:
    parts = [{"type": "text", "text": " "}, {"type": "text", "text": "\n"}]
    assert findings(chat(user(), {"role": "assistant", "content": parts})) == [
        ("C002", "assistant content is only whitespace", "/messages/1/content")]


def test_empty_content_list_is_empty_content() -> None:
    assert findings(chat(user(), {"role": "assistant", "content": []})) == [
        ("C002", "assistant content is empty", "/messages/1")]


def test_blank_text_beside_an_image_is_not_empty_content() -> None:
    parts = [{"type": "text", "text": " "},
             {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    assert findings(chat({"role": "user", "content": parts}, assistant())) == []


def test_blank_content_beside_tool_calls_is_not_empty_content() -> None:
    record = chat(user(), {"role": "assistant", "content": " ", "tool_calls": [call()]},
                  tools=TOOLS)
    assert findings(record) == []


PNG = "data:image/png;base64,iVBORw0KGgo="


def test_image_in_an_assistant_message_is_c013_for_together() -> None:
    parts = [{"type": "text", "text": "Here"},
             {"type": "image_url", "image_url": {"url": PNG}}]
    record = chat({"role": "user", "content": [{"type": "text", "text": "Draw"}]},
                  {"role": "assistant", "content": parts})
    assert findings(record, target="together") == [
        ("C013", "image in a assistant message (together accepts images only in user "
                 "messages)", "/messages/1/content/1")]


def test_a_local_image_path_is_c013_unless_the_trainer_loads_files() -> None:
    openai = chat({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data/cat.png"}}]}, assistant())
    v1 = {"messages": [
        {"role": "user", "content": [{"type": "image_url", "value": "data/cat.png"}]},
        {"role": "assistant", "content": [{"type": "text", "value": "A cat."}]}]}
    assert [code for code, _, _ in findings(openai)] == ["C013"]
    assert findings(v1, format="llamafactory-v1") == []


def test_placeholders_are_counted_without_image_parts() -> None:
    record = {"messages": [user("<image>What is this?"), assistant("A cat.")],
              "images": ["a.png", "b.png"]}
    assert findings(record, format="sharegpt") == [
        ("C016", "1 <image> placeholder but 2 images", "/images")]


@pytest.mark.parametrize("fmt", ["sharegpt", "alpaca"])
def test_video_and_audio_placeholders_are_counted_against_their_lists(fmt: str) -> None:
    if fmt == "sharegpt":
        record: dict[str, Any] = {"messages": [user("<video><audio>What happens?"),
                                               assistant("A cat jumps.")]}
    else:
        record = {"instruction": "<video><audio>What happens?", "output": "A cat jumps."}
    assert findings({**record, "videos": ["a.mp4", "b.mp4"]}, format=fmt) == [
        ("C016", "1 <video> placeholder but 2 videos", "/videos"),
        ("C016", "1 <audio> placeholder but 0 audios", "/audios")]
    assert findings({**record, "videos": ["a.mp4"], "audios": ["a.wav"]}, format=fmt) == []


def test_placeholders_in_a_record_without_media_lists_are_text() -> None:
    # A text model's record may quote a placeholder; only a multimodal record pairs them.
    found = findings(chat(user("What does <image> mean in HTML?"), assistant("Nothing.")))
    assert "C016" not in {code for code, _, _ in found}


def test_the_llamafactory_multimodal_demo_matches_its_media() -> None:
    path = Path(__file__).parents[2] / ".." / "shared" / "corpus" / (
        "messages_images__llamafactory_mllm_demo.json")
    if not path.is_file():
        pytest.skip("messages_images__llamafactory_mllm_demo.json is not in the corpus")
    report = ftdata.validate(path, target="llamafactory", tokens=False)
    assert "C016" not in {issue.code for issue in report.issues}
    records = json.loads(path.read_text(encoding="utf-8"))
    broken = [{**record, "images": [*record["images"], "extra.jpg"]} for record in records]
    report = ftdata.validate_records(broken, target="llamafactory", tokens=False)
    assert [(i.code, i.record) for i in report.issues if i.code == "C016"] == [
        ("C016", index) for index in range(len(records))]


def test_developer_message_after_the_start_is_c006() -> None:
    record = chat(user(), assistant(), {"role": "developer", "content": "Be brief."},
                  user(), assistant())
    assert findings(record) == [
        ("C006", "developer message after the conversation started", "/messages/2")]


def test_repeated_turn_late_in_the_conversation_is_c005() -> None:
    record = chat(SYSTEM, user(), assistant(), user(), assistant(), assistant("5"))
    assert findings(record) == [("C005", "two assistant turns in a row", "/messages/5")]


def test_unknown_role_after_a_repeated_turn_keeps_c005_quiet() -> None:
    record = chat(user(), assistant(), assistant("5"), {"role": "model", "content": "6"})
    assert [code for code, _, _ in findings(record)] == ["C001"]


def test_arguments_with_surrounding_whitespace_are_valid() -> None:
    record = chat(user(), {"role": "assistant",
                           "tool_calls": [call(arguments=' {"city": "Paris"}\n')]},
                  tools=TOOLS)
    assert findings(record) == []


def test_arguments_with_trailing_data_are_c009() -> None:
    record = chat(user(), {"role": "assistant",
                           "tool_calls": [call(arguments='{"city": "Paris"} x')]},
                  tools=TOOLS)
    assert findings(record) == [
        ("C009", "arguments are not valid JSON (Extra data)",
         "/messages/1/tool_calls/0/function/arguments")]


def test_tool_result_without_a_call_is_c011() -> None:
    record = chat(user(), assistant(),
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}, assistant())
    assert findings(record) == [
        ("C011", "tool message without a preceding tool call", "/messages/2")]


@pytest.mark.parametrize(("format_id", "record", "pointer"), [
    ("vertex-gemini", {"contents": [
        {"role": "user", "parts": [{"text": "Weather?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "w", "args": {}, "id": "a"}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "w", "response": {},
                                                         "id": "b"}}]},
        {"role": "model", "parts": [{"text": "Sunny."}]}]},
     "/contents/2/parts/0/functionResponse/id"),
    ("bedrock-conversation", {"schemaVersion": "bedrock-conversation-2024", "messages": [
        {"role": "user", "content": [{"text": "Weather?"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "a", "name": "w",
                                                       "input": {}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "b",
                                                     "content": [{"text": "Sunny"}]}}]},
        {"role": "assistant", "content": [{"text": "Sunny."}]}]},
     "/messages/2/content/0/toolResult/toolUseId"),
])
def test_c011_points_at_the_id_where_the_format_keeps_it(format_id: str,
                                                         record: dict[str, Any],
                                                         pointer: str) -> None:
    report = ftdata.validate_records([record], format=format_id, ignore=["F007"])
    found = [(i.pointer, i.message) for i in report.issues if i.code == "C011"]
    assert found == [(pointer, "tool_call_id 'b' answers no earlier tool call")]


# -- what the together and mistral targets refuse beyond the formats' shapes -------------------


def test_together_accepts_only_base64_jpeg_png_or_webp_images() -> None:
    def record(url: str) -> dict[str, Any]:
        return chat({"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": url}}]},
            {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]})

    assert codes(record(PNG), target="together") == []
    assert codes(record("https://example.com/cat.png"), target="together") == ["C013"]
    assert codes(record("data:image/gif;base64,R0lGOD="), target="together") == ["C013"]
    assert codes(record("https://example.com/cat.png"), target="openai") == []


def test_together_refuses_roles_it_does_not_know() -> None:
    record = chat({"role": "developer", "content": "Be brief."}, user(), assistant())
    assert findings(record, target="together") == [
        ("C001", "role 'developer' is not accepted by together (it accepts system, user, "
                 "assistant)", "/messages/0/role")]
    assert codes(chat(SYSTEM, user(), assistant()), target="together") == []
    assert codes(record, target="openai") == []


def test_together_refuses_the_same_role_twice_in_a_row() -> None:
    assert codes(chat(user(), user("Again?"), assistant()), target="together") == ["C005"]
    assert codes(chat(SYSTEM, SYSTEM, user(), assistant()), target="together") == ["C005"]
    # Together does not ask for a user turn first.
    assert codes(chat(assistant(), user(), assistant()), target="together") == []


def test_together_refuses_a_preference_input_ending_with_the_assistant() -> None:
    pair = {"input": {"messages": [user()]},
            "preferred_output": [assistant()], "non_preferred_output": [assistant("5")]}
    assert codes(pair, format="openai-preference", target="together") == []
    ends = {**pair, "input": {"messages": [user(), assistant()]}}
    assert codes(ends, format="openai-preference", target="together") == ["C005"]


def test_together_needs_content_on_every_message() -> None:
    record = chat(user(), {"role": "assistant", "content": None, "tool_calls": [call()]},
                  assistant())
    assert "C002" in codes(record, target="together")
    assert "C002" not in codes(record, target="openai")


def test_mistral_needs_content_or_tool_calls_on_an_assistant_turn() -> None:
    # The shape says it on every target (S001): an answer with neither is no answer at all.
    assert codes(chat(user(), {"role": "assistant", "content": None}),
                 target="mistral") == ["S001"]
    fine = chat(user(), {"role": "assistant", "content": None,
                         "tool_calls": [call(call_id="abc123XYZ")]})
    assert "C002" not in codes(fine, target="mistral")


def test_together_wants_integer_weights() -> None:
    assert codes(chat(user(), assistant(weight=1.0)), target="together") == ["C007"]
    assert codes(chat(user(), assistant(weight=1)), target="together") == []
    assert codes(chat(user(), assistant(weight=1.0)), target="mistral") == []


def test_mistral_accepts_one_system_message() -> None:
    record = chat(SYSTEM, {"role": "system", "content": "Be brief."}, user(), assistant())
    assert findings(record, target="mistral") == [
        ("C005", "2 system messages (mistral accepts 1)", "/messages/1")]
    assert codes(chat(SYSTEM, user(), assistant()), target="mistral") == []
    assert codes(record) == []


def test_mistral_checks_function_names() -> None:
    result = {"role": "tool", "tool_call_id": "abc123XYZ", "content": "sunny"}
    spaced = chat(user(), {"role": "assistant",
                           "tool_calls": [call(name="get weather", call_id="abc123XYZ")]},
                  result, assistant())
    assert codes(spaced, target="mistral") == ["C009"]
    fine = chat(user(), {"role": "assistant", "tool_calls": [call(call_id="abc123XYZ")]},
                result, assistant())
    assert codes(fine, target="mistral") == []


def test_mistral_wants_every_tool_call_answered() -> None:
    record = chat(user(), {"role": "assistant", "tool_calls": [call(call_id="abc123XYZ")]},
                  user("Well?"), assistant())
    report = ftdata.validate_records([record], target="mistral", ignore=["F007"])
    assert [(i.code, i.severity.value) for i in report.issues] == [("C010", "error")]


def test_together_accepts_weights_on_any_message_but_not_beside_an_image() -> None:
    weighted_user = chat(user() | {"weight": 0}, assistant())
    assert codes(weighted_user, target="together") == []
    assert codes(weighted_user, target="openai") == ["C007"]
    assert codes(chat(user() | {"weight": 0.5}, assistant()), target="together") == ["C007"]
    image = {"role": "user", "weight": 1, "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": PNG}}]}
    reply = {"role": "assistant", "content": [{"type": "text", "text": "A pixel."}]}
    assert codes(chat(image, reply), target="together") == ["C007"]
    assert codes(chat(image | {"weight": 0}, reply), target="together") == []


def test_mistral_wants_a_user_turn_before_a_lone_reply() -> None:
    record = chat(SYSTEM, assistant())
    report = ftdata.validate_records([record], target="mistral", ignore=["F007"])
    assert [(i.code, i.severity.value, i.pointer) for i in report.issues] == [
        ("C005", "error", "/messages/1")]
    # Repeated turns are Mistral's to accept: no C005 under its target.
    assert codes(chat(user(), user("Again?"), assistant()), target="mistral") == []
    assert codes(chat(assistant(), user(), assistant()), target="mistral") == []


def test_mistral_accepts_the_id_null_on_the_last_message_only() -> None:
    last = chat(user(), {"role": "assistant", "tool_calls": [call(call_id="null")]})
    assert codes(last, target="mistral") == []
    midway = chat(user(), {"role": "assistant", "tool_calls": [call(call_id="null")]},
                  {"role": "tool", "tool_call_id": "null", "content": "sunny"}, assistant())
    assert codes(midway, target="mistral") == ["C009"]


def test_together_and_mistral_read_a_boolean_weight_as_a_number() -> None:
    record = chat(user(), assistant(weight=True))
    assert codes(record, target="together") == []
    assert codes(record, target="mistral") == []
    assert codes(record, target="openai") == ["S003"]


# -- C017: each of its three cases, with a record that triggers it and one that does not ----

_BEDROCK_USER = {"role": "user", "content": [{"text": "What is 2+2?"}]}


def _bedrock(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"schemaVersion": "bedrock-conversation-2024",
            "messages": [_BEDROCK_USER, {"role": "assistant", "content": list(blocks)}]}


def _reasoning_block(text: str) -> dict[str, Any]:
    return {"reasoningContent": {"reasoningText": {"text": text}}}


@pytest.mark.parametrize(("bad", "good", "format_id"), [
    (chat(user(), {**assistant(), "reasoning_content": ""}),
     chat(user(), {**assistant(), "reasoning_content": "Two and two."}), "openai-chat"),
    (chat(user(), {**assistant(), "thinking": "  \n"}),
     chat(user(), {**assistant(), "thinking": "Two and two."}), "openai-chat"),
    (_bedrock(_reasoning_block(""), {"text": "4"}),
     _bedrock(_reasoning_block("Two and two."), {"text": "4"}), "bedrock-conversation"),
], ids=["reasoning_content", "thinking", "bedrock"])
def test_c017_empty_reasoning(bad: dict[str, Any], good: dict[str, Any], format_id: str) -> None:
    assert codes(bad, format=format_id) == ["C017"]
    assert codes(good, format=format_id) == []


@pytest.mark.parametrize(("record", "format_id"), [
    (chat(user(), assistant("<think>\n\n</think>\n\n4")), "openai-chat"),
    ({"conversations": [{"from": "human", "value": "2+2?"},
                        {"from": "gpt", "value": "<think></think>4"}]}, "sharegpt"),
], ids=["openai-chat", "sharegpt"])
def test_c017_keeps_qwen3_non_thinking_turns_quiet(record: dict[str, Any],
                                                    format_id: str) -> None:
    # Qwen3's chat template writes an empty <think> block for a turn without thinking.
    assert codes(record, format=format_id) == []


@pytest.mark.parametrize("key", ["reasoning", "reasoning_content", "thinking"])
def test_c017_reasoning_on_a_user_turn(key: str) -> None:
    report = ftdata.validate_records([chat({**user(), key: "Hmm."}, assistant())],
                                     format="openai-chat")
    assert [(i.code, i.pointer) for i in report.issues] == [("C017", f"/messages/0/{key}")]
    assert codes(chat(user(), {**assistant(), key: "Hmm."})) == []


def test_c017_reasoning_on_a_system_turn_of_a_trl_record() -> None:
    bad = {"prompt": [{**SYSTEM, "reasoning_content": "Hmm."}, user()],
           "completion": [assistant()]}
    good = {"prompt": [SYSTEM, user()], "completion": [{**assistant(), "reasoning": "Hmm."}]}
    assert codes(bad, format="trl-conversational") == ["C017"]
    assert codes(good, format="trl-conversational") == []


def test_c017_reasoning_on_a_canonical_user_turn() -> None:
    from ftdata.formats import get_format
    from ftdata.model import Example, text_message
    from ftdata.rules import RuleContext
    from ftdata.rules.conversation import invalid_reasoning
    from ftdata.targets import get_target

    question = text_message("user", "2+2?", "/messages/0")
    question.reasoning, question.reasoning_pointer = "Hmm.", "/messages/0/reasoning"
    answer = text_message("assistant", "4", "/messages/1")
    context = RuleContext(get_format("openai-chat"), get_target("generic"))
    findings = invalid_reasoning(Example("chat", [question, answer]), context)
    assert [(f.code, f.pointer) for f in findings] == [("C017", "/messages/0/reasoning")]
    question.reasoning = None
    answer.reasoning = "Two and two."
    assert list(invalid_reasoning(Example("chat", [question, answer]), context)) == []


@pytest.mark.parametrize(("bad", "good", "format_id", "pointer"), [
    (chat(user(), assistant("<think>Two and two make 4")),
     chat(user(), assistant("I think <think> is a tag.")), "openai-chat", "/messages/1/content"),
    (chat(user(), {"role": "assistant", "content": [{"type": "text", "text": "<think>4"}]}),
     chat(user(), {"role": "assistant",
                   "content": [{"type": "text", "text": "<think>a</think>4"}]}),
     "openai-chat", "/messages/1/content/0/text"),
    ({"instruction": "2+2?", "output": "<think>Two and two"},
     {"instruction": "2+2?", "output": "<think>Two and two</think>4"}, "alpaca", "/output"),
    ({"prompt": "2+2?", "completion": "<think>Two and two"},
     {"prompt": "<think>a question may hold one", "completion": "4"}, "prompt-completion",
     "/completion"),
], ids=["openai-chat", "content-parts", "alpaca", "prompt-completion"])
def test_c017_unclosed_think_block(bad: dict[str, Any], good: dict[str, Any], format_id: str,
                                   pointer: str) -> None:
    report = ftdata.validate_records([bad], format=format_id)
    assert [(i.code, i.pointer) for i in report.issues] == [("C017", pointer)]
    assert codes(good, format=format_id) == []


def test_c013_masks_a_secret_url_before_cutting_it() -> None:
    """A cut secret is no longer recognised as one: the URL is masked first, then cut."""
    body = "MIIEowIBAAKCAQEAq7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO0kWnBvXyMqL2"
    pem = f"-----BEGIN PRIVATE KEY-----\n{body}\n{body[::-1]}\n-----END PRIVATE KEY-----"
    record = chat({"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": pem}}]}, assistant())
    messages = [issue.message for issue in ftdata.validate_records([record], tokens=False).issues
                if issue.code == "C013"]
    assert messages and all(body[:8] not in message for message in messages), messages


def test_c007_points_at_loss_weight_where_the_format_keeps_it_there() -> None:
    # LLaMA-Factory v1 keeps a turn's weight in `loss_weight`; Together wants 0 or 1.
    record = {"chosen_messages": [{"role": "user", "content": [{"type": "text", "value": "Hi"}],
                                   "loss_weight": 0.0},
                                  {"role": "assistant",
                                   "content": [{"type": "text", "value": "Hello"}],
                                   "loss_weight": 0.5}],
              "rejected_messages": [{"role": "user",
                                     "content": [{"type": "text", "value": "Hi"}],
                                     "loss_weight": 0.0},
                                    {"role": "assistant",
                                     "content": [{"type": "text", "value": "Go."}],
                                     "loss_weight": 1.0}]}
    report = ftdata.validate_records([record], format="llamafactory-v1-preference",
                                     target="together", tokens=False)
    pointers = {issue.pointer for issue in report.issues if issue.code == "C007"}
    assert "/chosen_messages/1/loss_weight" in pointers
    assert all((pointer or "").endswith("/loss_weight") for pointer in pointers), pointers


def test_c001_points_at_the_turn_role_of_a_bedrock_tool_result() -> None:
    # A toolResult block is a tool message whose role is its user turn's: the pointer must
    # resolve in the record, not name a role key inside the block.
    record = {"schemaVersion": "bedrock-conversation-2024", "messages": [
        {"role": "user", "content": [{"text": "Weather in Paris?"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "weather",
                                                       "input": {"city": "Paris"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1",
                                                     "content": [{"text": "sunny"}]}}]},
        {"role": "assistant", "content": [{"text": "It is sunny."}]}]}
    report = ftdata.validate_records([record], format="bedrock-conversation", target="together",
                                     tokens=False)
    assert [(issue.code, issue.pointer) for issue in report.issues
            if issue.code == "C001"] == [("C001", "/messages/2/role")]
