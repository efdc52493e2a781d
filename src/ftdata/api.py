"""The library's validation API: what :func:`ftdata.validate`, the ``ftdata validate`` command and
the integrations call.

:func:`validate_files` is the one place that validates training files and, against them, a
validation file (D004): the CLI (with its progress bars and standard input), :func:`validate`
and the Dask integration's validation file all go through it. Importing this module is cheap:
the engine is imported by the functions that run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from os import PathLike

    from ftdata.encodings import TokenizerUnavailable
    from ftdata.engine import ValidateOptions
    from ftdata.readers import InputError
    from ftdata.report import Report

#: How one file is checked: ``check(path, options, training)`` returns its report, where
#: ``training`` holds the training files' reports when ``path`` is their validation file.
FileCheck = Callable[[str, "ValidateOptions", Sequence["Report"]], "Report"]
#: Told about a file that cannot be read (``path``, the error) instead of raising.
OnUnreadable = Callable[[str, "InputError | TokenizerUnavailable"], None]


def validate_files(files: Iterable[tuple[str, ValidateOptions]],
                   validation: tuple[str, ValidateOptions] | None = None, *,
                   check: FileCheck | None = None,
                   on_unreadable: OnUnreadable | None = None) -> list[Report]:
    """Validate training ``files`` (each a path with its options), then the ``validation`` file
    against them; return their reports in that order, the validation file's last.

    With a validation file the training files keep their examples' duplicate digests, and it
    is validated as theirs (no count limits; its copies of training examples are D004); the
    digests are dropped once it is done. ``check`` checks one file (by default
    :func:`ftdata.engine.validate_path`); a file that cannot be read raises
    :class:`ftdata.readers.InputError` (or, since a tokenizer loads on first use,
    :class:`ftdata.encodings.TokenizerUnavailable`) unless ``on_unreadable`` is given, which is
    then told and the file left out.

    >>> [r.path for r in validate_files([("train.jsonl", ValidateOptions())])]  # doctest: +SKIP
    ['train.jsonl']
    """
    from dataclasses import replace

    from ftdata.encodings import TokenizerUnavailable
    from ftdata.readers import InputError

    run = check or _check_file
    reports: list[Report] = []
    for path, options in files:
        try:
            reports.append(run(path, replace(options, index_copies=validation is not None), ()))
        except (InputError, TokenizerUnavailable) as error:
            if on_unreadable is None:
                raise
            on_unreadable(path, error)
    if validation is not None:
        path, options = validation
        try:
            reports.append(run(path, options, list(reports)))
        except (InputError, TokenizerUnavailable) as error:
            if on_unreadable is None:
                raise
            on_unreadable(path, error)
        for report in reports:
            report.duplicates = None  # the index is large: keep it no longer than needed
    return reports


def _check_file(path: str, options: ValidateOptions, training: Sequence[Report]) -> Report:
    from ftdata.engine import validate_path

    return validate_path(path, options, training=training)


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
    from os import fspath

    options = replace(_options(format, target, select, ignore, strict, model, max_tokens,
                               tokenizer, tokens, near_duplicates, jobs),
                      trainer=trainer, template=template, max_length=max_length)
    reports = validate_files([(fspath(path), options)], None if validation_file is None
                             else (fspath(validation_file), options))
    report = reports[0]
    if validation_file is not None:
        report.validation = reports[1]
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
    from ftdata.filestats import file_stats

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


def render(path: str | PathLike[str], line: int, *, tokenizer: str | None = None,
           template: str | None = None, trainer: str | None = None,
           max_length: int | None = None, format: str | None = None) -> dict[str, Any]:
    """The record at ``line`` as the trainer sees it: ``ftdata render --output-format json``.

    >>> ftdata.render("train.jsonl", 3, template="qwen3")["trained"]  # doctest: +SKIP
    42

    Keys (SPEC §8a): ``path``, ``line``, ``template``, ``text``, ``ids``, ``mask`` (1 where
    the token trains), ``trained``, ``total``, ``max_length``, ``truncated``, ``dropped`` (the
    trainer drops the example), plus ``template_dropped`` (what the template leaves out),
    ``kept``, ``trained_lost``, ``strategy``, ``trainer`` and ``format``. Raises
    ``ValueError`` (one line) when the line holds no record or the view cannot be set up.
    """
    from ftdata.templates.record import render_record
    from ftdata.templates.view import TrainerView

    view = TrainerView(trainer, template, tokenizer, max_length)
    return render_record(path, line, view, format=format)


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


