"""Dask: validate and deduplicate a dataset partitioned over a cluster, as one machine would.

>>> from ftdata.integrations.dask import validate_partitions  # doctest: +SKIP
>>> run = validate_partitions("s3://bucket/train/*.jsonl.gz", target="openai")  # doctest: +SKIP
>>> run.ok, run.records, run.stats["tokens"]["per_example"]["p99"]  # doctest: +SKIP
(True, 120000000, 2048)

What runs where:

* **Per partition, on the workers.** Each partition (a file, or a partition of a ``dask.bag`` or
  ``dask.dataframe``) is checked like ``ftdata validate`` checks one file: reader findings,
  format detection, every record rule, tokens and F006/F008/F009 keep single-file
  semantics, with the partition's own lines. Each record that can have copies leaves three
  128-bit digests (content, prompt, answer) behind, on its worker, and with
  ``near_duplicates`` its MinHash values.
* **Across partitions, shuffled by hash.** The digests are grouped by the first bytes of the
  content digest (a ``dask.bag`` task shuffle), so no worker holds the whole index. Within a
  group, copies are ordered by (partition, record): every copy after the first is D001, named
  after the first, exactly as one run over the concatenated partitions would see it. The first
  copy of each content is then shuffled by the prompt digest for D003 (same prompt, another
  answer), and, with ``near_duplicates``, the LSH bands of its MinHash for D002 (the bands of
  the single-machine index, so the same earliest match is named). A copy in the same
  partition names its line (``duplicate of line 12``), as
  ``ftdata validate`` does; a copy in another partition names the partition too
  (``duplicate of data/part-0003.jsonl:12``).
* **On the client.** Statistics merge exactly (histograms, so quantiles are exact), the count
  limits (F007/F010) and the system prompts' consistency (Q007) are judged over the whole
  dataset (it is the training set; a partition is not) and reported on the first partition,
  naming places in other partitions as ``data/part-0003.jsonl:12``, and the cost is computed
  for the dataset.

Dask is imported when these functions run, never by ``import ftdata``
(``pip install 'ftdata[dask]'``).
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ftdata.diagnostics import Finding, Issue, Severity
from ftdata.engine import (
    CONVERTER_INPUTS,
    DETECTION_SAMPLE,
    RecordChecker,
    TokenSetup,
    ValidateOptions,
    _Collector,
    _converter_input_report,
    _file_findings,
    checked_view,
    collect_results,
    detect_format,
    file_stats,
    sample_records,
    token_setup,
    validate_path,
)
from ftdata.formats import Format, get_format
from ftdata.inmemory import Unencodable, encode_record
from ftdata.integrations import MissingDependency, require
from ftdata.parallel import check_events
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
from ftdata.rules.duplicates import NUM_PERM, RecordKeys
from ftdata.rules.quality import SystemPromptTally
from ftdata.statistics import StatsAccumulator
from ftdata.targets import Target, get_target

#: Copy keys: (content, prompt, answer, partition, line, record, MinHash values as bytes or
#: None).
Key = tuple[bytes, bytes | None, bytes | None, int, int, int, Any]
#: A duplicate found across the dataset: (code, partition, line, record, first partition,
#: first line, similarity for D002).
Copy = tuple[str, int, int, int, int, int, float]
#: Digest bytes that choose a shuffle group: 65,536 groups, each small whatever the dataset.
GROUP_BYTES = 2
#: Codes decided over the whole dataset rather than per partition.
DATASET_DUPLICATE_CODES = frozenset({"D001", "D002", "D003"})
#: Where an issue goes among the issues of its line: record rules, then D001/D003, then D002
#: (the order one machine reports them in).
_LINE_ORDER = {"D001": 1, "D003": 1, "D002": 2}


@dataclass
class DatasetReport:
    """The verdict on a partitioned dataset: one :class:`Report` per partition, and the whole.

    ``files`` are SPEC §5 file entries with each partition's own lines; ``stats`` are the
    statistics of the whole dataset (exact quantiles, epochs, billed tokens and cost when a
    model is known).
    """

    files: list[Report]
    stats: dict[str, Any] = field(default_factory=dict)
    accumulator: StatsAccumulator | None = field(default=None, repr=False, compare=False)
    #: The validation file's report, with D004 for its copies of training examples.
    validation: Report | None = None

    @property
    def ok(self) -> bool:
        """False when any partition, or the validation file, has an issue at or above the
        failing severity."""
        return (all(report.ok for report in self.files)
                and (self.validation is None or self.validation.ok))

    @property
    def records(self) -> int:
        return sum(report.records for report in self.files)

    @property
    def valid_records(self) -> int:
        return sum(report.valid_records for report in self.files)

    @property
    def issues(self) -> list[Issue]:
        """Every issue of every partition, in partition order."""
        return [issue for report in self.files for issue in report.issues]

    @property
    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for report in self.files:
            for severity, count in report.summary.items():
                counts[severity] += count
        return counts

    def to_dict(self) -> dict[str, Any]:
        """SPEC §5's document (``ftdata_version``, ``files``: the partitions, then the
        validation file) plus ``dataset``: the training set's totals."""
        from ftdata import __version__

        reports = [*self.files, *([self.validation] if self.validation is not None else [])]
        return {"ftdata_version": __version__,
                "files": [report.to_dict() for report in reports],
                "dataset": {"partitions": len(self.files), "records": self.records,
                            "valid_records": self.valid_records, "summary": self.summary,
                            "stats": self.stats}}


@dataclass
class _Outcome:
    """What a worker learns about one partition: its report, and the digests of its records."""

    report: Report
    keys: list[Key]


# --------------------------------------------------------------------------------------------
# Per partition (runs on a worker)


def _check_events(events: Iterable[Event], name: str, partition: int, fmt: Format | None,
                  reason: str, options: ValidateOptions, size: int | None) -> _Outcome:
    """One partition, checked as one file is, except for what depends on other partitions."""
    target = get_target(options.target)
    tokens = token_setup(options)
    view = checked_view(options)
    collector = _Collector(options, target, fmt.id if fmt is not None else None)
    dataset_codes = DATASET_DUPLICATE_CODES & collector.enabled
    if not options.near_duplicates:
        dataset_codes -= {"D002"}
    if options.index_copies:
        dataset_codes |= {"D004"}  # digests for a validation file to be checked against
    checker = (RecordChecker(fmt, target, collector.enabled, tokens,
                             duplicates=bool(dataset_codes), near="D002" in dataset_codes,
                             error_codes=collector.error_codes, view=view)
               if fmt is not None else None)
    keys: list[Key] = []

    def keep(line: int, index: int, found: RecordKeys) -> list[Finding]:
        sketch = found.minhash
        keys.append((found.content, found.prompt, found.answer, partition, line, index,
                     # Bytes, not an array: they pickle cheaply in the shuffle.
                     sketch.tobytes() if sketch is not None else None))
        return []  # judged across partitions, after the shuffle

    system_prompts = SystemPromptTally() if "Q007" in collector.enabled else None
    checked = check_events(events, checker, 1) if checker is not None else (
        (event, None) for event in events)
    totals = collect_results(checked, collector, system_prompts,
                             tokens.limit if tokens else None, keep)
    records = totals.records
    # Count limits are the dataset's (see ``_dataset_findings``), not a partition's.
    file_level = _file_findings(fmt, reason, target, replace(options, count_limits=False),
                                records, size, totals.foreign, totals.first_foreign)
    for finding in file_level:
        collector.add(finding, None, None)
    report = Report(path=name, format=fmt.id if fmt else None, target=target.id,
                    model=tokens.model_id if tokens else None, records=records,
                    valid_records=0, issues=_sorted(collector.issues),
                    stats=file_stats(totals.stats, tokens, view), strict=options.strict,
                    max_issues=options.max_issues, accumulator=totals.stats,
                    system_prompts=system_prompts)
    report.valid_records = _valid_records(report)
    return _Outcome(report, keys)


def _sorted(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.line is not None, i.line or 0,
                                         _LINE_ORDER.get(i.code, 0)))


def _valid_records(report: Report) -> int:
    """Records with no error-severity issue (none when the format is unknown)."""
    if report.format is None:
        return 0
    invalid = {issue.record for issue in report.issues
               if issue.severity is Severity.ERROR and issue.record is not None}
    return report.records - len(invalid)


def _check_file(url: str, name: str, partition: int, options: ValidateOptions,
                storage_options: Mapping[str, Any]) -> _Outcome:
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
                      options: ValidateOptions) -> _Outcome:
    size = file_size(path)
    target = get_target(options.target)
    suffix = os.path.splitext(logical_name(path))[1].lower()
    if suffix in CONVERTER_INPUTS and not options.format:
        return _Outcome(_converter_input_report(name, suffix, target, options), [])
    fmt, reason = _format_of(sample_records(path), options, target)
    return _check_events(read_events(path), name, partition, fmt, reason, options, size)


def _check_records(records: Iterable[Any], name: str, partition: int,
                   options: ValidateOptions) -> _Outcome:
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


# --------------------------------------------------------------------------------------------
# Across partitions (a hash shuffle of digests)


def _content_group(key: Key) -> int:
    # An int, not bytes: ints hash the same in every worker process.
    return int.from_bytes(key[0][:GROUP_BYTES], "big")


def _prompt_group(key: Key) -> int:
    assert key[1] is not None
    return int.from_bytes(key[1][:GROUP_BYTES], "big")


def _first_copies(group: tuple[int, list[Key]]) -> list[tuple[str, Any]]:
    """D001 for every later copy of a content, and the first copy of each for D003."""
    by_content: dict[bytes, list[Key]] = {}
    for key in group[1]:
        by_content.setdefault(key[0], []).append(key)
    out: list[tuple[str, Any]] = []
    for members in by_content.values():
        members.sort(key=lambda k: (k[3], k[5]))
        first = members[0]
        for later in members[1:]:
            out.append(("copy", ("D001", later[3], later[4], later[5], first[3], first[4],
                                 0.0)))
        if (first[1] is not None and first[2] is not None) or first[6] is not None:
            out.append(("first", first))
    return out


def _conflicts(group: tuple[int, list[Key]]) -> list[Copy]:
    """D003 for each example whose prompt came earlier with none of its answers so far."""
    by_prompt: dict[bytes | None, list[Key]] = {}
    for key in group[1]:
        by_prompt.setdefault(key[1], []).append(key)
    out: list[Copy] = []
    for members in by_prompt.values():
        members.sort(key=lambda k: (k[3], k[5]))
        first = members[0]
        answers = {first[2]}
        for later in members[1:]:
            if later[2] not in answers:
                answers.add(later[2])
                out.append(("D003", later[3], later[4], later[5], first[3], first[4], 0.0))
    return out


def _has_prompt(key: Key) -> bool:
    return key[1] is not None and key[2] is not None


def _has_sketch(key: Key) -> bool:
    return key[6] is not None


#: Where an example is: (partition, record, line).
Place = tuple[int, int, int]


def _band_entries(key: Key, ranges: Sequence[tuple[int, int]]) -> list[tuple[bytes, Place]]:
    """One entry per LSH band: the band's number and values, as the LSH index hashes them."""
    values = key[6]
    width = len(values) // NUM_PERM  # bytes of one MinHash value
    return [(band.to_bytes(2, "big") + values[start * width:end * width],
             (key[3], key[5], key[4]))
            for band, (start, end) in enumerate(ranges)]


def _band_group(entry: tuple[bytes, Place]) -> int:
    import xxhash

    return int(xxhash.xxh64_intdigest(entry[0])) & 0xFFFF


def _candidates(group: tuple[int, list[tuple[bytes, Place]]]) -> list[tuple[Place, Place]]:
    """(later, earlier) for every two examples sharing an LSH bucket: the index's candidates."""
    buckets: dict[bytes, list[Place]] = {}
    for band, place in group[1]:
        buckets.setdefault(band, []).append(place)
    pairs: set[tuple[Place, Place]] = set()
    for members in buckets.values():
        members.sort()
        for index, later in enumerate(members):
            pairs.update((later, earlier) for earlier in members[:index])
    return sorted(pairs)


def _sketch_entry(key: Key) -> tuple[tuple[int, int], tuple[str, Any, Any]]:
    return (key[3], key[5]), ("values", (key[3], key[5], key[4]), key[6])


def _earlier_entry(pair: tuple[Place, Place]) -> tuple[tuple[int, int], tuple[str, Any, Any]]:
    later, earlier = pair
    return (later[0], later[1]), ("earlier", earlier, None)


def _entry_place(entry: tuple[tuple[int, int], Any]) -> tuple[int, int]:
    return entry[0]


def _to_earlier(group: tuple[tuple[int, int], list[tuple[tuple[int, int], Any]]]
                ) -> list[tuple[tuple[int, int], tuple[str, Any, Any]]]:
    """An example's MinHash values, sent to each earlier candidate of it."""
    values = next(entry for _, entry in group[1] if entry[0] == "values")
    return [((earlier[0], earlier[1]), ("later", values[1], values[2]))
            for _, (kind, earlier, _) in group[1] if kind == "earlier"]


def _verified(group: tuple[tuple[int, int], list[tuple[tuple[int, int], Any]]],
              threshold: float) -> list[Copy]:
    """D002 candidates whose estimated similarity reaches the threshold."""
    entries = [entry for _, entry in group[1]]
    mine = next(entry for entry in entries if entry[0] == "values")
    import numpy

    _, (partition, _, line), data = mine
    dtype = f"u{len(data) // NUM_PERM}"
    values = numpy.frombuffer(data, dtype=dtype)
    out: list[Copy] = []
    for kind, later, later_data in entries:
        if kind != "later":
            continue
        later_values = numpy.frombuffer(later_data, dtype=dtype)
        # The estimate NearIndex.query makes, on the same values.
        similarity = float((later_values == values).mean())
        if similarity >= threshold:
            out.append(("D002", later[0], later[2], later[1], partition, line, similarity))
    return out


def _copy_target(copy: Copy) -> tuple[int, int]:
    return copy[1], copy[3]


def _earliest(best: Copy | None, other: Copy | None) -> Copy:
    # The first copy in dataset order: (partition, line), as the single-machine index finds.
    if best is None:
        assert other is not None
        return other
    if other is None or (best[4], best[5]) <= (other[4], other[5]):
        return best
    return other


def _is_copy(item: tuple[str, Any]) -> bool:
    return item[0] == "copy"


def _is_first(item: tuple[str, Any]) -> bool:
    return item[0] == "first"


def _second(item: tuple[str, Any]) -> Any:
    return item[1]


def _keys_of(outcome: _Outcome) -> list[Key]:
    return outcome.keys


def _report_of(outcome: _Outcome) -> Report:
    return outcome.report


def _duplicate_finding(copy: Copy, names: Sequence[str]) -> Finding:
    code, partition, _, _, first_partition, first_line, _ = copy
    where = (f"line {first_line}" if first_partition == partition
             else f"{names[first_partition]}:{first_line}")
    if code == "D001":
        return Finding("D001", f"duplicate of {where}")
    if code == "D002":
        return Finding("D002", f"near duplicate of {where} (similarity about {copy[6]:.0%})")
    return Finding("D003", f"same prompt as {where} with a different answer")


# --------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True)
class _Partitions:
    """The partitions of a source as dask tasks, and their names."""

    outcomes: list[Any]
    names: list[str]


def _delayed() -> Any:
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
                     storage_options: Mapping[str, Any]) -> _Partitions:
    delayed = _delayed()

    outcomes = [delayed(_check_file, pure=False)(path, path, index, options,
                                                 dict(storage_options))
                for index, path in enumerate(paths)]
    return _Partitions(outcomes, list(paths))


def _record_partitions(parts: Sequence[Any], name: str, options: ValidateOptions,
                       column: str | None = None, *, series: bool = False) -> _Partitions:
    delayed = _delayed()

    names = [f"{name}/part-{index:05d}" for index in range(len(parts))]
    outcomes = []
    for index, part in enumerate(parts):
        records = (delayed(_column)(part, column) if column is not None
                   else delayed(_series)(part) if series else part)
        outcomes.append(delayed(_check_records, pure=False)(records, names[index], index,
                                                            options))
    return _Partitions(outcomes, names)


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


def _partitions_of(source: Any, options: ValidateOptions, column: str | None,
                   name: str | None, storage_options: Mapping[str, Any]) -> _Partitions:
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


# --------------------------------------------------------------------------------------------
# The dataset


def validate_partitions(source: Any, *, client: Any = None, column: str | None = None,
                        name: str | None = None,
                        storage_options: Mapping[str, Any] | None = None,
                        validation_file: str | os.PathLike[str] | None = None,
                        validation_options: Mapping[str, Any] | None = None,
                        **validate_options: Any) -> DatasetReport:
    """Validate a partitioned dataset on Dask: the same verdict as one machine, per partition.

    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> run = validate_partitions("s3://bucket/train/*.jsonl", client=Client("tcp://sched:8786"),
    ...                           target="openai", model="gpt-4.1-mini",
    ...                           storage_options={"anon": False})  # doctest: +SKIP
    >>> [(i.code, i.line, i.message) for i in run.files[3].issues][:1]  # doctest: +SKIP
    [('D001', 17, 'duplicate of s3://bucket/train/part-0000.jsonl:4')]

    ``source`` is a path, a glob or an fsspec URL (``s3://``, ``gs://``, ``memory://``...), a
    list of them (partition order is list order, globs sorted), a ``dask.bag`` of records
    (dicts, JSON text or bytes) or a ``dask.dataframe`` whose ``column`` holds the records (the
    only column when ``column`` is omitted): dicts or JSON text, and dicts that Dask turned into
    their Python ``repr`` (it makes object columns strings). ``client`` is a
    ``dask.distributed.Client``; without one, the scheduler set in ``dask.config``, else the
    active client, else threads in this process run the work. ``name`` prefixes the partitions
    of a bag or dataframe (``<bag>/part-00000``). ``storage_options`` reach fsspec (credentials,
    endpoints); a ``memory://`` file is only visible to workers in this process
    (``dask.config.set(scheduler="threads")``). The other keyword arguments are
    :class:`ftdata.engine.ValidateOptions` fields (``target``, ``model``, ``select``...).

    ``validation_file`` (a local file) is validated on this machine as the dataset's validation
    file (``run.validation``), with ``validation_options`` when given (else the same
    options): count limits do not apply, and its exact copies of training examples are D004,
    naming the first copy's partition and line. Its digests travel to the workers, never the
    training set's. (Near copies of training examples are looked for by ``ftdata validate``
    on one machine only.)

    Raises :class:`ftdata.readers.InputError` when a file cannot be read, ``ValueError`` for
    bad options and :class:`ftdata.integrations.MissingDependency` without Dask.
    """
    dask = require("dask", "validate_partitions")
    require("dask.bag", "validate_partitions")
    options = _options(validate_options)
    storage = dict(storage_options or {})
    setup = token_setup(options)  # an unknown model fails here, before any work
    checked_view(options)  # and a bad trainer, template or tokenizer
    validation = None
    if validation_file is not None:
        validation = _Validation(validation_file, _options(
            validation_options if validation_options is not None else validate_options))
        # The partitions keep their digests for D004 even when D001-D003 are off.
        options = replace(options, index_copies=True)
    partitions = _partitions_of(source, options, column, name, storage)
    reports, copies, leaks = _compute(dask, partitions, client, options,
                                      validation.contents if validation else frozenset())
    run = _dataset_report(reports, copies, partitions.names, options, setup)
    if validation is not None:
        run.validation = validation.report_leaks(leaks, partitions.names)
    return run


class _Validation:
    """The validation file, checked here; its records' content digests, looked for on the
    cluster among the training examples'."""

    def __init__(self, path: str | os.PathLike[str], options: ValidateOptions) -> None:
        self.options = replace(options, count_limits=False)
        self.records: list[tuple[int, int, bytes]] = []  # line, record, content digest
        sink = None
        if "D004" in _Collector(self.options, get_target(options.target)).enabled:
            sink = self._keep
        self.report = validate_path(path, self.options, keys_sink=sink)
        self.report.duplicates = None  # its own copies are reported; the index is not needed
        self.contents = frozenset(content for _, _, content in self.records)

    def _keep(self, line: int, record: int, keys: RecordKeys) -> None:
        self.records.append((line, record, keys.content))

    def report_leaks(self, leaks: Mapping[bytes, tuple[int, int]],
                     names: Sequence[str]) -> Report:
        """The validation report with D004 at each record whose content is in training."""
        collector = _Collector(self.options, get_target(self.options.target))
        for line, record, content in self.records:
            place = leaks.get(content)
            if place is not None:
                partition, first_line = place
                collector.add(Finding("D004", f"also in the training file "
                                              f"({names[partition]}:{first_line})"),
                              line, record)
        report = self.report
        if collector.issues:
            # After every other issue of its line, as one machine reports it.
            report.issues = sorted(report.issues + collector.issues,
                                   key=lambda i: (i.line is not None, i.line or 0,
                                                  i.code == "D004"))
            report.valid_records = _valid_records(report)
        return report


def _options(given: Mapping[str, Any]) -> ValidateOptions:
    fields = set(ValidateOptions.__dataclass_fields__)
    unknown = sorted(set(given) - fields)
    if unknown:
        raise ValueError(f"unknown validate option(s): {', '.join(unknown)}")
    values = dict(given)
    for name in ("select", "ignore"):
        if isinstance(values.get(name), str):
            from ftdata.rules import parse_code_list

            values[name] = parse_code_list(values[name])
    if "extra_models" in values:
        values["extra_models"] = tuple(values["extra_models"])
    return ValidateOptions(**values)


def _compute(dask: Any, partitions: _Partitions, client: Any, options: ValidateOptions,
             wanted: frozenset[bytes] = frozenset(),
             ) -> tuple[list[Report], list[Copy], dict[bytes, tuple[int, int]]]:
    """The partitions' reports, the copies across them, and the first (partition, line) of
    each ``wanted`` content digest among the training examples."""
    db = require("dask.bag", "validate_partitions")
    delayed = _delayed()

    outcomes = partitions.outcomes
    reports = [delayed(_report_of)(outcome) for outcome in outcomes]
    if not outcomes:
        return [], [], {}
    groups = max(1, len(outcomes))
    keys = db.from_delayed([delayed(_keys_of)(outcome) for outcome in outcomes])
    staged = (keys.groupby(_content_group, npartitions=groups, shuffle="tasks")
              .map(_first_copies).flatten())
    copies = staged.filter(_is_copy).map(_second)
    firsts = staged.filter(_is_first).map(_second)
    conflicts = (firsts.filter(_has_prompt)
                 .groupby(_prompt_group, npartitions=groups, shuffle="tasks")
                 .map(_conflicts).flatten())
    found = [copies, conflicts]
    if options.near_duplicates:
        found.append(_near_copies(firsts, groups, options.near_threshold))
    # The wanted digests are one object of the graph, sent once to each worker rather than
    # once within every partition's task.
    leaks = (keys.map_partitions(_wanted_keys, delayed(wanted, pure=True))
             .foldby(_content_of, _earlier_place, None, _earliest_place, None)
             if wanted else db.from_sequence([]))
    # Unoptimised: fusing would copy each partition's check into the bag that reads its
    # digests, and the partition would be checked twice.
    computed_reports, computed_leaks, *computed = dask.compute(
        reports, leaks, *found, scheduler=_scheduler(client), optimize_graph=False)
    return (list(computed_reports), [copy for part in computed for copy in part],
            dict(computed_leaks))


def _wanted_keys(keys: Iterable[Key], wanted: frozenset[bytes]) -> list[Key]:
    return [key for key in keys if key[0] in wanted]


def _content_of(key: Key) -> bytes:
    return key[0]


def _earlier_place(best: tuple[int, int] | None, key: Key) -> tuple[int, int]:
    place = (key[3], key[4])
    return place if best is None or place < best else best


def _earliest_place(one: tuple[int, int] | None, other: tuple[int, int] | None
                    ) -> tuple[int, int] | None:
    if one is None or (other is not None and other < one):
        return other
    return one


def _near_copies(firsts: Any, groups: int, threshold: float) -> Any:
    """D002 over the dataset: the LSH index's bands, shuffled by hash like the digests.

    The bands are those of the single-machine index (same threshold, permutations and
    weights), so the same pairs are candidates and the same earliest match is named. Bands
    travel as places only; MinHash values travel once to find each example's candidates and
    once more to where they are compared.
    """
    from ftdata.rules.duplicates import near_bands

    db = require("dask.bag", "validate_partitions")
    ranges = near_bands(threshold)
    sketched = firsts.filter(_has_sketch)
    sketches = sketched.map(_sketch_entry)
    candidates = (sketched.map(_band_entries, ranges).flatten()
                  .groupby(_band_group, npartitions=groups, shuffle="tasks")
                  .map(_candidates).flatten().map(_earlier_entry))
    routed = (db.concat([sketches, candidates])
              .groupby(_entry_place, npartitions=groups, shuffle="tasks")
              .map(_to_earlier).flatten())
    found = (db.concat([sketches, routed])
             .groupby(_entry_place, npartitions=groups, shuffle="tasks")
             .map(_verified, threshold).flatten())
    return found.foldby(_copy_target, _earliest, None, _earliest, None).map(_second)


def _scheduler(client: Any) -> Any:
    """The given client, else Dask's choice (``dask.config`` ``scheduler``, then the active
    client), else threads in this process."""
    if client is not None:
        return client
    chosen = require("dask.base", "validate_partitions").get_scheduler()
    return chosen if chosen is not None else "threads"


def _dataset_report(reports: list[Report], copies: list[Copy], names: Sequence[str],
                    options: ValidateOptions, setup: TokenSetup | None) -> DatasetReport:
    target = get_target(options.target)
    collector = _Collector(options, target)
    by_partition: dict[int, list[Copy]] = {}
    for copy in copies:
        by_partition.setdefault(copy[1], []).append(copy)
    for index, report in enumerate(reports):
        found = by_partition.get(index)
        extra: list[Issue] = []
        if found:
            collector.issues = []
            for copy in sorted(found, key=lambda c: c[3]):
                collector.add(_duplicate_finding(copy, names), copy[2], copy[3])
            extra = collector.issues
        if index == 0:
            collector.issues = []
            for finding in _dataset_findings(reports, names, target, options):
                collector.add(finding, None, None)
            extra = collector.issues + extra
        if extra:
            report.issues = _sorted(report.issues + extra)
            report.valid_records = _valid_records(report)
    accumulator = StatsAccumulator()
    for report in reports:
        if report.accumulator is not None:
            accumulator.merge(report.accumulator)
    stats = _dataset_stats(accumulator, setup)
    view = checked_view(options)
    if view is not None:
        stats["trainer"] = accumulator.view_summary(view)
    return DatasetReport(reports, stats, accumulator)


def _dataset_findings(reports: Sequence[Report], names: Sequence[str], target: Target,
                      options: ValidateOptions) -> list[Finding]:
    """F007/F010 and Q007 over the whole dataset: it is the training set, its partitions are
    not."""
    return _count_findings(reports, target, options) + _prompt_findings(reports, names)


def _prompt_findings(reports: Sequence[Report], names: Sequence[str]) -> list[Finding]:
    """Q007 over every partition's system prompts, in partition order."""
    tallies = [(index, report.system_prompts) for index, report in enumerate(reports)
               if report.system_prompts is not None]
    if not tallies:
        return []
    dataset = SystemPromptTally()
    for index, tally in tallies:
        dataset.merge(tally, functools.partial(_place, index))

    def where(place: tuple[int, int]) -> str:
        partition, line = place
        return f"line {line}" if partition == 0 else f"{names[partition]}:{line}"

    return dataset.findings(where)


def _place(partition: int, line: int) -> tuple[int, int]:
    return partition, line


def _count_findings(reports: Sequence[Report], target: Target,
                    options: ValidateOptions) -> list[Finding]:
    if not options.count_limits:
        return []
    records = sum(report.records for report in reports)
    parts = f" in {len(reports):,} partition{'s' if len(reports) != 1 else ''}"
    findings = []
    if records < target.min_examples:
        have = "no examples" if records == 0 else f"{records:,} example" + (
            "s" if records != 1 else "")
        findings.append(Finding("F007", f"the dataset has {have}{parts}; {target.id} needs "
                                        f"at least {target.min_examples}"))
    if target.max_examples is not None and records > target.max_examples:
        findings.append(Finding("F010", f"the dataset has {records:,} examples{parts}; "
                                        f"{target.id} accepts at most "
                                        f"{target.max_examples:,}"))
    return findings


def _dataset_stats(accumulator: StatsAccumulator, setup: TokenSetup | None
                   ) -> dict[str, Any]:
    """A file's ``stats`` for the whole dataset, with epochs, billed tokens and cost."""
    stats: dict[str, Any] = {"examples": accumulator.examples, **accumulator.structure()}
    if setup is None:
        return stats
    from ftdata.billing import auto_epochs, billed_tokens, estimate_cost

    examples = accumulator.examples
    epochs = auto_epochs(examples) if examples else 0
    billed = billed_tokens(accumulator.tokens, setup.limit, epochs)
    return {"tokenizer": setup.counter.name,
            "estimated": setup.counter.estimated or accumulator.estimated,
            "max_tokens_per_example": setup.limit, "tokens": accumulator.token_summary(),
            "over_limit": accumulator.over_limit, **stats, "epochs": epochs,
            "billed_tokens": billed,
            "cost": estimate_cost(billed, setup.model) if setup.model else None}


def local_cluster_client(address: str | None = None) -> Any:
    """A client of the scheduler at ``address``, or of a new ``LocalCluster`` sized to the machine.

    >>> client = local_cluster_client()  # doctest: +SKIP
    >>> client.close()  # doctest: +SKIP

    The local cluster runs one single-threaded worker process per core (the check holds the
    GIL), listens on the loopback interface only, and closes with the client.
    """
    try:
        distributed = require("distributed", "--engine dask")
    except ImportError:
        raise MissingDependency("--engine dask needs dask.distributed: "
                                "pip install 'ftdata[dask]'") from None
    if address is not None:
        return distributed.Client(address, timeout="20s")
    from ftdata.parallel import available_cores

    cluster = distributed.LocalCluster(n_workers=available_cores(), threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0")
    client = distributed.Client(cluster)
    client._ftdata_cluster = cluster  # closed with the client by ``close_client``
    return client


def close_client(client: Any) -> None:
    """Close a client from :func:`local_cluster_client`, and its cluster when it made one."""
    cluster = getattr(client, "_ftdata_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
