from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ftdata


def codes(record: Mapping[str, Any] | str, *, format: str = "openai-chat",
          target: str = "generic") -> list[str]:
    """The codes reported for one record (file-level count limits aside)."""
    report = ftdata.validate_records([record], format=format, target=target,
                                     ignore=["F007"])
    return [issue.code for issue in report.issues]


def user(text: str = "What is 2+2?") -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str = "4", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **extra}


def chat(*messages: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages), **extra}


def call(name: str = "get_weather", arguments: str = '{"city": "Paris"}',
         call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": arguments}}


TOOLS = [{"type": "function", "function": {"name": "get_weather",
                                           "parameters": {"type": "object"}}}]
