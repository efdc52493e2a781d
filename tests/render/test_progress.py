"""Progress: the engine reports bytes read; a bar shows them on a terminal, and only there."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ftdata.engine import PROGRESS_STEP, ValidateOptions, validate_path
from ftdata.render.progress import MIN_BYTES, file_progress, wants_progress
from tests.render.helpers import chat


def write_chats(path: Path, size: int) -> None:
    filler = "lorem ipsum dolor sit amet " * 200
    with path.open("w", encoding="utf-8") as out:
        number = 0
        while out.tell() < size:
            out.write(json.dumps(chat(f"question {number} {filler}", f"answer {number}")) + "\n")
            number += 1


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few progress steps' worth of records."""
    path = tmp_path_factory.mktemp("progress") / "medium.jsonl"
    write_chats(path, 2 * PROGRESS_STEP + PROGRESS_STEP // 2)
    return path


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "large.jsonl"
    write_chats(path, MIN_BYTES + PROGRESS_STEP)
    return path


def calls_for(path: Path) -> list[tuple[int, int | None]]:
    calls: list[tuple[int, int | None]] = []
    validate_path(path, ValidateOptions(count_tokens=False),
                  progress=lambda done, total: calls.append((done, total)))
    return calls


def test_progress_climbs_to_the_file_size(medium: Path) -> None:
    size = medium.stat().st_size
    calls = calls_for(medium)
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(d <= size for d in done)
    assert len(calls) >= 2 + size // PROGRESS_STEP - 1  # steps along the way, not just the ends


def test_a_gzip_file_has_no_known_total(medium: Path, tmp_path: Path) -> None:
    packed = tmp_path / "medium.jsonl.gz"
    packed.write_bytes(gzip.compress(medium.read_bytes()))
    calls = calls_for(packed)
    assert {total for _, total in calls} == {None}
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) >= 3
    assert done[-1] == medium.stat().st_size  # every byte of every line, after decompression


def test_progress_does_not_change_the_report(medium: Path) -> None:
    options = ValidateOptions(count_tokens=False)
    quiet = validate_path(medium, options)
    watched = validate_path(medium, options, progress=lambda done, total: None)
    assert quiet.to_dict() == watched.to_dict()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_only_for_large_files_on_a_terminal(large: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps(chat("hi")) + "\n", encoding="utf-8")
    assert wants_progress(large, Terminal())
    assert not wants_progress(large, io.StringIO())
    assert not wants_progress(small, Terminal())
    assert not wants_progress(tmp_path / "missing.jsonl", Terminal())
    with file_progress(large, io.StringIO()) as progress:
        assert progress is None


def test_the_bar_draws_on_its_stream_and_clears_itself(large: Path) -> None:
    stream = Terminal()
    with file_progress(large, stream, force=True) as progress:
        assert progress is not None
        progress(0, 100)
        progress(100, 100)
    drawn = stream.getvalue()
    assert "large.jsonl" in drawn
    assert "\x1b[?25h" in drawn  # the cursor is given back
    assert drawn.endswith("\x1b[2K")  # and the bar's line erased


def run_with_terminal_stderr(*args: str) -> tuple[int, bytes, bytes]:
    import pty  # POSIX only
    import select

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "ftdata", *args],
                               stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    out, _ = process.communicate()
    return process.returncode, out, err


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_cli_shows_a_bar_on_a_terminal_and_nothing_in_a_pipe(large: Path) -> None:
    code, out, err = run_with_terminal_stderr("validate", str(large), "--no-tokens",
                                              "--select", "C")
    assert code == 0
    assert b"large.jsonl" in err and b"\x1b[" in err
    assert b"\x1b[" not in out and out.decode().startswith(f"{large}: ok: ")
    piped = subprocess.run([sys.executable, "-m", "ftdata", "validate", str(large),
                            "--no-tokens", "--select", "C"], capture_output=True, check=False)
    assert piped.returncode == 0 and piped.stderr == b""
