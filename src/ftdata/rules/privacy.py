"""Privacy rules (P): secrets and personal data inside training text.

Both rules scan every text of the example (:func:`ftdata.scan.texts.example_texts`) with the
detectors of :mod:`ftdata.scan.secrets` (P001) and :mod:`ftdata.scan.pii` (P002), after one
look at all the example's texts together that settles nearly every example. Nothing found is
ever echoed whole: messages show :func:`~ftdata.scan.secrets.mask`'s short prefix and the
length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.scan.pii import may_hold_pii, pii_hits
from ftdata.scan.secrets import Hit, mask, may_have_long_run, secret_hits
from ftdata.scan.texts import Text, example_texts, joined_texts, text_label
from ftdata.scan.triggers import FOLDED, caseless
from ftdata.scan.vendors import VENDOR_START

E, W = Severity.ERROR, Severity.WARNING


def _report(code: str, text: Text, hits: list[Hit]) -> Iterator[Finding]:
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


#: Outside a URL's user and password: ASCII whitespace, the separator and ``:/@"'``.
_NOT_IN_URL_PART = r"[^\t-\r\x1c-\x20:/@\"'\xff]"


def _p001_triggers() -> tuple[str, ...]:
    """What every hit of :func:`~ftdata.scan.secrets.secret_hits` needs: a vendor prefix, a
    key name (any case) followed by ``=`` or ``:`` within the reach of an assignment, a
    ``Bearer``, a URL with a password, or a PEM header."""
    key_names = caseless("key|token|secret|passw|pwd|credential")
    return (VENDOR_START.pattern,
            rf"(?:{key_names})[A-Za-z0-9_.\x80-\xfe-]*[\"']?[ \t]*[=:]",
            r"[Bb]earer[ \t]",
            rf"://{_NOT_IN_URL_PART}+:{_NOT_IN_URL_PART}{{8}}{_NOT_IN_URL_PART}*@",
            "-----BEGIN", FOLDED)


@rule("P001", "secret-in-content", E, triggers=_p001_triggers)
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
    if "-----BEGIN" not in joined and not may_have_long_run(joined):
        return  # every secret but a PEM key is a long run: nearly every example ends here
    for text in example_texts(example):
        hits = secret_hits(text.value)
        if hits:
            yield from _report("P001", text, hits)



# -- P002 ---------------------------------------------------------------------------------


def _p002_triggers() -> tuple[str, ...]:
    """An ``@`` between a local part's and a domain's characters, or seven digits of
    :data:`~ftdata.scan.pii.NUMBER_RUN`'s shape (every phone, card and IBAN has them)."""
    return (r"[A-Za-z0-9._%+-]@[A-Za-z0-9]", r"[0-9](?:[ .()-]{0,2}[0-9]){6}")


@rule("P002", "pii-in-content", W, triggers=_p002_triggers)
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
    length and account format of their country's entry in the SWIFT IBAN registry and valid
    mod-97 check digits (python-stdnum's `stdnum.iban`). Years, dates, prices, version
    numbers, IP addresses and ISBNs do not have these shapes. Matches are never shown whole.

    **Why is this bad?** Models memorise and repeat personal data; training on it without a
    legal basis breaks privacy law (GDPR, CCPA) and the providers' terms.

    **Example.** `"content": "Write to jane.doe@gmail.com or call +1 415-555-2671."`

    **Use instead.** `"content": "Write to jane@example.com or call +1 415-555-0100."`
    (reserved or fictional values), or remove the data.
    """
    if not may_hold_pii(joined_texts(example)):
        return  # an address needs an "@", every other kind seven digits
    for text in example_texts(example):
        hits = pii_hits(text.value)
        if hits:
            yield from _report("P002", text, hits)

