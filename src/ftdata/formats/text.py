"""``text``: one raw document per record, for language modelling / continued pre-training.

Used by TRL's standard language-modelling datasets, Together's general format and Axolotl's
completion datasets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format
from ftdata.model import Example
from ftdata.shapes import Obj, Str

SHAPE = Obj({"text": Str()}, required=["text"], what="record")

# The keys that make a record with ``text`` another format's.
_OTHER_FORMAT_KEYS = ("messages", "prompt", "completion", "chosen", "rejected", "conversations",
                      "contents", "instruction")


def matches(record: Mapping[str, Any]) -> bool:
    return "text" in record and not any(key in record for key in _OTHER_FORMAT_KEYS)


def read(record: Mapping[str, Any]) -> Example:
    text = record.get("text")
    return Example(kind="text", text=text if isinstance(text, str) else None)


FORMAT = Format(
    id="text",
    title="Raw text record",
    description='{"text": str}',
    kind="text",
    shape=SHAPE,
    matches=matches,
    read=read,
    family="text",
    used_by="TRL language modeling, Together general, Axolotl completion",
)
