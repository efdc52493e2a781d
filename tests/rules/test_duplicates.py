"""Duplicate rules: one test each with records that trigger it and records that do not."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.rules.duplicates import DigestIndex, shingles
from tests.rules.helpers import assistant, chat, user


def issues(records: list[Any], **options: Any) -> list[tuple[str, int | None, str]]:
    report = ftdata.validate_records(records, format="openai-chat", ignore=["F007"], **options)
    return [(i.code, i.line, i.message) for i in report.issues]


def test_d001_names_the_first_copy_whatever_the_spelling() -> None:
    first = chat(user("Où est la gare ?"), assistant("À gauche."))
    reordered = '{"messages": [{"content": "Où est la gare ?", "role": "user"},' \
                '{"content": "À gauche.", "role": "assistant"}]}'
    decomposed = chat(user(unicodedata.normalize("NFD", "Où est la gare ?")),
                      assistant(unicodedata.normalize("NFD", "À gauche.")))
    found = issues([first, chat(user("Hi"), assistant("Hello")), reordered, decomposed])
    assert found == [("D001", 3, "duplicate of line 1"), ("D001", 4, "duplicate of line 1")]


def test_d001_silent_on_different_examples() -> None:
    assert issues([chat(user("Hi"), assistant("Hello")),
                   chat(user("Hi"), assistant("Hello"), user("Bye"), assistant("Ciao"))]) == []


def test_d002_near_duplicates_are_opt_in() -> None:
    base = ("Thank you for contacting Acme support. Your order number {n} has shipped and "
            "will arrive within three to five business days. You can follow the parcel with "
            "the tracking link in the confirmation email we sent when you placed the order. "
            "Reply here if anything is wrong and we will sort it out for you right away.")
    records = [chat(user("Where is my order?"), assistant(base.format(n="A1"))),
               chat(user("Where is my order?"), assistant(base.format(n="B7"))),
               chat(user("How do I reset my password?"),
                    assistant("Open Settings, choose Security, then Reset password."))]
    assert [code for code, _, _ in issues(records)] == ["D003"]
    found = issues(records, near_duplicates=True)
    assert ("D002", 2) in [(code, line) for code, line, _ in found]
    assert all(line != 3 for code, line, _ in found if code == "D002")


SYSTEM = ("You are the assistant of a drone pilot. Answer with one function call; when the "
          "request cannot be done with your functions, call reject_request instead. Keep the "
          "drone safe, never fly over people, and report the battery level when asked about it.")


def test_d002_leaves_out_the_shared_system_prompt() -> None:
    """Before: the repeated system prompt made two unrelated requests 'near duplicates'."""
    records = [chat({"role": "system", "content": SYSTEM}, user("Land at the base station"),
                    assistant("Landing at home base now.")),
               chat({"role": "system", "content": SYSTEM}, user("Go faster please"),
                    assistant("Raising the speed to ten metres per second."))]
    assert [code for code, _, _ in issues(records, near_duplicates=True)] == []
    # The same conversation under another system prompt is still a near copy.
    long_answer = ("Landing at home base now. The battery is at sixty percent, the wind is calm "
                   "and the landing pad is clear, so the drone will touch down in about a "
                   "minute and switch its rotors off.")
    copies = [chat({"role": "system", "content": SYSTEM}, user("Land at the base station"),
                   assistant(long_answer)),
              chat({"role": "system", "content": "Be brief."}, user("Land at the base station"),
                   assistant(long_answer + " Done."))]
    assert ("D002", 2) in [(code, line) for code, line, _ in
                           issues(copies, near_duplicates=True)]


def test_d002_flag_rate_on_the_corpus_drone_file(corpus: Path) -> None:
    """Measured: 44 of 87 examples flagged while the system prompt and tools were compared;
    none since (the tool calls and requests differ)."""
    report = ftdata.validate(corpus / "openai_chat_tools__cookbook_drone.jsonl",
                             near_duplicates=True, select="D002")
    assert report.records == 87
    flagged = [issue for issue in report.issues if issue.code == "D002"]
    assert len(flagged) <= 5, [(issue.line, issue.message) for issue in flagged]


def test_d003_silent_on_stepwise_chains_of_one_prompt() -> None:
    # Process supervision labels several step chains of one prompt, on purpose.
    records = [{"prompt": "9.8 or 9.11?", "completions": ["0.8 > 0.11.", "So 9.8."],
                "labels": [True, True]},
               {"prompt": "9.8 or 9.11?", "completions": ["0.8 > 0.11.", "So 9.11."],
                "labels": [True, False]}]
    report = ftdata.validate_records(records, format="trl-stepwise", tokens=False)
    assert report.issues == []


def test_d003_conflicting_answers() -> None:
    records = [chat(user("What is the refund window?"), assistant("14 days.")),
               chat(user("What is the refund window?"), assistant("30 days.")),
               chat(user("What is the refund window?"), assistant("14 days."))]
    assert issues(records) == [
        ("D003", 2, "same prompt as line 1 with a different answer"),
        ("D001", 3, "duplicate of line 1")]


def test_d003_silent_on_same_answer_or_other_prompt() -> None:
    records = [chat(user("What is the refund window?"), assistant("14 days.")),
               chat(user("How long is the refund window?"), assistant("30 days."))]
    assert issues(records) == []


def test_d003_ignores_labelled_unpaired_preference_data() -> None:
    records = [{"prompt": "2+2?", "completion": "4", "label": True},
               {"prompt": "2+2?", "completion": "5", "label": False}]
    report = ftdata.validate_records(records, format="trl-kto")
    assert report.issues == []


def test_invalid_records_take_no_part_in_duplicates() -> None:
    records = [chat(user("Hi"), assistant("")), chat(user("Hi"), assistant("Hello"))]
    assert [code for code, _, _ in issues(records)] == ["C002"]


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_d004_validation_leak_is_reported_in_the_validation_file(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [chat(user(f"Q{n}"), assistant(f"A{n}"))
                                              for n in range(12)])
    valid = _write(tmp_path / "valid.jsonl", [chat(user("Q99"), assistant("A99")),
                                              chat(user("Q7"), assistant("A7"))])
    report = ftdata.validate(train, target="openai", validation_file=valid)
    assert report.issues == []
    assert report.validation is not None
    assert [(i.code, i.line, i.message) for i in report.validation.issues] == [
        ("D004", 2, f"also in the training file ({train}:8)")]
    assert not report.validation.ok
    # Count limits apply to the training file only: two records are fine here.
    assert "F007" not in [i.code for i in report.validation.issues]


def test_the_library_verdict_on_leaks_is_the_clis(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [chat(user(f"Q{n}"), assistant(f"A{n}"))
                                              for n in range(12)])
    valid = _write(tmp_path / "valid.jsonl", [chat(user(f"Q{n}"), assistant(f"A{n}"))
                                              for n in range(5)])
    report = ftdata.validate(train, target="openai", validation_file=valid, tokens=False)
    process = subprocess.run([sys.executable, "-m", "ftdata", "validate", str(train),
                              "--validation-file", str(valid), "--target", "openai",
                              "--isolated", "--no-tokens", "--quiet"],
                             capture_output=True, text=True, check=False)
    assert process.returncode == 1, process.stderr
    assert report.issues == [] and not report.ok
    data = report.to_dict()
    assert data["validation"]["path"] == str(valid)
    assert [i["code"] for i in data["validation"]["issues"]] == ["D004"] * 5
    clean = ftdata.validate(train, target="openai", validation_file=_write(
        tmp_path / "other.jsonl", [chat(user("Q99"), assistant("A99"))]), tokens=False)
    assert clean.ok and clean.to_dict()["validation"]["issues"] == []
    assert "validation" not in ftdata.validate(train, target="openai", tokens=False).to_dict()


def test_d004_silent_without_leaks_and_in_the_cli_json(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [chat(user("Q1"), assistant("A1"))])
    valid = _write(tmp_path / "valid.jsonl", [chat(user("Q2"), assistant("A2"))])
    process = subprocess.run([sys.executable, "-m", "ftdata", "validate", str(train),
                              "--validation-file", str(valid), "--output-format", "json"],
                             capture_output=True, text=True, check=False)
    assert process.returncode == 0
    files = json.loads(process.stdout)["files"]
    assert [entry["path"] for entry in files] == [str(train), str(valid)]
    assert all(entry["issues"] == [] for entry in files)


@pytest.mark.parametrize("selection", [{"select": "D004"}, {"ignore": "D001,D003"},
                                       {"ignore": "D001,D002,D003"}])
def test_d004_holds_with_the_other_duplicate_rules_off(tmp_path: Path,
                                                       selection: dict[str, str]) -> None:
    train = _write(tmp_path / "train.jsonl", [chat(user(f"Q{n}"), assistant(f"A{n}"))
                                              for n in range(12)])
    valid = _write(tmp_path / "valid.jsonl", [chat(user("Q7"), assistant("A7"))])
    option, codes = next(iter(selection.items()))
    report = ftdata.validate(train, target="openai", validation_file=valid,
                             select=codes if option == "select" else None,
                             ignore=codes if option == "ignore" else None)
    assert report.validation is not None
    assert [(i.code, i.message) for i in report.validation.issues] == [
        ("D004", f"also in the training file ({train}:8)")]
    process = subprocess.run([sys.executable, "-m", "ftdata", "validate", str(train),
                              "--validation-file", str(valid), f"--{option}", codes,
                              "--isolated", "--no-tokens", "--quiet"],
                             capture_output=True, text=True, check=False)
    assert process.returncode == 1, process.stderr
    assert "D004" in process.stdout


def test_near_leak_needs_near_duplicates(tmp_path: Path) -> None:
    text = ("Our office opens at nine in the morning and closes at six in the evening from "
            "Monday to Friday; on Saturdays we open at ten and close at {t}.")
    train = _write(tmp_path / "train.jsonl", [chat(user("Hours?"), assistant(text.format(
        t="two")))])
    valid = _write(tmp_path / "valid.jsonl", [chat(user("Hours?"), assistant(text.format(
        t="three")))])
    assert ftdata.validate(train, validation_file=valid).validation.issues == []  # type: ignore[union-attr]
    near = ftdata.validate(train, validation_file=valid, near_duplicates=True).validation
    assert near is not None and [i.code for i in near.issues] == ["D004"]


def test_digest_index_grows_and_keeps_first_lines() -> None:
    import xxhash

    index = DigestIndex(capacity=8)
    digests = [xxhash.xxh3_128_digest(str(n).encode()) for n in range(5000)]
    for line, digest in enumerate(digests, start=1):
        assert index.setdefault(digest, line) is None
    for line, digest in enumerate(digests, start=1):
        assert index.setdefault(digest, line + 10**6) == line
    assert index.size == 5000
    assert index.nbytes / index.size <= 16 / 0.375  # 16-byte slots, load factor >= 3/8


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, World!", [b"hello world"]),
    ("The quick, brown FOX jumps", [b"the quick brown", b"quick brown fox", b"brown fox jumps"]),
    ("", []),
])
def test_shingles_fold_case_and_punctuation(text: str, expected: list[bytes]) -> None:
    assert shingles(text) == expected


def test_lone_surrogates_and_huge_integers_do_not_break_the_index() -> None:
    line = ('{"messages": [{"role": "user", "content": "\\ud800 1"}, '
            '{"role": "assistant", "content": "ok", "weight": 1}], "n": 1}')
    found = [code for code, _, _ in issues([line.replace(', "n": 1', ""),
                                            line.replace(', "n": 1', "")])]
    assert "D001" in found


def test_the_near_index_costs_little_per_example() -> None:
    """Before: datasketch's band tables, several KB an example (336 MB for a 50 MB file)."""
    import tracemalloc

    from ftdata.rules.duplicates import NearIndex, minhash_of

    sketches = [minhash_of(f"example {n} asks about topic {n * 7} and answers it in full")
                for n in range(2000)]
    index = NearIndex()
    tracemalloc.start()
    for line, sketch in enumerate(sketches, start=1):
        assert sketch is not None
        index.insert(line, sketch)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size / len(sketches) < 2500, size / len(sketches)  # measured: 4,380 before, 1,700
    probe = minhash_of("example 5 asks about topic 35 and answers it in full")
    assert probe is not None and index.query(probe) == (6, 1.0)


def test_the_bands_are_datasketchs_without_it() -> None:
    datasketch = pytest.importorskip("datasketch")
    from ftdata.rules.duplicates import LSH_WEIGHTS, NUM_PERM, near_bands

    for hundredths in range(50, 100, 3):
        threshold = hundredths / 100
        expected = datasketch.MinHashLSH(threshold=threshold, num_perm=NUM_PERM,
                                          weights=LSH_WEIGHTS).hashranges
        assert near_bands(threshold) == list(expected), threshold


def _near_verdicts(path: Path, engine: str) -> set[tuple[int, int]]:
    from ftdata.rules import duplicates

    previous, duplicates._ENGINE = duplicates._ENGINE, engine
    try:
        report = ftdata.validate(path, tokens=False, near_duplicates=True, select="D002",
                                 jobs=1)
    finally:
        duplicates._ENGINE = previous
    return {(issue.line, int(issue.message.split("line ")[1].split(" ")[0]))
            for issue in report.issues if issue.code == "D002" and issue.line is not None}


def _near_texts(path: Path) -> dict[int, str]:
    from ftdata.engine import detect_format, sample_records
    from ftdata.parsing import RecordError, decode_record
    from ftdata.readers import RawRecord, read_events
    from ftdata.rules.duplicates import near_text

    fmt = detect_format(sample_records(path)).format
    assert fmt is not None
    texts = {}
    for event in read_events(path):
        if isinstance(event, RawRecord):
            try:
                texts[event.line] = near_text(fmt.read(decode_record(event.data)))
            except (RecordError, KeyError, TypeError, ValueError, AttributeError, IndexError):
                continue
    return texts


def test_rensa_and_datasketch_agree_on_the_corpus_but_for_borderline_pairs(
        corpus: Path) -> None:
    """D002 with rensa's signatures against datasketch's, 128 permutations, threshold 0.8.

    Two MinHash families estimate the same Jaccard similarity with independent errors (the
    standard error at 0.8 and 128 permutations is 0.035), so they cannot agree on every pair
    near the threshold. Measured on the 26 JSON corpus files: datasketch flags 146 pairs,
    rensa 142, 138 by both; each of the 12 flagged by one only has an exact shingle
    similarity between 0.76 and 0.86, and rensa is right (exact >= 0.8 or not) on 9 of them.
    (The first 20 MB of the benchmark's generated data: no pair flagged by either.)
    """
    pytest.importorskip("datasketch")
    pytest.importorskip("rensa")
    from ftdata.rules.duplicates import NEAR_THRESHOLD, shingles

    both = either = 0
    for path in sorted(corpus.glob("*.json*")):
        old, new = _near_verdicts(path, "datasketch"), _near_verdicts(path, "rensa")
        both += len(old & new)
        either += len(old | new)
        if old == new:
            continue
        texts = _near_texts(path)
        for later, first in old ^ new:
            a, b = set(shingles(texts[later])), set(shingles(texts[first]))
            exact = len(a & b) / len(a | b)
            # Only where an estimate can go either way: within three standard errors.
            assert abs(exact - NEAR_THRESHOLD) <= 0.1, (path.name, later, first, exact)
    assert either and both / either >= 0.9, (both, either)
