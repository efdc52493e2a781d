"""Text output: the plain SPEC §5 lines, and the same characters in colour on a terminal."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

import ftdata
from ftdata.diagnostics import Severity
from ftdata.render.text import format_issue, print_color, render, summary_line, wants_color
from tests.conftest import SAMPLES
from tests.render.helpers import issue, report

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_plain_lines_follow_the_spec() -> None:
    found = issue("C003", 2, message="the conversation has no assistant message",
                  pointer="/messages")
    assert format_issue("train.jsonl", found) == (
        "train.jsonl:2: C003 [error] the conversation has no assistant message (at /messages)")
    whole = issue("F007", message="too few")
    assert format_issue("train.jsonl", whole) == "train.jsonl: F007 [error] too few"
    assert summary_line(report("train.jsonl", [found, whole], records=1)) == (
        "train.jsonl: FAILED: 1 record (1 valid), openai-chat, target generic: 2 errors, "
        "0 warnings, 0 info")


@pytest.mark.parametrize(("environ", "tty", "expected"), [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": ""}, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
])
def test_colour_follows_the_terminal_and_the_environment(environ: dict[str, str], tty: bool,
                                                         expected: bool) -> None:
    assert wants_color(FakeStream(tty), environ) is expected


def test_a_closed_or_odd_stream_gets_no_colour() -> None:
    closed = io.StringIO()
    closed.close()
    assert wants_color(closed, {}) is False
    assert wants_color(io.StringIO(), {}) is False
    assert wants_color(object(), {}) is False  # type: ignore[arg-type]


def test_colour_output_has_exactly_the_plain_characters() -> None:
    reports = [ftdata.validate(BROKEN), ftdata.validate(SAMPLES / "openai-chat" / "clean.jsonl")]
    for quiet in (False, True):
        out = io.StringIO()
        print_color(reports, quiet, file=out)
        colored = out.getvalue()
        assert ANSI.search(colored)
        assert ANSI.sub("", colored) == render(reports, quiet)


def test_severities_are_coloured_and_codes_bold() -> None:
    out = io.StringIO()
    issues = [issue("C003", 1), issue("C004", 2), issue("Q001", 3, severity=Severity.INFO)]
    print_color([report("a.jsonl", issues)], file=out)
    lines = out.getvalue().splitlines()
    assert "\x1b[1;31m[error]" in lines[0]
    assert "\x1b[33m[warning]" in lines[1]
    assert "\x1b[36m[info]" in lines[2]
    assert all("\x1b[1mC00" in line or "\x1b[1mQ001" in line for line in lines[:3])
    assert "\x1b[1;31mFAILED" in lines[3]


def test_long_lines_are_never_wrapped() -> None:
    out = io.StringIO()
    long = issue("C003", 1, message="word " * 60)
    print_color([report("a.jsonl", [long])], quiet=True, file=out)
    assert len(out.getvalue().splitlines()) == 1


def test_message_text_is_not_read_as_markup() -> None:
    out = io.StringIO()
    tricky = issue("C001", 1, message="role '[bold red]x[/]' :smile: is unknown")
    print_color([report("a.jsonl", [tricky])], quiet=True, file=out)
    assert "role '[bold red]x[/]' :smile: is unknown" in ANSI.sub("", out.getvalue())


def test_plain_text_never_imports_rich() -> None:
    code = ("import sys, ftdata; from ftdata.render.text import render; "
            f"render([ftdata.validate({str(BROKEN)!r})]); print('rich' in sys.modules)")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
    assert process.stdout.strip() == "False"
