"""``ftdata split``: seeded, reproducible, and no copy on both sides."""

from __future__ import annotations

import json
from pathlib import Path

import ftdata
from ftdata.split import split_file


def chat(question: str, answer: str) -> dict[str, object]:
    return {"messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": answer}]}


def make(path: Path) -> Path:
    records = [chat(f"Question {n}?", f"Answer {n}.") for n in range(200)]
    records += [chat("Question 7?", "Answer 7.")] * 5  # copies of line 8
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "[1]\n")
    return path


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_split_is_leak_free_complete_and_reproducible(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl")
    first = split_file(source, tmp_path / "a", validation=0.1, seed=3)
    second = split_file(source, tmp_path / "b", validation=0.1, seed=3)
    train = lines(tmp_path / "a" / "train.jsonl")
    valid = lines(tmp_path / "a" / "validation.jsonl")
    assert train == lines(tmp_path / "b" / "train.jsonl")
    assert valid == lines(tmp_path / "b" / "validation.jsonl")
    assert (first.train_records, first.validation_records, first.groups) == (
        second.train_records, second.validation_records, second.groups)
    assert first.read == 206
    assert first.train_records + first.validation_records + len(first.skipped) == first.read
    assert first.skipped == [{"line": 206, "reason": "not a JSON object"}]
    assert not set(train) & set(valid)
    assert abs(first.validation_records - 20) <= 6
    report = ftdata.validate(tmp_path / "a" / "train.jsonl",
                             validation_file=tmp_path / "a" / "validation.jsonl")
    assert report.validation is not None
    assert "D004" not in [i.code for i in report.validation.issues]


def test_another_seed_gives_another_split(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl")
    split_file(source, tmp_path / "a", seed=1)
    split_file(source, tmp_path / "b", seed=2)
    assert lines(tmp_path / "a" / "validation.jsonl") != lines(tmp_path / "b" / "validation.jsonl")


def test_near_copies_stay_together(tmp_path: Path) -> None:
    text = ("Thanks for reaching out to the help desk. Your ticket {n} is open and an "
            "engineer will call you back within one working day to look at the problem.")
    records = [chat("Status?", text.format(n=f"T-{n}")) for n in range(30)]
    records += [chat(f"Unrelated question {n}?", f"Unrelated answer number {n}.")
                for n in range(30)]
    source = tmp_path / "data.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = split_file(source, tmp_path / "out", validation=0.2, seed=5, near=True)
    valid = lines(tmp_path / "out" / "validation.jsonl")
    train = lines(tmp_path / "out" / "train.jsonl")
    in_valid = sum("help desk" in line for line in valid)
    assert in_valid in (0, 30)
    assert sum("help desk" in line for line in train) == 30 - in_valid
    assert result.groups < 60


def test_validation_as_a_count(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl")
    result = split_file(source, tmp_path / "out", validation=12, seed=9)
    assert 12 <= result.validation_records <= 17
