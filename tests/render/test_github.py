"""GitHub Actions workflow commands: one annotation per issue, escaped as the runner reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ftdata
from ftdata.diagnostics import Severity
from ftdata.render.github import escape_data, escape_property, format_command, render
from ftdata.render.text import summary_line
from tests.conftest import SAMPLES
from tests.render.helpers import issue, report, write_json_array

COMMAND = re.compile(r"^::(error|warning|notice) (file=[^,:]+(,line=\d+)?,title=[^,:]+)::(.*)$")


def test_data_escapes_percent_first_then_line_breaks() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("%0A is not a newline") == "%250A is not a newline"
    assert escape_data("a: b, c") == "a: b, c"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("C:\\data,v2\n%") == "C%3A\\data%2Cv2%0A%25"


def test_a_record_issue_names_file_line_and_title() -> None:
    found = issue("C003", 4, message="the conversation has no assistant message",
                  pointer="/messages")
    assert format_command("train.jsonl", found, 4) == (
        "::error file=train.jsonl,line=4,title=C003 no-assistant-message::"
        "the conversation has no assistant message (at /messages)")


def test_a_file_issue_has_no_line() -> None:
    found = issue("F007", message="the file has 3 examples; openai needs at least 10")
    assert format_command("train.jsonl", found, None) == (
        "::error file=train.jsonl,title=F007 too-few-examples::"
        "the file has 3 examples; openai needs at least 10")


@pytest.mark.parametrize(("severity", "command"), [
    (Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")])
def test_severities_map_to_commands(severity: Severity, command: str) -> None:
    line = format_command("a.jsonl", issue("Q001", 1, severity=severity), 1)
    assert line.startswith(f"::{command} ")


def test_hostile_text_cannot_start_a_command_of_its_own() -> None:
    found = issue("C001", 2, message="role 'x\n::add-mask::y\r\n::error::forged' is unknown")
    path = "odd:name,with\ncomma.jsonl"
    line = format_command(path, found, 2)
    assert "\n" not in line and "\r" not in line
    assert line == ("::error file=odd%3Aname%2Cwith%0Acomma.jsonl,line=2,title=C001 unknown-role"
                    "::role 'x\\n::add-mask::y\\r\\n::error::forged' is unknown")


def test_render_gives_one_command_per_issue_then_the_summary() -> None:
    path = SAMPLES / "openai-chat" / "broken.jsonl"
    result = ftdata.validate(path)
    lines = render([result]).splitlines()
    assert len(lines) == len(result.issues) + 1
    for line, found in zip(lines, result.issues, strict=False):
        match = COMMAND.match(line)
        assert match, line
        assert match.group(1) == {"error": "error", "warning": "warning",
                                  "info": "notice"}[found.severity.value]
        assert (f",line={found.line}," in line) == (found.line is not None)
        assert f"title={found.code} {found.name}::" in line
    assert lines[-1] == summary_line(result)


def test_quiet_leaves_out_the_summary_and_max_issues_says_what_was_hidden() -> None:
    issues = [issue("C003", n) for n in (1, 2, 3)]
    quiet = render([report("a.jsonl", issues)], quiet=True).splitlines()
    assert len(quiet) == 3 and all(line.startswith("::error ") for line in quiet)
    limited = render([report("a.jsonl", issues, max_issues=1)]).splitlines()
    assert len(limited) == 3
    assert limited[1] == "a.jsonl: ... 2 more issues not shown (--max-issues 1)"


def test_json_array_annotations_point_at_the_physical_line(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    starts = write_json_array(path, [{"messages": [{"role": "user", "content": "hi"},
                                                   {"role": "assistant", "content": "yo"}]},
                                     {"messages": []}])
    result = ftdata.validate(path, format="openai-chat")
    (line,) = [x for x in render([result]).splitlines() if "C015" in x]
    assert f",line={starts[1]}," in line and starts[1] != 2


def test_paths_inside_the_working_directory_are_made_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    absolute = str(tmp_path / "sub" / "train.jsonl")
    line = render([report(absolute, [issue("C003", 1)])], quiet=True)
    assert line.startswith("::error file=sub/train.jsonl,line=1,")


def test_no_issues_prints_only_the_summary() -> None:
    result = ftdata.validate(SAMPLES / "openai-chat" / "clean.jsonl")
    assert render([result]) == summary_line(result) + "\n"
    assert render([result], quiet=True) == ""
