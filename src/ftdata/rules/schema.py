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
    format's required keys. The pointer names the place the key should be. An assistant
    message's `"content": null` counts as missing unless the message carries `tool_calls` (or
    the legacy `function_call`): null is how a turn that only calls tools says it has no text,
    so without calls the turn has no answer at all, exactly as if `content` were left out.

    **Why is this bad?** The provider rejects the record: OpenAI's chat input requires
    `content` "unless tool_calls or function_call is specified", and its data checks count a
    null content without a call as missing
    (https://cookbook.openai.com/examples/chat_finetuning_data_prep). A trainer renders the
    turn through a chat template that fails on the null or prints `None` as the answer to
    learn.

    **Example.** `{"messages": [{"content": "hi"}]}` (the message has no `role`);
    `{"role": "assistant", "content": null}`.

    **Use instead.** `{"messages": [{"role": "user", "content": "hi"}]}`; the assistant's
    answer as its `content`, or the `tool_calls` it makes.
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
