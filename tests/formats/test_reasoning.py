"""Reasoning traces: how each format reads them, and where writers put them."""

from __future__ import annotations

from typing import Any

import pytest

from ftdata.formats import Unrepresentable, format_ids, get_format
from ftdata.formats._reasoning import (
    place_reasoning,
    split_think,
    think_tagged,
    unclosed_think,
)
from ftdata.model import THINK_TAGS, Example, Message, text_message

THOUGHT = "Two and two make four."
ASK = {"role": "user", "content": "What is 2+2?"}


def _answer(reasoning: str | None = THOUGHT, source: str | None = None) -> Message:
    message = text_message("assistant", "4", "/messages/1")
    message.reasoning, message.reasoning_source = reasoning, source
    return message


def _write(format_id: str, example: Example) -> dict[str, Any]:
    write = get_format(format_id).write
    assert write is not None
    return write(example)


def _chat(*messages: Message) -> Example:
    return Example("chat", [text_message("user", "What is 2+2?", "/messages/0"), *messages])


# -- <think> blocks --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("<think>\nA.\n</think>\n\nB", ("A.", "B")),
    ("<think>A.</think>B", ("A.", "B")),
    ("<think>\n\n</think>\n\nB", ("", "B")),
    ("<think>A.</think>", ("A.", "")),
    ("<think>A.", None),
    (" <think>A.</think>B", None),
    ("B <think>A.</think>", None),
])
def test_split_think(text: str, expected: tuple[str, str] | None) -> None:
    assert split_think(text) == expected


def test_think_tagged_is_read_back() -> None:
    assert split_think(think_tagged(THOUGHT, "4")) == (THOUGHT, "4")
    assert unclosed_think("<think>A.") and not unclosed_think("<think>A.</think>B")


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("format_id", "record", "pointer", "source"), [
    ("openai-chat", {"messages": [ASK, {"role": "assistant", "content": "4",
                                        "reasoning_content": THOUGHT}]},
     "/messages/1/reasoning_content", "reasoning_content"),
    ("openai-chat", {"messages": [ASK, {"role": "assistant", "content": "4",
                                        "reasoning": THOUGHT}]},
     "/messages/1/reasoning", "reasoning"),
    ("openai-chat", {"messages": [ASK, {"role": "assistant", "content": "4",
                                        "thinking": THOUGHT}]},
     "/messages/1/thinking", "thinking"),
    ("openai-chat", {"messages": [ASK, {"role": "assistant",
                                        "content": think_tagged(THOUGHT, "4")}]},
     "/messages/1/content", THINK_TAGS),
    ("trl-conversational", {"prompt": [ASK], "completion": [
        {"role": "assistant", "content": think_tagged(THOUGHT, "4")}]},
     "/completion/0/content", THINK_TAGS),
    ("sharegpt", {"conversations": [{"from": "human", "value": "What is 2+2?"},
                                    {"from": "gpt", "value": think_tagged(THOUGHT, "4")}]},
     "/conversations/1/value", THINK_TAGS),
    ("alpaca", {"instruction": "What is 2+2?", "output": think_tagged(THOUGHT, "4")},
     "/output", THINK_TAGS),
    ("prompt-completion", {"prompt": "What is 2+2?", "completion": think_tagged(THOUGHT, "4")},
     "/completion", THINK_TAGS),
    ("bedrock-conversation", {"messages": [
        {"role": "user", "content": [{"text": "What is 2+2?"}]},
        {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": THOUGHT, "signature": "c2ln"}}},
            {"text": "4"}]}]},
     "/messages/1/content/0/reasoningContent/reasoningText/text", "reasoningContent"),
])
def test_reasoning_is_read(format_id: str, record: dict[str, Any], pointer: str,
                           source: str) -> None:
    answer = get_format(format_id).read(record).messages[-1]
    assert (answer.reasoning, answer.text) == (THOUGHT, "4")
    assert (answer.reasoning_pointer, answer.reasoning_source) == (pointer, source)


def test_the_first_reasoning_key_wins_and_a_field_keeps_the_content_whole() -> None:
    record = {"messages": [ASK, {"role": "assistant", "content": "<think>x</think>4",
                                 "thinking": "T", "reasoning_content": "R"}]}
    answer = get_format("openai-chat").read(record).messages[-1]
    assert (answer.reasoning, answer.text) == ("R", "<think>x</think>4")


def test_only_the_assistant_has_reasoning() -> None:
    record = {"messages": [{**ASK, "reasoning": "Hmm.", "content": "<think>a</think>b"},
                           {"role": "assistant", "content": "4"}]}
    example = get_format("openai-chat").read(record)
    assert [m.reasoning for m in example.messages] == [None, None]
    assert example.messages[0].text == "<think>a</think>b"


def test_an_unclosed_think_block_stays_in_the_content() -> None:
    record = {"messages": [ASK, {"role": "assistant", "content": "<think>4"}]}
    answer = get_format("openai-chat").read(record).messages[-1]
    assert (answer.reasoning, answer.text) == (None, "<think>4")


def test_vertex_thought_parts_are_not_reasoning() -> None:
    # Vertex tuning "omits the thinking process" (see the format's module).
    record = {"contents": [{"role": "user", "parts": [{"text": "What is 2+2?"}]},
                           {"role": "model", "parts": [{"text": THOUGHT, "thought": True},
                                                       {"text": "4"}]}]}
    answer = get_format("vertex-gemini").read(record).messages[-1]
    assert (answer.reasoning, answer.text) == (None, "4")


def test_several_reasoning_blocks_are_one_trace() -> None:
    record = {"messages": [{"role": "user", "content": [{"text": "What is 2+2?"}]},
                           {"role": "assistant", "content": [
                               {"reasoningContent": {"reasoningText": {"text": "A."}}},
                               {"reasoningContent": {"reasoningText": {"text": "B."}}},
                               {"text": "4"}]}]}
    assert get_format("bedrock-conversation").read(record).messages[-1].reasoning == "A.\nB."


# -- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "key"), [
    (None, "reasoning_content"), ("reasoning", "reasoning"), ("thinking", "thinking"),
    ("reasoningContent", "reasoning_content")])
def test_openai_messages_keep_the_key_they_were_read_from(source: str | None, key: str) -> None:
    written = _write("openai-chat", _chat(_answer(source=source)))
    assert written["messages"][1] == {"role": "assistant", "content": "4", key: THOUGHT}


def test_bedrock_writes_a_reasoning_block_before_the_text() -> None:
    written = _write("bedrock-conversation", _chat(_answer(source="reasoning")))
    assert written["messages"][1]["content"] == [
        {"reasoningContent": {"reasoningText": {"text": THOUGHT}}}, {"text": "4"}]


def test_think_tags_go_back_into_the_content_in_every_format() -> None:
    for format_id in ("openai-chat", "alpaca", "sharegpt", "bedrock-conversation",
                      "bedrock-claude", "vertex-gemini", "trl-conversational"):
        fmt = get_format(format_id)
        assert fmt.write is not None
        written = fmt.write(_chat(_answer(source=THINK_TAGS)))
        again = fmt.read(written).messages[-1]
        assert (again.reasoning, again.text, again.reasoning_source) == (
            THOUGHT, "4", THINK_TAGS), format_id


@pytest.mark.parametrize("format_id", [f for f in format_ids()
                                       if get_format(f).reasoning is None and f != "text"])
def test_a_format_without_a_field_refuses_a_fields_trace(format_id: str) -> None:
    fmt = get_format(format_id)
    assert fmt.write is not None
    with pytest.raises(Unrepresentable, match="no place for a reasoning trace"):
        fmt.write(_chat(_answer(source="reasoning_content")))


def test_reasoning_on_a_user_turn_is_refused() -> None:
    question = text_message("user", "What is 2+2?", "/messages/0")
    question.reasoning = THOUGHT
    write = get_format("openai-chat").write
    assert write is not None
    with pytest.raises(Unrepresentable, match="only in assistant turns"):
        write(Example("chat", [question, _answer(None)]))


# -- placing ---------------------------------------------------------------------------------


def test_place_reasoning_leaves_an_example_without_reasoning_alone() -> None:
    example = _chat(_answer(None))
    assert place_reasoning(example, get_format("alpaca"), "drop") == (example, 0)


def test_place_reasoning_modes() -> None:
    example = _chat(_answer(source="reasoning"))
    alpaca, chat = get_format("alpaca"), get_format("openai-chat")
    tagged, dropped = place_reasoning(example, alpaca, "think-tags")
    assert (tagged.messages[1].text, tagged.messages[1].reasoning, dropped) == (
        think_tagged(THOUGHT, "4"), None, 0)
    bare, dropped = place_reasoning(example, chat, "drop")
    assert (bare.messages[1].text, bare.messages[1].reasoning, dropped) == ("4", None, 1)
    with pytest.raises(Unrepresentable, match="alpaca has no reasoning field"):
        place_reasoning(example, alpaca, "field")
    from_tags = _chat(_answer(source=THINK_TAGS))
    field, _ = place_reasoning(from_tags, chat, "field")
    assert (field.messages[1].reasoning, field.messages[1].reasoning_source) == (THOUGHT, None)
    assert example.messages[1].reasoning == THOUGHT  # the example itself is left as it was


def test_place_reasoning_reaches_preference_sides() -> None:
    pair = Example("preference", [text_message("user", "What is 2+2?", "")],
                   chosen=[_answer()], rejected=[_answer("Hmm.")])
    placed, dropped = place_reasoning(pair, get_format("openai-preference"), "drop")
    assert dropped == 2
    assert [m.reasoning for m in placed.all_messages()] == [None, None, None]
