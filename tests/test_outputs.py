from __future__ import annotations

import errno
import gzip
from pathlib import Path

import pytest

from ftdata.outputs import OutputError, atomic_output


def test_written_only_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(target) as stream:
        stream.write(b"half of a new file")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    with atomic_output(target) as stream:
        stream.write(b"new\n")
    assert target.read_text() == "new\n"


def test_gzip_by_name(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "out.jsonl.gz") as stream:
        stream.write(b'{"a": 1}\n')
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == b'{"a": 1}\n'


def test_full_disk_is_reported_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError, match="disk is full"), \
            atomic_output(tmp_path / "out.jsonl") as stream:
        stream.write(b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="directory"), atomic_output(tmp_path):
        pass


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    import os

    with atomic_output(tmp_path / "new.jsonl") as stream:
        stream.write(b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "new.jsonl").stat().st_mode & 0o777 == 0o666 & ~umask
    (tmp_path / "new.jsonl").chmod(0o640)
    with atomic_output(tmp_path / "new.jsonl") as stream:
        stream.write(b"y")
    assert (tmp_path / "new.jsonl").stat().st_mode & 0o777 == 0o640
