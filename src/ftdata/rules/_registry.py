"""The rule registry itself: a rule's record and the decorator that adds one.

The family modules import :func:`register` and :func:`rule` from here, not from the package, so
that :mod:`ftdata.rules` may import the families without a circle.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

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
#: Builds a rule's trigger patterns (once per process, when a batch is first scanned).
Triggers = Callable[[], tuple[str, ...]]


#: Where a rule looks: one record alone, one file (or partition) as a whole, or every record
#: of the training set together (a cluster judges these after its partitions).
Scope = Literal["record", "file", "dataset"]
#: A record fix: edits the decoded record at the finding's pointer; True when it changed it.
RecordEdit = Callable[[Any, str], bool]


@dataclass(frozen=True)
class Fix:
    """How ``ftdata fix`` repairs what a rule finds.

    ``done`` words the change in the fix report. ``edit`` changes the decoded record at the
    finding's pointer; a fix without one is applied by the fixer itself, to the file's framing
    (a blank line, a byte-order mark, pretty-printed records) or by dropping the record.
    """

    done: str
    edit: RecordEdit | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: CheckFunction | None = None
    scope: Scope = "record"
    #: Its findings hide the semantic findings at or under their pointer: the structural
    #: message is the one a person needs first.
    structural: bool = False
    #: About the order of turns: silent when the record's structure is broken.
    needs_structure: bool = False
    fix: Fix | None = None
    #: Modules besides the rule's own that raise it, where it is found while reading or
    #: shaping a record (the readers, a format's shape).
    raised_by: tuple[str, ...] = ()
    #: For a rule that scans text: builds the byte patterns one of which matches an example's
    #: texts whenever the rule reports something about it (see :mod:`ftdata.scan.triggers`),
    #: so that a batch of examples is scanned once and the rule runs only where one matches.
    triggers: Triggers | None = None

    @property
    def family(self) -> str:
        return self.code[0]

    @property
    def fixable(self) -> bool:
        return self.fix is not None


def edit_string(record: Any, pointer: str, change: Callable[[str], str | None]) -> bool:
    """Replace the string at ``pointer`` in ``record`` with ``change(value)`` (``None``: keep
    it); True when it changed. The helper of the record fixes that rewrite one string."""
    from ftdata.pointers import locate

    found = locate(record, pointer)
    if found is None:
        return False
    container, key = found
    value = container[key]
    if not isinstance(value, str):
        return False
    changed = change(value)
    if changed is None or changed == value:
        return False
    container[key] = changed
    return True


REGISTRY: dict[str, Rule] = {}


def _split_doc(doc: str | None, code: str) -> tuple[str, str]:
    if not doc:
        raise ValueError(f"rule {code} has no documentation")
    text = inspect.cleandoc(doc)
    summary, _, body = text.partition("\n")
    return summary.strip(), body.strip()


def register(code: str, name: str, severity: Severity, doc: str, *,
             check: CheckFunction | None = None, scope: Scope = "record",
             structural: bool = False, needs_structure: bool = False, fix: Fix | None = None,
             raised_by: tuple[str, ...] = (), triggers: Triggers | None = None) -> Rule:
    """Add a rule to the registry; a code may be registered once."""
    if code in REGISTRY:
        raise ValueError(f"rule {code} registered twice")
    summary, body = _split_doc(doc, code)
    rule = Rule(code, name, severity, summary, body, check, scope, structural, needs_structure,
                fix, raised_by, triggers)
    REGISTRY[code] = rule
    return rule


def rule(code: str, name: str, severity: Severity, *, structural: bool = False,
         needs_structure: bool = False, fix: Fix | None = None,
         triggers: Triggers | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function as a (record) rule; its docstring is the rule's
    documentation."""

    def decorate(function: CheckFunction) -> CheckFunction:
        register(code, name, severity, function.__doc__ or "", check=function,
                 structural=structural, needs_structure=needs_structure, fix=fix,
                 triggers=triggers)
        return function

    return decorate
