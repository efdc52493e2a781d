"""Cohere chat: ``System``/``User``/``Chatbot`` roles."""

from __future__ import annotations

import json

import pytest

from ftdata.sources.cohere_chat import looks_like
from tests.conftest import CORPUS
from tests.sources import FIXTURES, read


def test_roles_are_mapped_and_broken_records_skipped() -> None:
    assert read(FIXTURES / "cohere_chat.jsonl", "cohere-chat") == [
        (1, ("chat", [("system", "You answer finance questions."), ("user", "What is EBITDA?"),
                      ("assistant", "Earnings before interest, taxes, depreciation and "
                                    "amortisation.")])),
        (2, ("skip", "unknown speaker 'Moderator' at /messages/1 (map it with --roles "
                     "'Moderator=user|assistant|system')")),
        (3, ("chat", [("user", "Hi"), ("assistant", "")])),
        (4, ("skip", "S003 messages is a string, not an array (at /messages)")),
    ]


def test_roles_option() -> None:
    items = dict(read(FIXTURES / "cohere_chat.jsonl", "cohere-chat",
                      roles={"Moderator": "assistant"}))
    assert items[2] == ("chat", [("user", "Hi"), ("assistant", "Hello")])


def test_corpus_convfinqa_is_read_message_for_message() -> None:
    path = CORPUS / "cohere_chat__convfinqa_eval.jsonl"
    if not path.exists():
        pytest.skip("corpus not present")
    items = read(path, "cohere-chat")
    roles = {"System": "system", "User": "user", "Chatbot": "assistant"}
    with path.open(encoding="utf-8") as lines:
        for (location, item), (number, line) in zip(items, enumerate(lines, 1), strict=True):
            raw = json.loads(line)["messages"]
            assert location == number
            assert item == ("chat", [(roles[m["role"]], m["content"]) for m in raw])


def test_looks_like() -> None:
    assert looks_like({"messages": [{"role": "Chatbot", "content": "x"}]})
    assert not looks_like({"messages": [{"role": "assistant", "content": "x"}]})
