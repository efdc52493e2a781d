"""Q002: control, invisible and garbled characters (mojibake, with its repair)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.scan.texts import Text, example_texts, joined_texts, shorten, text_label
from ftdata.scan.triggers import utf8_alternatives

W = Severity.WARNING


_C1_AND_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b\u2060\u180e\ufeff\u2061-\u2064"
_JOINERS = "\u200c\u200d"

#: The characters that UTF-8 continuation bytes (0x80-0xBF) become when decoded as
#: Windows-1252 or as Latin-1 (which turns 0x80-0x9F into C1 controls).
_CONTINUATION = "".join(
    bytes([byte]).decode("cp1252", errors="replace").replace("\ufffd", "")
    for byte in range(0x80, 0xC0)) + "".join(chr(byte) for byte in range(0x80, 0xA0))
_CONT = "[" + re.escape(_CONTINUATION) + "]"

#: A run of mojibake: UTF-8 lead characters, each followed by its continuation characters.
_MOJIBAKE = re.compile(f"(?:[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}"
                       f"|[\u00f0-\u00f4]{_CONT}{{3}})+")
#: Where a run of :data:`_MOJIBAKE` may start (a bare pattern, scanned fast).
_MOJIBAKE_TRIGGER = re.compile(f"[\u00c2-\u00f4]{_CONT}")
#: Every single character Q002 reports, in one class; matches are classified afterwards.
_SUSPECT = re.compile(f"[{_C1_AND_C0}\ufffd{_BIDI_CONTROLS}{_INVISIBLE}{_JOINERS}"
                      f"\ud800-\udfff\U000e0000-\U000e007f]")
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KIND_BY_CHARACTER = [
    (re.compile(f"[{_C1_AND_C0}]"), "control"), (re.compile("\ufffd"), "replacement"),
    (re.compile(f"[{_BIDI_CONTROLS}]"), "bidi"), (re.compile(f"[{_INVISIBLE}]"), "invisible"),
    (re.compile(f"[{_JOINERS}]"), "joiner"), (re.compile("[\ud800-\udfff]"), "surrogate"),
    (re.compile("[\U000e0000-\U000e007f]"), "tag"),
]

_Q002_WHAT = {
    "control": ("control character", "control characters"),
    "replacement": ("U+FFFD replacement character (the text was decoded with errors)",
                    "U+FFFD replacement characters (the text was decoded with errors)"),
    "bidi": ("bidirectional override character", "bidirectional override characters"),
    "invisible": ("invisible character", "invisible characters"),
    "surrogate": ("lone surrogate", "lone surrogates"),
    "tag": ("invisible Unicode tag character", "invisible Unicode tag characters"),
}

#: Short names for the controls that ``unicodedata`` does not name.
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x0B: "VERTICAL TAB",
                  0x0C: "FORM FEED", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def _character_name(char: str) -> str:
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def _latin_bytes(value: str) -> bytes | None:
    """The bytes a Windows-1252 (or Latin-1) reading of which gave ``value``."""
    out = bytearray()
    for char in value:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)


def repair_mojibake(value: str) -> str | None:
    """The text that ``value`` was before UTF-8 was misread as Windows-1252, if it was.

    >>> repair_mojibake("cafÃ©")
    'café'
    >>> repair_mojibake("café") is None
    True
    """
    data = _latin_bytes(value)
    if data is None:
        return None
    try:
        repaired = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return repaired if repaired != value else None


def _is_stray_joiner(value: str, position: int) -> bool:
    # ZWJ/ZWNJ belong in emoji sequences and in Arabic, Persian and Indic words; between ASCII
    # characters (or at an edge) they only hide in a word.
    before = value[position - 1] if position else ""
    after = value[position + 1] if position + 1 < len(value) else ""
    return all(not char or char.isascii() for char in (before, after))


def _suspect_kind(value: str, position: int) -> str:
    char = value[position]
    return next(kind for pattern, kind in _KIND_BY_CHARACTER if pattern.match(char))


def _mojibake_runs(value: str) -> Iterator[tuple[int, str]]:
    end = 0
    for trigger in _MOJIBAKE_TRIGGER.finditer(value):
        if trigger.start() < end:
            continue
        run = _MOJIBAKE.match(value, trigger.start())
        if run is not None:
            end = run.end()
            if repair_mojibake(run.group()) is not None:
                yield run.start(), run.group()


def _is_tag(char: str) -> bool:
    return "\U000e0000" <= char <= "\U000e007f"


def _suspects(value: str) -> list[tuple[int, str, str]]:
    """``(position, kind, text)`` of everything Q002 reports in ``value``, in order."""
    found = [] if value.isascii() else [
        (position, "mojibake", run) for position, run in _mojibake_runs(value)]
    # A C1 control inside a mojibake run is one of its bytes, reported with the run.
    garbled = {position + offset for position, _, run in found for offset in range(len(run))}
    in_flag = False  # inside the tag sequence of an emoji flag (England, Scotland, Wales)
    for match in _SUSPECT.finditer(value):
        position = match.start()
        if position in garbled:
            continue
        kind = _suspect_kind(value, position)
        if kind == "joiner":
            if not _is_stray_joiner(value, position):
                continue
            kind = "invisible"
        elif kind == "tag":
            previous = value[position - 1:position]
            if not _is_tag(previous):
                in_flag = previous == "\U0001f3f4"
            if in_flag:
                continue
        found.append((position, kind, match.group()))
    found.sort()
    return found


def _q002_findings(text: Text) -> Iterator[Finding]:
    value = text.value
    if value.isascii() and _ASCII_CONTROL.search(value) is None:
        return  # the common case, at no cost
    found: dict[str, tuple[int, int, str]] = {}  # kind -> (count, first position, first text)
    for position, kind, sample in _suspects(value):
        count, first, first_sample = found.get(kind, (0, position, sample))
        found[kind] = (count + 1, first, first_sample)
    for kind, (count, first, sample) in found.items():
        where = f"at character {first + 1}" if count == 1 else f"first at character {first + 1}"
        if kind == "mojibake":
            repaired = repair_mojibake(sample) or "?"
            more = f" and {count - 1} more" if count > 1 else ""
            message = (f"{text_label(text)} has mojibake {shorten(sample)!r}{more} (UTF-8 read as "
                       f"Windows-1252; probably {shorten(repaired)!r}), {where}")
        else:
            singular, plural = _Q002_WHAT[kind]
            noun = singular if count == 1 else f"{count} {plural}"
            named = "" if kind == "replacement" else f" {_character_name(sample[0])}"
            article = ("an " if noun[0] in "aeiouAEIOU" else "a ") if count == 1 else ""
            message = f"{text_label(text)} has {article}{noun}{named}, {where}"
        yield Finding("Q002", message, text.pointer)


#: The code points of :data:`_SUSPECT` but the surrogates, as ranges.
_SUSPECT_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xFFFD, 0xFFFD),
                   (0x202A, 0x202E), (0x2066, 0x2069), (0x200B, 0x200D), (0x2060, 0x2064),
                   (0x180E, 0x180E), (0xFEFF, 0xFEFF), (0xE0000, 0xE007F))


def _q002_triggers() -> tuple[str, ...]:
    """A character of :data:`_SUSPECT` (a lone surrogate as ``surrogatepass`` writes it), or
    where :data:`_MOJIBAKE_TRIGGER` matches."""
    suspects = "".join(chr(code) for low, high in _SUSPECT_RANGES for code in range(low, high + 1))
    leads = "".join(chr(code) for code in range(0xC2, 0xF5))
    return (utf8_alternatives(suspects), r"\xed[\xa0-\xbf][\x80-\xbf]",
            utf8_alternatives(leads) + utf8_alternatives(_CONTINUATION))


@rule("Q002", "control-characters", W, triggers=_q002_triggers)
def control_characters(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Text contains control, invisible or garbled characters.

    **What it does.** Reports, in every text of the example (content, names, tool call
    arguments): C0 and C1 control characters other than tab, newline and carriage return;
    U+FFFD replacement characters; zero-width and other invisible characters (U+200B, U+2060,
    U+FEFF, Unicode tag characters outside emoji flags, and zero-width joiners between ASCII
    characters; joiners inside emoji or Arabic and Indic words are fine); bidirectional
    override and isolate characters (U+202A-U+202E, U+2066-U+2069; the LRM/RLM marks of
    right-to-left text are fine); lone surrogates; and mojibake, UTF-8 text that was decoded as
    Windows-1252 (`Ã©` for `é`, `â€™` for `’`), which it names with the probable original.

    **Why is this bad?** These characters are invisible in review but tokenized in training:
    the model learns to emit them, and hidden characters can smuggle instructions past a
    reviewer. Replacement characters and mojibake mean the text was decoded wrongly upstream,
    so every non-ASCII character of that source is probably damaged.

    **Example.** `"content": "The caf\\u00c3\\u00a9 opens at 9\\u200b."` (`cafÃ©` and a
    zero-width space)

    **Use instead.** `"content": "The café opens at 9."` Re-decode the source as UTF-8 and
    remove the invisible characters.
    """
    joined = joined_texts(example)
    if joined.isascii() and _ASCII_CONTROL.search(joined) is None:
        return  # nearly every example, in one scan
    for text in example_texts(example):
        yield from _q002_findings(text)
