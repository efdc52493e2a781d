"""The trainer's view of a run: the same verdict in worker processes, render_record, the
highlighting, the statistics and a real corpus file."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import ftdata
from ftdata import parallel
from ftdata.engine import ValidateOptions, validate_path
from ftdata.templates.record import render_record
from ftdata.templates.view import (
    TRAINED_CLOSE,
    TRAINED_OPEN,
    TrainerView,
    highlight,
)

CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"},
                     {"role": "assistant", "content": "Paris is the capital."}]}


def _records(count: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for index in range(count):
        kind = index % 4
        if kind == 0:
            records.append({"messages": [{"role": "user", "content": f"Question {index}?"},
                                         {"role": "assistant", "content": "Yes. " * index}]})
        elif kind == 1:
            records.append({"messages": [{"role": "user", "content": f"Only {index}"}]})
        elif kind == 2:
            records.append({"messages": [
                {"role": "user", "content": f"Hi {index}"},
                {"role": "assistant", "content": "Hello", "reasoning_content": "Greet back."},
                {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye"}]})
        else:
            records.append({"messages": [{"role": "user", "content": f"Hi {index}"},
                                         {"role": "assistant", "content": "Hello",
                                          "weight": 0}]})
    return records


def test_two_workers_match_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in _records(600)),
                    encoding="utf-8")
    monkeypatch.setattr(parallel, "BATCH_BYTES", 4096)  # many ranges, many merges
    options = ValidateOptions(count_tokens=False, trainer="axolotl", template="qwen3",
                              max_length=64)
    one = validate_path(path, ValidateOptions(**{**options.__dict__, "jobs": 1}))
    two = validate_path(path, ValidateOptions(**{**options.__dict__, "jobs": 2}))
    assert two.to_dict() == one.to_dict()
    assert {"T003", "T004", "T005"} <= {issue.code for issue in one.issues}
    view = one.stats["trainer"]
    assert view["dropped"] > 0 and view["trained_tokens_lost"] > 0
    assert one.accumulator is not None and two.accumulator is not None
    assert two.accumulator.rendered.counts == one.accumulator.rendered.counts


def test_the_view_pickles_without_its_template() -> None:
    view = TrainerView("trl", "qwen3", None, 128)
    view.check()
    copy = pickle.loads(pickle.dumps(view))
    assert copy == view and len(pickle.dumps(view)) < 300


def test_library_render_is_the_cli_json(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(CHAT) + "\n", encoding="utf-8")
    import ftdata.render.text  # the package imported: still callable

    result = ftdata.render(path, 1, template="qwen3", max_length=12)  # type: ignore[operator]
    assert result["truncated"] is True and result["kept"] == 12
    assert result["trained_lost"] == result["trained"] - sum(result["mask"][:12])


def test_highlight_marks_exactly_the_trained_tokens(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(CHAT) + "\n", encoding="utf-8")
    view = TrainerView(template="qwen3")
    result = render_record(path, 1, view)
    plain = highlight(result, view, color=False)
    assert plain.replace(TRAINED_OPEN, "").replace(TRAINED_CLOSE, "") == result["text"]
    inside = plain.split(TRAINED_OPEN, 1)[1].split(TRAINED_CLOSE, 1)[0]
    assert inside.endswith("Paris is the capital.<|im_end|>")
    coloured = highlight(result, view, color=True)
    assert "\x1b[30;42m" in coloured and TRAINED_OPEN not in coloured


def test_stats_have_a_trainer_object(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in _records(8)),
                    encoding="utf-8")
    result = ftdata.stats(path, trainer="trl", template="chatml", max_length=16)
    view = result["trainer"]
    assert set(view) == {"trainer", "template", "max_length", "strategy", "packing",
                         "rendered_tokens", "trained_tokens", "dropped", "truncated",
                         "trained_tokens_lost"}
    assert (view["trainer"], view["template"], view["max_length"]) == ("trl", "chatml", 16)
    assert view["truncated"] > 0
    assert set(view["rendered_tokens"]) == {"min", "max", "mean", "p50", "p90", "p95", "p99"}
    assert "trainer" not in ftdata.stats(path)


def test_a_corpus_file_under_trl_and_qwen3(corpus: Path) -> None:
    path = corpus / "openai_chat__cookbook_toy.jsonl"
    if not path.exists():
        pytest.skip("corpus file absent")
    plain = ftdata.validate(path, tokens=False)
    viewed = ftdata.validate(path, tokens=False, trainer="trl", template="qwen3")
    # The view adds findings of its own codes only, and trainer statistics.
    extra = [issue for issue in viewed.issues if issue not in plain.issues]
    assert all(issue.code in {"T003", "T004", "T005"} for issue in extra)
    view = viewed.stats["trainer"]
    assert view["rendered_tokens"]["min"] > 0
    # TRL trains every token of conversational data and keeps the first max_length (1024).
    assert view["trained_tokens"]["max"] == min(1024, view["rendered_tokens"]["max"])
    truncations = [issue for issue in viewed.issues if issue.code == "T004"]
    assert view["truncated"] == len(truncations)
    assert all("truncate_right loses" in issue.message for issue in truncations)


@pytest.mark.parametrize("template", ["qwen3", "deepseek", "gpt-oss"])
def test_records_no_tokenizer_takes_are_findings_not_tracebacks(tmp_path: Path,
                                                                template: str) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "Hi \\ud800"}, '
                    '{"role": "assistant", "content": "Hello"}]}\n'
                    '{"messages": [{"role": "user", "content": "x"}, '
                    '{"role": "assistant", "content": {"nested": 1}}]}\n', encoding="utf-8")
    report = ftdata.validate(path, tokens=False, template=template)
    (issue,) = [issue for issue in report.issues if issue.code.startswith("T")]
    assert (issue.code, issue.line, issue.severity.value) == ("T005", 1, "error")
    assert "\\ud800" not in issue.message
