"""``validate_files``: training files, then their validation file against them (D004)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

import ftdata
from ftdata.api import validate_files
from ftdata.engine import ValidateOptions, validate_path
from ftdata.readers import InputError
from ftdata.report import Report


def chat(question: str, answer: str) -> str:
    return json.dumps({"messages": [{"role": "user", "content": question},
                                    {"role": "assistant", "content": answer}]}) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    train = tmp_path / "train.jsonl"
    train.write_text("".join(chat(f"Question {n}?", f"Answer {n}.") for n in range(12)),
                     encoding="utf-8")
    valid = tmp_path / "valid.jsonl"
    valid.write_text(chat("Question 3?", "Answer 3.") + chat("Something new?", "Yes."),
                     encoding="utf-8")
    return str(train), str(valid)


def test_the_validation_file_is_checked_against_the_training_files(
        files: tuple[str, str]) -> None:
    train, valid = files
    reports = validate_files([(train, ValidateOptions())], (valid, ValidateOptions()))
    assert [report.path for report in reports] == [train, valid]
    assert [(issue.code, issue.line) for issue in reports[1].issues] == [("D004", 1)]
    assert [issue.code for issue in reports[0].issues] == []
    assert reports[0].duplicates is None  # the index is dropped once it has been used


def test_without_a_validation_file_no_digests_are_kept_for_it(files: tuple[str, str]) -> None:
    train, _ = files
    seen: list[ValidateOptions] = []

    def check(path: str, options: ValidateOptions, training: Sequence[Report]) -> Report:
        seen.append(options)
        return validate_path(path, options, training=training)

    validate_files([(train, ValidateOptions())], check=check)
    assert [options.index_copies for options in seen] == [False]


def test_the_check_sees_the_training_reports_for_the_validation_file(
        files: tuple[str, str]) -> None:
    train, valid = files
    calls: list[tuple[str, bool, list[str]]] = []

    def check(path: str, options: ValidateOptions, training: Sequence[Report]) -> Report:
        calls.append((path, options.index_copies, [report.path for report in training]))
        return validate_path(path, options, training=training)

    validate_files([(train, ValidateOptions())], (valid, ValidateOptions()), check=check)
    assert calls == [(train, True, []), (valid, False, [train])]


def test_an_unreadable_file_is_told_and_left_out(files: tuple[str, str], tmp_path: Path) -> None:
    train, valid = files
    missing = str(tmp_path / "missing.jsonl")
    told: list[str] = []
    reports = validate_files([(missing, ValidateOptions()), (train, ValidateOptions())],
                             (valid, ValidateOptions()),
                             on_unreadable=lambda path, error: told.append(path))
    assert told == [missing]
    assert [report.path for report in reports] == [train, valid]
    assert [issue.code for issue in reports[1].issues] == ["D004"]
    with pytest.raises(InputError):
        validate_files([(missing, ValidateOptions())])


def test_ftdata_validate_goes_through_it(files: tuple[str, str]) -> None:
    train, valid = files
    report = ftdata.validate(train, validation_file=valid)
    assert report.validation is not None
    assert [issue.code for issue in report.validation.issues] == ["D004"]
    assert report.duplicates is None
