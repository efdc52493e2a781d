"""pandas: a dataset file as a DataFrame (one row per example), and a DataFrame back to a file.

>>> df = to_pandas("train.jsonl")  # doctest: +SKIP
>>> df[df.issues.map(bool)][["line", "issues"]]  # doctest: +SKIP
>>> from_pandas(df[df.n_messages > 2], "long.jsonl", to="openai-chat")  # doctest: +SKIP

pandas is imported when these functions run, never by ``import ftdata``
(``pip install 'ftdata[pandas]'``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ftdata.integrations import require
from ftdata.integrations._rows import (
    Frame,
    Summary,
    file_records,
    frame_items,
    line_issues,
    message_dicts,
    plain,
    read_tolerantly,
    write_items,
)
from ftdata.sources import Skip

#: The columns every DataFrame from :func:`to_pandas` has, in order.
COLUMNS = ("line", "record", "format", "messages", "system", "n_messages")


def to_pandas(path: str | os.PathLike[str], *, format: str | None = None, issues: bool = True,
              target: str = "generic", model: str | None = None) -> Any:
    """A dataset file as a ``pandas.DataFrame``, one row per record, in file order.

    >>> df = to_pandas("train.jsonl")  # doctest: +SKIP
    >>> df.loc[0, "messages"]  # doctest: +SKIP
    [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}]

    Columns: ``line`` (1-based line, or element of a JSON array), ``record`` (the raw record
    as a dict; ``None`` for a line that is no JSON object), ``format``, ``messages`` (the
    canonical conversation as ``{"role", "content"}`` dicts; the prompt of a preference
    pair), ``system`` (the leading system prompt or ``None``), ``n_messages`` (all messages,
    preference answers included) and, with ``issues``, ``issues``: the rule codes a
    validation run with ``target`` and ``model`` found on that line. Preference files add
    ``chosen`` and ``rejected``, text files ``text``, labelled (KTO) files ``label``.
    ``df.attrs["ftdata"]`` holds the path, the format and, as ``file_issues``, the issues of
    no record (F006-F010, blank lines).

    Raises :class:`ftdata.readers.InputError` when the file cannot be read, ``ValueError``
    when its format cannot be told (pass ``format``).
    """
    pd = require("pandas", "to_pandas")
    fmt, records = file_records(path, format)
    by_line, file_level = line_issues(path, fmt, target, model) if issues else ({}, [])
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    extra: dict[str, list[Any]] = {"chosen": [], "rejected": [], "text": [], "label": []}
    for line, record in records:
        example = None if isinstance(record, Skip) else read_tolerantly(fmt, record)
        columns["line"].append(line)
        columns["record"].append(None if isinstance(record, Skip) else record)
        columns["format"].append(fmt.id)
        columns["messages"].append(None if example is None else message_dicts(example.messages))
        columns["system"].append(None if example is None else example.system)
        columns["n_messages"].append(0 if example is None else len(example.all_messages()))
        extra["chosen"].append(None if example is None else message_dicts(example.chosen))
        extra["rejected"].append(None if example is None else message_dicts(example.rejected))
        extra["text"].append(None if example is None else example.text)
        extra["label"].append(None if example is None else example.label)
    if fmt.kind == "preference":
        columns["chosen"], columns["rejected"] = extra["chosen"], extra["rejected"]
    if fmt.kind == "text":
        columns["text"] = extra["text"]
    if any(label is not None for label in extra["label"]):
        columns["label"] = extra["label"]
    if issues:
        columns["issues"] = [by_line.get(line, []) if line is not None else []
                             for line in columns["line"]]
    frame = pd.DataFrame(columns)
    frame.attrs["ftdata"] = {"path": os.fspath(path), "format": fmt.id,
                             "file_issues": file_level}
    return frame


def from_pandas(df: Any, path: str | os.PathLike[str], *, to: str = "openai-chat",
                format: str | None = None, mapping: Mapping[str, str] | None = None,
                system: str | None = None, roles: Mapping[str, str] | None = None,
                strict: bool = False) -> Summary:
    """Write a DataFrame as ``to`` JSONL; return the convert summary (SPEC §5).

    >>> faq = pd.DataFrame({"question": ["Reset my password?"], "answer": ["Settings."]})
    >>> from_pandas(faq, "train.jsonl", system="You are helpful.")  # doctest: +SKIP
    {'input': '<DataFrame>', 'output': 'train.jsonl', 'from': 'table', 'to': 'openai-chat',
     'read': 1, 'written': 1, 'skipped': []}

    The DataFrame holds either a ``record`` column of records (dicts or JSON text, as
    :func:`to_pandas` gives), columns named as a format's keys (``messages``, ...; others
    are left out), or table columns read as ``ftdata convert`` reads a CSV file:
    question/answer, prompt/completion, instruction/input/output, prompt/chosen/rejected,
    or one row per chat turn. ``mapping`` is ``--map`` (column -> field, or ``"record"``),
    ``roles`` is ``--roles``, ``format`` the format of the records when detection cannot
    tell. Records already in the ``to`` format are written unchanged (unless ``system`` or
    ``roles`` change them), so a DataFrame from :func:`to_pandas` writes its file back
    record for record. ``read == written + len(skipped)``; each skip names its 1-based row
    (``line``), its index label (``index``) and the reason. With ``strict``,
    :class:`ftdata.conversion.SkippedRecords` is raised after writing when a row was skipped.
    The output is written to a temporary file and renamed, so it is whole or untouched.

    Raises :class:`ftdata.sources.SourceError` (a ``ValueError``) when the columns say
    nothing usable, ``ValueError`` for an unknown format.
    """
    if not hasattr(df, "itertuples") or not hasattr(df, "columns"):
        raise TypeError(f"from_pandas needs a pandas DataFrame, not {type(df).__name__}")
    index = df.index
    frame = Frame(columns=[str(column) for column in df.columns],
                  rows=lambda: df.itertuples(index=False, name=None),
                  label=lambda row: plain(index[row - 1]))
    kind, items = frame_items(frame, format=format, mapping=mapping, roles=roles, keep=to)
    return write_items(items, path, to=to, system=system, strict=strict,
                       input_name="<DataFrame>", from_kind=kind, label=frame.label)
