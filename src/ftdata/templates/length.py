"""What a trainer does with a rendered example longer than its maximum length.

A :class:`LengthPolicy` says how long a sequence may be and what happens beyond it;
:func:`apply_length` applies it to a loss mask (1 where a token trains) and reports, in a
:class:`LengthOutcome`, how many tokens and how many trained tokens the trainer keeps.

Besides the four plain strategies (keep the start, keep the end, drop the example, stop with an
error), two trainers need their own:

* ``split_turns``: LLaMA-Factory cuts each (prompt, response) pair of a conversation separately,
  sharing the budget between the two sides with ``infer_seqlen``
  (``src/llamafactory/data/processor/processor_utils.py``) and stopping once the budget is spent
  (``src/llamafactory/data/processor/supervised.py``). Neither end of the sequence is kept whole,
  so no plain truncation describes it.
* ``wrap``: packing that concatenates examples and cuts the stream into blocks (TRL's ``wrapped``
  and ``bfd_split`` packing, AutoTrain through TRL 0.13's ``ConstantLengthDataset``) loses no
  token of a long example: its tail goes on in the next block, without the start it followed.

Packing is reported (``LengthOutcome.packing``), never simulated: which examples share a block
depends on the whole dataset and the trainer's bin packing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Strategy = Literal["truncate_right", "truncate_left", "drop", "raise", "split_turns", "wrap"]

#: The strategies :func:`apply_length` knows, in the order the docs list them.
STRATEGIES: tuple[Strategy, ...] = (
    "truncate_right", "truncate_left", "drop", "raise", "split_turns", "wrap",
)


@dataclass(frozen=True)
class LengthPolicy:
    max_length: int | None            # None: no limit
    strategy: Strategy
    packing: bool = False             # reported, not simulated
    #: An example left with no trained token is dropped (TRL after truncation, axolotl when
    #: packing): it contributes no loss.
    drop_untrained: bool = False
    #: ``split_turns`` gives the budget to the newest turn first (LLaMA-Factory mask_history).
    newest_turn_first: bool = False


@dataclass(frozen=True)
class LengthOutcome:
    total: int                        # tokens before truncation
    kept: int                         # tokens the trainer keeps (0 when dropped)
    trained_before: int               # mask ones before truncation
    trained_after: int                # mask ones the trainer keeps
    truncated: bool
    dropped: bool
    #: The trainer packs examples together (reported, not simulated).
    packing: bool = False
    #: The trainer stops with an error on this example (strategy ``raise``); nothing trains.
    raises: bool = False


def infer_seqlen(source_len: int, target_len: int, cutoff_len: int) -> tuple[int, int]:
    """LLaMA-Factory's split of ``cutoff_len`` between a prompt and its response.

    Same arithmetic as ``infer_seqlen`` in LLaMA-Factory's
    ``src/llamafactory/data/processor/processor_utils.py`` (lines 76-88 at commit
    ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30): a short side keeps its length, otherwise both
    shrink in proportion.

    >>> infer_seqlen(100, 900, 512)
    (100, 412)
    >>> infer_seqlen(600, 600, 512)
    (256, 256)
    """
    if source_len + target_len == 0:
        return 0, 0
    if target_len * 2 < cutoff_len:
        max_target_len = cutoff_len
    elif source_len * 2 < cutoff_len:
        max_target_len = cutoff_len - source_len
    else:
        max_target_len = int(cutoff_len * (target_len / (source_len + target_len)))
    new_target_len = min(max_target_len, target_len)
    max_source_len = max(cutoff_len - new_target_len, 0)
    new_source_len = min(max_source_len, source_len)
    return new_source_len, new_target_len


def turns_from_mask(mask: Sequence[int]) -> list[tuple[int, int]]:
    """Cut a mask into (prompt, response) pairs: a run of zeros, then the run of ones after it.

    With the prompt masked and each response trained, the zeros before a response are what
    LLaMA-Factory encodes as that turn's source (role headers included) and the ones its target.
    A mask that trains everything is one pair with no prompt; trailing zeros are a last pair
    with no response.

    >>> turns_from_mask([0, 0, 1, 1, 1, 0, 1, 0])
    [(2, 3), (1, 1), (1, 0)]
    """
    turns: list[tuple[int, int]] = []
    source = target = 0
    for bit in mask:
        if bit:
            target += 1
            continue
        if target:
            turns.append((source, target))
            source = target = 0
        source += 1
    if source or target:
        turns.append((source, target))
    return turns


def apply_length(
    mask: Sequence[int],
    policy: LengthPolicy,
    turns: Sequence[tuple[int, int]] | None = None,
) -> LengthOutcome:
    """What the trainer keeps of one rendered example, given its loss mask.

    ``turns`` (``split_turns`` only) lists the (prompt, response) token counts of each turn
    as the trainer encodes them, in order, summing to ``len(mask)``; without it they come from
    the mask (:func:`turns_from_mask`), which is exact when prompts are masked and every
    response trains.

    >>> apply_length([0, 0, 1, 1, 1], LengthPolicy(4, "truncate_right"))
    LengthOutcome(total=5, kept=4, trained_before=3, trained_after=2, truncated=True, \
dropped=False, packing=False, raises=False)
    >>> apply_length([0, 0, 1, 1, 1], LengthPolicy(4, "drop")).dropped
    True
    """
    total = len(mask)
    trained_before = sum(1 for bit in mask if bit)
    limit = policy.max_length
    over = limit is not None and total > limit
    kept_positions: Sequence[int] = range(total)
    dropped = raises = False
    if over and limit is not None:
        if policy.strategy == "truncate_right":
            kept_positions = range(limit)
        elif policy.strategy == "truncate_left":
            kept_positions = range(total - limit, total)
        elif policy.strategy == "split_turns":
            pairs = list(turns) if turns is not None else turns_from_mask(mask)
            _check_turns(pairs, total)
            kept_positions = _split_turns(pairs, limit, policy.newest_turn_first)
        elif policy.strategy == "drop":
            dropped = True
        elif policy.strategy == "raise":
            raises = True
        elif policy.strategy != "wrap":
            raise ValueError(f"unknown length strategy {policy.strategy!r} "
                             f"(known: {', '.join(STRATEGIES)})")
    if dropped or raises:
        kept = trained_after = 0
    else:
        kept = len(kept_positions)
        trained_after = sum(1 for index in kept_positions if mask[index])
    truncated = not dropped and not raises and kept < total
    if policy.drop_untrained and not raises and kept and not trained_after:
        kept, truncated, dropped = 0, False, True
    return LengthOutcome(total=total, kept=kept, trained_before=trained_before,
                         trained_after=trained_after, truncated=truncated, dropped=dropped,
                         packing=policy.packing, raises=raises)


def _check_turns(turns: Sequence[tuple[int, int]], total: int) -> None:
    if any(source < 0 or target < 0 for source, target in turns):
        raise ValueError("turn lengths must not be negative")
    covered = sum(source + target for source, target in turns)
    if covered != total:
        raise ValueError(f"turn lengths cover {covered} tokens, the mask has {total}")


def _split_turns(turns: Sequence[tuple[int, int]], limit: int, newest_first: bool) -> list[int]:
    """Positions LLaMA-Factory keeps: each pair cut by :func:`infer_seqlen` against what is
    left of the budget, turn by turn (newest first under ``mask_history``), until it is spent.

    Mirrors ``SupervisedDatasetProcessor._encode_data_example``
    (``src/llamafactory/data/processor/supervised.py`` lines 70-80 at commit ff6d4d12).
    """
    starts: list[int] = []
    offset = 0
    for source, target in turns:
        starts.append(offset)
        offset += source + target
    order = range(len(turns) - 1, -1, -1) if newest_first else range(len(turns))
    kept: list[int] = []
    used = 0
    for index in order:
        if used >= limit:
            break
        source, target = turns[index]
        source_kept, target_kept = infer_seqlen(source, target, limit - used)
        start = starts[index]
        kept.extend(range(start, start + source_kept))
        kept.extend(range(start + source, start + source + target_kept))
        used += source_kept + target_kept
    return sorted(kept)
