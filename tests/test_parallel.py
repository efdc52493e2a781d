"""Worker processes give exactly the single-process result: issues, duplicates, statistics."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.generate import generate

from ftdata import parallel
from ftdata.engine import ValidateOptions, validate_path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.jsonl"
    generate(str(path), 1_500_000, seed=11)
    return path


@pytest.mark.parametrize("tokens", [False, True])
def test_two_workers_match_one_process(dataset: Path, tokens: bool,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_RECORDS", 50)  # many batches, many merges
    options = ValidateOptions(model="gpt-4o-mini" if tokens else None, count_tokens=tokens)
    one = validate_path(dataset, ValidateOptions(**{**options.__dict__, "jobs": 1}))
    two = validate_path(dataset, ValidateOptions(**{**options.__dict__, "jobs": 2}))
    assert two.to_dict() == one.to_dict()
    codes = {issue.code for issue in one.issues}
    assert {"D001", "C002"} <= codes  # the generator plants copies and defects
    if tokens:
        assert one.stats["tokens"]["total"] > 0
        assert one.accumulator is not None and two.accumulator is not None
        assert two.accumulator.tokens.counts == one.accumulator.tokens.counts


def test_a_file_that_starts_with_a_byte_order_mark_loses_no_record(dataset: Path,
                                                                    tmp_path: Path) -> None:
    # With --format there is no detection to read ahead: the first line, whose F005 comes
    # before its record, is read before the workers' ranges start after it.
    marked = tmp_path / "bom.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + dataset.read_bytes())
    options = ValidateOptions(format="openai-chat", count_tokens=False)
    one = validate_path(marked, ValidateOptions(**{**options.__dict__, "jobs": 1}))
    two = validate_path(marked, ValidateOptions(**{**options.__dict__, "jobs": 2}))
    assert two.records == one.records
    assert two.to_dict() == one.to_dict()
    assert "F005" in {issue.code for issue in one.issues}


def test_small_files_stay_in_one_process() -> None:
    assert parallel.choose_jobs(None, 1000) == 1
    assert parallel.choose_jobs(None, None) == 1
    assert parallel.choose_jobs(None, parallel.PARALLEL_MIN_BYTES) == parallel.available_cores()
    assert parallel.choose_jobs(3, 10) == 3


def test_library_takes_a_number_of_jobs(dataset: Path) -> None:
    import ftdata

    one = ftdata.validate(dataset, tokens=False, jobs=1)
    assert ftdata.validate(dataset, tokens=False, jobs=2).to_dict() == one.to_dict()
    for wrong in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="jobs must be a whole number"):
            ftdata.validate(dataset, tokens=False, jobs=wrong)  # type: ignore[arg-type]


def _termination_action(_: int) -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_workers_end_at_once_on_sigterm() -> None:
    # The command unwinds on SIGTERM through a Python handler, which a forked worker inherits;
    # a worker must go back to the default action, or Pool.terminate can wait for it forever.
    import multiprocessing
    import signal

    def unwind(number: int, frame: object) -> None:
        raise SystemExit(128 + number)

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(2, initializer=parallel._init_worker, initargs=(None,)) as pool:
            assert pool.map(_termination_action, range(4), chunksize=1) == [True] * 4
    finally:
        signal.signal(signal.SIGTERM, previous)
