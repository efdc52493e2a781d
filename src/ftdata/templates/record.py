"""One record of a file as the trainer sees it: what ``ftdata render`` prints.

Apart from :mod:`ftdata.templates.view` (the trainer's view of an example, which the engine
uses) because it reads the file through the engine.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ftdata.engine import detect_format, sample_records
from ftdata.formats import get_format
from ftdata.parsing import RecordError, decode_record
from ftdata.readers import RawRecord, read_events
from ftdata.templates.view import ViewError, see

if TYPE_CHECKING:
    from ftdata.templates.view import TrainerView


# -- one record, as ``ftdata render`` shows it ------------------------------------------------


def render_record(path: str | os.PathLike[str], line: int, view: TrainerView, *,
                  format: str | None = None) -> dict[str, Any]:
    """The record at ``line`` of ``path`` as the trainer sees it (SPEC §8a's render JSON).

    ``line`` is the physical line of a JSON Lines file or the 1-based element of a JSON
    array, as ``validate`` reports it. ``mask`` and ``trained`` are before the length
    policy; ``kept`` tokens survive it (``truncated``, ``dropped``: whether the trainer cuts
    or drops the example), ``trained_lost`` of the trained ones do not. ``template_dropped``
    lists what the template leaves out (T005). Raises :class:`ViewError` (one line) when the
    line holds no readable record or the template refuses it, and
    :class:`ftdata.readers.InputError` when the file cannot be read.
    """
    name = os.fspath(path)
    view.check()
    data = None
    events = read_events(path)  # opened once: detection looks at the records read ahead
    fmt = get_format(format) if format else detect_format(sample_records(events)).format
    for event in events:
        if isinstance(event, RawRecord) and event.line == line:
            data = event.data
            break
        if event.line is not None and event.line > line:
            break
    events.close()
    if data is None:
        raise ViewError(f"{name}:{line}: no record starts on that line")
    try:
        value = decode_record(data)
    except RecordError as error:
        raise ViewError(f"{name}:{line}: not a record ({error.finding.message})") from None
    if not isinstance(value, dict):
        raise ViewError(f"{name}:{line}: not a record (not a JSON object)")
    if fmt is None:
        raise ViewError(f"{name}: cannot tell the format; pass --format")
    try:
        example = fmt.read(value)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        raise ViewError(f"{name}:{line}: not a readable {fmt.id} record (ftdata validate "
                        f"says why)") from None
    outcome = see(view, example, fmt.id)
    if outcome.rendered is None or outcome.length is None:
        raise ViewError(f"{name}:{line}: the {view.chat_template().name} template refuses "
                        f"this example ({outcome.refused})")
    rendered, length = outcome.rendered, outcome.length
    return {"path": name, "line": line, "format": fmt.id, **view.describe(),
            "text": rendered.text, "ids": rendered.ids, "mask": rendered.mask,
            "trained": length.trained_before, "total": length.total, "kept": length.kept,
            "trained_lost": length.trained_before - length.trained_after,
            "truncated": length.truncated, "dropped": length.dropped or length.raises,
            "template_dropped": list(rendered.dropped)}
