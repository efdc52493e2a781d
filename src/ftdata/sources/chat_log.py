"""Which chat log, if any, a plain-text file reads as: ``validate`` tells such a file apart from
a plain-text corpus and says how to convert it.

Apart from :mod:`ftdata.sources` because it asks the chat-log readers, which are built on it.
"""

from __future__ import annotations

from ftdata.sources import transcript, whatsapp


def chat_log_kind(text: str) -> str | None:
    """The chat-log kind the start of a plain-text file reads as, if any.

    >>> chat_log_kind("User: Hi\\nAssistant: Hello"), chat_log_kind("A plain document.")
    ('transcript', None)
    """
    if whatsapp.looks_like(text):
        return "whatsapp"
    if transcript.looks_like(text):
        return "transcript"
    return None
