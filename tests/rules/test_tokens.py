"""T001/T002: one test each with an example that triggers the rule and one that does not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ftdata
from ftdata.rules.tokens import token_findings

CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"},
                     {"role": "assistant", "content": "Paris."}]}


def _codes(max_tokens: int) -> list[str]:
    report = ftdata.validate_records([CHAT], format="openai-chat", max_tokens=max_tokens,
                                     model="gpt-4o-mini")
    return [issue.code for issue in report.issues]


def _tokens() -> int:
    report = ftdata.validate_records([CHAT], format="openai-chat", model="gpt-4o-mini")
    total: int = report.stats["tokens"]["total"]
    return total


def test_t001_over_the_limit() -> None:
    tokens = _tokens()
    assert _codes(tokens - 1) == ["T001"]
    assert "T001" not in _codes(tokens)


def test_t002_near_the_limit() -> None:
    tokens = _tokens()
    assert _codes(tokens) == ["T002"]  # 100% of the limit: near, not over
    assert _codes(tokens * 2) == []


def test_messages_name_the_model_and_mark_estimates() -> None:
    (over,) = token_findings(120, 100, model="gpt-4o-mini")
    assert over.message == "120 tokens; gpt-4o-mini accepts 100 per example (it would be truncated)"
    (near,) = token_findings(95, 100, estimated=True)
    assert near.message.startswith("about 95 tokens, 95% of the 100-token limit")
    assert token_findings(90, 100) == []
    assert token_findings(10**9, None) == []


def test_no_tokens_turns_the_rules_off() -> None:
    report = ftdata.validate_records([CHAT], format="openai-chat", max_tokens=1, tokens=False)
    assert report.issues == [] and "tokens" not in report.stats


# T003-T005: the trainer's view (a built-in template family, a trainer profile).

def _view_codes(record: Mapping[str, Any], **view: Any) -> list[str]:
    report = ftdata.validate_records([record], format="openai-chat", tokens=False,
                                     **view)
    return [issue.code for issue in report.issues if issue.code.startswith("T")]


def _severities(record: Mapping[str, Any], **view: Any) -> dict[str, str]:
    report = ftdata.validate_records([record], format="openai-chat", tokens=False,
                                     **view)
    return {issue.code: issue.severity.value for issue in report.issues}


USER_ONLY = {"messages": [{"role": "user", "content": "Is anyone there?"}]}


def test_t003_nothing_trains_after_the_mask() -> None:
    # axolotl trains assistant turns only: a user-only conversation trains nothing.
    assert _view_codes(USER_ONLY, trainer="axolotl", template="qwen3") == ["T003"]
    assert _severities(USER_ONLY, trainer="axolotl", template="qwen3")["T003"] == "error"
    # Every weight 0 under the default view (assistant turns, weights honoured).
    weighted = {"messages": [CHAT["messages"][0], {**CHAT["messages"][1], "weight": 0}]}
    assert _view_codes(weighted, template="chatml") == ["T003"]
    assert _view_codes(CHAT, trainer="axolotl", template="qwen3") == []
    # TRL's default trains every token, the user's included.
    assert _view_codes(USER_ONLY, trainer="trl", template="qwen3") == []


def test_t004_truncated_by_the_trainer() -> None:
    long = {"messages": [CHAT["messages"][0],
                         {"role": "assistant", "content": "Paris, on the Seine. " * 20}]}
    report = ftdata.validate_records([long], format="openai-chat", tokens=False,
                                     trainer="trl", template="qwen3", max_length=40)
    (issue,) = [issue for issue in report.issues if issue.code == "T004"]
    assert issue.severity.value == "warning"  # TRL keeps the start: some trained tokens stay
    assert "truncate_right loses" in issue.message and "trained tokens" in issue.message
    assert _view_codes(long, trainer="trl", template="qwen3", max_length=4096) == []
    # axolotl drops an example over sequence_len: an error.
    dropped = _severities(long, trainer="axolotl", template="qwen3", max_length=40)
    assert dropped["T004"] == "error"
    # Nothing trained survives the cut: an error too.
    assert _severities(long, template="qwen3", max_length=8)["T004"] == "error"


def test_t004_severity_set_by_the_user_wins() -> None:
    long = {"messages": [CHAT["messages"][0],
                         {"role": "assistant", "content": "Paris. " * 50}]}
    from ftdata.diagnostics import Severity
    from ftdata.engine import ValidateOptions, validate_records

    options = ValidateOptions(format="openai-chat", count_tokens=False, trainer="axolotl",
                              template="qwen3", max_length=20,
                              severity={"T004": Severity.INFO})
    (issue,) = [issue for issue in validate_records([long], options).issues
                if issue.code == "T004"]
    assert (issue.code, issue.severity) == ("T004", Severity.INFO)


def test_t005_template_drops_content() -> None:
    reasoning = {"messages": [CHAT["messages"][0],
                              {"role": "assistant", "content": "Paris.",
                               "reasoning_content": "France's capital is Paris."},
                              {"role": "user", "content": "And Italy?"},
                              {"role": "assistant", "content": "Rome."}]}
    # Qwen3 drops the reasoning of turns before the last user message; chatml has no place.
    assert _view_codes(reasoning, template="qwen3") == ["T005"]
    assert _view_codes(reasoning, template="chatml") == ["T005"]
    assert _view_codes(CHAT, template="qwen3") == []


def test_t005_a_refusing_template_is_an_error() -> None:
    # The DeepSeek template raises on a system message after the first turn: the trainer's
    # preprocessing stops on the example.
    late_system = {"messages": [CHAT["messages"][0], {"role": "system", "content": "Be brief."},
                                CHAT["messages"][1]]}
    report = ftdata.validate_records([late_system], format="openai-chat", tokens=False,
                                     template="deepseek")
    (issue,) = [issue for issue in report.issues if issue.code == "T005"]
    assert issue.severity.value == "error"
    assert "refuses" in issue.message and "one system message" in issue.message
    assert _view_codes(CHAT, template="deepseek") == []


def test_trainer_rules_never_fire_without_a_view() -> None:
    assert _view_codes(USER_ONLY) == []


def _lines(path: Any, records: Sequence[Mapping[str, Any]]) -> None:
    import json

    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def test_outputs_without_statistics_count_only_examples_that_could_reach_the_limit(
        tmp_path: Any) -> None:
    """T001/T002 need no tokenizer for an example whose UTF-8 length cannot reach 90% of the
    limit: the verdicts are those of counting every example, and a file of short examples
    loads no tokenizer at all (the pre-commit path, text output, with --model)."""
    from click.testing import CliRunner

    from ftdata import encodings, tokens
    from ftdata.cli import cli

    long = {"messages": [{"role": "user", "content": ("word " * 400).strip()},
                         {"role": "assistant", "content": "ok"}]}
    near = {"messages": [{"role": "user", "content": ("word " * 185).strip()},
                         {"role": "assistant", "content": "ok"}]}
    chats = [{"messages": [{"role": "user", "content": f"Question {index}?"},
                           {"role": "assistant", "content": "Paris."}]} for index in range(110)]
    path = tmp_path / "train.jsonl"
    _lines(path, [*chats[:10], long, chats[10], near])
    every = ftdata.validate(path, max_tokens=200, model="gpt-4o-mini")
    assert sorted((issue.code, issue.line) for issue in every.issues) == [("T001", 11),
                                                                          ("T002", 13)]
    tokens.clear_encoding_cache()
    result = CliRunner().invoke(cli, ["validate", str(path), "--max-tokens", "200", "--model",
                                      "gpt-4o-mini", "--output-format", "github"])
    assert "T001" in result.output and "T002" in result.output
    assert result.output.count("::") == 2 * 2  # the two issues, nothing else
    short = tmp_path / "short.jsonl"
    _lines(short, chats[:100])
    tokens.clear_encoding_cache()
    result = CliRunner().invoke(cli, ["validate", str(short), "--model", "gpt-4o-mini"])
    assert result.exit_code == 0, result.output
    assert encodings._ENCODING_CACHE == {}  # no tokenizer was loaded
    result = CliRunner().invoke(cli, ["validate", str(short), "--model", "gpt-4o-mini",
                                      "--output-format", "json"])
    assert '"tokenizer": "o200k_base"' in result.output  # shown: every example counted
    assert "o200k_base" in encodings._ENCODING_CACHE
