"""``ftdata convert``: skipped records with their lines, the summary, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftdata.cli import main
from ftdata.conversion import unreadable
from tests.sources import FIXTURES
from tests.test_convert import records, writer  # noqa: F401 - the fixture

FAQ = str(FIXTURES / "faq.csv")

pytestmark = pytest.mark.usefixtures("writer")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["convert", *args])
    out, err = capsys.readouterr()
    code = exited.value.code
    return code if isinstance(code, int) else 1, out, err


def test_text_output_lists_each_skip_then_a_summary(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    output = tmp_path / "train.jsonl"
    code, out, err = run(capsys, FAQ, "-o", str(output), "--to", "openai-chat")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{FAQ}:3: skipped: empty answer",
        f"{FAQ} -> {output}: csv -> openai-chat: 5 read, 4 written, 1 skipped"]
    assert len(records(output)) == 4


def test_json_output_is_the_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "train.jsonl"
    code, out, _ = run(capsys, FAQ, "-o", str(output), "--to", "openai-chat",
                       "--output-format", "json")
    summary = json.loads(out)
    assert code == 0 and list(summary) == ["input", "output", "from", "to", "read", "written",
                                           "skipped"]
    assert summary["read"] == summary["written"] + len(summary["skipped"]) == 5
    assert summary["skipped"] == [{"line": 3, "reason": "empty answer"}]


def test_strict_exits_1_when_a_record_is_skipped(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    output = str(tmp_path / "train.jsonl")
    assert run(capsys, FAQ, "-o", output, "--to", "openai-chat", "--strict")[0] == 1
    clean = str(FIXTURES / "qa.json")
    assert run(capsys, clean, "-o", output, "--to", "openai-chat", "--strict")[0] == 0


def test_map_roles_from_and_system(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "table.csv"
    source.write_text("id,frage,antwort\n1,Wie?,So.\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, str(source), "-o", str(output), "--to", "openai-chat", "--map",
                     "frage=prompt", "--map", "2=completion", "--system", "Sei knapp.")
    assert code == 0 and records(output) == [{"messages": [
        {"role": "system", "content": "Sei knapp."}, {"role": "user", "content": "Wie?"},
        {"role": "assistant", "content": "So."}]}]
    chat = FIXTURES / "whatsapp_ios_24h.txt"
    code, out, _ = run(capsys, str(chat), "-o", str(output), "--to", "openai-chat",
                       "--from", "whatsapp", "--roles", "Support=assistant")
    assert code == 0 and out.splitlines()[-1].endswith("2 read, 1 written, 1 skipped")


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "frage"], "--map: expected COL=FIELD, got 'frage'"),
    (["--map", "a=prompt", "--map", "a=completion"], "--map: 'a' is given twice"),
    (["--map", "question=query"], "--map question=query: the field must be one of prompt"),
    (["--roles", "bot=robot"], "--roles bot=robot: the role must be one of system, user, "
                               "assistant"),
    (["--from", "whatsapp"], "a WhatsApp chat needs the assistant's name"),
    (["--to", "nope"], "Invalid value for '--to'"),
])
def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           args: list[str], message: str) -> None:
    output = tmp_path / "out.jsonl"
    base = ["--to", "openai-chat"] if "--to" not in args else []
    code, out, err = run(capsys, FAQ, "-o", str(output), *base, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err
    assert not output.exists()


def test_unreadable_input_and_output_over_input(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.csv")
    code, _, err = run(capsys, missing, "-o", str(tmp_path / "o.jsonl"), "--to", "openai-chat")
    assert code == 2 and err == f"ftdata: error: {missing}: no such file\n"
    source = tmp_path / "faq.csv"
    source.write_bytes((FIXTURES / "faq.csv").read_bytes())
    code, _, err = run(capsys, str(source), "-o", str(source), "--to", "openai-chat")
    assert code == 2 and "refusing to write over the input" in err
    assert source.read_bytes() == (FIXTURES / "faq.csv").read_bytes()


def test_nothing_written_exits_1_and_leaves_no_output(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\nWhy?,\nHow?,\n", encoding="utf-8")
    output = tmp_path / "train.jsonl"
    code, out, err = run(capsys, str(source), "-o", str(output), "--to", "openai-chat")
    assert code == 1
    assert not output.exists() and not list(tmp_path.glob(".*"))
    assert out.splitlines()[-1].endswith("2 read, 0 written, 2 skipped")
    assert err.count("\n") == 1 and "--allow-empty" in err
    assert "not written: no record could be converted (2 records read)" in err
    # JSON output too.
    code, out, _ = run(capsys, str(source), "-o", str(output), "--to", "openai-chat",
                       "--output-format", "json")
    assert code == 1 and json.loads(out)["written"] == 0 and not output.exists()
    # An output left by an earlier run is not replaced by an empty one.
    output.write_text('{"messages": []}\n', encoding="utf-8")
    assert run(capsys, str(source), "-o", str(output), "--to", "openai-chat")[0] == 1
    assert output.read_text(encoding="utf-8") == '{"messages": []}\n'


def test_allow_empty_keeps_an_empty_output(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\nWhy?,\n", encoding="utf-8")
    output = tmp_path / "train.jsonl"
    code, _, err = run(capsys, str(source), "-o", str(output), "--to", "openai-chat",
                       "--allow-empty")
    assert (code, err) == (0, "")
    assert output.read_bytes() == b""


def _chat_lines(count: int) -> list[str]:
    return [json.dumps({"messages": [{"role": "user", "content": f"question {i} " + "x" * 200},
                                     {"role": "assistant", "content": f"answer {i}"}]})
            for i in range(count)]


def test_a_truncated_or_damaged_input_exits_1(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    import gzip

    lines = _chat_lines(400)
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(packed[: len(packed) * 2 // 3])
    cut_line = tmp_path / "cut.jsonl"
    cut_line.write_text("\n".join(lines)[:-12], encoding="utf-8")
    unclosed = tmp_path / "array.json"
    unclosed.write_text("[" + ",\n".join(lines[:3]), encoding="utf-8")
    output = tmp_path / "train.jsonl"
    for source in (truncated, cut_line, unclosed):
        code, out, err = run(capsys, str(source), "-o", str(output), "--to", "openai-chat",
                             "--from", "openai-chat", "--output-format", "json")
        summary = json.loads(out)
        # Every record read is written or listed; what could not be read costs exit 1.
        assert code == 1, source
        assert summary["read"] == summary["written"] + len(summary["skipped"])
        assert unreadable(summary) >= 1 and summary["written"] >= 1
        assert "could not be read" in err and "lacks it" in err
    # A record read whole that cannot be converted is no damage: exit 0, no "unreadable".
    code, out, err = run(capsys, FAQ, "-o", str(output), "--to", "openai-chat",
                         "--output-format", "json")
    assert (code, err) == (0, "") and unreadable(json.loads(out)) == 0
