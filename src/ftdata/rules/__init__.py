"""The rule registry: every code ftdata can report, with its name, severity and documentation.

A rule is data (code, kebab-case name, default severity, documentation) plus, for rules that
look at the canonical example, a small check function. File rules (F) are raised by the readers
and the file-level checks, schema rules (S) by the format's shape; they are registered here all
the same so that ``ftdata rules`` documents every code.

Each family lives in its own module; importing :mod:`ftdata.rules` registers them all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ftdata.diagnostics import Finding, Severity

if TYPE_CHECKING:
    from ftdata.formats import Format
    from ftdata.model import Example
    from ftdata.targets import Target


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a check may know besides the example: the record's format and the target."""

    format: Format
    target: Target


CheckFunction = Callable[["Example", RuleContext], Iterable[Finding]]
#: Builds a rule's trigger patterns (once per process, when a batch is first scanned).
Triggers = Callable[[], tuple[str, ...]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fixable: bool = False
    check: CheckFunction | None = None
    #: For a rule that scans text: builds the byte patterns one of which matches an example's
    #: texts whenever the rule reports something about it (see :mod:`ftdata.scan.triggers`),
    #: so that a batch of examples is scanned once and the rule runs only where one matches.
    triggers: Triggers | None = None

    @property
    def family(self) -> str:
        return self.code[0]


REGISTRY: dict[str, Rule] = {}


def _split_doc(doc: str | None, code: str) -> tuple[str, str]:
    if not doc:
        raise ValueError(f"rule {code} has no documentation")
    text = inspect.cleandoc(doc)
    summary, _, body = text.partition("\n")
    return summary.strip(), body.strip()


def register(code: str, name: str, severity: Severity, doc: str, *, fixable: bool = False,
             check: CheckFunction | None = None,
             triggers: Triggers | None = None) -> Rule:
    """Add a rule to the registry; a code may be registered once."""
    if code in REGISTRY:
        raise ValueError(f"rule {code} registered twice")
    summary, body = _split_doc(doc, code)
    rule = Rule(code, name, severity, summary, body, fixable, check, triggers)
    REGISTRY[code] = rule
    return rule


def rule(code: str, name: str, severity: Severity, *, fixable: bool = False,
         triggers: Triggers | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function as a rule; its docstring is the rule's documentation."""

    def decorate(function: CheckFunction) -> CheckFunction:
        register(code, name, severity, function.__doc__ or "", fixable=fixable, check=function,
                 triggers=triggers)
        return function

    return decorate


def all_rules() -> list[Rule]:
    _load()
    return sorted(REGISTRY.values(), key=lambda r: (_FAMILY_ORDER.index(r.family), r.code))


def get_rule(code: str) -> Rule:
    _load()
    return REGISTRY[code.upper()]


def error_codes() -> frozenset[str]:
    """Codes whose default severity is error."""
    return frozenset(rule.code for rule in all_rules() if rule.severity is Severity.ERROR)


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
