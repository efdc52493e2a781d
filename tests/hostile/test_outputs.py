"""No data lost: outputs appear whole or not at all, never over an input, and a full disk is
said plainly (SPEC §8)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ftdata.cli import main
from tests.hostile.conftest import assert_clean_exit, ftdata

RECORD = {"prompt": "What is the capital of France? " * 4, "completion": " Paris."}

#: Each writing command, given its input and output paths.
WRITERS: dict[str, Callable[[Path, Path], list[str | os.PathLike[str]]]] = {
    "convert": lambda source, out: ["convert", source, "-o", out, "--to", "openai-chat"],
    "fix": lambda source, out: ["fix", source, "-o", out],
    "report": lambda source, out: ["report", source, "-o", out],
}


def _source(directory: Path, records: int = 20) -> Path:
    path = directory / "data.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for number in range(records):
            stream.write(json.dumps({**RECORD, "completion": f" Paris ({number})."}) + "\n")
    return path


def _temporaries(directory: Path, name: str) -> list[Path]:
    return [path for path in directory.iterdir()
            if path.name.startswith(f".{name}.") and path.name.endswith(".tmp")]


@pytest.mark.parametrize("previous", [b'{"old": "output"}\n', None], ids=["over-old", "new"])
def test_a_convert_killed_mid_write_leaves_the_old_file_or_nothing(
        tmp_path: Path, previous: bytes | None) -> None:
    source = _source(tmp_path, records=400_000)
    output = tmp_path / "out.jsonl"
    if previous is not None:
        output.write_bytes(previous)
    process = subprocess.Popen(
        [sys.executable, "-m", "ftdata", "convert", source, "-o", output, "--to", "openai-chat"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Wait until the temporary output holds data, then kill without warning.
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(path.stat().st_size > 0 for path in _temporaries(tmp_path, output.name)):
                break
            time.sleep(0.005)
        assert process.poll() is None, "convert ended before it could be interrupted"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    if previous is None:
        assert not output.exists()
    else:
        assert output.read_bytes() == previous
    # The interrupted temporary file is all that is left, beside the output, never over it.
    assert len(_temporaries(tmp_path, output.name)) == 1


@pytest.mark.parametrize("how", ["same-path", "symlink", "hardlink", "relative"])
@pytest.mark.parametrize("command", [*WRITERS, "split"])
def test_an_output_that_is_the_input_is_refused(tmp_path: Path, command: str,
                                                how: str) -> None:
    if command == "split":
        # split writes DIR/train.jsonl: the input is that file.
        directory = tmp_path / "out"
        directory.mkdir()
        source = _source(directory)
        source = source.rename(directory / "train.jsonl")
        target = directory
        if how in ("symlink", "hardlink"):
            link = tmp_path / "in.jsonl"
            (link.symlink_to if how == "symlink" else link.hardlink_to)(source)
            source = link
        args: list[str | os.PathLike[str]] = ["split", source, "--validation", "0.5", "-o",
                "out" if how == "relative" else target]
    else:
        source = _source(tmp_path)
        target = source
        if how == "symlink":
            target = tmp_path / "link.jsonl"
            target.symlink_to(source)
        elif how == "hardlink":
            target = tmp_path / "hard.jsonl"
            target.hardlink_to(source)
        elif how == "relative":
            target = Path(".") / "sub" / ".." / source.name
            (tmp_path / "sub").mkdir()
        args = WRITERS[command](source, target)
    before = source.read_bytes()
    run = ftdata(*args, cwd=tmp_path)
    assert_clean_exit(run, allowed=(2,))
    assert "refusing to write over the input" in run.stderr
    assert source.read_bytes() == before


@pytest.mark.parametrize("command", [*WRITERS, "split"])
def test_a_full_disk_is_reported_and_leaves_nothing(tmp_path: Path, command: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    source = _source(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    output = out / "result.jsonl"
    output.write_bytes(b"previous\n")

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("ftdata.outputs.os.fsync", full)
    args: list[str | os.PathLike[str]] = (
        ["split", source, "--validation", "0.5", "-o", out] if command == "split"
        else WRITERS[command](source, output))
    with pytest.raises(SystemExit) as exit:
        main([os.fspath(arg) for arg in args])
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "the disk is full; nothing was written" in error
    assert output.read_bytes() == b"previous\n"
    assert sorted(path.name for path in out.iterdir()) == ["result.jsonl"]
