"""Hugging Face ``datasets``: a dataset file as a TRL-ready ``Dataset``, and a ``Dataset`` back.

>>> ds = to_hf_dataset("train.jsonl")  # doctest: +SKIP
>>> ds.column_names  # doctest: +SKIP
['messages']
>>> from_hf_dataset(ds.filter(lambda row: len(row["messages"]) > 2), "long.jsonl")  # doctest: +SKIP

Local data never needs the network, so both functions run with the Hugging Face offline
switches on (``HF_DATASETS_OFFLINE``, ``HF_HUB_OFFLINE``) and put the environment back
afterwards; nothing here loads a dataset by hub id. ``datasets`` is imported when these
functions run, never by ``import ftdata`` (``pip install 'ftdata[datasets]'``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ftdata.formats import Unrepresentable
from ftdata.formats._write import require_no_label
from ftdata.formats.prompt_completion import prompt_and_completion
from ftdata.formats.trl_conversational import split_completion, write_trl_messages
from ftdata.integrations import require
from ftdata.integrations._rows import (
    Frame,
    Summary,
    file_records,
    format_items,
    frame_items,
    write_items,
)
from ftdata.model import Example, Message
from ftdata.sources import Skip

#: Environment variables that keep ``datasets`` and ``huggingface_hub`` off the network.
OFFLINE_VARIABLES = ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE")
#: Module attributes that hold those switches once the libraries are imported.
OFFLINE_ATTRIBUTES = (("datasets.config", "HF_DATASETS_OFFLINE"),
                      ("datasets.config", "HF_HUB_OFFLINE"),
                      ("huggingface_hub.constants", "HF_HUB_OFFLINE"))
_TRUE = ("1", "ON", "YES", "TRUE")

#: How a reason names the place examples are written to.
TRL = "a TRL dataset"

Row = dict[str, Any]


@contextlib.contextmanager
def offline() -> Iterator[Any]:
    """``datasets``, imported and switched to offline mode for the block; restored after.

    The switches are read from the environment when the libraries are first imported, so
    the environment is set before importing, and the imported modules' own switches are set
    too (the user may have imported them earlier). Both are put back when the block ends.
    """
    saved = {name: os.environ.get(name) for name in OFFLINE_VARIABLES}
    loaded = {module for module, _ in OFFLINE_ATTRIBUTES if module in sys.modules}
    previous: list[tuple[Any, str, Any]] = []
    os.environ.update(dict.fromkeys(OFFLINE_VARIABLES, "1"))
    try:
        datasets = require("datasets", "Hugging Face datasets support")
        for module_name, attribute in OFFLINE_ATTRIBUTES:
            module = sys.modules.get(module_name)
            if module is None or not hasattr(module, attribute):
                continue
            if module_name in loaded:
                before = getattr(module, attribute)
            else:  # imported just now, under the offline environment: undo what it read
                before = (saved.get(attribute) or "").upper() in _TRUE
            previous.append((module, attribute, before))
            setattr(module, attribute, True)
        yield datasets
    finally:
        for module, attribute, before in reversed(previous):
            setattr(module, attribute, before)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def quiet(datasets: Any) -> Iterator[None]:
    """No progress bars from ``datasets`` in the block (a library call prints nothing), unless
    ``HF_DATASETS_DISABLE_PROGRESS_BARS`` says otherwise; the global setting is restored."""
    disable = getattr(datasets, "disable_progress_bars", None)
    enable = getattr(datasets, "enable_progress_bars", None)
    disabled = getattr(datasets, "are_progress_bars_disabled", None)
    if ("HF_DATASETS_DISABLE_PROGRESS_BARS" in os.environ or disable is None or enable is None
            or disabled is None or disabled()):
        yield
        return
    disable()
    try:
        yield
    finally:
        enable()


# -- file -> Dataset ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The columns a file's examples become, decided from all of them before writing any.

    ``kind`` is ``messages``, ``completion`` (prompt/completion strings), ``conversation``
    (prompt/completion message lists, for labelled chats), ``preference`` or ``text``.
    ``rich`` is true when some message carries more than a role and a text (tool calls,
    names): messages are then JSON values rather than ``{"role", "content"}`` structs.
    ``tools`` (a JSON value, ``None`` for an example without tools) is there when some example
    declares tools.
    """

    kind: str
    label: bool = False
    tools: bool = False
    rich: bool = False


def _plan(examples: Iterator[Example]) -> Layout:
    kinds: set[str] = set()
    label = tools = False
    for example in examples:
        kinds.add(example.kind)
        label = label or example.label is not None
        tools = tools or bool(example.tools)
    if not kinds:
        return Layout("messages")
    for only in ("text", "preference"):
        if only in kinds and len(kinds) > 1:
            raise ValueError(f"the file mixes {only} examples with others; a dataset holds one "
                             f"kind")
    if kinds == {"text"}:
        return Layout("text")
    if kinds == {"preference"}:
        return Layout("preference", tools=tools)
    if kinds == {"completion"}:
        return Layout("completion", label=label)
    return Layout("conversation" if label else "messages", label=label, tools=tools)


def _messages(messages: list[Message] | None, what: str, *, trained: bool = True
              ) -> list[Row]:
    """Messages in the chat-template convention: tool-call arguments as objects."""
    written = write_trl_messages(list(messages or ()), None, TRL, trained=trained, what=what)
    for message in written:
        for call in message.get("tool_calls", ()):
            function = call["function"]
            if isinstance(function["arguments"], str):
                with contextlib.suppress(ValueError, RecursionError):
                    decoded = json.loads(function["arguments"])
                    if isinstance(decoded, dict):
                        function["arguments"] = decoded
    return written


def hf_row(example: Example, layout: Layout) -> Row:
    """One dataset row in TRL's column names; raises ``Unrepresentable`` for what the layout
    cannot hold (an image, a turn of weight 0, a missing label)."""
    row: Row
    if layout.kind == "text":
        row = {"text": example.text or ""}
    elif layout.kind == "preference":
        row = {"prompt": _messages(example.messages, "prompt", trained=False)
               if example.messages else [],
               "chosen": _messages(example.chosen, "chosen answer"),
               "rejected": _messages(example.rejected, "rejected answer")}
    elif layout.kind == "completion":
        prompt, completion = prompt_and_completion(example, TRL)
        row = {"prompt": prompt, "completion": completion}
    elif layout.kind == "conversation":
        prompt_turns, completion_turns = split_completion(list(example.messages), TRL)
        row = {"prompt": _messages(prompt_turns, "prompt", trained=False),
               "completion": _messages(completion_turns, "completion")}
    else:
        row = {"messages": _messages(example.messages, "conversation")}
    if layout.label:
        if example.label is None:
            raise Unrepresentable(f"{TRL} of labelled examples needs a label on every one")
        row["label"] = example.label
    else:
        require_no_label(example, TRL)
    if layout.tools:
        row["tools"] = example.tools or None
    elif example.tools:
        raise Unrepresentable(f"{TRL} of this kind cannot declare tools")
    return row


def _is_plain(row: Row) -> bool:
    """Every message is exactly a role and a text."""
    for value in row.values():
        if isinstance(value, list):
            for message in value:
                if not isinstance(message, dict):
                    return False
                if set(message) != {"role", "content"} or not isinstance(message["content"],
                                                                         str):
                    return False
    return True


def _features(datasets: Any, layout: Layout) -> Any:
    Value = datasets.Value
    json_type: Any = getattr(datasets, "Json", None)
    if (layout.rich or layout.tools) and json_type is None:
        raise ValueError("the examples carry tools, tool calls or names, which need a datasets "
                         "release with the Json feature type: pip install -U datasets")
    message: Any = (json_type() if layout.rich
                    else {"role": Value("string"), "content": Value("string")})
    conversation = [message]
    columns: dict[str, Any]
    if layout.kind == "text":
        columns = {"text": Value("string")}
    elif layout.kind == "preference":
        columns = {"prompt": conversation, "chosen": conversation, "rejected": conversation}
    elif layout.kind == "completion":
        columns = {"prompt": Value("string"), "completion": Value("string")}
    elif layout.kind == "conversation":
        columns = {"prompt": conversation, "completion": conversation}
    else:
        columns = {"messages": conversation}
    if layout.label:
        columns["label"] = Value("bool")
    if layout.tools:
        columns["tools"] = json_type()
    return datasets.Features(columns)


def _examples(path: str, format: str,
              on_skip: Callable[[int | None, str], None] | None = None
              ) -> Iterator[tuple[int | None, Example]]:
    """The file's examples with their lines; records that do not fit the format go to
    ``on_skip``."""
    fmt, records = file_records(path, format)
    for line, item in format_items(records, fmt, {}):
        if isinstance(item, Skip):
            if on_skip is not None:
                on_skip(line, item.reason)
            continue
        assert isinstance(item, Example)
        yield line, item


def _rows(path: str, format: str, layout: Layout, signature: tuple[int, int, int],
          version: str) -> Iterator[Row]:
    """The dataset's rows; ``signature`` and ``version`` only key the Arrow cache, so a changed
    file or a new ftdata never reuses a stale one."""
    for _, example in _examples(path, format):
        try:
            yield hf_row(example, layout)
        except Unrepresentable:
            continue  # reported by the planning pass


def to_hf_dataset(path: str | os.PathLike[str], *, format: str | None = None,
                  cache_dir: str | os.PathLike[str] | None = None,
                  on_skip: Callable[[int | None, str], None] | None = None) -> Any:
    """A dataset file as a ``datasets.Dataset`` in TRL's column names.

    >>> to_hf_dataset("train.jsonl")[0]  # doctest: +SKIP
    {'messages': [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}]}

    Columns by kind: ``messages`` for conversations; ``prompt``/``completion`` strings for
    prompt-completion pairs; ``prompt``/``chosen``/``rejected`` message lists for preference
    pairs; ``prompt``/``completion`` message lists plus ``label`` for labelled (KTO)
    conversations (``label`` next to strings for labelled pairs); ``text`` for raw text;
    ``tools`` when examples declare tools. Messages follow the Hugging Face chat-template
    conventions (tool-call arguments as objects). Messages that hold only a role and a text
    are ``{"role", "content"}`` structs; richer ones (tool calls, names) are JSON values.

    A record that does not fit its format, or that a TRL dataset cannot hold (an image, a
    turn of weight 0), is left out and passed to ``on_skip(line, reason)``, a
    :class:`ftdata.conversion.SkippedRecordWarning` without it.

    Memory stays flat however large the file is: the file is streamed three times (to choose
    the columns, to find what cannot be held, and by ``Dataset.from_generator``), and
    ``from_generator`` writes the rows to an Arrow file under ``cache_dir`` batch by batch
    and memory-maps it, where ``Dataset.from_list`` would need every row in memory at once.
    The cache is keyed by the file's path, size and modification time, so an unchanged file
    is converted once.

    Raises :class:`ftdata.readers.InputError` when the file cannot be read, ``ValueError``
    when its format cannot be told or its examples are of different kinds.
    """
    from ftdata.conversion import SkippedRecordWarning, caller_stacklevel
    from ftdata.version import __version__

    name = os.path.abspath(os.fspath(path))
    fmt, _ = file_records(name, format)
    skipped: list[tuple[int | None, str]] = []

    def note(line: int | None, reason: str) -> None:
        skipped.append((line, reason))

    layout = _plan(example for _, example in _examples(name, fmt.id, note))
    rich = False
    for line, example in _examples(name, fmt.id):
        try:
            rich = not _is_plain(hf_row(example, layout)) or rich
        except Unrepresentable as error:
            note(line, error.reason)
    layout = Layout(layout.kind, layout.label, layout.tools, rich)
    for line, reason in sorted(skipped, key=lambda item: item[0] or 0):
        if on_skip is not None:
            on_skip(line, reason)
        else:
            warnings.warn(f"{name}:{line}: skipped: {reason}", SkippedRecordWarning,
                          stacklevel=caller_stacklevel())
    stat = os.stat(name)
    with offline() as datasets, quiet(datasets):
        return datasets.Dataset.from_generator(
            _rows, features=_features(datasets, layout),
            cache_dir=os.fspath(cache_dir) if cache_dir is not None else None,
            gen_kwargs={"path": name, "format": fmt.id, "layout": layout,
                        "signature": (stat.st_size, stat.st_mtime_ns, stat.st_ino),
                        "version": __version__})


# -- Dataset -> file ---------------------------------------------------------------------------


def from_hf_dataset(ds: Any, path: str | os.PathLike[str], *, to: str = "openai-chat",
                    format: str | None = None, mapping: Mapping[str, str] | None = None,
                    system: str | None = None, roles: Mapping[str, str] | None = None,
                    strict: bool = False) -> Summary:
    """Write a ``datasets.Dataset`` (or ``IterableDataset``) as ``to`` JSONL; return the
    convert summary (SPEC §5).

    >>> from_hf_dataset(ds, "train.jsonl", to="openai-chat")  # doctest: +SKIP
    {'input': '<Dataset>', 'output': 'train.jsonl', 'from': 'openai-chat', 'to': 'openai-chat',
     'read': 120, 'written': 120, 'skipped': []}

    Rows are read as :func:`ftdata.integrations.pandas.from_pandas` reads a DataFrame:
    conversational columns (``messages``, TRL's ``prompt``/``completion``/``chosen``/
    ``rejected``), a ``record`` column, or table columns (question/answer, ...), with
    ``mapping``, ``roles`` and ``system`` as in ``ftdata convert``. Each skip names its
    1-based row (``line``), its position (``index``) and the reason; ``read == written +
    len(skipped)``. Rows are streamed, never all held at once. Pass one split of a
    ``DatasetDict``.
    """
    with offline() as datasets:
        dicts = (datasets.DatasetDict, getattr(datasets, "IterableDatasetDict", dict))
        if isinstance(ds, dicts):
            splits = ", ".join(repr(split) for split in ds)
            raise TypeError(f"from_hf_dataset needs one split of the DatasetDict ({splits}), "
                            f"for example ds['train']")
        if not isinstance(ds, (datasets.Dataset, datasets.IterableDataset)):
            raise TypeError(f"from_hf_dataset needs a datasets.Dataset, not "
                            f"{type(ds).__name__}")
        columns = list(ds.column_names or next(iter(ds), {}).keys())
        frame = Frame(columns=columns,
                      rows=lambda: (tuple(row.get(column) for column in columns) for row in ds),
                      label=lambda row: row - 1, sparse=True)
        keep = None if roles else to
        kind, items = frame_items(frame, format=format, mapping=mapping, roles=roles,
                                  keep=keep)
        return write_items(items, path, to=to, system=system, strict=strict,
                           input_name="<Dataset>", from_kind=kind, label=frame.label)


__all__ = ["from_hf_dataset", "offline", "to_hf_dataset"]
