"""One test per schema rule: a record that triggers it and one that does not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.helpers import TOOLS, assistant, call, chat, codes, user

GOOD = chat(user(), assistant())

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "S001": (chat({"content": "hi"}, assistant()), "/messages/0/role"),
    "S002": (chat(user(), assistant(), metadata={"source": "crm"}), "/metadata"),
    "S003": (chat({"role": "user", "content": 42}, assistant()), "/messages/0/content"),
    "S004": (chat(user(), {"role": "assistant", "tool_calls": [{**call(), "type": "func"}]},
                  tools=TOOLS), "/messages/1/tool_calls/0/type"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_with_pointer(code: str) -> None:
    import ftdata

    record, pointer = CASES[code]
    report = ftdata.validate_records([record], format="openai-chat")
    assert [(i.code, i.pointer) for i in report.issues] == [(code, pointer)]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_good_record(code: str) -> None:
    assert code not in codes(GOOD)


NULL_ANSWER = {"role": "assistant", "content": None}


@pytest.mark.parametrize("target", ["generic", "openai", "azure-openai", "fireworks", "mistral",
                                    "trl", "axolotl", "llamafactory", "autotrain"])
def test_null_assistant_content_without_calls_is_s001_on_every_target(target: str) -> None:
    import ftdata

    report = ftdata.validate_records([chat(user(), NULL_ANSWER)], format="openai-chat",
                                     target=target, ignore=["F007"])
    assert [(i.code, i.severity.value, i.pointer, i.message) for i in report.issues
            if i.code.startswith("S")] == [
        ("S001", "error", "/messages/1/content",
         "assistant message needs 'content' or 'tool_calls' or 'function_call' "
         "('content' is null)")]


@pytest.mark.parametrize("fmt,record", [
    ("openai-preference", {"input": {"messages": [user()]}, "preferred_output": [NULL_ANSWER],
                           "non_preferred_output": [assistant("5")]}),
    ("trl-conversational", {"prompt": [user()], "completion": [NULL_ANSWER]}),
])
def test_null_answers_are_s001_in_the_other_message_formats(fmt: str,
                                                            record: dict[str, Any]) -> None:
    assert "S001" in codes(record, format=fmt)


def test_null_assistant_content_beside_calls_is_fine() -> None:
    record = chat(user(), {"role": "assistant", "content": None, "tool_calls": [call()]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                  assistant("Sunny."), tools=TOOLS)
    assert [code for code in codes(record) if code.startswith("S")] == []
    legacy = chat(user(), {"role": "assistant", "content": None,
                           "function_call": {"name": "get_weather", "arguments": "{}"}},
                  {"role": "function", "name": "get_weather", "content": "sunny"},
                  assistant("Sunny."))
    assert [code for code in codes(legacy) if code.startswith("S")] == []
# -- what a target refuses beyond the format's shape ------------------------------------------


def _found(record: dict[str, Any], target: str, *,
           format: str = "openai-chat") -> list[tuple[str, str | None]]:
    import ftdata

    report = ftdata.validate_records([record], format=format, target=target, ignore=["F007"])
    return [(issue.code, issue.pointer) for issue in report.issues]


def test_together_refuses_top_level_tools_and_parallel_tool_calls() -> None:
    assert _found(chat(user(), assistant(), tools=TOOLS), "together") == [("S002", "/tools")]
    assert _found(chat(user(), assistant(), functions=[]), "together") == [
        ("S002", "/functions")]
    # A key the format does not know is reported once.
    assert _found({"text": "Paris.", "tools": []}, "together", format="text") == [
        ("S002", "/tools")]
    assert _found(chat(user(), assistant(), parallel_tool_calls=False), "together") == [
        ("S002", "/parallel_tool_calls")]
    assert _found(chat(user(), assistant(), tools=TOOLS), "openai") == []
    # Tools inside a preference input are not at the top of the record: Together accepts them.
    pair = {"input": {"messages": [user()], "tools": TOOLS},
            "preferred_output": [assistant()], "non_preferred_output": [assistant("5")]}
    assert _found(pair, "together", format="openai-preference") == []


def test_mistral_needs_a_description_and_parameters_on_each_function() -> None:
    bare = [{"type": "function", "function": {"name": "get_weather"}}]
    assert _found(chat(user(), assistant(), tools=bare), "mistral") == [
        ("S001", "/tools/0/function/description"), ("S001", "/tools/0/function/parameters")]
    full = [{"type": "function", "function": {"name": "get_weather", "description": "Weather.",
                                              "parameters": {"type": "object"}}}]
    assert _found(chat(user(), assistant(), tools=full), "mistral") == []
    assert _found(chat(user(), assistant(), tools=bare), "openai") == []


def test_together_wants_one_message_on_each_side_of_a_pair() -> None:
    pair = {"input": {"messages": [user()]},
            "preferred_output": [assistant()], "non_preferred_output": [assistant("5")]}
    assert _found(pair, "together", format="openai-preference") == []
    two = {**pair, "preferred_output": [assistant(), assistant("Four.")]}
    assert _found(two, "together", format="openai-preference") == [
        ("S004", "/preferred_output")]


def test_together_wants_contents_all_strings_or_all_lists() -> None:
    listed = {"role": "user", "content": [{"type": "text", "text": "Hi"}]}
    assert _found(chat(listed, assistant()), "together") == [
        ("S004", "/messages/1/content")]
    listed_reply = {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}
    assert _found(chat(listed, listed_reply), "together") == []
    assert _found(chat(listed, assistant()), "openai") == []
