"""The input is read once: every command opens each input path once per process that reads it.

Opens are counted with an audit hook on ``open`` (``io.open``, ``os.open`` and everything built
on them, gzip included), which forked worker processes inherit: each process writes its id to
a pipe-like log for every open of a watched path, and the test counts them per process.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ftdata import parallel
from ftdata.cli import cli
from tests.render.helpers import chat

#: The watched paths and the descriptor the hook logs to (shared by forked workers).
_WATCH: dict[str, Any] = {"paths": frozenset(), "fd": None}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _WATCH["paths"] or not isinstance(args[0], str | bytes | Path):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if path in _WATCH["paths"]:
        os.write(_WATCH["fd"], f"{os.getpid()}\n".encode())


sys.addaudithook(_hook)  # hooks cannot be removed: it does nothing outside `opens`


class Opens:
    """The opens of the watched paths, by process id, since the watch began."""

    def __init__(self, log: str) -> None:
        self.log = log

    def by_process(self) -> Counter[int]:
        with open(self.log, encoding="ascii") as stream:
            return Counter(int(line) for line in stream.read().split())


@pytest.fixture
def opens() -> Iterator[Any]:
    folder = tempfile.mkdtemp(prefix="opens-")
    log = os.path.join(folder, "log")
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def watch(*paths: Path) -> Opens:
        _WATCH["paths"] = frozenset(os.path.abspath(path) for path in paths)
        _WATCH["fd"] = fd
        return Opens(log)

    try:
        yield watch
    finally:
        _WATCH["paths"] = frozenset()
        os.close(fd)


def _records(count: int) -> list[dict[str, Any]]:
    # Some records have issues (an empty answer, a duplicate), so every renderer has work.
    records = [chat(f"question {index}", f"answer {index}") for index in range(count)]
    records[3] = chat("question 3", "")
    records[7] = records[5]
    return records


def _write(tmp_path: Path, kind: str, count: int = 40) -> Path:
    records = _records(count)
    if kind == "json":
        path = tmp_path / "train.json"
        path.write_text(json.dumps(records, indent=2), encoding="utf-8")
        return path
    text = "".join(json.dumps(record) + "\n" for record in records)
    if kind == "gzip":
        path = tmp_path / "train.jsonl.gz"
        path.write_bytes(gzip.compress(text.encode()))
        return path
    path = tmp_path / "train.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


KINDS = ["plain", "gzip", "json"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("progress", [False, True])
def test_validate_opens_its_input_once(tmp_path: Path, opens: Any, kind: str, output: str,
                                       progress: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, kind)
    if progress:  # the bar is drawn for any file, as on a terminal
        monkeypatch.setattr("ftdata.render.progress.wants_progress", lambda *_: True)
    watched = opens(path)
    out = _invoke("validate", str(path), "--output-format", output)
    assert "C002" in out and "D001" in out  # the issues were found and rendered
    assert watched.by_process() == Counter({os.getpid(): 1})


@pytest.mark.parametrize("kind", KINDS)
def test_stats_fix_convert_and_render_open_their_input_once(tmp_path: Path, opens: Any,
                                                     kind: str) -> None:
    path = _write(tmp_path, kind)
    for args in (["stats", str(path)],
                 ["stats", str(path), "--output-format", "json"],
                 ["fix", str(path), "-o", str(tmp_path / "fixed.jsonl")],
                 ["convert", str(path), "-o", str(tmp_path / "out.jsonl"), "--to", "sharegpt"],
                 ["render", f"{path}:2", "--template", "qwen3"]):
        watched = opens(path)
        _invoke(*args)
        assert watched.by_process() == Counter({os.getpid(): 1}), args
        os.truncate(watched.log, 0)


def test_validate_with_a_model_opens_its_input_once(tmp_path: Path, opens: Any) -> None:
    path = _write(tmp_path, "plain")
    watched = opens(path)
    _invoke("validate", str(path), "--model", "gpt-4o-mini")
    assert watched.by_process() == Counter({os.getpid(): 1})


@pytest.mark.parametrize("output", ["text", "sarif"])
def test_workers_reading_ranges_open_the_file_once_each(tmp_path: Path, opens: Any,
                                                         output: str,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """The parallel route: the calling process opens the file once (to tell its format from
    the first records and cut the rest into ranges); each worker opens it at most once,
    however many ranges it reads, and there are more ranges than workers."""
    path = _write(tmp_path, "plain", count=3000)
    monkeypatch.setattr(parallel, "BATCH_BYTES", path.stat().st_size // 12)
    watched = opens(path)
    out = _invoke("validate", str(path), "--jobs", "2", "--output-format", output)
    assert "C002" in out
    counts = watched.by_process()
    assert counts[os.getpid()] == 1
    workers = {pid: count for pid, count in counts.items() if pid != os.getpid()}
    assert 1 <= len(workers) <= 2
    assert set(workers.values()) == {1}


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_dask_partitions_open_their_file_once(tmp_path: Path, opens: Any, kind: str) -> None:
    dask = pytest.importorskip("dask")
    from ftdata.integrations.dask import validate_partitions

    path = _write(tmp_path, kind)
    watched = opens(path)
    with dask.config.set(scheduler="sync"):
        report = validate_partitions([str(path)])
    assert {issue.code for issue in report.issues} >= {"C002", "D001"}
    assert watched.by_process() == Counter({os.getpid(): 1})
