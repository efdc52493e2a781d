"""Epochs, billed tokens and cost (SPEC §6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftdata.billing import auto_epochs, billed_tokens, estimate_cost
from ftdata.models import resolve_model
from ftdata.statistics import Distribution


@pytest.mark.parametrize(("n", "epochs"), [
    (1, 25), (2, 25), (4, 25), (5, 20), (33, 3), (34, 3), (8_333, 3), (8_334, 2),
    (12_500, 2), (12_501, 1), (10**6, 1),
])
def test_auto_epochs_boundaries(n: int, epochs: int) -> None:
    assert auto_epochs(n) == epochs


@given(st.integers(min_value=1, max_value=10**7))
def test_auto_epochs_is_the_cookbook_rule(n: int) -> None:
    expected = 3
    if 3 * n < 100:
        expected = min(25, 100 // n)
    elif 3 * n > 25_000:
        expected = max(1, 25_000 // n)
    assert auto_epochs(n) == expected
    assert 1 <= auto_epochs(n) <= 25


def test_auto_epochs_of_nothing() -> None:
    assert auto_epochs(0) == 3
    with pytest.raises(ValueError):
        auto_epochs(-1)


def test_billed_tokens_caps_each_example_at_the_limit() -> None:
    assert billed_tokens([100, 70_000, 65_536], limit=65_536, epochs=3) == (
        (100 + 65_536 + 65_536) * 3)
    assert billed_tokens([100, 70_000], limit=None, epochs=2) == 140_200
    assert billed_tokens([], limit=10, epochs=3) == 0
    with pytest.raises(ValueError):
        billed_tokens([1], limit=10, epochs=-1)


@given(values=st.lists(st.integers(min_value=0, max_value=200_000), max_size=50),
       limit=st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)),
       epochs=st.integers(min_value=0, max_value=25))
def test_billed_tokens_from_a_distribution_equals_the_list(values: list[int], limit: int | None,
                                                           epochs: int) -> None:
    distribution = Distribution()
    for value in values:
        distribution.add(value)
    assert billed_tokens(distribution, limit, epochs) == billed_tokens(values, limit, epochs)
    assert billed_tokens(iter(values), limit, epochs) == billed_tokens(values, limit, epochs)


def test_cost_with_a_known_price() -> None:
    cost = estimate_cost(3_000_000, resolve_model("gpt-4.1-mini"))
    assert cost == {"currency": "USD", "price_per_million": 5.0, "amount": 15.0,
                    "price_as_of": "2025-08-21", "source": "https://openai.com/api/pricing/"}
    small = estimate_cost(1_234, resolve_model("gpt-4.1-nano"))
    assert small is not None and small["amount"] == 0.0019


def test_cost_without_a_price_is_none() -> None:
    assert estimate_cost(1_000_000, resolve_model("o4-mini")) is None
    assert estimate_cost(1_000_000, resolve_model("gemini-2.5-flash")) is None
