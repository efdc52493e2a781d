"""Every kind of input converts into every provider's format, and the output validates clean.

Each conversion writes or reports every record (``read == written + skipped``, each skip with
its line and reason), and the written file has no error-severity issue for its target.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.formats import format_ids, get_format
from ftdata.formats._reasoning import ReasoningMode
from ftdata.model import THINK_TAGS, Example
from tests.conftest import CORPUS, SAMPLES
from tests.sources import FIXTURES

SOURCES: dict[str, tuple[Path, dict[str, Any]]] = {
    "qa-spreadsheet": (FIXTURES / "faq.csv", {}),
    "support-chat-csv": (FIXTURES / "support_chat.csv", {}),
    "transcript": (FIXTURES / "transcript.txt", {}),
    "whatsapp": (FIXTURES / "whatsapp_ios_24h.txt", {"roles": {"Support": "assistant"}}),
    "chatgpt-export": (FIXTURES / "chatgpt_conversations.json", {}),
    "alpaca": (CORPUS / "alpaca__llamafactory_en_demo.json", {}),
    "sharegpt": (CORPUS / "sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json", {}),
}
TARGETS = [("openai-chat", "openai"), ("vertex-gemini", "vertex"),
           ("bedrock-conversation", "bedrock"), ("bedrock-claude", "bedrock"),
           ("trl-conversational", "trl"), ("sharegpt", "llamafactory"),
           ("alpaca", "llamafactory"), ("prompt-completion", "together")]


@pytest.mark.parametrize(("to", "target"), TARGETS, ids=[t[0] for t in TARGETS])
@pytest.mark.parametrize("source", list(SOURCES))
def test_source_converts_and_validates(source: str, to: str, target: str,
                                       tmp_path: Path) -> None:
    path, options = SOURCES[source]
    if not path.exists():
        pytest.skip(f"{path} is not present")
    output = tmp_path / "out.jsonl"
    summary = ftdata.convert(path, output, to=to, **options)
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    assert all(skip["reason"] for skip in summary["skipped"])
    if not summary["written"]:
        # Nothing this format can express (e.g. multi-turn chats as prompt-completion): every
        # record must then be reported.
        assert len(summary["skipped"]) == summary["read"] > 0
        return
    report = ftdata.validate(output, format=to, target=target, ignore=["F007", "D"],
                             tokens=False)
    errors = [(i.code, i.line, i.message) for i in report.issues if i.severity.value == "error"]
    assert errors == []


# -- reasoning traces ------------------------------------------------------------------------

REASONING_SOURCES = {
    "openai-chat": SAMPLES / "openai-chat" / "reasoning.jsonl",
    "bedrock-conversation": SAMPLES / "bedrock-conversation" / "reasoning.jsonl",
}
WRITABLE = [format_id for format_id in format_ids() if get_format(format_id).write is not None]


def _traces(examples: Iterable[Example]) -> list[list[str]]:
    return [[m.reasoning for m in example.all_messages() if m.reasoning is not None]
            for example in examples]


@pytest.mark.parametrize("mode", [None, "think-tags", "field", "drop"])
@pytest.mark.parametrize("to", WRITABLE)
@pytest.mark.parametrize("source", list(REASONING_SOURCES))
def test_reasoning_survives_every_conversion_that_can_hold_it(
        source: str, to: str, mode: ReasoningMode | None, tmp_path: Path) -> None:
    path = REASONING_SOURCES[source]
    output = tmp_path / "out.jsonl"
    summary = ftdata.convert(path, output, to=to, reasoning=mode)
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    skipped = {skip["line"] for skip in summary["skipped"]}
    read = _traces(ftdata.read(path))
    kept = [traces for line, traces in enumerate(read, 1) if line not in skipped]
    written = _traces(ftdata.read(output, from_=to)) if summary["written"] else []
    reasons = [skip["reason"] for skip in summary["skipped"]]
    if mode == "drop":
        assert written == [[] for _ in kept]
        assert summary["reasoning_dropped"] == sum(len(traces) for traces in kept)
    else:
        assert written == kept
        assert "reasoning_dropped" not in summary
    has_field = get_format(to).reasoning is not None
    if mode in ("think-tags", "drop") or (mode == "field" and has_field):
        # The trace has a place: no record is skipped because of it.
        assert not [reason for reason in reasons if "reasoning" in reason]
    if mode is None and not has_field:
        # A trace read from a field has nowhere to go: its record is skipped, with the reason.
        fields = [line for line, example in enumerate(ftdata.read(path), 1)
                  if any(m.reasoning_source not in (None, THINK_TAGS)
                         for m in example.all_messages())]
        assert {line for line in fields} <= skipped
        assert any("no place for a reasoning trace" in reason for reason in reasons)
    if summary["written"]:
        report = ftdata.validate(output, format=to, ignore=["F007", "D"], tokens=False)
        assert [i.code for i in report.issues if i.severity.value == "error"] == []


def test_convert_reasoning_drop_is_counted_in_the_text_summary(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ftdata.cli import cli

    output = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["convert", str(REASONING_SOURCES["openai-chat"]), "-o",
                                      str(output), "--to", "alpaca", "--reasoning", "drop"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("12 read, 12 written, 0 skipped, 13 reasoning traces "
                                  "dropped\n")
    bad = CliRunner().invoke(cli, ["convert", str(REASONING_SOURCES["openai-chat"]), "-o",
                                   str(output), "--to", "alpaca", "--reasoning", "stripped"])
    assert bad.exit_code == 2
