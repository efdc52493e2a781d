"""Privacy rules (P): secrets and personal data inside training text.

Both rules scan every text of the example (:func:`ftdata.rules.quality.example_texts`) with
bare, precompiled trigger patterns that the regular-expression engine can skip through fast:
P001 looks only at runs of 16 or more non-space characters (every key, token and password
value is one), P002 at ``@`` signs, digit runs and IBAN-shaped words. The few candidates are
then confirmed in Python: vendor prefixes, Shannon entropy, placeholder words, checksums
(Luhn, mod-97), reserved domains. Nothing found is ever echoed whole: messages show
:func:`mask`'s short prefix and the length, and renderers can use the same function.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.rules.quality import Text, example_texts, joined_texts, text_label

E, W = Severity.ERROR, Severity.WARNING


def mask(value: str, keep: int = 4) -> str:
    """A secret or a piece of personal data shown safely: a short prefix and the length.

    At most a quarter of the value is shown, and never more than ``keep`` characters.

    >>> mask("sk-proj-" + "a1B2" * 12)
    'sk-p…(56 chars)'
    >>> mask("ada@acme.io")
    'ad…(11 chars)'
    """
    shown = max(0, min(keep, len(value) // 4))
    return f"{value[:shown]}…({len(value)} chars)"


class _Hit(NamedTuple):
    kind: str
    value: str


def _report(code: str, text: Text, hits: list[_Hit]) -> Iterator[Finding]:
    """One finding per kind of hit in a text, with a count and the first one masked."""
    counts = Counter(hit.kind for hit in hits)
    first: dict[str, str] = {}
    for hit in hits:
        first.setdefault(hit.kind, hit.value)
    where = text_label(text)
    for kind, count in counts.items():
        more = f" and {count - 1} more" if count > 1 else ""
        yield Finding(code, f"{kind} {mask(first[kind])}{more} in {where}", text.pointer)


# -- P001 ---------------------------------------------------------------------------------

#: Words that mark a documentation placeholder rather than a real credential.
_PLACEHOLDER = re.compile(
    r"x{4}|\*{3}|\.{3}|…|<|>|\{|\}|\$\(|your|example|sample|placeholder|redacted|dummy|fake"
    r"|here|replace|insert|changeme|secret_?key|api_?key|token|password|0{4}|1234|abcd"
    r"|(.)\1{5}",
    re.IGNORECASE)

#: Literal examples printed in vendors' documentation (AWS's end in EXAMPLE, caught above).
_DOCUMENTED_EXAMPLES = frozenset({
    # The signature of jwt.io's default token, in countless tutorials.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
})

_KEY_NAME = (r"(?:api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?access)?"
             r"(?:[_-]?key)?|client[_-]?secret|private[_-]?key|auth[_-]?token|access[_-]?token"
             r"|refresh[_-]?token|bearer[_-]?token|token|secret|passw(?:or)?d|passwd|pwd"
             r"|credentials?)")

#: Vendor keys and tokens, each recognised by its fixed prefix.
_VENDOR = re.compile(
    r"(?P<anthropic>\bsk-ant-[a-z]{2,10}\d{0,3}-[A-Za-z0-9_-]{20,})"
    r"|(?P<openai>\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,})"
    r"|(?P<aws>\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b)"
    r"|(?P<github>\bgh[pousr]_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255})"
    r"|(?P<slack>\bxox[abposr]-[0-9A-Za-z-]{10,}|\bxapp-\d-[0-9A-Za-z-]{10,}"
    r"|https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,})"
    r"|(?P<google>\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-]))"
    r"|(?P<jwt>\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})")
#: Where a match of :data:`_VENDOR` may start (a bare pattern, scanned fast).
_VENDOR_TRIGGER = re.compile(r"sk-|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abposr]-"
                             r"|xapp-|https://hooks\.slack\.com/|AIza|eyJ")
#: ``key = value``, ``"key": "value"``, ``KEY: value``; the value is judged afterwards.
_ASSIGNMENT = re.compile(
    rf"(?P<name>{_KEY_NAME}[\w.-]{{0,30}}?)[\"']?[ \t]*(?:=>|:=|=|:)[ \t]*[\"'`]?"
    r"(?P<value>[^\s\"'`,;<>(){}\[\]]{16,200})", re.IGNORECASE)
#: The whole key name an assignment uses (``STRIPE_API_KEY``), shown in the message.
_KEY_NAME_AROUND = re.compile(r"[\w.-]{1,80}\Z")
_BEARER = re.compile(r"\b[Bb]earer[ \t]+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)")
_URL_PASSWORD = re.compile(
    r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@\"']{1,64}:(?P<value>[^\s:/@\"']{8,64})@")
_PEM = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
#: Every secret but a PEM key is, or ends, a run of 16 or more non-space characters: the
#: scan looks at those runs only, and at the few characters before them.
_LONG_RUN = re.compile(r"\s\S{16,}")  # from the space before, so no scan starts mid-word
_LONG_RUN_FIRST = re.compile(r"\S{16,}")
#: How far before a run its key name and separator may start (``"client_secret": "``).
_ASSIGNMENT_REACH = 64

_LABELS = {
    "anthropic": "Anthropic API key", "openai": "OpenAI API key", "aws": "AWS access key id",
    "github": "GitHub token", "slack": "Slack token", "google": "Google API key",
    "jwt": "JSON Web Token", "pem": "PEM private key", "assignment": "secret",
    "bearer": "bearer token", "url": "password in a URL",
}

_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=\s\\:,-]{64,}")  # with an encrypted key's headers
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_AWS_WINDOW = 300


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s own character distribution.

    >>> round(shannon_entropy("aaaa"), 2), round(shannon_entropy("abcd"), 2)
    (0.0, 2.0)
    """
    if not value:
        return 0.0
    length = len(value)
    return sum(n / length * math.log2(length / n) for n in Counter(value).values())


def _classes(value: str) -> int:
    return sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """Whether ``value`` reads as a generated credential rather than a word, a name or a path.

    >>> looks_random("q8Zr2LmX0vB7tKp4Nw9s")
    True
    >>> looks_random("your-api-key-here"), looks_random("get_token_from_config")
    (False, False)
    """
    if len(value) < min_length or _PLACEHOLDER.search(value):
        return False
    if not any(c.isdigit() for c in value) and _classes(value) < 3:
        return False  # identifiers, words and paths: a random key of this length has digits
    if value.count(".") >= 2 and not any(c.isdigit() for c in value.replace(".", "")):
        return False
    threshold = min(3.5, 0.75 * math.log2(len(value)))
    return _classes(value) >= 2 and shannon_entropy(value) >= threshold


def _jwt_header(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


_VENDOR_PREFIX = re.compile(r"sk-ant-[a-z]+\d*-|sk-(?:proj-|svcacct-|admin-|None-)?"
                            r"|gh[pousr]_|github_pat_|xox[abposr]-|xapp-|AIza|AKIA|ASIA|ABIA|ACCA")


def _key_body(value: str) -> str:
    """The random part of a vendor key, after its fixed prefix."""
    prefix = _VENDOR_PREFIX.match(value)
    return value[prefix.end():] if prefix else value


def _vendor_key(kind: str, value: str) -> bool:
    if _PLACEHOLDER.search(_key_body(value)) or value in _DOCUMENTED_EXAMPLES:
        return False
    if kind == "slack" and value.startswith("https://"):
        return True
    if kind in ("openai", "anthropic"):
        # sk- is common as a prefix; a real key body is random, with digits and both cases.
        return looks_random(_key_body(value), min_length=20) and _classes(_key_body(value)) >= 3
    return kind == "aws" or shannon_entropy(_key_body(value)) >= 3.0


def _aws_secret_near(value: str, start: int, end: int) -> str | None:
    window = value[max(0, start - _AWS_WINDOW):end + _AWS_WINDOW]
    for match in _AWS_SECRET.finditer(window):
        candidate = match.group()
        if _classes(candidate) >= 3 and looks_random(candidate):
            return candidate
    return None


def _vendor_hits(value: str, start: int, end: int) -> Iterator[tuple[int, _Hit]]:
    for trigger in _VENDOR_TRIGGER.finditer(value, start, end):
        match = _VENDOR.match(value, trigger.start(), end)
        if match is None:
            continue
        kind, found = match.lastgroup or "", match.group()
        if kind == "jwt":
            signature = found.rsplit(".", 1)[-1]
            if signature in _DOCUMENTED_EXAMPLES or not _jwt_header(found):
                continue
        elif not _vendor_key(kind, found):
            continue
        yield match.start(), _Hit(_LABELS[kind], found)
        if kind == "aws":
            secret = _aws_secret_near(value, match.start(), match.end())
            if secret is not None:
                yield value.index(secret), _Hit("AWS secret access key", secret)


_VENDOR_PREFIXES = ("sk-", "eyJ", "AKIA", "ASIA", "gh", "xox", "AIza", "github_pat_")


#: Substrings every key name of :data:`_KEY_NAME` contains, for a cheap test first.
_KEY_NAME_HINTS = ("key", "token", "secret", "passw", "pwd", "credential")


def _names_a_secret(lowered: str) -> bool:
    return any(hint in lowered for hint in _KEY_NAME_HINTS)


def _assignments(value: str, start: int, end: int) -> Iterator[tuple[int, _Hit]]:
    """``key=value``, ``"key": "value"``, ``KEY: value`` whose value is the run (or ends it)."""
    for match in _ASSIGNMENT.finditer(value, max(0, start - _ASSIGNMENT_REACH), end):
        found = match.group("value")
        if not found.startswith(_VENDOR_PREFIXES) and looks_random(found):
            name = _KEY_NAME_AROUND.search(value, max(0, match.start() - 40), match.end("name"))
            label = f"{_LABELS['assignment']} ({name.group()})" if name else _LABELS["assignment"]
            yield match.start("value"), _Hit(label, found)


def _bearer_tokens(value: str, start: int, end: int) -> Iterator[tuple[int, _Hit]]:
    for match in _BEARER.finditer(value, max(0, start - _ASSIGNMENT_REACH), end):
        found = match.group("value")
        if not found.startswith("eyJ") and looks_random(found):  # a JWT is reported as one
            yield match.start("value"), _Hit(_LABELS["bearer"], found)


def _url_passwords(value: str, start: int, end: int) -> Iterator[tuple[int, _Hit]]:
    for match in _URL_PASSWORD.finditer(value, start, end):
        found = match.group("value")
        if not _PLACEHOLDER.search(found) and _classes(found) >= 2:
            yield match.start("value"), _Hit(_LABELS["url"], found)


#: UTF-8 bytes mapped to ``" "`` where they are whitespace (ASCII's, which ``\\s`` and
#: ``str.isspace`` also count) and to ``"x"`` otherwise. Sixteen ``x`` in a row in the
#: translated bytes are then the only place a run of :data:`_LONG_RUN` can be: a non-ASCII
#: character is several bytes, and a non-ASCII space is not a break here, so the bytes have
#: every run the text has (and maybe more). ``bytes.translate`` and ``in`` run at memory
#: speed, several times faster than the pattern, and most examples have no such run.
_RUN_TABLE = bytes(0x20 if chr(byte).isspace() else 0x78 for byte in range(128)) + b"x" * 128
_RUN_OF_16 = b"x" * 16


def _may_have_long_run(value: str) -> bool:
    """Whether ``value`` (a text, or :func:`joined_texts`) may hold a run of 16 or more
    non-space characters; ``False`` is certain."""
    return _RUN_OF_16 in value.encode("utf-8", "surrogatepass").translate(_RUN_TABLE)


def _long_runs(value: str) -> list[tuple[int, int]]:
    first = _LONG_RUN_FIRST.match(value)
    runs = [first.span()] if first else []
    runs.extend((run.start() + 1, run.end()) for run in _LONG_RUN.finditer(value))
    return runs


def _secret_hits(value: str) -> list[_Hit]:
    hits: dict[int, _Hit] = {}  # by position: neighbouring runs can see one assignment twice
    for start, end in _long_runs(value) if _may_have_long_run(value) else ():
        # Most runs are words, paths and URLs: cheap tests pick the few worth a closer look.
        found: list[Iterator[tuple[int, _Hit]]] = []
        reach = max(0, start - _ASSIGNMENT_REACH)
        if _VENDOR_TRIGGER.search(value, start, end):
            found.append(_vendor_hits(value, start, end))
        if ((value.find("=", reach, end) >= 0 or value.find(":", reach, end) >= 0)
                and _names_a_secret(value[reach:end].lower())):
            found.append(_assignments(value, start, end))
        if value.find("earer", reach, start) >= 0:
            found.append(_bearer_tokens(value, start, end))
        if value.find("://", start, end) >= 0 and value.find("@", start, end) >= 0:
            found.append(_url_passwords(value, start, end))
        for hits_of_a_kind in found:
            for position, hit in hits_of_a_kind:
                hits.setdefault(position, hit)
    if "-----BEGIN" in value:
        for match in _PEM.finditer(value):
            body = _PEM_BODY.match(value, match.end())
            if body:  # not a header followed by "..."
                footer = _PEM_END.search(value, match.end(), body.end())
                block = value[match.start():footer.end() if footer else body.end()]
                hits.setdefault(match.start(), _Hit(_LABELS["pem"], block))
    return [hits[position] for position in sorted(hits)]


def secret_spans(text: str) -> list[tuple[int, int]]:
    """Where :func:`redact` would mask ``text``: (start, end) character spans, in order.

    For renderers that show a text in pieces (a rendered example token by token) and must mask
    a secret that runs across pieces.

    >>> secret_spans("key ghp_" + "a1B2c3D4" * 4 + "Zz9x here")
    [(4, 44)]
    """
    spans: set[tuple[int, int]] = set()
    for hit in _secret_hits(text):
        start = text.find(hit.value)
        while start >= 0:
            spans.add((start, start + len(hit.value)))
            start = text.find(hit.value, start + 1)
    return sorted(spans)


def redact(text: str) -> str:
    """``text`` with every secret in it masked, for messages that quote the data.

    >>> redact("role 'ghp_" + "a1B2c3D4" * 4 + "Zz9x' is unknown")
    "role 'ghp_…(40 chars)' is unknown"
    """
    for hit in _secret_hits(text):
        text = text.replace(hit.value, mask(hit.value))
    return text


#: A token a credential could be: characters of base64 and base64url (and ``~`` for the
#: escapes of a JSON pointer), at least :data:`_CREDENTIAL_MIN` of them.
_CREDENTIAL_MIN = 20
_TOKEN_RUN = re.compile(rf"[A-Za-z0-9+/=_~-]{{{_CREDENTIAL_MIN},}}")
#: Random text changes character class (lower, upper, digit) between about 60% of
#: neighbouring letters and digits in base62; words, names and paths change at under 20%.
_CLASS_CHANGES = 0.3


def _char_class(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2


def credential_like(token: str) -> bool:
    """Whether a value quoted from a record looks like a credential with no known prefix.

    A bare AWS secret key, a session token, a random id used as a key or a role: at least 20
    characters that mix lower case, upper case and digits, are random by
    :func:`looks_random`'s entropy test, and change character class (lower, upper, digit)
    between at least 30% of neighbouring letters and digits (random base62 does at about 60%;
    names, identifiers, paths and hexadecimal hashes fall short of one test or another).

    >>> credential_like("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9")
    True
    >>> credential_like("ConversationHistory2024"), credential_like("a3f9c2e81b7d4f60a9e2")
    (False, False)
    >>> credential_like("AbrahamSanders/seq2seq-chatbot")
    False
    """
    if len(token) < _CREDENTIAL_MIN:
        return False
    if not (any(c.islower() for c in token) and any(c.isupper() for c in token)
            and any(c.isdigit() for c in token)):
        return False
    pairs = [(a, b) for a, b in itertools.pairwise(token) if a.isalnum() and b.isalnum()]
    changes = sum(_char_class(a) != _char_class(b) for a, b in pairs)
    return changes >= _CLASS_CHANGES * len(pairs) and looks_random(
        token, min_length=_CREDENTIAL_MIN)


def _unescaped(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _mask_run(run: str) -> str:
    """A run of token characters, masked where it looks like a credential: as a whole (a value
    quoted as it is may hold a ``/``), else each ``/``-separated token of it (a JSON pointer
    quoted in a message, its keys escaped)."""
    whole = _unescaped(run)
    if credential_like(whole):
        return mask(whole)
    return "/".join(mask(_unescaped(token)) if credential_like(_unescaped(token)) else token
                    for token in run.split("/"))


def _masked_text(text: str) -> str:
    return _TOKEN_RUN.sub(lambda run: _mask_run(run.group()), redact(text))


def redact_quoted(text: str, *, pointer: bool = False) -> str:
    """``text`` (a message, a skip reason, a role) with every value that is or looks like a
    secret masked: what P001 knows (:func:`redact`), then any :func:`credential_like` token.
    A ``pointer`` (RFC 6901) is masked token by token, each unescaped first, so the pointer
    keeps its structure and a key holding ``/`` (escaped ``~1``) is seen whole.

    >>> redact_quoted("unknown key 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9'")
    "unknown key 'wJal…(40 chars)'"
    >>> redact_quoted("/messages/0/wJalrXUtnFEMI~1K7MDENG~1bPxRfiCYzQ7xLm2Vb9", pointer=True)
    '/messages/0/wJal…(40 chars)'
    >>> redact_quoted("/messages/3/tool_calls/0/function/name", pointer=True)
    '/messages/3/tool_calls/0/function/name'
    """
    if not pointer:
        return _masked_text(text)
    tokens = text.split("/")
    for index, token in enumerate(tokens):
        bare = _unescaped(token)
        shown = _masked_text(bare)
        if shown != bare:
            tokens[index] = shown.replace("~", "~0").replace("/", "~1")
    return "/".join(tokens)


@rule("P001", "secret-in-content", E)
def secret_in_content(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Text contains an API key, token, password or private key.

    **What it does.** Scans every text of the example (message content, reasoning traces, names,
    tool call arguments, system prompts, prompts, completions, preference answers, the text
    document) for: OpenAI (`sk-...`, `sk-proj-...`) and Anthropic (`sk-ant-...`) keys; AWS
    access key ids (`AKIA...`, `ASIA...`) and a 40-character secret key next to one; GitHub
    tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`); Slack tokens (`xoxb-`,
    `xoxp-`, ...) and webhook URLs; Google API keys (`AIza...`); JSON Web Tokens (three
    base64url segments whose header decodes to JSON with `alg` or `typ`); PEM private keys with
    a key body; passwords in URLs (`postgres://user:pass@host`); and `key=`, `token=`,
    `secret=`, `password=` assignments (and their JSON, YAML and `Bearer` forms) whose value is
    at least 16 characters of random-looking text by its Shannon entropy. Documentation
    placeholders are not secrets: values containing `your`, `example`, `xxxx`, `<...>`,
    `${...}`, `1234` and the like, AWS's `...EXAMPLE` keys and jwt.io's sample token are
    skipped. The secret is never shown whole: messages give a short prefix and the length.

    **Why is this bad?** A model memorises what it is trained on and can repeat a key to
    anyone; the dataset itself, once uploaded or shared, leaks it. Revoke the key: removing it
    from the file does not make it safe again.

    **Example.** `{"role": "user", "content": "My key is sk-proj-4fGh...Q2 and it fails"}`

    **Use instead.** `{"role": "user", "content": "My key is <OPENAI_API_KEY> and it fails"}`
    """
    joined = joined_texts(example)
    if "-----BEGIN" not in joined and not _may_have_long_run(joined):
        return  # every secret but a PEM key is a long run: nearly every example ends here
    for text in example_texts(example):
        hits = _secret_hits(text.value)
        if hits:
            yield from _report("P001", text, hits)


# -- P002 ---------------------------------------------------------------------------------

#: An address around an ``@``: the local part before it, the domain after it.
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}\Z")
_EMAIL_DOMAIN = re.compile(
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24}))"
    r"(?![\w-]|\.[A-Za-z0-9]|:)")

#: RFC 2606 and RFC 6761 reserve these for documentation and tests.
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "example", "test", "invalid",
                     "localhost", "local")
#: Domains of made-up addresses (``you@yourdomain.com``, ``boss@company.com``): a generic noun,
#: under any top-level domain.
_PLACEHOLDER_DOMAINS = frozenset({
    "domain", "yourdomain", "mydomain", "company", "yourcompany", "mycompany", "email",
    "youremail", "website", "yourwebsite", "site", "yoursite", "business", "organization",
    "organisation", "somewhere", "someplace", "acme", "foo", "bar", "host", "server"})
#: Mailboxes of an organisation, not of a person.
_ROLE_MAILBOXES = frozenset({
    "info", "support", "help", "helpdesk", "sales", "contact", "admin", "noreply", "no-reply",
    "donotreply", "do-not-reply", "webmaster", "postmaster", "hostmaster", "abuse", "press",
    "media", "privacy", "security", "billing", "feedback", "hello", "team", "careers", "jobs",
    "office", "service", "customerservice", "marketing", "legal", "hr", "enquiries",
    "inquiries", "notifications", "newsletter", "accounts", "orders"})
#: Generic top-level domains seen in real addresses; any two-letter one is a country's. Others
#: (``logo@2x.png``, ``user@host.local``) are file names or local hosts.
_GENERIC_TLDS = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "aero",
    "coop", "museum", "mobi", "asia", "tel", "travel", "jobs", "io", "ai", "app", "dev",
    "cloud", "tech", "online", "site", "store", "shop", "xyz", "club", "email", "mail",
    "company", "agency", "digital", "media", "news", "blog", "live", "life", "world", "today",
    "group", "global", "solutions", "services", "systems", "network", "center", "academy",
    "school", "university", "health", "law", "legal", "bank", "finance", "capital",
    "studio", "design", "art", "photo", "space", "website", "page", "one", "top", "icu", "vip",
    "work", "works", "team", "zone", "berlin", "london", "nyc", "paris", "tokyo"})

_CARD_CONTEXT = re.compile(
    r"card|visa|master|amex|american express|discover|credit|debit|\bcc\b|\bpan\b|payment"
    r"|karte|carte|tarjeta|cartão|carta|卡", re.IGNORECASE)
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|phones|tel|telephone|call|calling|mobile|cell|cellphone|fax|whatsapp|sms"
    r"|text me|contact|dial|hotline|téléphone|tél|telefon|teléfono|telefone|handy|telefono)\b"
    r"|电话|手机|電話|☎|📞", re.IGNORECASE)
_NANP = re.compile(r"(?:\+?1[ .-]?)?(?:\([2-9]\d\d\)[ .-]?|[2-9]\d\d[.-])[2-9]\d\d[.-]\d{4}")
_NANP_SPACED = re.compile(r"(?:\+?1 )?[2-9]\d\d [2-9]\d\d \d{4}")
_TRUNK = re.compile(r"0\d{1,4}(?:[ ./-]\d{2,8}){1,4}|0\d{9,10}")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{0,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}")

#: Runs of 7 to 19 digits with spaces, dots, dashes or brackets between them: the shape every
#: phone and card number has. A leading ``+`` or ``(`` and the boundaries are checked after.
_NUMBER_RUN = re.compile(r"[0-9](?:[ .()-]{0,2}[0-9]){6,18}")
#: An IBAN's country code and check digits, looked for just before a digit run: every IBAN's
#: account part holds a run of seven digits or more, so IBANs need no scan of their own.
_IBAN_START = re.compile(r"[A-Z][A-Z][0-9][0-9]")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_IBAN_REACH = 36
#: Characters that make a digit run part of something else: a word, a decimal, a path, a
#: price, a reference (``v1.2.3``, ``$1,234``, ``#4521``, ``12:30``).
_NOT_BEFORE = frozenset("_.,/:+$€£#-") | frozenset("abcdefghijklmnopqrstuvwxyz"
                                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NOT_AFTER_DIGIT = frozenset(".,/:-")

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

#: Issuer prefixes of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners,
#: UnionPay) with their lengths; Maestro's prefixes are too broad to tell from other numbers.
_CARD_NETWORKS: tuple[tuple[Callable[[str], bool], frozenset[int]], ...] = (
    (lambda d: d[0] == "4", frozenset({13, 16, 19})),
    (lambda d: 51 <= int(d[:2]) <= 55 or 2221 <= int(d[:4]) <= 2720, frozenset({16})),
    (lambda d: d[:2] in ("34", "37"), frozenset({15})),
    (lambda d: d[:4] == "6011" or d[:2] == "65" or 644 <= int(d[:3]) <= 649,
     frozenset({16, 17, 18, 19})),
    (lambda d: 3528 <= int(d[:4]) <= 3589, frozenset({16, 17, 18, 19})),
    (lambda d: 300 <= int(d[:3]) <= 305 or d[:2] in ("36", "38", "39"),
     frozenset({14, 15, 16, 17, 18, 19})),
    (lambda d: d[:2] == "62", frozenset({16, 17, 18, 19})),
)
#: Digit groups a printed card number uses: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4.
_CARD_GROUPS = frozenset({(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1),
                          (4, 4, 4, 2), (4, 4, 4, 3), (4, 4, 4, 4, 1), (4, 4, 4, 4, 2)})


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a card number.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """An IBAN's country length and ISO 7064 mod-97 check.

    >>> iban_valid("GB82 WEST 1234 5698 7654 32"), iban_valid("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    iban = candidate.replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _card(number: str, value: str, start: int) -> bool:
    digits = number.replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    if not any(prefix(digits) and len(digits) in lengths for prefix, lengths in _CARD_NETWORKS):
        return False
    separators = set(number) - set(digits)
    if separators:
        if len(separators) > 1 or tuple(map(len, re.split("[ -]", number))) not in _CARD_GROUPS:
            return False
    elif not _CARD_CONTEXT.search(value, max(0, start - 40), start):
        return False  # a bare long number (a sum, an id) is a card only when called one
    return luhn_valid(digits)


def _context_before(value: str, start: int) -> bool:
    return _PHONE_CONTEXT.search(value, max(0, start - 40), start) is not None


def _fictional(digits: str) -> bool:
    """NANP's 555-0100 to 555-0199 (reserved for fiction) and repeated-digit fillers."""
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(national) == 10 and national[3:6] == "555" and national[6:8] == "01":
        return True
    return len(set(digits)) <= 2


def _phone(number: str, value: str, start: int) -> bool:
    digits = re.sub(r"\D", "", number)
    if _fictional(digits):
        return False
    if number.startswith("+"):
        if not 8 <= len(digits) <= 15 or _INTERNATIONAL.fullmatch(number) is None:
            return False
        # +14155550123 is a phone number when called one; unspaced, it is as likely a sum.
        return bool(re.search(r"[ .()-]", number)) or _context_before(value, start)
    if _NANP.fullmatch(number):
        return True
    if _NANP_SPACED.fullmatch(number) or _TRUNK.fullmatch(number):
        return 9 <= len(digits) <= 12 and _context_before(value, start)
    return False


def _email_hits(value: str) -> Iterator[_Hit]:
    at = value.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(value, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(value, at + 1) if local else None
        if (local and domain and _personal_address(local.group(), domain)
                and (not local.start() or value[local.start() - 1] not in "._%+-")):
            yield _Hit("email address", value[local.start():domain.end()])
        at = value.find("@", at + 1)


def _personal_address(local: str, domain_match: re.Match[str]) -> bool:
    domain, tld = domain_match.group("domain").lower(), domain_match.group("tld").lower()
    if domain in _RESERVED_DOMAINS or domain.endswith(
            tuple("." + reserved for reserved in _RESERVED_DOMAINS)):
        return False
    if len(tld) != 2 and tld not in _GENERIC_TLDS:
        return False
    local = local.lower()
    if local in _ROLE_MAILBOXES or local.startswith("your"):
        return False
    label = domain.rsplit(".", 2)[-2]
    return label not in _PLACEHOLDER_DOMAINS and "example" not in label


def _number_start(value: str, start: int) -> int | None:
    """Where the number of a digit run starts (a leading ``+`` or ``(`` belongs to it), or
    ``None`` when the run continues something else (``3+4155550123``, ``v1.2``, ``$1 000``)."""
    before = value[start - 1] if start else ""
    if before in ("+", "("):
        earlier = value[start - 2] if start > 1 else ""
        if earlier in _NOT_BEFORE or earlier == ")":
            return None if before == "+" else start  # a sum; a call such as f(415...)
        return start - 1
    return None if before in _NOT_BEFORE else start


def _number_ends(value: str, end: int) -> bool:
    """Whether a digit run ends its number (``2.5``, ``10:30``, ``12ab`` go on)."""
    after = value[end:end + 1]
    if not after:
        return True
    if after.isalnum() or after == "_":
        return False
    return not (after in _NOT_AFTER_DIGIT and value[end + 1:end + 2].isdigit())


def _iban_at(value: str, position: int) -> re.Match[str] | None:
    """A valid IBAN that holds the digit run at ``position``, if there is one."""
    for start in _IBAN_START.finditer(value, max(0, position - _IBAN_REACH), position + 2):
        match = _IBAN.match(value, start.start())
        if match is not None and match.end() > position and iban_valid(match.group()):
            return match
    return None


def _number_hits(value: str) -> Iterator[_Hit]:
    covered = 0  # the end of the last IBAN found: its digit runs are not looked at again
    for match in _NUMBER_RUN.finditer(value):
        if match.start() < covered:
            continue
        iban = _iban_at(value, match.start())
        if iban is not None:
            covered = iban.end()
            yield _Hit("IBAN", iban.group())
            continue
        start = _number_start(value, match.start())
        if start is None or not _number_ends(value, match.end()):
            continue
        found = value[start:match.end()]
        if _card(found, value, start):
            yield _Hit("card number", found)
        elif _phone(found, value, start):
            yield _Hit("phone number", found)


#: Every number :data:`_NUMBER_RUN` finds (phone, card, IBAN) has at least this many digits.
_MIN_DIGITS = 7
_ASCII_DIGITS = b"0123456789"


def _may_hold_pii(value: str) -> bool:
    """Whether ``value`` (a text, or :func:`joined_texts`) has an ``@`` or seven ASCII digits;
    ``False`` is certain. The digits are counted at memory speed: ``bytes.translate`` drops
    them from the UTF-8 bytes (where no other character has a byte below 0x80 that is one),
    three times faster than the number pattern's scan."""
    if "@" in value:
        return True
    data = value.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _ASCII_DIGITS)) >= _MIN_DIGITS


def _pii_hits(value: str) -> list[_Hit]:
    if not _may_hold_pii(value):
        return []
    hits = list(_email_hits(value)) if "@" in value else []
    hits.extend(_number_hits(value))
    return hits


@rule("P002", "pii-in-content", W)
def pii_in_content(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Text contains personal data: an email address, a phone number, a card number or an IBAN.

    **What it does.** Scans every text of the example for:
    email addresses (not at the RFC 2606/6761 reserved domains `example.com`, `.test`,
    `.invalid`, ..., not organisation mailboxes such as `support@` or `noreply@`, and not file
    names such as `logo@2x.png`); phone numbers in international form (`+44 20 7946 0958`,
    `+14155550123`), North American form with separators (`(415) 555-0123`, `415-555-0123`),
    and national forms with a trunk `0` (`030 1234567`) only after a word such as "phone",
    "call" or "tel" (NANP's fictional 555-01xx numbers are skipped); card numbers of 13 to 19
    digits, plain or in the printed groups, of a known network and passing the Luhn check
    (published test numbers such as 4111 1111 1111 1111 are reported too); and IBANs with the
    right length for their country and a valid mod-97 checksum. Years, dates, prices, version
    numbers, IP addresses and ISBNs do not have these shapes. Matches are never shown whole.

    **Why is this bad?** Models memorise and repeat personal data; training on it without a
    legal basis breaks privacy law (GDPR, CCPA) and the providers' terms.

    **Example.** `"content": "Write to jane.doe@gmail.com or call +1 415-555-2671."`

    **Use instead.** `"content": "Write to jane@example.com or call +1 415-555-0100."`
    (reserved or fictional values), or remove the data.
    """
    if not _may_hold_pii(joined_texts(example)):
        return  # an address needs an "@", every other kind seven digits
    for text in example_texts(example):
        hits = _pii_hits(text.value)
        if hits:
            yield from _report("P002", text, hits)
