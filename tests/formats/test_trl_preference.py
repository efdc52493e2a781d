from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from ftdata.formats import get_format
from ftdata.formats.trl_preference import FORMAT
from ftdata.model import text_message
from ftdata.shapes import check_shape

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
VALIDATOR = Draft202012Validator(FORMAT.json_schema())


def _user(content: Any = "What color is the sky?") -> dict[str, Any]:
    return {"role": "user", "content": content}


def _assistant(content: Any = "It is blue.") -> dict[str, Any]:
    return {"role": "assistant", "content": content}


STANDARD: dict[str, Any] = {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}
STANDARD_IMPLICIT: dict[str, Any] = {"chosen": "The sky is blue.",
                                     "rejected": "The sky is green."}
CONVERSATIONAL: dict[str, Any] = {"prompt": [_user()], "chosen": [_assistant()],
                                  "rejected": [_assistant("It is green.")]}
CONVERSATIONAL_IMPLICIT: dict[str, Any] = {
    "chosen": [{"role": "system", "content": "Be brief."}, _user(), _assistant()],
    "rejected": [{"role": "system", "content": "Be brief."}, _user(),
                 _assistant("It is green.")],
}
VISION: dict[str, Any] = {"prompt": "What do you see?", "images": ["https://example.com/a.png"],
                          "chosen": [_assistant("A lake.")], "rejected": [_assistant("A car.")]}
VALID = [STANDARD, STANDARD_IMPLICIT, CONVERSATIONAL, CONVERSATIONAL_IMPLICIT, VISION]

DEFECTS: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": "Hi", "chosen": "Hello"}, "S001", "/rejected"),
    ({"rejected": "Go away"}, "S001", "/chosen"),
    ({**STANDARD, "completion": "x"}, "S002", "/completion"),
    ({**STANDARD, "chosen": 1}, "S003", "/chosen"),
    ({**STANDARD, "prompt": {"role": "user", "content": "Hi"}}, "S003", "/prompt"),
    ({**VISION, "images": "https://example.com/a.png"}, "S003", "/images"),
    ({**CONVERSATIONAL, "chosen": []}, "C015", "/chosen"),
    ({**CONVERSATIONAL, "prompt": []}, "C015", "/prompt"),
    ({**CONVERSATIONAL, "rejected": [{"role": "bot", "content": "No."}]}, "C001",
     "/rejected/0/role"),
    ({**CONVERSATIONAL, "chosen": [{"role": "assistant", "content": "x", "weight": 1}]},
     "S002", "/chosen/0/weight"),
]


def _verdicts(record: Any) -> list[tuple[str, str | None]]:
    findings = check_shape(FORMAT.shape, record)
    assert VALIDATOR.is_valid(record) == (not findings), findings
    return [(finding.code, finding.pointer) for finding in findings]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_findings(record: dict[str, Any]) -> None:
    assert _verdicts(record) == []


def test_standard_record_reads_into_one_turn_each() -> None:
    example = FORMAT.read(STANDARD)
    assert example.kind == "preference"
    assert [(m.role, m.text, m.pointer) for m in example.messages] == [
        ("user", "The sky is", "/prompt")]
    assert example.chosen is not None and example.rejected is not None
    assert [(m.role, m.text, m.pointer) for m in example.chosen] == [
        ("assistant", " blue.", "/chosen")]
    assert [(m.role, m.text, m.pointer) for m in example.rejected] == [
        ("assistant", " green.", "/rejected")]
    assert example.chosen[0].content is not None
    assert [part.pointer for part in example.chosen[0].content] == ["/chosen"]


def test_implicit_standard_record_has_no_prompt() -> None:
    example = FORMAT.read(STANDARD_IMPLICIT)
    assert example.messages == []
    assert example.chosen is not None and example.rejected is not None
    assert [m.text for m in example.chosen] == ["The sky is blue."]
    assert [m.text for m in example.rejected] == ["The sky is green."]


def test_conversational_record_reads_message_lists() -> None:
    example = FORMAT.read(CONVERSATIONAL)
    assert [(m.role, m.pointer) for m in example.messages] == [("user", "/prompt/0")]
    assert example.chosen is not None and example.rejected is not None
    assert [(m.role, m.pointer) for m in example.chosen] == [("assistant", "/chosen/0")]
    assert [(m.text, m.pointer) for m in example.rejected] == [("It is green.", "/rejected/0")]


def test_implicit_prompt_is_the_shared_leading_turns() -> None:
    example = FORMAT.read(CONVERSATIONAL_IMPLICIT)
    assert [(m.role, m.pointer) for m in example.messages] == [
        ("system", "/chosen/0"), ("user", "/chosen/1")]
    assert example.chosen is not None and example.rejected is not None
    assert [(m.text, m.pointer) for m in example.chosen] == [("It is blue.", "/chosen/2")]
    assert [(m.text, m.pointer) for m in example.rejected] == [("It is green.", "/rejected/2")]


def test_identical_conversations_keep_an_answer_on_each_side() -> None:
    conversation = [_user(), _assistant()]
    example = FORMAT.read({"chosen": conversation, "rejected": conversation})
    assert [m.pointer for m in example.messages] == ["/chosen/0"]
    assert example.chosen is not None and example.rejected is not None
    assert [m.pointer for m in example.chosen] == ["/chosen/1"]
    assert [m.pointer for m in example.rejected] == ["/rejected/1"]


def test_images_open_the_prompt() -> None:
    example = FORMAT.read(VISION)
    (user,) = example.messages
    assert user.content is not None
    assert [(p.type, p.url, p.pointer) for p in user.content] == [
        ("image", "https://example.com/a.png", "/images/0"), ("text", None, "/prompt")]
    assert user.text == "What do you see?"


@pytest.mark.parametrize(("record", "code", "pointer"), DEFECTS)
def test_defect_is_reported_at_its_pointer(record: dict[str, Any], code: str,
                                           pointer: str) -> None:
    assert (code, pointer) in _verdicts(record)


@pytest.mark.parametrize("record", [
    {}, {"prompt": None, "chosen": 3, "rejected": {"a": 1}},
    {"chosen": [None, 1], "rejected": [None, 1]},
    {"chosen": [], "rejected": []},
    {"prompt": [None], "chosen": [{"role": 1, "content": [1, {"type": "image"}]}],
     "rejected": "x", "images": [None, "a"]},
])
def test_read_tolerates_invalid_records(record: dict[str, Any]) -> None:
    _verdicts(record)
    assert FORMAT.read(record).kind == "preference"


def test_matches_its_records_even_when_invalid() -> None:
    for record in VALID:
        assert FORMAT.matches(record)
    assert FORMAT.matches({"chosen": None})


@pytest.mark.parametrize("other", ["openai-chat", "openai-rft"])
def test_openai_chat_formats_do_not_claim_these_records(other: str) -> None:
    for record in VALID:
        assert not get_format(other).matches(record)



def test_corpus_file_is_matched_read_and_valid() -> None:
    path = CORPUS / "trl_dpo_vision__oumi_vl_dpo.jsonl"
    if not path.is_file():
        pytest.skip("corpus file not present")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    assert records
    for record in records:
        assert FORMAT.matches(record)
        example = FORMAT.read(record)
        assert example.chosen and example.rejected
        assert _verdicts(record) == []


# -- the two forms survive a round trip ---------------------------------------------------


def write(example: Any) -> dict[str, Any]:
    assert FORMAT.write is not None
    return FORMAT.write(example)


@pytest.mark.parametrize("record", [STANDARD, STANDARD_IMPLICIT, CONVERSATIONAL])
def test_each_form_is_written_back_as_it_was_read(record: dict[str, Any]) -> None:
    assert write(FORMAT.read(record)) == record


def test_a_standard_pair_that_no_longer_fits_strings_is_written_as_messages() -> None:
    example = FORMAT.read(STANDARD)
    example.messages.insert(0, text_message("system", "Be brief.", ""))
    written = write(example)
    assert written["prompt"] == [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": "The sky is"}]
    assert written["chosen"] == [{"role": "assistant", "content": " blue."}]


def test_pairs_from_other_formats_are_written_as_messages() -> None:
    # Alpaca's preference strings are rendered with a chat template by their trainers: the
    # conversational form keeps that meaning.
    alpaca = get_format("alpaca").read({"instruction": "The sky is", "chosen": " blue.",
                                        "rejected": " green."})
    assert write(alpaca)["chosen"] == [{"role": "assistant", "content": " blue."}]
    # The mark is a setting: formats without such a form leave it out.
    openai_write = get_format("openai-preference").write
    assert openai_write is not None
    written = openai_write(FORMAT.read(STANDARD))
    assert "trl_form" not in json.dumps(written)


def test_a_string_pair_with_images_is_conversational() -> None:
    # Images only travel in the conversational form, so such a pair is not marked standard.
    example = FORMAT.read({**STANDARD, "images": ["cat.png"]})
    assert "trl_form" not in example.metadata


#: A tool schema as transformers' get_json_schema writes it (with "return").
SCHEMA: dict[str, Any] = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "return": {"type": "string"}}}
WITH_TOOLS: dict[str, Any] = {
    "prompt": [_user("Weather in Paris?")],
    "chosen": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {
        "name": "get_weather", "arguments": {"city": "Paris"}}}]}],
    "rejected": [_assistant("I cannot know.")],
    "tools": [SCHEMA]}


def test_tools_column_is_read_and_written_back() -> None:
    assert _verdicts(WITH_TOOLS) == []
    example = FORMAT.read(WITH_TOOLS)
    assert example.tools == [SCHEMA]
    assert FORMAT.write is not None
    assert FORMAT.write(example) == WITH_TOOLS
    as_string = {**WITH_TOOLS, "tools": json.dumps([SCHEMA])}
    assert _verdicts(as_string) == []
    assert FORMAT.read(as_string).tools == [SCHEMA]
    assert ("S001", "/tools/0/function/name") in _verdicts(
        {**WITH_TOOLS, "tools": [{"type": "function", "function": {}}]})
