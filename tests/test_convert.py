"""``ftdata.convert``: the summary, nothing dropped silently, exact texts, atomic outputs."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import importlib
import json
import os
import sys
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ftdata
import ftdata.conversion
import ftdata.formats
from ftdata.conversion import (
    ConvertError,
    SkippedRecords,
    SkippedRecordWarning,
    convert,
    detect_kind,
)
from ftdata.formats import Unrepresentable, get_format
from ftdata.model import Example
from ftdata.outputs import OutputError
from ftdata.readers import InputError
from ftdata.sources import SourceError
from tests.conftest import CORPUS
from tests.sources import FIXTURES

FAQ = FIXTURES / "faq.csv"
#: The conversion module (``ftdata.convert`` is the API function).
CONVERT: Any = importlib.import_module("ftdata.conversion")
SUMMARY_KEYS = ["input", "output", "from", "to", "read", "written", "skipped"]


def _stand_in_write(example: Example) -> dict[str, Any]:
    """A minimal openai-chat writer, used only while the real one does not exist."""
    if example.kind not in ("chat", "completion") or example.label is not None:
        raise Unrepresentable(f"openai-chat has no place for a {example.kind} example")
    return {"messages": [{"role": m.role, "content": m.text} for m in example.messages]}


@pytest.fixture
def writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """openai-chat can be written: its writer, or a stand-in while it does not exist."""
    fmt = get_format("openai-chat")
    if fmt.write is None:
        monkeypatch.setitem(ftdata.formats._LOADED, "openai-chat",
                            dataclasses.replace(fmt, write=_stand_in_write))


def with_writer(monkeypatch: pytest.MonkeyPatch,
                write: Callable[[Example], dict[str, Any]]) -> None:
    """Give openai-chat another writer for one test."""
    fmt = dataclasses.replace(get_format("openai-chat"), write=write)
    monkeypatch.setitem(ftdata.formats._LOADED, "openai-chat", fmt)


def needs_writer(format_id: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(get_format(format_id).write is None,
                              reason=f"{format_id} has no writer yet")


def records(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def check(summary: dict[str, Any], output: Path) -> None:
    """Every record read is written or reported with a location and a reason."""
    assert list(summary) == SUMMARY_KEYS
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    assert len(records(output)) == summary["written"]
    for entry in summary["skipped"]:
        assert list(entry) == ["line", "reason"]
        assert entry["line"] is None or entry["line"] >= 1
        assert isinstance(entry["reason"], str) and entry["reason"]


def texts(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(message["role"], message["content"]) for message in record["messages"]]


# -- the summary and the contents -------------------------------------------------------------


@pytest.mark.usefixtures("writer")
def test_summary_and_byte_exact_texts(tmp_path: Path) -> None:
    output = tmp_path / "train.jsonl"
    summary = convert(FAQ, output, to="openai-chat")
    check(summary, output)
    assert summary == {"input": str(FAQ), "output": str(output), "from": "csv",
                       "to": "openai-chat", "read": 5, "written": 4,
                       "skipped": [{"line": 3, "reason": "empty answer"}]}
    with FAQ.open(encoding="utf-8", newline="") as stream:
        rows = [row for row in list(csv.reader(stream))[1:] if row and row[1]]
    assert [texts(record) for record in records(output)] == [
        [("user", question), ("assistant", answer)] for question, answer in rows]
    assert "Zürich".encode() in output.read_bytes()  # UTF-8, not \u escapes


@pytest.mark.usefixtures("writer")
def test_system_is_added_where_there_is_none(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    convert(FIXTURES / "qa.jsonl", output, to="openai-chat", system="Answer briefly.")
    systems = [record["messages"][0] for record in records(output)]
    assert [m["content"] for m in systems] == ["Answer briefly.", "Answer briefly.",
                                               "Be exact.", "Answer briefly."]


@pytest.mark.usefixtures("writer")
@pytest.mark.parametrize(("name", "options", "read", "written"), [
    ("faq.csv", {}, 5, 4),
    ("support_chat.csv", {}, 6, 3),
    ("support_chat.csv", {"roles": {"robot": "assistant"}}, 6, 4),
    ("transcript.txt", {}, 5, 2),
    ("whatsapp_android_12h.txt", {"roles": {"Tienda": "assistant"}}, 5, 2),
    ("whatsapp_android_24h.txt", {"roles": {"Shop Bot 🤖": "assistant"}}, 3, 1),
    ("whatsapp_ios_12h.txt", {"roles": {"Support": "assistant"}}, 2, 1),
    ("whatsapp_ios_24h.txt", {"roles": {"Support": "assistant"}}, 2, 1),
    ("chatgpt_conversations.json", {}, 4, 1),
    ("qa.jsonl", {}, 8, 4),
    ("qa.json", {}, 2, 2),
    ("cohere_chat.jsonl", {}, 4, 1),
])
def test_every_fixture_converts(tmp_path: Path, name: str, options: dict[str, Any], read: int,
                                written: int) -> None:
    output = tmp_path / "out.jsonl"
    summary = convert(FIXTURES / name, output, to="openai-chat", **options)
    check(summary, output)
    assert (summary["read"], summary["written"]) == (read, written)


@needs_writer("openai-chat")
@pytest.mark.parametrize("name", ["faq.csv", "support_chat.csv", "transcript.txt", "qa.jsonl",
                                  "chatgpt_conversations.json", "whatsapp_ios_24h.txt"])
def test_outputs_pass_validation_for_their_target(tmp_path: Path, name: str) -> None:
    output = tmp_path / "out.jsonl"
    convert(FIXTURES / name, output, to="openai-chat", roles=(
        {"Support": "assistant"} if name.startswith("whatsapp") else None))
    report = ftdata.validate(output, target="openai", ignore="F007", tokens=False)
    assert [issue for issue in report.issues if issue.severity == "error"] == []


@needs_writer("sharegpt")
@needs_writer("prompt-completion")
def test_other_targets_validate_too(tmp_path: Path) -> None:
    sharegpt, pairs = tmp_path / "sharegpt.jsonl", tmp_path / "pairs.jsonl"
    check(convert(FIXTURES / "support_chat.csv", sharegpt, to="sharegpt"), sharegpt)
    check(convert(FIXTURES / "qa.jsonl", pairs, to="prompt-completion"), pairs)
    for path, target in ((sharegpt, "llamafactory"), (pairs, "openai")):
        report = ftdata.validate(path, target=target, ignore="F007", tokens=False)
        assert [issue.code for issue in report.issues if issue.severity == "error"] == []


# -- what is skipped, and why -----------------------------------------------------------------


def test_unrepresentable_records_are_skipped_with_the_writer_s_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def picky(example: Example) -> dict[str, Any]:
        if "Zürich" in example.messages[0].text:
            raise Unrepresentable("no place for Swiss cities")
        return _stand_in_write(example)

    with_writer(monkeypatch, picky)
    output = tmp_path / "out.jsonl"
    summary = convert(FAQ, output, to="openai-chat")
    check(summary, output)
    assert summary["skipped"] == [{"line": 2, "reason": "no place for Swiss cities"},
                                  {"line": 3, "reason": "empty answer"}]


@pytest.mark.usefixtures("writer")
def test_records_json_cannot_hold_are_skipped(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"messages": [{"role": "user", "content": "\\ud800"}, '
                      '{"role": "assistant", "content": "ok"}]}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = convert(source, output, to="openai-chat")
    check(summary, output)
    assert summary["skipped"][0]["line"] == 1
    assert summary["skipped"][0]["reason"].startswith("cannot be written as JSON")


@pytest.mark.usefixtures("writer")
def test_roles_conversation_checks(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "model", "content": "Yo"}]}\n'
        '{"messages": [{"role": "user", "content": "Hi"}]}\n'
        '{"messages": [{"role": "user", "content": "Hi"}, '
        '{"role": "assistant", "content": "  "}]}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = convert(source, output, to="openai-chat", from_="openai-chat")
    assert summary["skipped"] == [
        {"line": 1, "reason": "unknown role 'model' (map it with --roles "
                              "'model=user|assistant|system')"},
        {"line": 2, "reason": "no assistant turn"},
        {"line": 3, "reason": "empty answer (at /messages/1)"}]
    summary = convert(source, output, to="openai-chat", roles={"model": "assistant"})
    assert summary["written"] == 1 and records(output) == [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}]


@needs_writer("openai-rft")
def test_a_target_that_ends_with_the_user_needs_no_answer(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"messages": [{"role": "user", "content": "Hi"}]}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert convert(source, output, to="openai-rft")["written"] == 1


@pytest.mark.usefixtures("writer")
def test_strict_raises_after_writing(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with pytest.raises(SkippedRecords, match=r"1 of 5 records skipped \(first: line 3: "
                                             r"empty answer\)") as raised:
        convert(FAQ, output, to="openai-chat", strict=True)
    check(raised.value.summary, output)
    assert convert(FIXTURES / "qa.json", output, to="openai-chat", strict=True)["written"] == 2


def test_a_format_without_a_writer_cannot_be_a_target(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = dataclasses.replace(get_format("openai-chat"), write=None)
    monkeypatch.setitem(ftdata.formats._LOADED, "openai-chat", fmt)
    with pytest.raises(ConvertError, match="writing openai-chat is not supported yet"):
        convert(FAQ, tmp_path / "out.jsonl", to="openai-chat")
    assert not (tmp_path / "out.jsonl").exists()


# -- files ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("writer")
def test_a_failure_mid_write_leaves_the_old_output_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "train.jsonl"
    output.write_bytes(b"old contents\n")
    encode = CONVERT.encode
    calls = []

    def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return encode(*args)

    monkeypatch.setattr(CONVERT, "encode", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        convert(FAQ, output, to="openai-chat")
    assert output.read_bytes() == b"old contents\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["train.jsonl"]


@pytest.mark.usefixtures("writer")
def test_an_unreadable_input_leaves_no_output(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("question,answer\na,b\nc,d,e\n", encoding="utf-8")
    with pytest.raises(InputError, match="Expected 2 fields"):
        convert(source, tmp_path / "out.jsonl", to="openai-chat")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.usefixtures("writer")
def test_the_output_may_not_be_the_input(tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    source.write_bytes(FAQ.read_bytes())
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    for output in (source, tmp_path / "sub" / ".." / "faq.csv", link):
        if output.parent.name == "sub":
            (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match="refusing to write over the input"):
            convert(source, output, to="openai-chat")
    assert source.read_bytes() == FAQ.read_bytes()
    with pytest.raises(OutputError):
        convert(link, source, to="openai-chat", from_="csv")


@pytest.mark.usefixtures("writer")
def test_gzip_output(tmp_path: Path) -> None:
    plain, packed = tmp_path / "out.jsonl", tmp_path / "out.jsonl.gz"
    convert(FAQ, plain, to="openai-chat")
    check(convert(FAQ, packed, to="openai-chat"), packed)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


@pytest.mark.usefixtures("writer")
def test_memory_stays_flat(tmp_path: Path) -> None:
    """A 4 MB conversion peaks far below the file's size: records stream through."""
    source = tmp_path / "big.jsonl"
    line = json.dumps({"messages": [{"role": "user", "content": "Où est la gare? " * 10},
                                    {"role": "assistant", "content": "Tout droit. " * 20}]},
                      ensure_ascii=False).encode("utf-8") + b"\n"
    source.write_bytes(line * (4_000_000 // len(line)))
    size = source.stat().st_size
    output, warm_up = tmp_path / "out.jsonl", tmp_path / "small.jsonl"
    warm_up.write_bytes(line)
    convert(warm_up, output, to="openai-chat")  # imports and caches outside the measurement
    tracemalloc.start()
    try:
        summary = convert(source, output, to="openai-chat")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary["written"] == summary["read"] == size // len(line)
    assert peak < size / 10, f"peak {peak:,} bytes for a {size:,}-byte file"


# -- detection and the library API ------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [
    ("faq.csv", "csv"), ("support_chat.csv", "csv"), ("transcript.txt", "transcript"),
    ("whatsapp_android_12h.txt", "whatsapp"), ("whatsapp_ios_24h.txt", "whatsapp"),
    ("chatgpt_conversations.json", "chatgpt-export"), ("qa.jsonl", "qa"), ("qa.json", "qa"),
    ("cohere_chat.jsonl", "cohere-chat"),
])
def test_detect_kind(name: str, kind: str) -> None:
    assert detect_kind(FIXTURES / name) == kind


def test_detection_by_content_and_its_failures(tmp_path: Path) -> None:
    unnamed = tmp_path / "export"
    unnamed.write_text('[{"mapping": {}, "current_node": "x"}]', encoding="utf-8")
    chat = tmp_path / "chat.log"
    chat.write_text("User: hi\nAssistant: hello\n", encoding="utf-8")
    prose = tmp_path / "notes.log"
    prose.write_text("Nothing to see here.\n", encoding="utf-8")
    corpus = tmp_path / "notes.txt"
    corpus.write_text("Nothing to see here.\n", encoding="utf-8")
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"foo": 1}\n', encoding="utf-8")
    assert detect_kind(unnamed) == "chatgpt-export" and detect_kind(chat) == "transcript"
    assert detect_kind(corpus) == "text"  # a .txt that is no chat log: a plain-text corpus
    with pytest.raises(SourceError, match="cannot tell what kind of input this is"):
        detect_kind(prose)
    with pytest.raises(SourceError, match=r"no known input has these keys \(foo\)"):
        detect_kind(odd)


@pytest.mark.parametrize(("name", "kind"), [
    ("csv_qa_noheader__bedrock_sagemaker_faqs.csv", "csv"),
    ("chatlog_whatsapp__chatminer_12hrs.txt", "whatsapp"),
    ("cohere_chat__convfinqa_eval.jsonl", "cohere-chat"),
    ("alpaca__llamafactory_en_demo.json", "alpaca"),
    ("sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json", "sharegpt"),
    ("openai_dpo__together_rewardbench2_val.jsonl", "openai-preference"),
])
def test_detect_kind_on_the_corpus(name: str, kind: str) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("corpus not present")
    assert detect_kind(CORPUS / name) == kind


@pytest.mark.usefixtures("writer")
def test_ftdata_convert_stays_callable_once_its_module_is_imported(tmp_path: Path) -> None:
    summary = ftdata.convert(FAQ, tmp_path / "a.jsonl", to="openai-chat")
    assert CONVERT.convert(FAQ, tmp_path / "b.jsonl", to="openai-chat") == {
        **summary, "output": str(tmp_path / "b.jsonl")}
    assert callable(ftdata.convert)
    assert ftdata.convert(FAQ, tmp_path / "c.jsonl", to="openai-chat")["written"] == 4


def test_read_yields_examples_and_reports_skips() -> None:
    skipped: list[tuple[int | None, str]] = []
    examples = list(ftdata.read(FAQ, system="Be kind.",
                                on_skip=lambda line, reason: skipped.append((line, reason))))
    assert skipped == [(3, "empty answer")]
    assert [example.messages[0].text for example in examples] == ["Be kind."] * 4
    with pytest.warns(SkippedRecordWarning, match=r"faq\.csv:3: skipped: empty answer"):
        assert len(list(ftdata.read(FAQ))) == 4


def test_skip_warnings_point_at_the_callers_line() -> None:
    for read in (ftdata.read, ftdata.conversion.read):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            examples = list(read(FAQ))
            line = sys._getframe().f_lineno - 1
        assert len(examples) == 4
        assert [(w.category, w.filename, w.lineno) for w in caught] == [
            (SkippedRecordWarning, __file__, line)]


# -- corpus ----------------------------------------------------------------------------------


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(path.name for path in CORPUS.iterdir() if path.suffix != ".md")


@pytest.mark.usefixtures("writer")
@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_record_is_written_or_reported(tmp_path: Path, name: str) -> None:
    path = CORPUS / name
    roles = {"John Doe": "assistant"} if "whatsapp" in name else None
    output = tmp_path / "out.jsonl"
    summary = convert(path, output, to="openai-chat", roles=roles)
    check(summary, output)
    if name.endswith(".jsonl"):
        with path.open("rb") as stream:
            count = sum(1 for line in stream if line.strip())
        assert summary["read"] == count
        assert all(1 <= entry["line"] <= count for entry in summary["skipped"])


@needs_writer("openai-chat")
def test_corpus_conversions_validate(corpus: Path, tmp_path: Path) -> None:
    for name, options in (("csv_qa_noheader__bedrock_sagemaker_faqs.csv", {}),
                          ("cohere_chat__convfinqa_eval.jsonl", {}),
                          ("messages_model_role__gcp_training_data_wrong.jsonl",
                           {"roles": {"model": "assistant"}})):
        output = tmp_path / f"{name}.jsonl"
        summary = convert(corpus / name, output, to="openai-chat", roles=options.get("roles"))
        assert summary["skipped"] == [], name
        report = ftdata.validate(output, target="openai", tokens=False)
        assert [issue for issue in report.issues if issue.severity == "error"] == [], name
        assert os.path.getsize(output) > 0


def test_convert_reasoning_option(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"messages": [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4", "reasoning": "Two and two."}]}) + "\n", "utf-8")
    output = tmp_path / "out.jsonl"
    kept = ftdata.convert(source, output, to="alpaca")
    assert (kept["written"], kept["skipped"][0]["line"]) == (0, 1)
    assert "no place for a reasoning trace" in kept["skipped"][0]["reason"]
    dropped = ftdata.convert(source, output, to="alpaca", reasoning="drop")
    assert (dropped["written"], dropped["reasoning_dropped"]) == (1, 1)
    tagged = ftdata.convert(source, output, to="alpaca", reasoning="think-tags")
    assert tagged["written"] == 1 and "reasoning_dropped" not in tagged
    assert json.loads(output.read_text("utf-8"))["output"] == (
        "<think>\nTwo and two.\n</think>\n\n4")
    with pytest.raises(ValueError, match="unknown reasoning placement"):
        ftdata.convert(source, output, to="alpaca", reasoning="strip")  # type: ignore[arg-type]
