"""The rule registry itself: a rule's record and the decorator that adds one.

The family modules import :func:`register` and :func:`rule` from here, not from the package, so
that :mod:`ftdata.rules` may import the families without a circle.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ftdata.diagnostics import Finding, Severity
    from ftdata.formats import Format
    from ftdata.model import Example
    from ftdata.targets import Target


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a check may know besides the example: the record's format and the target."""

    format: Format
    target: Target


CheckFunction = Callable[["Example", RuleContext], Iterable["Finding"]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fixable: bool = False
    check: CheckFunction | None = None

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
             check: CheckFunction | None = None) -> Rule:
    """Add a rule to the registry; a code may be registered once."""
    if code in REGISTRY:
        raise ValueError(f"rule {code} registered twice")
    summary, body = _split_doc(doc, code)
    rule = Rule(code, name, severity, summary, body, fixable, check)
    REGISTRY[code] = rule
    return rule


def rule(code: str, name: str, severity: Severity, *,
         fixable: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function as a rule; its docstring is the rule's documentation."""

    def decorate(function: CheckFunction) -> CheckFunction:
        register(code, name, severity, function.__doc__ or "", fixable=fixable, check=function)
        return function

    return decorate
