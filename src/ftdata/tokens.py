"""Token counting over canonical examples: the counters, and the counting rule of SPEC §6.

The tokenizer data (OpenAI's encodings, loaded offline and verified) is
:mod:`ftdata.encodings`, and what an image costs is :mod:`ftdata.image_tokens`; their public
names are re-exported here.

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

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ftdata.encodings import (
    DEFAULT_ENCODING,
    ENCODINGS,
    EncodingSpec,
    TokenizerUnavailable,
    build_encoding,
    check_available,
    clear_encoding_cache,
    encoding_ranks,
    load_encoding,
)
from ftdata.image_tokens import (
    IMAGE_BASE_TOKENS,
    IMAGE_DEFAULT_TOKENS,
    IMAGE_TILE_TOKENS,
    image_size,
    image_tokens,
    media_tokens,
)
from ftdata.model import Example, Message, ToolCall

if TYPE_CHECKING:
    import jinja2
    import tiktoken

    from ftdata.models import ModelInfo

__all__ = [
    "DEFAULT_ENCODING",
    "ENCODINGS",
    "IMAGE_BASE_TOKENS",
    "IMAGE_DEFAULT_TOKENS",
    "IMAGE_TILE_TOKENS",
    "ByteCounter",
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
    "image_size",
    "image_tokens",
    "load_encoding",
    "token_bound",
]


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
    #: Whether :func:`token_bound` bounds this counter's counts (each token covers at least
    #: one byte of UTF-8 and chats follow the cookbook rule).
    bytes_bound: bool = False
    #: ``func_init`` of the cookbook's tool-definition formula.
    tool_function_init: int = 7

    def __init__(self) -> None:
        self._fixed: dict[str, int] = {}

    def count(self, text: str) -> int:
        """Tokens of one string."""
        raise NotImplementedError

    def load(self) -> None:
        """Load what counting needs now rather than on the first count (before worker
        processes are forked, so that they share it)."""

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


#: Texts of at least this many characters are remembered with their count (a system prompt,
#: a tool's description, repeated in every example, is encoded once); shorter ones are
#: encoded each time, which costs about what looking them up would. Measured on o200k_base:
#: the corpus's chat files (tool lists and system prompts repeat) pass 71% fewer characters
#: to the encoder (64: 41% fewer), the benchmark generator's text 5.5% fewer.
MEMO_MIN_CHARS = 32
#: The characters the remembered texts hold at most (the oldest are forgotten first); a text
#: longer than a sixteenth of it is never remembered.
MEMO_CHARS = 4 << 20


class TiktokenCounter(TokenCounter):
    """Exact counts with one of OpenAI's encodings, loaded on the first count (a run whose
    examples are all too short to reach a token limit loads none).

    Counts are exact and remembered by text (:data:`MEMO_MIN_CHARS`, :data:`MEMO_CHARS`).

    >>> TiktokenCounter("o200k_base").count("hello world")  # doctest: +SKIP
    2
    """

    #: Every token covers at least one byte of UTF-8: a text's length bounds its count.
    bytes_bound = True

    def __init__(self, encoding_name: str = DEFAULT_ENCODING) -> None:
        super().__init__()
        spec = ENCODINGS.get(encoding_name)
        if spec is None:
            raise TokenizerUnavailable(
                f"unknown encoding {encoding_name!r} (known: {', '.join(ENCODINGS)})")
        check_available(spec)
        self.name = encoding_name
        self.estimated = False
        self.tool_function_init = spec.tool_function_init
        self._encoding: tiktoken.Encoding | None = None
        self._encode: Callable[[str], list[int]] = self._load_and_encode
        self._memo: dict[str, int] = {}
        self._memo_chars = 0

    @property
    def encoding(self) -> tiktoken.Encoding:
        """The tiktoken encoding, loaded (and verified) on first use."""
        if self._encoding is None:
            self._load()
        assert self._encoding is not None
        return self._encoding

    def load(self) -> None:
        if self._encoding is None:
            self._load()

    def _load(self) -> None:
        encoding = self._encoding = load_encoding(self.name)
        # Counting is the expensive step: call the Rust encoder directly, skipping one Python
        # frame per string, and keep the public method for what it handles (lone surrogates).
        core = getattr(encoding, "_core_bpe", None)
        self._encode = getattr(core, "encode_ordinary", encoding.encode_ordinary)

    def _load_and_encode(self, text: str) -> list[int]:
        self._load()
        return self._encode(text)

    def count(self, text: str) -> int:
        if not text:
            return 0
        if len(text) < MEMO_MIN_CHARS:
            return self._count(text)
        known = self._memo.get(text)
        if known is None:
            known = self._count(text)
            self._remember(text, known)
        return known

    def _count(self, text: str) -> int:
        try:
            return len(self._encode(text))
        except UnicodeEncodeError:
            return len(self.encoding.encode_ordinary(text))

    def _remember(self, text: str, count: int) -> None:
        size = len(text)
        if size > MEMO_CHARS // 16:
            return
        memo = self._memo
        self._memo_chars += size
        while self._memo_chars > MEMO_CHARS:
            oldest = next(iter(memo))
            self._memo_chars -= len(oldest)
            del memo[oldest]
        memo[text] = count

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
        # A token of a character or more is never more tokens than UTF-8 bytes.
        self.bytes_bound = chars_per_token >= 1
        self.chars_per_token = chars_per_token
        self.name = "estimate"
        self.estimated = True

    def count(self, text: str) -> int:
        return math.ceil(len(text) / self.chars_per_token) if text else 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (EstimateCounter, (self.chars_per_token,))

class ByteCounter(TokenCounter):
    """A string's UTF-8 length (a lone surrogate as the three bytes it takes): an upper bound
    of its tokens for a counter with ``bytes_bound``, since each token covers a byte at least.

    >>> ByteCounter().count("déjà")
    6
    """

    name = "bytes"
    estimated = True

    def count(self, text: str) -> int:
        return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


_BYTES = ByteCounter()


def token_bound(example: Example) -> int:
    """At least the total :func:`count_example` gives with a counter whose tokens each cover a
    byte (``bytes_bound``): the same rule with every string counted as its UTF-8 length. Every
    term of the rule grows with the strings' counts, so the bound holds; an example whose bound
    is under a limit needs no tokenizer to say it is under it.

    >>> token_bound(Example(kind="text", text="twelve chars"))
    12
    """
    return count_example(example, _BYTES).total


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
                total += media_tokens(part)
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
