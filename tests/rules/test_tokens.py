"""T001/T002: one test each with an example that triggers the rule and one that does not."""

from __future__ import annotations

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
