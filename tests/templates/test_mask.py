"""The mask policy: which character spans train and how they map onto tokens."""

from __future__ import annotations

from ftdata.templates.mask import (
    MaskPolicy,
    Turn,
    strip_end_of_turn,
    token_mask,
    trained_spans,
)

# "<u>hi</u><a>yo</a><u>ok</u><a>go</a>": header "<a>" does not train, the body does.
TEXT = "<u>hi</u><a>yo</a><u>ok</u><a>go</a>"
TURNS = [Turn("user", 0, 3, 9), Turn("assistant", 9, 12, 18, weight=1.0),
         Turn("user", 18, 21, 27), Turn("assistant", 27, 30, 36, weight=0.0)]


def test_default_policy_trains_assistant_bodies_with_weight() -> None:
    assert trained_spans(TURNS, MaskPolicy(), len(TEXT)) == [[(12, 18)]]
    assert trained_spans(TURNS, MaskPolicy(use_weights=False), len(TEXT)) == [
        [(12, 18)], [(30, 36)]]


def test_roles_last_turn_and_train_all() -> None:
    both = MaskPolicy(train_roles=frozenset({"user", "assistant"}), use_weights=False)
    assert trained_spans(TURNS, both, len(TEXT)) == [[(3, 9)], [(12, 18)], [(21, 27)],
                                                     [(30, 36)]]
    last = MaskPolicy(last_turn_only=True, use_weights=False)
    assert trained_spans(TURNS, last, len(TEXT)) == [[(30, 36)]]
    assert trained_spans(TURNS, MaskPolicy(train_all=True), len(TEXT)) == [[(0, 36)]]


def test_generation_spans_replace_the_assistant_body() -> None:
    spans = trained_spans(TURNS, MaskPolicy(use_weights=False), len(TEXT),
                          generation=[(9, 18), (27, 36)])
    assert spans == [[(9, 18)], [(27, 36)]]


def test_reasoning_is_cut_out_when_it_does_not_train() -> None:
    turns = [Turn("assistant", 0, 3, 20, reasoning=(3, 10))]
    assert trained_spans(turns, MaskPolicy(train_reasoning=False), 20) == [[(10, 20)]]
    assert trained_spans(turns, MaskPolicy(), 20) == [[(3, 20)]]


def test_token_mask_marks_tokens_that_overlap_a_span() -> None:
    offsets = [(0, 3), (3, 5), (5, 9), (9, 12), (12, 14), (14, 18)]
    assert token_mask(offsets, [(12, 18)]) == [0, 0, 0, 0, 1, 1]
    # A token that straddles the span's start trains (transformers' rule).
    assert token_mask(offsets, [(4, 6)]) == [0, 1, 1, 0, 0, 0]
    assert token_mask(offsets, []) == [0] * 6


def test_end_of_turn_tokens_can_be_left_out() -> None:
    text = "yo</a>\n"
    offsets = [(0, 2), (2, 6), (6, 7)]
    mask = [1, 1, 1]
    assert strip_end_of_turn(mask, offsets, [7, 99, 5], text, [[(0, 7)]], {99}) == [1, 0, 0]
    # Ordinary text at the end is kept.
    assert strip_end_of_turn(mask, offsets, [7, 8, 9], "yo ok\nx", [[(0, 7)]], {99}) == mask


def test_marked_text_outside_every_turn_still_trains() -> None:
    spans = trained_spans(TURNS[:2], MaskPolicy(), 40, generation=[(12, 18), (36, 40)])
    assert spans == [[(12, 18)], [(36, 40)]]
    assert trained_spans(TURNS[:2], MaskPolicy(last_turn_only=True), 40,
                         generation=[(12, 18), (36, 40)]) == [[(12, 18)]]
