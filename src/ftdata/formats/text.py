"""``text``: one raw document per record, for language modelling / continued pre-training.

Used by TRL's standard language-modelling datasets, Together's general format and Axolotl's
completion datasets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.formats import Format, Unrepresentable
from ftdata.formats._write import check_metadata, require_kind
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


def write(example: Example) -> dict[str, Any]:
    """The example's document; only raw text examples have one.

    >>> write(Example(kind="text", text="The sky is blue."))
    {'text': 'The sky is blue.'}
    """
    require_kind(example, FORMAT.id, ("text",))
    check_metadata(example, FORMAT.id)
    if example.text is None:
        raise Unrepresentable("text example without its document")
    return {"text": example.text}


FORMAT = Format(
    id="text",
    title="Raw text record",
    description='{"text": str}',
    kind="text",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="text",
    used_by="TRL language modeling, Together general, Axolotl completion",
)
