"""``ftdata render``, ``ftdata trainers`` and the trainer's view options of ``validate`` and
``stats``: output, markers, colour, usage errors and trainer configs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ftdata.cli import main
from ftdata.cli.view import TRAINER_IDS
from ftdata.templates.trainers import TRAINERS
from ftdata.templates.view import TRAINED_CLOSE, TRAINED_OPEN

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "tests" / "templates" / "fixtures"

CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"},
                     {"role": "assistant", "content": "Paris is the capital."}]}
USER_ONLY = {"messages": [{"role": "user", "content": "Is anyone there?"}]}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return code if isinstance(code, int) else (0 if code is None else 1), out, err


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in (CHAT, USER_ONLY)) + "\n\n"
                    + "[1, 2]\n", encoding="utf-8")
    return path


def test_render_json_has_the_spec_keys(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, err = run(capsys, "render", f"{data}:1", "--template", "qwen3",
                         "--output-format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert {"path", "line", "template", "text", "ids", "mask", "trained", "total",
            "max_length", "truncated", "dropped", "template_dropped"} <= set(result)
    assert result["line"] == 1 and result["template"] == "qwen3"
    assert len(result["ids"]) == len(result["mask"]) == result["total"]
    assert result["trained"] == sum(result["mask"]) > 0
    assert result["dropped"] is False and result["truncated"] is False
    assert result["max_length"] is None
    assert "Paris is the capital." in result["text"]


def test_render_text_marks_trained_spans_without_colour(capsys: pytest.CaptureFixture[str],
                                                        data: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, "render", f"{data}:1", "--template", "chatml")
    assert code == 0
    assert "\x1b[" not in out
    # The answer and its end of turn train; the user's turn and the headers do not.
    assert f"{TRAINED_OPEN}Paris is the capital.<|im_end|>{TRAINED_CLOSE}" in out
    assert out.count(TRAINED_OPEN) == 1
    assert out.splitlines()[-1].endswith("22 tokens, 6 trained; no max_length: kept whole")


def test_render_colours_trained_spans(capsys: pytest.CaptureFixture[str], data: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, _ = run(capsys, "render", f"{data}:1", "--template", "chatml", "--show-tokens")
    assert code == 0
    assert "\x1b[30;42mParis" in out and TRAINED_OPEN not in out
    assert "What" in out and "\x1b[30;42mWhat" not in out
    assert "\u00b7" in out  # token boundaries


def test_render_with_a_trainer_and_a_limit(capsys: pytest.CaptureFixture[str],
                                           data: Path) -> None:
    code, out, _ = run(capsys, "render", f"{data}:1", "--trainer", "axolotl", "--template",
                       "qwen3", "--max-length", "8", "--output-format", "json")
    result = json.loads(out)
    assert code == 0
    assert (result["trainer"], result["strategy"], result["max_length"]) == ("axolotl", "drop", 8)
    assert result["dropped"] is True and result["kept"] == 0


@pytest.mark.parametrize(("location", "message"), [
    ("{data}:3", "no record starts on that line"),
    ("{data}:4", "not a record (not a JSON object)"),
    ("{data}:40", "no record starts on that line"),
    ("{data}", "expected FILE:LINE"),
    ("{data}:0", "expected FILE:LINE"),
    ("{missing}:1", "missing.jsonl"),
])
def test_render_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], data: Path,
                                          location: str, message: str) -> None:
    code, out, err = run(capsys, "render",
                         location.format(data=data, missing=data.parent / "missing.jsonl"),
                         "--template", "chatml")
    assert (code, out) == (2, "")
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("options", "message"), [
    (("--template", "nope"), "unknown template family 'nope'"),
    (("--template", "gemma"), "has no packaged tokenizer"),
    (("--trainer", "trl"), "no chat template to render with"),
    (("--trainer", "nope", "--template", "qwen3"), "'nope' is not one of"),
])
def test_bad_view_values_are_usage_errors(capsys: pytest.CaptureFixture[str], data: Path,
                                          options: tuple[str, ...], message: str) -> None:
    for command in (("validate", str(data)), ("stats", str(data)),
                    ("render", f"{data}:1")):
        code, _, err = run(capsys, *command, *options)
        assert code == 2, command
        assert message in err and len(err.strip().splitlines()) == 1, (command, err)


def test_validate_and_stats_with_a_trainer(capsys: pytest.CaptureFixture[str],
                                           data: Path) -> None:
    data.write_text(json.dumps(CHAT) + "\n" + json.dumps(USER_ONLY) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(data), "--trainer", "axolotl", "--template",
                       "qwen3", "--output-format", "json")
    assert code == 1
    (entry,) = json.loads(out)["files"]
    assert [(issue["code"], issue["line"]) for issue in entry["issues"]
            if issue["code"].startswith("T")] == [("T003", 2)]
    assert entry["stats"]["trainer"]["trainer"] == "axolotl"
    code, out, _ = run(capsys, "stats", str(data), "--trainer", "axolotl", "--template",
                       "qwen3", "--output-format", "json")
    assert code == 0
    result = json.loads(out)
    view = result["trainer"]
    assert (view["template"], view["max_length"], view["strategy"]) == ("qwen3", 512, "drop")
    assert view["trained_tokens"]["min"] == 0 and view["rendered_tokens"]["max"] > 0
    assert {"tokens", "cost", "epochs"} <= set(result)  # the existing keys stay
    code, out, _ = run(capsys, "stats", str(data), "--template", "qwen3", "--max-length", "10")
    assert code == 0 and "trainer           no trainer" in out and "cut by trainer" in out


def test_validate_a_trainer_config(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CONFIGS / "axolotl")
    code, out, err = run(capsys, "validate", "--trainer-config", "local-files.yml")
    assert code == 0
    assert out.startswith("data/alpaca.jsonl: ok: 1 record")
    notes = err.splitlines()
    assert all(line.startswith("ftdata: note: local-files.yml: datasets[") for line in notes)
    assert "datasets[4].path (data/missing.jsonl) is not checked" in err
    assert "checked without the trainer's view" in err  # axolotl's own alpaca prompt


def test_validate_a_remote_dataset_is_listed_not_failed(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text(json.dumps(CHAT) + "\n", encoding="utf-8")
    config = tmp_path / "axolotl.yml"
    config.write_text("base_model: Qwen/Qwen3-0.6B\nchat_template: qwen3\nsequence_len: 8\n"
                      "datasets:\n  - path: train.jsonl\n    type: chat_template\n"
                      "  - path: someone/remote-data\n    type: chat_template\n",
                      encoding="utf-8")
    code, out, err = run(capsys, "validate", "--trainer-config", str(config))
    # sequence_len 8 drops the example: axolotl's default excess_length_strategy.
    assert code == 1
    assert "T004 [error]" in out and "the trainer drops the example" in out
    assert "datasets[1].path (someone/remote-data) is not checked" in err


def test_validate_needs_files_or_a_trainer_config(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate")
    assert code == 2 and "--trainer-config" in err


def test_trainers_lists_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert tuple(TRAINERS) == TRAINER_IDS
    code, out, _ = run(capsys, "trainers")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(TRAINERS)
    code, out, _ = run(capsys, "trainers", "trl", "--output-format", "json")
    detail = json.loads(out)
    assert detail["options"]["max_length"]["default"] == 1024
    assert detail["options"]["max_length"]["source"].startswith(
        "https://github.com/huggingface/trl/blob/")
    code, _, err = run(capsys, "trainers", "nope")
    assert code == 2 and "unknown trainer" in err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_render_in_a_real_terminal_highlights_trained_spans(data: Path, tmp_path: Path) -> None:
    """The escape codes as a terminal shows them: tmux's pane, captured with its attributes."""
    socket = str(tmp_path / "tmux.sock")
    env = {**os.environ, "FORCE_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}
    env.pop("NO_COLOR", None)
    done = tmp_path / "done"
    command = (f"{sys.executable} -m ftdata render {data}:1 --template chatml; "
               f"touch {done}; sleep 30")
    tmux = ["tmux", "-S", socket]
    subprocess.run([*tmux, "new-session", "-d", "-x", "200", "-y", "50", command], env=env,
                   check=True)
    try:
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.exists(), "ftdata render did not finish in the pane"
        pane = subprocess.run([*tmux, "capture-pane", "-e", "-p"], check=True,
                              capture_output=True, text=True).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
    trained = pane.index("Paris is the capital.")
    untrained = pane.index("What is the capital")
    assert _background(pane[:trained]) == "42"  # green behind the trained answer
    assert _background(pane[:untrained]) is None  # nothing behind the user's question


def _background(before: str) -> str | None:
    """The background colour in effect at the end of ``before`` (SGR codes as tmux writes)."""
    import re

    background = None
    for codes in re.findall(r"\x1b\[([0-9;]*)m", before):
        for code in codes.split(";") if codes else ["0"]:
            if code in ("", "0", "49"):
                background = None
            elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
                background = code
    return background
