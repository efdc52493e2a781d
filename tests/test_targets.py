"""Targets speak for their owners: unknown keys, accepted formats, and the sources of each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.diagnostics import Severity
from ftdata.engine import ValidateOptions, validate_records
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"

#: tatsu-lab's alpaca rows carry the prompt already rendered in a ``text`` column; torchtune's
#: recipe tests train on exactly that.
ALPACA_WITH_TEXT = {"instruction": "Name a colour.", "input": "", "output": "Blue.",
                    "text": "Below is an instruction ... ### Response:\nBlue."}
CHAT_WITH_EXTRA = {"messages": [{"role": "user", "content": "Hi"},
                                {"role": "assistant", "content": "Hello", "mood": "warm"}],
                   "source": "crm"}


def _s002(record: dict[str, Any], **options: Any) -> dict[str, Severity]:
    report = validate_records([record], ValidateOptions(count_tokens=False, **options))
    return {issue.pointer or "": issue.severity for issue in report.issues
            if issue.code == "S002"}


@pytest.mark.parametrize("target", ["llamafactory", "axolotl", "generic"])
def test_an_extra_alpaca_column_is_info_where_the_trainer_drops_it(target: str) -> None:
    assert _s002(ALPACA_WITH_TEXT, format="alpaca", target=target) == {"/text": Severity.INFO}
    report = ftdata.validate_records([ALPACA_WITH_TEXT], format="alpaca", target=target,
                                     tokens=False)
    assert report.valid_records == 1


def test_a_clean_alpaca_record_has_no_unknown_key() -> None:
    clean = {key: value for key, value in ALPACA_WITH_TEXT.items() if key != "text"}
    assert _s002(clean, format="alpaca", target="llamafactory") == {}


@pytest.mark.parametrize(("target", "record_level", "nested"), [
    ("openai", Severity.ERROR, Severity.ERROR),
    ("azure-openai", Severity.ERROR, Severity.ERROR),
    ("fireworks", Severity.ERROR, Severity.ERROR),
    ("mistral", Severity.WARNING, Severity.ERROR),
    ("generic", Severity.ERROR, Severity.ERROR),
    ("together", Severity.ERROR, Severity.WARNING),
    ("trl", Severity.INFO, Severity.WARNING),
    ("axolotl", Severity.INFO, Severity.WARNING),
    ("llamafactory", Severity.INFO, Severity.WARNING),
    ("autotrain", Severity.INFO, Severity.WARNING),
])
def test_unknown_keys_in_a_chat_follow_the_owner_per_level(
        target: str, record_level: Severity, nested: Severity) -> None:
    found = _s002(CHAT_WITH_EXTRA, format="openai-chat", target=target)
    assert found == {"/source": record_level, "/messages/1/mood": nested}


def test_together_rejects_an_extra_key_in_text_and_prompt_completion_records() -> None:
    # together 1.5.35 check_file: 'Found extra column' for any key beyond the format's columns.
    assert _s002({"text": "a document", "id": 3}, format="text",
                 target="together") == {"/id": Severity.ERROR}
    assert _s002({"prompt": "2+2?", "completion": "4", "id": 3}, format="prompt-completion",
                 target="together") == {"/id": Severity.ERROR}
    assert _s002({"text": "a document", "id": 3}, format="text",
                 target="trl") == {"/id": Severity.INFO}


@pytest.mark.parametrize("fmt,record", [
    ("bedrock-claude", {"messages": [{"role": "user", "content": "Hi"},
                                     {"role": "assistant", "content": "Hello"}], "id": 1}),
    ("vertex-gemini", {"contents": [{"role": "user", "parts": [{"text": "Hi"}]},
                                    {"role": "model", "parts": [{"text": "Hello"}]}], "id": 1}),
])
def test_strict_cloud_targets_keep_unknown_keys_errors(fmt: str, record: dict[str, Any]) -> None:
    target = "bedrock" if fmt.startswith("bedrock") else "vertex"
    assert _s002(record, format=fmt, target=target) == {"/id": Severity.ERROR}


def test_the_users_severity_for_s002_wins_over_the_target() -> None:
    found = _s002(ALPACA_WITH_TEXT, format="alpaca", target="llamafactory",
                  severity={"S002": Severity.ERROR})
    assert found == {"/text": Severity.ERROR}
    found = _s002(CHAT_WITH_EXTRA, format="openai-chat", target="openai",
                  severity={"S002": Severity.WARNING})
    assert set(found.values()) == {Severity.WARNING}


def test_a_record_with_only_an_info_unknown_key_is_still_checked_for_copies() -> None:
    report = ftdata.validate_records([ALPACA_WITH_TEXT, ALPACA_WITH_TEXT], format="alpaca",
                                     target="llamafactory", tokens=False)
    assert [issue.code for issue in report.issues if issue.code == "D001"] == ["D001"]


# -- accepted formats --------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "fmt", "record"), [
    # LLaMA-Factory data/README.md: pre-training reads only the ``text`` column.
    ("llamafactory", "text", {"text": "A document to continue."}),
    # LLaMA-Factory data/dataset_info.json: kto_en_demo, messages plus a label as kto_tag.
    ("llamafactory", "trl-kto", {"messages": [{"role": "user", "content": "Hi"},
                                              {"role": "assistant", "content": "Hello"}],
                                 "label": True}),
    ("axolotl", "text", {"text": "A document to continue."}),
    ("trl", "text", {"text": "A document to continue."}),
    ("autotrain", "text", {"text": "human: hi \\n bot: hello"}),
])
def test_trainer_targets_accept_their_documented_formats(target: str, fmt: str,
                                                         record: dict[str, Any]) -> None:
    report = ftdata.validate_records([record], target=target, tokens=False)
    assert report.format == fmt
    assert [issue.code for issue in report.issues if issue.code == "F009"] == []


def test_autotrain_has_no_prompt_completion_columns() -> None:
    # AutoTrain's SFT reads one text column; a prompt/completion pair has nowhere to go.
    report = ftdata.validate_records([{"prompt": "2+2?", "completion": "4"}],
                                     target="autotrain", tokens=False)
    assert [issue.code for issue in report.issues] == ["F009"]


def test_llamafactory_reads_the_corpus_kto_and_pretraining_files() -> None:
    files = ["kto_messages__llamafactory_kto_en_demo.json", "text__mlx_lora_wikisql_train.jsonl"]
    if not all((CORPUS / name).is_file() for name in files):
        pytest.skip("corpus files not present")
    for name in files:
        report = ftdata.validate(CORPUS / name, target="llamafactory", tokens=False)
        assert "F009" not in {issue.code for issue in report.issues}, name


# -- sources -----------------------------------------------------------------------------------

_SOURCE = re.compile(r"https://\S+|[\w.-]+/[\w.-]+[ ,].*\.(py|md|qmd|mdx|json)\b|together \d")
#: Every rule difference a target can make, by field.
_DIFFERENCES = ("formats", "min_examples", "max_examples", "max_file_bytes",
                "strict_alternation", "tool_call_id_pattern", "content_xor_tool_calls",
                "max_images_per_example", "images_only_in_user", "unknown_keys")
_DEFAULTS: dict[str, object] = {
    "formats": None, "min_examples": 1, "max_examples": None, "max_file_bytes": None,
             "strict_alternation": False, "tool_call_id_pattern": None,
             "content_xor_tool_calls": False, "max_images_per_example": None,
             "images_only_in_user": False, "unknown_keys": {}}


@pytest.mark.parametrize("target", [t for t in TARGETS.values() if t.id != "generic"],
                         ids=lambda t: t.id)
def test_every_difference_of_a_target_names_its_source(target: Any) -> None:
    for name in _DIFFERENCES:
        if getattr(target, name) != _DEFAULTS[name] or name in ("formats", "unknown_keys"):
            assert _SOURCE.search(target.sources.get(name, "")), (target.id, name)
    for code in target.severity:
        assert _SOURCE.search(target.sources.get(code, "")), (target.id, code)
    assert set(target.formats or ()) <= set(FORMAT_MODULES)


def test_the_generic_target_names_the_owners_whose_leniency_it_borrows() -> None:
    generic = TARGETS["generic"]
    assert generic.unknown_keys and _SOURCE.search(generic.sources["unknown_keys"])


# -- errors beyond the owner -------------------------------------------------------------------

EMPTY_ANSWER = {"messages": [{"role": "user", "content": "Hi"},
                             {"role": "assistant", "content": ""}]}
IDENTICAL_PAIR = {"prompt": "2+2?", "chosen": "4", "rejected": "4"}


@pytest.mark.parametrize(("target", "severity"), [
    ("openai", Severity.ERROR), ("generic", Severity.ERROR), ("trl", Severity.WARNING),
    ("axolotl", Severity.WARNING), ("llamafactory", Severity.WARNING),
    ("autotrain", Severity.WARNING)])
def test_an_empty_turn_is_an_error_only_where_the_owner_refuses_it(target: str,
                                                                  severity: Severity) -> None:
    report = validate_records([EMPTY_ANSWER], ValidateOptions(target=target, count_tokens=False,
                                                              count_limits=False))
    assert [(i.code, i.severity) for i in report.issues] == [("C002", severity)]


@pytest.mark.parametrize(("target", "severity"), [
    ("generic", Severity.ERROR), ("trl", Severity.WARNING), ("axolotl", Severity.WARNING),
    ("autotrain", Severity.WARNING)])
def test_an_identical_pair_is_a_warning_for_the_trainers(target: str,
                                                        severity: Severity) -> None:
    report = validate_records([IDENTICAL_PAIR], ValidateOptions(target=target,
                                                                count_tokens=False))
    assert [(i.code, i.severity) for i in report.issues] == [("C014", severity)]
