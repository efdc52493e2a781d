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
(``pip install 'ftdata[dask]'``). The partitions (their sources and the check of each) are
:mod:`ftdata.integrations._dask_partitions`, the shuffles :mod:`ftdata.integrations._dask_shuffle`;
this module runs them and judges the dataset.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ftdata.diagnostics import Finding, Issue, Severity
from ftdata.engine import (
    IssueCollector,
    TokenSetup,
    ValidateOptions,
    checked_view,
    token_setup,
    validate_path,
)
from ftdata.integrations import MissingDependency, require
from ftdata.integrations._dask_partitions import (
    Key,
    Partitions,
    dask_delayed,
    expand_paths,
    partitions_of,
)
from ftdata.integrations._dask_shuffle import (
    Copy,
    band_candidates,
    band_entries,
    band_group,
    content_group,
    copy_target,
    duplicate_finding,
    earlier_entry,
    earliest,
    entry_place,
    first_copies,
    has_prompt,
    has_sketch,
    is_copy,
    is_first,
    keys_of,
    prompt_conflicts,
    prompt_group,
    report_of,
    second,
    sketch_entry,
    to_earlier,
    verified,
)
from ftdata.report import Report
from ftdata.rules.duplicates import RecordKeys
from ftdata.rules.file import count_findings
from ftdata.rules.quality import SystemPromptTally
from ftdata.statistics import StatsAccumulator
from ftdata.targets import Target, get_target

__all__ = ["DatasetReport", "close_client", "expand_paths", "local_cluster_client",
           "validate_partitions"]

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
    partitions = partitions_of(source, options, column, name, storage)
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
        if "D004" in IssueCollector(self.options, get_target(options.target)).enabled:
            sink = self._keep
        self.report = validate_path(path, self.options, keys_sink=sink)
        self.report.duplicates = None  # its own copies are reported; the index is not needed
        self.contents = frozenset(content for _, _, content in self.records)

    def _keep(self, line: int, record: int, keys: RecordKeys) -> None:
        self.records.append((line, record, keys.content))

    def report_leaks(self, leaks: Mapping[bytes, tuple[int, int]],
                     names: Sequence[str]) -> Report:
        """The validation report with D004 at each record whose content is in training."""
        collector = IssueCollector(self.options, get_target(self.options.target))
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


def _compute(dask: Any, partitions: Partitions, client: Any, options: ValidateOptions,
             wanted: frozenset[bytes] = frozenset(),
             ) -> tuple[list[Report], list[Copy], dict[bytes, tuple[int, int]]]:
    """The partitions' reports, the copies across them, and the first (partition, line) of
    each ``wanted`` content digest among the training examples."""
    db = require("dask.bag", "validate_partitions")
    delayed = dask_delayed()

    outcomes = partitions.outcomes
    reports = [delayed(report_of)(outcome) for outcome in outcomes]
    if not outcomes:
        return [], [], {}
    groups = max(1, len(outcomes))
    keys = db.from_delayed([delayed(keys_of)(outcome) for outcome in outcomes])
    staged = (keys.groupby(content_group, npartitions=groups, shuffle="tasks")
              .map(first_copies).flatten())
    copies = staged.filter(is_copy).map(second)
    firsts = staged.filter(is_first).map(second)
    conflicts = (firsts.filter(has_prompt)
                 .groupby(prompt_group, npartitions=groups, shuffle="tasks")
                 .map(prompt_conflicts).flatten())
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
    sketched = firsts.filter(has_sketch)
    sketches = sketched.map(sketch_entry)
    candidates = (sketched.map(band_entries, ranges).flatten()
                  .groupby(band_group, npartitions=groups, shuffle="tasks")
                  .map(band_candidates).flatten().map(earlier_entry))
    routed = (db.concat([sketches, candidates])
              .groupby(entry_place, npartitions=groups, shuffle="tasks")
              .map(to_earlier).flatten())
    found = (db.concat([sketches, routed])
             .groupby(entry_place, npartitions=groups, shuffle="tasks")
             .map(verified, threshold).flatten())
    return found.foldby(copy_target, earliest, None, earliest, None).map(second)


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
    collector = IssueCollector(options, target)
    by_partition: dict[int, list[Copy]] = {}
    for copy in copies:
        by_partition.setdefault(copy[1], []).append(copy)
    for index, report in enumerate(reports):
        found = by_partition.get(index)
        extra: list[Issue] = []
        if found:
            collector.issues = []
            for copy in sorted(found, key=lambda c: c[3]):
                collector.add(duplicate_finding(copy, names), copy[2], copy[3])
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
    parts = f" in {len(reports):,} partition{'s' if len(reports) != 1 else ''}"
    return count_findings(sum(report.records for report in reports), target,
                          whole="the dataset", where=parts)


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
