"""ftdata: prepare and check fine-tuning datasets before anything is uploaded or trained.

>>> import ftdata
>>> report = ftdata.validate("train.jsonl", target="openai")  # doctest: +SKIP
>>> report.ok  # doctest: +SKIP
True

Importing this package is cheap: heavy libraries are loaded only by the functions that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ftdata.api import stats, validate, validate_records
from ftdata.version import __version__

__all__ = ["Issue", "Report", "Severity", "__version__", "convert", "from_hf_dataset",
           "from_pandas", "read", "render", "stats", "to_hf_dataset", "to_pandas", "validate",
           "validate_records"]

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from os import PathLike

    from ftdata.diagnostics import Issue, Severity
    from ftdata.formats._reasoning import ReasoningMode
    from ftdata.model import Example
    from ftdata.report import Report


def convert(input: str | PathLike[str], output: str | PathLike[str], *, to: str,
            from_: str | None = None, mapping: Mapping[str, str] | None = None,
            roles: Mapping[str, str] | None = None, system: str | None = None,
            reasoning: ReasoningMode | None = None, strict: bool = False) -> dict[str, Any]:
    """Convert a table, Q&A file, chat log or dataset into ``to``'s JSONL; return the summary.

    >>> ftdata.convert("faq.csv", "train.jsonl", to="openai-chat")  # doctest: +SKIP
    {'input': 'faq.csv', 'output': 'train.jsonl', 'from': 'csv', 'to': 'openai-chat',
     'read': 12, 'written': 11, 'skipped': [{'line': 4, 'reason': 'empty answer'}]}

    ``read == written + len(skipped)`` always. ``from_`` is a format id or ``csv``, ``tsv``,
    ``xlsx``, ``parquet``, ``qa``, ``transcript``, ``whatsapp``, ``chatgpt-export``,
    ``cohere-chat`` (detected when omitted); ``mapping`` maps columns or keys to fields
    (``--map``), ``roles`` speakers to system/user/assistant (``--roles``); ``reasoning``
    (``think-tags``, ``field`` or ``drop``) says where reasoning traces go (``--reasoning``).
    See :func:`ftdata.conversion.convert`.
    """
    from ftdata.conversion import convert as run

    return run(input, output, to=to, from_=from_, mapping=mapping, roles=roles, system=system,
               reasoning=reasoning, strict=strict)


def read(path: str | PathLike[str], *, from_: str | None = None,
         mapping: Mapping[str, str] | None = None, roles: Mapping[str, str] | None = None,
         system: str | None = None,
         on_skip: Callable[[int | None, str], None] | None = None) -> Iterator[Example]:
    """The canonical examples of any supported input, streamed.

    >>> [e.messages[-1].text for e in ftdata.read("faq.csv")]  # doctest: +SKIP
    ['Open Settings, then Security.']

    Records that cannot be read go to ``on_skip(location, reason)`` (a warning without it).
    """
    from ftdata.conversion import read as run

    return run(path, from_=from_, mapping=mapping, roles=roles, system=system, on_skip=on_skip)


def to_pandas(path: str | PathLike[str], *, format: str | None = None, issues: bool = True,
              target: str = "generic", model: str | None = None) -> Any:
    """A dataset file as a ``pandas.DataFrame``, one row per record (needs ``ftdata[pandas]``).

    >>> ftdata.to_pandas("train.jsonl")[["line", "n_messages", "issues"]]  # doctest: +SKIP

    See :func:`ftdata.integrations.pandas.to_pandas`.
    """
    from ftdata.integrations.pandas import to_pandas as run

    return run(path, format=format, issues=issues, target=target, model=model)


def from_pandas(df: Any, path: str | PathLike[str], *, to: str = "openai-chat",
                format: str | None = None, mapping: Mapping[str, str] | None = None,
                system: str | None = None, roles: Mapping[str, str] | None = None,
                strict: bool = False) -> dict[str, Any]:
    """Write a DataFrame as ``to`` JSONL and return the convert summary.

    >>> ftdata.from_pandas(faq, "train.jsonl", mapping={"Q": "prompt", "A": "completion"})
    ... # doctest: +SKIP

    See :func:`ftdata.integrations.pandas.from_pandas`.
    """
    from ftdata.integrations.pandas import from_pandas as run

    return run(df, path, to=to, format=format, mapping=mapping, system=system, roles=roles,
               strict=strict)


def to_hf_dataset(path: str | PathLike[str], *, format: str | None = None,
                  cache_dir: str | PathLike[str] | None = None,
                  on_skip: Callable[[int | None, str], None] | None = None) -> Any:
    """A dataset file as a TRL-ready ``datasets.Dataset`` (needs ``ftdata[datasets]``).

    >>> ftdata.to_hf_dataset("train.jsonl").column_names  # doctest: +SKIP
    ['messages']

    See :func:`ftdata.integrations.datasets.to_hf_dataset`.
    """
    from ftdata.integrations.datasets import to_hf_dataset as run

    return run(path, format=format, cache_dir=cache_dir, on_skip=on_skip)


def from_hf_dataset(ds: Any, path: str | PathLike[str], *, to: str = "openai-chat",
                    format: str | None = None, mapping: Mapping[str, str] | None = None,
                    system: str | None = None, roles: Mapping[str, str] | None = None,
                    strict: bool = False) -> dict[str, Any]:
    """Write a ``datasets.Dataset`` as ``to`` JSONL and return the convert summary.

    >>> ftdata.from_hf_dataset(ds, "train.jsonl", to="openai-chat")  # doctest: +SKIP

    See :func:`ftdata.integrations.datasets.from_hf_dataset`.
    """
    from ftdata.integrations.datasets import from_hf_dataset as run

    return run(ds, path, to=to, format=format, mapping=mapping, system=system, roles=roles,
               strict=strict)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from ftdata.report import Report

        return Report
    if name == "render":
        # ``ftdata.render`` is also the package of output renderers: the package is callable
        # (see ftdata/render/__init__.py), so it is the same object however it was reached.
        import ftdata.render

        return ftdata.render
    if name in ("Issue", "Severity"):
        from ftdata import diagnostics

        return getattr(diagnostics, name)
    raise AttributeError(f"module 'ftdata' has no attribute {name!r}")
