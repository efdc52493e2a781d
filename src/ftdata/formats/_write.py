"""Checks and small builders shared by the writers.

A writer turns a canonical :class:`ftdata.model.Example` into one record of its format. What
the format cannot hold is never dropped or flattened: each check here raises
:class:`ftdata.formats.Unrepresentable` with the short reason a user sees next to the record's
line, for example ``alpaca has no tool calls``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ftdata.formats._errors import Unrepresentable
from ftdata.formats._reasoning import no_place_reason
from ftdata.model import Example, Kind, Message, Part, ToolCall

#: Canonical roles that hold a tool's result (``function`` is OpenAI's legacy spelling).
RESULT_ROLES = ("tool", "function")

#: Metadata that configures training rather than holding content (OpenAI's
#: ``parallel_tool_calls``, Vertex's ``toolConfig``, Bedrock's ``schemaVersion``, and
#: ``trl_form``, which says a TRL pair was written as plain strings): a writer whose format has
#: no place for it leaves it out.
SETTINGS = frozenset({"parallel_tool_calls", "toolConfig", "schemaVersion", "trl_form"})

_KIND_NAMES: dict[Kind, str] = {
    "chat": "a conversation",
    "completion": "a prompt-completion pair",
    "preference": "a preference pair",
    "text": "a raw text document",
}


def require_kind(example: Example, fmt: str, kinds: Collection[str]) -> None:
    """The example is of a kind the format holds.

    >>> require_kind(Example(kind="text", text="x"), "alpaca", ("chat",))
    Traceback (most recent call last):
    ftdata.formats.Unrepresentable: alpaca has no place for a raw text document
    """
    if example.kind not in kinds:
        raise Unrepresentable(f"{fmt} has no place for {_KIND_NAMES.get(example.kind, 'it')}")


def require_no_label(example: Example, fmt: str) -> None:
    if example.label is not None:
        raise Unrepresentable(f"{fmt} has no KTO label")


def require_no_tools(example: Example, fmt: str) -> None:
    if example.tools:
        raise Unrepresentable(f"{fmt} cannot declare tools")


def check_metadata(example: Example, fmt: str, carried: Collection[str] = ()) -> None:
    """Every piece of metadata is carried by the format, a setting, or empty.

    >>> check_metadata(Example(kind="chat", metadata={"answer": "4"}), "openai-chat")
    Traceback (most recent call last):
    ftdata.formats.Unrepresentable: openai-chat has no place for the record's 'answer'
    """
    for key, value in example.metadata.items():
        if key not in carried and key not in SETTINGS and value != []:
            raise Unrepresentable(f"{fmt} has no place for the record's {key!r}")


def role_name(roles: Mapping[str, str], message: Message, fmt: str) -> str:
    """The format's name for the message's role, from the format's role table.

    >>> role_name({"user": "user", "assistant": "model"}, Message("assistant", None), "gemini")
    'model'
    """
    name = roles.get(message.role)
    if name is None:
        raise Unrepresentable(f"{fmt} has no {message.role!r} role")
    return name


def check_weight(message: Message, fmt: str) -> None:
    """For formats without weights: every turn is trained, so only weight 1 fits."""
    if message.weight is not None and message.weight != 1:
        shown = str(message.weight)  # not :g, which fails on an integer beyond a float
        shown = shown if len(shown) <= 20 else f"{shown[:17]}..."
        raise Unrepresentable(f"{fmt} has no message weights "
                              f"({message.role} turn with weight {shown})")


def check_name(message: Message, fmt: str) -> None:
    """For formats without speaker names; a tool result's name repeats its call's."""
    if message.name is not None and message.role not in RESULT_ROLES:
        raise Unrepresentable(f"{fmt} has no message names "
                              f"({message.role} turn named {message.name!r})")


def check_no_calls(message: Message, fmt: str) -> None:
    if message.tool_calls:
        raise Unrepresentable(f"{fmt} has no tool calls")


def check_no_reasoning(message: Message, fmt: str) -> None:
    """For turns that have no place for a reasoning trace: it is never dropped silently.

    :func:`ftdata.formats._reasoning.place_reasoning` has already put a trace that belongs in
    the content there, so one still on the message has nowhere to go.
    """
    if message.reasoning is not None:
        raise Unrepresentable(no_place_reason(fmt))


def unsupported_part(part: Part, fmt: str) -> Unrepresentable:
    if part.type != "text" and part.url is None:
        return Unrepresentable(f"{part.type} part without a URL")
    return Unrepresentable(f"{fmt} cannot carry {part.type} content")


def has_content(message: Message) -> bool:
    """True when the message holds media or non-empty text."""
    return any(part.type != "text" or part.text for part in message.content or ())


def require_content(message: Message, fmt: str) -> list[Part]:
    if message.content is None:
        raise Unrepresentable(f"{message.role} turn without content, which {fmt} requires")
    return message.content


def text_only(message: Message, fmt: str) -> str:
    """The text of a message whose content is all text, for formats whose turns are strings."""
    check_no_reasoning(message, fmt)
    for part in require_content(message, fmt):
        if part.type != "text":
            raise unsupported_part(part, fmt)
    return message.text


def plain_turn(message: Message, roles: Mapping[str, str], fmt: str) -> tuple[str, str]:
    """Role and text of a turn in a format of plain text turns (no calls, names or weights)."""
    role = role_name(roles, message, fmt)
    check_no_calls(message, fmt)
    check_weight(message, fmt)
    check_name(message, fmt)
    return role, text_only(message, fmt)


def leading_system(messages: Sequence[Message], fmt: str) -> tuple[list[Message], list[Message]]:
    """The system messages that open the conversation, and the rest (which holds none)."""
    count = next((i for i, m in enumerate(messages) if m.role != "system"), len(messages))
    rest = list(messages[count:])
    if any(message.role == "system" for message in rest):
        raise Unrepresentable(f"{fmt} holds a system prompt only before the conversation")
    return list(messages[:count]), rest


def require_messages(messages: Sequence[Message] | None, fmt: str,
                     what: str = "conversation") -> Sequence[Message]:
    if not messages:
        raise Unrepresentable(f"empty {what}, which {fmt} cannot hold")
    return messages


def system_texts(messages: Iterable[Message], fmt: str) -> list[str]:
    """The text parts of the leading system messages, one string per part."""
    texts: list[str] = []
    for message in messages:
        check_weight(message, fmt)
        check_name(message, fmt)
        text_only(message, fmt)
        texts.extend(part.text or "" for part in message.content or ())
    if not texts:
        raise Unrepresentable(f"empty system prompt, which {fmt} cannot hold")
    return texts


# -- tools ----------------------------------------------------------------------------------


def function_definitions(tools: Iterable[Mapping[str, Any]], fmt: str,
                         keys: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The functions of canonical tools (``{"type": "function", "function": {...}}``).

    ``keys`` are the fields the format's function declarations have, when it restricts them.
    """
    functions: list[dict[str, Any]] = []
    for tool in tools:
        function = tool.get("function")
        if tool.get("type") != "function" or not isinstance(function, Mapping):
            raise Unrepresentable(f"{fmt} declares only functions, not a {tool.get('type')!r} "
                                  f"tool")
        extra = sorted(set(function) - set(keys)) if keys is not None else []
        if extra:
            raise Unrepresentable(f"{fmt} function declarations have no {extra[0]!r}")
        functions.append(dict(function))
    return functions


def arguments_object(call: ToolCall, fmt: str) -> dict[str, Any]:
    """The call's arguments as a JSON object, decoding OpenAI's JSON-encoded string."""
    arguments = call.arguments
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except (ValueError, RecursionError):
            arguments = None
    if not isinstance(arguments, dict):
        raise Unrepresentable(f"{fmt} needs the arguments of a tool call ({call.name or '?'}) "
                              f"as a JSON object")
    return arguments


def arguments_text(call: ToolCall) -> str:
    """The call's arguments as JSON text, as OpenAI spells them."""
    if isinstance(call.arguments, str):
        return call.arguments
    return json.dumps(call.arguments, ensure_ascii=False)


def result_object(message: Message, fmt: str) -> dict[str, Any]:
    """A tool result's text as a JSON object, for formats whose results are objects."""
    try:
        value = json.loads(text_only(message, fmt))
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise Unrepresentable(f"{fmt} needs a tool result as a JSON object")
    return value


@dataclass
class ToolLinks:
    """How a conversation's tool results answer its tool calls.

    A result answers the open call its ``tool_call_id`` names or, without one, the first call
    not yet answered, as the formats that pair by position do.
    """

    #: ``id(call)`` -> the id to write: the call's own, or a generated one (or ``None``).
    ids: dict[int, str | None] = field(default_factory=dict)
    #: ``id(result message)`` -> the call it answers.
    answers: dict[int, ToolCall] = field(default_factory=dict)
    #: Every result answers the first open call (pairing by position keeps the meaning).
    in_order: bool = True

    def call_id(self, call: ToolCall) -> str | None:
        return self.ids.get(id(call))

    def answered(self, message: Message) -> ToolCall | None:
        return self.answers.get(id(message))

    def result_id(self, message: Message) -> str | None:
        """The id of the call a result answers: its own ``tool_call_id``, else its call's."""
        if message.tool_call_id is not None:
            return message.tool_call_id
        call = self.answered(message)
        return self.call_id(call) if call is not None else None


def link_tools(messages: Sequence[Message], *, generate: bool = False) -> ToolLinks:
    """Pair results with calls; ``generate`` gives id-less calls ids for formats requiring them.

    Generated ids are nine letters and digits (``call00001``), which every provider accepts.

    >>> call = ToolCall("get_weather", "{}")
    >>> result = Message("tool", [Part("text", text="21")])
    >>> links = link_tools([Message("assistant", None, tool_calls=[call]), result], generate=True)
    >>> links.call_id(call), links.result_id(result)
    ('call00001', 'call00001')
    """
    taken = {call.id for message in messages for call in message.tool_calls if call.id}
    fresh = (f"call{n:05d}" for n in itertools.count(1) if f"call{n:05d}" not in taken)
    links = ToolLinks()
    open_calls: list[ToolCall] = []
    for message in messages:
        if message.role in RESULT_ROLES:
            call = _answered_call(message, open_calls)
            if call is not None:
                links.in_order = links.in_order and call is open_calls[0]
                open_calls.remove(call)
                links.answers[id(message)] = call
            continue
        open_calls = list(message.tool_calls)
        for call in message.tool_calls:
            links.ids[id(call)] = call.id if call.id is not None or not generate else next(fresh)
    return links


def _answered_call(message: Message, open_calls: list[ToolCall]) -> ToolCall | None:
    if message.tool_call_id is not None:
        return next((call for call in open_calls if call.id == message.tool_call_id), None)
    return open_calls[0] if open_calls else None


def append_tool_result(turns: list[dict[str, Any]], item: dict[str, Any], *, items: str,
                       kind: str) -> None:
    """Add a tool result to the conversation being written.

    Results that answer one assistant turn share one user turn, as the Converse API
    (``content`` / ``toolResult``) and Gemini (``parts`` / ``functionResponse``) spell them.
    """
    last = turns[-1] if turns else None
    if last and last["role"] == "user" and all(kind in entry for entry in last[items]):
        last[items].append(item)
    else:
        turns.append({"role": "user", items: [item]})


@dataclass(frozen=True)
class TurnStyle:
    """How a format of typed turns (Converse, Gemini) writes them: role names, the key of a
    turn's items, the key of a tool result item, and the role that may call tools."""

    format_id: str
    roles: Mapping[str, str]
    items: str
    result_kind: str
    caller: str
    calls: str  # what the format calls tool calls, for messages
    empty_turns: bool  # whether a turn may have no items
    #: The item that holds a turn's reasoning trace, written before its parts; ``None`` when
    #: the format has none.
    reasoning: Callable[[str], dict[str, Any]] | None = None


def write_turns(messages: list[Message], style: TurnStyle,
                part: Callable[[Part, str], dict[str, Any]],
                call: Callable[[ToolCall], dict[str, Any]],
                result: Callable[[Message], dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as typed turns: each turn's parts and tool calls as items, tool results
    gathered into user turns (:func:`append_tool_result`)."""
    fmt = style.format_id
    turns: list[dict[str, Any]] = []
    for message in require_messages(messages, fmt):
        role = role_name(style.roles, message, fmt)
        check_weight(message, fmt)
        check_name(message, fmt)
        if message.role in RESULT_ROLES:
            append_tool_result(turns, result(message), items=style.items,
                               kind=style.result_kind)
            continue
        if message.tool_calls and role != style.caller:
            raise Unrepresentable(f"{fmt} has {style.calls} only in {style.caller} turns")
        items = [*(part(item, role) for item in message.content or ()),
                 *(call(tool_call) for tool_call in message.tool_calls)]
        if message.reasoning is not None:
            if style.reasoning is None:
                check_no_reasoning(message, fmt)
            elif role != style.caller:
                raise Unrepresentable(f"{fmt} has reasoning only in {style.caller} turns")
            else:
                items.insert(0, style.reasoning(message.reasoning))
        if not items and not style.empty_turns:
            raise Unrepresentable(f"empty {message.role} turn, which {fmt} cannot hold")
        turns.append({"role": role, style.items: items})
    return turns


def require_user_assistant_alternation(turns: list[dict[str, Any]], format_id: str) -> None:
    """Bedrock's rule for written turns: user first, then strictly alternating, assistant last.

    A conversation that breaks it is refused rather than trimmed, so nothing is lost silently.
    """
    roles = [turn.get("role") for turn in turns]
    if not roles or roles[0] != "user":
        raise Unrepresentable(f"{format_id} needs the conversation to start with a user turn")
    for index in range(1, len(roles)):
        if roles[index] == roles[index - 1]:
            raise Unrepresentable(f"{format_id} needs user and assistant turns to alternate "
                                  f"(two {roles[index]} turns in a row)")
    if roles[-1] != "assistant":
        raise Unrepresentable(f"{format_id} needs the conversation to end with the assistant "
                              f"(it ends with the {roles[-1]})")
