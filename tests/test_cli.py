"""The command line: output formats, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftdata.cli import cli, main
from ftdata.formats import format_ids
from tests.conftest import SAMPLES

BROKEN = str(SAMPLES / "openai-chat" / "broken.jsonl")
CLEAN = str(SAMPLES / "openai-chat" / "clean.jsonl")


def run(*args: str) -> tuple[int, str, str]:
    process = subprocess.run([sys.executable, "-m", "ftdata", *args], capture_output=True,
                             text=True, check=False)
    return process.returncode, process.stdout, process.stderr


def test_clean_file_exits_0() -> None:
    code, out, _ = run("validate", CLEAN, "--target", "openai")
    assert code == 0
    assert "ok: 12 records (12 valid)" in out


def test_text_output_is_one_issue_a_line_sorted_by_line() -> None:
    code, out, _ = run("validate", BROKEN)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{BROKEN}: F008 [error] ")
    assert lines[1] == f"{BROKEN}:1: F005 [warning] the file starts with a UTF-8 byte-order mark"
    assert lines[2] == (f"{BROKEN}:2: C003 [error] the conversation has no assistant message "
                        f"(at /messages)")
    numbers = [int(line.split(":")[1]) for line in lines[1:-1]]
    assert numbers == sorted(numbers)
    assert lines[-1].startswith(f"{BROKEN}: FAILED: 25 records (6 valid)")


def test_json_output_matches_the_spec_shape() -> None:
    code, out, _ = run("validate", BROKEN, "--output-format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["ftdata_version"] == "0.1.0"
    (entry,) = data["files"]
    assert entry["format"] == "openai-chat" and entry["records"] == 25


def test_max_issues_and_quiet() -> None:
    code, out, _ = run("validate", BROKEN, "--max-issues", "3", "--quiet")
    assert code == 1
    assert len(out.splitlines()) == 3
    data = json.loads(run("validate", BROKEN, "--max-issues", "2", "--output-format",
                          "json")[1])
    assert len(data["files"][0]["issues"]) == 2
    assert data["files"][0]["issues_omitted"] == 27
    assert data["files"][0]["summary"]["error"] == 22


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "a"},
                                             {"role": "user", "content": "b"},
                                             {"role": "assistant", "content": "c"}]}) + "\n")
    assert run("validate", str(path))[0] == 0
    assert run("validate", str(path), "--strict")[0] == 1


@pytest.mark.parametrize("args", [
    ("validate", "does-not-exist.jsonl"),
    ("validate", CLEAN, "--target", "nope"),
    ("validate", CLEAN, "--select", "Z1"),
    ("validate", CLEAN, "--bogus"),
    ("validate",),
    ("rules", "X999"),
    ("schema", "nope"),
    ("targets", "nope"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("ftdata: error: ")
    assert "Traceback" not in err


def test_directory_is_an_input_error_where_one_file_is_expected(tmp_path: Path) -> None:
    code, _, err = run("stats", str(tmp_path))
    assert code == 2 and "is a directory" in err


def test_rules_lists_and_explains() -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules"]).output
    assert "C003  no-assistant-message" in listing
    explained = runner.invoke(cli, ["rules", "c003"]).output
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert heading in explained


def test_formats_lists_every_format() -> None:
    output = CliRunner().invoke(cli, ["formats"]).output
    ids = [line.split()[0] for line in output.splitlines() if not line.startswith(" ")]
    assert ids == format_ids()


def test_targets_lists_every_target_and_shows_one_with_its_sources() -> None:
    from ftdata.targets import TARGETS

    runner = CliRunner()
    listing = runner.invoke(cli, ["targets"]).output
    ids = [line.split()[0] for line in listing.splitlines() if not line.startswith(" ")]
    assert ids == list(TARGETS)
    shown = runner.invoke(cli, ["targets", "openai"]).output.splitlines()
    assert shown[0] == "openai: OpenAI fine-tuning (SFT, DPO, RFT)."
    assert "* at least 10 examples" in shown
    # Each difference is followed by the document or code line it comes from.
    limits = shown.index("* files up to 512 MB")
    assert shown[limits + 1] == ("  source: "
                                 "https://platform.openai.com/docs/api-reference/files/create")
    assert "* unknown keys (S002): error" in shown


def test_schema_prints_the_shipped_schema() -> None:
    output = CliRunner().invoke(cli, ["schema", "openai-chat"]).output
    assert json.loads(output)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_main_entry_point_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate", CLEAN])
    assert exited.value.code == 0


def test_import_and_help_stay_light() -> None:
    code = ("import sys, ftdata, ftdata.cli; "
            "heavy = {'pandas', 'datasets', 'great_expectations', 'dask', 'tiktoken', "
            "'jsonschema', 'pydantic'} & set(sys.modules); print(sorted(heavy))")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
    assert process.stdout.strip() == "[]"


def test_an_error_line_masks_the_data_it_quotes(tmp_path: Path) -> None:
    """A WhatsApp export whose author is a credential: convert lists the authors, masked."""
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9"
    chat = tmp_path / "_chat.txt"
    chat.write_text(f"[01.02.23, 10:00:00] Shop Bot: Welcome!\n"
                    f"[01.02.23, 10:00:05] {secret}: Hello there\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(chat), "-o", str(tmp_path / "o.jsonl"),
                                      "--to", "openai-chat"])
    assert result.exit_code == 2 and "authors: 'Shop Bot', 'wJal…(40 chars)'" in result.stderr
    assert "bPxRfi" not in result.stderr
# -- what a new user tripped on ----------------------------------------------------------------


def test_rules_with_a_family_or_prefix_lists_the_matching_rules() -> None:
    from ftdata.rules import all_rules

    runner = CliRunner()
    family = runner.invoke(cli, ["rules", "C"])
    assert family.exit_code == 0, family.output
    codes = [line.split()[0] for line in family.output.splitlines()]
    assert codes == [rule.code for rule in all_rules() if rule.code.startswith("C")]
    assert "C003" in codes and len(codes) > 10
    prefix = runner.invoke(cli, ["rules", "c00"]).output
    assert [line.split()[0] for line in prefix.splitlines()] == [
        f"C00{n}" for n in range(1, 10)]
    # One whole code is still explained, and a prefix nothing matches is a usage error.
    assert "What it does" in runner.invoke(cli, ["rules", "C003"]).output
    code, out, err = run("rules", "Z")
    assert code == 2 and out == "" and "no rule code starts with 'Z'" in err


def test_models_text_table_gives_each_figures_source() -> None:
    from ftdata.models import load_models

    output = CliRunner().invoke(cli, ["models"]).output
    lines = output.splitlines()
    info = load_models()["gpt-4.1-mini"]
    row = next(i for i, line in enumerate(lines) if line.startswith("gpt-4.1-mini "))
    below = lines[row + 1:row + 3]
    assert f"limit source: {info.max_tokens_source}" in [line.strip() for line in below]
    assert f"price source: {info.price_source}" in [line.strip() for line in below]
    # A model with no price has no price source line.
    free = next(i for i, line in enumerate(lines) if line.startswith("openai/gpt-oss-20b "))
    assert not lines[free + 2].strip().startswith("price source")


@pytest.mark.parametrize(("args", "suggestion"), [
    (("validate", CLEAN, "--target", "openAI"), "did you mean 'openai'?"),
    (("validate", CLEAN, "--target", "azure_openai"), "did you mean 'azure-openai'?"),
    (("validate", CLEAN, "--format", "openai_chat"), "did you mean 'openai-chat'?"),
    (("stats", CLEAN, "--format", "OpenAI-Chat"), "did you mean 'openai-chat'?"),
    (("convert", CLEAN, "-o", "x.jsonl", "--to", "sharegpt_"), "did you mean 'sharegpt'?"),
    (("schema", "openai_chat"), "did you mean 'openai-chat'?"),
])
def test_a_misspelt_target_or_format_gets_a_suggestion(args: tuple[str, ...],
                                                       suggestion: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert suggestion in err


def test_a_name_far_from_every_choice_gets_no_suggestion() -> None:
    code, _, err = run("validate", CLEAN, "--target", "zzzz")
    assert code == 2 and "did you mean" not in err


def test_stats_takes_a_target_that_picks_its_format(tmp_path: Path) -> None:
    # A bedrock-claude record is also an openai-chat one: the target picks the specific format.
    data = tmp_path / "claude.jsonl"
    data.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"question {i}"},
        {"role": "assistant", "content": "answer"}]}) + "\n" for i in range(3)),
        encoding="utf-8")
    code, out, err = run("stats", str(data), "--target", "generic", "--output-format", "json")
    assert code == 0, err
    generic = json.loads(out)["format"]
    code, out, err = run("stats", str(data), "--target", "bedrock", "--output-format", "json")
    assert code == 0, err
    assert (generic, json.loads(out)["format"]) == ("openai-chat", "bedrock-claude")


def one_record_file(tmp_path: Path, extra: str = "") -> Path:
    """A file of one example with two user turns in a row (a warning) and a trailing space in
    the answer (fixable), then ``extra``."""
    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"},
                                             {"role": "user", "content": "again"},
                                             {"role": "assistant", "content": "hello "}]})
                    + "\n" + extra, encoding="utf-8")
    return data


def test_counts_of_one_are_singular_in_every_command(tmp_path: Path) -> None:
    data = one_record_file(tmp_path)
    _, out, err = run("fix", str(data), "-o", str(tmp_path / "fixed.jsonl"))
    summary = out.splitlines()[-1]
    assert summary.endswith(": 1 record read, 1 written, 0 dropped, 0 skipped; 1 change"), \
        (summary, err)
    twice = tmp_path / "two.jsonl"
    twice.write_text(data.read_text(encoding="utf-8").replace("hi", "hey") + data.read_text(
        encoding="utf-8"), encoding="utf-8")
    _, out, err = run("split", str(twice), "--validation", "1", "-o", str(tmp_path / "split"))
    assert "1 record; " in out and out.rstrip().endswith("1 record (2 groups, seed 42)"), (
        out, err)
    _, out, _ = run("validate", str(data))
    assert "1 record (1 valid)" in out and "0 errors, 1 warning, 1 info" in out
    _, out, _ = run("report", str(data), "-o", str(tmp_path / "report.html"))
    assert "(ok: 0 errors, 1 warning, 1 info)" in out, out


def test_split_validation_is_a_fraction_below_1_or_a_whole_count(tmp_path: Path) -> None:
    data = one_record_file(tmp_path)
    for bad in ("1.5", "0", "-1", "2.25", "nan"):
        code, out, err = run("split", str(data), "--validation", bad, "-o",
                             str(tmp_path / "out"))
        assert code == 2 and out == "", (bad, out)
        assert "--validation" in err and "a fraction between 0 and 1" in err, err
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    for good in ("0.5", "1", "1.0", "3"):
        code, _, err = run("split", str(data), "--validation", good, "-o",
                           str(tmp_path / f"out-{good}"))
        assert code == 0, (good, err)


@pytest.mark.parametrize("command", ["validate", "stats", "report"])
def test_a_hub_model_offline_fails_at_once_in_one_line(
        command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    import socket

    pytest.importorskip("huggingface_hub")
    tried: list[object] = []

    def unreachable(address: object, *args: object, **kwargs: object) -> socket.socket:
        tried.append(address)
        raise OSError("network is unreachable")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    extra = ["-o", str(tmp_path / "report.html")] if command == "report" else []
    with pytest.raises(SystemExit) as exited:
        main([command, CLEAN, "--model", "openai/gpt-oss-20b", *extra])
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert len(tried) == 1  # one probe of the Hub, no retries
    assert err.count("\n") == 1 and "'openai/gpt-oss-20b'" in err
    assert "does not answer" in err and "tokenizer.json" in err
