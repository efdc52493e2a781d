"""apply_length: what each length strategy keeps of a rendered example."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftdata.templates.length import (
    STRATEGIES,
    LengthOutcome,
    LengthPolicy,
    apply_length,
    infer_seqlen,
    turns_from_mask,
)

# Prompt of 4 tokens, a response of 3, a prompt of 2, a response of 3: 12 tokens, 6 trained.
CHAT = [0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1]


def test_no_limit_keeps_everything() -> None:
    for strategy in STRATEGIES:
        outcome = apply_length(CHAT, LengthPolicy(None, strategy))
        assert outcome == LengthOutcome(total=12, kept=12, trained_before=6, trained_after=6,
                                        truncated=False, dropped=False)


def test_within_the_limit_nothing_changes() -> None:
    for strategy in STRATEGIES:
        outcome = apply_length(CHAT, LengthPolicy(12, strategy))
        assert (outcome.kept, outcome.trained_after, outcome.truncated, outcome.dropped,
                outcome.raises) == (12, 6, False, False, False)


def test_truncate_right_keeps_the_start() -> None:
    outcome = apply_length(CHAT, LengthPolicy(8, "truncate_right"))
    assert (outcome.total, outcome.kept, outcome.trained_before, outcome.trained_after) == (
        12, 8, 6, 3)
    assert outcome.truncated and not outcome.dropped


def test_truncate_left_keeps_the_end() -> None:
    outcome = apply_length(CHAT, LengthPolicy(4, "truncate_left"))
    assert (outcome.kept, outcome.trained_after, outcome.truncated) == (4, 3, True)


def test_trained_tokens_all_beyond_the_limit() -> None:
    mask = [0] * 10 + [1] * 5
    outcome = apply_length(mask, LengthPolicy(10, "truncate_right"))
    assert (outcome.kept, outcome.trained_before, outcome.trained_after) == (10, 5, 0)
    assert outcome.truncated and not outcome.dropped


def test_drop_untrained_drops_what_truncation_emptied() -> None:
    mask = [0] * 10 + [1] * 5
    outcome = apply_length(mask, LengthPolicy(10, "truncate_right", drop_untrained=True))
    assert (outcome.kept, outcome.trained_after, outcome.dropped, outcome.truncated) == (
        0, 0, True, False)


def test_drop_untrained_also_drops_an_example_that_never_trained() -> None:
    outcome = apply_length([0, 0, 0], LengthPolicy(10, "truncate_right", drop_untrained=True))
    assert outcome.dropped and outcome.kept == 0
    kept = apply_length([0, 1, 0], LengthPolicy(10, "truncate_right", drop_untrained=True))
    assert not kept.dropped and kept.kept == 3


def test_drop_removes_an_example_over_the_limit() -> None:
    outcome = apply_length(CHAT, LengthPolicy(11, "drop"))
    assert outcome == LengthOutcome(total=12, kept=0, trained_before=6, trained_after=0,
                                    truncated=False, dropped=True)


def test_raise_marks_the_example_as_stopping_training() -> None:
    outcome = apply_length(CHAT, LengthPolicy(11, "raise"))
    assert outcome.raises and not outcome.dropped and not outcome.truncated
    assert (outcome.kept, outcome.trained_after) == (0, 0)


def test_wrap_loses_nothing_and_reports_packing() -> None:
    outcome = apply_length(CHAT, LengthPolicy(5, "wrap", packing=True))
    assert (outcome.kept, outcome.trained_after, outcome.truncated, outcome.packing) == (
        12, 6, False, True)


def test_packing_is_reported_with_every_strategy() -> None:
    for strategy in ("truncate_right", "drop", "split_turns"):
        assert apply_length(CHAT, LengthPolicy(8, strategy, packing=True)).packing
    assert not apply_length(CHAT, LengthPolicy(8, "truncate_right")).packing


def test_infer_seqlen_matches_llamafactory_cases() -> None:
    # Short response: the prompt is cut (processor_utils.py line 78).
    assert infer_seqlen(900, 100, 512) == (412, 100)
    # Short prompt: the response is cut (line 80).
    assert infer_seqlen(100, 900, 512) == (100, 412)
    # Both long: in proportion (line 83).
    assert infer_seqlen(300, 900, 512) == (128, 384)
    # Budget spent.
    assert infer_seqlen(10, 10, 0) == (0, 0)


@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(0, 3000))
def test_infer_seqlen_fills_the_budget_or_keeps_everything(source: int, target: int,
                                                           cutoff: int) -> None:
    kept_source, kept_target = infer_seqlen(source, target, cutoff)
    assert 0 <= kept_source <= source and 0 <= kept_target <= target
    assert kept_source + kept_target == min(source + target, cutoff)


def test_turns_from_mask() -> None:
    assert turns_from_mask(CHAT) == [(4, 3), (2, 3)]
    assert turns_from_mask([1, 1, 1]) == [(0, 3)]
    assert turns_from_mask([0, 0]) == [(2, 0)]
    assert turns_from_mask([]) == []


def test_split_turns_cuts_each_turn_like_llamafactory() -> None:
    # Budget 8: turn 1 fits (4 + 3); turn 2 gets the 1 token left, and infer_seqlen(2, 3, 1)
    # cuts both sides in proportion: int(1 * 3 / 5) = 0 response tokens, 1 prompt token.
    outcome = apply_length(CHAT, LengthPolicy(8, "split_turns"))
    assert (outcome.kept, outcome.trained_after, outcome.truncated) == (8, 3, True)


def test_split_turns_keeps_the_response_when_the_prompt_is_long() -> None:
    mask = [0] * 20 + [1] * 4
    # truncate_right would keep no trained token; LLaMA-Factory cuts the prompt instead.
    assert apply_length(mask, LengthPolicy(10, "truncate_right")).trained_after == 0
    outcome = apply_length(mask, LengthPolicy(10, "split_turns"))
    assert (outcome.kept, outcome.trained_after) == (10, 4)


def test_split_turns_newest_first_gives_the_last_turn_the_budget() -> None:
    turns = [(4, 3), (2, 3)]
    mask = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]  # mask_history: the last response trains
    forward = apply_length(mask, LengthPolicy(6, "split_turns"), turns=turns)
    newest = apply_length(mask, LengthPolicy(6, "split_turns", newest_turn_first=True),
                          turns=turns)
    assert forward.trained_after == 0
    assert newest.trained_after == 3
    assert forward.kept == newest.kept == 6


def test_split_turns_rejects_turns_that_do_not_cover_the_mask() -> None:
    with pytest.raises(ValueError, match="cover 5 tokens"):
        apply_length(CHAT, LengthPolicy(6, "split_turns"), turns=[(2, 3)])


def test_unknown_strategy_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown length strategy"):
        apply_length(CHAT, LengthPolicy(4, "middle"))  # type: ignore[arg-type]


def test_trained_tokens_all_before_the_kept_end() -> None:
    mask = [1] * 5 + [0] * 10
    outcome = apply_length(mask, LengthPolicy(10, "truncate_left"))
    assert (outcome.kept, outcome.trained_before, outcome.trained_after) == (10, 5, 0)


def llamafactory_encode(turns: list[tuple[int, int]], cutoff_len: int, train_on_prompt: bool,
                        mask_history: bool) -> list[int]:
    """LLaMA-Factory's loop, transcribed from SupervisedDatasetProcessor._encode_data_example
    (src/llamafactory/data/processor/supervised.py lines 62-104 at commit ff6d4d12), on
    labelled token lists: each token is (turn, side, index) and a label is 1 or -100."""
    pairs = [([("s", number, i) for i in range(source)], [("t", number, i) for i in range(target)])
             for number, (source, target) in enumerate(turns)]
    input_ids: list[tuple[str, int, int]] = []
    labels: list[int] = []
    total_length = 0
    if mask_history:
        pairs = pairs[::-1]
    for turn_idx, (source_ids, target_ids) in enumerate(pairs):
        if total_length >= cutoff_len:
            break
        source_len, target_len = infer_seqlen(len(source_ids), len(target_ids),
                                              cutoff_len - total_length)
        source_ids = source_ids[:source_len]
        target_ids = target_ids[:target_len]
        total_length += source_len + target_len
        source_label = [1] * source_len if train_on_prompt else [-100] * source_len
        target_label = [-100] * target_len if mask_history and turn_idx != 0 else [1] * target_len
        if mask_history:
            input_ids = source_ids + target_ids + input_ids
            labels = source_label + target_label + labels
        else:
            input_ids += source_ids + target_ids
            labels += source_label + target_label
    return labels


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=5),
       st.integers(1, 120), st.booleans())
def test_split_turns_agrees_with_llamafactorys_loop(turns: list[tuple[int, int]], cutoff: int,
                                                    mask_history: bool) -> None:
    mask: list[int] = []
    for number, (source, target) in enumerate(turns):
        trains = not mask_history or number == len(turns) - 1
        mask += [0] * source + [int(trains)] * target
    expected = llamafactory_encode(turns, cutoff, train_on_prompt=False,
                                   mask_history=mask_history)
    policy = LengthPolicy(cutoff, "split_turns", newest_turn_first=mask_history)
    outcome = apply_length(mask, policy, turns=turns)
    assert outcome.kept == len(expected)
    assert outcome.trained_after == sum(1 for label in expected if label != -100)
    separable = all(target for _, target in turns) and all(source for source, _ in turns[1:])
    if not mask_history and separable:
        # Prompts masked, every response trained (and every turn has both sides, as a
        # rendered turn does): the turns read off the mask are the same.
        assert apply_length(mask, policy) == outcome
