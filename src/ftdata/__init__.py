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

__all__ = ["Issue", "Report", "Severity", "__version__", "validate", "validate_records"]

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from os import PathLike

    from ftdata.diagnostics import Issue, Severity
    from ftdata.report import Report


def validate(path: str | PathLike[str], *, format: str | None = None, target: str = "generic",
             select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None,
             strict: bool = False) -> Report:
    """Validate one dataset file and return its :class:`Report`.

    >>> report = ftdata.validate("train.jsonl", target="openai")  # doctest: +SKIP
    >>> [issue.code for issue in report.issues]  # doctest: +SKIP
    ['C003']

    Raises :class:`ftdata.readers.InputError` when the file cannot be read, ``ValueError`` for
    an unknown format, target or rule code.
    """
    from ftdata.engine import validate_path

    return validate_path(path, _options(format, target, select, ignore, strict))


def validate_records(records: Iterable[Mapping[str, Any] | str | bytes], *,
                     format: str | None = None, target: str = "generic",
                     select: Iterable[str] | str | None = None,
                     ignore: Iterable[str] | str | None = None, strict: bool = False,
                     name: str = "<records>") -> Report:
    """Validate records held in memory (dicts or JSON strings), as an ETL step would.

    >>> ftdata.validate_records([{"messages": []}]).issues[0].code
    'C015'
    """
    from ftdata.engine import validate_records as run

    return run(records, _options(format, target, select, ignore, strict), name=name)


def _options(format: str | None, target: str, select: Iterable[str] | str | None,
             ignore: Iterable[str] | str | None, strict: bool) -> Any:
    from ftdata.engine import ValidateOptions
    from ftdata.rules import parse_code_list

    return ValidateOptions(format=format, target=target, select=parse_code_list(select),
                           ignore=parse_code_list(ignore), strict=strict)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from ftdata.report import Report

        return Report
    if name in ("Issue", "Severity"):
        from ftdata import diagnostics

        return getattr(diagnostics, name)
    raise AttributeError(f"module 'ftdata' has no attribute {name!r}")
