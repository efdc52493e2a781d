"""The benchmark data generator: reproducible, realistic in its text, defective only on purpose."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from benchmarks import generate
from ftdata.engine import ValidateOptions, validate_path


def records(count: int, *, seed: int = 7, plain: bool = False) -> list[dict[str, Any] | None]:
    """The first ``count`` lines parsed; ``None`` for a line that is not JSON."""
    out: list[dict[str, Any] | None] = []
    for line in islice(generate.lines(seed, plain=plain), count):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            out.append(None)
    return out


def texts(parsed: list[dict[str, Any] | None]) -> list[str]:
    return [message["content"] for record in parsed if record is not None
            for message in record["messages"] if isinstance(message.get("content"), str)]


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any] | None]:
    return records(3000)


def test_same_seed_and_size_give_the_same_bytes(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert generate.generate(str(first), 200_000, 3) == generate.generate(str(again), 200_000, 3)
    assert first.read_bytes() == again.read_bytes()
    assert first.stat().st_size >= 200_000
    generate.generate(str(other), 200_000, 4)
    assert other.read_bytes() != first.read_bytes()


def test_a_larger_file_starts_with_the_smaller_one(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    generate.generate(str(small), 50_000, 7)
    generate.generate(str(large), 150_000, 7)
    assert large.read_bytes().startswith(small.read_bytes())


def test_lexicon_is_zipf_distributed_with_common_words_at_the_head() -> None:
    lexicon = generate.Lexicon(random.Random(1))
    head = list(dict.fromkeys(generate.COMMON))
    assert lexicon.words[:len(head)] == head
    assert len(lexicon.words) == len(set(lexicon.words)) > 5000
    drawn = Counter(random.Random(2).choices(lexicon.words, cum_weights=lexicon.cum, k=200_000))
    assert drawn["the"] > drawn[head[50]] > drawn[lexicon.words[2000]]
    share_of_head = sum(drawn[word] for word in head) / 200_000
    assert 0.55 < share_of_head < 0.8  # the rest is the made words' long tail
    made = lexicon.words[len(head):]
    assert 5 < sum(map(len, made)) / len(made) < 10
    assert all(re.fullmatch(r"[a-z]+", word) for word in made)


def test_identifiers_never_look_like_secrets() -> None:
    writer = generate.Writer(random.Random(3), generate.Lexicon(random.Random(3)))
    names = [writer.ident() for _ in range(5000)]
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", name) for name in names)
    assert not any(part in name for name in names for part in generate._SECRETISH)


def test_prose_has_names_numbers_punctuation_and_markdown(
        sample: list[dict[str, Any] | None]) -> None:
    joined = "\n".join(texts(sample))
    words = len(joined.split())
    assert joined.count(",") > words / 40
    for mark in ("(", '"', ":", "?", "—", "**", "\n- ", "\n1. ", "## ", "`"):
        assert mark in joined, mark
    assert re.search(r"\b(?:19|20)\d\d-\d\d-\d\d\b", joined)  # dates
    assert re.search(r"[$€£]\d[\d,]*\.\d\d", joined)  # prices
    assert re.search(r"\bv\d+\.\d+\.\d+\b", joined)  # versions
    assert len(re.findall(r"(?<=[a-z] )[A-Z][a-z]{2,}", joined)) > 500  # names mid-sentence


def test_a_share_of_messages_is_partly_in_other_languages(
        sample: list[dict[str, Any] | None]) -> None:
    messages = texts(sample)
    scripts = {"latin accents": r"[äöüßéèêçñáíóú]", "cyrillic": r"[\u0400-\u04ff]",
               "greek": r"[\u0370-\u03ff]", "han": r"[\u4e00-\u9fff]", "kana": r"[\u30a0-\u30ff]",
               "hangul": r"[\uac00-\ud7af]"}
    for name, pattern in scripts.items():
        assert any(re.search(pattern, text) for text in messages), name
    foreign = sum(1 for text in messages if len(re.findall(r"[^\x00-\u024f]", text)) > 10
                  or len(re.findall(r"[äöüßéèêçñáíóú]", text)) > 3)
    assert 0.01 < foreign / len(messages) < 0.12


def test_a_quarter_of_answers_carry_varied_code(sample: list[dict[str, Any] | None]) -> None:
    answers = [message["content"] for record in sample if record is not None
               for message in record["messages"]
               if message["role"] == "assistant" and isinstance(message.get("content"), str)]
    fenced = [answer for answer in answers if "\n```" in answer]
    assert 0.18 < len(fenced) / len(answers) < 0.32
    languages = Counter(re.findall(r"```(\w+)\n", "\n".join(fenced)))
    for language in ("python", "sql", "json"):
        assert languages[language] > 20, languages
    assert languages["javascript"] + languages["js"] + languages["typescript"] > 20
    assert languages["bash"] + languages["sh"] + languages["shell"] > 20


def test_structure_duplicates_and_defects(sample: list[dict[str, Any] | None]) -> None:
    lines = list(islice(generate.lines(7), 3000))
    duplicates = len(lines) - len(set(lines))
    assert 0.01 < duplicates / len(lines) < 0.035
    assert 0 < sum(record is None for record in sample) < 30  # truncated lines
    parsed = [record for record in sample if record is not None]
    assert sum("tools" in record for record in parsed) / len(parsed) > 0.05
    assert max(len(record["messages"]) for record in parsed) > 8
    size = sum(len(line.encode()) + 1 for line in lines) / len(lines)
    assert 1300 < size < 2100  # bytes per line, as the benchmark's sizes assume


def test_plain_lines_hold_only_well_formed_chat_turns() -> None:
    for record in records(2000, plain=True):
        assert record is not None and set(record) == {"messages"}
        roles = [message["role"] for message in record["messages"]]
        assert set(roles) <= {"system", "user", "assistant"} and roles[-1] == "assistant"
        assert all(set(message) == {"role", "content"} and message["content"].strip()
                   for message in record["messages"])


def test_ftdata_reports_only_the_intended_defects(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    generate.generate(str(path), 3 << 20, 7)
    report = validate_path(path, ValidateOptions(count_tokens=False, jobs=1))
    codes = Counter(issue.code for issue in report.issues)
    assert set(codes) <= {"C001", "C002", "C003", "C005", "C011", "D001", "F002"}, codes
    assert codes["D001"] > 20 and codes["F002"] > 0


def test_plain_file_is_clean_but_for_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl"
    generate.generate(str(path), 1 << 20, 7, plain=True)
    report = validate_path(path, ValidateOptions(count_tokens=False, jobs=1))
    assert {issue.code for issue in report.issues} == {"D001"}


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert generate.main([str(out), "--size", "20KB", "--seed", "2", "--plain"]) == 0
    count = len(out.read_text(encoding="utf-8").splitlines())
    assert capsys.readouterr().err.strip() == f"{out}: {count} lines"
    assert generate.parse_size("1.5 MB") == 3 << 19 and generate.parse_size("200") == 200
