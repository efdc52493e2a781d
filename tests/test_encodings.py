"""OpenAI's encodings, resolved offline and verified (ftdata.encodings)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st
from tiktoken_ext import openai_public  # type: ignore[import-untyped]

from ftdata import encodings
from ftdata.encodings import (
    ENCODINGS,
    TokenizerUnavailable,
    build_encoding,
    load_encoding,
)

PACKAGED = Path(encodings.__file__).parent / "data"
ENCODING_NAMES = ("o200k_base", "cl100k_base")
HELLO_WORLD = {"o200k_base": [24912, 2375], "cl100k_base": [15339, 1917]}




@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    encodings.clear_encoding_cache()
    yield cache
    encodings.clear_encoding_cache()


_OFFICIAL: dict[str, bytes] = {}


def official_bytes(name: str) -> bytes:
    """The official ``.tiktoken`` file, rebuilt from the packaged rank table."""
    if name not in _OFFICIAL:
        table = (PACKAGED / f"{name}.ranks").read_bytes()
        ranks = encodings._read_table(table, ENCODINGS[name])
        _OFFICIAL[name] = b"".join(
            base64.b64encode(token) + b" %d\n" % rank
            for token, rank in sorted(ranks.items(), key=lambda item: item[1]))
    return _OFFICIAL[name]


def cache_file(cache: Path, name: str) -> Path:
    return cache / hashlib.sha1(ENCODINGS[name].url.encode()).hexdigest()


# -- resolution ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_packaged_copy_loads_offline_with_an_empty_cache(empty_cache: Path, name: str) -> None:
    encoding = load_encoding(name)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD[name]
    assert load_encoding(name) is encoding  # cached per process
    assert list(empty_cache.iterdir()) == []  # nothing written, nothing fetched


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_packaged_tables_hold_exactly_the_official_ranks(name: str) -> None:
    # Rebuilt line by line, the table's ranks give back the file whose sha256 tiktoken pins.
    assert hashlib.sha256(official_bytes(name)).hexdigest() == ENCODINGS[name].sha256
    table = (PACKAGED / f"{name}.ranks").read_bytes()
    assert hashlib.sha256(table).hexdigest() == ENCODINGS[name].table_sha256
    # ...and the table is what ranks_table makes of the official file, byte for byte.
    official = encodings._parse_ranks(official_bytes(name), ENCODINGS[name])
    assert encodings.ranks_table(official) == table


@given(st.dictionaries(st.binary(min_size=1, max_size=300), st.integers(0, 2**32 - 1),
                       max_size=50))
def test_rank_tables_round_trip(ranks: dict[bytes, int]) -> None:
    table = encodings.ranks_table(ranks)
    assert encodings._read_table(table, ENCODINGS["o200k_base"]) == ranks


@pytest.mark.parametrize("damage", [b"", b"FTRANKS1", b"FTRANKS1\x01\x00\x00\x00\x02\x00",
                                    b"NOTATABLE" * 4])
def test_rank_tables_with_a_broken_layout_are_refused(damage: bytes) -> None:
    with pytest.raises(TokenizerUnavailable, match="rank table has an unexpected layout"):
        encodings._read_table(damage, ENCODINGS["o200k_base"])
    whole = encodings.ranks_table({b"ab": 1, b"c": 0})
    with pytest.raises(TokenizerUnavailable, match="unexpected layout"):
        encodings._read_table(whole[:-1], ENCODINGS["o200k_base"])
    with pytest.raises(TokenizerUnavailable, match="unexpected layout"):
        encodings._read_table(whole + b"\0", ENCODINGS["o200k_base"])


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_pattern_and_special_tokens_are_tiktokens_own(name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: {})
    reference = getattr(openai_public, name)()
    assert ENCODINGS[name].pat_str == reference["pat_str"]
    assert dict(ENCODINGS[name].special_tokens) == reference["special_tokens"]


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_cache_naming_matches_tiktoken(empty_cache: Path, name: str) -> None:
    from tiktoken.load import read_file_cached

    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    # tiktoken finds the file we name and, its hash matching, never goes to the network.
    assert read_file_cached(ENCODINGS[name].url, ENCODINGS[name].sha256) == official_bytes(name)


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_tiktoken_cache_serves_when_nothing_is_packaged(empty_cache: Path, tmp_path: Path,
                                                         name: str) -> None:
    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    no_package = tmp_path / "nothing-packaged"
    no_package.mkdir()
    encoding = build_encoding(name, data_dir=no_package)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD[name]


def test_corrupted_cache_file_is_rejected(empty_cache: Path, tmp_path: Path) -> None:
    path = cache_file(empty_cache, "o200k_base")
    path.write_bytes(official_bytes("o200k_base").replace(b" 1\n", b" 2\n", 1))
    # With a good packaged copy the count stays exact...
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    # ...without one, the error names the rejected file and why.
    no_package = tmp_path / "nothing-packaged"
    no_package.mkdir()
    with pytest.raises(TokenizerUnavailable) as error:
        build_encoding("o200k_base", data_dir=no_package)
    message = str(error.value)
    assert str(path) in message and "sha256 mismatch" in message
    assert str(no_package) in message and "not present" in message


def test_corrupted_packaged_table_is_rejected(empty_cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-package"
    bad.mkdir()
    table = bytearray((PACKAGED / "cl100k_base.ranks").read_bytes())
    table[-1] ^= 1  # one rank off by one bit
    (bad / "cl100k_base.ranks").write_bytes(bytes(table))
    with pytest.raises(TokenizerUnavailable, match="sha256 mismatch") as error:
        build_encoding("cl100k_base", data_dir=bad)
    assert "cl100k_base.ranks" in str(error.value)
    assert ENCODINGS["cl100k_base"].table_sha256 in str(error.value)
    # With a verified official file in tiktoken's cache the count stays exact.
    cache_file(empty_cache, "cl100k_base").write_bytes(official_bytes("cl100k_base"))
    encoding = build_encoding("cl100k_base", data_dir=bad)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD["cl100k_base"]


def test_packaged_table_is_used_before_tiktokens_cache(empty_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cache_file(empty_cache, "o200k_base").write_bytes(b"never read")
    monkeypatch.setattr(encodings, "_parse_ranks", None)  # the official file is not parsed
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]


def test_disabled_tiktoken_cache_falls_through_to_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert encodings.tiktoken_cache_file(ENCODINGS["o200k_base"].url) is None
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]


def test_unknown_encoding_is_unavailable() -> None:
    with pytest.raises(TokenizerUnavailable, match="unknown encoding 'p50k_base'"):
        load_encoding("p50k_base")


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_encoding_equals_tiktokens_own(empty_cache: Path, name: str) -> None:
    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    reference = tiktoken.Encoding(**_openai_public(name))
    ours = load_encoding(name)
    assert ours.n_vocab == reference.n_vocab
    check_same_encoding(ours, reference)


def _openai_public(name: str) -> dict[str, Any]:
    constructor: Any = getattr(openai_public, name)
    result: dict[str, Any] = constructor()  # reads the verified file from TIKTOKEN_CACHE_DIR
    return result


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def check_same_encoding(ours: tiktoken.Encoding, reference: tiktoken.Encoding,
                        text: str) -> None:
    assert ours.encode_ordinary(text) == reference.encode_ordinary(text)
