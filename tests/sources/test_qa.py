"""Q&A JSON and JSONL: one question and answer per record, keys recognised like headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftdata
from ftdata.sources import SourceError
from ftdata.sources.qa import looks_like, reads
from tests.sources import FIXTURES, read


def test_each_record_resolves_its_own_keys() -> None:
    items = read(FIXTURES / "qa.jsonl", "qa")
    assert items[:4] == [
        (1, ("completion", [("user", "What is ftdata?"),
                            ("assistant", "A linter for training data.")])),
        (2, ("completion", [("user", "¿Qué es?"), ("assistant", "Un «linter».")])),
        (3, ("chat", [("system", "Be exact."), ("user", "Translate\nHallo"),
                      ("assistant", "Hello")])),
        (4, ("skip", "empty answer")),
    ]
    assert items[4][0] == 5 and items[4][1][1].startswith(
        "cannot tell what the keys hold ('title'); name them with --map KEY=FIELD")
    assert items[5:] == [
        (6, ("skip", "F003 the record is an array, not a JSON object")),
        (7, ("skip", "F002 invalid JSON: Expecting property name enclosed in double quotes "
                     "at column 23")),
        (9, ("completion", [("user", "2+2"), ("assistant", "4")])),
    ]


def test_json_array_elements_are_the_locations() -> None:
    assert read(FIXTURES / "qa.json", "qa") == [
        (1, ("completion", [("user", "Where are you?"), ("assistant", "In Zürich.")])),
        (2, ("completion", [("user", "Tabs\tand\nnewlines?"), ("assistant", "Kept\u00a0as is.")])),
    ]


def test_map_names_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "de.jsonl"
    path.write_text(json.dumps({"frage": "Wie?", "antwort": "So.", "id": 3}) + "\n",
                    encoding="utf-8")
    assert read(path, "qa", mapping={"frage": "prompt", "antwort": "completion"}) == [
        (1, ("completion", [("user", "Wie?"), ("assistant", "So.")]))]
    with pytest.raises(SourceError, match="names keys, not column numbers"):
        read(path, "qa", mapping={"0": "prompt"})


def test_an_answer_that_is_not_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "List?", "answer": ["a", "b"]}\n', encoding="utf-8")
    assert read(path, "qa") == [(1, ("skip", "the completion is an array, not text"))]


def test_looks_like() -> None:
    assert looks_like({"Question": "?", "Answer": "!"})
    assert looks_like({"q": "?", "a": "!"}) and looks_like({"prompt": "?", "response": "!"})
    assert not looks_like({"messages": []}) and not looks_like({"question": "?"})


def test_torchtune_shapes_convert_without_map(tmp_path: Path) -> None:
    # torchtune's instruction/response records, and stack_exchange_paired's question,
    # response_j (chosen) and response_k (rejected), with its other columns left aside.
    instruct = tmp_path / "instruct.jsonl"
    instruct.write_text(json.dumps({"instruction": "Say hi.", "response": "Hi!"}) + "\n",
                        encoding="utf-8")
    paired = tmp_path / "paired.jsonl"
    paired.write_text(json.dumps({"qid": 7, "question": "Tabs or spaces?", "date": "2020",
                                  "metadata": ["x"], "response_j": "Spaces, per PEP 8.",
                                  "response_k": "Whatever."}) + "\n", encoding="utf-8")
    chat, pairs = tmp_path / "chat.jsonl", tmp_path / "pairs.jsonl"
    assert ftdata.convert(instruct, chat, to="openai-chat")["from"] == "qa"
    assert json.loads(chat.read_text("utf-8")) == {"messages": [
        {"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi!"}]}
    assert ftdata.convert(paired, pairs, to="trl-preference")["from"] == "qa"
    assert json.loads(pairs.read_text("utf-8")) == {
        "prompt": [{"role": "user", "content": "Tabs or spaces?"}],
        "chosen": [{"role": "assistant", "content": "Spaces, per PEP 8."}],
        "rejected": [{"role": "assistant", "content": "Whatever."}]}


def test_a_prompt_with_a_reward_column_stays_a_prompt_only_record(tmp_path: Path) -> None:
    plain, chat = tmp_path / "plain.jsonl", tmp_path / "chat.jsonl"
    plain.write_text(json.dumps({"prompt": "2+2?", "answer": "4"}) + "\n", encoding="utf-8")
    chat.write_text(json.dumps({"prompt": [{"role": "user", "content": "2+2?"}],
                                "answer": "4"}) + "\n", encoding="utf-8")
    # A string prompt and answer read as a Q&A pair; a message-list prompt cannot be one.
    assert ftdata.convert(plain, tmp_path / "a.jsonl", to="openai-chat")["from"] == "qa"
    assert ftdata.convert(chat, tmp_path / "b.jsonl", to="openai-rft")["from"] == \
        "trl-prompt-only"


def test_reads_needs_text_values() -> None:
    assert reads({"instruction": "Say hi.", "response": "Hi!"})
    assert not reads({"prompt": [{"role": "user", "content": "?"}], "answer": "4"})
    assert not reads({"question": "?", "answer": " "})
