"""The one redaction step every issue goes through before any renderer sees it."""

from __future__ import annotations

import pytest

import ftdata
from ftdata.diagnostics import Issue, Severity, pointer_join

# A bare AWS secret access key: no vendor prefix, and "/" that a JSON pointer escapes as "~1".
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9"
GITHUB = "ghp_Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO"


def _issue(message: str, pointer: str | None, code: str = "S002") -> Issue:
    return Issue(code, "unknown-key", Severity.ERROR, 1, 0, pointer, message)


def test_a_credential_in_an_escaped_pointer_token_is_masked() -> None:
    pointer = pointer_join("/messages/0", AWS_SECRET)
    assert "~1" in pointer
    issue = _issue(f"unknown key {AWS_SECRET!r} in user message", pointer)
    assert issue.pointer == "/messages/0/wJal…(40 chars)"
    assert issue.message == "unknown key 'wJal…(40 chars)' in user message"


@pytest.mark.parametrize("code", ["P001", "P002"])
def test_privacy_messages_mask_the_role_they_name(code: str) -> None:
    issue = _issue(f"OpenAI API key sk-p…(56 chars) in {GITHUB} content", None, code)
    assert GITHUB not in issue.message and "sk-p…(56 chars)" in issue.message


def test_structure_and_ordinary_values_are_left_alone() -> None:
    for text in ("/messages/12/tool_calls/0/function/arguments", "role 'Assistant_v2' is unknown",
                 "tool 'get_current_weather_forecast' is not declared in tools",
                 "image URL 'https://example.com/cat.png' is neither a URL nor a base64 data URI",
                 "tool_call_id 'call_9f8e7d6c5b4a39281706' has no matching call"):
        issue = _issue(text, text if text.startswith("/") else None)
        assert (issue.message, issue.pointer or text) == (text, text)


def test_every_value_a_record_quotes_is_masked() -> None:
    record = {AWS_SECRET: 1, "messages": [
        {"role": AWS_SECRET, "content": [{"type": AWS_SECRET, "text": "Hi"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": AWS_SECRET, "type": "function",
             "function": {"name": AWS_SECRET, "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "x" + AWS_SECRET, "content": "42"},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": AWS_SECRET}}]},
        {"role": "assistant", "content": "ok", AWS_SECRET: 2}]}
    report = ftdata.validate_records([record], tokens=False)
    assert {"S002", "C001", "C013"} <= {issue.code for issue in report.issues}
    for issue in report.issues:
        shown = f"{issue.message} {issue.pointer}"
        assert "bPxRfiCYzQ7x" not in shown.replace("~1", "/"), shown


def test_a_pointer_shown_escaped_or_masked_says_so() -> None:
    import json

    import ftdata
    from ftdata.pointers import get
    from ftdata.render import get_renderer

    secret = "Zq8vT2mN4xR7pL1sK9dF3gH6jW0yB5cE2aU8iO4e"  # a credential-like key
    record = {"messages": [{"role": "user", "content": "Hi"},
                           {"role": "assistant", "content": "Hello"}],
              "a\nb": 1, "\udc00": 2, secret: 3, "plain": 4}
    report = ftdata.validate_records([record], format="openai-chat", tokens=False)
    notes = {issue.pointer: issue.pointer_note for issue in report.issues if issue.code == "S002"}
    assert notes == {"/a\\nb": "escaped", "/\\udc00": "escaped", "/plain": None,
                     "/Zq8v…(40 chars)": "masked"}
    # The record's own pointer resolves; the others do not, and every output says so.
    assert get(record, "/plain") == 4
    text = get_renderer("text")([report], False)
    assert "(at /a\\nb, escaped)" in text and "(at /plain)" in text and ", masked)" in text
    assert secret not in text
    issues = json.loads(get_renderer("json")([report], False))["files"][0]["issues"]
    by_pointer = {issue["pointer"]: issue for issue in issues}
    assert by_pointer["/a\\nb"]["pointer_note"] == "escaped"
    assert "pointer_note" not in by_pointer["/plain"]
    sarif = json.loads(get_renderer("sarif")([report], False))
    properties = [result["properties"] for result in sarif["runs"][0]["results"]]
    assert {"pointer": "/a\\nb", "pointerNote": "escaped"}.items() <= next(
        p for p in properties if p.get("pointer") == "/a\\nb").items()
