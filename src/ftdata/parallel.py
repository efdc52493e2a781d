"""Running the per-record check in worker processes, results merged back in file order.

A plain JSON Lines file is cut into byte ranges at line starts after the records already read
ahead (:meth:`ftdata.readers.FileEvents.ranges`), and each worker reads its ranges itself, so
the file's bytes never pass through the merging process. Other inputs (gzip, JSON documents,
records in memory, a file read with a progress bar) are read by the calling process, which
hands batches of raw records to the workers. Either way at most a few tasks per worker are in
flight, so memory stays flat however large the file.

Workers send back one compact tuple per record, not the record's objects: pickling a list of
dataclasses costs several times more than the check's own bookkeeping, and the merging process
sits on the critical path. Everything that depends on order (line numbers, the duplicate index,
statistics) is merged by the caller in file order, so the result is the same as with one
process.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from ftdata.readers import (
    CheckedRecord,
    Event,
    FileEvents,
    LineFinding,
    RawRecord,
    blank_lines,
    range_events,
)
from ftdata.statistics import ExampleSummary

if TYPE_CHECKING:
    import multiprocessing.context
    from multiprocessing.pool import AsyncResult, Pool

    from ftdata.engine import RecordChecker
    from ftdata.results import RecordResult

Item = TypeVar("Item")
Checker = Callable[[bytes], "RecordResult"]

#: A task covers about this many bytes of records (and at most BATCH_RECORDS records when the
#: calling process reads): large enough that a task's overhead is noise, small enough that the
#: workers finish together.
BATCH_BYTES = 1 << 20
BATCH_RECORDS = 2000
#: Tasks in flight per worker: enough to keep every worker busy, few enough to stay flat.
IN_FLIGHT_PER_WORKER = 3
#: Below this size a file is checked in the calling process: starting workers costs more.
PARALLEL_MIN_BYTES = 8 << 20
#: From this size on, the calling process checks records in batches whose texts are scanned
#: together (:meth:`ftdata.engine.RecordChecker.check_batch`): compiling the scan's patterns
#: costs about 80 ms of CPU, which the batches win back after a couple of thousand records.
BATCH_SCAN_MIN_BYTES = 4 << 20
#: Records in such a batch: enough that a scan's overhead is noise, few enough that results
#: come in steadily.
SCAN_BATCH_RECORDS = 256

#: One record's result as it travels: (findings or None, foreign format, digests, summary,
#: tokens, trainer's view), the last four as plain tuples or None.
Row = tuple[Any, ...]
#: A range's result: the lines it spans, its events in order (a record's row is prefixed with
#: its line within the range; reader findings travel as they are) and whether reading failed.
RangeResult = tuple[int, list[Any], bool]

_SUMMARY_FIELDS = tuple(field.name for field in fields(ExampleSummary))

_worker_checker: Checker | None = None
#: The files a worker reads ranges of, each opened once per worker.
_worker_files: dict[str, BinaryIO] = {}


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def choose_jobs(requested: int | None, size: int | None) -> int:
    """``requested`` processes, or all cores when ``None``; one for small or unknown sizes."""
    if requested is not None:
        return max(1, requested)
    if size is None or size < PARALLEL_MIN_BYTES:
        return 1
    return available_cores()


def check_events(events: Iterable[Item], checker: RecordChecker | Checker, jobs: int
                 ) -> Iterator[tuple[Item | RawRecord | LineFinding, RecordResult | None]]:
    """Each event with the check of its record (``None`` for events that are not records).

    With several jobs the events of a plain JSON Lines file are read by the workers: the
    records they yield carry their line but not their bytes.
    """
    if jobs <= 1:
        batched = getattr(checker, "check_batch", None)
        if batched is None or not _worth_a_batch_scan(events):
            for event in events:
                yield event, checker(event.data) if isinstance(event, RawRecord) else None
            return
        for batch in _batches(events, SCAN_BATCH_RECORDS):
            results = iter(batched([event.data for event in batch
                                    if isinstance(event, RawRecord)]))
            for event in batch:
                yield event, next(results) if isinstance(event, RawRecord) else None
        return
    prepare = getattr(checker, "prepare_batches", None)
    if prepare is not None:
        prepare()  # compiled once here, not in each worker
    if isinstance(events, FileEvents) and not events.started:
        plan = events.ranges(BATCH_BYTES)
        if plan is not None:
            ahead, lines, ranges = plan
            yield from _parallel_ranges(os.fspath(events.path), ranges, checker, jobs,
                                        ahead=ahead, lines=lines, digests=events.digests)
            return
    yield from _parallel_batches(events, checker, jobs)


def _worth_a_batch_scan(events: Iterable[Any]) -> bool:
    """Whether a single process should batch-scan ``events``: a file of at least
    :data:`BATCH_SCAN_MIN_BYTES` (other inputs, whose size is unknown here, are not)."""
    if not isinstance(events, FileEvents):
        return False
    try:
        return os.path.getsize(events.path) >= BATCH_SCAN_MIN_BYTES
    except (OSError, TypeError, ValueError):
        return False


# -- in the workers ---------------------------------------------------------------------------


def _init_worker(checker: Checker) -> None:
    global _worker_checker
    _worker_checker = checker
    # A forked worker inherits the command's Python-level SIGTERM handler (ftdata.cli.common),
    # which runs only between bytecodes: a SIGTERM from Pool.terminate that lands just before
    # the worker blocks on the task queue's lock is then never acted on, and the pool waits
    # for it forever. The default action ends the worker at once, as the pool expects.
    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _row(result: RecordResult) -> Row:
    keys, summary, tokens = result.keys, result.summary, result.tokens
    return (result.findings or None, result.foreign_format,
            None if keys is None else (keys.content, keys.prompt, keys.answer, keys.minhash,
                                       keys.pair),
            None if summary is None else tuple([getattr(summary, name)
                                                for name in _SUMMARY_FIELDS]),
            None if tokens is None else (tokens.total, tokens.trainable, tokens.estimated,
                                         tokens.reasoning),
            result.view)


def _check_batch(batch: list[bytes]) -> list[Row]:
    checker = _worker_checker
    assert checker is not None
    batched = getattr(checker, "check_batch", None)
    if batched is not None:
        return [_row(result) for result in batched(batch)]
    return [_row(checker(data)) for data in batch]


def _worker_file(path: str) -> BinaryIO:
    raw = _worker_files.get(path)
    if raw is None:
        raw = _worker_files[path] = open(path, "rb", buffering=0)  # noqa: SIM115 - per worker
    return raw


def _check_range(task: tuple[str, int, int, bool]) -> RangeResult:
    checker = _worker_checker
    assert checker is not None
    path, start, end, digests = task
    out: list[Any] = []
    lines = 0
    failed = False
    records: list[RawRecord] = []
    try:
        events = range_events(_worker_file(path), start, end)
    except OSError as error:
        events = iter([LineFinding("F002", f"the file cannot be read to the end: {error}",
                                   None)])
    for event in events:
        if isinstance(event, RawRecord):
            out.append(None)  # the record's row, filled in below
            records.append(event)
            lines = event.line
        else:
            out.append(event)
            if event.line is None:
                failed = True  # the file could not be read on: nothing after this counts
                break
            lines = max(lines, event.line + event.count - 1)
    batched = getattr(checker, "check_batch", None)
    results = iter(batched([record.data for record in records]) if batched is not None
                   else [checker(record.data) for record in records])
    rows = iter(records)
    for index, item in enumerate(out):
        if item is None:
            record = next(rows)
            digest = hashlib.sha256(record.data).hexdigest() if digests else None
            out[index] = (record.line, digest, *_row(next(results)))
    return lines, out, failed


# -- in the calling process --------------------------------------------------------------------


class _Results:
    """Rebuilds record results from rows. Summaries repeat (the same roles, the same system
    prompt), so equal ones are built once and shared: they are immutable."""

    LIMIT = 4096

    def __init__(self) -> None:
        from ftdata.results import RecordResult
        from ftdata.rules.duplicates import RecordKeys
        from ftdata.tokens import ExampleTokens

        self.result, self.keys, self.tokens = RecordResult, RecordKeys, ExampleTokens
        self.summaries: dict[tuple[Any, ...], ExampleSummary] = {}

    def __call__(self, findings: list[Any] | None, foreign: str | None,
                 keys: tuple[Any, ...] | None, summary: tuple[Any, ...] | None,
                 tokens: tuple[Any, ...] | None,
                 view: tuple[int, int, int, bool, bool] | None = None) -> RecordResult:
        shared = None
        if summary is not None:
            shared = self.summaries.get(summary)
            if shared is None:
                if len(self.summaries) >= self.LIMIT:
                    self.summaries.clear()
                shared = self.summaries[summary] = ExampleSummary(*summary)
        return self.result(findings if findings is not None else [], None, foreign,
                           None if tokens is None else self.tokens(*tokens),
                           None if keys is None else self.keys(*keys), shared, view)


def _context() -> multiprocessing.context.BaseContext:
    # Imported here: a small file is checked in one process and never needs it (start-up).
    import multiprocessing

    # fork shares the loaded tokenizer with the workers; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _in_order(tasks: Iterable[tuple[Item, Callable[..., Any], tuple[Any, ...]]],
              checker: RecordChecker | Checker, jobs: int
              ) -> Iterator[tuple[Item, Any]]:
    """Run ``function(*args)`` of each task in the pool; yield (tag, outcome) in task order."""
    pending: deque[tuple[Item, AsyncResult[Any]]] = deque()
    pool: Pool = _context().Pool(jobs, initializer=_init_worker, initargs=(checker,))
    try:
        for tag, function, args in tasks:
            pending.append((tag, pool.apply_async(function, args)))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                tag, outcome = pending.popleft()
                yield tag, outcome.get()
        while pending:
            tag, outcome = pending.popleft()
            yield tag, outcome.get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _parallel_ranges(path: str, ranges: list[tuple[int, int]],
                     checker: RecordChecker | Checker, jobs: int, *,
                     ahead: Sequence[Event] = (), lines: int = 0, digests: bool = False
                     ) -> Iterator[tuple[RawRecord | LineFinding, RecordResult | None]]:
    """The events read ahead (for format detection, spanning ``lines`` lines) go to the
    workers as one batch; the ranges after them are read by the workers themselves."""
    first: list[tuple[Sequence[Event] | None, Callable[..., Any], tuple[Any, ...]]] = []
    if ahead:
        first.append((ahead, _check_batch,
                      ([event.data for event in ahead if isinstance(event, RawRecord)],)))
    tasks = itertools.chain(first, ((None, _check_range, ((path, start, end, digests),))
                                    for start, end in ranges))
    result = _Results()
    base = lines  # lines before the range
    blank: LineFinding | None = None  # a run of blank lines that may go on in the next range
    for batch, outcome in _in_order(tasks, checker, jobs):
        if batch is not None:  # the events read ahead, end with a record: no blank run open
            rows = iter(outcome)
            for event in batch:
                assert isinstance(event, RawRecord | LineFinding)
                yield event, result(*next(rows)) if isinstance(event, RawRecord) else None
            continue
        lines, out, failed = outcome
        for item in out:
            if isinstance(item, LineFinding):
                line = None if item.line is None else base + item.line
                if item.code == "F004" and line is not None:
                    if blank is not None and blank.line is not None \
                            and blank.line + blank.count == line:
                        blank = blank_lines(blank.line, blank.count + item.count)
                    else:
                        if blank is not None:
                            yield blank, None
                        blank = blank_lines(line, item.count)
                    continue
                if blank is not None:
                    yield blank, None
                    blank = None
                yield LineFinding(item.code, item.message, line, item.count), None
            else:
                if blank is not None:
                    yield blank, None
                    blank = None
                number, digest, *row = item
                yield CheckedRecord(base + number, b"", digest), result(*row)
        if failed:
            break
        base += lines
    if blank is not None:
        yield blank, None


def _batches(events: Iterable[Item], most: int = BATCH_RECORDS) -> Iterator[list[Item]]:
    batch: list[Item] = []
    size = records = 0
    for event in events:
        batch.append(event)
        if isinstance(event, RawRecord):
            size += len(event.data)
            records += 1
            if size >= BATCH_BYTES or records >= most:
                yield batch
                batch, size, records = [], 0, 0
    if batch:
        yield batch


def _parallel_batches(events: Iterable[Item], checker: RecordChecker | Checker, jobs: int
                      ) -> Iterator[tuple[Item, RecordResult | None]]:
    tasks = ((batch, _check_batch,
              ([event.data for event in batch if isinstance(event, RawRecord)],))
             for batch in _batches(events))
    result = _Results()
    for batch, rows in _in_order(tasks, checker, jobs):
        results = iter(rows)
        for event in batch:
            yield event, result(*next(results)) if isinstance(event, RawRecord) else None
