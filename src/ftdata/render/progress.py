"""A progress bar on stderr while a large file is validated, and only on a terminal.

Pipes, CI logs and pre-commit never see it (and never import ``rich`` for it): it exists for
the person waiting at a terminal on a file of hundreds of megabytes.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

#: Files smaller than this validate too quickly for a bar to help.
MIN_BYTES = 4 * 1024 * 1024

#: ``progress(done, total)``: bytes read so far, and the total (``None`` when unknown).
ProgressCallback = Callable[[int, int | None], None]


def wants_progress(path: str | os.PathLike[str], stream: TextIO | None = None,
                   min_bytes: int = MIN_BYTES) -> bool:
    """True when ``stream`` (stderr by default) is a terminal and the file is large.

    Example::

        wants_progress("train.jsonl")   # False when stderr is redirected
    """
    target = sys.stderr if stream is None else stream
    try:
        if not target.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    try:
        return os.path.getsize(path) >= min_bytes
    except OSError:
        return False  # the engine reports an unreadable file; no bar for it


@contextlib.contextmanager
def file_progress(path: str | os.PathLike[str], stream: TextIO | None = None, *,
                  force: bool = False) -> Iterator[ProgressCallback | None]:
    """A callback that drives a transient progress bar for ``path``, or ``None`` for no bar.

    ``force`` draws the bar whatever ``stream`` is (for tests); otherwise it appears only
    when :func:`wants_progress` says so.

    Example::

        with file_progress(path) as progress:
            report = validate_path(path, options, progress=progress)
    """
    if not force and not wants_progress(path, stream):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(file=sys.stderr if stream is None else stream,
                      force_terminal=True if force else None)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn(), console=console,
                   transient=True)
    task = bar.add_task(os.path.basename(os.fspath(path)), total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
