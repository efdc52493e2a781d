"""Distributions and summary statistics over examples."""

from __future__ import annotations

import math
from typing import Any


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
