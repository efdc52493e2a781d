"""Q006: canned refusals and "As an AI language model" boilerplate in answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.scan.texts import example_texts, shorten, text_label
from ftdata.scan.triggers import FOLDED, SPACE_BYTE, caseless, literal

INFO = Severity.INFO


_APOSTROPHE = "['’]"
_CANNOT = (rf"(?:can{_APOSTROPHE}?t|cannot|can not|am unable to|{_APOSTROPHE}m unable to"
           rf"|am not able to|{_APOSTROPHE}m not able to|won{_APOSTROPHE}t|will not"
           rf"|must decline to|{_APOSTROPHE}m not allowed to)")
_REFUSED = (r"(?:help|assist|provide|fulfil+|comply|do that|do this|answer|generate|create"
            r"|write|engage|support|share|give|offer|discuss|participate|complete|produce"
            r"|perform|continue|respond|condone|promote|encourage|facilitate)")

_LIMITATION = (rf"(?:don{_APOSTROPHE}t|do not|can{_APOSTROPHE}?t|cannot|am not|{_APOSTROPHE}m not"
               rf"|am unable|{_APOSTROPHE}m unable|have no|lack|won{_APOSTROPHE}t|will not"
               r"|must (?:decline|clarify|inform|point out))")

#: "As an AI language model, ..." anywhere in an answer; a bare "As an AI, ..." only when a
#: limitation follows ("As an AI assistant, I'd be happy to help" is not boilerplate).
_AI_DISCLAIMER = re.compile(
    r"\bas an? (?:AI|artificial intelligence) (?:language |text-based )?model\b"
    r"|\bas a (?:large |text-based )?language model\b"
    rf"|\bas an? (?:AI|artificial intelligence)(?: assistant| chatbot| system)?,? I {_LIMITATION}"
    r"|\bals (?:ein )?(?:KI-Sprachmodell|Sprachmodell|KI-Modell)\b"
    r"|\ben tant que modèle de langage\b|\ben tant qu['’](?:IA|intelligence artificielle),? je ne\b"
    r"|\bcomo (?:un )?modelo de lenguaje\b|\bcomo (?:una )?(?:IA|inteligencia artificial),? no\b"
    r"|\bcomo (?:um )?modelo de linguagem\b|\bcome (?:un )?modello (?:di )?linguaggio\b"
    r"|\bкак (?:языковая модель|модель ИИ)"
    r"|作为一个?(?:人工智能|AI)语言模型|AI言語モデルとして",
    re.IGNORECASE)

#: Substrings every disclaimer of :data:`_AI_DISCLAIMER` in a Latin script contains; a text
#: without any of them (nearly all) is not searched.
_DISCLAIMER_HINTS = ("n AI", "N AI", "anguage model", "ANGUAGE MODEL", "rtificial intelligence",
                     "Sprachmodell", "KI-Modell", "modelo de l", "linguaggio", " IA", "'IA")
_DISCLAIMER_HINTS_NON_ASCII = ("’IA", "modèle de langage", "модель", "语言模型", "言語モデル")
#: Quotes, emphasis and list or quote markers an answer may open with.
_LEAD_IN = re.compile(r"[\s\"'“*>-]+")


def _lead_in(value: str) -> int:
    match = _LEAD_IN.match(value)
    return match.end() if match else 0


def _may_disclaim(value: str) -> bool:
    return any(hint in value for hint in _DISCLAIMER_HINTS) or (
        not value.isascii() and any(hint in value for hint in _DISCLAIMER_HINTS_NON_ASCII))


#: Refusals that open an answer.
_REFUSAL_OPENING = re.compile(
    rf"(?:(?:I{_APOSTROPHE}m|I am) (?:very |so |truly )?sorry|I apologi[sz]e|Sorry|Unfortunately)"
    rf",? (?:but )?(?:as an AI[^,.]{{0,30}},? )?I {_CANNOT} (?:\w+ ){{0,2}}{_REFUSED}"
    rf"|I {_CANNOT} (?:help|assist) (?:you )?with (?:that|this|your)"
    rf"|I {_CANNOT} (?:fulfil+|comply with) (?:that|this|your)"
    r"|(?:Es tut mir leid|Entschuldigung),? (?:aber )?(?:ich kann|kann ich) (?:\w+ ){0,3}"
    r"(?:nicht|keine) (?:\w+ ){0,2}(?:helfen|behilflich|erfüllen|bereitstellen|beantworten"
    r"|unterstützen|erstellen|nachkommen)"
    r"|(?:Je suis désolée?|Désolée?),? mais je ne (?:peux|suis pas en mesure d['’e]) ?"
    r"(?:pas )?(?:vous |t['’] ?)?(?:aider|répondre|fournir|satisfaire|générer|créer|écrire)"
    r"|Lo siento,? (?:pero )?no (?:puedo|soy capaz de) (?:\w+ ){0,1}(?:ayudar\w*|asistir"
    r"|proporcionar|cumplir|responder|generar|crear|escribir|ofrecer)"
    r"|(?:很?抱歉|对不起)[，,]?\s*(?:但是?)?我(?:无法|不能)(?:帮助|协助|提供|回答|满足|完成|生成"
    r"|参与|执行)",
    re.IGNORECASE)


def _q006_triggers() -> tuple[str, ...]:
    """A text that opens (after :data:`_LEAD_IN`) as a refusal of :data:`_REFUSAL_OPENING`
    may, or that holds a hint of :func:`_may_disclaim`."""
    lead_in = rf"(?:{SPACE_BYTE}|[\"'*>-]|{literal('“')})*"
    openings = "|".join([caseless("i") + rf"(?:[ ']|{literal('’')})",
                         caseless("sorry|unfortunately|es tut mir leid|entschuldigung|je suis d"
                                  "|lo siento"),
                         caseless("d") + rf"(?:{literal('é')}|{literal('É')})",
                         literal("很"), literal("抱歉"), literal("对不起")])
    return (rf"\xff{lead_in}(?:{openings})", FOLDED,
            *(literal(hint) for hint in _DISCLAIMER_HINTS + _DISCLAIMER_HINTS_NON_ASCII))


@rule("Q006", "refusal-boilerplate", INFO, triggers=_q006_triggers)
def refusal_boilerplate(example: Example, context: RuleContext) -> Iterator[Finding]:
    """An answer is a canned refusal or an "As an AI language model" disclaimer.

    **What it does.** Looks at assistant answers (the chosen side of a preference pair, not
    the rejected one, where a refusal is the point) for an opening refusal such as "I'm sorry,
    but I can't help with that" or "I cannot fulfill this request", and for "As an AI language
    model, ..." anywhere; a plain "As an AI, ..." only counts when a limitation follows ("As
    an AI, I don't have opinions"), so "As an AI assistant, I'd be happy to help" does not.
    Refusals are recognised in English, German, French, Spanish and Chinese, the disclaimer
    also in Portuguese, Italian, Russian and Japanese. To keep false alarms low, an apology
    only counts when what cannot be done is helping, answering, providing, writing and the
    like: "Sorry, I can't find that order" is not a refusal.

    **Why is this bad?** Refusals distilled from another model teach the fine-tuned one to
    refuse harmless requests and to talk about itself in that model's voice. When the
    refusals are intended (safety data), this is only a reminder to check them.

    **Example.** `{"role": "assistant", "content": "As an AI language model, I cannot
    browse the internet."}`

    **Use instead.** Replace the refusal with a real answer, or drop the example.
    """
    rejected = {id(message) for message in example.rejected or ()}
    reported: set[int] = set()
    for text in example_texts(example):
        message = text.message
        if (text.field != "content" or message is None or message.role != "assistant"
                or id(message) in rejected or id(message) in reported):
            continue
        value = text.value
        opening = _REFUSAL_OPENING.match(value, _lead_in(value))
        match = opening or (_AI_DISCLAIMER.search(value) if _may_disclaim(value) else None)
        if match:
            reported.add(id(message))
            what = "opens with a refusal" if opening else "has AI-model boilerplate"
            yield Finding("Q006", f"{text_label(text)} {what} "
                                  f"({shorten(match.group().rstrip(', '), 48)!r})",
                          text.pointer)
