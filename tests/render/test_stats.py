"""The text view of ``ftdata stats``."""

from __future__ import annotations

from typing import Any

from ftdata.render.stats import render_stats


def result(over_limit_lines: list[int], examples: int = 1) -> dict[str, Any]:
    per = {"min": 9, "max": 9, "mean": 9, "p50": 9, "p90": 9, "p95": 9, "p99": 9}
    return {"path": "train.jsonl", "format": "openai-chat", "examples": examples,
            "model": "gpt-4.1-mini", "tokenizer": "o200k_base", "estimated": False,
            "max_tokens_per_example": 8, "tokens": {"total": 9, "trainable": 1,
                                                    "per_example": per},
            "messages_per_example": {**per, "min": 2, "max": 2, "mean": 2},
            "over_limit": len(over_limit_lines), "over_limit_lines": over_limit_lines,
            "epochs": 1, "billed_tokens": 8, "cost": None, "histogram": []}


def test_one_example_over_the_limit_is_said_in_the_singular() -> None:
    text = render_stats(result([5]))
    assert "train.jsonl: 1 example, openai-chat" in text
    assert "over the limit    1 example (line 5)" in text
    many = render_stats(result([5, 7], examples=2))
    assert "train.jsonl: 2 examples, openai-chat" in many
    assert "over the limit    2 examples (lines 5, 7)" in many


def test_without_a_model_the_stats_say_which_tokenizer_counted() -> None:
    text = render_stats({**result([]), "model": None, "tokenizer": "tiny-model",
                         "max_tokens_per_example": None})
    assert "model None" not in text
    assert "no model, tokenizer tiny-model, no known limit" in text
