"""Writing outputs safely: a temporary file beside the target, then an atomic rename.

A crash, a full disk or an interrupt leaves either the previous file or nothing, never half a
file; an output that is one of the inputs (or a link to one) is refused before anything runs.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO


class OutputError(Exception):
    """The output cannot be written where asked (it is an input, a directory, disk full)."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when two paths name the same file (links resolved, existing files compared by id)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwriting_inputs(output: str | os.PathLike[str],
                              inputs: Iterable[str | os.PathLike[str]]) -> None:
    for source in inputs:
        if same_file(output, source):
            raise OutputError(f"{os.fspath(output)}: refusing to write over the input "
                              f"{os.fspath(source)}")
    if os.path.isdir(output):
        raise OutputError(f"{os.fspath(output)}: is a directory")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *,
                  inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` only when the block ends without an error.

    ``.gz`` names are gzip-compressed. The temporary file lives in the same directory, so the
    final rename is atomic.
    """
    target = os.fspath(path)
    refuse_overwriting_inputs(target, inputs)
    directory = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.",
                                             suffix=".tmp", dir=directory)
    except OSError as error:
        raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
    raw = os.fdopen(handle, "wb")
    stream: BinaryIO = raw
    if target.endswith(".gz"):
        stream = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)  # type: ignore[assignment]
    try:
        yield stream
        if stream is not raw:
            stream.close()
        raw.flush()
        os.fsync(raw.fileno())
        os.fchmod(raw.fileno(), _mode_for(target))
        raw.close()
        os.replace(temporary, target)
    except OSError as error:
        _discard(raw, temporary)
        if error.errno == errno.ENOSPC:
            raise OutputError(f"{target}: the disk is full; nothing was written") from None
        raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
    except BaseException:
        _discard(raw, temporary)
        raise


def _mode_for(target: str) -> int:
    """The replaced file's mode, or what the umask gives a new file (mkstemp's is 0600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _discard(raw: BinaryIO, temporary: str) -> None:
    with contextlib.suppress(OSError):
        raw.close()
    with contextlib.suppress(OSError):
        os.unlink(temporary)
