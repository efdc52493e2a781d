"""The canonical in-memory model that sits between every reader and every writer.

Every format module reads a raw record into an :class:`Example` and (for converters) writes one
back, so N input shapes and M output formats cost N+M adapters. Each message keeps the JSON
pointer of the place it came from, so rules that work on the canonical form can still point at
the exact spot in the raw record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["chat", "preference", "completion", "text"]

#: Canonical roles. ``function`` is OpenAI's legacy role for function results.
ROLES = ("system", "developer", "user", "assistant", "tool", "function")

#: :attr:`Message.reasoning_source` of reasoning read from a ``<think>`` block.
THINK_TAGS = "think-tags"


@dataclass(slots=True)
class Part:
    """One piece of message content: text, or a reference to an image or other media."""

    type: Literal["text", "image", "video", "audio", "file"]
    text: str | None = None
    url: str | None = None
    detail: str | None = None
    pointer: str = ""


@dataclass(slots=True)
class ToolCall:
    """A call of a declared tool, its arguments kept exactly as the record holds them."""

    name: str
    arguments: Any
    id: str | None = None
    pointer: str = ""
    #: Where the arguments sit in the raw record (findings about them point here).
    arguments_pointer: str = ""


@dataclass(slots=True)
class Message:
    """One conversation turn.

    ``content`` is ``None`` when the record has no content at all (an assistant turn that only
    calls tools), and an empty list when the content is present but empty.
    """

    role: str
    content: list[Part] | None
    name: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    weight: float | None = None
    pointer: str = ""
    #: Where ``tool_call_id`` sits, when the format does not keep it at ``pointer/tool_call_id``
    #: (Gemini's ``functionResponse/id``, Bedrock's ``toolResult/toolUseId``).
    tool_call_id_pointer: str | None = None
    #: The turn's reasoning trace, kept apart from its content: ``None`` when the record has
    #: none, ``""`` when it has an empty one. Formats carry it in a field (``reasoning``,
    #: ``reasoning_content``, ``thinking``, ``reasoningContent``), a typed part, or a
    #: ``<think>`` block at the start of the content.
    reasoning: str | None = None
    #: Where the reasoning sits in the raw record (findings about it point here).
    reasoning_pointer: str | None = None
    #: Where the record kept the reasoning: the field's name (``reasoning``,
    #: ``reasoning_content``, ``thinking``), :data:`THINK_TAGS` for a ``<think>`` block that
    #: opened the content, or ``None`` when it does not matter. A writer puts the reasoning
    #: back in the same place when it can, so a conversion round trip keeps the record's
    #: spelling (see :mod:`ftdata.formats._reasoning`).
    reasoning_source: str | None = None
    #: Where ``weight`` sits, when the format does not keep it at ``pointer/weight``
    #: (LLaMA-Factory v1's ``loss_weight``).
    weight_pointer: str | None = None
    #: Where the role sits, when the format does not keep it at ``pointer/role`` (a Bedrock
    #: ``toolResult`` block is a tool message whose role is its user turn's).
    role_pointer: str | None = None

    @property
    def text(self) -> str:
        """The message's text parts joined, ``""`` when there are none."""
        content = self.content
        if not content:
            return ""
        # Most messages hold one text part; many rules ask, so that case skips the join.
        if len(content) == 1:
            part = content[0]
            return (part.text or "") if part.type == "text" else ""
        return "".join([part.text or "" for part in content if part.type == "text"])

    @property
    def content_pointer(self) -> str:
        return f"{self.pointer}/content" if self.pointer else ""


@dataclass(slots=True)
class Example:
    """One training example in canonical form.

    * ``chat``: ``messages`` is the whole conversation, system messages included.
    * ``completion``: ``messages`` is ``[user(prompt), assistant(completion)]``.
    * ``text``: ``text`` holds the document; ``messages`` is empty.
    * ``preference``: ``messages`` is the shared prompt; ``chosen`` and ``rejected`` are the two
      continuations (assistant messages).

    ``label`` is the desirability flag of unpaired preference data (KTO).
    """

    kind: Kind
    messages: list[Message] = field(default_factory=list)
    tools: list[dict[str, Any]] | None = None
    chosen: list[Message] | None = None
    rejected: list[Message] | None = None
    label: bool | None = None
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def system(self) -> str | None:
        """The text of the leading system message, if any."""
        for message in self.messages:
            if message.role in ("system", "developer"):
                return message.text
            break
        return None

    @property
    def has_reasoning(self) -> bool:
        """True when any message carries a reasoning trace (an empty one included)."""
        return any(message.reasoning is not None for message in self.all_messages())

    def all_messages(self) -> list[Message]:
        """The prompt messages followed by the chosen and rejected continuations."""
        return [*self.messages, *(self.chosen or ()), *(self.rejected or ())]


def text_message(role: str, text: str, pointer: str) -> Message:
    """A message whose content is one text part; the common case for string content."""
    return Message(role=role, content=[Part("text", text=text, pointer=pointer + "/content")],
                   pointer=pointer)
