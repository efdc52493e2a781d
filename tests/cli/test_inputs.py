"""Input paths of the commands: a directory for ``validate``, ``-`` for standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ftdata.cli import main
from ftdata.inputs import files_below

CHAT = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
LINE = json.dumps(CHAT) + "\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def piped(data: bytes, *args: str) -> tuple[int, str, str]:
    process = subprocess.run([sys.executable, "-m", "ftdata", *args], input=data,
                             capture_output=True, check=False)
    return process.returncode, process.stdout.decode(), process.stderr.decode()


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# -- validate DIR ----------------------------------------------------------------------------


def test_a_directory_is_every_supported_file_below_it_in_order(tmp_path: Path) -> None:
    tree(tmp_path, {"data/b.jsonl": LINE, "data/a.json": LINE, "data/z/c.jsonl.gz": "",
                    "data/notes.txt": "A document.\n", "data/faq.csv": "q,a\n",
                    "data/.cache/hidden.jsonl": LINE, "data/node_modules/n.jsonl": LINE,
                    "data/sub/d.ndjson": LINE})
    root = str(tmp_path / "data")
    assert [Path(path).relative_to(root).as_posix() for path in files_below(root)] == [
        "a.json", "b.jsonl", "notes.txt", "sub/d.ndjson", "z/c.jsonl.gz"]


def test_gitignore_files_apply_inside_a_git_work_tree(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore": "ignored/\n*.tmp.jsonl\n",
                    "data/.gitignore": "!keep.tmp.jsonl\n/local.jsonl\n",
                    "data/train.jsonl": LINE, "data/drop.tmp.jsonl": LINE,
                    "data/keep.tmp.jsonl": LINE, "data/local.jsonl": LINE,
                    "data/deep/local.jsonl": LINE, "data/ignored/x.jsonl": LINE})
    data = str(tmp_path / "data")
    everything = ["deep/local.jsonl", "drop.tmp.jsonl", "ignored/x.jsonl", "keep.tmp.jsonl",
                  "local.jsonl", "train.jsonl"]
    # Outside a repository .gitignore files do not apply, as in ruff.
    assert [Path(p).relative_to(data).as_posix() for p in files_below(data)] == everything
    (tmp_path / ".git").mkdir()
    assert [Path(p).relative_to(data).as_posix() for p in files_below(data)] == [
        "deep/local.jsonl", "keep.tmp.jsonl", "train.jsonl"]


def test_validate_reports_each_file_of_a_directory(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    tree(tmp_path, {"b.jsonl": LINE, "a/broken.jsonl": "{\n", "c.txt": "One document.\n"})
    code, out, err = run(capsys, "validate", str(tmp_path), "--output-format", "json")
    assert (code, err) == (1, "")
    files = json.loads(out)["files"]
    assert [(Path(f["path"]).relative_to(tmp_path).as_posix(), f["format"]) for f in files] == [
        ("a/broken.jsonl", None), ("b.jsonl", "openai-chat"), ("c.txt", "text")]


def test_a_directory_with_nothing_to_validate_warns_and_exits_0(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "faq.csv").write_text("q,a\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", str(tmp_path))
    assert (code, out) == (0, "")
    assert err.startswith("ftdata: warning: no files to validate")
    code, out, _ = run(capsys, "validate", str(tmp_path), "--output-format", "json")
    assert code == 0 and json.loads(out)["files"] == []


@pytest.mark.parametrize("command", [["stats"], ["report", "-o", "out.html"],
                                     ["fix", "-o", "out.jsonl"], ["split", "-o", "out"],
                                     ["convert", "-o", "out.jsonl", "--to", "text"]])
def test_commands_that_take_one_file_say_so_for_a_directory(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, command[0], str(tmp_path), *command[1:])
    assert code == 2
    assert err == (f"ftdata: error: {tmp_path}: is a directory; `ftdata {command[0]}` takes "
                   f"one file (`ftdata validate {tmp_path}` checks every file below a "
                   f"directory)\n")


# -- standard input ----------------------------------------------------------------------------


def test_validate_reads_standard_input_once_as_stdin() -> None:
    code, out, _ = piped((LINE + '{"messages": [}\n').encode(), "validate", "-")
    assert code == 1
    assert out.splitlines()[0] == ("<stdin>:2: F002 [error] invalid JSON: Expecting value at "
                                   "column 15")
    assert out.splitlines()[-1].startswith("<stdin>: FAILED: 2 records (1 valid)")


def test_empty_standard_input_says_so() -> None:
    code, out, err = piped(b"", "validate", "-")
    assert (code, out, err) == (2, "", "ftdata: error: <stdin>: standard input is empty\n")


def test_standard_input_as_plain_text_and_pretty_printed_json() -> None:
    code, out, _ = piped(b"First document.\n\nSecond.\n", "validate", "-", "--format", "text")
    assert code == 0 and out.startswith("<stdin>: ok: 2 records (2 valid), text")
    code, out, _ = piped(json.dumps(CHAT, indent=2).encode(), "validate", "-")
    assert out.splitlines()[0].startswith("<stdin>:1: F011 [error] the file holds pretty-printed")


def test_stats_fix_and_convert_read_standard_input(tmp_path: Path) -> None:
    code, out, _ = piped(LINE.encode(), "stats", "-", "--output-format", "json")
    assert code == 0 and json.loads(out)["path"] == "<stdin>"
    fixed = tmp_path / "fixed.jsonl"
    code, out, _ = piped(json.dumps(CHAT, indent=2).encode(), "fix", "-", "-o", str(fixed))
    assert code == 0 and out.splitlines()[0] == (
        "<stdin>:1: F011 fixed: rewrote the pretty-printed objects one per line")
    assert fixed.read_text(encoding="utf-8") == json.dumps(CHAT, separators=(",", ":")) + "\n"
    converted = tmp_path / "chat.jsonl"
    code, out, _ = piped(b"User: Hi\nAssistant: Hello\n", "convert", "-", "-o", str(converted),
                         "--to", "openai-chat", "--output-format", "json")
    summary = json.loads(out)
    assert (code, summary["input"], summary["from"], summary["written"]) == (
        0, "<stdin>", "transcript", 1)


def test_the_corpus_directory_stands_for_its_data_files(corpus: Path) -> None:
    expected = sorted(path.name for path in corpus.iterdir()
                      if path.suffix in (".json", ".jsonl", ".txt"))
    assert [Path(path).name for path in files_below(str(corpus))] == expected
    assert "chatlog_whatsapp__chatminer_12hrs.txt" in expected
