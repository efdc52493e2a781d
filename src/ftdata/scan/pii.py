"""Personal data in text: what P002 reports.

:func:`pii_hits` finds email addresses (not at reserved or placeholder domains, not an
organisation's mailbox), phone numbers (international, North American, and national forms
after a word such as "phone"), card numbers of a known network that pass the Luhn check, and
IBANs with a valid check, all confirmed in Python around a few cheap candidates: an ``@`` or
a run of seven digits (:func:`may_hold_pii`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ftdata.scan.secrets import Hit

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
NUMBER_RUN = re.compile(r"[0-9](?:[ .()-]{0,2}[0-9]){6,18}")
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
    """The Luhn checksum of a card number (python-stdnum's :mod:`stdnum.luhn`).

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    from stdnum import luhn  # python-stdnum costs ~12 ms to import: only for a candidate

    return bool(luhn.is_valid(digits))


def iban_valid(candidate: str) -> bool:
    """An IBAN's country, length, account format and ISO 7064 mod-97 check digits, by
    python-stdnum's :mod:`stdnum.iban` (the SWIFT IBAN registry, and a country's own check
    of the account number where stdnum has one).

    >>> iban_valid("GB82 WEST 1234 5698 7654 32"), iban_valid("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    from stdnum import iban  # loads the registry: only for a candidate

    return bool(iban.is_valid(candidate))


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


def _email_hits(value: str) -> Iterator[Hit]:
    at = value.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(value, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(value, at + 1) if local else None
        if (local and domain and _personal_address(local.group(), domain)
                and (not local.start() or value[local.start() - 1] not in "._%+-")):
            yield Hit("email address", value[local.start():domain.end()])
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


def _number_hits(value: str) -> Iterator[Hit]:
    covered = 0  # the end of the last IBAN found: its digit runs are not looked at again
    for match in NUMBER_RUN.finditer(value):
        if match.start() < covered:
            continue
        iban = _iban_at(value, match.start())
        if iban is not None:
            covered = iban.end()
            yield Hit("IBAN", iban.group())
            continue
        start = _number_start(value, match.start())
        if start is None or not _number_ends(value, match.end()):
            continue
        found = value[start:match.end()]
        if _card(found, value, start):
            yield Hit("card number", found)
        elif _phone(found, value, start):
            yield Hit("phone number", found)


#: Every number :data:`NUMBER_RUN` finds (phone, card, IBAN) has at least this many digits.
_MIN_DIGITS = 7
_ASCII_DIGITS = b"0123456789"


def may_hold_pii(value: str) -> bool:
    """Whether ``value`` (a text, or :func:`joined_texts`) has an ``@`` or seven ASCII digits;
    ``False`` is certain. The digits are counted at memory speed: ``bytes.translate`` drops
    them from the UTF-8 bytes (where no other character has a byte below 0x80 that is one),
    three times faster than the number pattern's scan."""
    if "@" in value:
        return True
    data = value.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _ASCII_DIGITS)) >= _MIN_DIGITS


def pii_hits(value: str) -> list[Hit]:
    if not may_hold_pii(value):
        return []
    hits = list(_email_hits(value)) if "@" in value else []
    hits.extend(_number_hits(value))
    return hits
