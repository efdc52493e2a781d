"""ftdata: prepare and check fine-tuning datasets before anything is uploaded or trained.

>>> import ftdata
>>> report = ftdata.validate("train.jsonl", target="openai")  # doctest: +SKIP
>>> report.ok  # doctest: +SKIP
True

Importing this package is cheap: heavy libraries are loaded only by the functions that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Issue", "Report", "Severity", "__version__", "convert", "from_hf_dataset",
           "from_pandas", "read", "render", "stats", "to_hf_dataset", "to_pandas", "validate",
           "validate_records"]

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from os import PathLike

    from ftdata.diagnostics import Issue, Severity
    from ftdata.formats._reasoning import ReasoningMode
    from ftdata.model import Example
    from ftdata.report import Report


def validate(path: str | PathLike[str], *, format: str | None = None, target: str = "generic",
             select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None,
             strict: bool = False, model: str | None = None, max_tokens: int | None = None,
             tokenizer: str | None = None, tokens: bool = True,
             validation_file: str | PathLike[str] | None = None,
             near_duplicates: bool = False, jobs: int | None = None,
             trainer: str | None = None, template: str | None = None,
             max_length: int | None = None) -> Report:
    """Validate one dataset file and return its :class:`Report`.

    >>> report = ftdata.validate("train.jsonl", target="openai")  # doctest: +SKIP
    >>> [issue.code for issue in report.issues]  # doctest: +SKIP
    ['C003']

    With ``validation_file``, that file is validated too (``report.validation``) and its
    copies of training examples are reported there as D004; ``report.ok`` is then the CLI's
    verdict on both files, and ``to_dict()`` holds the validation file's entry under
    ``"validation"``. ``jobs`` is the number of worker
    processes (``--jobs``): by default every core for a large file and one for a small one;
    the report is the same whatever it is. ``trainer``, ``template`` and ``max_length``
    check the examples as that trainer trains them (SPEC §8a, rules T003-T005). Raises
    :class:`ftdata.readers.InputError` when a file cannot be read, ``ValueError`` for an
    unknown format, target, model or rule code.
    """
    from dataclasses import replace

    from ftdata.engine import validate_path

    options = replace(_options(format, target, select, ignore, strict, model, max_tokens,
                               tokenizer, tokens, near_duplicates, jobs),
                      trainer=trainer, template=template, max_length=max_length)
    report = validate_path(path, replace(options, index_copies=validation_file is not None))
    if validation_file is not None:
        report.validation = validate_path(validation_file, options, training=[report])
    report.duplicates = None  # the index is large: keep it no longer than needed
    return report


def stats(path: str | PathLike[str], *, model: str | None = None, epochs: int | str = "auto",
          max_tokens: int | None = None, tokenizer: str | None = None,
          format: str | None = None, trainer: str | None = None, template: str | None = None,
          max_length: int | None = None, target: str = "generic") -> dict[str, Any]:
    """Token counts, distributions, epochs and training cost of a file, as a dict (SPEC §6).

    >>> ftdata.stats("train.jsonl", model="gpt-4.1-mini")["cost"]["amount"]  # doctest: +SKIP
    0.42

    ``model`` defaults to gpt-4.1-mini, unless ``tokenizer`` is given (then no model's limit
    or price applies); ``cost`` is ``None`` when no price is known.
    ``target`` picks the format where shapes overlap, as ``ftdata stats --target`` does. With
    ``trainer``, ``template`` or ``max_length``, a ``trainer`` entry tells what that trainer
    renders, trains, truncates and drops (SPEC §8a).
    """
    from ftdata.statistics import file_stats

    return file_stats(path, model=model, epochs=epochs, max_tokens=max_tokens,
                      tokenizer=tokenizer, format=format, trainer=trainer, template=template,
                      max_length=max_length, target=target)


def validate_records(records: Iterable[Mapping[str, Any] | str | bytes], *,
                     format: str | None = None, target: str = "generic",
                     select: Iterable[str] | str | None = None,
                     ignore: Iterable[str] | str | None = None, strict: bool = False,
                     model: str | None = None, max_tokens: int | None = None,
                     tokenizer: str | None = None, tokens: bool = True,
                     near_duplicates: bool = False, name: str = "<records>",
                     trainer: str | None = None, template: str | None = None,
                     max_length: int | None = None) -> Report:
    """Validate records held in memory (dicts or JSON strings), as an ETL step would.

    Values with an obvious JSON meaning are coerced (numpy scalars and arrays, ``Decimal``,
    datetimes and pandas ``Timestamp``, pandas ``NA``/``NaT`` as null); a record holding one
    without (a set, bytes, a non-string key, nesting too deep) gets an F002 at that value's
    ``pointer``, never an exception. An integer beyond 64 bits or a lone surrogate gets the
    verdict the same record gets from a file (see F002 in ``ftdata rules F002``).

    >>> ftdata.validate_records([{"messages": []}]).issues[0].code
    'C015'
    """
    from dataclasses import replace

    from ftdata.engine import validate_records as run

    options = _options(format, target, select, ignore, strict, model, max_tokens, tokenizer,
                       tokens, near_duplicates)
    return run(records, replace(options, trainer=trainer, template=template,
                                max_length=max_length), name=name)


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


def _options(format: str | None, target: str, select: Iterable[str] | str | None,
             ignore: Iterable[str] | str | None, strict: bool, model: str | None,
             max_tokens: int | None, tokenizer: str | None, tokens: bool,
             near_duplicates: bool = False, jobs: int | None = None) -> Any:
    from ftdata.engine import ValidateOptions
    from ftdata.rules import parse_code_list

    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a whole number of processes, 1 or more, not {jobs!r}")
    return ValidateOptions(format=format, target=target, select=parse_code_list(select),
                           ignore=parse_code_list(ignore), strict=strict, model=model,
                           max_tokens=max_tokens, tokenizer=tokenizer, count_tokens=tokens,
                           near_duplicates=near_duplicates, jobs=jobs)


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
