"""Which rendered tokens train: the mask policy and the mapping from text spans to tokens.

A rendering is cut into :class:`Turn` spans (one per message, each with the character offset
where its trainable body starts, after the role header). :func:`trained_spans` picks the
character spans a :class:`MaskPolicy` trains, and :func:`token_mask` maps them onto tokens the
way transformers maps ``{% generation %}`` spans (``apply_chat_template(...,
return_assistant_tokens_mask=True)``, ``src/transformers/tokenization_utils_base.py``): a token
trains when its character offsets overlap a span.

>>> token_mask([(0, 2), (2, 5), (5, 6)], [(2, 4)])
[0, 1, 0]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = ["MaskPolicy", "Turn", "strip_end_of_turn", "token_mask", "trained_spans"]

Span = tuple[int, int]


@dataclass(frozen=True)
class MaskPolicy:
    """Which rendered tokens train (label != -100)."""
    #: Roles whose turns train; the template's own text around them (role headers) does not.
    train_roles: frozenset[str] = frozenset({"assistant"})
    #: Every token trains (axolotl train_on_inputs, TRL without completion/assistant-only loss).
    train_all: bool = False
    #: Only the last trainable turn trains (LLaMA-Factory mask_history, ...).
    last_turn_only: bool = False
    #: The end-of-turn / EOS tokens that close a trained turn train too.
    train_end_of_turn: bool = True
    #: A message with weight / loss_weight 0 does not train.
    use_weights: bool = True
    #: Reasoning (<think> ... </think> or the template's reasoning block) trains with its turn.
    train_reasoning: bool = True


@dataclass(frozen=True)
class Turn:
    """Where one message sits in the rendered text (character offsets, end exclusive)."""

    role: str
    start: int
    #: Where the part that can train begins: after the role header the template writes.
    body: int
    end: int
    weight: float | None = None
    #: The reasoning block inside the body (from the body's start to where the content
    #: begins), when the message has reasoning and the template rendered it.
    reasoning: Span | None = None


def trained_spans(turns: Sequence[Turn], policy: MaskPolicy, text_length: int,
                  generation: Sequence[Span] | None = None) -> list[list[Span]]:
    """The character spans that train, grouped per trained turn, in text order.

    ``generation`` holds the template's ``{% generation %}`` spans, when it has markers: an
    assistant turn then trains exactly its marked text (as transformers masks it), other roles
    their body.

    >>> turns = [Turn("user", 0, 5, 9), Turn("assistant", 9, 19, 25)]
    >>> trained_spans(turns, MaskPolicy(), 25)
    [[(19, 25)]]
    """
    if policy.train_all:
        return [[(0, text_length)]] if text_length else []
    chosen = [turn for turn in turns if turn.role in policy.train_roles
              and not (policy.use_weights and turn.weight == 0)]
    if policy.last_turn_only:
        chosen = chosen[-1:]
    groups: list[list[Span]] = []
    if generation is not None and "assistant" in policy.train_roles \
            and not policy.last_turn_only:
        # Marked text outside every turn (a template that writes generated text for no
        # message) trains, as transformers' mask has it.
        groups.extend([span] for span in generation
                      if not any(turn.start <= span[0] < turn.end for turn in turns))
    for turn in chosen:
        if generation is not None and turn.role == "assistant":
            spans = [(max(start, turn.start), min(end, turn.end)) for start, end in generation
                     if turn.start <= start < turn.end]
        else:
            spans = [(turn.body, turn.end)]
        if not policy.train_reasoning and turn.reasoning is not None:
            spans = _without(spans, turn.reasoning)
        spans = [span for span in spans if span[1] > span[0]]
        if spans:
            groups.append(spans)
    return sorted(groups)


def _without(spans: Sequence[Span], hole: Span) -> list[Span]:
    result: list[Span] = []
    for start, end in spans:
        if hole[1] <= start or hole[0] >= end:
            result.append((start, end))
            continue
        if start < hole[0]:
            result.append((start, hole[0]))
        if hole[1] < end:
            result.append((hole[1], end))
    return result


def token_mask(offsets: Sequence[Span], spans: Sequence[Span]) -> list[int]:
    """1 for each token whose ``[start, end)`` overlaps one of ``spans`` (sorted), else 0.

    The same single pass transformers makes over a fast tokenizer's offsets, so a mask from
    ``{% generation %}`` spans equals its ``assistant_masks`` token for token.

    >>> token_mask([(0, 1), (1, 3), (3, 4)], [(1, 2)])
    [0, 1, 0]
    """
    mask = [0] * len(offsets)
    ordered = sorted(spans)
    index = 0
    for token, (start, end) in enumerate(offsets):
        while index < len(ordered) and start >= ordered[index][1]:
            index += 1
        if index == len(ordered):
            break
        if end > ordered[index][0]:
            mask[token] = 1
    return mask


def strip_end_of_turn(mask: list[int], offsets: Sequence[Span], ids: Sequence[int],
                      text: str, groups: Sequence[Sequence[Span]],
                      special_ids: Collection[int]) -> list[int]:
    """``mask`` without the closing tokens of each trained turn: the special tokens (and the
    whitespace between them) that end its last span, such as ``<|im_end|>\\n`` or ``</s>``.

    >>> strip_end_of_turn([1, 1, 1], [(0, 2), (2, 7), (7, 8)], [5, 9, 3], "hi<eos>\\n",
    ...                   [[(0, 8)]], {9})
    [1, 0, 0]
    """
    result = list(mask)
    for spans in groups:
        last_end = spans[-1][1]
        token = _last_token_before(offsets, last_end)
        while token >= 0 and result[token] and offsets[token][1] > spans[0][0]:
            start, end = offsets[token]
            if ids[token] in special_ids or text[start:end].isspace():
                result[token] = 0
                token -= 1
            else:
                break
    return result


def _last_token_before(offsets: Sequence[Span], end: int) -> int:
    token = len(offsets) - 1
    while token >= 0 and offsets[token][0] >= end:
        token -= 1
    return token
