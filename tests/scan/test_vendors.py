"""The vendor table: each rule cites its sources, and its keywords and start pattern cover
every credential its expression matches."""

from __future__ import annotations

import re

import pytest

from ftdata.scan.vendors import BY_GROUP, VENDOR, VENDOR_RULES, VENDOR_START, VendorRule

# One credential of each rule's shape (made up here; none is real).
SAMPLES = {
    "anthropic-api-key": "sk-ant-api03-" + "q8Zr2LmX0vB7tKp4Nw9s" * 4 + "AA",
    "openai-api-key": "sk-proj-" + "q8Zr2LmX0vB7tKp4Nw9s" * 3,
    "aws-access-token": "AKIA" + "Q8ZR2LMX0VB7TKP4",
    "github-token": "ghp_" + "q8Zr2LmX0vB7tKp4Nw9s" + "Q8zR2lMx0Vb7TkP4",
    "slack-token": "xoxb-" + "123456789012-1234567890123-" + "q8Zr2LmX0vB7tKp4Nw9s",
    "gcp-api-key": "AIza" + "q8Zr2LmX0vB7tKp4Nw9s" + "Q8zR2lMx0Vb7TkP",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.q8Zr2LmX0vB7tKp4Nw9s",
}


@pytest.mark.parametrize("rule", VENDOR_RULES, ids=lambda rule: rule.id)
def test_every_rule_cites_gitleaks_and_the_vendor(rule: VendorRule) -> None:
    sources = rule.sources
    assert any(source.startswith("gitleaks/gitleaks config/gitleaks.toml") for source in sources)
    assert any("https://" in source for source in sources)


@pytest.mark.parametrize("rule", VENDOR_RULES, ids=lambda rule: rule.id)
def test_a_sample_matches_its_own_rule_from_a_start_and_holds_a_keyword(rule: VendorRule) -> None:
    sample = SAMPLES[rule.id]
    text = f"my key is {sample} thanks"
    start = VENDOR_START.search(text)
    assert start is not None and start.start() == text.index(sample)
    match = VENDOR.match(text, start.start())
    assert match is not None and match.group() == sample
    assert BY_GROUP[match.lastgroup or ""] is rule
    assert any(keyword in sample for keyword in rule.keywords)


def test_anthropic_keys_are_not_taken_for_openai_ones() -> None:
    match = VENDOR.match(SAMPLES["anthropic-api-key"])
    assert match is not None and match.lastgroup == "anthropic_api_key"


def test_not_a_credential() -> None:
    assert VENDOR.match("sk-short") is None
    assert not re.fullmatch(VENDOR, "AKIAlowercase0000000")
