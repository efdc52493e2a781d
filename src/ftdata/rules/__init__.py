"""The rule registry: every code ftdata can report, with its name, severity and documentation.

A rule is data (code, kebab-case name, default severity, documentation) plus, for rules that
look at the canonical example, a small check function. File rules (F) are raised by the readers
and the file-level checks, schema rules (S) by the format's shape; they are registered here all
the same so that ``ftdata rules`` documents every code.

Each family lives in its own module; importing :mod:`ftdata.rules` registers them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ftdata.diagnostics import Severity
from ftdata.rules._registry import (
    REGISTRY,
    CheckFunction,
    Fix,
    RecordEdit,
    Rule,
    RuleContext,
    Scope,
    Triggers,
    edit_string,
    register,
    rule,
)

if TYPE_CHECKING:
    from ftdata.diagnostics import Finding
    from ftdata.model import Example

__all__ = [
    "REGISTRY",
    "CheckFunction",
    "Fix",
    "RecordEdit",
    "Rule",
    "RuleContext",
    "Scope",
    "Triggers",
    "all_rules",
    "edit_string",
    "error_codes",
    "example_checks",
    "get_rule",
    "iter_findings",
    "matches_code",
    "parse_code_list",
    "register",
    "rule",
    "structural_codes",
]


def all_rules() -> list[Rule]:
    _load()
    return sorted(REGISTRY.values(), key=lambda r: (_FAMILY_ORDER.index(r.family), r.code))


def get_rule(code: str) -> Rule:
    _load()
    return REGISTRY[code.upper()]


def error_codes() -> frozenset[str]:
    """Codes whose default severity is error."""
    return frozenset(rule.code for rule in all_rules() if rule.severity is Severity.ERROR)


def structural_codes() -> frozenset[str]:
    """Codes whose findings hide the semantic findings at or under their pointer."""
    return frozenset(rule.code for rule in all_rules() if rule.structural)


def example_checks() -> list[Rule]:
    _load()
    return [r for r in all_rules() if r.check is not None]


_FAMILY_ORDER = "FSCTDQP"


def _load() -> None:
    # Importing the family modules registers their rules.
    from ftdata.rules import conversation, duplicates, file, privacy, quality, schema, tokens  # noqa: F401


def matches_code(code: str, patterns: Iterable[str]) -> bool:
    """True when ``code`` equals or starts with one of ``patterns`` (``C``, ``C00``, ``D001``)."""
    return any(code.startswith(pattern) for pattern in patterns)


def parse_code_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Split a ``--select``/``--ignore`` value into upper-case code prefixes.

    Raises ``ValueError`` for a prefix that matches no known code.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(item.strip().upper() for item in items if item.strip())
    _load()
    known = REGISTRY.keys()
    for prefix in codes:
        if prefix != "ALL" and not any(code.startswith(prefix) for code in known):
            raise ValueError(f"unknown rule code or prefix {prefix!r}")
    return tuple("" if prefix == "ALL" else prefix for prefix in codes)


def iter_findings(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Run every example-level check over one canonical example."""
    for registered in example_checks():
        assert registered.check is not None
        yield from registered.check(example, context)
