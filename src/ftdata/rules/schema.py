"""Schema rules (S): the keys and types a record of the format must have.

They are raised by the format's shape (see :mod:`ftdata.shapes`), which is also rendered as the
format's JSON Schema, so the schema in ``schemas/`` and these rules agree.
"""

from __future__ import annotations

from ftdata.diagnostics import Severity
from ftdata.rules import register

E = Severity.ERROR

register("S001", "missing-key", E, """
    A required key is missing.

    **What it does.** Checks the record, and every message and part inside it, against the
    format's required keys. The pointer names the place the key should be.

    **Why is this bad?** The provider rejects the record.

    **Example.** `{"messages": [{"content": "hi"}]}` (the message has no `role`).

    **Use instead.** `{"messages": [{"role": "user", "content": "hi"}]}`
""")

register("S002", "unknown-key", E, """
    A key that the format does not define.

    **What it does.** Reports keys the format does not know, at every level.

    **Why is this bad?** Strict providers reject the record; lenient trainers drop the key
    silently, so a misspelt key (`"contnet"`) loses data without a word.

    **Example.** `{"messages": [...], "metadata": {"source": "crm"}}` for OpenAI.

    **Use instead.** Remove the key, or keep side data in a separate file keyed by line.
""")

register("S003", "wrong-type", E, """
    A value has the wrong JSON type.

    **What it does.** Checks the JSON type of every known key.

    **Why is this bad?** The provider rejects the record, or a trainer crashes mid-run.

    **Example.** `{"role": "user", "content": 42}`

    **Use instead.** `{"role": "user", "content": "42"}`
""")

register("S004", "invalid-value", E, """
    A value is of the right type but not one the format allows.

    **What it does.** Checks fixed values (`"type": "function"`, `schemaVersion`, part types,
    image `detail`) and array sizes.

    **Why is this bad?** The provider rejects the record.

    **Example.** `{"type": "func", "function": {...}}` in a tool call.

    **Use instead.** `{"type": "function", "function": {...}}`
""")
