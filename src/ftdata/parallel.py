"""Running the per-record check in worker processes, results merged back in file order.

The parent reads the file (it is fast: parsing and checking are the cost) and hands batches of
raw records to a pool of processes running :class:`ftdata.engine.RecordChecker`; at most a few
batches per worker are in flight, so memory stays flat however large the file. Everything that
depends on order (line numbers, the duplicate index, statistics) is merged in the parent, so
the result is the same as with one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from typing import TYPE_CHECKING, TypeVar

from ftdata.readers import RawRecord

if TYPE_CHECKING:
    from ftdata.engine import RecordResult

Item = TypeVar("Item")
Checker = Callable[[bytes], "RecordResult"]

#: A batch holds about this many bytes of records (and at most BATCH_RECORDS records).
BATCH_BYTES = 1 << 20
BATCH_RECORDS = 2000
#: Batches in flight per worker: enough to keep every worker busy, few enough to stay flat.
IN_FLIGHT_PER_WORKER = 3
#: Below this size a file is checked in the calling process: starting workers costs more.
PARALLEL_MIN_BYTES = 8 << 20

_worker_checker: Checker | None = None


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


def _init_worker(checker: Checker) -> None:
    global _worker_checker
    _worker_checker = checker


def _check_batch(batch: list[bytes]) -> list[RecordResult]:
    checker = _worker_checker
    assert checker is not None
    results = []
    for data in batch:
        result = checker(data)
        result.example = None  # the summary travels back, the example does not
        results.append(result)
    return results


def check_events(events: Iterable[Item], checker: Checker, jobs: int
                 ) -> Iterator[tuple[Item, RecordResult | None]]:
    """Each event with the check of its record (``None`` for events that are not records)."""
    if jobs <= 1:
        for event in events:
            yield event, checker(event.data) if isinstance(event, RawRecord) else None
        return
    yield from _parallel(events, checker, jobs)


def _batches(events: Iterable[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    size = records = 0
    for event in events:
        batch.append(event)
        if isinstance(event, RawRecord):
            size += len(event.data)
            records += 1
            if size >= BATCH_BYTES or records >= BATCH_RECORDS:
                yield batch
                batch, size, records = [], 0, 0
    if batch:
        yield batch


def _context() -> multiprocessing.context.BaseContext:
    # fork shares the loaded tokenizer with the workers; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _parallel(events: Iterable[Item], checker: Checker, jobs: int
              ) -> Iterator[tuple[Item, RecordResult | None]]:
    pending: deque[tuple[list[Item], AsyncResult[list[RecordResult]]]] = deque()
    pool: Pool = _context().Pool(jobs, initializer=_init_worker, initargs=(checker,))
    try:
        for batch in _batches(events):
            records = [event.data for event in batch if isinstance(event, RawRecord)]
            pending.append((batch, pool.apply_async(_check_batch, (records,))))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield from _merge(*pending.popleft())
        while pending:
            yield from _merge(*pending.popleft())
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _merge(batch: list[Item], outcome: AsyncResult[list[RecordResult]]
           ) -> Iterator[tuple[Item, RecordResult | None]]:
    results = iter(outcome.get())
    for event in batch:
        yield event, next(results) if isinstance(event, RawRecord) else None
