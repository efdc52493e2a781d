"""The ``ftdata`` command: thin click commands that parse options, call the API and render.

Each command lives in its own module in this package and registers itself on :data:`cli`.
Usage errors and unreadable input exit 2 with one line on stderr, never a traceback.
"""

from __future__ import annotations

# Importing the command modules registers their commands on ``cli``.
from ftdata.cli import catalog, convert, fix, report, stats, validate, view  # noqa: F401
from ftdata.cli.common import (
    EXIT_ISSUES,
    EXIT_OK,
    EXIT_USAGE,
    Choice,
    cli,
    closest,
    display_name,
    fail,
    input_file,
    main,
    refuse_directory,
    shown,
    stdin_suffix,
)

__all__ = ["EXIT_ISSUES", "EXIT_OK", "EXIT_USAGE", "Choice", "cli", "closest", "display_name",
           "fail", "input_file", "main", "refuse_directory", "shown", "stdin_suffix"]
