"""What every ``ftdata`` command shares: the click group, exit statuses, usage errors and the
handling of the one input file. The command modules import it from here; the package imports
them, so that importing :mod:`ftdata.cli` registers every command.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from ftdata import __version__

EXIT_OK, EXIT_ISSUES, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit with the usage-error status.

    The message may quote the data (a WhatsApp author, an unknown key, an option's value): it
    goes through the same redaction as every issue's message.
    """
    from ftdata.diagnostics import printable, redact_quoted

    click.echo(f"ftdata: error: {redact_quoted(printable(message))}", err=True)
    sys.exit(EXIT_USAGE)


@contextlib.contextmanager
def input_file(path: str, command: str, *, suffix: str = "") -> Iterator[str]:
    """The one file a command reads: ``path``, or a copy of standard input for ``-``.

    A directory is a usage error that points to ``validate``, which takes directories. The
    copy of standard input is named with ``suffix`` (``.txt``: read as a plain-text corpus);
    an empty one is a usage error. Any other input that can be read only once (a named pipe,
    ``/dev/stdin``) is copied once the same way. Messages about the copy should name it with
    :func:`shown`.
    """
    from ftdata.inputs import STDIN, non_seekable, spooled_input, spooled_stdin
    from ftdata.readers import InputError

    if path != STDIN and not non_seekable(path):
        refuse_directory(path, command)
        yield path
        return
    copied = False
    try:
        with spooled_stdin(suffix) if path == STDIN else spooled_input(path) as copy:
            copied = True
            yield copy
    except InputError as error:
        if copied:
            raise  # the command's own error, for it to report
        fail(str(error))  # the input is empty or cannot be opened


def refuse_directory(path: str, command: str) -> None:
    """A directory given to a command that takes one file: a usage error naming ``validate``,
    which takes directories."""
    if os.path.isdir(path):
        fail(f"{path}: is a directory; `ftdata {command}` takes one file (`ftdata validate "
             f"{path}` checks every file below a directory)")


def display_name(path: str) -> str:
    """How reports name an input path: ``-`` is ``<stdin>``; bytes that are not UTF-8 and
    control characters are escaped (``bad\\xff.jsonl``)."""
    from ftdata.diagnostics import printable_path

    return "<stdin>" if path == "-" else printable_path(path)


def stdin_suffix(kind: str | None) -> str:
    """The name ending that makes a copy of standard input read as ``kind`` (a format id or
    a ``--from`` kind): ``.txt`` for plain text, the table kinds' own extensions."""
    return {"text": ".txt", "csv": ".csv", "tsv": ".tsv", "xlsx": ".xlsx",
            "parquet": ".parquet"}.get(kind or "", "")


def shown(message: object, path: str, given: str) -> str:
    """A message about ``path`` (the file read for the argument ``given``) as the user should
    see it: a copy of standard input is ``<stdin>``."""
    from ftdata.diagnostics import printable_path

    text = str(message)
    return printable_path(text.replace(path, display_name(given)) if path != given else text)


def closest(value: str, choices: Sequence[str]) -> str | None:
    """The choice ``value`` most likely meant, compared without case and with ``_`` read as
    ``-``; ``None`` when none is close.

    >>> closest("openAI", ["openai", "together"]), closest("openai_chat", ["openai-chat"])
    ('openai', 'openai-chat')
    """
    import difflib

    def fold(name: str) -> str:
        return name.strip().casefold().replace("_", "-")

    folded = {fold(choice): choice for choice in choices}
    if fold(value) in folded:
        return folded[fold(value)]
    close = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:  # click < 8.2: not generic
    _Choice = click.Choice


class Choice(_Choice):
    """:class:`click.Choice` whose refusal names the closest choice ("did you mean ...?")."""

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        try:
            return str(super().convert(value, param, ctx))
        except click.BadParameter as error:
            meant = closest(str(value), [str(choice) for choice in self.choices])
            if meant is None:
                raise
            self.fail(f"{error.message.rstrip('.')}; did you mean {meant!r}?", param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftdata")
def cli() -> None:
    """Prepare and check fine-tuning datasets before upload or training."""


def _terminate_cleanly() -> None:
    """Make ``SIGTERM`` unwind like ``SIGINT`` in this process, so that a temporary output is
    removed on the way out; exit status 143 (128 + 15). Worker processes forked later go
    back to the default action (``ftdata.parallel._init_worker``), which their pool relies
    on."""
    import signal

    main_process = os.getpid()

    def terminated(number: int, frame: object) -> None:
        if os.getpid() != main_process:
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        raise SystemExit(128 + number)

    with contextlib.suppress(ValueError):  # not the main thread (an embedding application)
        signal.signal(signal.SIGTERM, terminated)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning usage errors into one line and exit status 2."""
    _terminate_cleanly()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ftdata",
                 standalone_mode=False)
    except click.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
            click.echo(error.ctx.get_help())  # bare `ftdata`: show the help
            sys.exit(EXIT_OK)
        fail(error.format_message().replace("\n", " "))
    except click.ClickException as error:
        fail(error.format_message())
    except click.Abort:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ISSUES)
    except (ValueError, OSError) as error:
        fail(str(error))
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("FTDATA_DEBUG"):
            raise
        fail(f"internal error: {type(error).__name__}: {error} (set FTDATA_DEBUG=1 for "
              f"details and please report it)")
    sys.exit(EXIT_OK)
