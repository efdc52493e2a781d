"""Epochs, billed tokens and the training bill (SPEC §6).

>>> auto_epochs(20), auto_epochs(1_000), auto_epochs(20_000)
(5, 3, 1)
>>> billed_tokens([100, 70_000], limit=65_536, epochs=3)
196908
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ftdata.statistics import Distribution

if TYPE_CHECKING:
    from ftdata.models import ModelInfo

__all__ = ["DEFAULT_EPOCHS", "auto_epochs", "billed_tokens", "estimate_cost"]

#: OpenAI's cookbook rule: 3 epochs, adjusted so a job sees between 100 and 25,000 examples.
DEFAULT_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def auto_epochs(n_examples: int) -> int:
    """The epochs ``auto`` picks for ``n_examples`` examples, exactly as OpenAI's cookbook does.

    3 by default; if 3n < 100 then min(25, 100 // n); if 3n > 25,000 then max(1, 25,000 // n).
    An empty dataset gets the default.

    >>> [auto_epochs(n) for n in (1, 33, 34, 8_333, 8_334)]
    [25, 3, 3, 3, 2]
    """
    if n_examples < 0:
        raise ValueError("the number of examples cannot be negative")
    if n_examples == 0:
        return DEFAULT_EPOCHS
    if DEFAULT_EPOCHS * n_examples < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if DEFAULT_EPOCHS * n_examples > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return DEFAULT_EPOCHS


def billed_tokens(per_example_tokens: Iterable[int] | Distribution, limit: int | None,
                  epochs: int) -> int:
    """Σ min(limit, tokens) × epochs: what a provider bills when it truncates long examples.

    ``per_example_tokens`` is the tokens of each example, or their :class:`Distribution`
    (summed over its histogram, no list needed). ``limit`` ``None`` means no truncation.

    >>> from ftdata.statistics import Distribution
    >>> distribution = Distribution()
    >>> for tokens in (10, 10, 500):
    ...     distribution.add(tokens)
    >>> billed_tokens(distribution, limit=100, epochs=2)
    240
    """
    if epochs < 0:
        raise ValueError("epochs cannot be negative")
    if isinstance(per_example_tokens, Distribution):
        if limit is None:
            per_epoch = per_example_tokens.total
        else:
            per_epoch = sum(min(limit, value) * count
                            for value, count in per_example_tokens.counts.items())
    elif limit is None:
        per_epoch = sum(per_example_tokens)
    else:
        per_epoch = sum(min(limit, tokens) for tokens in per_example_tokens)
    return per_epoch * epochs


def estimate_cost(billed: int, model_info: ModelInfo) -> dict[str, Any] | None:
    """The training bill for ``billed`` tokens at the model's price, with its date and source.

    ``None`` when the table has no per-token price for the model. ``amount`` is rounded to
    4 decimals, enough that a small test file does not show as free.

    >>> estimate_cost(3_000_000, resolve_model("gpt-4.1-mini"))  # doctest: +SKIP
    {'currency': 'USD', 'price_per_million': 5.0, 'amount': 15.0, 'price_as_of': '2025-08-21',
     'source': 'https://openai.com/api/pricing/'}
    """
    price = model_info.training_price_per_million
    if price is None:
        return None
    as_of = model_info.price_as_of
    return {
        "currency": model_info.currency,
        "price_per_million": price,
        "amount": round(billed * price / 1_000_000, 4),
        "price_as_of": as_of.isoformat() if as_of is not None else None,
        "source": model_info.price_source,
    }
