"""Tokenizers with offsets, tokenizer folders, and Hub ids that fail at once offline."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from ftdata.templates.tokenizers import (
    JsonTokenizer,
    RanksTokenizer,
    byte_offsets_to_chars,
    chat_template_text,
    locate_tokenizer_files,
    special_token_variables,
)
from ftdata.tokens import ENCODINGS, TokenizerUnavailable, encoding_ranks


def test_byte_pieces_map_to_whole_characters() -> None:
    assert byte_offsets_to_chars("aé€", [1, 2, 3]) == [(0, 1), (1, 2), (2, 3)]
    # A piece ending inside a character covers it; the next piece starts in it.
    assert byte_offsets_to_chars("€x", [2, 2]) == [(0, 1), (0, 2)]
    assert byte_offsets_to_chars("", []) == []


def test_ranks_tokenizer_offsets_cover_the_text() -> None:
    tokenizer = RanksTokenizer("o200k", encoding_ranks("o200k_base"),
                               ENCODINGS["o200k_base"].pat_str, {"<|end|>": 200007})
    text = "Grüße, 世界<|end|>"
    ids, offsets = tokenizer.encode(text)
    assert ids[-1] == 200007 and offsets[-1] == (len(text) - 7, len(text))
    assert offsets[0][0] == 0 and all(a <= b for a, b in offsets)
    assert tokenizer.special_ids == frozenset({200007})


def test_ranks_tokenizer_can_normalise_to_nfc() -> None:
    ranks = encoding_ranks("o200k_base")
    nfc = RanksTokenizer("nfc", ranks, ENCODINGS["o200k_base"].pat_str, {}, nfc=True)
    plain = RanksTokenizer("plain", ranks, ENCODINGS["o200k_base"].pat_str, {})
    decomposed = "e\u0301"
    assert nfc.normalize(decomposed) == "\u00e9" and plain.normalize(decomposed) == decomposed
    assert nfc.encode(decomposed)[0] == plain.encode("\u00e9")[0]


def make_folder(tmp_path: Path) -> Path:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tokenizer = Tokenizer(WordLevel({"[UNK]": 0, "hi": 1, "there": 2}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.add_special_tokens(["</s>"])
    folder = tmp_path / "tiny"
    folder.mkdir()
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder


def test_json_tokenizer_gives_offsets_and_special_ids(tmp_path: Path) -> None:
    tokenizer = JsonTokenizer(make_folder(tmp_path) / "tokenizer.json")
    assert tokenizer.name == "tiny"
    assert tokenizer.encode("hi there</s>") == ([1, 2, 3], [(0, 2), (3, 8), (8, 12)])
    assert tokenizer.special_ids == frozenset({3})


def test_folder_files_and_template_text(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    config = {"bos_token": {"content": "<s>"}, "eos_token": "</s>", "model_max_length": 8,
              "chat_template": [{"name": "tool_use", "template": "T"},
                                {"name": "default", "template": "D"}]}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    files = locate_tokenizer_files(str(folder))
    assert sorted(files) == ["tokenizer.json", "tokenizer_config.json"]
    assert chat_template_text(files, config) == "D"
    assert special_token_variables(config) == {"bos_token": "<s>", "eos_token": "</s>"}
    (folder / "chat_template.jinja").write_text("J", encoding="utf-8")
    assert chat_template_text(locate_tokenizer_files(str(folder)), config) == "J"
    with pytest.raises(TokenizerUnavailable, match="no tokenizer at"):
        locate_tokenizer_files(str(tmp_path / "missing.json"))


def test_hub_id_fails_at_once_when_the_hub_does_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("huggingface_hub")

    def unreachable(*args: Any, **kwargs: Any) -> socket.socket:
        raise OSError("network is unreachable")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    started = time.monotonic()
    with pytest.raises(TokenizerUnavailable, match="does not answer") as error:
        locate_tokenizer_files("Qwen/Qwen3-8B")
    assert time.monotonic() - started < 1
    assert "\n" not in str(error.value)


def test_hub_id_with_hub_offline_set_fails_without_trying(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> socket.socket:
        raise AssertionError("must not connect")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(TokenizerUnavailable, match="HF_HUB_OFFLINE"):
        locate_tokenizer_files("Qwen/Qwen3-8B")


def test_hub_id_without_network_fails_within_the_probe_timeout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No mock: on a machine without network the real probe gives up quickly."""
    pytest.importorskip("huggingface_hub")
    from ftdata.templates import tokenizers

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    if tokenizers.hub_reachable(timeout=0.5):
        pytest.skip("the Hugging Face Hub is reachable from here")
    started = time.monotonic()
    with pytest.raises(TokenizerUnavailable):
        locate_tokenizer_files("Qwen/Qwen3-8B")
    assert time.monotonic() - started < tokenizers.HUB_PROBE_TIMEOUT + 1
