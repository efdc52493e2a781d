"""The models table: figures with their sources, lookup by id or alias, user overrides."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest

from ftdata.models import CONFIG_SOURCE, ModelInfo, UnknownModel, load_models, resolve_model
from ftdata.tokens import ENCODINGS

URL = re.compile(r"https://[^\s]+")


def test_every_figure_has_a_date_and_a_source() -> None:
    models = load_models()
    assert models
    for info in models.values():
        assert info.max_tokens_per_example is not None, info.id
        assert isinstance(info.max_tokens_as_of, date), info.id
        assert URL.fullmatch(info.max_tokens_source or ""), info.id
        if info.training_price_per_million is not None:
            assert isinstance(info.price_as_of, date), info.id
            assert URL.fullmatch(info.price_source or ""), info.id
            assert info.currency == "USD"


def test_every_tokenizer_is_an_encoding_an_estimate_or_a_hub_id() -> None:
    for info in load_models().values():
        assert (info.tokenizer in ENCODINGS or info.tokenizer == "estimate"
                or re.fullmatch(r"[\w.-]+/[\w.-]+", info.tokenizer)), info.id


@pytest.mark.parametrize(("name", "limit", "tokenizer", "price"), [
    ("gpt-4o-mini", 65_536, "o200k_base", 3.0),
    ("gpt-4o", 65_536, "o200k_base", 25.0),
    ("gpt-4.1", 65_536, "o200k_base", 25.0),
    ("gpt-4.1-mini", 65_536, "o200k_base", 5.0),
    ("gpt-4.1-nano", 32_768, "o200k_base", 1.5),
    ("o4-mini", 65_536, "o200k_base", None),
    ("gpt-3.5-turbo", 16_385, "cl100k_base", 8.0),
    ("gemini-2.5-flash", 131_072, "estimate", None),
    ("gemini-2.5-pro", 131_072, "estimate", None),
])
def test_spec_figures(name: str, limit: int, tokenizer: str, price: float | None) -> None:
    info = resolve_model(name)
    assert (info.max_tokens_per_example, info.tokenizer,
            info.training_price_per_million) == (limit, tokenizer, price)


def test_price_dates_of_the_current_openai_page() -> None:
    for name in ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"):
        assert resolve_model(name).price_as_of == date(2025, 8, 21)
    assert "per hour" in resolve_model("o4-mini").notes


def test_resolve_by_alias_in_any_case() -> None:
    assert resolve_model("GPT-4o-Mini-2024-07-18").id == "gpt-4o-mini"
    assert resolve_model("  gpt-3.5-turbo-0125 ").id == "gpt-3.5-turbo"
    assert resolve_model("OpenAI/GPT-OSS-20B").provider == "together"


def test_unknown_model_suggests_close_names() -> None:
    with pytest.raises(UnknownModel, match="did you mean gpt-4o-mini") as error:
        resolve_model("gpt4o-mini")
    assert isinstance(error.value, ValueError)
    with pytest.raises(UnknownModel) as error:
        resolve_model("zzzzzz")
    assert "did you mean" not in str(error.value)


def test_config_adds_a_model() -> None:
    extra = [{"id": "my-llama", "aliases": ["llama-mine"], "provider": "local",
              "tokenizer": "path/to/folder", "max_tokens_per_example": 8192}]
    info = resolve_model("LLAMA-MINE", extra)
    assert (info.id, info.max_tokens_per_example, info.training_price_per_million) == (
        "my-llama", 8192, None)
    assert "my-llama" not in load_models()


def test_config_overrides_fields_of_a_packaged_model() -> None:
    info = resolve_model("gpt-4.1-mini-2025-04-14",
                         [{"id": "GPT-4.1-MINI-2025-04-14", "training_price_per_million": 4.0}])
    assert info.id == "gpt-4.1-mini"
    assert (info.training_price_per_million, info.price_source, info.price_as_of) == (
        4.0, CONFIG_SOURCE, None)
    assert info.max_tokens_per_example == 65_536  # untouched fields stay
    sourced = resolve_model("gpt-4.1-mini", [{
        "id": "gpt-4.1-mini", "max_tokens_per_example": 1000, "max_tokens_as_of": "2026-01-02",
        "max_tokens_source": "https://example.com/limits"}])
    assert (sourced.max_tokens_per_example, sourced.max_tokens_as_of,
            sourced.max_tokens_source) == (1000, date(2026, 1, 2), "https://example.com/limits")


@pytest.mark.parametrize("entry", [
    {"id": "x", "provider": "p", "tokenizer": "estimate", "unexpected": 1},
    {"id": "x", "provider": "p", "tokenizer": "estimate", "training_price_per_million": -1},
    {"id": "x", "provider": "p", "tokenizer": "estimate", "max_tokens_per_example": 0},
    {"id": "x", "provider": "p"},
    {"id": "gpt-4.1", "max_tokens_per_example": "lots"},
    {"provider": "p", "tokenizer": "estimate"},
    {"id": "x", "provider": "p", "tokenizer": "estimate", "aliases": ["gpt-4o"]},
])
def test_invalid_config_entries_are_rejected(entry: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        load_models([entry])


def test_to_dict_is_json_ready() -> None:
    row = resolve_model("gpt-4.1-nano").to_dict()
    assert row["price_as_of"] == "2025-08-21"
    assert row["aliases"] == ["gpt-4.1-nano-2025-04-14"]
    assert ModelInfo(**{**row, "aliases": tuple(row["aliases"]),
                        "price_as_of": date(2025, 8, 21),
                        "max_tokens_as_of": resolve_model("gpt-4.1-nano").max_tokens_as_of}
                     ) == resolve_model("gpt-4.1-nano")


def test_pydantic_is_imported_only_for_models_from_configuration() -> None:
    code = ("import sys, ftdata.models, ftdata.tokens, ftdata.billing; "
            "assert 'pydantic' not in sys.modules; "
            "ftdata.models.load_models(); assert 'pydantic' not in sys.modules; "
            "ftdata.models.load_models([{'id': 'mine', 'provider': 'local', "
            "'tokenizer': 'o200k_base'}]); assert 'pydantic' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_packaged_table_is_valid_and_read_the_same_without_pydantic() -> None:
    from ftdata.models import _packaged_rows, _trusted, _validate

    rows = _packaged_rows()
    assert _validate(rows) == [_trusted(row) for row in rows]
