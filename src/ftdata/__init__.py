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

__all__ = ["Issue", "Report", "Severity", "__version__", "stats", "validate",
           "validate_records"]

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from os import PathLike

    from ftdata.diagnostics import Issue, Severity
    from ftdata.report import Report


def validate(path: str | PathLike[str], *, format: str | None = None, target: str = "generic",
             select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None,
             strict: bool = False, model: str | None = None, max_tokens: int | None = None,
             tokenizer: str | None = None, tokens: bool = True,
             validation_file: str | PathLike[str] | None = None,
             near_duplicates: bool = False) -> Report:
    """Validate one dataset file and return its :class:`Report`.

    >>> report = ftdata.validate("train.jsonl", target="openai")  # doctest: +SKIP
    >>> [issue.code for issue in report.issues]  # doctest: +SKIP
    ['C003']

    With ``validation_file``, that file is validated too (``report.validation``) and its
    copies of training examples are reported there as D004. Raises
    :class:`ftdata.readers.InputError` when a file cannot be read, ``ValueError`` for an
    unknown format, target, model or rule code.
    """
    from ftdata.engine import validate_path

    options = _options(format, target, select, ignore, strict, model, max_tokens, tokenizer,
                       tokens, near_duplicates)
    report = validate_path(path, options)
    if validation_file is not None:
        report.validation = validate_path(validation_file, options, training=[report])
    report.duplicates = None  # the index is large: keep it no longer than needed
    return report


def stats(path: str | PathLike[str], *, model: str | None = None, epochs: int | str = "auto",
          max_tokens: int | None = None, tokenizer: str | None = None,
          format: str | None = None) -> dict[str, Any]:
    """Token counts, distributions, epochs and training cost of a file, as a dict (SPEC §6).

    >>> ftdata.stats("train.jsonl", model="gpt-4.1-mini")["cost"]["amount"]  # doctest: +SKIP
    0.42

    ``model`` defaults to gpt-4.1-mini; ``cost`` is ``None`` when no price is known.
    """
    from ftdata.statistics import file_stats

    return file_stats(path, model=model, epochs=epochs, max_tokens=max_tokens,
                      tokenizer=tokenizer, format=format)


def validate_records(records: Iterable[Mapping[str, Any] | str | bytes], *,
                     format: str | None = None, target: str = "generic",
                     select: Iterable[str] | str | None = None,
                     ignore: Iterable[str] | str | None = None, strict: bool = False,
                     model: str | None = None, max_tokens: int | None = None,
                     tokenizer: str | None = None, tokens: bool = True,
                     near_duplicates: bool = False, name: str = "<records>") -> Report:
    """Validate records held in memory (dicts or JSON strings), as an ETL step would.

    >>> ftdata.validate_records([{"messages": []}]).issues[0].code
    'C015'
    """
    from ftdata.engine import validate_records as run

    return run(records, _options(format, target, select, ignore, strict, model, max_tokens,
                                 tokenizer, tokens, near_duplicates), name=name)


def _options(format: str | None, target: str, select: Iterable[str] | str | None,
             ignore: Iterable[str] | str | None, strict: bool, model: str | None,
             max_tokens: int | None, tokenizer: str | None, tokens: bool,
             near_duplicates: bool = False) -> Any:
    from ftdata.engine import ValidateOptions
    from ftdata.rules import parse_code_list

    return ValidateOptions(format=format, target=target, select=parse_code_list(select),
                           ignore=parse_code_list(ignore), strict=strict, model=model,
                           max_tokens=max_tokens, tokenizer=tokenizer, count_tokens=tokens,
                           near_duplicates=near_duplicates)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from ftdata.report import Report

        return Report
    if name in ("Issue", "Severity"):
        from ftdata import diagnostics

        return getattr(diagnostics, name)
    raise AttributeError(f"module 'ftdata' has no attribute {name!r}")
