"""The Dask integration's partitions: where they come from (paths, globs and fsspec URLs, bags,
dataframes) and how each is checked on a worker, as one file is, keeping its records' duplicate
digests for the shuffle. See :mod:`ftdata.integrations.dask`.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ftdata.engine import (
    CONVERTER_INPUTS,
    DETECTION_SAMPLE,
    ValidateOptions,
    converter_input_report,
    detect_format,
    sample_records,
    token_setup,
    validate_events,
)
from ftdata.formats import Format, get_format
from ftdata.inmemory import Unencodable, encode_record
from ftdata.integrations import require
from ftdata.parsing import RecordError, decode_record
from ftdata.readers import (
    Event,
    InputError,
    RawRecord,
    file_size,
    logical_name,
    read_events,
)
from ftdata.report import Report
from ftdata.rules.duplicates import RecordKeys
from ftdata.targets import Target, get_target

#: Copy keys: (content, prompt, answer, partition, line, record, MinHash values as bytes or
#: None).
Key = tuple[bytes, bytes | None, bytes | None, int, int, int, Any]


@dataclass
class Outcome:
    """What a worker learns about one partition: its report, and the digests of its records."""

    report: Report
    keys: list[Key]


def _check_events(events: Iterable[Event], name: str, partition: int, fmt: Format | None,
                  reason: str, options: ValidateOptions, size: int | None) -> Outcome:
    """One partition, checked as one file is, except for what depends on other partitions."""
    keys: list[Key] = []

    def keep(line: int, index: int, found: RecordKeys) -> None:
        sketch = found.minhash
        keys.append((found.content, found.prompt, found.answer, partition, line, index,
                     # Bytes, not an array: they pickle cheaply in the shuffle.
                     sketch.tobytes() if sketch is not None else None))

    report = validate_events(events, name, fmt, reason, get_target(options.target), options,
                             size=size, tokens=token_setup(options), keys_sink=keep,
                             partition=True)
    return Outcome(report, keys)


def _check_file(url: str, name: str, partition: int, options: ValidateOptions,
                storage_options: Mapping[str, Any]) -> Outcome:
    """A partition file, local or behind any fsspec URL."""
    if _is_local(url):
        return _check_local_file(_local_path(url), name, partition, options)
    fsspec = require("fsspec", "validate_partitions")
    suffix = "".join(_suffixes(url))
    with tempfile.TemporaryDirectory(prefix="ftdata-") as folder:
        local = os.path.join(folder, "partition" + suffix)
        try:
            with fsspec.open(url, "rb", **storage_options) as remote, \
                    open(local, "wb") as copy:
                shutil.copyfileobj(remote, copy, 1 << 20)
        except (OSError, ValueError) as error:
            raise InputError(f"{name}: cannot read ({error})") from None
        return _check_local_file(local, name, partition, options)


def _check_local_file(path: str, name: str, partition: int,
                      options: ValidateOptions) -> Outcome:
    size = file_size(path)
    target = get_target(options.target)
    suffix = os.path.splitext(logical_name(path))[1].lower()
    if suffix in CONVERTER_INPUTS and not options.format:
        return Outcome(converter_input_report(name, suffix, target, options), [])
    events = read_events(path)  # opened once: detection looks at the records read ahead
    try:
        fmt, reason = _format_of(sample_records(events), options, target)
        return _check_events(events, name, partition, fmt, reason, options, size)
    finally:
        events.close()


def _check_records(records: Iterable[Any], name: str, partition: int,
                   options: ValidateOptions) -> Outcome:
    """A partition of a bag or a dataframe column: records are dicts, JSON text or bytes."""
    if hasattr(records, "tolist"):  # a pandas Series
        records = records.tolist()
    data = [_as_bytes(item) for item in records]
    target = get_target(options.target)
    fmt, reason = _format_of(_samples(data), options, target)
    events = (RawRecord(number, item) for number, item in enumerate(data, start=1))
    return _check_events(events, name, partition, fmt, reason, options, None)


def _format_of(samples: Iterable[Mapping[str, Any]], options: ValidateOptions,
               target: Target) -> tuple[Format | None, str]:
    if options.format:
        return get_format(options.format), "given"
    detection = detect_format(samples, target)
    return detection.format, detection.reason


def _samples(data: Sequence[bytes]) -> Iterator[Mapping[str, Any]]:
    taken = 0
    for item in data:
        if taken >= DETECTION_SAMPLE:
            return
        try:
            value = decode_record(item)
        except RecordError:
            continue
        if isinstance(value, dict):
            taken += 1
            yield value


def _as_bytes(item: Any) -> bytes:
    # numpy, Decimal, datetimes and pandas' missing values coerced as validate_records does.
    encoded = encode_record(item)
    if isinstance(encoded, Unencodable):
        # Not JSON at all (a set, an object): the record check says so with its location.
        return repr(item).encode("utf-8", "surrogatepass")
    return encoded


@dataclass(frozen=True)
class Partitions:
    """The partitions of a source as dask tasks, and their names."""

    outcomes: list[Any]
    names: list[str]


def dask_delayed() -> Any:
    return require("dask.delayed", "validate_partitions").delayed


def _is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def _local_path(url: str) -> str:
    return url[len("file://"):] if url.startswith("file://") else url


def _suffixes(url: str) -> list[str]:
    base = url.rsplit("/", 1)[-1]
    name, gz = (base[:-3], ".gz") if base.endswith(".gz") else (base, "")
    return [os.path.splitext(name)[1], gz]


def expand_paths(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                 storage_options: Mapping[str, Any] | None = None) -> list[str]:
    """The partition files of a path, glob or URL (or a list of them), in sorted glob order.

    >>> expand_paths("data/part-*.jsonl")  # doctest: +SKIP
    ['data/part-0000.jsonl', 'data/part-0001.jsonl']

    Raises :class:`ftdata.readers.InputError` when a pattern matches nothing.
    """
    patterns = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not patterns:
        raise InputError("no partition files given")
    paths: list[str] = []
    for pattern in patterns:
        text = os.fspath(pattern)
        if not glob.has_magic(text):
            paths.append(text)
            continue
        if _is_local(text):
            matches = sorted(glob.glob(_local_path(text)))
            if text.startswith("file://"):
                matches = ["file://" + match for match in matches]
        else:
            fsspec = require("fsspec", "validate_partitions")
            try:
                fs, _, found = fsspec.core.get_fs_token_paths(
                    text, storage_options=dict(storage_options or {}))
            except (OSError, ValueError) as error:
                raise InputError(f"{text}: cannot list ({error})") from None
            matches = sorted(fs.unstrip_protocol(path) for path in found)
        if not matches:
            raise InputError(f"{text}: no file matches")
        paths.extend(matches)
    return paths


def _file_partitions(paths: Sequence[str], options: ValidateOptions,
                     storage_options: Mapping[str, Any]) -> Partitions:
    delayed = dask_delayed()

    outcomes = [delayed(_check_file, pure=False)(path, path, index, options,
                                                 dict(storage_options))
                for index, path in enumerate(paths)]
    return Partitions(outcomes, list(paths))


def _record_partitions(parts: Sequence[Any], name: str, options: ValidateOptions,
                       column: str | None = None, *, series: bool = False) -> Partitions:
    delayed = dask_delayed()

    names = [f"{name}/part-{index:05d}" for index in range(len(parts))]
    outcomes = []
    for index, part in enumerate(parts):
        records = (delayed(_column)(part, column) if column is not None
                   else delayed(_series)(part) if series else part)
        outcomes.append(delayed(_check_records, pure=False)(records, names[index], index,
                                                            options))
    return Partitions(outcomes, names)


def _column(frame: Any, column: str) -> list[Any]:
    if column not in frame.columns:
        raise ValueError(f"the dataframe has no column {column!r} (columns: "
                         f"{', '.join(map(str, frame.columns))})")
    return _series(frame[column])


def _series(values: Any) -> list[Any]:
    return [_unrepr(value) for value in values.tolist()]


def _unrepr(value: Any) -> Any:
    """A column's record: a dict again when Dask turned it into its Python ``repr``.

    ``dask.dataframe`` converts object columns to strings (its ``dataframe.convert-string``
    option, on by default with pandas 2), so a column of dicts such as :func:`ftdata.to_pandas`
    makes reaches the partitions as ``"{'messages': [...]}"``. A string that is JSON is kept as
    given; one that is not, but reads as a Python dict literal, is that dict; anything else
    stays the string (and its F002).
    """
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return value
    try:
        decode_record(value.encode("utf-8", "surrogatepass"))
        return value
    except RecordError:
        pass
    import ast

    try:
        parsed = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return value
    return parsed if isinstance(parsed, dict) else value


def partitions_of(source: Any, options: ValidateOptions, column: str | None,
                   name: str | None, storage_options: Mapping[str, Any]) -> Partitions:
    if isinstance(source, (str, os.PathLike, list, tuple)):
        return _file_partitions(expand_paths(source, storage_options), options,
                                storage_options)
    dask_bag = require("dask.bag", "validate_partitions")
    if isinstance(source, dask_bag.Bag):
        return _record_partitions(source.to_delayed(), name or "<bag>", options)
    dask_dataframe = require("dask.dataframe", "validate_partitions")
    if isinstance(source, dask_dataframe.DataFrame):
        if column is None:
            columns = list(source.columns)
            if len(columns) != 1:
                raise ValueError("the dataframe has several columns: say which one holds "
                                 "the records with column=...")
            column = str(columns[0])
        elif column not in source.columns:
            raise ValueError(f"the dataframe has no column {column!r}")
        return _record_partitions(source.to_delayed(), name or "<dataframe>", options,
                                  column)
    if isinstance(source, dask_dataframe.Series):
        return _record_partitions(source.to_delayed(), name or "<series>", options,
                                  series=True)
    raise TypeError(f"cannot validate a {type(source).__name__}: pass paths, a glob, a "
                    f"dask.bag or a dask.dataframe")
