from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats.alpaca import FORMAT
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())

MINIMAL: dict[str, Any] = {"instruction": "Add 2 and 2.", "output": "4"}
EMPTY_INPUT: dict[str, Any] = {"instruction": "Say hi.", "input": "", "output": "Hi!"}
FULL: dict[str, Any] = {
    "system": "You are a translator.",
    "history": [["Translate 'chat'.", "Cat."], ["Translate 'chien'.", "Dog."]],
    "instruction": "Translate this word.",
    "input": "oiseau",
    "output": "Bird.",
}
PREFERENCE: dict[str, Any] = {"instruction": "Greet the user.", "input": "",
                              "chosen": "Hello! How can I help?", "rejected": "What?"}
KTO: dict[str, Any] = {**MINIMAL, "kto_tag": True}
MULTIMODAL: dict[str, Any] = {"instruction": "<image>What is this?", "output": "A cat.",
                              "images": ["data/cat.jpg"]}
VALID = [MINIMAL, EMPTY_INPUT, FULL, {**MINIMAL, "history": []}, PREFERENCE, KTO, MULTIMODAL]

DEFECTS: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"instruction": "Add 2 and 2."}, [("S001", "/output")]),
    ({"input": "2 and 2", "output": "4"}, [("S001", "/instruction")]),
    ({**MINIMAL, "output": ["4"]}, [("S003", "/output")]),
    ({**MINIMAL, "input": None}, [("S003", "/input")]),
    ({**MINIMAL, "system": {"text": "Be brief."}}, [("S003", "/system")]),
    ({**MINIMAL, "history": "Q: hi A: hello"}, [("S003", "/history")]),
    ({**MINIMAL, "history": [["Only a question."]]}, [("S004", "/history/0")]),
    ({**MINIMAL, "history": [["Q", "A", "extra"]]}, [("S004", "/history/0")]),
    ({**MINIMAL, "history": [["Q", 4]]}, [("S003", "/history/0/1")]),
    ({**MINIMAL, "history": [{"q": "Q", "a": "A"}]}, [("S003", "/history/0")]),
    ({**MINIMAL, "text": "### Instruction: ..."}, [("S002", "/text")]),
    ({**MINIMAL, "chosen": "4", "rejected": "5"}, [("S002", "/output")]),
    ({"instruction": "Greet.", "chosen": "Hello!"}, [("S001", "/rejected")]),
    ({**PREFERENCE, "chosen": ["Hello!"]}, [("S003", "/chosen")]),
    ({**PREFERENCE, "kto_tag": True}, [("S002", "/kto_tag")]),
    ({**MINIMAL, "kto_tag": 1}, [("S003", "/kto_tag")]),
    ({**MULTIMODAL, "images": "data/cat.jpg"}, [("S003", "/images")]),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


def _turns(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(m.role, m.text, m.pointer) for m in FORMAT.read(record).messages]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


@pytest.mark.parametrize(("record", "expected"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any],
                                           expected: list[tuple[str, str]]) -> None:
    assert _verdicts(record) == expected


def test_minimal_record_is_one_exchange() -> None:
    example = FORMAT.read(MINIMAL)
    assert example.kind == "chat"
    assert _turns(MINIMAL) == [("user", "Add 2 and 2.", "/instruction"),
                               ("assistant", "4", "/output")]
    assert [part.pointer for m in example.messages for part in m.content or ()] == [
        "/instruction", "/output"]


def test_empty_input_adds_nothing_to_the_instruction() -> None:
    assert _turns(EMPTY_INPUT)[0] == ("user", "Say hi.", "/instruction")


def test_full_record_reads_system_history_and_input() -> None:
    assert _turns(FULL) == [
        ("system", "You are a translator.", "/system"),
        ("user", "Translate 'chat'.", "/history/0/0"),
        ("assistant", "Cat.", "/history/0/1"),
        ("user", "Translate 'chien'.", "/history/1/0"),
        ("assistant", "Dog.", "/history/1/1"),
        ("user", "Translate this word.\noiseau", "/instruction"),
        ("assistant", "Bird.", "/output"),
    ]
    assert FORMAT.read(FULL).system == "You are a translator."


def test_preference_record_reads_prompt_and_both_answers() -> None:
    example = FORMAT.read(PREFERENCE)
    assert example.kind == "preference"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("user", "Greet the user.", "/instruction")]
    assert example.chosen is not None and example.rejected is not None
    assert [(m.role, m.text, m.pointer) for m in example.chosen] == [
        ("assistant", "Hello! How can I help?", "/chosen")]
    assert [(m.role, m.text, m.pointer) for m in example.rejected] == [
        ("assistant", "What?", "/rejected")]


def test_kto_tag_is_the_label_and_media_go_to_metadata() -> None:
    assert FORMAT.read(KTO).label is True
    assert FORMAT.read(MULTIMODAL).metadata == {"images": ["data/cat.jpg"]}


def test_input_alone_is_the_prompt_when_the_instruction_is_missing() -> None:
    assert _turns({"input": "2 and 2", "output": "4"}) == [("user", "2 and 2", "/input"),
                                                          ("assistant", "4", "/output")]


def test_incomplete_history_round_keeps_its_question() -> None:
    turns = _turns({**MINIMAL, "history": [["Only a question."]]})
    assert turns[0] == ("user", "Only a question.", "/history/0/0")


@pytest.mark.parametrize("record", [
    {},
    {"instruction": 1, "input": [], "output": None, "system": 2, "history": {"a": 1}},
    {"instruction": "x", "history": [None, 3, "ab", [], [1, 2], ["q"], ["q", "a", "b"]]},
])
def test_reading_never_raises(record: dict[str, Any]) -> None:
    FORMAT.read(record)


@pytest.mark.parametrize("record", VALID)
def test_matches_its_own_records(record: dict[str, Any]) -> None:
    assert FORMAT.matches(record)



@pytest.mark.parametrize("name", [
    "alpaca__llamafactory_en_demo.json",
    "alpaca__llamafactory_identity.json",
])
def test_corpus_records_are_matched_and_read(name: str) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    records = json.loads(path.read_text("utf-8"))
    assert records
    for record in records:
        assert FORMAT.matches(record)
        assert _verdicts(record) == []
        example = FORMAT.read(record)
        assert [m.role for m in example.messages] == ["user", "assistant"]
        assert example.messages[0].text.startswith(record["instruction"])
