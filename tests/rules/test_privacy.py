"""Privacy rules: one case per code, recall on realistic leaks (fake keys of the right shapes,
generated here; none is real), false-positive suites, and the promise that no output ever
shows a secret or a piece of personal data whole.

Assertions about leaks are written so that a failure does not print the secret either.
"""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftdata
from ftdata.formats import get_format
from ftdata.render import OUTPUT_FORMATS, get_renderer
from ftdata.rules import RuleContext, get_rule, privacy
from ftdata.scan import pii, secrets
from ftdata.scan.pii import iban_valid, luhn_valid
from ftdata.scan.secrets import credential_like, mask, redact_quoted, shannon_entropy
from ftdata.scan.texts import example_texts
from ftdata.targets import get_target
from tests.rules.helpers import assistant, call, chat, user

BASE62 = string.ascii_letters + string.digits
URLSAFE = BASE62 + "_-"
#: Substrings that make a value read as a documentation placeholder; fake keys avoid them.
_MARKERS = ("xxxx", "your", "example", "sample", "here", "fake", "test", "dummy", "token",
            "1234", "abcd", "0000", "key", "secret", "pass", "insert", "replace", "redact")


def fake(alphabet: str, length: int, rng: random.Random) -> str:
    """A random string of the right shape, free of placeholder-looking substrings."""
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(length))
        lowered = value.lower()
        if not any(marker in lowered for marker in _MARKERS) and not any(
                value[i] == value[i + 1] == value[i + 2] for i in range(length - 2)):
            return value


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _secrets() -> dict[str, tuple[str, str, str]]:
    """name -> (the secret, a realistic text holding it, the label P001 gives it)."""
    rng = random.Random(20240611)
    openai = "sk-proj-" + fake(URLSAFE, 156, rng)
    legacy = "sk-" + fake(BASE62, 48, rng)
    anthropic = "sk-ant-api03-" + fake(URLSAFE, 93, rng) + "AA"
    akid = "AKIA" + fake(string.ascii_uppercase + "234567", 16, rng)
    aws_secret = fake(BASE62 + "/+", 40, rng)
    ghp = "ghp_" + fake(BASE62, 36, rng)
    pat = "github_pat_" + fake(BASE62, 22, rng) + "_" + fake(BASE62, 59, rng)
    slack = "xoxb-" + fake(string.digits, 12, rng) + "-" + fake(string.digits, 13, rng) + "-" + \
        fake(BASE62, 24, rng)
    hook = ("https://hooks.slack.com/services/T" + fake(string.ascii_uppercase + string.digits,
                                                         8, rng)
            + "/B" + fake(string.ascii_uppercase + string.digits, 10, rng) + "/"
            + fake(BASE62, 24, rng))
    google = "AIza" + fake(URLSAFE, 35, rng)
    jwt = ".".join((b64url({"alg": "HS256", "typ": "JWT"}),
                    b64url({"sub": "u-81723", "name": "Ada", "iat": 1718000000}),
                    fake(URLSAFE, 43, rng)))
    pem_body = "\n".join(fake(BASE62 + "+/", 64, rng) for _ in range(6))
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----"
    encrypted_body = "\n".join(fake(BASE62 + "+/", 64, rng) for _ in range(4))
    encrypted = ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                 f"DEK-Info: AES-128-CBC,{fake('0123456789ABCDEF', 32, rng)}\n\n"
                 f"{encrypted_body}\n-----END RSA PRIVATE KEY-----")
    generic = fake(BASE62, 32, rng)
    password = fake(BASE62 + "!#%&*", 20, rng)
    bearer = fake(BASE62, 40, rng)
    db_password = fake(BASE62, 14, rng)
    return {
        "openai project key": (openai, f"My key is {openai} and the API says 401.",
                               "OpenAI API key"),
        "openai legacy key": (legacy, f'client = OpenAI(api_key="{legacy}")', "OpenAI API key"),
        "anthropic key": (anthropic, f"export ANTHROPIC_API_KEY={anthropic}",
                          "Anthropic API key"),
        "aws access key id": (akid, f"[default]\naws_access_key_id = {akid}\n"
                                    f"aws_secret_access_key = {aws_secret}\n",
                              "AWS access key id"),
        "aws secret key": (aws_secret, f"AWS_ACCESS_KEY_ID={akid} AWS_SECRET_ACCESS_KEY="
                                       f"{aws_secret} aws s3 ls", "AWS secret access key"),
        "github token": (ghp, f"git clone https://{ghp}@github.com/acme/app.git",
                         "GitHub token"),
        "github fine-grained token": (pat, f'{{"token": "{pat}"}}', "GitHub token"),
        "slack bot token": (slack, f"SLACK_BOT_TOKEN={slack}", "Slack token"),
        "slack webhook": (hook, f"curl -X POST -d '{{\"text\":\"hi\"}}' {hook}", "Slack token"),
        "google api key": (google, f"https://maps.googleapis.com/maps/api/geocode/json?key="
                                   f"{google}", "Google API key"),
        "jwt": (jwt, f'curl -H "Authorization: Bearer {jwt}" https://api.acme.io/me',
                "JSON Web Token"),
        "pem private key": (pem_body.splitlines()[0], f"Here is my key:\n{pem}\n",
                            "PEM private key"),
        "encrypted pem key": (encrypted_body.splitlines()[0], f"key.pem:\n{encrypted}",
                              "PEM private key"),
        "generic api key": (generic, f'STRIPE_API_KEY = "{generic}"', "secret"),
        "generic password": (password, f'db:\n  password: "{password}"\n', "secret"),
        "bearer token": (bearer, f"Authorization: Bearer {bearer}", "bearer token"),
        "url password": (db_password, f"DATABASE_URL=postgres://admin:{db_password}@db.internal"
                                      f":5432/app", "password in a URL"),
    }


SECRETS = _secrets()


def _issues(record: dict[str, Any], code: str, format: str = "openai-chat") -> list[ftdata.Issue]:
    report = ftdata.validate_records([record], format=format, select=[code], ignore=["F007"])
    return list(report.issues)


def _leaks(value: str, texts: list[str]) -> bool:
    """Whether any text holds ``value`` whole (or, for long values, its first 12 characters)."""
    probes = {value, value[:12]} if len(value) >= 24 else {value}
    return any(probe in text for probe in probes for text in texts)


# -- one case per code --------------------------------------------------------------------

CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "P001": (chat(user(SECRETS["openai project key"][1]), assistant("Rotate it.")),
             chat(user("My key is sk-... and the API says 401."), assistant("Rotate it.")),
             "/messages/0/content"),
    "P002": (chat(user("Mail jane.doe@gmail.com or call +1 415-555-2671."), assistant("OK.")),
             chat(user("Mail jane@example.com or call +1 415-555-0100."), assistant("OK.")),
             "/messages/0/content"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_on_bad_record_at_the_exact_pointer(code: str) -> None:
    bad, _, pointer = CASES[code]
    found = _issues(bad, code)
    assert found and {issue.pointer for issue in found} == {pointer}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_good_record(code: str) -> None:
    _, good, _ = CASES[code]
    assert _issues(good, code) == []


def test_privacy_rules_are_documented() -> None:
    for code, severity in (("P001", "error"), ("P002", "warning")):
        rule = get_rule(code)
        assert rule.severity.value == severity and rule.check is not None
        for heading in ("**What it does.**", "**Why is this bad?**", "**Example.**",
                        "**Use instead.**"):
            assert heading in rule.doc


# -- P001 recall --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_p001_finds_realistic_leaks(name: str) -> None:
    secret, text, label = SECRETS[name]
    found = _issues(chat(user("Why does this fail?"), assistant(text)), "P001")
    messages = [issue.message for issue in found]
    assert any(message.startswith(label + " ") for message in messages), messages
    assert all(issue.pointer == "/messages/1/content" for issue in found)
    assert not _leaks(secret, messages), f"a {name} is echoed in an issue message"


def test_p001_scans_every_text_of_the_example() -> None:
    key = SECRETS["github token"][0]
    tools = [{"type": "function", "function": {"name": "clone", "parameters": {}}}]
    places = {
        "/messages/0/content": chat({"role": "system", "content": f"Use token {key}."},
                                    user(), assistant()),
        "/messages/1/tool_calls/0/function/arguments": chat(
            user(), {"role": "assistant", "tool_calls": [call("clone", json.dumps(
                {"repo": "acme/app", "auth": key}))]}, tools=tools),
        "/messages/0/name": chat({"role": "user", "content": "Hi", "name": key}, assistant()),
    }
    for pointer, record in places.items():
        assert [issue.pointer for issue in _issues(record, "P001")] == [pointer]
    other_formats: list[tuple[dict[str, Any], str, str]] = [
        ({"prompt": f"token={key}", "completion": " ok"}, "prompt-completion", "/prompt"),
        ({"text": f"GITHUB_TOKEN: {key}"}, "text", "/text"),
        ({"input": {"messages": [user()]}, "preferred_output": [assistant("4")],
          "non_preferred_output": [assistant(key)]}, "openai-preference",
         "/non_preferred_output/0/content"),
        ({"contents": [{"role": "user", "parts": [{"text": "Hi"}]},
                       {"role": "model", "parts": [{"functionCall": {
                           "name": "clone", "args": {"auth": key}}}]}]}, "vertex-gemini",
         "/contents/1/parts/0/functionCall/args"),
    ]
    for record, format_id, pointer in other_formats:
        assert [issue.pointer for issue in _issues(record, "P001", format_id)] == [pointer]


def test_p001_messages_name_the_key_and_measure_the_whole_secret() -> None:
    secret, text, _ = SECRETS["generic api key"]
    (found,) = _issues(chat(user("Why?"), assistant(text)), "P001")
    assert found.message == f"secret (STRIPE_API_KEY) {secret[:4]}…(32 chars) in assistant content"
    _, pem_text, _ = SECRETS["pem private key"]
    (pem,) = _issues(chat(user("Why?"), assistant(pem_text)), "P001")
    block = pem_text[pem_text.index("-----BEGIN"):pem_text.index("KEY-----\n", 40) + 8]
    assert pem.message == f"PEM private key ----…({len(block)} chars) in assistant content"


def test_p001_reports_each_kind_once_per_text_with_a_count() -> None:
    keys = [SECRETS["github token"][0], SECRETS["github fine-grained token"][0]]
    (found,) = _issues(chat(user(" and ".join(keys)), assistant()), "P001")
    assert found.message.startswith("GitHub token ghp_…(40 chars) and 1 more in user content")


# -- P001 false positives -----------------------------------------------------------------

DOCS = {
    "openai ellipsis": "Set OPENAI_API_KEY=sk-... in your shell.",
    "openai placeholder": 'client = OpenAI(api_key="sk-your-api-key-here")',
    "openai xs": "export OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "env lookup": 'api_key = os.environ["OPENAI_API_KEY"]\ntoken = os.getenv("GITHUB_TOKEN")',
    "angle placeholder": "Authorization: Bearer <YOUR_ACCESS_TOKEN>",
    "template variable": "password: ${DB_PASSWORD}\nsecret: {{ secrets.DEPLOY_KEY }}",
    "aws documented": "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "jwt.io sample": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ik"
                     "pvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQ"
                     "ssw5c",
    "pem header only": "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "public key": "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfV"
                  "LPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u"
                  "\n-----END PUBLIC KEY-----",
    "tokenizer": "tokenizer = AutoTokenizer.from_pretrained('meta-llama/Llama-3.1-8B-Instruct')",
    "secret from vault": "secret_key = get_secret_from_vault(name='payments_service_primary')",
    "password prose": "Your password: at least twelve characters, mixing letters and digits.",
    "git sha": "Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (see the changelog).",
    "sha256": "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "uuid": "request_id: 7f9c1f34-51e2-4d8b-9a3e-6b2f0c8d1e57",
    "url without password": "https://user@github.com/acme/app.git and postgres://db:5432/app",
    "placeholder url": "postgres://user:password@localhost:5432/mydb",
    "sklearn": "pip install sk-learn-extensions-for-time-series and import sklearn",
    "base64 image": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlE"
                    "QVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "css class": 'button class="btn-primary-outline-secondary-large-rounded"',
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_p001_ignores_placeholders_and_lookalikes(name: str) -> None:
    assert _issues(chat(user("How do I set this up?"), assistant(DOCS[name])), "P001") == []


# -- P002 ---------------------------------------------------------------------------------

PII = {
    "gmail": ("marta.kowalska@gmail.com", "Write to marta.kowalska@gmail.com for the files.",
              "email address"),
    "corporate email": ("m.rossi@acme-corp.it", "Contact: m.rossi@acme-corp.it", "email address"),
    "email in code": ("olga.ivanova@yandex.ru", 'send_mail(to="olga.ivanova@yandex.ru")',
                      "email address"),
    "nanp dashes": ("312-555-7781", "Call me at 312-555-7781 tonight.", "phone number"),
    "nanp parens": ("(212) 736-5000", "Our office: (212) 736-5000.", "phone number"),
    "nanp dots": ("650.253.0000", "Fax 650.253.0000", "phone number"),
    "e164 spaced": ("+44 20 7183 8750", "London office +44 20 7183 8750", "phone number"),
    "e164 french": ("+33 6 12 34 56 78", "Mon portable : +33 6 12 34 56 78", "phone number"),
    "e164 compact with context": ("+14155552671", "WhatsApp: +14155552671", "phone number"),
    "german national": ("030 12345678", "Telefon: 030 12345678", "phone number"),
    "uk mobile": ("07700 900123", "text me on 07700 900123", "phone number"),
    "visa test number": ("4012 8888 8888 1881", "Card: 4012 8888 8888 1881, exp 12/27",
                         "card number"),
    "mastercard dashed": ("5555-5555-5555-4444", "use 5555-5555-5555-4444 at checkout",
                          "card number"),
    "amex": ("3782 822463 10005", "Amex 3782 822463 10005", "card number"),
    "card unspaced": ("4242424242424242", "my credit card is 4242424242424242",
                      "card number"),
    "iban de": ("DE89 3704 0044 0532 0130 00", "IBAN: DE89 3704 0044 0532 0130 00", "IBAN"),
    "iban gb compact": ("GB82WEST12345698765432", "Pay to GB82WEST12345698765432.", "IBAN"),
    "iban fr": ("FR14 2004 1010 0505 0001 3M02 606", "RIB FR14 2004 1010 0505 0001 3M02 606",
                "IBAN"),
}


def test_p002_reports_published_test_card_numbers() -> None:
    found = _issues(chat(user("Pay with 4111 1111 1111 1111."), assistant("OK.")), "P002")
    assert [issue.message for issue in found] == ["card number 4111…(19 chars) in user content"]


@pytest.mark.parametrize("name", sorted(PII))
def test_p002_finds_personal_data(name: str) -> None:
    value, text, label = PII[name]
    found = _issues(chat(user(text), assistant("Noted.")), "P002")
    messages = [issue.message for issue in found]
    assert any(message.startswith(label + " ") for message in messages), messages
    assert not _leaks(value, messages), f"a {name} is echoed in an issue message"


NOT_PII = {
    "years and ranges": "Between 1999 and 2024 (1990-2020), sales grew 2019 2020 2021 2022.",
    "dates": "Due 2024-01-15, 15.01.2024, 01/15/2024 or 01.02.2024 at 12:30:45.",
    "prices": "It costs $1,234,567.89 or € 1.234,56 — about 1 234 567 yen.",
    "versions": "Windows 10.0.19041.1 with Python 3.11.7, v1.2.3 and build 22621.2861.",
    "ip addresses": "Ping 192.168.100.200 and 10.0.0.1, then 2001:db8::8a2e:370:7334.",
    "isbn": "ISBN 978-0-306-40615-7 and ISBN-10 0-306-40615-2.",
    "order numbers": "Order #123456789 and ticket #4521-8873-2210 are closed.",
    "arithmetic": "12345678 + 87654321 = 99999999, and 256626720691 + 1646615806005 = "
                  "1903242526696.\n472547338\n+960397912423686\n-------\n960398384971024",
    "luhn-valid sum": "The result is:\n\n4212883012996",
    "timestamps": "created_at: 1699999999999, id 1789456123456789012",
    "invalid nanp": "Placeholder 123-456-7890 and 555-555-5555.",
    "fictional nanp": "Call 555-0100 or (415) 555-0123 in the film.",
    "coordinates": "37.7749, -122.4194 and 48.8566° N, 2.3522° E",
    "zip plus four": "San Francisco, CA 94105-1234",
    "ssn-shaped": "Format: 123-45-6789",
    "card not luhn": "4111 1111 1111 1112",
    "iban bad checksum": "DE89 3704 0044 0532 0130 01",
    "reserved emails": "Write to jane@example.com, bob@mail.example.org, a@b.test, x@host.local.",
    "placeholder emails": "yourname@yourdomain.com, boss@company.com, john@example-domain.com",
    "role mailboxes": "support@stripe.com, noreply@github.com, privacy@apple.com",
    "email lookalikes": "logo@2x.png, git@github.com:acme/app.git, @decorator, npm i @babel/core,"
                        " user@localhost",
    "phone without context": "Reference 030 12345678 in the ledger.",
    "scientific": "Avogadro: 6.02214076e23 and Planck 6.62607015e-34.",
    "table": "| 2021 | 4,512 | 3,998 |\n| 2022 | 4,871 | 4,102 |",
    "uuid": "7f9c1f34-51e2-4d8b-9a3e-6b2f0c8d1e57",
}


@pytest.mark.parametrize("name", sorted(NOT_PII))
def test_p002_ignores_numbers_and_addresses_that_are_not_personal(name: str) -> None:
    assert _issues(chat(user("Summarise."), assistant(NOT_PII[name])), "P002") == []


# -- helpers ------------------------------------------------------------------------------


def test_mask_shows_a_short_prefix_and_the_length() -> None:
    assert mask("sk-proj-" + "a" * 43) == "sk-p…(51 chars)"
    assert mask("ada@acme.io") == "ad…(11 chars)"
    assert mask("abc") == "…(3 chars)"
    assert mask("") == "…(0 chars)"


def test_checksums_and_entropy() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE89370400440532013001")
    assert not iban_valid("XX89370400440532013000")
    assert shannon_entropy("") == 0.0 and shannon_entropy("abab") == 1.0


# -- nothing is ever shown whole ----------------------------------------------------------


def test_no_renderer_shows_a_secret_or_personal_data(tmp_path: Path) -> None:
    values = [secret for secret, _, _ in SECRETS.values()] + [value for value, _, _ in
                                                              PII.values()]
    texts = [text for _, text, _ in SECRETS.values()] + [text for _, text, _ in PII.values()]
    path = tmp_path / "leaky.jsonl"
    path.write_text("".join(json.dumps(chat(user(text), assistant("OK."))) + "\n"
                            for text in texts), "utf-8")
    report = ftdata.validate(path, select=["P"])
    assert {issue.code for issue in report.issues} == {"P001", "P002"}
    outputs = [get_renderer(name)([report], False) for name in OUTPUT_FORMATS]
    outputs.append(json.dumps(report.to_dict()))
    leaked = [index for index, value in enumerate(values) if _leaks(value, outputs)]
    assert not leaked, f"values {leaked} appear whole in a rendered report"


# -- the whole-example gates: a quick "nothing here" must never hide a finding -------------

_PIECES = ["a", "Z9", "-", "_", "=", ":", "@", "7", "0", " ", "\n", "\t", "\u00a0", "\u2003",
           "é", "中", "\x1c", "sk-", "ghp_", "key", "token=", "://", "x@y.io", "+1 ", "4111"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join), max_size=4))
def test_gates_never_hide_a_candidate(texts: list[str]) -> None:
    joined = "\n".join(texts)
    for value in texts:
        if secrets.long_runs(value):
            assert secrets.may_have_long_run(value)
            assert secrets.may_have_long_run(joined)
        if pii.NUMBER_RUN.search(value) or "@" in value:
            assert pii.may_hold_pii(value)
            assert pii.may_hold_pii(joined)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_PIECES, "sk-proj-", "Zx81Qm", "4111 1111 1111 1111",
                                          "jane.doe@gmail.com", "BEGIN"]),
                         max_size=30).map("".join), min_size=1, max_size=4))
def test_gated_rules_agree_with_a_scan_of_every_text(texts: list[str]) -> None:
    fmt = get_format("openai-chat")
    example = fmt.read(chat(*(user(text) if index % 2 == 0 else assistant(text)
                              for index, text in enumerate(texts))))
    context = RuleContext(format=fmt, target=get_target("generic"))
    for code, hits in (("P001", secrets.secret_hits), ("P002", pii.pii_hits)):
        check = get_rule(code).check
        assert check is not None
        found = list(check(example, context))
        expected = [finding for text in example_texts(example)
                    for finding in privacy._report(code, text, hits(text.value))]
        assert found == expected


@pytest.mark.parametrize("token", [
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9",  # AWS secret access key
    "Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa",  # a bare random token
    "FwoGZXIvYXdzEBYaDHqa0AP1k2Bq8z9LqSKCAaOsTa",  # an AWS session token's start
])
def test_credential_like_masks_prefixless_credentials(token: str) -> None:
    assert credential_like(token)
    assert token not in redact_quoted(f"unknown key '{token}'")


@pytest.mark.parametrize("token", [
    "ConversationHistory2024", "get_current_weather_forecast", "a3f9c2e81b7d4f60a9e2c4d1",
    "AbrahamSanders/seq2seq-chatbot", "meta-llama/Llama-3.1-8B-Instruct", "call_9f8e7d6c5b4a3928",
    "550e8400-e29b-41d4-a716-446655440000", "/messages/12/tool_calls/0/function/arguments",
])
def test_credential_like_leaves_names_ids_and_paths(token: str) -> None:
    assert not credential_like(token)
    assert redact_quoted(token) == token


def test_redact_quoted_masks_a_pointer_token_by_token() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9"
    pointer = "/messages/0/" + secret.replace("/", "~1") + "/content"
    assert redact_quoted(pointer, pointer=True) == "/messages/0/wJal…(40 chars)/content"
    assert "bPxRfi" not in redact_quoted(f"at {pointer}").replace("~1", "/")


def test_credential_like_masks_little_of_the_corpus(corpus: Path) -> None:
    """Every run of 20+ token characters in the corpus files: only embedded base64 images
    (random data) look like credentials (3 of 2,284 runs when this was written)."""
    runs = masked = 0
    for path in sorted(corpus.iterdir()):
        text = path.read_text("utf-8", errors="replace")
        for match in secrets.TOKEN_RUN.finditer(text):
            runs += 1
            if redact_quoted(match.group()) != match.group():
                masked += 1
                assert match.group().startswith(("iVBOR", "/9j/")), match.group()[:80]
    assert runs > 1000 and masked <= 10
