"""``ftdata report``: writes the page whatever the data holds, refuses bad requests with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftdata.cli import main
from ftdata.engine import ValidateOptions, token_setup, validate_path
from ftdata.filestats import file_stats, report_stats
from tests.conftest import SAMPLES

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"
CLEAN = SAMPLES / "openai-chat" / "clean.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_writes_the_page_and_exits_0_even_when_the_data_has_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out" / "report.html"
    code, out, err = run(capsys, "report", str(BROKEN), "-o", str(output))
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4
    assert "failed" in page
    assert out.strip() == (f"{output}: report of {BROKEN} written (failed: 22 errors, "
                           f"7 warnings, 0 info)")
    assert not list(output.parent.glob(".*.tmp"))  # the temporary file was renamed


def test_options_reach_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(CLEAN), "-o", str(output), "--model", "gpt-4o-mini",
                       "--target", "openai", "--format", "openai-chat", "--max-tokens", "60",
                       "--epochs", "2")
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert "gpt-4o-mini" in page and "(2 epochs)" in page
    assert 'data-limit="60" data-position="inside"' in page
    assert "2024-07-23" in page  # the model's price date


def test_report_stats_match_ftdata_stats() -> None:
    options = ValidateOptions(model="gpt-4.1-mini")
    setup = token_setup(options)
    assert setup is not None
    for path in (BROKEN, CLEAN):
        report = validate_path(path, options)
        assert report_stats(report, setup) == file_stats(path)
        assert report_stats(report, setup, 7) == file_stats(path, epochs=7)


@pytest.mark.parametrize("args, message", [
    (("--model", "gpt-9"), "gpt-9"),
    (("--epochs", "zero"), "--epochs"),
    (("--max-tokens", "0"), "--max-tokens"),
    (("--format", "nope"), "--format"),
    # The trainer's view is checked before any work too.
    (("--trainer", "trl"), "no chat template to render with"),
    (("--template", "llama3"), "no packaged tokenizer"),
    (("--trainer", "nope"), "--trainer"),
    (("--max-length", "0"), "--max-length"),
])
def test_usage_errors_exit_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
        message: str) -> None:
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(CLEAN), "-o", str(output), *args)
    assert code == 2
    assert err.startswith("ftdata: error:") and err.count("\n") == 1 and message in err
    assert not output.exists()


def test_a_missing_input_or_output_option_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", str(tmp_path / "absent.jsonl"), "-o",
                       str(tmp_path / "r.html"))
    assert code == 2 and "absent.jsonl" in err and err.count("\n") == 1
    code, _, err = run(capsys, "report", str(CLEAN))
    assert code == 2 and "-o" in err


def test_never_writes_over_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "train.jsonl"
    original = CLEAN.read_bytes()
    data.write_bytes(original)
    link = tmp_path / "link.html"
    link.symlink_to(data)
    for target in (data, link):
        code, _, err = run(capsys, "report", str(data), "-o", str(target))
        assert code == 2 and "refusing to write over the input" in err
    assert data.read_bytes() == original


def test_a_directory_as_output_exits_2(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", str(CLEAN), "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err


# -- the trainer's view ------------------------------------------------------------------------


def _trainer_data(tmp_path: Path) -> Path:
    records: list[object] = [
        {"messages": [{"role": "user", "content": "short"},
                      {"role": "assistant", "content": "ok"}]},
        {"messages": [{"role": "user", "content": "long " * 80},
                      {"role": "assistant", "content": "fine"}]},
        {"messages": [{"role": "user", "content": "nobody answers"}]},
        {"messages": [{"role": "user", "content": "think"},
                      {"role": "assistant", "content": "42", "reasoning_content": "hmm"},
                      {"role": "user", "content": "again"},
                      {"role": "assistant", "content": "43"}]},
    ]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return data


def test_the_trainer_view_shows_each_code_with_its_examples(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _trainer_data(tmp_path)
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(data), "-o", str(output), "--template", "qwen3",
                       "--max-length", "40")
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert 'id="trainer-view"' in page and 'id="chart-trainer-lengths"' in page
    # Line 2 is truncated (T004), line 3 trains nothing (T003), line 4's first reasoning is
    # dropped by Qwen3's template (T005).
    for code_id, line in (("T003", 3), ("T004", 2), ("T005", 4)):
        block = page.split(f'id="tv-{code_id}"')[1].split("</section>")[0]
        assert f"line {line}" in block
    assert "The template dropped: <strong>reasoning</strong>" in page


def test_the_trainer_profile_sets_the_maximum(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = _trainer_data(tmp_path)
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(data), "-o", str(output), "--trainer", "axolotl",
                       "--template", "chatml")
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert "<dt>Maximum length</dt><dd>512 tokens</dd>" in page  # axolotl's sequence_len
    assert "<dt>Beyond it</dt><dd>drop</dd>" in page
    assert "axolotl · template chatml" in page


def test_the_trainer_view_agrees_with_validate(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = _trainer_data(tmp_path)
    output = tmp_path / "report.html"
    args = ("--trainer", "trl", "--template", "qwen3", "--max-length", "40")
    code, _, err = run(capsys, "report", str(data), "-o", str(output), *args)
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    report = validate_path(data, ValidateOptions(model="gpt-4.1-mini", trainer="trl",
                                                 template="qwen3", max_length=40))
    found: dict[str, list[int]] = {}
    for issue in report.issues:
        if issue.code in ("T003", "T004", "T005") and issue.line is not None:
            found.setdefault(issue.code, []).append(issue.line)
    assert found  # the data triggers the rules under trl
    for code_id, lines in found.items():
        block = page.split(f'id="tv-{code_id}"')[1].split("</section>")[0]
        assert [f"line {line}" in block for line in lines] == [True] * len(lines)
    trainer = report.stats["trainer"]
    assert f"<dt>Truncated</dt><dd>{trainer['truncated']} example" in page
    assert f"<dt>Dropped</dt><dd>{trainer['dropped']} example" in page
    assert page.count('class="bin"') >= 1


def test_an_example_no_template_renders_is_listed_without_tokens(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "half \\ud800 a pair"}, '
                    '{"role": "assistant", "content": "ok"}]}\n', encoding="utf-8")
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(data), "-o", str(output), "--template", "chatml")
    assert code == 0, err
    block = output.read_text(encoding="utf-8").split('id="tv-T005"')[1].split("</section>")[0]
    assert "line 1" in block and "not rendered" in block and "<pre" not in block
def test_the_page_prices_with_the_model_the_run_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ftdata.models import load_models

    output = tmp_path / "report.html"
    assert run(capsys, "report", str(CLEAN), "-o", str(output), "--model", "gpt-4.1-nano")[0] == 0
    page = output.read_text(encoding="utf-8")
    nano, mini = load_models()["gpt-4.1-nano"], load_models()["gpt-4.1-mini"]
    assert nano.training_price_per_million != mini.training_price_per_million
    assert f"at {nano.training_price_per_million:g} USD per 1M" in page
    assert f"at {mini.training_price_per_million:g} USD per 1M" not in page


def test_with_only_a_tokenizer_the_page_shows_no_price(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tokenizers")
    from tests.test_tokens import make_tokenizer_folder

    folder = make_tokenizer_folder(tmp_path)
    output = tmp_path / "report.html"
    code, _, err = run(capsys, "report", str(CLEAN), "-o", str(output), "--tokenizer",
                       str(folder))
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert "gpt-4.1-mini" not in page and "per 1M" not in page
    assert "no price known" in page and "no model was given (--model)" in page
    # stats says the same.
    code, out, err = run(capsys, "stats", str(CLEAN), "--tokenizer", str(folder),
                         "--output-format", "json")
    assert code == 0, err
    assert '"model": null' in out and '"cost": null' in out
