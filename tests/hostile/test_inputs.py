"""Hostile files through every command: a located issue or a one-line usage error, never a
traceback (SPEC §8). Each command runs in a child process with its address space capped."""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_clean_exit, ftdata

GOOD = (b'{"messages":[{"role":"user","content":"What is 2+2?"},'
        b'{"role":"assistant","content":"4"}]}')
OTHER = (b'{"messages":[{"role":"user","content":"And 3+3?"},'
         b'{"role":"assistant","content":"6"}]}')
DEPTH = 100_000


@dataclass(frozen=True)
class Case:
    """A hostile input and what ``ftdata validate`` must say about it."""

    name: str
    build: Callable[[Path], Path]
    exit: int
    #: Text that must appear on stdout (exit 0/1) or stderr (exit 2), with its location.
    expect: tuple[str, ...]


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(directory: Path) -> Path:
        path = directory / name
        path.write_bytes(data)
        return path
    return build


def _directory(directory: Path) -> Path:
    path = directory / "data.jsonl"
    path.mkdir()
    return path


def _missing(directory: Path) -> Path:
    return directory / "missing.jsonl"


def _random_bytes(directory: Path) -> Path:
    path = directory / "random.jsonl"
    path.write_bytes(random.Random(8).randbytes(64 * 1024))
    return path


CASES = [
    Case("invalid-utf8", _file("x.jsonl", GOOD + b"\n" + GOOD[:40] + b"\xff\xfe" + GOOD[40:]
                               + b"\n" + OTHER + b"\n"), 1, ("x.jsonl:2: F001",)),
    Case("nul-bytes", _file("x.jsonl", GOOD + b"\n\x00\x00\x00\n" + OTHER[:30] + b"\x00"
                            + OTHER[30:] + b"\n"), 1, ("x.jsonl:2: F002", "x.jsonl:3: F002")),
    Case("random-bytes", _random_bytes, 1, ("random.jsonl:1: F00",)),
    Case("deep-array-jsonl", _file("x.jsonl", GOOD + b"\n" + b"[" * DEPTH + b"]" * DEPTH
                                   + b"\n"), 1, ("x.jsonl:2: F002", "nested too deeply")),
    Case("deep-object-jsonl", _file("x.jsonl", GOOD + b"\n" + b'{"a":' * DEPTH + b"1"
                                    + b"}" * DEPTH + b"\n"), 1,
         ("x.jsonl:2: F002", "nested too deeply")),
    Case("deep-json-array", _file("x.json", b"[" + GOOD + b",\n" + b"[" * DEPTH + b"]" * DEPTH
                                  + b"]"), 1, ("x.json:2: F002", "nested too deeply")),
    Case("deep-unclosed-json", _file("x.json", b"[" + GOOD + b",\n" + b"{\"a\":[" * DEPTH), 1,
         ("x.json:2: F002", "not closed")),
    Case("truncated-last-line", _file("x.jsonl", GOOD + b"\n" + OTHER[:-9]), 1,
         ("x.jsonl:2: F002",)),
    Case("truncated-json-array", _file("x.json", b"[" + GOOD + b",\n" + OTHER[:-9]), 1,
         ("x.json:2: F002",)),
    Case("crlf", _file("x.jsonl", GOOD + b"\r\n" + OTHER + b"\r\n"), 0,
         ("x.jsonl: ok: 2 records",)),
    Case("bom", _file("x.jsonl", b"\xef\xbb\xbf" + GOOD + b"\n" + OTHER + b"\n"), 0,
         ("x.jsonl:1: F005",)),
    Case("bom-json", _file("x.json", b"\xef\xbb\xbf[" + GOOD + b"," + OTHER + b"]"), 0,
         ("x.json:1: F005",)),
    Case("empty", _file("x.jsonl", b""), 1, ("x.jsonl: F007",)),
    Case("only-blank-lines", _file("x.jsonl", b"\n \n\r\n"), 1,
         ("x.jsonl:1: F004", "x.jsonl: F007")),
    Case("empty-gz", _file("x.jsonl.gz", b""), 1, ("x.jsonl.gz: F007",)),
    Case("empty-gzip-stream", _file("x.jsonl.gz", gzip.compress(b"")), 1, ("x.jsonl.gz: F007",)),
    Case("corrupt-gz", _file("x.jsonl.gz", b"\x1f\x8b\x08\x00" + bytes(range(200))), 2,
         ("x.jsonl.gz: cannot read",)),
    Case("truncated-gz", _file("x.jsonl.gz", gzip.compress((GOOD + b"\n") * 50)[:60]), 1,
         ("x.jsonl.gz: F002", "cannot be read to the end")),
    Case("gz-name-not-gzip", _file("x.jsonl.gz", GOOD + b"\n"), 2, ("not gzip data",)),
    Case("directory", _directory, 2, ("data.jsonl: is a directory",)),
    Case("missing", _missing, 2, ("missing.jsonl: no such file",)),
    Case("float-overflow", _file("x.jsonl", GOOD + b"\n" + OTHER[:-1] + b',"w":1e400}\n'), 1,
         ("x.jsonl:2: F002", "too large for a 64-bit float")),
    Case("negative-float-overflow", _file("x.jsonl", GOOD + b"\n"
                                          + OTHER.replace(b'"6"', b'"6","weight":-1e999')
                                          + b"\n"), 1, ("x.jsonl:2: F002",)),
    # Integers have no size limit in JSON: a big one is a value, judged by the schema.
    Case("huge-integer", _file("x.jsonl", GOOD + b"\n" + OTHER.replace(
        b'"6"}', b'"6","weight":' + b"9" * 400 + b"}") + b"\n"), 1, ("x.jsonl:2: C007",)),
    # Duplicate keys are legal JSON and providers' parsers keep the last one: so does ftdata,
    # and the record is judged on what the provider would see.
    Case("duplicate-key-last-wins", _file("x.jsonl", GOOD + b"\n" + b'{"messages":[],'
                                          + OTHER[1:] + b"\n"), 0, ("x.jsonl: ok: 2 records",)),
    Case("duplicate-key-last-broken", _file("x.jsonl", GOOD + b"\n" + OTHER[:-1]
                                            + b',"messages":[]}\n'), 1, ("x.jsonl:2: C015",)),
    Case("lone-surrogates", _file("x.jsonl", GOOD + b"\n" + OTHER.replace(
        b"And", b"\\ud800And\\udfff") + b"\n"), 0, ("x.jsonl:2: Q002", "lone surrogate")),
    Case("lone-surrogate-key", _file("x.jsonl", GOOD + b"\n" + OTHER[:-1]
                                     + b',"\\udc00":1}\n'), 1, ("x.jsonl:2: S002",)),
]

COMMANDS: dict[str, Callable[[Path, Path], list[str | os.PathLike[str]]]] = {
    "validate": lambda path, out: ["validate", "--no-tokens", path],
    "validate-json": lambda path, out: ["validate", "--output-format", "json", path],
    "stats": lambda path, out: ["stats", path],
    "convert": lambda path, out: ["convert", path, "-o", out / "converted.jsonl", "--to",
                                  "prompt-completion", "--output-format", "json"],
    "fix": lambda path, out: ["fix", path, "-o", out / "fixed.jsonl"],
    "split": lambda path, out: ["split", path, "--validation", "0.5", "-o", out / "split"],
    "report": lambda path, out: ["report", path, "-o", out / "report.html"],
}


#: ``validate`` takes a directory for the files below it (an empty one is a warning and exit
#: 0, as in ruff); the other commands take one file and refuse it.
WALKS_DIRECTORIES = frozenset({"validate", "validate-json"})


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_validate_reports_each_hostile_input_where_it_is(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    run = ftdata("validate", "--no-tokens", path.name, cwd=tmp_path)
    assert_clean_exit(run)
    if case.name == "directory":
        assert (run.code, run.stdout) == (0, "")
        assert run.stderr.startswith("ftdata: warning: no files to validate"), run.stderr
        return
    assert run.code == case.exit, (run.stdout, run.stderr)
    said = run.stderr if case.exit == 2 else run.stdout
    for text in case.expect:
        assert text in said, said


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_command_survives_each_hostile_input(case: Case, command: str,
                                                   tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    path = case.build(source)
    run = ftdata(*COMMANDS[command](path, out), cwd=tmp_path)
    assert_clean_exit(run)
    if case.exit == 2 and not (case.name == "directory" and command in WALKS_DIRECTORIES):
        assert run.code == 2  # unreadable for every command alike
    if command == "convert" and run.code == 0:
        summary = json.loads(run.stdout)
        assert summary["read"] == summary["written"] + len(summary["skipped"])
        assert all(entry["reason"] for entry in summary["skipped"])
    if command == "validate-json" and run.code != 2:
        for entry in json.loads(run.stdout)["files"]:
            for issue in entry["issues"]:
                assert issue["line"] is None or issue["line"] >= 1


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_file_in_an_unreadable_directory_is_a_usage_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.jsonl").write_bytes(GOOD + b"\n")
    locked.chmod(0)
    try:
        for command in COMMANDS.values():
            run = ftdata(*command(locked / "x.jsonl", tmp_path), cwd=tmp_path)
            assert_clean_exit(run, allowed=(2,))
            assert "x.jsonl" in run.stderr
    finally:
        locked.chmod(0o700)
