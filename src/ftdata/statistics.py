"""Distributions and summary statistics over examples."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ftdata.diagnostics import printable, redact_quoted
from ftdata.rules.quality import system_prompt_key

if TYPE_CHECKING:
    from ftdata.model import Example
    from ftdata.templates.view import TrainerView


class Distribution:
    """Exact distribution of integer values per example (min, max, mean, quantiles).

    Values are kept as a histogram, so memory grows with the number of distinct values, not
    with the number of examples, and two distributions merge exactly.
    """

    __slots__ = ("counts", "n", "total")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.total = 0
        self.n = 0

    def add(self, value: int) -> None:
        self.counts[value] = self.counts.get(value, 0) + 1
        self.total += value
        self.n += 1

    def merge(self, other: Distribution) -> None:
        for value, count in other.counts.items():
            self.counts[value] = self.counts.get(value, 0) + count
        self.total += other.total
        self.n += other.n

    def quantile(self, q: float) -> int:
        """The nearest-rank quantile: the smallest value with at least q of the values <= it."""
        if not self.n:
            return 0
        rank = max(1, math.ceil(q * self.n))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        return max(self.counts)

    def histogram(self, buckets: int = 8) -> list[dict[str, int]]:
        """Equal-width buckets over [min, max]: ``[{"from", "to", "count"}]``."""
        if not self.n:
            return []
        low, high = min(self.counts), max(self.counts)
        width = max(1, -(-(high - low + 1) // buckets))
        edges = [low + index * width for index in range(buckets) if low + index * width <= high]
        totals = [0] * len(edges)
        for value, count in self.counts.items():
            totals[min((value - low) // width, len(edges) - 1)] += count
        return [{"from": start, "to": min(start + width - 1, high), "count": count}
                for start, count in zip(edges, totals, strict=True)]

    def summary(self) -> dict[str, Any]:
        if not self.n:
            return {"min": 0, "max": 0, "mean": 0, "p50": 0, "p90": 0, "p95": 0, "p99": 0}
        return {
            "min": min(self.counts),
            "max": max(self.counts),
            "mean": round(self.total / self.n, 2),
            "p50": self.quantile(0.5),
            "p90": self.quantile(0.9),
            "p95": self.quantile(0.95),
            "p99": self.quantile(0.99),
        }


@dataclass(frozen=True, slots=True)
class ExampleSummary:
    """What the statistics need of one example: small enough to send between processes."""

    messages: int
    roles: tuple[str, ...]
    missing_system: bool
    missing_user: bool
    #: The system prompt's key for Q007 (``None``: none); ``conversational`` says whether the
    #: example could have one.
    system_key: str | None = None
    conversational: bool = False


_LONG_ROLE = re.compile(r"[^\n]{16}")


def _role_shown(role: str) -> str:
    return redact_quoted(printable(role))


def summarize(example: Example) -> ExampleSummary:
    messages = example.all_messages() if example.chosen or example.rejected \
        else example.messages
    roles = tuple([message.role for message in messages])
    joined = "\n".join(roles)
    if not joined.isascii() or _LONG_ROLE.search(joined):
        # The role field can hold anything: a lone surrogate escape would make the report
        # unprintable, and a secret must not be printed whole.
        roles = tuple(role if role.isascii() and len(role) < 16 else _role_shown(role)
                      for role in roles)
    conversation = example.kind in ("chat", "preference")
    # The prompt's roles come first in ``roles`` (the continuations follow them).
    prompt = roles[:len(example.messages)]
    return ExampleSummary(
        len(roles), roles,
        conversation and "system" not in prompt and "developer" not in prompt,
        conversation and "user" not in prompt,
        system_prompt_key(example) if conversation else None,
        conversation)


#: How many over-limit example lines the statistics keep for display.
OVER_LIMIT_LINES_KEPT = 20


class StatsAccumulator:
    """Per-file statistics, fed one example at a time; two accumulators merge exactly."""

    def __init__(self) -> None:
        self.examples = 0
        self.messages = Distribution()
        self.tokens = Distribution()
        self.trainable = 0
        #: Tokens of reasoning traces, part of the totals.
        self.reasoning = 0
        self.estimated = False
        self.roles: dict[str, int] = {}
        self.missing_system = 0
        self.missing_user = 0
        self.over_limit = 0
        self.over_limit_lines: list[int] = []
        #: The trainer's view: rendered and trained tokens per example, and what the trainer
        #: drops, truncates and loses of the trained tokens.
        self.rendered = Distribution()
        self.trained = Distribution()
        self.view_dropped = 0
        self.view_truncated = 0
        self.trained_lost = 0

    def add_view(self, rendered: int, trained: int, lost: int, truncated: bool,
                 dropped: bool) -> None:
        self.rendered.add(rendered)
        self.trained.add(trained)
        self.trained_lost += lost
        self.view_truncated += truncated
        self.view_dropped += dropped

    def view_summary(self, view: TrainerView) -> dict[str, Any]:
        """The ``trainer`` object of the statistics (SPEC §8a)."""
        from ftdata.templates.view import view_stats

        return view_stats(view, self.rendered.summary(), self.trained.summary(),
                          self.view_dropped, self.view_truncated, self.trained_lost)

    def add_example(self, summary: ExampleSummary) -> None:
        self.examples += 1
        self.messages.add(summary.messages)
        for role in summary.roles:
            self.roles[role] = self.roles.get(role, 0) + 1
        self.missing_system += summary.missing_system
        self.missing_user += summary.missing_user

    def add_tokens(self, total: int, trainable: int, *, estimated: bool, line: int,
                   limit: int | None, reasoning: int = 0) -> None:
        self.tokens.add(total)
        self.trainable += trainable
        self.reasoning += reasoning
        self.estimated = self.estimated or estimated
        if limit is not None and total > limit:
            self.over_limit += 1
            if len(self.over_limit_lines) < OVER_LIMIT_LINES_KEPT:
                self.over_limit_lines.append(line)

    def merge(self, other: StatsAccumulator) -> None:
        self.examples += other.examples
        self.messages.merge(other.messages)
        self.tokens.merge(other.tokens)
        self.trainable += other.trainable
        self.reasoning += other.reasoning
        self.estimated = self.estimated or other.estimated
        for role, count in other.roles.items():
            self.roles[role] = self.roles.get(role, 0) + count
        self.missing_system += other.missing_system
        self.missing_user += other.missing_user
        self.over_limit += other.over_limit
        self.rendered.merge(other.rendered)
        self.trained.merge(other.trained)
        self.view_dropped += other.view_dropped
        self.view_truncated += other.view_truncated
        self.trained_lost += other.trained_lost
        room = OVER_LIMIT_LINES_KEPT - len(self.over_limit_lines)
        self.over_limit_lines.extend(other.over_limit_lines[:max(room, 0)])

    def structure(self) -> dict[str, Any]:
        """The statistics that need no tokenizer."""
        return {
            "messages_per_example": self.messages.summary(),
            "roles": dict(sorted(self.roles.items())),
            "examples_missing_system": self.missing_system,
            "examples_missing_user": self.missing_user,
        }

    def token_summary(self) -> dict[str, Any]:
        return {"total": self.tokens.total, "trainable": self.trainable,
                "reasoning": self.reasoning, "per_example": self.tokens.summary()}
