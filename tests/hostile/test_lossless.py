"""Nothing lost, nothing injected: every record read is written or said to be skipped, with a
non-zero exit when some are lost; a pair of outputs is switched consistently; a terminated run
leaves no temporary file; odd file names and non-seekable inputs work."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ftdata.fixes import fix_file
from ftdata.split import split_file
from tests.hostile.conftest import assert_clean_exit, ftdata

RECORD = {"messages": [{"role": "user", "content": "Hi"},
                       {"role": "assistant", "content": "Hello"}]}


def chat(number: int) -> dict[str, object]:
    return {"messages": [{"role": "user", "content": f"Question {number}?"},
                         {"role": "assistant", "content": f"Answer {number}."}]}


def jsonl(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps(chat(number)) + "\n" for number in range(count)))
    return path


def truncated_gzip(path: Path, count: int = 12) -> Path:
    whole = gzip.compress("".join(json.dumps(chat(n)) + "\n" for n in range(count)).encode())
    path.write_bytes(whole[:len(whole) * 2 // 3])
    return path


# -- fix and split lose nothing silently -------------------------------------------------------


def test_fix_of_a_truncated_gzip_says_so_and_exits_1(tmp_path: Path) -> None:
    source = truncated_gzip(tmp_path / "in.jsonl.gz")
    result = fix_file(source, tmp_path / "out.jsonl")
    assert result.read == result.written + result.dropped + len(result.skipped)
    assert any(item["line"] is None and "cannot be read to the end" in item["reason"]
               for item in result.skipped)
    run = ftdata("fix", source, "-o", "out2.jsonl", cwd=tmp_path)
    assert_clean_exit(run, allowed=(1,))
    assert "cannot be read to the end" in run.stdout


def test_fix_counts_an_oversized_line_as_skipped(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first = json.dumps(RECORD)
    monkeypatch.setattr("ftdata.readers.MAX_LINE_BYTES", len(first) + 10)
    source = tmp_path / "in.jsonl"
    source.write_text(first + "\n" + json.dumps({"text": "x" * 200}) + "\n")
    result = fix_file(source, tmp_path / "out.jsonl")
    assert (result.read, result.written, len(result.skipped)) == (2, 1, 1)
    assert result.skipped[0]["line"] == 2 and "over the" in result.skipped[0]["reason"]
    assert result.to_dict()["skipped"] == result.skipped


def test_split_of_a_truncated_gzip_says_so_and_exits_1(tmp_path: Path) -> None:
    source = truncated_gzip(tmp_path / "in.jsonl.gz", 40)
    result = split_file(source, tmp_path / "out", validation=0.25)
    assert result.read == (result.train_records + result.validation_records
                           + len(result.skipped))
    assert any(item["line"] is None for item in result.skipped)
    run = ftdata("split", source, "-o", "out2", cwd=tmp_path)
    assert_clean_exit(run, allowed=(1,))
    assert "cannot be read to the end" in run.stdout


def test_stats_of_a_truncated_gzip_exits_1(tmp_path: Path) -> None:
    source = truncated_gzip(tmp_path / "in.jsonl.gz")
    run = ftdata("stats", source, cwd=tmp_path)
    assert_clean_exit(run, allowed=(1,))
    assert "cannot be read to the end" in run.stderr


def test_an_xlsx_with_a_stale_dimension_converts_every_row(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import zipfile

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["prompt", "completion"])
    for number in range(6):
        sheet.append([f"Question {number}?", f"Answer {number}."])
    path = tmp_path / "stale.xlsx"
    workbook.save(path)
    rewritten = tmp_path / "stale2.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(rewritten, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[A-Z0-9:]+"\s*/>',
                                      b'<dimension ref="A1:B2"/>', data)
                assert count == 1
            new.writestr(item, data)
    run = ftdata("convert", rewritten, "-o", "out.jsonl", "--to", "openai-chat", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 6


# -- split switches train and validation as a pair ---------------------------------------------

KILL_BETWEEN_RENAMES = """
import os, sys
import ftdata.outputs as outputs
calls = []
real = os.replace
def replace(source, target):
    calls.append(target)
    if len(calls) == 2:
        os._exit(9)  # killed between the renames: no cleanup runs
    real(source, target)
outputs.os.replace = replace
from ftdata.split import split_file
split_file(sys.argv[1], sys.argv[2], validation=0.5, seed=int(sys.argv[3]))
"""


def _pair(directory: Path) -> tuple[set[str], set[str]]:
    return (set((directory / "train.jsonl").read_text().splitlines()),
            set((directory / "validation.jsonl").read_text().splitlines()))


def test_a_kill_between_the_renames_of_split_is_repaired_by_the_next_run(
        tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out"
    split_file(source, out, validation=0.5, seed=1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, source, out, "2"],
                             env=env, timeout=120)
    assert process.returncode == 9
    train, validation = _pair(out)
    expected = split_file(source, tmp_path / "expected", validation=0.5, seed=2)
    assert expected.validation_records
    # The next run notices the half-switched pair and completes the switch before anything.
    from ftdata.outputs import finish_interrupted

    assert sorted(finish_interrupted(out)) == [os.fspath(out / "train.jsonl"),
                                               os.fspath(out / "validation.jsonl")]
    assert _pair(out) == _pair(tmp_path / "expected")
    assert not [path for path in out.iterdir() if path.name.startswith(".")]
    assert (train, validation) != _pair(out)  # it was a mixed pair before the repair


def test_the_split_command_reports_an_interrupted_switch(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out"
    split_file(source, out, validation=0.5, seed=1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, source, out, "2"], env=env,
                   timeout=120)
    run = ftdata("split", source, "-o", out, "--validation", "0.5", "--seed", "3", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert "interrupted" in run.stderr
    train, validation = _pair(out)
    assert not train & validation and len(train | validation) == 40


# -- a terminated run leaves no temporary file; a stale one is cleaned -------------------------


def _temporaries(directory: Path) -> list[Path]:
    return [path for path in directory.iterdir() if path.name.endswith(".tmp")]


def test_sigterm_removes_the_temporary_output(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    with source.open("w") as stream:
        for number in range(300_000):
            stream.write(json.dumps({"prompt": f"Question {number}?",
                                     "completion": f" Answer {number}."}) + "\n")
    output = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "ftdata", "convert", source, "-o", output, "--to",
         "openai-chat"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(path.stat().st_size > 0 for path in _temporaries(tmp_path)):
                break
            time.sleep(0.005)
        assert process.poll() is None, "convert ended before it could be terminated"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signal.SIGTERM
    assert not output.exists()
    assert _temporaries(tmp_path) == []


def test_a_stale_temporary_file_of_a_killed_run_is_removed_and_reported(
        tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", 3)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.jsonl.{dead.pid}.abc123.tmp"
    stale.write_bytes(b"half a file")
    run = ftdata("fix", source, "-o", "out.jsonl", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert not stale.exists()
    assert "removed a temporary file left by an interrupted run" in run.stderr
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 3


def test_a_temporary_file_of_a_live_run_is_kept(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", 3)
    live = tmp_path / f".out.jsonl.{os.getpid()}.abc123.tmp"
    live.write_bytes(b"being written")
    run = ftdata("fix", source, "-o", "out.jsonl", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert live.exists()


# -- non-seekable inputs are read once ---------------------------------------------------------


def _feed(path: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(path, "wb") as stream:
            stream.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", ["validate", "stats", "fix", "convert"])
def test_a_fifo_is_read_once(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    data = "".join(json.dumps(chat(n)) + "\n" for n in range(5)).encode()
    name = os.fspath(fifo)
    args = {"validate": ["validate", name], "stats": ["stats", name],
            "fix": ["fix", name, "-o", "out.jsonl"],
            "convert": ["convert", name, "-o", "out.jsonl", "--to", "openai-chat"]}[command]
    writer = _feed(fifo, data)
    process = subprocess.run([sys.executable, "-m", "ftdata", *(os.fspath(arg) for arg in args)],
                             cwd=tmp_path, capture_output=True, timeout=60,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    writer.join(timeout=5)
    assert process.returncode == 0, process.stderr
    if command in ("fix", "convert"):
        assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 5


def test_cat_into_dev_stdin_writes_every_record(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", 7)
    process = subprocess.run(
        f"cat {source} | {sys.executable} -m ftdata fix /dev/stdin -o out.jsonl", shell=True,
        cwd=tmp_path, capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert process.returncode == 0, process.stderr
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 7


def test_an_empty_fifo_says_so(tmp_path: Path) -> None:
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    writer = _feed(fifo, b"")
    process = subprocess.run([sys.executable, "-m", "ftdata", "fix", fifo, "-o", "out.jsonl"],
                             cwd=tmp_path, capture_output=True, timeout=60, text=True,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    writer.join(timeout=5)
    assert process.returncode == 2
    assert "is empty" in process.stderr
    assert not (tmp_path / "out.jsonl").exists()


# -- a file name that is not UTF-8 is shown with escapes ---------------------------------------


@pytest.mark.parametrize("command", [["validate"], ["stats"], ["fix", "-o", "o.jsonl"],
                                     ["convert", "-o", "c.jsonl", "--to", "openai-chat"],
                                     ["split", "-o", "parts"]], ids=lambda c: c[0])
def test_a_file_name_that_is_not_utf8_works_with_json_output(tmp_path: Path,
                                                             command: list[str]) -> None:
    name = os.fsdecode(b"bad\xff.jsonl")
    jsonl(tmp_path / name, 4)
    run = ftdata(command[0], name, *command[1:], "--output-format", "json", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert "bad\\\\xff.jsonl" in run.stdout  # the JSON string holds the escape as text
    json.loads(run.stdout)


def test_report_of_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff.jsonl")
    jsonl(tmp_path / name, 4)
    run = ftdata("report", name, "-o", "r.html", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    assert "bad\\xff.jsonl" in (tmp_path / "r.html").read_text(encoding="utf-8")


# -- nothing from the data starts an output line -----------------------------------------------

INJECTION = "x\n::error title=owned::pwned\r\n::warning::y"


@pytest.mark.parametrize("output_format", ["text", "github", "sarif", "junit", "json"])
def test_control_characters_in_keys_and_names_are_escaped(tmp_path: Path,
                                                          output_format: str) -> None:
    name = "in\n::error::name.jsonl"
    record = {"messages": [{"role": "user", "content": "Hi", INJECTION: 1},
                           {"role": "assistant", "content": "Hello"}], INJECTION: 2}
    (tmp_path / name).write_text(json.dumps(record) + "\n")
    run = ftdata("validate", name, "--output-format", output_format, cwd=tmp_path)
    assert_clean_exit(run, allowed=(0, 1))
    assert "\\n::error" in run.stdout.replace("\\\\n", "\\n")  # the key is shown, escaped
    for line in run.stdout.splitlines():
        assert not line.lstrip().startswith(("::error title=owned", "::warning::y",
                                             "::error::name")), line


def test_control_characters_are_escaped_in_the_html_report(tmp_path: Path) -> None:
    record = {"messages": [{"role": "user", "content": "Hi"},
                           {"role": "assistant", "content": "Hello"}], INJECTION: 2}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    run = ftdata("report", "in.jsonl", "-o", "r.html", cwd=tmp_path)
    assert_clean_exit(run, allowed=(0,))
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "\n::error" not in page and "::error title=owned" in page


def test_fix_and_split_count_a_record_over_the_size_limit(tmp_path: Path) -> None:
    """A record the reader refuses for its size (F012) is reported as skipped, not lost."""
    from ftdata.readers import MAX_LINE_BYTES

    small = b'{"text": "a"}\n'
    huge = b'{"text": "' + b"a" * (MAX_LINE_BYTES + 1) + b'"}\n'
    data = tmp_path / "train.jsonl"
    data.write_bytes(small + huge + small.replace(b"a", b"b"))
    fixed = fix_file(data, tmp_path / "fixed.jsonl")
    assert (fixed.read, fixed.written, [item["line"] for item in fixed.skipped]) == (3, 2, [2])
    parts = split_file(data, tmp_path / "split", validation=1, seed=1)
    assert parts.read == parts.train_records + parts.validation_records + len(parts.skipped)
    assert [item["line"] for item in parts.skipped] == [2]
