"""Render a canonical example through a chat template: text, token ids and the training mask.

The template runs in jinja2 exactly as transformers runs it (``render_jinja_template`` and
``_cached_compile_jinja_template`` in ``src/transformers/utils/chat_template_utils.py``): an
``ImmutableSandboxedEnvironment`` with ``trim_blocks`` and ``lstrip_blocks``, the
``loopcontrols`` extension, a ``tojson`` filter that does not escape HTML, ``raise_exception``,
``strftime_now``, and a ``{% generation %}`` block that records the character span of the text
the model generates. Messages reach the template as transformers passes them: ``role``,
``content`` (a string, or a list of parts when there is media), ``tool_calls`` as
``{"type": "function", "function": {"name", "arguments"}}`` with parsed arguments, and the
reasoning under ``reasoning_content`` and ``thinking`` (``_alias_reasoning_fields``); keys whose
value is ``None`` are left out (``_normalize_chat_messages``).

The mask: with ``{% generation %}`` markers, an assistant turn trains its marked text, as
``return_assistant_tokens_mask`` does. Without them, each message's place in the text is found
by rendering prefixes (``messages[:i]`` and ``messages[:i+1]``; for an assistant turn also
``messages[:i]`` with ``add_generation_prompt``, whose extra text is the role header, which
does not train), as TRL, axolotl and LLaMA-Factory cut turns. A template that renders an
earlier turn differently once later turns follow (Qwen3 drops the reasoning of turns before the
last user message) is aligned on the text the two renderings share.

>>> from ftdata.templates.loading import load_template  # doctest: +SKIP
>>> template = load_template(family="qwen3")  # doctest: +SKIP
>>> rendered = render_example(example, template, MaskPolicy())  # doctest: +SKIP
>>> rendered.text[:22], sum(rendered.mask)  # doctest: +SKIP
('<|im_start|>user\\nHi<|', 4)
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn

from ftdata.encodings import TokenizerUnavailable
from ftdata.model import Example, Message
from ftdata.templates.mask import (
    MaskPolicy,
    Turn,
    strip_end_of_turn,
    token_mask,
    trained_spans,
)
from ftdata.templates.tokenizers import TextTokenizer

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "ChatTemplate",
    "Rendered",
    "TemplateRefused",
    "compile_template",
    "has_generation_markers",
    "render_chat",
    "render_example",
    "template_message",
]

Span = tuple[int, int]


class TemplateRefused(Exception):
    """The chat template raised on this conversation (``raise_exception`` or a jinja error)."""


@dataclass(frozen=True)
class Rendered:
    template: str            # family id or the tokenizer folder's name
    text: str
    ids: list[int]
    mask: list[int]          # 1 where token i trains under the MaskPolicy
    dropped: tuple[str, ...] # what the template silently dropped or cannot express:
                             # "reasoning", "tools", "system" (for rule T005)


@dataclass
class ChatTemplate:
    """A chat template with the tokenizer that encodes its output.

    ``tokenizer`` is ``None`` for a built-in family without a packaged tokenizer: it renders
    text only, and the ids come from ``--tokenizer PATH``.
    """

    name: str
    source: str
    tokenizer: TextTokenizer | None = None
    #: Template variables beside the messages: ``bos_token``, ``eos_token``, ...
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_generation(self) -> bool:
        return has_generation_markers(self.source)


def has_generation_markers(source: str) -> bool:
    """Whether a template marks what the model generates with ``{% generation %}``.

    >>> has_generation_markers("{% generation %}{{ m }}{% endgeneration %}")
    True
    """
    import re

    return re.search(r"\{%-?\s*generation\s*-?%\}", source) is not None


# -- jinja ------------------------------------------------------------------------------------

_TRACKING: ContextVar[tuple[list[str], list[Span]] | None] = ContextVar(
    "ftdata_generation_tracking", default=None)


@contextmanager
def _tracking(blocks: list[str], spans: list[Span]) -> Iterator[None]:
    token = _TRACKING.set((blocks, spans))
    try:
        yield
    finally:
        _TRACKING.reset(token)


def compile_template(source: str) -> jinja2.Template:
    """``source`` compiled in transformers' sandboxed environment (cached).

    Raises :class:`ImportError` without jinja2 and :class:`TokenizerUnavailable` when the
    template does not compile.

    >>> compile_template("{{ messages[0]['content'] | tojson }}").render(
    ...     messages=[{"content": "<é>"}])
    '"<é>"'
    """
    import jinja2.sandbox  # noqa: F401  (fails first when jinja2 is missing, cache or not)

    return _compile(source)


@lru_cache(maxsize=32)
def _compile(source: str) -> jinja2.Template:
    import jinja2
    import jinja2.ext
    import jinja2.nodes
    import jinja2.parser
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class GenerationTracker(jinja2.ext.Extension):
        """``{% generation %}...{% endgeneration %}``: records the span its body renders to."""

        tags = {"generation"}  # noqa: RUF012  (jinja reads it as an instance variable)

        def parse(self, parser: jinja2.parser.Parser) -> jinja2.nodes.Node:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [],
                                          body).set_lineno(lineno)

        def _generation_support(self, caller: Callable[[], str]) -> str:
            text = caller()
            tracking = _TRACKING.get()
            if tracking is not None:
                blocks, spans = tracking
                start = len("".join(blocks))
                spans.append((start, start + len(text)))
            return text

    def raise_exception(message: str) -> NoReturn:
        raise jinja2.exceptions.TemplateError(message)

    def tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
               separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
        # transformers' own filter: jinja's escapes HTML characters.
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def strftime_now(format: str) -> str:
        return datetime.now().strftime(format)

    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True,
        extensions=[GenerationTracker, jinja2.ext.loopcontrols])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = strftime_now
    # A template from a tokenizer folder is untrusted code: like transformers, it gets a
    # ``dict`` that only builds dictionaries and a ``namespace`` that refuses "_" names.
    environment.globals["dict"] = _TemplateDict()
    environment.globals["namespace"] = _namespace_class()
    try:
        return environment.from_string(source)
    except jinja2.TemplateError as error:
        raise TokenizerUnavailable(f"the chat template does not compile: {error}") from error


class _TemplateDict:
    """``dict(...)`` and ``dict.fromkeys(...)`` for templates, without the type itself."""

    def __call__(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict(*args, **kwargs)

    def fromkeys(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict.fromkeys(*args, **kwargs)


@lru_cache(maxsize=1)
def _namespace_class() -> type:
    import jinja2.exceptions
    import jinja2.utils

    def check(name: Any) -> None:
        if isinstance(name, str) and name.startswith("_"):
            raise jinja2.exceptions.SecurityError(
                f"chat templates cannot store {name!r} on a namespace")

    class TemplateNamespace(jinja2.utils.Namespace):
        def __init__(*args: Any, **kwargs: Any) -> None:
            self, rest = args[0], args[1:]
            for name in dict(*rest, **kwargs):
                check(name)
            jinja2.utils.Namespace.__init__(self, *rest, **kwargs)

        def __setitem__(self, name: str, value: Any) -> None:
            check(name)
            jinja2.utils.Namespace.__setitem__(self, name, value)

    return TemplateNamespace


def render_chat(template: jinja2.Template, messages: Sequence[Mapping[str, Any]],
                tools: Sequence[Mapping[str, Any]] | None = None, *,
                add_generation_prompt: bool = False,
                variables: Mapping[str, Any] | None = None) -> tuple[str, list[Span]]:
    """The rendered text and the character spans of its ``{% generation %}`` blocks.

    Raises :class:`TemplateRefused` when the template raises.

    >>> render_chat(compile_template("{% for m in messages %}{% generation %}"
    ...             "{{ m['content'] }}{% endgeneration %};{% endfor %}"),
    ...             [{"role": "assistant", "content": "hi"}])
    ('hi;', [(0, 2)])
    """
    import jinja2

    blocks: list[str] = []
    spans: list[Span] = []
    try:
        with _tracking(blocks, spans):
            for block in template.generate(
                    **{**(variables or {}), "messages": list(messages),
                       "tools": list(tools) if tools is not None else None, "documents": None,
                       "add_generation_prompt": add_generation_prompt}):
                blocks.append(block)
    except jinja2.TemplateError as error:
        raise TemplateRefused(_one_line(str(error))) from error
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        raise TemplateRefused(_one_line(f"{type(error).__name__}: {error}")) from error
    return "".join(blocks), spans


def _one_line(reason: str, limit: int = 200) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= limit else reason[:limit - 3] + "..."


def template_message(message: Message,
                     normalize: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``message`` as transformers and TRL hand it to a chat template.

    >>> from ftdata.model import text_message
    >>> template_message(text_message("user", "hi", ""))
    {'role': 'user', 'content': 'hi'}
    """
    norm = normalize or _same
    parts = message.content or []
    content: Any
    if message.content is None:
        content = None
    elif all(part.type == "text" for part in parts):
        content = norm(message.text)
    else:
        content = [{"type": "text", "text": norm(part.text or "")} if part.type == "text"
                   else {"type": part.type} for part in parts]
    result: dict[str, Any] = {"role": message.role}
    if content is not None:
        result["content"] = content
    if message.name:
        result["name"] = message.name
    if message.tool_call_id:
        result["tool_call_id"] = message.tool_call_id
    if message.tool_calls:
        result["tool_calls"] = [
            {"type": "function", "id": call.id,
             "function": {"name": call.name,
                          "arguments": _normalized(_parsed_arguments(call.arguments), norm)}}
            for call in message.tool_calls]
    if message.reasoning is not None:
        # transformers' _alias_reasoning_fields: Qwen3 and DeepSeek read reasoning_content,
        # gpt-oss reads thinking.
        reasoning = norm(message.reasoning)
        result = {"thinking": reasoning, **result, "reasoning_content": reasoning}
    return result


def _same(text: str) -> str:
    return text


def _parsed_arguments(arguments: Any) -> Any:
    # Templates serialise arguments with ``tojson``; a JSON string would be encoded twice.
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def _normalized(value: Any, norm: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return norm(value)
    if isinstance(value, Mapping):
        return {key: _normalized(item, norm) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalized(item, norm) for item in value]
    return value


# -- rendering an example ---------------------------------------------------------------------


def conversation(example: Example) -> list[Message]:
    """The messages a trainer renders: the chat, or the prompt and the chosen reply."""
    if example.kind == "preference":
        return [*example.messages, *(example.chosen or ())]
    return list(example.messages)


def render_example(example: Example, template: ChatTemplate,
                   policy: MaskPolicy) -> Rendered:
    """Render ``example`` through ``template``: its text, ids and the mask under ``policy``.

    A ``text`` example is its text, every token trained. Raises :class:`TemplateRefused`
    when the template raises on the conversation (many refuse roles they do not support).

    >>> from ftdata.model import text_message
    >>> example = Example("chat", [text_message("user", "Hi", ""),
    ...                            text_message("assistant", "Hello", "")])
    >>> chatml = ChatTemplate("demo", "{% for m in messages %}<|im_start|>{{ m.role }}\\n"
    ...     "{{ m.content }}<|im_end|>\\n{% endfor %}{% if add_generation_prompt %}"
    ...     "<|im_start|>assistant\\n{% endif %}")
    >>> render_example(example, chatml, MaskPolicy()).text
    '<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\nHello<|im_end|>\\n'
    """
    tokenizer = template.tokenizer
    norm = tokenizer.normalize if tokenizer is not None else _same
    if example.kind == "text":
        text = norm(example.text or "")
        ids = tokenizer.encode(text)[0] if tokenizer is not None else []
        return Rendered(template.name, text, ids, [1] * len(ids), ())
    compiled = compile_template(template.source)
    messages = conversation(example)
    dicts = [template_message(message, norm) for message in messages]
    tools = _normalized(example.tools, norm) if example.tools else None
    variables = dict(template.variables)
    text, generation = render_chat(compiled, dicts, tools, variables=variables)
    marked = template.has_generation
    # With markers, turns matter only to a policy that tells messages apart.
    turns = [] if marked and not _needs_turns(policy, messages) else _turns(
        compiled, messages, dicts, tools, variables, text)
    dropped = _dropped(compiled, example, messages, dicts, tools, variables, text)
    if tokenizer is None:
        return Rendered(template.name, text, [], [], dropped)
    ids, offsets = tokenizer.encode(text)
    groups = trained_spans(turns, policy, len(text), generation if marked else None)
    mask = token_mask(offsets, [span for spans in groups for span in spans])
    if not policy.train_end_of_turn and not policy.train_all:
        mask = strip_end_of_turn(mask, offsets, ids, text, groups, tokenizer.special_ids)
    return Rendered(template.name, text, ids, mask, dropped)


def _needs_turns(policy: MaskPolicy, messages: Sequence[Message]) -> bool:
    return not policy.train_all and (
        policy.train_roles != frozenset({"assistant"}) or policy.last_turn_only
        or not policy.train_reasoning
        or (policy.use_weights and any(message.weight == 0 for message in messages)))


def _turns(compiled: jinja2.Template, messages: Sequence[Message],
           dicts: Sequence[Mapping[str, Any]], tools: Any, variables: Mapping[str, Any],
           text: str) -> list[Turn]:
    """Each message's span in ``text``, from the renderings of the conversation's prefixes."""

    cache: dict[tuple[int, bool], str | None] = {}

    def prefix(count: int, generation_prompt: bool = False) -> str | None:
        key = (count, generation_prompt)
        if key not in cache:
            try:
                cache[key] = render_chat(compiled, dicts[:count], tools,
                                         add_generation_prompt=generation_prompt,
                                         variables=variables)[0]
            except TemplateRefused:
                cache[key] = None
        return cache[key]

    # The text before the first message (a BOS token, a default system prompt) belongs to no
    # turn; an empty conversation's rendering is that text when the template accepts it.
    empty = _safe_render(compiled, tools, variables)
    start = len(empty) if empty is not None and text.startswith(empty) else 0
    ends: list[int] = []
    position = start
    for count in range(1, len(messages) + 1):
        position = _prefix_end(text, prefix(count), position, messages[count - 1].text)
        ends.append(position)
    turns: list[Turn] = []
    begin = start
    for index, message in enumerate(messages):
        end = max(ends[index], begin)
        if message.role == "assistant":
            body = _header_end(text, begin, end, prefix(index), prefix(index, True))
        else:
            body = _content_start(text, begin, end, message)
        turns.append(Turn(message.role, begin, body, end, message.weight,
                          _reasoning_span(text, body, end, message)))
        begin = end
    return turns


def _header_end(text: str, begin: int, end: int, before: str | None,
                with_prompt: str | None) -> int:
    """Where an assistant turn's header ends: the text ``add_generation_prompt`` adds to the
    rendering of the messages before it, when the turn starts with it."""
    if before is None or with_prompt is None:
        return begin
    if with_prompt.startswith(before):
        header = with_prompt[len(before):]
        if text.startswith(header, begin):
            return min(begin + len(header), end)
    shared = _common_prefix(with_prompt, text)
    return min(shared, end) if shared > begin else begin


def _safe_render(compiled: jinja2.Template, tools: Any,
                 variables: Mapping[str, Any]) -> str | None:
    try:
        return render_chat(compiled, [], tools, variables=variables)[0]
    except TemplateRefused:
        return None


def _prefix_end(text: str, rendered: str | None, floor: int, content: str = "") -> int:
    """Where the rendering of a prefix of the conversation ends in ``text``.

    When the full rendering changed the prefix's last turn (Qwen3 drops the reasoning of turns
    before the last user message; Harmony ends only the last reply with ``<|return|>``), the
    turn is anchored on its content in ``text``, and ends after the longest tail of what the
    prefix rendering writes after that content, found right after it.
    """
    if rendered is None:
        return floor
    if text.startswith(rendered):
        return max(len(rendered), floor)
    shared = _common_prefix(rendered, text)
    tail, anchor = rendered[shared:], shared
    content = content.strip()
    if content:
        in_text = text.find(content, max(floor, shared - len(content)))
        in_rendered = rendered.rfind(content)
        if in_text >= 0 and in_rendered >= 0:
            anchor = in_text + len(content)
            tail = rendered[in_rendered + len(content):]
    window_end = min(len(text), anchor + len(tail) + 16)
    low, high, found = 0, len(tail), anchor
    while low < high:  # longest suffix of ``tail`` inside the window (monotone in its length)
        middle = (low + high + 1) // 2
        where = text.find(tail[-middle:], anchor, window_end)
        if where >= 0:
            low, found = middle, where + middle
        else:
            high = middle - 1
    return max(found, floor)


def _common_prefix(first: str, second: str) -> int:
    limit = min(len(first), len(second))
    if first[:limit] == second[:limit]:
        return limit
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _content_start(text: str, begin: int, end: int, message: Message) -> int:
    """Where a non-assistant message's own text starts inside its turn (after the header)."""
    content = message.text.strip()
    if content:
        found = text.find(content[:64], begin, end)
        if found >= 0:
            return found
    return begin


def _reasoning_span(text: str, body: int, end: int, message: Message) -> Span | None:
    """From the body's start to where the content starts, when the reasoning was rendered."""
    reasoning = (message.reasoning or "").strip()
    if not reasoning:
        return None
    found = text.find(reasoning, body, end)
    if found < 0:
        return None
    after = found + len(reasoning)
    content = message.text.strip()
    if content:
        start = text.find(content[:64], after, end)
        if start >= 0:
            return (body, start)
    return (body, after)


def _dropped(compiled: jinja2.Template, example: Example, messages: Sequence[Message],
             dicts: Sequence[Mapping[str, Any]], tools: Any, variables: Mapping[str, Any],
             text: str) -> tuple[str, ...]:
    """What the example holds that the rendered text lacks."""
    dropped: list[str] = []
    if any(message.reasoning and message.reasoning.strip()
           and unicodedata.normalize("NFC", message.reasoning.strip())
           not in unicodedata.normalize("NFC", text) for message in messages):
        dropped.append("reasoning")
    if tools:
        try:
            without = render_chat(compiled, dicts, None, variables=variables)[0]
        except TemplateRefused:
            without = None
        if without == text:
            dropped.append("tools")
    if "tools" not in dropped and any(call.name and call.name not in text
                                      for message in messages for call in message.tool_calls):
        dropped.append("tools")
    if any(message.role in ("system", "developer") and message.text.strip()
           and message.text.strip()[:200] not in text for message in messages):
        dropped.append("system")
    return tuple(dropped)
