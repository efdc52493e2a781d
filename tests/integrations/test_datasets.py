"""Hugging Face datasets: TRL-ready columns, round trips, skip accounting, offline by design."""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.conversion import SkippedRecordWarning
from ftdata.sources import json_records
from tests.conftest import SAMPLES

datasets = pytest.importorskip("datasets")

from ftdata.integrations.datasets import (  # noqa: E402
    OFFLINE_VARIABLES,
    from_hf_dataset,
    offline,
    to_hf_dataset,
)


def sample(format_id: str) -> Path:
    return next((SAMPLES / format_id).glob("clean.*"))


def records(path: Path) -> list[Any]:
    return [record for _, record in json_records(path)]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def chats(count: int) -> list[dict[str, Any]]:
    return [{"messages": [{"role": "system", "content": "Answer briefly."},
                          {"role": "user", "content": f"What is {n} + {n}?"},
                          {"role": "assistant", "content": str(n + n)}]}
            for n in range(count)]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "hf-cache"


def load(path: Path, cache: Path, **kwargs: Any) -> Any:
    return to_hf_dataset(path, cache_dir=cache, **kwargs)


# -- offline --------------------------------------------------------------------------------------


@pytest.mark.parametrize("before", [None, "0"])
def test_offline_switches_are_on_inside_and_restored_after(
        before: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OFFLINE_VARIABLES:
        if before is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, before)
    config = sys.modules["datasets.config"]
    was = (config.HF_DATASETS_OFFLINE, config.HF_HUB_OFFLINE)
    with offline() as module:
        assert module is datasets
        assert all(os.environ[name] == "1" for name in OFFLINE_VARIABLES)
        assert config.HF_DATASETS_OFFLINE is True and config.HF_HUB_OFFLINE is True
    assert [os.environ.get(name) for name in OFFLINE_VARIABLES] == [before, before]
    restored = (config.HF_DATASETS_OFFLINE, config.HF_HUB_OFFLINE)
    assert restored == was


def test_switches_are_restored_when_the_block_fails() -> None:
    saved = {name: os.environ.get(name) for name in OFFLINE_VARIABLES}
    with pytest.raises(RuntimeError), offline():
        raise RuntimeError("boom")
    assert {name: os.environ.get(name) for name in OFFLINE_VARIABLES} == saved


def test_local_files_never_touch_the_network(tmp_path: Path, cache: Path,
                                             no_network: list[Any]) -> None:
    # The socket guard of conftest.py fails the test on any connection or name lookup.
    path = write_jsonl(tmp_path / "train.jsonl", chats(12))
    ds = load(path, cache)
    from_hf_dataset(ds, tmp_path / "back.jsonl")
    assert no_network == []


# -- file -> Dataset -------------------------------------------------------------------------


def test_a_plain_chat_file_gives_role_content_structs(tmp_path: Path, cache: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chats(12))
    ds = load(path, cache)
    assert ds.column_names == ["messages"]
    feature = ds.features["messages"]
    item = feature.feature if hasattr(feature, "feature") else feature[0]  # List or [...]
    assert item == {"role": datasets.Value("string"), "content": datasets.Value("string")}
    assert [row["messages"] for row in ds] == [chat["messages"] for chat in chats(12)]


def test_rows_live_in_a_memory_mapped_arrow_cache(tmp_path: Path, cache: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chats(3))
    ds = load(path, cache)
    assert ds.cache_files and all(Path(f["filename"]).is_relative_to(cache)
                                  for f in ds.cache_files)


def test_a_changed_file_is_not_served_from_a_stale_cache(tmp_path: Path, cache: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chats(3))
    assert load(path, cache).num_rows == 3
    write_jsonl(path, chats(5))
    assert load(path, cache).num_rows == 5


@pytest.mark.parametrize(("format_id", "columns"), [
    ("prompt-completion", ["prompt", "completion"]),
    ("trl-preference", ["prompt", "chosen", "rejected"]),
    ("text", ["text"]),
    ("trl-kto", ["prompt", "completion", "label"]),
    ("alpaca", ["messages"]),
])
def test_trl_columns_by_kind(format_id: str, columns: list[str], cache: Path) -> None:
    path = sample(format_id)
    ds = load(path, cache)
    assert ds.column_names == columns
    assert ds.num_rows == len(records(path))


def test_completion_pairs_stay_strings(cache: Path) -> None:
    path = sample("prompt-completion")
    ds = load(path, cache)
    assert ds[0] == records(path)[0]


def test_preference_pairs_are_message_lists(cache: Path) -> None:
    row = load(sample("trl-preference"), cache)[0]
    first = records(sample("trl-preference"))[0]
    assert row == {"prompt": [{"role": "user", "content": first["prompt"]}],
                   "chosen": [{"role": "assistant", "content": first["chosen"]}],
                   "rejected": [{"role": "assistant", "content": first["rejected"]}]}


def test_tool_calls_and_tools_are_kept_in_chat_template_form(tmp_path: Path,
                                                             cache: Path) -> None:
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}
    record = {"messages": [
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "-3 C"},
        {"role": "assistant", "content": "It is -3 C in Oslo."}], "tools": [tool]}
    plain = chats(1)[0]
    path = write_jsonl(tmp_path / "tools.jsonl", [record, plain])
    ds = load(path, cache)
    assert ds.column_names == ["messages", "tools"]
    call = ds[0]["messages"][1]["tool_calls"][0]
    assert call["function"]["arguments"] == {"city": "Oslo"}
    assert ds[0]["tools"] == [tool]
    assert ds[1]["tools"] is None
    back = tmp_path / "back.jsonl"
    summary = from_hf_dataset(ds, back, to="openai-chat")
    assert summary["skipped"] == []
    assert records(back)[0]["messages"][1]["tool_calls"][0]["function"]["arguments"] == \
        '{"city": "Oslo"}'
    assert ftdata.validate(back, target="generic").ok


def test_what_a_trl_dataset_cannot_hold_is_reported(tmp_path: Path, cache: Path) -> None:
    weighted = {"messages": [{"role": "user", "content": "Hi"},
                             {"role": "assistant", "content": "Yo", "weight": 0},
                             {"role": "user", "content": "Hi again"},
                             {"role": "assistant", "content": "Hello!"}]}
    path = write_jsonl(tmp_path / "train.jsonl", [*chats(2), weighted, "oops"])  # type: ignore[list-item]
    skipped: list[tuple[int | None, str]] = []
    ds = load(path, cache, on_skip=lambda line, reason: skipped.append((line, reason)))
    assert ds.num_rows == 2
    assert [line for line, _ in skipped] == [3, 4]
    assert "weight" in skipped[0][1] and skipped[1][1].startswith("F003")
    with pytest.warns(SkippedRecordWarning) as warned:
        load(path, cache)
    assert [str(w.message).split(": skipped")[0][-13:] for w in warned] == [
        "train.jsonl:3", "train.jsonl:4"]


def test_skip_warnings_point_at_the_callers_line(tmp_path: Path, cache: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", [*chats(2), "oops"])  # type: ignore[list-item]
    for convert in (ftdata.to_hf_dataset, to_hf_dataset):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            convert(path, cache_dir=cache)
            line = sys._getframe().f_lineno - 1
        assert [(w.category, w.filename, w.lineno) for w in caught] == [
            (SkippedRecordWarning, __file__, line)]


def test_no_progress_bars_on_stderr(tmp_path: Path, cache: Path,
                                    capfd: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chats(4))
    from_hf_dataset(load(path, cache), tmp_path / "back.jsonl")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


# -- Dataset -> file -------------------------------------------------------------------------


@pytest.mark.parametrize("format_id", ["openai-chat", "prompt-completion", "text", "trl-kto"])
def test_file_to_dataset_to_file_round_trip(format_id: str, tmp_path: Path,
                                            cache: Path) -> None:
    path = sample(format_id)
    skipped: list[tuple[int | None, str]] = []
    ds = load(path, cache, on_skip=lambda line, reason: skipped.append((line, reason)))
    out = tmp_path / "back.jsonl"
    summary = from_hf_dataset(ds, out, to=format_id)
    kept = [record for number, (_, record) in enumerate(json_records(path), start=1)
            if number not in {line for line, _ in skipped}]
    assert records(out) == kept
    assert summary["read"] == summary["written"] == ds.num_rows


def test_question_answer_dataset_gives_a_file_clean_for_openai(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({
        "question": [f"Which port does service {n} use?" for n in range(10)],
        "answer": [f"Service {n} listens on port {8000 + n}." for n in range(10)]})
    out = tmp_path / "train.jsonl"
    summary = from_hf_dataset(ds, out, system="You are an ops assistant.")
    assert (summary["from"], summary["read"], summary["written"]) == ("table", 10, 10)
    assert ftdata.validate(out, target="openai").issues == []


def test_skips_name_row_position_and_reason(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({"prompt": ["a", "", "c", "d"],
                                     "completion": ["1", "2", None, "4"]})
    summary = from_hf_dataset(ds, tmp_path / "out.jsonl", to="prompt-completion")
    assert summary["read"] == summary["written"] + len(summary["skipped"]) == 4
    assert summary["skipped"] == [{"line": 2, "index": 1, "reason": "empty prompt"},
                                  {"line": 3, "index": 2, "reason": "empty answer"}]


def test_trl_conversational_columns_read_back(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_list([
        {"prompt": [{"role": "user", "content": "Capital of Peru?"}],
         "completion": [{"role": "assistant", "content": "Lima."}], "source": "quiz"}])
    out = tmp_path / "out.jsonl"
    summary = from_hf_dataset(ds, out, to="openai-chat")
    assert summary["from"] == "trl-conversational"
    assert records(out) == [{"messages": [{"role": "user", "content": "Capital of Peru?"},
                                          {"role": "assistant", "content": "Lima."}]}]


def test_iterable_datasets_stream(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_list(chats(3)).to_iterable_dataset()
    summary = from_hf_dataset(ds, tmp_path / "out.jsonl")
    assert summary["written"] == 3


def test_bad_input_gets_a_one_line_error(tmp_path: Path) -> None:
    both = datasets.DatasetDict({"train": datasets.Dataset.from_list(chats(1))})
    with pytest.raises(TypeError, match=r"one split of the DatasetDict \('train'\)"):
        from_hf_dataset(both, tmp_path / "out.jsonl")
    with pytest.raises(TypeError, match=r"needs a datasets\.Dataset, not list"):
        from_hf_dataset(chats(1), tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_the_package_functions_are_the_integration(tmp_path: Path, cache: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chats(2))
    ds = ftdata.to_hf_dataset(path, cache_dir=cache)
    assert ftdata.from_hf_dataset(ds, tmp_path / "back.jsonl")["written"] == 2
