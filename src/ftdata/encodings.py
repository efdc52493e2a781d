"""OpenAI's BPE encodings, loaded offline and verified (the tokenizer data of token counts).

OpenAI's BPE ranks (``o200k_base``, ``cl100k_base``) are read from the rank table shipped in
``ftdata/data`` (a binary form of the official file that loads in half the time of parsing it:
see :func:`ranks_table`), checked against its pinned sha256; else from the official file in
tiktoken's own cache, checked against the sha256 tiktoken itself pins. Nothing is ever
downloaded. When no verified copy exists, :class:`TokenizerUnavailable` says what is missing
and where it looked: there is no silent fall-back to an estimate.

This module imports nothing of ftdata: token counting (:mod:`ftdata.tokens`) and the
trainers' templates and tokenizers (:mod:`ftdata.templates`) both build on it.
"""

from __future__ import annotations

import array
import binascii
import hashlib
import os
import struct
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

__all__ = [
    "DEFAULT_ENCODING",
    "ENCODINGS",
    "EncodingSpec",
    "TokenizerUnavailable",
    "build_encoding",
    "check_available",
    "clear_encoding_cache",
    "encoding_ranks",
    "load_encoding",
    "ranks_table",
    "tiktoken_cache_file",
]


class TokenizerUnavailable(Exception):
    """The tokenizer a count needs cannot be loaded; the message says what and where."""


@dataclass(frozen=True)
class EncodingSpec:
    """One tiktoken encoding, exactly as ``tiktoken_ext.openai_public`` defines it."""

    name: str
    #: The blob URL tiktoken loads; its sha1 names the file in tiktoken's cache.
    url: str
    #: sha256 of the official ``.tiktoken`` file.
    sha256: str
    #: sha256 of the packaged rank table made from it (:func:`ranks_table`).
    table_sha256: str
    pat_str: str
    special_tokens: Mapping[str, int]
    #: The cookbook's per-function constant for tool definitions (``func_init``).
    tool_function_init: int


ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"

_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])

ENCODINGS: dict[str, EncodingSpec] = {spec.name: spec for spec in (
    EncodingSpec(
        name="o200k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        table_sha256="892557f5efc27a8b4d6baa3bc169997218e744e33a14c05647ff0fde49766f1f",
        pat_str=_O200K_PATTERN,
        special_tokens={ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
        tool_function_init=7,
    ),
    EncodingSpec(
        name="cl100k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        table_sha256="73907e0b2c2b3864e733aea8a7aa605cd5928d15a706a759f41e1f4154e6afe2",
        pat_str=_CL100K_PATTERN,
        special_tokens={ENDOFTEXT: 100257, FIM_PREFIX: 100258, FIM_MIDDLE: 100259,
                        FIM_SUFFIX: 100260, ENDOFPROMPT: 100276},
        tool_function_init=10,
    ),
)}

#: The encoding used when no model is named (the one of every current OpenAI chat model).
DEFAULT_ENCODING = "o200k_base"

_ENCODING_CACHE: dict[str, tiktoken.Encoding] = {}
_ENCODING_LOCK = threading.Lock()


def load_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding ``name``, loaded offline and verified; cached per process.

    >>> load_encoding("o200k_base").encode_ordinary("hello world")  # doctest: +SKIP
    [24912, 2375]

    Raises :class:`TokenizerUnavailable` for an unknown name, when tiktoken is not installed,
    or when neither tiktoken's cache nor the packaged copy holds a file with the right sha256.
    """
    encoding = _ENCODING_CACHE.get(name)
    if encoding is None:
        with _ENCODING_LOCK:
            encoding = _ENCODING_CACHE.get(name)
            if encoding is None:
                encoding = _ENCODING_CACHE[name] = build_encoding(name)
    return encoding


def clear_encoding_cache() -> None:
    """Forget the encodings loaded so far (the next :func:`load_encoding` reads files again)."""
    with _ENCODING_LOCK:
        _ENCODING_CACHE.clear()


def build_encoding(name: str, *, data_dir: Traversable | Path | None = None) -> tiktoken.Encoding:
    """Load ``name`` without the per-process cache; ``data_dir`` replaces the packaged folder.

    >>> build_encoding("cl100k_base").name  # doctest: +SKIP
    'cl100k_base'
    """
    spec = ENCODINGS.get(name)
    if spec is None:
        known = ", ".join(ENCODINGS)
        raise TokenizerUnavailable(f"unknown encoding {name!r} (known: {known})")
    try:
        import tiktoken
    except ImportError:
        raise TokenizerUnavailable(
            f"counting with {name} needs the tiktoken package: pip install tiktoken") from None
    ranks = _verified_ranks(spec, data_dir if data_dir is not None else _packaged_data_dir())
    return tiktoken.Encoding(spec.name, pat_str=spec.pat_str, mergeable_ranks=ranks,
                             special_tokens=dict(spec.special_tokens))


def encoding_ranks(name: str) -> dict[bytes, int]:
    """The verified BPE ranks of encoding ``name`` (packaged table, else tiktoken's cache), for
    encodings built on them (gpt-oss's ``o200k_harmony`` adds special tokens to ``o200k_base``).

    >>> len(encoding_ranks("o200k_base"))  # doctest: +SKIP
    199998
    """
    spec = ENCODINGS.get(name)
    if spec is None:
        raise TokenizerUnavailable(f"unknown encoding {name!r} (known: {', '.join(ENCODINGS)})")
    return _verified_ranks(spec, _packaged_data_dir())


def tiktoken_cache_file(url: str) -> str | None:
    """Where tiktoken caches ``url`` (same variables and naming as ``tiktoken.load``).

    ``None`` when tiktoken's caching is disabled (``TIKTOKEN_CACHE_DIR`` set to "").
    """
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        import tempfile  # the tokenizer's files are read only when tokens are counted

        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if cache_dir == "":
        return None
    return os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())


def _packaged_data_dir() -> Traversable:
    from importlib import resources

    return resources.files("ftdata").joinpath("data")


def _verified_ranks(spec: EncodingSpec, data_dir: Traversable | Path) -> dict[bytes, int]:
    """The ranks from the first source whose sha256 matches: the packaged table, then
    tiktoken's cache."""
    problems: list[str] = []
    packaged = data_dir.joinpath(f"{spec.name}.ranks")
    table = _verified_bytes(f"packaged copy {packaged}", packaged, spec.table_sha256, problems)
    if table is not None:
        return _read_table(table, spec)
    cache_file = tiktoken_cache_file(spec.url)
    if cache_file is None:
        problems.append("tiktoken's cache is disabled (TIKTOKEN_CACHE_DIR is empty)")
    else:
        data = _verified_bytes(f"tiktoken cache {cache_file}", Path(cache_file), spec.sha256,
                               problems)
        if data is not None:
            return _parse_ranks(data, spec)
    raise TokenizerUnavailable(
        f"no verified copy of the {spec.name} tokenizer data: " + "; ".join(problems)
        + ". Reinstall ftdata, or put the official file in tiktoken's cache "
          "(TIKTOKEN_CACHE_DIR); token counts are never guessed.")


def _verified_bytes(label: str, source: Traversable | Path, sha256: str,
                    problems: list[str]) -> bytes | None:
    """The bytes of ``source`` when their sha256 is ``sha256``; else ``None``, and why in
    ``problems``."""
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        problems.append(f"{label}: not present")
        return None
    except OSError as error:
        problems.append(f"{label}: {error.strerror or error}")
        return None
    problem = _hash_problem(data, sha256)
    if problem is not None:
        problems.append(f"{label}: {problem}")
        return None
    return data


def _hash_problem(data: bytes, expected: str) -> str | None:
    digest = hashlib.sha256(data).hexdigest()
    if digest == expected:
        return None
    return f"sha256 mismatch (expected {expected}, got {digest})"


def _parse_ranks(data: bytes, spec: EncodingSpec) -> dict[bytes, int]:
    """The ranks of an official ``.tiktoken`` file: one ``base64-token rank`` line each."""
    # The sha256 pins the official file, whose ranks are 0..n-1 in line order, so the rank
    # column need not be parsed line by line: a check of both ends is enough.
    fields = data.split()
    tokens = fields[0::2]
    if len(fields) != 2 * len(tokens) or not tokens or fields[1] != b"0" \
            or fields[-1] != str(len(tokens) - 1).encode():
        raise TokenizerUnavailable(f"the {spec.name} tokenizer data has an unexpected layout")
    return dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens)), strict=True))


# The rank table: the same ranks, laid out so that a few calls into C rebuild them. Parsing the
# official file decodes 200,000 base64 tokens one call each (about 50 ms for o200k_base);
# the table holds the tokens grouped by length, each group one run of bytes that a single
# ``struct.unpack`` splits, with its ranks as one array of little-endian 32-bit integers
# (about 25 ms). Layout: the magic, the number of groups, then (length, count) per group,
# then each group's tokens followed by its ranks.
_TABLE_MAGIC = b"FTRANKS1"


def ranks_table(ranks: Mapping[bytes, int]) -> bytes:
    """The packaged form of ``ranks``: deterministic, so its sha256 can be pinned.

    ``data/<name>.ranks`` is ``ranks_table`` of the official file's ranks; a test rebuilds the
    official file from it and checks tiktoken's own sha256.

    >>> table = ranks_table({b"a": 0, b"b": 1, b"ab": 2})
    >>> _read_table(table, ENCODINGS["o200k_base"])
    {b'a': 0, b'b': 1, b'ab': 2}
    """
    groups: dict[int, list[tuple[int, bytes]]] = {}
    for token, rank in ranks.items():
        groups.setdefault(len(token), []).append((rank, token))
    lengths = sorted(groups)
    out = [_TABLE_MAGIC, struct.pack("<I", len(lengths))]
    out += [struct.pack("<HI", length, len(groups[length])) for length in lengths]
    for length in lengths:
        members = sorted(groups[length])
        out.append(b"".join(token for _, token in members))
        out.append(struct.pack(f"<{len(members)}I", *(rank for rank, _ in members)))
    return b"".join(out)


def _integers(data: bytes, offset: int, count: int) -> Sequence[int]:
    """``count`` little-endian unsigned 32-bit integers of ``data`` from ``offset``."""
    values = array.array("I")
    if values.itemsize != 4:
        return struct.unpack_from(f"<{count}I", data, offset)
    values.frombytes(data[offset:offset + 4 * count])
    if len(values) != count:
        raise ValueError("the table ends early")
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _read_table(table: bytes, spec: EncodingSpec) -> dict[bytes, int]:
    try:
        if not table.startswith(_TABLE_MAGIC):
            raise ValueError("no table header")
        (count,) = struct.unpack_from("<I", table, len(_TABLE_MAGIC))
        offset = len(_TABLE_MAGIC) + 4
        header = struct.unpack_from("<" + "HI" * count, table, offset)
        offset += 6 * count
        ranks: dict[bytes, int] = {}
        for length, members in zip(header[0::2], header[1::2], strict=True):
            # A Struct of its own: struct's cache would keep each compiled format (megabytes in
            # all) for the life of the process.
            tokens = struct.Struct(f"{length}s" * members).unpack_from(table, offset)
            offset += length * members
            ranks.update(zip(tokens, _integers(table, offset, members), strict=True))
            offset += 4 * members
        if offset != len(table):
            raise ValueError("trailing bytes")
    except (struct.error, ValueError) as error:
        raise TokenizerUnavailable(
            f"the {spec.name} rank table has an unexpected layout ({error})") from None
    return ranks


def check_available(spec: EncodingSpec) -> None:
    """:class:`TokenizerUnavailable` unless tiktoken is installed and a copy of ``spec``'s data
    is present (its sha256 is checked when it is loaded)."""
    import importlib.util

    if importlib.util.find_spec("tiktoken") is None:
        raise TokenizerUnavailable(
            f"counting with {spec.name} needs the tiktoken package: pip install tiktoken")
    if _packaged_data_dir().joinpath(f"{spec.name}.ranks").is_file():
        return
    cache_file = tiktoken_cache_file(spec.url)
    if cache_file is None or not os.path.isfile(cache_file):
        _verified_ranks(spec, _packaged_data_dir())  # raises, saying where it looked
