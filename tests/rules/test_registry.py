"""Each rule owns its logic and metadata: one module answers what a code does, when, and how it
is fixed.

For every registered code: the documentation has its four parts; the module that registers it
(or, for a code found while reading or shaping a record, the modules its registration names in
``raised_by``) holds the code that raises it; and a fixable rule's fix is given at its
registration, its record edit defined in that same module.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path

import pytest

from ftdata.rules import all_rules, get_rule, structural_codes
from tests.conftest import ROOT

RULES = ROOT / "src" / "ftdata" / "rules"
DOC_PARTS = ("**What it does.**", "**Why is this bad?**", "**Example.**", "**Use instead.**")


@cache
def registering_modules() -> dict[str, str]:
    """Code -> the module whose ``register("CODE", ...)`` or ``@rule("CODE", ...)`` adds it."""
    found: dict[str, str] = {}
    for path in sorted(RULES.rglob("*.py")):
        parts = path.relative_to(RULES).with_suffix("").parts
        module = ".".join(("ftdata.rules", *(parts[:-1] if parts[-1] == "__init__" else parts)))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("register", "rule") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found[str(node.args[0].value)] = module
    return found


@cache
def code_literals(module: str) -> frozenset[str]:
    """The string constants of a module's code, its docstrings left out."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return frozenset(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and id(node) not in docstrings)


def rule_ids() -> list[str]:
    return [rule.code for rule in all_rules()]


@pytest.mark.parametrize("code", rule_ids())
def test_the_rule_has_its_documentation(code: str) -> None:
    rule = get_rule(code)
    assert rule.summary and not rule.summary.endswith(" ")
    assert [part for part in DOC_PARTS if part not in rule.doc] == []


@pytest.mark.parametrize("code", rule_ids())
def test_the_rule_logic_is_found_from_its_module(code: str) -> None:
    rule = get_rule(code)
    module = registering_modules()[code]
    if rule.check is not None:
        assert rule.check.__module__ == module
        assert rule.scope == "record"  # a check sees one example
    # The code that raises it: its own module, or where its registration says.
    raising = [where for where in (module, *rule.raised_by) if code in code_literals(where)]
    assert raising, f"{code}: no code in {module} or {rule.raised_by} raises it"
    for where in rule.raised_by:
        assert code in code_literals(where), f"{code}: {where} does not raise it"


@pytest.mark.parametrize("code", [rule.code for rule in all_rules() if rule.fixable])
def test_a_fixable_rule_names_its_fix(code: str) -> None:
    rule = get_rule(code)
    assert rule.fix is not None and rule.fix.done
    if rule.fix.edit is not None:
        assert rule.fix.edit.__module__ == registering_modules()[code]
    else:  # a change to the framing, or a dropped record: ftdata fix applies it
        assert code in code_literals("ftdata.fixes")


def test_every_code_is_registered_by_one_module_of_its_family() -> None:
    family_modules = {"F": "file", "S": "schema", "C": "conversation", "T": "tokens",
                      "D": "duplicates", "Q": "quality", "P": "privacy"}
    # A family is a module of rules/ or a package of one module per rule (quality).
    assert {code: module.split(".")[2] for code, module in registering_modules().items()} \
        == {rule.code: family_modules[rule.family] for rule in all_rules()}


def _codes(predicate: str) -> set[str]:
    return {rule.code for rule in all_rules() if getattr(rule, predicate)}


def test_structural_and_ordering_rules_are_attributes_of_the_rule() -> None:
    assert structural_codes() == _codes("structural") == {
        "S001", "S002", "S003", "S004", "C001", "C007", "C015"}
    assert _codes("needs_structure") == {"C003", "C004", "C005"}


def test_rules_judged_over_the_whole_training_set_say_so() -> None:
    dataset: set[str] = {rule.code for rule in all_rules() if rule.scope == "dataset"}
    assert dataset == {"F007", "F010", "D001", "D002", "D003", "D004", "Q007"}
