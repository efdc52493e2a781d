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
