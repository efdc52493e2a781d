"""``ftdata stats`` end to end: counts equal OpenAI's cookbook, the bill follows SPEC §6."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftdata
from ftdata.statistics import Distribution, StatsAccumulator
from ftdata.tokens import load_encoding
from tests.conftest import SAMPLES

SPEC_KEYS = ["path", "format", "examples", "model", "tokenizer", "estimated",
             "max_tokens_per_example", "tokens", "messages_per_example", "over_limit", "epochs",
             "billed_tokens", "cost"]


def cookbook_count(messages: list[dict[str, str]], encoding: tiktoken.Encoding) -> int:
    """OpenAI cookbook, "How to count tokens with tiktoken" (gpt-4o, gpt-3.5-turbo-0125)."""
    total = 0
    for message in messages:
        total += 3
        for key, value in message.items():
            total += len(encoding.encode(value, disallowed_special=()))
            if key == "name":
                total += 1
    return total + 3


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
               max_size=60).filter(lambda t: t.strip() != "")
TURNS = st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4)


def _chat(system: str | None, turns: list[tuple[str, str]],
          name: str | None) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": system}] if system else []
    for question, answer in turns:
        user = {"role": "user", "content": question}
        if name:
            user["name"] = name
        messages += [user, {"role": "assistant", "content": answer}]
    return messages


@pytest.mark.parametrize(("model", "encoding_name"), [("gpt-4o-mini", "o200k_base"),
                                                      ("gpt-3.5-turbo", "cl100k_base")])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chats=st.lists(st.tuples(st.none() | TEXT, TURNS, st.none() | st.sampled_from(
    ["alice", "bob_2"])), min_size=1, max_size=6))
def test_totals_minima_and_maxima_equal_the_cookbook(
        model: str, encoding_name: str, chats: list[tuple[str | None, Any, str | None]],
        tmp_path: Path) -> None:
    encoding = load_encoding(encoding_name)
    conversations = [_chat(system, turns, name) for system, turns, name in chats]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps({"messages": c}) + "\n" for c in conversations), "utf-8")
    expected = [cookbook_count(c, encoding) for c in conversations]
    result = ftdata.stats(path, model=model)
    assert result["tokenizer"] == encoding_name and result["estimated"] is False
    assert result["tokens"]["total"] == sum(expected)
    assert result["tokens"]["per_example"]["min"] == min(expected)
    assert result["tokens"]["per_example"]["max"] == max(expected)
    trainable = sum(len(encoding.encode(m["content"], disallowed_special=()))
                    for c in conversations for m in c
                    if m["role"] == "assistant")
    assert result["tokens"]["trainable"] == trainable


def test_json_keys_epochs_bill_and_cost(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    chats = [_chat(None, [("Hi " * n, "Hello " * n)], None) for n in range(1, 41)]
    path.write_text("".join(json.dumps({"messages": c}) + "\n" for c in chats), "utf-8")
    result = ftdata.stats(path, model="gpt-4.1-mini", max_tokens=50)
    assert list(result)[:len(SPEC_KEYS)] == SPEC_KEYS
    per_example = [cookbook_count(c, load_encoding("o200k_base")) for c in chats]
    assert result["epochs"] == 3  # 3 * 40 = 120 >= 100
    assert result["billed_tokens"] == sum(min(50, t) for t in per_example) * 3
    assert result["over_limit"] == sum(t > 50 for t in per_example)
    assert result["over_limit_lines"][0] == next(i for i, t in enumerate(per_example, 1) if t > 50)
    assert result["cost"] == {"currency": "USD", "price_per_million": 5.0,
                              "amount": round(result["billed_tokens"] * 5.0 / 1e6, 4),
                              "price_as_of": "2025-08-21",
                              "source": "https://openai.com/api/pricing/"}
    assert ftdata.stats(path, model="gpt-4.1-mini", epochs=2)["epochs"] == 2


def test_auto_epochs_for_a_small_file() -> None:
    result = ftdata.stats(SAMPLES / "openai-chat" / "clean.jsonl", model="gpt-4o-mini")
    assert result["examples"] == 12 and result["epochs"] == 8  # min(25, 100 // 12)


def test_no_price_means_null_cost(tmp_path: Path) -> None:
    path = tmp_path / "rft.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "2+2?"}]}) + "\n")
    assert ftdata.stats(path, model="o4-mini")["cost"] is None


def test_providers_without_a_tokenizer_get_a_labelled_estimate(tmp_path: Path) -> None:
    path = tmp_path / "gemini.jsonl"
    record = {"contents": [{"role": "user", "parts": [{"text": "Hello there"}]},
                           {"role": "model", "parts": [{"text": "General Kenobi"}]}]}
    path.write_text(json.dumps(record) + "\n")
    result = ftdata.stats(path, model="gemini-2.5-flash")
    assert result["estimated"] is True and result["tokenizer"] == "estimate"
    assert result["max_tokens_per_example"] == 131_072


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ftdata", *args], capture_output=True,
                          text=True, check=False, env=env)


def test_offline_with_an_empty_tiktoken_cache(tmp_path: Path) -> None:
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache"),
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    process = run_cli("stats", str(SAMPLES / "openai-chat" / "clean.jsonl"), "--model",
                      "gpt-3.5-turbo", "--output-format", "json", env=env)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["tokenizer"] == "cl100k_base"


def test_stats_text_view() -> None:
    process = run_cli("stats", str(SAMPLES / "openai-chat" / "clean.jsonl"), "--model",
                      "gpt-4o-mini", "--max-tokens", "100")
    assert process.returncode == 0
    out = process.stdout
    assert "tokens per example:" in out and "█" in out
    assert "over the limit    2 examples (lines 4, 11)" in out
    assert "epochs            8" in out
    assert "price as of 2024-07-23" in out


@pytest.mark.parametrize("args", [("stats", "x.jsonl"),
                                  ("stats", str(SAMPLES / "openai-chat" / "clean.jsonl"),
                                   "--model", "gpt-4o-mni"),
                                  ("stats", str(SAMPLES / "openai-chat" / "clean.jsonl"),
                                   "--epochs", "zero"),
                                  ("validate", str(SAMPLES / "openai-chat" / "clean.jsonl"),
                                   "--model", "nope")])
def test_stats_usage_errors(args: tuple[str, ...]) -> None:
    process = run_cli(*args)
    assert process.returncode == 2
    assert len(process.stderr.strip().splitlines()) == 1
    if "gpt-4o-mni" in args:
        assert "did you mean gpt-4o-mini" in process.stderr


def test_models_lists_the_table_with_sources() -> None:
    process = run_cli("models", "--output-format", "json")
    rows = {row["id"]: row for row in json.loads(process.stdout)}
    assert rows["gpt-4o-mini"]["max_tokens_per_example"] == 65_536
    assert rows["gpt-4.1-nano"]["training_price_per_million"] == 1.5
    assert all(row["max_tokens_source"] for row in rows.values())
    assert "gpt-4.1-mini" in run_cli("models").stdout


def test_validate_reports_token_stats_and_limits() -> None:
    report = ftdata.validate(SAMPLES / "openai-chat" / "clean.jsonl", model="gpt-4o-mini")
    assert report.model == "gpt-4o-mini"
    assert report.stats["tokenizer"] == "o200k_base"
    assert report.stats["max_tokens_per_example"] == 65_536


def test_accumulators_merge_exactly() -> None:
    values = [5, 1, 9, 9, 2, 7, 3]
    whole, left, right = Distribution(), Distribution(), Distribution()
    for index, value in enumerate(values):
        whole.add(value)
        (left if index % 2 else right).add(value)
    left.merge(right)
    assert left.summary() == whole.summary()
    assert whole.summary()["p50"] == 5
    first, second = StatsAccumulator(), StatsAccumulator()
    first.add_tokens(10, 4, estimated=False, line=1, limit=5, reasoning=2)
    second.add_tokens(3, 1, estimated=True, line=9, limit=5, reasoning=1)
    first.merge(second)
    assert (first.tokens.total, first.trainable, first.estimated, first.over_limit,
            first.over_limit_lines, first.reasoning) == (13, 5, True, 1, [1], 3)


def test_reasoning_tokens_are_reported_apart() -> None:
    sample = SAMPLES / "openai-chat" / "reasoning.jsonl"
    encoding = load_encoding("o200k_base")
    traces = [message.reasoning for example in ftdata.read(sample)
              for message in example.all_messages() if message.reasoning]
    result = ftdata.stats(sample, model="gpt-4o-mini")
    assert len(traces) == 13
    assert result["tokens"]["reasoning"] == sum(len(encoding.encode(t)) for t in traces)
    assert result["tokens"]["trainable"] > result["tokens"]["reasoning"] > 0
    assert result["estimated"] is True
    plain = ftdata.stats(SAMPLES / "openai-chat" / "clean.jsonl", model="gpt-4o-mini")
    assert plain["tokens"]["reasoning"] == 0
    process = run_cli("stats", str(sample), "--model", "gpt-4o-mini")
    assert f"reasoning {result['tokens']['reasoning']:,})" in process.stdout
    for jobs in (1, 2):
        report = ftdata.validate(sample, model="gpt-4o-mini", jobs=jobs).to_dict()
        assert report["stats"]["tokens"]["reasoning"] == result["tokens"]["reasoning"]


def test_a_credential_used_as_a_role_is_masked(tmp_path: Path) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9"  # an AWS secret key: no prefix
    path = tmp_path / "roles.jsonl"
    path.write_text(json.dumps({"messages": [{"role": secret, "content": "Hi"},
                                             {"role": "user", "content": "Hello"},
                                             {"role": "assistant", "content": "Yes"}]}) + "\n")
    roles = ftdata.stats(path)["roles"]
    assert "wJal…(40 chars)" in roles and not any("bPxRfi" in role for role in roles)
