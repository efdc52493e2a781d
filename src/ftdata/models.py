"""The models table: tokenizer, per-example token limit and training price of each model.

The table is one data file, ``ftdata/data/models.json``; every figure in it carries the date it
was read and the URL it was read from. User configuration can add models or override fields of
packaged ones (by id or alias). Entries are validated with pydantic, imported only when the
table is loaded, so ``import ftdata`` stays cheap.

>>> resolve_model("GPT-4.1-MINI-2025-04-14").max_tokens_per_example  # doctest: +SKIP
65536
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources
from typing import Any, ClassVar

__all__ = ["ModelInfo", "UnknownModel", "load_models", "resolve_model"]

#: Marks a figure that user configuration set without saying where it came from.
CONFIG_SOURCE = "configuration"


class UnknownModel(ValueError):
    """No model has that id or alias; the message suggests close names."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One row of the models table, validated by pydantic (unknown keys are rejected).

    ``tokenizer`` is a tiktoken encoding name (``o200k_base``, ``cl100k_base``), ``"estimate"``
    for providers with no public tokenizer, or a Hugging Face Hub id.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    id: str
    provider: str
    tokenizer: str
    max_tokens_per_example: int | None = None
    max_tokens_as_of: date | None = None
    max_tokens_source: str | None = None
    training_price_per_million: float | None = None
    currency: str = "USD"
    price_as_of: date | None = None
    price_source: str | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("id must not be empty")
        if not self.tokenizer.strip():
            raise ValueError("tokenizer must not be empty")
        if self.max_tokens_per_example is not None and self.max_tokens_per_example <= 0:
            raise ValueError("max_tokens_per_example must be positive")
        price = self.training_price_per_million
        if price is not None and price < 0:
            raise ValueError("training_price_per_million must not be negative")

    @property
    def names(self) -> tuple[str, ...]:
        """The id followed by the aliases."""
        return (self.id, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready values (dates in ISO format), as ``ftdata models`` prints it."""
        row = asdict(self)
        for key, value in row.items():
            if isinstance(value, date):
                row[key] = value.isoformat()
        row["aliases"] = list(self.aliases)
        return row


def load_models(extra: list[dict[str, Any]] | None = None) -> dict[str, ModelInfo]:
    """The packaged models table keyed by id, with ``extra`` entries added or merged in.

    An ``extra`` entry whose ``id`` names a packaged model (by id or alias, any case) overrides
    just the fields it gives; a figure overridden without its own date and source gets the
    source ``"configuration"``. Any other entry is a new model and needs ``provider`` and
    ``tokenizer``.

    >>> load_models([{"id": "gpt-4.1-mini", "training_price_per_million": 4.0}])[
    ...     "gpt-4.1-mini"].price_source  # doctest: +SKIP
    'configuration'

    Raises ``ValueError`` (a pydantic ``ValidationError``) for an invalid entry.
    """
    models = dict(_packaged_models())
    if not extra:
        return models
    lookup = _lookup(models.values())
    rows: dict[str, dict[str, Any]] = {}
    for entry in extra:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise ValueError(f"a model entry needs a string 'id': {entry!r}")
        existing = lookup.get(entry["id"].lower())
        if existing is None:
            rows[entry["id"]] = dict(entry)
            continue
        row = {**(rows.get(existing.id) or existing.to_dict()), **entry, "id": existing.id}
        for figure, as_of, source in (
                ("max_tokens_per_example", "max_tokens_as_of", "max_tokens_source"),
                ("training_price_per_million", "price_as_of", "price_source")):
            if figure in entry and source not in entry:
                row[source] = CONFIG_SOURCE
                row[as_of] = entry.get(as_of)
        rows[existing.id] = row
    for info in _validate(list(rows.values())):
        models[info.id] = info
    _check_unique(models.values())
    return models


def resolve_model(name: str, extra: list[dict[str, Any]] | None = None) -> ModelInfo:
    """The model whose id or alias is ``name`` (any case).

    >>> resolve_model("gpt-4o-mini-2024-07-18").id  # doctest: +SKIP
    'gpt-4o-mini'

    Raises :class:`UnknownModel` naming the closest known names.
    """
    models = load_models(extra)
    key = name.strip().lower()
    found = _lookup(models.values()).get(key)
    if found is not None:
        return found
    spelled = {known.lower(): known for info in models.values() for known in info.names}
    close = difflib.get_close_matches(key, list(spelled), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(spelled[k] for k in close)}?" if close else ""
    raise UnknownModel(f"unknown model {name!r}{hint} (`ftdata models` lists the known models)")


def _packaged_rows() -> list[dict[str, Any]]:
    table = resources.files("ftdata").joinpath("data").joinpath("models.json")
    rows: list[dict[str, Any]] = json.loads(table.read_text(encoding="utf-8"))
    return rows


@functools.lru_cache(maxsize=1)
def _packaged_models() -> dict[str, ModelInfo]:
    # The shipped table is checked with pydantic by the tests (``_validate``); reading it
    # without pydantic keeps a tenth of a second off every `--model` run.
    infos = [_trusted(row) for row in _packaged_rows()]
    _check_unique(infos)
    return {info.id: info for info in infos}


_DATE_FIELDS = ("max_tokens_as_of", "price_as_of")


def _trusted(row: Mapping[str, Any]) -> ModelInfo:
    values = dict(row)
    for key in _DATE_FIELDS:
        if isinstance(values.get(key), str):
            values[key] = date.fromisoformat(values[key])
    values["aliases"] = tuple(values.get("aliases", ()))
    return ModelInfo(**values)


def _validate(rows: list[Any]) -> list[ModelInfo]:
    result: list[ModelInfo] = _adapter().validate_python(rows)
    return result


@functools.lru_cache(maxsize=1)
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(list[ModelInfo])


def _lookup(models: Iterable[ModelInfo]) -> dict[str, ModelInfo]:
    lookup: dict[str, ModelInfo] = {}
    for info in models:
        for name in info.names:
            lookup.setdefault(name.lower(), info)
    return lookup


def _check_unique(models: Iterable[ModelInfo]) -> None:
    owner: dict[str, str] = {}
    for info in models:
        for name in info.names:
            key = name.lower()
            if owner.setdefault(key, info.id) != info.id:
                raise ValueError(f"model name {name!r} is used by both {owner[key]!r} and "
                                 f"{info.id!r}")
