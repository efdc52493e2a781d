"""Inputs too big to hold: a 30 MB line and a gzip bomb go through in bounded memory.

Each command runs in a child whose address space is capped at 1 GiB (``RLIMIT_AS``), so
holding the bomb's expansion fails the test with a MemoryError; the child's own peak resident
set (from ``wait4``) is checked against a tighter bound.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from ftdata.readers import MAX_LINE_BYTES
from tests.hostile.conftest import assert_clean_exit, ftdata

MIB = 1 << 20
#: The bomb's expanded size: 2 GiB of zeros with no newline, from about 2 MB of gzip.
BOMB_BYTES = 2048 * MIB
LINE_BYTES = 30 * MIB  # just under the record limit (MAX_LINE_BYTES)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ``.jsonl.gz`` expanding to :data:`BOMB_BYTES`, compressed as a stream."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.jsonl.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    chunk = bytes(MIB)
    with path.open("wb") as stream:
        stream.write(compressor.compress(b'{"messages": [{"role": "user", "content": "'))
        for _ in range(BOMB_BYTES // MIB):
            stream.write(compressor.compress(chunk))
        stream.write(compressor.flush())
    assert path.stat().st_size < BOMB_BYTES // 500
    return path


@pytest.fixture(scope="module")
def long_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One valid record of just over 30 MB on a single line, then a short one."""
    path = tmp_path_factory.mktemp("line") / "long.jsonl"
    words = b"the quick brown fox jumps over a lazy dog "
    with path.open("wb") as stream:
        stream.write(b'{"messages": [{"role": "user", "content": "Repeat it."}, '
                     b'{"role": "assistant", "content": "')
        for _ in range(LINE_BYTES // len(words) + 1):
            stream.write(words)
        stream.write(b'The end."}]}\n')
        stream.write(b'{"messages": [{"role": "user", "content": "Hi"}, '
                     b'{"role": "assistant", "content": "Hello"}]}\n')
    assert path.stat().st_size > LINE_BYTES
    return path


@pytest.mark.parametrize("command", ["validate", "convert", "fix"])
def test_a_gzip_bomb_is_streamed_and_reported(bomb: Path, command: str,
                                              tmp_path: Path) -> None:
    options: dict[str, list[str | Path]] = {
        "validate": ["validate", "--no-tokens", bomb],
        "convert": ["convert", bomb, "-o", tmp_path / "out.jsonl", "--to", "openai-chat",
                    "--from", "openai-chat", "--output-format", "json"],
        "fix": ["fix", bomb, "-o", tmp_path / "out.jsonl"],
    }
    run = ftdata(*options[command], cwd=tmp_path)
    assert_clean_exit(run)
    # The line is reported where it starts and never held: the peak stays near the cap on
    # one line, far below the expansion.
    assert run.max_rss < MAX_LINE_BYTES + 384 * MIB, run.max_rss
    if command == "validate":
        assert run.code == 1
        assert "bomb.jsonl.gz:1: F012 [error] the line is 2,048.0 MiB, over the " \
            f"{MAX_LINE_BYTES >> 20}.0 MiB record limit" in run.stdout
    elif command == "convert":
        summary = json.loads(run.stdout)
        assert (summary["read"], summary["written"]) == (1, 0)
        assert summary["skipped"][0]["line"] == 1
        assert "over the" in summary["skipped"][0]["reason"]
    else:
        assert (tmp_path / "out.jsonl").stat().st_size == 0  # nothing to keep, nothing made up


@pytest.mark.parametrize("command", ["validate", "stats", "convert", "fix", "split", "report"])
def test_a_30_mb_line_is_read_as_one_record(long_line: Path, command: str,
                                            tmp_path: Path) -> None:
    options: dict[str, list[str | Path]] = {
        "validate": ["validate", "--output-format", "json", long_line],
        "stats": ["stats", "--output-format", "json", long_line],
        "convert": ["convert", long_line, "-o", tmp_path / "out.jsonl", "--to",
                    "prompt-completion", "--output-format", "json"],
        "fix": ["fix", long_line, "-o", tmp_path / "out.jsonl"],
        "split": ["split", long_line, "--validation", "1", "-o", tmp_path / "split"],
        "report": ["report", long_line, "-o", tmp_path / "report.html"],
    }
    run = ftdata(*options[command], cwd=tmp_path)
    assert_clean_exit(run)
    # Measured: about 4x the line for validate, convert and fix, 11x for stats (tokens).
    assert run.max_rss < 800 * MIB, run.max_rss  # the bound set for a 50 MB line
    if command == "validate":
        entry = json.loads(run.stdout)["files"][0]
        assert (entry["records"], entry["format"]) == (2, "openai-chat")
        assert not [issue for issue in entry["issues"] if issue["code"].startswith("F")]
    elif command == "stats":
        assert json.loads(run.stdout)["examples"] == 2
    elif command == "convert":
        summary = json.loads(run.stdout)
        assert (summary["read"], summary["written"]) == (2, 2)
    elif command == "fix":
        assert (tmp_path / "out.jsonl").read_bytes() == long_line.read_bytes()
    elif command == "split":
        lines = [(tmp_path / "split" / name).read_bytes().count(b"\n")
                 for name in ("train.jsonl", "validation.jsonl")]
        assert sorted(lines) == [1, 1]
    else:
        assert (tmp_path / "report.html").stat().st_size > 0


def test_a_pretty_printed_object_larger_than_the_limit_is_streamed_and_reported(
        tmp_path: Path) -> None:
    """One indented object of 512 MiB (far past the 128 MiB cap), then a small one."""
    path = tmp_path / "pretty.jsonl.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    line = b'  "a": "' + b"x" * 1000 + b'",\n'
    block = line * (MIB // len(line))
    with path.open("wb") as stream:
        stream.write(compressor.compress(b"{\n"))
        for _ in range(512):
            stream.write(compressor.compress(block))
        stream.write(compressor.compress(b'  "z": 1\n}\n{\n  "text": "Hi"\n}\n'))
        stream.write(compressor.flush())
    run = ftdata("validate", "--no-tokens", "--output-format", "json", path, cwd=tmp_path)
    assert_clean_exit(run)
    assert run.max_rss < MAX_LINE_BYTES + 384 * MIB, run.max_rss
    entry = json.loads(run.stdout)["files"][0]
    assert (entry["records"], entry["format"]) == (1, "text")
    assert [(issue["code"], issue["line"]) for issue in entry["issues"]] == [
        ("F011", 1), ("F012", 1)]


#: The flat-memory goal for a hostile file, whatever it expands to.
FLAT_RSS = 250 * MIB


def gzip_stream(path: Path, head: bytes, chunk: bytes, count: int, tail: bytes) -> Path:
    """Write ``head + chunk * count + tail`` gzipped, a chunk at a time (never held whole)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    with path.open("wb") as stream:
        stream.write(compressor.compress(head))
        for _ in range(count):
            stream.write(compressor.compress(chunk))
        stream.write(compressor.compress(tail))
        stream.write(compressor.flush())
    return path


@pytest.mark.slow
def test_half_a_gigabyte_array_element_is_f012_in_flat_memory(tmp_path: Path) -> None:
    path = gzip_stream(tmp_path / "elem.json.gz", b'[{"text": "', b"a" * MIB, 512,
                       b'"}, {"text": "Hi"}]')
    run = ftdata("validate", "--no-tokens", "--output-format", "json", path, cwd=tmp_path)
    assert_clean_exit(run)
    assert run.max_rss < FLAT_RSS, run.max_rss
    entry = json.loads(run.stdout)["files"][0]
    assert entry["records"] == 1
    assert [(issue["code"], issue["line"]) for issue in entry["issues"]] == [("F012", 1)]
    assert "512.0 MiB" in entry["issues"][0]["message"]


@pytest.mark.slow
def test_half_a_gigabyte_of_spaces_in_a_json_file_is_skipped_in_flat_memory(tmp_path: Path) -> None:
    path = gzip_stream(tmp_path / "spaces.json.gz", b"[", b" " * MIB, 512, b'{"text": "Hi"}]')
    run = ftdata("validate", "--no-tokens", "--output-format", "json", path, cwd=tmp_path)
    assert_clean_exit(run)
    assert run.max_rss < FLAT_RSS, run.max_rss
    entry = json.loads(run.stdout)["files"][0]
    assert (entry["records"], entry["format"]) == (1, "text")


@pytest.mark.slow
def test_half_a_gigabyte_of_newlines_is_one_f004_in_flat_memory(tmp_path: Path) -> None:
    path = gzip_stream(tmp_path / "newlines.jsonl.gz", b'{"text": "Hi"}\n', b"\n" * MIB, 512,
                       b'{"text": "Ho"}\n')
    run = ftdata("validate", "--no-tokens", "--output-format", "json", path, cwd=tmp_path)
    assert_clean_exit(run)
    assert run.max_rss < FLAT_RSS, run.max_rss
    entry = json.loads(run.stdout)["files"][0]
    assert entry["records"] == 2
    assert [(issue["code"], issue["line"]) for issue in entry["issues"]] == [("F004", 2)]
    assert "536,870,912 blank lines" in entry["issues"][0]["message"]


@pytest.mark.slow
def test_a_million_blank_lines_cost_one_issue(tmp_path: Path) -> None:
    """Before: one issue per blank line, 903 MB for 1 Mi of them."""
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b'{"text": "Hi"}\n' + b"\n" * (1 << 20) + b'{"text": "Ho"}\n')
    run = ftdata("validate", "--no-tokens", "--output-format", "json", path, cwd=tmp_path)
    assert_clean_exit(run)
    assert run.max_rss < FLAT_RSS, run.max_rss
    issues = json.loads(run.stdout)["files"][0]["issues"]
    assert [(issue["code"], issue["line"]) for issue in issues] == [("F004", 2)]
