"""Batch scanning gives the findings of running every rule on every record: over generated
texts full of near misses of every trigger, and over the corpus's files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftdata.engine import RecordChecker
from ftdata.formats import get_format
from ftdata.results import RecordResult
from ftdata.rules import get_rule
from ftdata.scan.batch import scanner_for
from ftdata.scan.triggers import SPACE_BYTE, SPACE_CHARACTERS
from ftdata.targets import get_target

pytest.importorskip("hyperscan")

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
SCANNED = ("Q001", "Q002", "Q003", "Q004", "Q005", "Q006", "P001", "P002")

#: Pieces of what the triggers look for, whole and cut short, and the characters they fold.
FRAGMENTS = [
    " ", "\n", "\t", "\u3000", "\xa0", "\u2028", "\x1c", "{", "{{", "}}", "{name}", "[INSERT",
    "[insert name]", "<PLACEHOLDER>", "<|im_start|>", "<|", "<｜", "[INST]", "</s>", "<image>",
    "User:", "Human: ", "### Response:", "Assistant**:", "sk-", "sk-proj-", "sk-ant-api03-",
    "AKIA", "ghp_", "github_pat_", "xoxb-", "AIza", "eyJ", "eyJhbGciOiJIUzI1NiJ9.", "key=",
    "api_key = ", "TOKEN: ", "secret\": \"", "passwd=", "Bearer ", "bearer\t", "://u:",
    "https://user:", "@", "a@b.co", "jane.doe@gmail.com", "4111 1111 1111 1111",
    "4111111111111111", "+1 415-555-2671", "(415) 555-0123", "0123456789", "030 1234567",
    "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "phone ", "card ", "I'm sorry",
    "I’m sorry, but I can’t help with that", "I cannot assist with that", "Sorry, I can't",
    "Unfortunately, I cannot provide", "As an AI language model", "as an AI, I don't",
    "Es tut mir leid, aber ich kann", "Désolé, mais je ne peux pas", "Lo siento, no puedo",
    "很抱歉，我无法帮助", "İ", "ı", "K", "ſ", "é", "É", "Ã©", "â€™", "\u200b", "\u200d",
    "\u202e", "\ufffd", "\x00", "\x07", "\x85", "\U000e0041", "\"", "\"{\\\"a\\\": 1}\"",
    "lorem ipsum", "Lorem ipsum", "TODO", "FIXME: later", "your question here", "placeholder",
    "Answer here.", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN", "q8Zr2LmX0vB7tKp4Nw9s",
    "Q8zR2lMx0Vb7TkP4wN9S", "password=", "```", "$x$", "`code`", "0000", "x" * 16,
]

texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=12).map("".join)
messages = st.lists(st.tuples(st.sampled_from(["system", "user", "assistant", "tool"]), texts),
                    min_size=1, max_size=4)


def _records(conversations: list[list[tuple[str, str]]]) -> list[bytes]:
    out = []
    for conversation in conversations:
        turns = [{"role": role, "content": text} for role, text in conversation]
        out.append(json.dumps({"messages": turns}).encode())
    return out


def _checker(format_id: str = "openai-chat") -> RecordChecker:
    return RecordChecker(get_format(format_id), get_target("generic"))


def _findings(results: list[RecordResult]) -> list[list[tuple[str, str, str | None]]]:
    return [[(f.code, f.message, f.pointer) for f in result.findings] for result in results]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, min_size=1, max_size=12))
def test_batch_verdicts_equal_per_record_verdicts(conversations: list[list[tuple[str, str]]]
                                                  ) -> None:
    checker = _checker()
    records = _records(conversations)
    assert _findings(checker.check_batch(records)) == _findings([checker(r) for r in records])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=12))
def test_batch_verdicts_equal_per_record_verdicts_for_prompts_and_completions(
        pairs: list[tuple[str, str]]) -> None:
    # Q001 looks at the seam of a prompt and its completion differently from chat content.
    checker = _checker("prompt-completion")
    records = [json.dumps({"prompt": prompt, "completion": completion}).encode()
               for prompt, completion in pairs]
    assert _findings(checker.check_batch(records)) == _findings([checker(r) for r in records])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_rule_that_reports_has_a_trigger_that_matches(text: str) -> None:
    # The same promise, rule by rule, on one text: no finding without a trigger.
    checker = _checker()
    record = _records([[("user", text), ("assistant", text)]])[0]
    found = {f.code for f in checker(record).findings}
    scanner = scanner_for(SCANNED)
    assert scanner is not None
    read = checker._read(record)
    assert not isinstance(read, RecordResult)
    (mask,) = scanner.masks([read[2]])
    for index, code in enumerate(scanner.codes):
        if code in found:
            assert mask >> index & 1, code


@settings(max_examples=100, deadline=None)
@given(messages)
def test_example_strings_are_the_values_of_example_texts(conversation: list[tuple[str, str]]
                                                        ) -> None:
    from ftdata.model import Example
    from ftdata.scan.texts import example_strings, example_texts

    turns = [{"role": role, "content": text, "name": "n" if role == "user" else None}
             for role, text in conversation]
    tool = {"role": "assistant", "content": None, "reasoning_content": "why",
            "tool_calls": [{"id": "1", "type": "function",
                            "function": {"name": "f", "arguments": conversation[0][1]}}]}
    example = get_format("openai-chat").read({"messages": [*turns, tool]})
    assert isinstance(example, Example)
    assert example_strings(example) == [text.value for text in example_texts(example)]


def test_every_scanned_rule_declares_triggers() -> None:
    assert all(get_rule(code).triggers is not None for code in SCANNED)


def test_space_byte_covers_every_space() -> None:
    import re
    import sys

    assert "".join(chr(code) for code in range(sys.maxunicode + 1)
                                       if chr(code).isspace()) == SPACE_CHARACTERS
    for char in SPACE_CHARACTERS:
        assert re.fullmatch(f"{SPACE_BYTE}+".encode("ascii"), char.encode())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not here")
@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.glob("*.jsonl"))
                         if CORPUS.is_dir() else [])
def test_corpus_files_give_the_same_findings_batched(name: str) -> None:
    from ftdata.engine import detect_format, sample_records

    path = CORPUS / name
    detection = detect_format(sample_records(path))
    if detection.format is None:
        pytest.skip("no format detected")
    checker = RecordChecker(detection.format, get_target("generic"))
    records = [line for line in path.read_bytes().splitlines() if line.strip()]
    assert _findings(checker.check_batch(records)) == _findings([checker(r) for r in records])


def test_without_hyperscan_every_rule_runs_on_every_record(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setitem(__import__("sys").modules, "hyperscan", None)  # import fails
    scanner_for.cache_clear()
    try:
        assert scanner_for(SCANNED) is None
        checker = _checker()
        records = _records([[("user", "Call me at +1 415-555-2671 "), ("assistant", "{{name}}")]])
        found = _findings(checker.check_batch(records))
        assert found == _findings([checker(r) for r in records])
        assert {code for code, _, _ in found[0]} == {"P002", "Q001", "Q003"}
    finally:
        scanner_for.cache_clear()


def test_q002_triggers_hold_every_character_q002_reports() -> None:
    # Every code point of _SUSPECT (lone surrogates too), by Python's re on the same patterns.
    import re
    import sys

    from ftdata.rules.quality import characters

    triggers = re.compile(b"|".join(pattern.encode("ascii")
                                    for pattern in characters._q002_triggers()))
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if characters._SUSPECT.match(char):
            assert triggers.search(char.encode("utf-8", "surrogatepass")), hex(code)
        elif triggers.search(char.encode("utf-8", "surrogatepass")):
            raise AssertionError(f"{code:#x} triggers Q002 but is no suspect")
