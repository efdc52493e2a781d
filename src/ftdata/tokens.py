"""Tokenizer resolution (offline-safe) and token counting over canonical examples.

Resolution. OpenAI's BPE ranks (``o200k_base``, ``cl100k_base``) are read from the rank table
shipped in ``ftdata/data`` (a binary form of the official file that loads in half the time of
parsing it: see :func:`ranks_table`), checked against its pinned sha256; else from the official
file in tiktoken's own cache, checked against the sha256 tiktoken itself pins. Nothing is ever
downloaded. When no verified copy exists, :class:`TokenizerUnavailable` says what is missing
and where it looked: there is no silent fall-back to an estimate.

Counting (SPEC §6) is a pure function of an :class:`~ftdata.model.Example` and a counter:

* chat: OpenAI's cookbook rule (``num_tokens_from_messages``): 3 tokens per message, plus the
  tokens of each string value (role, content, name, tool_call_id), plus 1 per ``name``, plus 3
  for the reply priming. Documented approximations on top of it, each marking the count as
  estimated: tool definitions follow the cookbook's ``num_tokens_for_tools``; a tool call costs
  its name, its arguments' JSON text and :data:`TOOL_CALL_OVERHEAD`; an image costs
  :func:`image_tokens`.
* preference: the prompt's messages once, then each continuation (chosen, rejected) counted as a
  reply with its own priming, so ``total`` is every token of the record; ``trainable`` is the
  chosen side's content.
* completion: prompt tokens + completion tokens, no overhead; the completion is trainable.
* text: the text's tokens, all trainable.

Trainable tokens are the content of assistant messages whose ``weight`` is not 0 (and the tool
calls they make), without per-message overhead.

>>> counter = TiktokenCounter("o200k_base")  # doctest: +SKIP
>>> count_example(example, counter)  # doctest: +SKIP
ExampleTokens(total=27, trainable=3, estimated=False)
"""

from __future__ import annotations

import array
import binascii
import hashlib
import json
import math
import os
import re
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftdata.model import Example, Message, Part, ToolCall

if TYPE_CHECKING:
    import jinja2
    import tiktoken

    from ftdata.models import ModelInfo

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

__all__ = [
    "DEFAULT_ENCODING",
    "ENCODINGS",
    "EncodingSpec",
    "EstimateCounter",
    "ExampleTokens",
    "HuggingFaceCounter",
    "TiktokenCounter",
    "TokenCounter",
    "TokenizerUnavailable",
    "build_encoding",
    "clear_encoding_cache",
    "count_example",
    "encoding_ranks",
    "get_counter",
    "image_tokens",
    "load_encoding",
]


class TokenizerUnavailable(Exception):
    """The tokenizer a count needs cannot be loaded; the message says what and where."""


# -- tokenizer data ------------------------------------------------------------------------


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
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if cache_dir == "":
        return None
    return os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())


def _packaged_data_dir() -> Traversable:
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


# -- counts ----------------------------------------------------------------------------------

#: Cookbook constants: tokens per message, per ``name``, and the reply priming.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

#: A tool call's wrapper tokens (recipient, separators, end of call) beyond its name and
#: arguments. An approximation: OpenAI does not publish how calls are rendered.
TOOL_CALL_OVERHEAD = 7

#: The cookbook's ``num_tokens_for_tools`` constants other than ``func_init``.
TOOL_PROPERTIES_INIT = 3
TOOL_PROPERTY_KEY = 3
TOOL_ENUM_INIT = -3
TOOL_ENUM_ITEM = 3
TOOL_FUNCTIONS_END = 12

#: OpenAI's image accounting (gpt-4o family): a fixed base, plus 170 per 512-px tile at high
#: detail. With the size unknown, high/auto detail assumes a 1024x1024 image: scaled to
#: 768x768, 4 tiles, 85 + 4 x 170 = 765.
IMAGE_BASE_TOKENS = 85
IMAGE_TILE_TOKENS = 170
IMAGE_DEFAULT_TOKENS = 765


@dataclass(frozen=True, slots=True)
class ExampleTokens:
    """Tokens of one example: all of them, the trained ones, whether it is an estimate, and
    how many of them are reasoning traces (counted in ``total``, and in ``trainable`` for a
    trained turn)."""

    total: int
    trainable: int
    estimated: bool = False
    reasoning: int = 0


class TokenCounter:
    """Counts tokens of strings; chats follow the cookbook rule unless a subclass knows better.

    Subclasses set ``name`` (shown in reports, e.g. ``"o200k_base"``) and ``estimated``.
    """

    name: str = ""
    estimated: bool = False
    #: ``func_init`` of the cookbook's tool-definition formula.
    tool_function_init: int = 7

    def __init__(self) -> None:
        self._fixed: dict[str, int] = {}

    def count(self, text: str) -> int:
        """Tokens of one string."""
        raise NotImplementedError

    def count_fixed(self, text: str) -> int:
        """Tokens of a string from a small set (roles), remembered after the first time."""
        known = self._fixed.get(text)
        if known is None:
            known = self.count(text)
            if len(self._fixed) < 256:
                self._fixed[text] = known
        return known

    def count_conversation(self, example: Example) -> ExampleTokens:
        """Tokens of a chat or preference example."""
        return cookbook_tokens(example, self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, estimated={self.estimated})"


class TiktokenCounter(TokenCounter):
    """Exact counts with one of OpenAI's encodings.

    >>> TiktokenCounter("o200k_base").count("hello world")  # doctest: +SKIP
    2
    """

    def __init__(self, encoding_name: str = DEFAULT_ENCODING) -> None:
        super().__init__()
        self.encoding = load_encoding(encoding_name)
        self.name = encoding_name
        self.estimated = False
        self.tool_function_init = ENCODINGS[encoding_name].tool_function_init
        # Counting is the expensive step: call the Rust encoder directly, skipping one Python
        # frame per string, and keep the public method for what it handles (lone surrogates).
        core = getattr(self.encoding, "_core_bpe", None)
        self._encode = getattr(core, "encode_ordinary", self.encoding.encode_ordinary)

    def count(self, text: str) -> int:
        if not text:
            return 0
        try:
            return len(self._encode(text))
        except UnicodeEncodeError:
            return len(self.encoding.encode_ordinary(text))

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process reloads the encoding from the verified files rather than receiving
        # a pickled copy of its 200,000 ranks.
        return (TiktokenCounter, (self.name,))


class EstimateCounter(TokenCounter):
    """A labelled estimate for providers with no public tokenizer (Gemini, Bedrock).

    >>> EstimateCounter().count("twelve chars")
    3
    """

    def __init__(self, chars_per_token: float = 4.0) -> None:
        super().__init__()
        if chars_per_token <= 0:
            raise ValueError("chars_per_token must be positive")
        self.chars_per_token = chars_per_token
        self.name = "estimate"
        self.estimated = True

    def count(self, text: str) -> int:
        return math.ceil(len(text) / self.chars_per_token) if text else 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (EstimateCounter, (self.chars_per_token,))


def count_example(example: Example, counter: TokenCounter) -> ExampleTokens:
    """Total and trainable tokens of one canonical example (SPEC §6).

    >>> from ftdata.model import Example
    >>> count_example(Example(kind="text", text="twelve chars"), EstimateCounter())
    ExampleTokens(total=3, trainable=3, estimated=True, reasoning=0)
    """
    if example.kind == "text":
        tokens = counter.count(example.text or "")
        return ExampleTokens(tokens, tokens, counter.estimated)
    if example.kind == "completion":
        total = trainable = reasoning = 0
        for message in example.messages:
            tokens = counter.count(message.text)
            if message.reasoning:
                thought = counter.count(message.reasoning)
                reasoning += thought
                tokens += thought
            total += tokens
            if message.role == "assistant":
                trainable += tokens
        return ExampleTokens(total, trainable, counter.estimated or reasoning > 0, reasoning)
    return counter.count_conversation(example)


def cookbook_tokens(example: Example, counter: TokenCounter) -> ExampleTokens:
    """A chat or preference example counted by the cookbook rule and its documented extensions.

    Every string is encoded once: a trainable message's content counts towards both figures.
    A reasoning trace counts like content, as one more string value of its message (its
    tokens, trained with its turn), and makes the figure an estimate: the cookbook's rule does
    not cover it, and how a chat template frames a trace (``<think>`` tags, Harmony's
    analysis channel) varies.
    """
    preference = example.kind == "preference"
    total, trainable, estimated, reasoning = _messages_tokens(example.messages, counter,
                                                              trained=not preference)
    total += REPLY_PRIMING
    if preference:
        total += REPLY_PRIMING  # each continuation is a reply of its own
        for side, trained in ((example.chosen, True), (example.rejected, False)):
            side_total, side_content, side_estimated, side_reasoning = _messages_tokens(
                side or (), counter, trained=True)
            total += side_total
            trainable += side_content if trained else 0
            estimated = estimated or side_estimated
            reasoning += side_reasoning
    if example.tools:
        total += tool_definition_tokens(example.tools, counter.count,
                                        counter.tool_function_init)
        estimated = True
    return ExampleTokens(total, trainable, estimated or counter.estimated, reasoning)


def _messages_tokens(messages: Iterable[Message], counter: TokenCounter,
                     *, trained: bool) -> tuple[int, int, bool, int]:
    """(total, trainable, estimated, reasoning) of messages; with ``trained`` every message of
    a preference side counts, else assistant messages whose weight is not 0."""
    count = counter.count
    role_tokens = counter._fixed
    total = trainable = reasoning = 0
    estimated = False
    for message in messages:
        content = 0
        if message.reasoning:
            thought = count(message.reasoning)
            reasoning += thought
            content += thought
            estimated = True
        for part in message.content or ():
            if part.type == "text":
                if part.text:
                    content += count(part.text)
            else:
                total += _media_tokens(part)
                estimated = True
        if message.tool_calls:
            estimated = True
            for call in message.tool_calls:
                content += count(call.name) + count(tool_arguments_text(call))
                total += TOOL_CALL_OVERHEAD
        role = role_tokens.get(message.role)
        if role is None:
            role = counter.count_fixed(message.role)
        total += TOKENS_PER_MESSAGE + role + content
        if message.name:
            total += count(message.name) + TOKENS_PER_NAME
        if message.tool_call_id:
            total += count(message.tool_call_id)
        if trained and message.role == "assistant" and message.weight != 0:
            trainable += content
    return total, trainable, estimated, reasoning


def tool_arguments_text(call: ToolCall) -> str:
    """A tool call's arguments as the JSON text the model produces."""
    arguments = call.arguments
    if isinstance(arguments, str):
        return arguments
    if arguments is None:
        return ""
    return json.dumps(arguments, ensure_ascii=False)


def tool_definition_tokens(tools: Sequence[Mapping[str, Any]], count: Callable[[str], int],
                           function_init: int = 7) -> int:
    """Tokens of the declared tools, by the cookbook's ``num_tokens_for_tools``.

    Missing descriptions or types count as empty strings; a tool that is not a function is
    counted as its JSON text.
    """
    total = 0
    for tool in tools:
        function = tool.get("function")
        if tool.get("type", "function") != "function" or not isinstance(function, Mapping):
            total += count(json.dumps(tool, ensure_ascii=False))
            continue
        total += function_init
        name = str(function.get("name") or "")
        description = str(function.get("description") or "").removesuffix(".")
        total += count(f"{name}:{description}")
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
        if isinstance(properties, Mapping) and properties:
            total += TOOL_PROPERTIES_INIT
            for key, schema in properties.items():
                total += TOOL_PROPERTY_KEY
                schema = schema if isinstance(schema, Mapping) else {}
                if "enum" in schema:
                    total += TOOL_ENUM_INIT
                    for item in schema["enum"] if isinstance(schema["enum"], list) else ():
                        total += TOOL_ENUM_ITEM + count(str(item))
                kind = schema.get("type", "")
                description = str(schema.get("description") or "").removesuffix(".")
                total += count(f"{key}:{kind}:{description}")
    if tools:
        total += TOOL_FUNCTIONS_END
    return total


# -- images ----------------------------------------------------------------------------------


def image_tokens(detail: str | None, width: int | None = None, height: int | None = None) -> int:
    """OpenAI's token cost of one image (gpt-4o family constants).

    ``low`` detail is a flat 85. Otherwise the image is scaled to fit 2048x2048, then so that its
    short side is at most 768, and each 512-px tile costs 170 on top of the base 85. With the
    size unknown the result is :data:`IMAGE_DEFAULT_TOKENS`.

    >>> image_tokens("low"), image_tokens("high", 1024, 1024), image_tokens("auto", 2048, 4096)
    (85, 765, 1105)
    """
    if detail == "low":
        return IMAGE_BASE_TOKENS
    if not width or not height:
        return IMAGE_DEFAULT_TOKENS
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(w / 512) * math.ceil(h / 512)
    return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles


def _media_tokens(part: Part) -> int:
    if part.type != "image":
        return 0  # audio, video and files have no published per-item figure
    size = image_size(part.url) if part.detail != "low" and part.url else None
    return image_tokens(part.detail, *(size or (None, None)))


_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,", re.IGNORECASE)
#: Base64 characters decoded at most to find an image's size (JPEG headers can sit after
#: an embedded thumbnail).
_HEADER_CHARS = 1 << 17


def image_size(url: str) -> tuple[int, int] | None:
    """Width and height of a base64 ``data:`` image (PNG, GIF, JPEG, WebP), else ``None``."""
    match = _DATA_URL.match(url)
    if match is None:
        return None
    payload = url[match.end():match.end() + _HEADER_CHARS]
    payload = payload[:len(payload) - len(payload) % 4]
    try:
        data = binascii.a2b_base64(payload)
    except (binascii.Error, ValueError):
        return None
    return _header_size(data)


def _header_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8 ":
            return (int.from_bytes(data[26:28], "little") & 0x3FFF,
                    int.from_bytes(data[28:30], "little") & 0x3FFF)
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":
            return (int.from_bytes(data[24:27], "little") + 1,
                    int.from_bytes(data[27:30], "little") + 1)
        return None
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        length = int.from_bytes(data[index + 2:index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[index + 5:index + 7], "big")
            width = int.from_bytes(data[index + 7:index + 9], "big")
            return width, height
        index += 2 + length
    return None


# -- Hugging Face tokenizers ----------------------------------------------------------------

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
_TRUE = {"1", "on", "yes", "true"}


class HuggingFaceCounter(TokenCounter):
    """Counts with a ``tokenizer.json`` and renders chats with the model's own chat template.

    ``source`` is a folder holding ``tokenizer.json`` (and optionally ``tokenizer_config.json``,
    ``chat_template.jinja`` or ``chat_template.json``), the path of a ``tokenizer.json``, or a
    Hugging Face Hub id, which needs network access. Without a chat template, or without jinja2
    to render it, chats are counted by the cookbook rule and marked estimated.

    >>> HuggingFaceCounter("path/to/model-folder").count("hello")  # doctest: +SKIP
    1
    """

    def __init__(self, source: str | os.PathLike[str]) -> None:
        super().__init__()
        self.source = os.fspath(source)
        self.name = self.source
        from ftdata.templates.tokenizers import (
            JsonTokenizer,
            chat_template_text,
            locate_tokenizer_files,
            read_json,
            special_token_variables,
        )

        files = locate_tokenizer_files(self.source)
        self._tokenizer = JsonTokenizer(files["tokenizer.json"])
        config = read_json(files.get("tokenizer_config.json"))
        self.special_tokens = special_token_variables(config)
        self.chat_template = chat_template_text(files, config)
        self._template = _compiled(self.chat_template) if self.chat_template else None
        self.estimated = self._template is None

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text)[0]) if text else 0

    def count_conversation(self, example: Example) -> ExampleTokens:
        if self._template is None:
            return cookbook_tokens(example, self)
        try:
            if example.kind == "preference":
                prompt = list(example.messages)
                total = (self._rendered_tokens([*prompt, *(example.chosen or ())], example.tools)
                         + self._rendered_tokens([*prompt, *(example.rejected or ())],
                                                 example.tools)
                         - self._rendered_tokens(prompt, example.tools))
            else:
                total = self._rendered_tokens(example.messages, example.tools)
        except Exception:
            # The template refuses this conversation (many raise on roles they do not support):
            # fall back to the cookbook rule, labelled as an estimate.
            fallback = cookbook_tokens(example, self)
            return ExampleTokens(fallback.total, fallback.trainable, True)
        trainable = 0
        estimated = False
        if example.kind == "preference":
            trained: Iterable[Message] = example.chosen or ()
        else:
            trained = (m for m in example.messages
                       if m.role == "assistant" and m.weight != 0)
        for message in trained:
            trainable += sum(self.count(part.text or "") for part in message.content or ()
                             if part.type == "text")
            trainable += self.count(message.reasoning or "")
            for call in message.tool_calls:
                trainable += self.count(call.name) + self.count(tool_arguments_text(call))
        if any(part.type != "text" for message in example.all_messages()
               for part in message.content or ()):
            estimated = True
        # The trace's own tokens: the template decides where it goes (and may leave earlier
        # turns' traces out, as Qwen3's does), and ``total`` is what it renders.
        reasoning = sum(self.count(message.reasoning) for message in example.all_messages()
                        if message.reasoning)
        return ExampleTokens(max(total, 0), trainable, estimated, reasoning)

    def _rendered_tokens(self, messages: Sequence[Message],
                         tools: list[dict[str, Any]] | None) -> int:
        from ftdata.templates.render import render_chat, template_message

        assert self._template is not None
        text = render_chat(self._template, [template_message(m) for m in messages],
                           tools or None, variables=self.special_tokens)[0]
        return len(self._tokenizer.encode(text)[0])

    def __reduce__(self) -> tuple[Any, ...]:
        return (HuggingFaceCounter, (self.source,))


def _compiled(source: str) -> jinja2.Template | None:
    """The compiled chat template, ``None`` without jinja2 (counted as an estimate then)."""
    from ftdata.templates.render import compile_template

    try:
        return compile_template(source)
    except ImportError:
        return None


# -- factory ---------------------------------------------------------------------------------


def get_counter(model_info: ModelInfo | None = None,
                tokenizer_path: str | os.PathLike[str] | None = None) -> TokenCounter:
    """The counter for a model: ``--tokenizer`` first, else the model's tokenizer.

    A model whose tokenizer is an encoding name gets :class:`TiktokenCounter`, ``"estimate"``
    gets :class:`EstimateCounter`, anything else is taken as a Hugging Face id. With neither a
    model nor a tokenizer, the default encoding (``o200k_base``) counts.

    >>> get_counter(None).name  # doctest: +SKIP
    'o200k_base'
    """
    if tokenizer_path is not None:
        return HuggingFaceCounter(tokenizer_path)
    tokenizer = model_info.tokenizer if model_info is not None else DEFAULT_ENCODING
    if tokenizer in ENCODINGS:
        return TiktokenCounter(tokenizer)
    if tokenizer == "estimate":
        return EstimateCounter()
    return HuggingFaceCounter(tokenizer)
