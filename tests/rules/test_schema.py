"""One test per schema rule: a record that triggers it and one that does not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.helpers import TOOLS, assistant, call, chat, codes, user

GOOD = chat(user(), assistant())

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "S001": (chat({"content": "hi"}, assistant()), "/messages/0/role"),
    "S002": (chat(user(), assistant(), metadata={"source": "crm"}), "/metadata"),
    "S003": (chat({"role": "user", "content": 42}, assistant()), "/messages/0/content"),
    "S004": (chat(user(), {"role": "assistant", "tool_calls": [{**call(), "type": "func"}]},
                  tools=TOOLS), "/messages/1/tool_calls/0/type"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_with_pointer(code: str) -> None:
    import ftdata

    record, pointer = CASES[code]
    report = ftdata.validate_records([record], format="openai-chat")
    assert [(i.code, i.pointer) for i in report.issues] == [(code, pointer)]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_good_record(code: str) -> None:
    assert code not in codes(GOOD)
