"""The benchmark command runs end to end on a tiny file (without Together's environment).

It only checks that every figure is measured and reported; the figures themselves are not
asserted, since a shared machine's timings say nothing about the code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import corpus, generate, run


def test_quick_run_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    out = tmp_path / "results.json"
    assert run.main(["--quick", "--size", "48KB", "--no-together", "--data", "generated",
                     "--cache-dir", str(tmp_path / "cache"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    names = [figure["name"] for figure in results["figures"]]
    version = generate.GENERATOR_VERSION
    chat = tmp_path / "cache" / f"chat-v{version}-seed7-49152.jsonl"
    # The file ends on the line that crosses the size asked for, so it is a little larger.
    shown = run._size(chat.stat().st_size / run.MB)
    assert names == ["generated: tokens on, 1 process", "generated: tokens on, 2 processes",
                     "generated: --jobs 2 vs --jobs 1, tokens on",
                     f"generated: peak RSS on {shown} (MB)",
                     "latency with tokens, 100 lines (s)",
                     "latency without tokens, 100 lines (s)"]
    for figure in results["figures"]:
        assert math.isfinite(figure["value"]) and figure["value"] > 0
        assert math.isfinite(figure["ratio"]) and figure["ratio"] > 0
        assert figure["name"] in printed and figure["goal"] in printed
    assert results["data"]["generated"]["texts"] > 0
    assert results["machine"]["together"] == "not measured"
    cached = sorted(path.name for path in (tmp_path / "cache").glob("*.jsonl"))
    assert cached == [f"chat-v{version}-seed7-100-lines.jsonl", chat.name,
                      f"plain-v{version}-seed7-49152.jsonl"]
    assert sorted(path.name for path in (tmp_path / "cache").glob("*.texts.*")) == [
        f"chat-v{version}-seed7-49152.texts.json", f"chat-v{version}-seed7-49152.texts.pickle"]


@pytest.mark.slow
@pytest.mark.skipif(not corpus.chat_files(), reason="the shared corpus is not present")
def test_corpus_run_measures_the_corpus_texts(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert run.main(["--quick", "--size", "48KB", "--no-together", "--data", "corpus",
                     "--cache-dir", str(tmp_path / "cache"), "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    names = [figure["name"] for figure in results["figures"]]
    assert names[:3] == ["corpus: tokens on, 1 process", "corpus: tokens on, 2 processes",
                         "corpus: --jobs 2 vs --jobs 1, tokens on"]
    assert "generated" not in results["data"] and results["data"]["corpus"]["texts"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not corpus.chat_files(), reason="the shared corpus is not present")
def test_corpus_data_repeats_real_chats_without_exact_copies(tmp_path: Path) -> None:
    plain, chat = tmp_path / "plain.jsonl", tmp_path / "chat.jsonl"
    lines = corpus.build(chat, 10 * run.MB)
    records = [json.loads(line) for line in chat.read_text(encoding="utf-8").splitlines()]
    assert len(records) == lines and chat.stat().st_size >= 10 * run.MB
    # Repeated, but a copy is never the same bytes as its original: the duplicate report is
    # not what is timed (the corpus's own duplicates stay).
    one_pass = len(corpus.records())
    assert len(records) > 2 * one_pass
    assert all(records[index] != records[index + one_pass]
               for index in range(len(records) - one_pass))
    corpus.build(plain, 256 * 1024, plain=True)
    for line in plain.read_text(encoding="utf-8").splitlines():
        messages = json.loads(line)["messages"]
        assert {message["role"] for message in messages} <= {"system", "user", "assistant"}
        assert messages[-1]["role"] == "assistant"
        assert all(set(message) == {"role", "content"} for message in messages)


def test_contenders_take_turns() -> None:
    assert [run.rotate(["a", "b", "c"], turn) for turn in range(4)] == [
        ["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]]


def test_texts_are_split_into_even_shares() -> None:
    texts = ["x" * 10] * 9 + ["y" * 90]
    assert run._shares(texts, 2) == [(0, 9), (9, 10)]
    assert run._shares(texts, 1) == [(0, 10)]


def test_baseline_is_timed_in_the_same_rounds(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    sources = Path(run.__file__).resolve().parents[1] / "src"
    assert run.main(["--quick", "--size", "48KB", "--no-together", "--data", "generated",
                     "--baseline", str(sources), "--cache-dir", str(tmp_path / "cache"),
                     "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = json.loads(out.read_text())["baseline"]["rows"]
    assert [row["name"] for row in rows] == [
        "generated: ftdata tokens --jobs 1", "generated: ftdata tokens --jobs 2",
        "generated: ftdata --no-tokens (plain)", "generated: ftdata --no-tokens --jobs 1 (plain)",
        "latency with tokens", "latency without tokens"]
    for row in rows:
        assert row["cpu_before"] > 0 and row["cpu_after"] > 0
        assert row["name"] in printed
    assert f"against the baseline {sources}" in printed
