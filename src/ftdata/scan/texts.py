"""The texts of an example: every string a rule that reads text looks at, with its pointer.

:func:`example_texts` walks an example once and every text-scanning rule (Q001-Q006,
P001-P002) reads the same tuple; :func:`joined_texts` is all of them in one string, for a
look at the whole example before the texts one by one; :func:`text_label` is how messages
name a text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import NamedTuple

from ftdata.model import Example, Message, Part

#: The roles whose content is what a tool returned, not what a person or the model wrote.
TOOL_RESULT_ROLES = ("tool", "function")

class Text(NamedTuple):
    """One string of an example and the JSON pointer of its raw location."""

    value: str
    pointer: str
    #: The message it belongs to; ``None`` for the document of the ``text`` format.
    message: Message | None
    #: ``content``, ``name``, ``arguments`` or ``reasoning``.
    field: str


def text_pointer(message: Message, part: Part) -> str:
    """The pointer of a text part's string.

    A part of a content list (``/messages/2/content/0``) is an object whose string sits under
    ``text``; readers that point at the string itself are left alone.

    >>> from ftdata.model import Message, Part
    >>> part = Part("text", text="Hi", pointer="/messages/0/content/1")
    >>> text_pointer(Message("user", [part], pointer="/messages/0"), part)
    '/messages/0/content/1/text'
    """
    prefix = message.pointer + "/content/"
    if message.pointer and part.pointer.startswith(prefix) and part.pointer[len(prefix):].isdigit():
        return part.pointer + "/text"
    return part.pointer


def arguments_text(arguments: object) -> str | None:
    """Tool call arguments as one string: as held when a string, else compact JSON."""
    if isinstance(arguments, str):
        return arguments
    if isinstance(arguments, (dict, list)):
        try:
            return json.dumps(arguments, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return None
    return None


def content_texts(message: Message) -> list[Text]:
    """The text parts of one message's content."""
    return [Text(part.text, text_pointer(message, part), message, "content")
            for part in message.content or () if part.type == "text" and part.text is not None]


def _collect_texts(example: Example) -> tuple[Text, ...]:
    # example_strings walks the same way: a change here is a change there.
    texts: list[Text] = []
    if example.text is not None:
        texts.append(Text(example.text, "/text", None, "content"))
    for message in example.all_messages():
        texts.extend(content_texts(message))
        if message.reasoning:
            # Secrets and personal data in a trace are trained on like the answer's.
            texts.append(Text(message.reasoning, message.reasoning_pointer or message.pointer,
                              message, "reasoning"))
        if message.name and message.pointer:
            texts.append(Text(message.name, message.pointer + "/name", message, "name"))
        for call in message.tool_calls:
            value = arguments_text(call.arguments)
            if value:
                texts.append(Text(value, call.arguments_pointer or call.pointer, message,
                                  "arguments"))
    return tuple(texts)


def example_strings(example: Example) -> list[str]:
    """The values of :func:`example_texts`, in the same order, without pointers or labels:
    what a scan of the whole example reads (:mod:`ftdata.scan.batch`), at half the cost.
    It walks the example as :func:`_collect_texts` does, and must stay in step with it.

    >>> from ftdata.model import Example, text_message
    >>> example_strings(Example("chat", [text_message("user", "Hi", "/messages/0")]))
    ['Hi']
    """
    strings: list[str] = []
    append = strings.append
    if example.text is not None:
        append(example.text)
    for message in example.all_messages():
        for part in message.content or ():
            if part.type == "text" and part.text is not None:
                append(part.text)
        if message.reasoning:
            append(message.reasoning)
        if message.name and message.pointer:
            append(message.name)
        for call in message.tool_calls:
            value = arguments_text(call.arguments)
            if value:
                append(value)
    return strings


#: The example whose texts were collected last, with them: every Q and P rule of a record
#: reads the same tuple. Replaced whole, so a concurrent reader never sees half of it.
_last_collected: list[tuple[Example | None, tuple[Text, ...]]] = [(None, ())]


def example_texts(example: Example) -> tuple[Text, ...]:
    """Every string of an example with its pointer: message contents, reasoning traces, names
    and tool call arguments (in message order: prompt, then chosen, then rejected) and the text
    document.

    The walk is done once per example and shared by the rules that scan it; rules only read
    examples, so an example is identified by the object itself.

    >>> from ftdata.model import Example, text_message
    >>> example = Example("chat", [text_message("user", "Hi", "/messages/0")])
    >>> [(t.value, t.pointer) for t in example_texts(example)]
    [('Hi', '/messages/0/content')]
    """
    cached, texts = _last_collected[0]
    if cached is example:
        return texts
    texts = _collect_texts(example)
    _last_collected[0] = (example, texts)
    return texts


#: The example whose texts were joined last, with the joined string.
_last_joined: list[tuple[Example | None, str]] = [(None, "")]


def joined_texts(example: Example) -> str:
    """Every string of :func:`example_texts` in one, separated by newlines.

    It lets a rule ask once per example whether anything could interest it (a digit, a
    ``<``, a ``{``) before it looks at the texts one by one: most examples hold nothing a
    rule reports, and one scan of the whole saves a call per text. A substring or a pattern
    match found in one text is found here too, so a negative answer is safe; a positive one
    only sends the rule to the texts, which decide.

    >>> from ftdata.model import Example, text_message
    >>> joined_texts(Example("chat", [text_message("user", "Hi", "/messages/0"),
    ...                               text_message("assistant", "Hello", "/messages/1")]))
    'Hi\\nHello'
    """
    cached, joined = _last_joined[0]
    if cached is example:
        return joined
    joined = "\n".join([text.value for text in example_texts(example)])
    _last_joined[0] = (example, joined)
    return joined


def texts_by_message(texts: tuple[Text, ...]) -> Iterator[list[Text]]:
    """The content texts of each message (and of the text document), grouped."""
    group: list[Text] = []
    for text in texts:
        if text.field != "content":
            continue
        if group and group[-1].message is not text.message:
            yield group
            group = []
        group.append(text)
    if group:
        yield group


def _bare_field(message: Message) -> str | None:
    """The key of a string-valued record field (``/prompt``), or ``None`` for a message."""
    content = message.content
    if (content and len(content) == 1 and content[0].pointer == message.pointer
            and message.pointer.count("/") == 1):
        return message.pointer[1:]
    return None


def text_label(text: Text) -> str:
    """How messages name a text: ``the prompt``, ``assistant content``, ``tool call arguments``."""
    if text.field == "arguments":
        return "tool call arguments"
    if text.message is None:
        return "the text"
    field = _bare_field(text.message)
    if field is not None:
        return f"the {field}"
    if text.field != "content":
        return f"{text.message.role or 'message'} {text.field}"
    return f"{text.message.role or 'message'} content"



def shorten(value: str, limit: int = 24) -> str:
    """``value``, cut to ``limit`` characters with an ellipsis when longer.

    >>> shorten("a" * 30, 8)
    'aaaaaaa…'
    """
    return value if len(value) <= limit else value[:limit - 1] + "…"
