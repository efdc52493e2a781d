"""What the commands take as input paths: a directory stands for the data files below it, and
``-`` for standard input.

A directory is walked the way ruff walks one: hidden directories (``.git``, ``.venv``, ...) and
ruff's default excluded directories are skipped, and inside a git repository the ``.gitignore``
files apply as git applies them (a deeper file wins over a shallower one, the last matching
pattern wins within a file, ``!pattern`` re-includes). The files kept are those the readers
take (:data:`SUPPORTED_SUFFIXES`, compressed with gzip or not), in sorted order. A file named
on the command line is always kept, whatever its name or the ``.gitignore`` files say.

Standard input is read once, into a temporary file that the commands take by name (``split``
reads its input twice, and an empty input is reported as such). So is any other input that
cannot be read twice: a named pipe, ``/dev/stdin``, a character device.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, BinaryIO

from ftdata.readers import CHUNK_SIZE, TEXT_SUFFIXES, InputError, logical_name

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

#: The path that stands for standard input, and the name reports give it.
STDIN, STDIN_NAME = "-", "<stdin>"

#: Files a directory contributes: the names the readers take (``.gz`` of each too).
SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", *TEXT_SUFFIXES)

#: Directories never entered besides hidden ones: the non-hidden part of ruff's default
#: ``exclude`` (https://docs.astral.sh/ruff/settings/#exclude), plus Python's byte-code cache.
EXCLUDED_DIRECTORIES = frozenset({"__pypackages__", "__pycache__", "_build", "buck-out",
                                  "build", "dist", "node_modules", "site-packages", "venv"})


def supported(name: str) -> bool:
    """Whether a directory walk keeps a file of this name.

    >>> supported("train.jsonl.gz"), supported("corpus.txt"), supported("faq.csv")
    (True, True, False)
    """
    return logical_name(name).lower().endswith(SUPPORTED_SUFFIXES)


def expand_paths(paths: Sequence[str]) -> list[str]:
    """The paths with each directory replaced by the supported files below it.

    Other paths (files, ``-``, missing paths, which the reader then reports) are kept as given,
    in order; a file reached twice is kept once.

    >>> expand_paths(["data", "extra.jsonl"])  # doctest: +SKIP
    ['data/train.jsonl', 'data/val/val.jsonl', 'extra.jsonl']
    """
    expanded: list[str] = []
    seen: set[str] = set()
    for path in paths:
        for found in files_below(path) if path != STDIN and os.path.isdir(path) else [path]:
            if found not in seen:
                seen.add(found)
                expanded.append(found)
    return expanded


def files_below(directory: str) -> list[str]:
    """The supported files below ``directory``, in sorted order, ``.gitignore`` respected.

    >>> files_below("data")  # doctest: +SKIP
    ['data/train.jsonl', 'data/val/val.jsonl']
    """
    ignores = _GitIgnores.for_directory(directory)
    found: list[str] = []
    for current, directories, names in os.walk(directory):
        if ignores is not None:
            ignores.read(current)
        directories[:] = [name for name in directories
                          if not name.startswith(".") and name not in EXCLUDED_DIRECTORIES
                          and not (ignores and ignores.ignored(os.path.join(current, name),
                                                               directory=True))]
        found.extend(path for path in (os.path.join(current, name) for name in names
                                       if supported(name))
                     if not (ignores and ignores.ignored(path, directory=False)))
    return sorted(found, key=lambda path: path.split(os.sep))


class _GitIgnores:
    """The ``.gitignore`` files that apply inside one git work tree, read as the walk goes.

    Like ruff (and ripgrep, whose walker it uses), they apply only inside a git repository:
    https://github.com/astral-sh/ruff/issues/5930 (reverted in #6335). The ``.gitignore`` files
    of the directories above the walked one, up to the repository's root, apply too, and so
    does ``.git/info/exclude``; the user's global excludes file does not.
    """

    def __init__(self) -> None:
        # (absolute directory, its patterns), outermost first.
        self.specs: list[tuple[str, GitIgnoreSpec]] = []

    @classmethod
    def for_directory(cls, directory: str) -> _GitIgnores | None:
        start = os.path.abspath(directory)
        root = _work_tree(start)
        if root is None:
            return None
        ignores = cls()
        ignores._add(os.path.join(root, ".git", "info", "exclude"), root)
        above = []
        current = start
        while current != root:
            current = os.path.dirname(current)
            above.append(current)
        for folder in reversed(above):
            ignores._add(os.path.join(folder, ".gitignore"), folder)
        return ignores

    def read(self, directory: str) -> None:
        """Take in ``directory``'s own ``.gitignore``, if it has one."""
        folder = os.path.abspath(directory)
        self._add(os.path.join(folder, ".gitignore"), folder)

    def _add(self, path: str, folder: str) -> None:
        from pathspec import GitIgnoreSpec

        try:
            with open(path, encoding="utf-8", errors="replace") as stream:
                lines = stream.read().splitlines()
        except OSError:
            return
        self.specs.append((folder, GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: str, *, directory: bool) -> bool:
        """Whether git would ignore ``path``: the deepest file with a matching pattern decides."""
        target = os.path.abspath(path)
        for folder, spec in reversed(self.specs):
            if not target.startswith(folder + os.sep):
                continue
            relative = os.path.relpath(target, folder).replace(os.sep, "/")
            result = spec.check_file(relative + "/" if directory else relative)
            if result.include is not None:
                return bool(result.include)
        return False


def _work_tree(start: str) -> str | None:
    """The root of the git work tree ``start`` is in (a ``.git`` directory or file), if any."""
    current = start
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


@contextlib.contextmanager
def spooled_stdin(suffix: str = "", stream: BinaryIO | None = None) -> Iterator[str]:
    """Standard input (or ``stream``) copied once to a temporary file; yields its path.

    ``suffix`` names the copy so that the readers take it for what it is (``.txt`` for plain
    text). An empty input is an :class:`InputError`. The copy is removed afterwards.

    >>> with spooled_stdin() as path:  # doctest: +SKIP
    ...     report = validate_path(path, options, display_path=STDIN_NAME)
    """
    source = stream if stream is not None else sys.stdin.buffer
    with _spooled(source, "stdin" + suffix,
                  f"{STDIN_NAME}: standard input is empty") as path:
        yield path


@contextlib.contextmanager
def _spooled(source: BinaryIO, name: str, empty: str) -> Iterator[str]:
    """``source`` copied to a file called ``name`` in a temporary folder, removed afterwards;
    yields the copy's path. A source that gives no byte is an :class:`InputError` (``empty``)."""
    import tempfile  # only standard input and pipes are spooled (start-up)

    with tempfile.TemporaryDirectory(prefix="ftdata-") as folder:
        path = os.path.join(folder, name)
        size = 0
        with open(path, "wb") as copy:
            while chunk := source.read(CHUNK_SIZE):
                copy.write(chunk)
                size += len(chunk)
        if size == 0:
            raise InputError(empty)
        yield path


def non_seekable(path: str) -> bool:
    """Whether ``path`` names something that can be read only once (a named pipe,
    ``/dev/stdin`` fed by a pipe, a character device, a socket), not a regular file.

    >>> non_seekable("train.jsonl"), non_seekable("/dev/null")
    (False, True)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the reader reports it
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


@contextlib.contextmanager
def spooled_input(path: str) -> Iterator[str]:
    """A non-seekable input (:func:`non_seekable`) copied once to a temporary file of the same
    name (so that the readers take it for what its name says); yields the copy's path.

    An input that gives no byte is an :class:`InputError` that says so.
    """
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(f"{path}: cannot open ({error.strerror or error})") from None
    name = os.path.basename(path.rstrip(os.sep)) or "input"
    with source, _spooled(source, name,
                          f"{path}: is empty (a pipe or device that gave no data)") as copy:
        yield copy
