"""Conformance over ../shared/corpus: real public files, each with a reviewed verdict.

``tests/snapshots/corpus.json`` holds, for every corpus file (and a few with a target or a
format forced), the detected format, the record counts and the number of issues per code, with
a note saying why that verdict is right (checked against the corpus MANIFEST). For the inputs
of ``ftdata convert`` (tables, chat logs) it holds what the conversion read, wrote and skipped
(by reason) and the verdict on its output, with a note each. A change that
alters a verdict must update the snapshot on purpose:

    FTDATA_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_corpus.py

The known defects the MANIFEST lists are also asserted one by one below, so an update cannot
quietly drop them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import ftdata

SNAPSHOT = Path(__file__).parent / "snapshots" / "corpus.json"
#: Converter inputs (tables, chat logs): not training files, checked by the converter tests.
CONVERTER_INPUTS = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(SNAPSHOT.read_text("utf-8"))["entries"]
    return entries


def _verdict(entry: dict[str, Any], corpus: Path) -> dict[str, Any]:
    report = ftdata.validate(corpus / entry["file"], **entry.get("options", {}))
    return {
        "format": report.format,
        "records": report.records,
        "valid_records": report.valid_records,
        "codes": dict(sorted(Counter(issue.code for issue in report.issues).items())),
    }


def _key(entry: dict[str, Any]) -> str:
    options = entry.get("options", {})
    suffix = " ".join(f"--{k} {v}" for k, v in sorted(options.items()))
    return f"{entry['file']} {suffix}".strip()


def test_every_corpus_file_has_a_snapshot(corpus: Path) -> None:
    files = {p.name for p in corpus.iterdir()
             if p.suffix in (".json", ".jsonl") and p.name != "MANIFEST.md"}
    assert files <= {entry["file"] for entry in _entries()}


@pytest.mark.parametrize("entry", _entries(), ids=_key)
def test_corpus_verdict_matches_the_reviewed_snapshot(entry: dict[str, Any],
                                                     corpus: Path) -> None:
    actual = _verdict(entry, corpus)
    expected = {k: entry[k] for k in ("format", "records", "valid_records", "codes")}
    if os.environ.get("FTDATA_UPDATE_SNAPSHOTS") and actual != expected:
        document = json.loads(SNAPSHOT.read_text("utf-8"))
        for stored in document["entries"]:
            if _key(stored) == _key(entry):
                stored.update(actual)
        SNAPSHOT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    assert actual == expected


# -- converter inputs: what a conversion reads, writes and skips, and the output's verdict ----


def _conversions() -> list[dict[str, Any]]:
    conversions: list[dict[str, Any]] = json.loads(SNAPSHOT.read_text("utf-8"))["conversions"]
    return conversions


def test_every_converter_input_has_a_conversion_snapshot(corpus: Path) -> None:
    inputs = {p.name for p in corpus.iterdir() if p.suffix in CONVERTER_INPUTS}
    assert inputs and inputs <= {entry["file"] for entry in _conversions()}


@pytest.mark.parametrize("entry", _conversions(), ids=lambda entry: entry["file"])
def test_corpus_conversion_matches_the_reviewed_snapshot(entry: dict[str, Any], corpus: Path,
                                                        tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    summary = ftdata.convert(corpus / entry["file"], output, **entry["options"])
    report = ftdata.validate(output, target="openai", tokens=False)
    actual = {
        "read": summary["read"], "written": summary["written"],
        "skipped": dict(sorted(Counter(item["reason"] for item in summary["skipped"]).items())),
        "output": {"codes": dict(sorted(Counter(i.code for i in report.issues).items()))},
    }
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    expected = {key: entry[key] for key in actual}
    if os.environ.get("FTDATA_UPDATE_SNAPSHOTS") and actual != expected:
        document = json.loads(SNAPSHOT.read_text("utf-8"))
        for stored in document["conversions"]:
            if stored["file"] == entry["file"]:
                stored.update(actual)
        SNAPSHOT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    assert actual == expected


def _issues(corpus: Path, name: str, **options: Any) -> list[tuple[str, int | None, str | None]]:
    report = ftdata.validate(corpus / name, **options)
    return [(i.code, i.line, i.pointer) for i in report.issues]


def test_manifest_defects_are_found(corpus: Path) -> None:
    # toy: line 4 has no user message.
    assert ("C005", 4, "/messages/1") in _issues(corpus, "openai_chat__cookbook_toy.jsonl")
    # axolotl: the first gpt turn (the second turn) is empty.
    assert _issues(corpus, "sharegpt__axolotl_missingturns.json") == [
        ("C002", 1, "/conversations/1/value")]
    # mistral: row 2 ends on a user turn and has an extra `properties` key.
    assert _issues(corpus, "mistral_messages__cookbook_dataset_import.jsonl") == [
        ("S002", 2, "/properties"), ("C003", 2, "/messages")]
    # oumi: tool messages use `id`, not `tool_call_id`, and answer no tool call.
    oumi = _issues(corpus, "oumi_chat_tool__oumi_tool_calling.jsonl")
    assert ("C011", 1, "/messages/2") in oumi
    assert ("S002", 1, "/messages/2/id") in oumi
    # Non-OpenAI roles: Gemini's `model`, Cohere's `System`/`User`/`Chatbot`.
    assert {code for code, _, _ in _issues(
        corpus, "messages_model_role__gcp_training_data_wrong.jsonl")} == {"C001"}
    assert {code for code, _, _ in _issues(corpus, "cohere_chat__convfinqa_eval.jsonl")} == {
        "C001"}
    # medmcq is user-only: fine for RFT, rejected as supervised chat data.
    assert _issues(corpus, "openai_rft__foundry_medmcq_validation.jsonl") == []
    assert {code for code, _, _ in _issues(
        corpus, "openai_rft__foundry_medmcq_validation.jsonl", format="openai-chat")} == {"C003"}


def test_corpus_records_are_never_lost(corpus: Path) -> None:
    for entry in _entries():
        report = ftdata.validate(corpus / entry["file"], **entry.get("options", {}))
        assert 0 <= report.valid_records <= report.records
