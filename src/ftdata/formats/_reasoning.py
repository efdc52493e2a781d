"""Reasoning traces: reading ``<think>`` blocks, and placing a message's reasoning for a writer.

A message's reasoning is its own text beside the content (:attr:`ftdata.model.Message.reasoning`).
Records carry it in one of three ways:

* a field of the assistant message: ``reasoning`` or ``reasoning_content`` for Together
  (https://docs.together.ai/docs/fine-tuning-reasoning: "Assistant messages support a
  `reasoning` or `reasoning_content` field"), ``reasoning_content`` for axolotl's
  ``chat_template`` datasets (axolotl ``src/axolotl/prompt_strategies/chat_template.py``,
  ``ChatTemplatePrompter(field_thinking="reasoning_content")``, also the key Qwen3's chat
  template reads), ``thinking`` for gpt-oss's Harmony template (the messages of
  https://huggingface.co/datasets/HuggingFaceH4/Multilingual-Thinking, used by OpenAI's
  cookbook "Fine-tuning a multilingual reasoner with Hugging Face");
* a content block: Bedrock Nova 2's ``{"reasoningContent": {"reasoningText": {"text"}}}``
  (https://docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html);
* a ``<think>`` block that opens the assistant's content, as Qwen3 writes it: its chat template
  renders ``'<think>\\n' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' +
  content.lstrip('\\n')`` (Qwen/Qwen3-8B ``tokenizer_config.json``, ``chat_template``).

Reading a ``<think>`` block takes it out of the content into the reasoning, with the newlines
that the template puts around it; writing one puts it back in the template's spelling, so a
record in that spelling round-trips byte for byte and any other spelling keeps its meaning.

Where a writer puts the reasoning is decided here, once for every format (:func:`place_reasoning`):
by default, reasoning read from a ``<think>`` block goes back into the content, and reasoning
read from a field goes to the target format's field (:attr:`ftdata.formats.Format.reasoning`);
a format without one cannot hold it and the record is skipped with the reason, never stripped.
``ftdata convert --reasoning think-tags|field|drop`` overrides that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from ftdata.formats._errors import Unrepresentable
from ftdata.model import THINK_TAGS, Example, Message, Part

if TYPE_CHECKING:
    from ftdata.formats import Format

ReasoningMode = Literal["think-tags", "field", "drop"]
#: The values of ``ftdata convert --reasoning``.
REASONING_MODES: tuple[ReasoningMode, ...] = ("think-tags", "field", "drop")

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


def split_think(text: str) -> tuple[str, str] | None:
    """``(reasoning, answer)`` of a text that opens with a closed ``<think>`` block, else None.

    >>> split_think("<think>\\nTwo and two.\\n</think>\\n\\n4")
    ('Two and two.', '4')
    >>> split_think("<think>unclosed") is None
    True
    """
    if not text.startswith(THINK_OPEN):
        return None
    end = text.find(THINK_CLOSE, len(THINK_OPEN))
    if end < 0:
        return None
    return text[len(THINK_OPEN):end].strip("\n"), text[end + len(THINK_CLOSE):].lstrip("\n")


def unclosed_think(text: str) -> bool:
    """True when a text opens a ``<think>`` block that it never closes.

    >>> unclosed_think("<think>Two and two make 4")
    True
    """
    return text.startswith(THINK_OPEN) and THINK_CLOSE not in text


def think_tagged(reasoning: str, answer: str) -> str:
    """The reasoning and the answer as one content, in Qwen3's spelling.

    >>> think_tagged("Two and two.", "4")
    '<think>\\nTwo and two.\\n</think>\\n\\n4'
    """
    return f"{THINK_OPEN}\n{reasoning}\n{THINK_CLOSE}\n\n{answer}"


def read_think_tags(message: Message) -> None:
    """Move a ``<think>`` block that opens an assistant's one-part content into its reasoning.

    Called by readers on assistant messages whose content is a string and that have no
    reasoning field; an unclosed block is left in the content (C017 reports it).
    """
    content = message.content
    if not content or len(content) != 1 or message.reasoning is not None:
        return
    part = content[0]
    if part.type != "text" or part.text is None:
        return
    split = split_think(part.text)
    if split is None:
        return
    message.reasoning, part.text = split
    message.reasoning_pointer = part.pointer
    message.reasoning_source = THINK_TAGS


# -- placing reasoning for a writer ---------------------------------------------------------


def no_place_reason(format_id: str) -> str:
    """Why a record with reasoning is skipped when the target format has no field for it."""
    return (f"{format_id} has no place for a reasoning trace (use --reasoning think-tags to "
            f"keep it in the content, or --reasoning drop)")


def _in_content(message: Message, reasoning: str) -> Message:
    content = message.content
    if content and content[0].type == "text":
        first = dataclasses.replace(content[0], text=think_tagged(reasoning, content[0].text or ""))
        parts = [first, *content[1:]]
    else:
        parts = [Part("text", text=think_tagged(reasoning, ""), pointer=message.content_pointer),
                 *(content or ())]
    return dataclasses.replace(message, content=parts, reasoning=None, reasoning_source=None)


def _placed(message: Message, target: Format, mode: ReasoningMode | None) -> Message | None:
    """The message as ``target``'s writer should get it; ``None`` when its trace is dropped."""
    reasoning = message.reasoning
    assert reasoning is not None
    if mode == "drop":
        return None
    if mode == "think-tags" or (mode is None and message.reasoning_source == THINK_TAGS):
        return _in_content(message, reasoning)
    if target.reasoning is None:
        raise Unrepresentable(no_place_reason(target.id) if mode is None
                              else f"{target.id} has no reasoning field")
    if mode == "field" and message.reasoning_source == THINK_TAGS:
        return dataclasses.replace(message, reasoning_source=None)
    return message


def placing_writer(target: Format, write: Callable[[Example], dict[str, Any]]
                   ) -> Callable[[Example], dict[str, Any]]:
    """``write``, after :func:`place_reasoning` has put the example's traces where they go.

    Every :attr:`ftdata.formats.Format.write` is wrapped so: a record read with a ``<think>``
    block is written back with it, and a trace a format has no place for is refused
    (:class:`ftdata.formats.Unrepresentable`) by every writer alike.
    """

    def write_placed(example: Example) -> dict[str, Any]:
        return write(place_reasoning(example, target)[0])

    write_placed.__doc__ = write.__doc__
    return write_placed


def place_reasoning(example: Example, target: Format,
                    mode: ReasoningMode | None = None) -> tuple[Example, int]:
    """The example with each reasoning trace where ``target`` will write it, and how many
    traces were dropped. The example itself is left as it was.

    ``mode`` is ``--reasoning``: ``think-tags`` puts every trace in a ``<think>`` block at the
    start of its content, ``field`` in the format's field (raising
    :class:`ftdata.formats.Unrepresentable` when it has none), ``drop`` removes them. Without
    it a trace goes back where it was read from: its ``<think>`` block, or the target's field,
    and a target without one raises.

    >>> from ftdata.formats import get_format
    >>> from ftdata.model import text_message
    >>> answer = text_message("assistant", "4", "")
    >>> answer.reasoning = "Two and two."
    >>> placed, dropped = place_reasoning(Example("chat", [answer]), get_format("alpaca"),
    ...                                   "think-tags")
    >>> placed.messages[0].text, dropped
    ('<think>\\nTwo and two.\\n</think>\\n\\n4', 0)
    """
    messages = [*example.messages, *(example.chosen or ()), *(example.rejected or ())]
    if all(message.reasoning is None for message in messages):
        return example, 0
    dropped = 0
    replaced: dict[int, Message] = {}
    for message in messages:
        if message.reasoning is None:
            continue
        placed = _placed(message, target, mode)
        if placed is None:
            dropped += 1
            placed = dataclasses.replace(message, reasoning=None, reasoning_pointer=None,
                                         reasoning_source=None)
        replaced[id(message)] = placed

    def swap(side: list[Message] | None) -> list[Message] | None:
        return None if side is None else [replaced.get(id(item), item) for item in side]

    placed_example = dataclasses.replace(
        example, messages=swap(example.messages) or [], chosen=swap(example.chosen),
        rejected=swap(example.rejected))
    return placed_example, dropped
