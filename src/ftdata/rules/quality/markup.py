"""Q004: the markup of a chat template (special tokens, role prefixes) inside content."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import RuleContext, rule
from ftdata.scan.regions import CodeRegions
from ftdata.scan.texts import Text, example_texts, joined_texts, text_label
from ftdata.scan.triggers import literal

W = Severity.WARNING


_Q004_MARKUP = re.compile(
    # Special tokens that tokenizers parse inside text: reported even inside code.
    r"(?P<token><\|[A-Za-z_][\w.-]{0,40}\|>"               # ChatML, Llama 3, Phi, GPT
    r"|<｜[^｜\n]{1,40}｜>"                                  # DeepSeek's full-width bars
    r"|\[/?INST\]|<</?SYS>>"                                 # Llama 2, Mistral
    r"|\[/?(?:AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|SYSTEM_PROMPT)\]"  # Mistral v3
    r"|<(?:start|end)_of_turn>"                              # Gemma
    r"|\[(?:EOS|BOS)\]|<(?:eos|bos)>)"
    r"|(?P<sentence></?s>)"                                  # Llama 2 BOS/EOS, at the edges
    r"|(?P<media><(?:image|video|audio)>)")
#: Where a match of :data:`_Q004_MARKUP` may start: a bare pattern the scan skips ahead with.
_MARKUP_TRIGGER = re.compile(r"<[|｜]|<</?S|\[/?(?:INST|AVAIL|TOOL_|SYSTEM_P|EOS|BOS)"
                             r"|<(?:start|end)_of|</?s>|<(?:eos|bos|image|video|audio)>")

#: Plain-text turn markers: a role word and a colon, judged on their line afterwards.
_ROLE_TRIGGER = re.compile(r"(?:Human|Assistant|User|Bot|System|Thought|HUMAN|ASSISTANT|USER"
                           r"|BOT|SYSTEM|Instruction|Response|Input)(?:\*\*)?:")
#: What may precede the role word on its line: indentation, bold, an Alpaca ``###`` header.
_ROLE_LINE_START = re.compile(r"[ \t]*(?:(?P<header>\#{2,3})[ \t]*)?(?:\*\*)?")
_HEADER_ONLY = ("Instruction", "Response", "Input")

_SPACES = re.compile(r"\s*")

#: Which record key lists the media a placeholder token stands for.
_MEDIA_KEYS = {"<image>": "images", "<video>": "videos", "<audio>": "audios"}


def _markup(value: str, start: int, example: Example, regions: CodeRegions) -> Iterator[str]:
    for trigger in _MARKUP_TRIGGER.finditer(value, start):
        match = _Q004_MARKUP.match(value, trigger.start())
        if match is None:
            continue
        kind, marker = match.lastgroup, match.group()
        if kind == "sentence":
            if not (_SPACES.fullmatch(value, 0, match.start())
                    or _SPACES.fullmatch(value, match.end())):
                continue  # <s> in the middle of prose is HTML strikethrough
        elif kind == "media":
            if any(isinstance(example.metadata.get(key), list) for key in _MEDIA_KEYS.values()):
                continue  # a multimodal record's placeholder: C016 matches it to its media
            if match.start() in regions:
                continue
        yield marker


def _role_markers(value: str, start: int, regions: CodeRegions) -> Iterator[str]:
    for match in _ROLE_TRIGGER.finditer(value, start):
        end = match.end() + (2 if value.startswith("**", match.end()) else 0)
        if end < len(value) and value[end] not in " \t\n":
            continue  # "User:password", "System:Windows" are not turn markers
        line_start = value.rfind("\n", max(0, match.start() - 64), match.start()) + 1
        if not line_start and match.start() > 64:
            continue  # more than 64 characters into its line: not a turn marker
        prefix = _ROLE_LINE_START.fullmatch(value, line_start, match.start())
        if prefix is None or match.start() in regions:
            continue
        word = match.group().rstrip(":*")
        if word in _HEADER_ONLY and not prefix.group("header"):
            continue  # "Input:" alone is an ordinary label; "### Input:" is Alpaca's
        yield ("### " if prefix.group("header") else "") + word + ":"


def _q004_markers(text: Text, example: Example) -> list[str]:
    value = text.value
    # Every special token starts with "<" or "[" and every role marker ends with ":"; the
    # substring tests are far cheaper than the searches they spare.
    markup = _MARKUP_TRIGGER.search(value) if "<" in value or "[" in value else None
    role = _ROLE_TRIGGER.search(value) if ":" in value else None
    if markup is None and role is None:
        return []  # nearly every text
    regions = CodeRegions(value)
    found: list[str] = []
    markers = [*(_markup(value, markup.start(), example, regions) if markup else ()),
               *(_role_markers(value, role.start(), regions) if role else ())]
    for marker in markers:
        if marker not in found:
            found.append(marker)
    return found


def _q004_triggers() -> tuple[str, ...]:
    """Where :data:`_MARKUP_TRIGGER` or :data:`_ROLE_TRIGGER` match."""
    return (_MARKUP_TRIGGER.pattern.replace("[|｜]", f"(?:\\||{literal('｜')})"),
            _ROLE_TRIGGER.pattern)


@rule("Q004", "chat-markup-in-content", W, triggers=_q004_triggers)
def chat_markup_in_content(example: Example, context: RuleContext) -> Iterator[Finding]:
    """Content contains the markup of a chat template.

    **What it does.** Looks in message content, prompts and completions for the special tokens
    of common chat templates: ChatML `<|im_start|>`/`<|im_end|>`, `<|endoftext|>`, Llama 3
    `<|begin_of_text|>`/`<|start_header_id|>`/`<|eot_id|>` (any `<|...|>` token), Llama 2 and
    Mistral `[INST]`/`[/INST]`/`<<SYS>>`, Gemma `<start_of_turn>`/`<end_of_turn>`, `[EOS]`,
    and `<s>`/`</s>` at either end of a text; for Alpaca headers (`### Instruction:`,
    `### Response:`) and role prefixes at the start of a line (`Human:`, `Assistant:`,
    `User:`, `Bot:`, `System:`, `Thought:`); and for `<image>`, `<video>` and `<audio>` in a
    record with no media list (in LLaMA-Factory's multimodal records, which list `images`,
    `videos` or `audios`, they are placeholders, and C016 counts them against the lists).
    Special tokens count even inside code blocks, since tokenizers parse them there too; the
    plain-text markers do not. The `text` format is not checked: its documents are often
    rendered with a chat template on purpose.

    **Why is this bad?** The provider or trainer adds the template itself: markup inside the
    content renders twice, tokenizers turn it into real control tokens, and the model learns
    to emit turn boundaries or to continue the conversation on its own. Bedrock rejects text
    with role markers (an error with `--target bedrock`).

    **Example.** `{"role": "assistant", "content": "Paris.<|im_end|>\\nUser: and Spain?"}`

    **Use instead.** `{"role": "assistant", "content": "Paris."}`, with the next question as
    its own user message.
    """
    joined = joined_texts(example)
    if "<" not in joined and "[" not in joined and ":" not in joined:
        return
    for text in example_texts(example):
        if text.field == "content" and text.message is not None:
            markers = _q004_markers(text, example)
            if markers:
                shown = ", ".join(repr(m) for m in markers[:4])
                more = f" and {len(markers) - 4} more" if len(markers) > 4 else ""
                yield Finding("Q004", f"{text_label(text)} contains chat markup {shown}{more}",
                              text.pointer)
