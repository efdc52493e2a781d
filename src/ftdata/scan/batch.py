"""Batch scanning: one multi-pattern pass over a batch of examples decides which examples each
text-scanning rule needs to look at.

The triggers of every rule (:attr:`ftdata.rules.Rule.triggers`) are compiled once per process
into one Hyperscan database. A batch's texts are laid out in one buffer, each example's
texts framed by :data:`~ftdata.scan.triggers.SEPARATOR` bytes (and two of them between
examples, so that no match spans two examples), and scanned in one call; each match's end
offset names its example, and its pattern names the rule. A rule then runs, as it always did,
only on the examples where one of its triggers matched: a trigger may match where the rule
reports nothing, never the other way round, so the findings are those of running every rule
on every example.

Hyperscan (``hyperscan`` on PyPI, Intel's library) was measured against RE2 and Python's
``re`` on the same triggers (BENCHMARKS.md); when it cannot be imported (a platform without a
wheel), :func:`scanner_for` returns ``None`` and every rule runs on every example, which gives
the same findings more slowly.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ftdata.scan.texts import example_strings
from ftdata.scan.triggers import SEPARATOR

if TYPE_CHECKING:
    from ftdata.model import Example
    from ftdata.rules import Rule


def example_bytes(example: Example) -> bytes:
    """An example's texts as the triggers see them: UTF-8, each framed by the separator."""
    return SEPARATOR + SEPARATOR.join(
        [value.encode("utf-8", "surrogatepass") for value in example_strings(example)]
    ) + SEPARATOR


class TextScanner:
    """The triggers of some rules, compiled; :meth:`masks` scans a batch of examples."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        import hyperscan

        self.codes = tuple(rule.code for rule in rules)
        # Hyperscan's compile time grows much faster than the number of patterns: the eight
        # rules' triggers in one database take about 180 ms of CPU to compile, one database a
        # rule 45 ms but a third of the scanning speed. Two databases, the triggers that
        # ignore case in the second, take 90 ms and scan at two thirds of the speed of one.
        groups: tuple[list[tuple[bytes, int]], list[tuple[bytes, int]]] = ([], [])
        for index, rule in enumerate(rules):
            assert rule.triggers is not None
            for pattern in rule.triggers():
                groups["(?i:" in pattern].append((pattern.encode("ascii"), 1 << index))
        self._databases: list[tuple[Any, list[int]]] = []
        for group in groups:
            if not group:
                continue
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(expressions=[pattern for pattern, _ in group],
                             ids=list(range(len(group))), elements=len(group),
                             flags=[0] * len(group))
            database.scratch = hyperscan.Scratch(database)
            self._databases.append((database, [bit for _, bit in group]))

    def masks(self, examples: Sequence[Example | None]) -> list[int]:
        """For each example, the bits (in the order of the rules) of the rules one of whose
        triggers matches it; 0 for ``None``."""
        starts: list[int] = []
        parts: list[bytes] = []
        offset = 0
        for example in examples:
            starts.append(offset)
            if example is not None:
                data = example_bytes(example)
                parts.append(data)
                offset += len(data)
        buffer = b"".join(parts)
        masks = [0] * len(examples)
        if not buffer:
            return masks
        ends: list[tuple[int, int]] = []
        append = ends.append

        def on_match(pattern: int, start: int, end: int, flags: int, context: Any) -> None:
            append((end, pattern))

        bisect_right = bisect.bisect_right
        for database, bits in self._databases:
            database.scan(buffer, match_event_handler=on_match)
            for end, pattern in ends:
                masks[bisect_right(starts, end - 1) - 1] |= bits[pattern]
            ends.clear()
        return masks


@functools.cache
def scanner_for(codes: tuple[str, ...]) -> TextScanner | None:
    """The scanner of the rules ``codes`` that declare triggers, compiled once per process;
    ``None`` when Hyperscan is not available or no rule has triggers."""
    from ftdata.rules import get_rule

    rules = [get_rule(code) for code in codes]
    rules = [rule for rule in rules if rule.triggers is not None]
    if not rules:
        return None
    try:
        return TextScanner(rules)
    except ImportError:
        return None
