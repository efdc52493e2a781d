"""Writing outputs safely: a temporary file beside the target, then an atomic rename.

A crash, a full disk or an interrupt leaves either the previous file or nothing, never half a
file; an output that is one of the inputs (or a link to one) is refused before anything runs.

The temporary file's name carries the writing process's id (``.NAME.PID.XXXX.tmp``), so a run
that finds one left by a process that no longer exists (killed with ``SIGKILL``, or the machine
stopped) removes it and says so. Several outputs that belong together (``split``'s train and
validation files) are written whole first, then switched under a journal: a run killed between
the renames leaves the journal, and the next run that writes into that directory completes the
switch before anything else (:func:`finish_interrupted`).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

#: The journal of a switch of several outputs in progress, in their directory.
JOURNAL = ".ftdata-switch.json"


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
    with atomic_outputs([path], inputs=inputs) as (stream,):
        yield stream


@dataclass
class _Pending:
    target: str
    temporary: str
    raw: BinaryIO
    stream: BinaryIO


@contextlib.contextmanager
def atomic_outputs(paths: Sequence[str | os.PathLike[str]], *,
                   inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[list[BinaryIO]]:
    """Streams that become ``paths`` together, only when the block ends without an error.

    Every output is written and flushed to disk first; then, for more than one, a journal
    naming each temporary file and its target is written before the renames, so that a kill
    between two renames is completed by the next run (:func:`finish_interrupted`) instead of
    leaving a new file beside an old one.
    """
    targets = [os.fspath(path) for path in paths]
    sources = list(inputs)
    for target in targets:
        refuse_overwriting_inputs(target, sources)
    pending: list[_Pending] = []
    try:
        for target in targets:
            pending.append(_open_temporary(target))
        yield [item.stream for item in pending]
        for item in pending:
            _seal(item)
    except OSError as error:
        _discard_all(pending)
        raise _output_error(pending[-1].target if pending else targets[0], error) from None
    except BaseException:
        _discard_all(pending)
        raise
    _switch(pending)


def _open_temporary(target: str) -> _Pending:
    directory = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(directory, exist_ok=True)
        finish_interrupted(directory)
        _remove_stale(directory, os.path.basename(target))
        handle, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.{os.getpid()}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
    raw = os.fdopen(handle, "wb")
    stream: BinaryIO = raw
    if target.endswith(".gz"):
        stream = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)  # type: ignore[assignment]
    return _Pending(target, temporary, raw, stream)


def _seal(item: _Pending) -> None:
    """Everything written is on disk, with the mode the target should have."""
    if item.stream is not item.raw:
        item.stream.close()
    item.raw.flush()
    os.fsync(item.raw.fileno())
    os.fchmod(item.raw.fileno(), _mode_for(item.target))
    item.raw.close()


def _output_error(target: str, error: OSError) -> OutputError:
    if error.errno == errno.ENOSPC:
        return OutputError(f"{target}: the disk is full; nothing was written")
    return OutputError(f"{target}: cannot write ({error.strerror or error})")


def _discard_all(pending: list[_Pending]) -> None:
    for item in pending:
        _discard(item.raw, item.temporary)


def _switch(pending: list[_Pending]) -> None:
    """Rename each temporary file over its target; several under a journal."""
    if len(pending) == 1:
        item = pending[0]
        try:
            os.replace(item.temporary, item.target)
        except OSError as error:
            _discard_all(pending)
            raise _output_error(item.target, error) from None
        return
    directory = os.path.dirname(os.path.abspath(pending[0].target))
    journal = os.path.join(directory, JOURNAL)
    entries = [{"temporary": os.path.abspath(item.temporary),
                "target": os.path.abspath(item.target)} for item in pending]
    try:
        with atomic_output(journal) as stream:
            stream.write(json.dumps(entries).encode("utf-8", "surrogateescape"))
    except BaseException:
        _discard_all(pending)
        raise
    try:
        for item in pending:
            os.replace(item.temporary, item.target)
        os.unlink(journal)
    except OSError as error:
        raise OutputError(f"{pending[0].target}: the outputs were not all switched "
                          f"({error.strerror or error}); the next run completes it") from None


def finish_interrupted(directory: str | os.PathLike[str]) -> list[str]:
    """Complete a switch of several outputs that a killed run left half done in
    ``directory``; returns the targets of that switch (now all new), or ``[]``.

    The journal is written only once every temporary file is complete, so finishing the
    renames gives the consistent new set.
    """
    journal = os.path.join(os.fspath(directory), JOURNAL)
    try:
        with open(journal, "rb") as stream:
            entries = json.loads(stream.read().decode("utf-8", "surrogateescape"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise OutputError(f"{journal}: cannot read the journal of an interrupted run "
                          f"({error}); remove it and check the outputs") from None
    targets = []
    for entry in entries:
        if os.path.exists(entry["temporary"]):
            os.replace(entry["temporary"], entry["target"])
        targets.append(entry["target"])
    os.unlink(journal)
    _note(f"completed the switch of {', '.join(targets)} that an interrupted run left half "
          f"done")
    return targets


def _remove_stale(directory: str, name: str) -> None:
    """Remove the temporary files for ``name`` that processes no longer running left."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[^.]+\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for found in names:
        match = pattern.fullmatch(found)
        if match is None or _alive(int(match.group(1))):
            continue
        path = os.path.join(directory, found)
        with contextlib.suppress(OSError):
            size = os.path.getsize(path)
            os.unlink(path)
            _note(f"removed a temporary file left by an interrupted run: {path} ({size:,} "
                  f"bytes)")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _note(message: str) -> None:
    """Tell the user on stderr about a repair made on the way (never on stdout: reports there
    stay machine-readable)."""
    sys.stderr.write(f"ftdata: note: {message}\n")


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
