"""Secrets in text: what P001 reports and what every message that quotes a value masks.

:func:`secret_hits` finds vendor keys and tokens (the table of :mod:`ftdata.scan.vendors`),
PEM private keys, passwords in URLs, ``Bearer`` tokens and ``key = value`` assignments whose
value reads as random. It looks only at runs of 16 or more non-space characters (every key,
token and password value is one) and at the few characters before them, found at memory speed
(:func:`may_have_long_run`); the few candidates are then confirmed in Python: vendor prefixes,
Shannon entropy, placeholder words, a JWT's header. Nothing found is ever echoed whole:
:func:`mask` shows a short prefix and the length, :func:`redact` and :func:`redact_quoted` mask
a text for a message.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from ftdata.scan.vendors import BY_GROUP, VENDOR, VENDOR_PREFIX, VENDOR_START, VendorRule


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


class Hit(NamedTuple):
    """A secret or a piece of personal data found in a text: its kind, as messages name it, and
    the value."""

    kind: str
    value: str



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

_LABELS = {"pem": "PEM private key", "assignment": "secret", "bearer": "bearer token",
           "url": "password in a URL"}

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


def _key_body(value: str) -> str:
    """The random part of a vendor key, after its fixed prefix."""
    prefix = VENDOR_PREFIX.match(value)
    return value[prefix.end():] if prefix else value


def _vendor_key(rule: VendorRule, value: str) -> bool:
    if _PLACEHOLDER.search(_key_body(value)) or value in _DOCUMENTED_EXAMPLES:
        return False
    if rule.check == "random":
        # sk- is common as a prefix; a real key body is random, with digits and both cases.
        return looks_random(_key_body(value), min_length=20) and _classes(_key_body(value)) >= 3
    if rule.check == "prefix" or value.startswith("https://"):  # a Slack webhook URL
        return True
    return shannon_entropy(_key_body(value)) >= 3.0


def _aws_secret_near(value: str, start: int, end: int) -> str | None:
    window = value[max(0, start - _AWS_WINDOW):end + _AWS_WINDOW]
    for match in _AWS_SECRET.finditer(window):
        candidate = match.group()
        if _classes(candidate) >= 3 and looks_random(candidate):
            return candidate
    return None


def _vendor_hits(value: str, start: int, end: int) -> Iterator[tuple[int, Hit]]:
    for trigger in VENDOR_START.finditer(value, start, end):
        match = VENDOR.match(value, trigger.start(), end)
        if match is None:
            continue
        rule, found = BY_GROUP[match.lastgroup or ""], match.group()
        if rule.check == "jwt":
            signature = found.rsplit(".", 1)[-1]
            if signature in _DOCUMENTED_EXAMPLES or not _jwt_header(found):
                continue
        elif not _vendor_key(rule, found):
            continue
        yield match.start(), Hit(rule.description, found)
        if rule.id == "aws-access-token":
            secret = _aws_secret_near(value, match.start(), match.end())
            if secret is not None:
                yield value.index(secret), Hit("AWS secret access key", secret)


#: Values an assignment leaves to the vendor rules (a broad list: ``gh`` for any GitHub one).
_VENDOR_PREFIXES = ("sk-", "eyJ", "AKIA", "ASIA", "gh", "xox", "AIza", "github_pat_")


#: Substrings every key name of :data:`_KEY_NAME` contains, for a cheap test first.
_KEY_NAME_HINTS = ("key", "token", "secret", "passw", "pwd", "credential")


def _names_a_secret(lowered: str) -> bool:
    return any(hint in lowered for hint in _KEY_NAME_HINTS)


def _assignments(value: str, start: int, end: int) -> Iterator[tuple[int, Hit]]:
    """``key=value``, ``"key": "value"``, ``KEY: value`` whose value is the run (or ends it)."""
    for match in _ASSIGNMENT.finditer(value, max(0, start - _ASSIGNMENT_REACH), end):
        found = match.group("value")
        if not found.startswith(_VENDOR_PREFIXES) and looks_random(found):
            name = _KEY_NAME_AROUND.search(value, max(0, match.start() - 40), match.end("name"))
            label = f"{_LABELS['assignment']} ({name.group()})" if name else _LABELS["assignment"]
            yield match.start("value"), Hit(label, found)


def _bearer_tokens(value: str, start: int, end: int) -> Iterator[tuple[int, Hit]]:
    for match in _BEARER.finditer(value, max(0, start - _ASSIGNMENT_REACH), end):
        found = match.group("value")
        if not found.startswith("eyJ") and looks_random(found):  # a JWT is reported as one
            yield match.start("value"), Hit(_LABELS["bearer"], found)


def _url_passwords(value: str, start: int, end: int) -> Iterator[tuple[int, Hit]]:
    for match in _URL_PASSWORD.finditer(value, start, end):
        found = match.group("value")
        if not _PLACEHOLDER.search(found) and _classes(found) >= 2:
            yield match.start("value"), Hit(_LABELS["url"], found)


#: UTF-8 bytes mapped to ``" "`` where they are whitespace (ASCII's, which ``\\s`` and
#: ``str.isspace`` also count) and to ``"x"`` otherwise. Sixteen ``x`` in a row in the
#: translated bytes are then the only place a run of :data:`_LONG_RUN` can be: a non-ASCII
#: character is several bytes, and a non-ASCII space is not a break here, so the bytes have
#: every run the text has (and maybe more). ``bytes.translate`` and ``in`` run at memory
#: speed, several times faster than the pattern, and most examples have no such run.
_RUN_TABLE = bytes(0x20 if chr(byte).isspace() else 0x78 for byte in range(128)) + b"x" * 128
_RUN_OF_16 = b"x" * 16


def may_have_long_run(value: str) -> bool:
    """Whether ``value`` (a text, or :func:`joined_texts`) may hold a run of 16 or more
    non-space characters; ``False`` is certain."""
    return _RUN_OF_16 in value.encode("utf-8", "surrogatepass").translate(_RUN_TABLE)


def long_runs(value: str) -> list[tuple[int, int]]:
    first = _LONG_RUN_FIRST.match(value)
    runs = [first.span()] if first else []
    runs.extend((run.start() + 1, run.end()) for run in _LONG_RUN.finditer(value))
    return runs


def secret_hits(value: str) -> list[Hit]:
    hits: dict[int, Hit] = {}  # by position: neighbouring runs can see one assignment twice
    for start, end in long_runs(value) if may_have_long_run(value) else ():
        # Most runs are words, paths and URLs: cheap tests pick the few worth a closer look.
        found: list[Iterator[tuple[int, Hit]]] = []
        reach = max(0, start - _ASSIGNMENT_REACH)
        if VENDOR_START.search(value, start, end):
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
                hits.setdefault(match.start(), Hit(_LABELS["pem"], block))
    return [hits[position] for position in sorted(hits)]


def secret_spans(text: str) -> list[tuple[int, int]]:
    """Where :func:`redact` would mask ``text``: (start, end) character spans, in order.

    For renderers that show a text in pieces (a rendered example token by token) and must mask
    a secret that runs across pieces.

    >>> secret_spans("key ghp_" + "a1B2c3D4" * 4 + "Zz9x here")
    [(4, 44)]
    """
    spans: set[tuple[int, int]] = set()
    for hit in secret_hits(text):
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
    for hit in secret_hits(text):
        text = text.replace(hit.value, mask(hit.value))
    return text


#: A token a credential could be: characters of base64 and base64url (and ``~`` for the
#: escapes of a JSON pointer), at least :data:`_CREDENTIAL_MIN` of them.
_CREDENTIAL_MIN = 20
TOKEN_RUN = re.compile(rf"[A-Za-z0-9+/=_~-]{{{_CREDENTIAL_MIN},}}")
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
    return TOKEN_RUN.sub(lambda run: _mask_run(run.group()), redact(text))


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
