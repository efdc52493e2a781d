"""Q&A JSON and JSONL: one question and answer per record, keys recognised like headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftdata.sources import SourceError
from ftdata.sources.qa import looks_like
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
