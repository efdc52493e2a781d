"""Q&A JSON or JSONL as converter input: one question and its answer per record.

Keys are recognised like table headers (:data:`ftdata.sources.tables.HEADER_SYNONYMS`):
``question``/``answer``, ``q``/``a``, ``prompt``/``response``, ``instruction``/``input``/
``output``, ``query``/``reply``, ... with an optional ``system``; preference
(``chosen``/``rejected``) and KTO (``label``) records are read too. ``--map KEY=FIELD`` names
other keys. Records may differ in their keys: each is resolved on its own, and one whose keys say
nothing is skipped with the keys it has. The location is the JSONL line or the JSON element.

>>> from ftdata.sources import SourceOptions
>>> items = read_items("faq.jsonl", "qa", SourceOptions())  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from ftdata.sources import Item, Skip, SourceError, SourceOptions, json_records
from ftdata.sources.tables import Layout, choose_layout, resolve_fields, row_example

#: How many distinct key sets keep their resolved fields at once.
_PLAN_CACHE = 256

Plan = tuple[dict[str, str], Layout] | Skip


def plan(keys: tuple[str, ...], mapping: Mapping[str, str]) -> Plan:
    """Field -> key and the record's layout, or why the keys say nothing.

    >>> plan(("q", "a"), {})
    ({'prompt': 'q', 'completion': 'a'}, 'pair')
    """
    try:
        fields = resolve_fields(keys, 0, mapping, what="key")
        layout = choose_layout(fields, keys, what="key")
    except SourceError as error:
        return Skip(str(error))
    if layout == "turns":
        return Skip("one chat turn per record is a table layout, not a Q&A record")
    return {name: keys[index] for name, index in fields.items()}, layout


def looks_like(record: Mapping[str, Any]) -> bool:
    """Do this record's keys name a question and an answer?

    >>> looks_like({"question": "?", "answer": "!"}), looks_like({"text": "..."})
    (True, False)
    """
    return not isinstance(plan(tuple(record), {}), Skip)


def reads(record: Mapping[str, Any]) -> bool:
    """Does this record read as a question and its answer (keys and values alike)?

    >>> reads({"prompt": "2+2?", "answer": "4"}), reads({"prompt": [], "answer": "4"})
    (True, False)
    """
    found = plan(tuple(record), {})
    if isinstance(found, Skip):
        return False
    fields, layout = found
    values = {name: record[key] for name, key in fields.items()}
    return not isinstance(row_example(values, layout), Skip)


def read_items(path: str | os.PathLike[str], kind: str, options: SourceOptions
               ) -> Iterator[Item]:
    if options.roles:
        raise SourceError("--roles does not apply to Q&A files")
    if any(column.isdigit() for column in options.mapping):
        raise SourceError("--map on a Q&A file names keys, not column numbers")
    return _items(path, options.mapping)


def _items(path: str | os.PathLike[str], mapping: Mapping[str, str]) -> Iterator[Item]:
    plans: dict[tuple[str, ...], Plan] = {}
    for line, record in json_records(path):
        if isinstance(record, Skip):
            yield line, record
            continue
        keys = tuple(record)
        found = plans.get(keys)
        if found is None:
            if len(plans) >= _PLAN_CACHE:
                plans.clear()
            found = plans[keys] = plan(keys, mapping)
        if isinstance(found, Skip):
            yield line, found
            continue
        fields, layout = found
        yield line, row_example({name: record[key] for name, key in fields.items()}, layout)
