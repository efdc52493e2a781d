"""``ftdata validate --output-format``: every format on the broken sample, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftdata.cli import cli
from ftdata.render import OUTPUT_FORMATS
from tests.conftest import ROOT
from tests.render.test_sarif import assert_valid_sarif

BROKEN = "samples/openai-chat/broken.jsonl"
ISSUES = 29  # what the broken sample holds (tests/test_engine.py lists them)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(env or {})
    process = subprocess.run([sys.executable, "-m", "ftdata", *args], capture_output=True,
                             text=True, check=False, cwd=ROOT, env=environ)
    return process.returncode, process.stdout, process.stderr


def invoke(*args: str) -> tuple[int, str]:
    """In-process, for speed: stdout is not a terminal, as in a pipe."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_every_format_is_offered() -> None:
    assert OUTPUT_FORMATS == ("text", "json", "github", "sarif", "junit")
    code, out, _ = run("validate", "--help")
    assert code == 0 and "text|json|github|sarif|junit" in out.replace("\n", "")
    code, _, err = run("validate", BROKEN, "--output-format", "xml")
    assert code == 2 and len(err.splitlines()) == 1


def test_text() -> None:
    code, out, err = run("validate", BROKEN, "--output-format", "text")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == ISSUES + 1 and not ANSI.search(out)
    assert lines[2] == (f"{BROKEN}:2: C003 [error] the conversation has no assistant message "
                        f"(at /messages)")


def test_text_in_colour_when_forced_and_never_with_no_color() -> None:
    plain = run("validate", BROKEN)[1]
    code, forced, _ = run("validate", BROKEN, env={"FORCE_COLOR": "1"})
    assert code == 1 and ANSI.search(forced) and ANSI.sub("", forced) == plain
    assert run("validate", BROKEN, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1] == plain


def test_json() -> None:
    code, out, _ = run("validate", BROKEN, "--output-format", "json")
    assert code == 1
    assert len(json.loads(out)["files"][0]["issues"]) == ISSUES


def test_github() -> None:
    code, out, err = run("validate", BROKEN, "--output-format", "github")
    assert code == 1 and err == ""
    lines = out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == ISSUES and len(lines) == ISSUES + 1
    assert commands[0].startswith(f"::error file={BROKEN},title=F008 mixed-formats::")
    assert commands[1] == (f"::warning file={BROKEN},line=1,title=F005 byte-order-mark::"
                           f"the file starts with a UTF-8 byte-order mark")
    assert lines[-1].startswith(f"{BROKEN}: FAILED: 25 records (6 valid)")


def test_sarif() -> None:
    code, out, _ = run("validate", BROKEN, "--output-format", "sarif")
    assert code == 1
    document = json.loads(out)
    results = document["runs"][0]["results"]
    assert len(results) == ISSUES
    c003 = next(r for r in results if r["ruleId"] == "C003")
    assert c003["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": BROKEN, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2}}
    assert_valid_sarif(document)


def test_junit() -> None:
    code, out, _ = run("validate", BROKEN, "--output-format", "junit")
    assert code == 1
    root = ET.fromstring(out.encode("utf-8"))
    (case,) = root.iter("testcase")
    assert case.get("name") == BROKEN
    failure = case.find("failure")
    assert failure is not None and len((failure.text or "").splitlines()) == 22


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_clean_files_exit_0_in_every_format(output_format: str) -> None:
    code, out = invoke("validate", str(ROOT / "samples/openai-chat/clean.jsonl"),
                       "--output-format", output_format)
    assert code == 0 and out and not ANSI.search(out)


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_no_format_prints_a_secret(tmp_path: Path, output_format: str) -> None:
    key = "sk-proj-" + "Zq3xV9mT2bLw8RkP4nYc7HsJ1dFg6AeU0oIiQrSt5Wv"
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"messages": [
        {"role": "user", "content": f"my key is {key}, why does it fail?"},
        {"role": "assistant", "content": "Revoke it first."}]}) + "\n", encoding="utf-8")
    code, out = invoke("validate", str(path), "--output-format", output_format)
    assert code == 1 and "P001" in out
    assert key[8:] not in out
