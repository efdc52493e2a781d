"""The vendor keys and tokens P001 recognises by their fixed prefix, as data.

One :class:`VendorRule` per kind of credential, in the style of gitleaks' rules (an id, a
description, a regular expression and the keywords a text must hold for it to match), each
with its sources: the rule of gitleaks' ``config/gitleaks.toml`` it follows (repository
gitleaks/gitleaks, commit b58d3f1, line of the rule's ``id``) and the vendor's own description
of the format. The expressions are looser than gitleaks' where a vendor's format has changed
over time (lengths, versions), and every match is then confirmed by :mod:`ftdata.scan.secrets`
(entropy, placeholders, a JWT's header), which gitleaks leaves to its allowlists.

The order of :data:`VENDOR_RULES` is the order of the alternation: Anthropic's ``sk-ant-``
keys come before OpenAI's ``sk-``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: How a match is confirmed: ``random`` (a key body of random characters in three classes),
#: ``entropy`` (a body of at least 3 bits of entropy a character; a Slack webhook URL needs
#: none), ``prefix`` (the prefix and shape suffice), ``jwt`` (the header decodes to JSON with
#: ``alg`` or ``typ``).
Check = Literal["random", "entropy", "prefix", "jwt"]


@dataclass(frozen=True)
class VendorRule:
    """One kind of vendor credential."""

    #: gitleaks' rule id where there is one.
    id: str
    #: How messages name it.
    description: str
    #: The whole credential (no groups: the table's alternation names each rule's).
    regex: str
    #: Where a match may start: a bare pattern of the fixed prefixes.
    start: str
    #: The fixed part before the random body (for the body's checks).
    prefix: str
    #: Literal substrings one of which every match contains (gitleaks' ``keywords``).
    keywords: tuple[str, ...]
    check: Check
    #: Where the format is described.
    sources: tuple[str, ...]

    @property
    def group(self) -> str:
        """The name of this rule's group in :data:`VENDOR`."""
        return self.id.replace("-", "_")


_GITLEAKS = "gitleaks/gitleaks config/gitleaks.toml@b58d3f1"

VENDOR_RULES: tuple[VendorRule, ...] = (
    VendorRule(
        "anthropic-api-key", "Anthropic API key",
        r"\bsk-ant-[a-z]{2,10}\d{0,3}-[A-Za-z0-9_-]{20,}",
        r"sk-", r"sk-ant-[a-z]+\d*-", ("sk-ant-",), "random",
        (f"{_GITLEAKS}:150 (anthropic-api-key), :144 (anthropic-admin-api-key)",
         "https://docs.anthropic.com/en/api/overview (x-api-key: sk-ant-api03-...)")),
    VendorRule(
        "openai-api-key", "OpenAI API key",
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}",
        r"sk-", r"sk-(?:proj-|svcacct-|admin-|None-)?", ("sk-",), "random",
        (f"{_GITLEAKS}:2704 (openai-api-key)",
         "https://platform.openai.com/docs/api-reference/authentication (sk-, sk-proj- keys)")),
    VendorRule(
        "aws-access-token", "AWS access key id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        r"AKIA|ASIA|ABIA|ACCA", r"AKIA|ASIA|ABIA|ACCA", ("AKIA", "ASIA", "ABIA", "ACCA"),
        "prefix",
        (f"{_GITLEAKS}:206 (aws-access-token)",
         "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"
         "#identifiers-unique-ids (AKIA access keys, ASIA temporary keys, ABIA, ACCA)")),
    VendorRule(
        "github-token", "GitHub token",
        r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}",
        r"gh[pousr]_|github_pat_", r"gh[pousr]_|github_pat_",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), "entropy",
        (f"{_GITLEAKS}:2159 (github-pat), :2152 (github-oauth), :2131 (github-app-token), "
         ":2170 (github-refresh-token), :2145 (github-fine-grained-pat)",
         "https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-"
         "generally-available (prefixes; lengths up to 255)")),
    VendorRule(
        "slack-token", "Slack token",
        r"\bxox[abposr]-[0-9A-Za-z-]{10,}|\bxapp-\d-[0-9A-Za-z-]{10,}"
        r"|https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,}",
        r"xox[abposr]-|xapp-|https://hooks\.slack\.com/", r"xox[abposr]-|xapp-",
        ("xox", "xapp-", "hooks.slack.com"), "entropy",
        (f"{_GITLEAKS}:2971 (slack-bot-token), :3022 (slack-user-token), "
         ":2964 (slack-app-token), :3002/:3012 (slack-legacy-*), :3032 (slack-webhook-url)",
         "https://api.slack.com/authentication/token-types (xoxb-, xoxp-, xapp- tokens)")),
    VendorRule(
        "gcp-api-key", "Google API key",
        r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
        r"AIza", r"AIza", ("AIza",), "entropy",
        (f"{_GITLEAKS}:612 (gcp-api-key)",
         "https://cloud.google.com/docs/authentication/api-keys (keys start with AIza)")),
    VendorRule(
        "jwt", "JSON Web Token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        r"eyJ", r"", ("eyJ",), "jwt",
        (f"{_GITLEAKS}:2424 (jwt)",
         "https://www.rfc-editor.org/rfc/rfc7519#section-3 (three base64url parts; the "
         "header is a JSON object, so its encoding starts with eyJ)")),
)

#: Every rule of :data:`VENDOR_RULES` in one alternation, each in a group named after it.
VENDOR = re.compile("|".join(f"(?P<{rule.group}>{rule.regex})" for rule in VENDOR_RULES))
#: Where a match of :data:`VENDOR` may start (a bare pattern, scanned fast).
VENDOR_START = re.compile("|".join(dict.fromkeys(rule.start for rule in VENDOR_RULES)))
#: The fixed prefix of a vendor key, before its random body.
VENDOR_PREFIX = re.compile("|".join(rule.prefix for rule in VENDOR_RULES if rule.prefix))
#: The rules by their group in :data:`VENDOR`.
BY_GROUP = {rule.group: rule for rule in VENDOR_RULES}
