"""pandas: file -> DataFrame -> file, DataFrames of Q&A and chat turns -> provider files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.conversion import SkippedRecords
from ftdata.formats import format_ids
from ftdata.sources import SourceError, json_records
from tests.conftest import SAMPLES
from tests.test_samples import DETECTED_UNDER

pd = pytest.importorskip("pandas")

from ftdata.integrations.pandas import from_pandas, to_pandas  # noqa: E402


def sample(format_id: str, name: str = "clean") -> Path:
    return next((SAMPLES / format_id).glob(f"{name}.*"))


def records(path: Path) -> list[Any]:
    return [record for _, record in json_records(path)]


def faq(rows: int = 12) -> Any:
    return pd.DataFrame({
        "Question": [f"How do I change setting number {n}?" for n in range(rows)],
        "Answer": [f"Open Preferences, then Advanced, and edit setting {n}." for n in range(rows)],
    })


# -- file -> DataFrame ------------------------------------------------------------------------


def test_one_row_per_record_with_the_documented_columns() -> None:
    path = sample("openai-chat")
    df = to_pandas(path)
    assert list(df.columns) == ["line", "record", "format", "messages", "system",
                                "n_messages", "issues"]
    assert df["record"].tolist() == records(path)
    assert set(df["format"]) == {"openai-chat"}
    first = df.iloc[0]
    raw = first["record"]["messages"]
    assert first["messages"] == [{"role": m["role"], "content": m["content"]} for m in raw]
    assert first["system"] == raw[0]["content"]
    assert first["n_messages"] == len(raw)
    assert df.attrs["ftdata"]["format"] == "openai-chat"


def test_issues_are_the_codes_a_validation_run_finds_on_each_line() -> None:
    path = sample("openai-chat", "broken")
    df = to_pandas(path)
    report = ftdata.validate(path)
    expected: dict[int, list[str]] = {}
    for issue in report.issues:
        if issue.record is not None:
            expected.setdefault(issue.line or 0, []).append(issue.code)
    got = {line: codes for line, codes in zip(df["line"], df["issues"], strict=True) if codes}
    assert got == expected
    assert [i["code"] for i in df.attrs["ftdata"]["file_issues"]] == [
        i.code for i in report.issues if i.record is None]
    assert "F004" in [i["code"] for i in df.attrs["ftdata"]["file_issues"]]


def test_a_line_that_is_no_json_object_is_a_row_without_a_record() -> None:
    df = to_pandas(sample("openai-chat", "broken"))
    row = df[df["issues"].map(lambda codes: "F002" in codes)].iloc[0]
    assert row["record"] is None and row["messages"] is None and row["n_messages"] == 0


@pytest.mark.parametrize(("format_id", "extra"), [("trl-preference", ["chosen", "rejected"]),
                                                  ("text", ["text"]), ("trl-kto", ["label"])])
def test_kind_specific_columns(format_id: str, extra: list[str]) -> None:
    df = to_pandas(sample(format_id))
    for column in extra:
        assert column in df.columns
        assert df[column].notna().all()


def test_issues_can_be_left_out_and_follow_the_target(tmp_path: Path) -> None:
    path = sample("openai-chat")
    assert "issues" not in to_pandas(path, issues=False).columns
    few = tmp_path / "few.jsonl"
    few.write_text("".join(json.dumps(record) + "\n" for record in records(path)[:3]))
    # Two of the three examples have the system prompt: Q007 (info) says so, file-level.
    generic = to_pandas(few).attrs["ftdata"]["file_issues"]
    assert [issue["code"] for issue in generic] == ["Q007"]
    file_issues = to_pandas(few, target="openai").attrs["ftdata"]["file_issues"]
    assert [issue["code"] for issue in file_issues] == ["F007", "Q007"]


def test_tables_and_unknown_files_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    table = tmp_path / "faq.csv"
    table.write_text("question,answer\nHi?,Hello.\n")
    with pytest.raises(ValueError, match=r"faq\.csv: cannot tell the format"):
        to_pandas(table)
    with pytest.raises(ftdata.readers.InputError):
        to_pandas(tmp_path / "missing.jsonl")


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("format_id", format_ids())
def test_file_to_dataframe_to_file_gives_the_same_records(format_id: str,
                                                          tmp_path: Path) -> None:
    path = sample(format_id)
    out = tmp_path / "out.jsonl"
    # A format that only its target tells from a more general one is named.
    named = format_id if format_id in DETECTED_UNDER else None
    summary = from_pandas(to_pandas(path, format=named), out, to=format_id, format=named)
    assert records(out) == records(path)
    assert summary["read"] == summary["written"] == len(records(path))
    assert summary["skipped"] == []
    assert summary["from"] == format_id


def test_filtered_dataframe_writes_the_rows_kept(tmp_path: Path) -> None:
    path = sample("openai-chat")
    df = to_pandas(path)
    kept = df[df["n_messages"] > 2]
    out = tmp_path / "long.jsonl"
    from_pandas(kept, out, to="openai-chat")
    assert records(out) == kept["record"].tolist()


def test_records_convert_to_another_format(tmp_path: Path) -> None:
    out = tmp_path / "pc.jsonl"
    summary = from_pandas(to_pandas(sample("prompt-completion")), out, to="openai-chat")
    assert summary["written"] == summary["read"]
    assert ftdata.validate(out).ok


# -- DataFrame -> file --------------------------------------------------------------------------


def test_question_answer_dataframe_gives_a_file_clean_for_openai(tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    summary = from_pandas(faq(), out, to="openai-chat", system="You are a support assistant.")
    assert summary == {"input": "<DataFrame>", "output": str(out), "from": "table",
                       "to": "openai-chat", "read": 12, "written": 12, "skipped": []}
    report = ftdata.validate(out, target="openai")
    assert report.issues == []
    first = records(out)[0]
    assert first == {"messages": [
        {"role": "system", "content": "You are a support assistant."},
        {"role": "user", "content": "How do I change setting number 0?"},
        {"role": "assistant", "content": "Open Preferences, then Advanced, and edit setting 0."}]}


def test_every_row_is_written_or_skipped_with_its_row_index_and_reason(tmp_path: Path) -> None:
    df = faq(6)
    df.loc[1, "Answer"] = "   "
    df.loc[3, "Question"] = None
    df.loc[4, "Answer"] = float("nan")
    df.index = ["a", "b", "c", "d", "e", "f"]
    summary = from_pandas(df, tmp_path / "out.jsonl")
    assert summary["read"] == summary["written"] + len(summary["skipped"]) == 6
    assert summary["skipped"] == [
        {"line": 2, "index": "b", "reason": "empty answer"},
        {"line": 4, "index": "d", "reason": "empty prompt"},
        {"line": 5, "index": "e", "reason": "empty answer"},
    ]
    assert len(records(tmp_path / "out.jsonl")) == 3


def test_strict_raises_after_writing_when_a_row_is_skipped(tmp_path: Path) -> None:
    df = faq(3)
    df.loc[0, "Answer"] = ""
    out = tmp_path / "out.jsonl"
    with pytest.raises(SkippedRecords, match="1 of 3 records skipped") as caught:
        from_pandas(df, out, strict=True)
    assert caught.value.summary["written"] == 2
    assert len(records(out)) == 2


def test_mapping_names_columns_like_map(tmp_path: Path) -> None:
    df = pd.DataFrame({"Frage": ["Wie spät ist es?"] * 2, "Antwort": ["Zehn Uhr."] * 2,
                       "Kontext": ["Sei knapp."] * 2})
    out = tmp_path / "out.jsonl"
    from_pandas(df, out, to="prompt-completion",
                mapping={"Frage": "prompt", "Antwort": "completion"})
    assert records(out) == [{"prompt": "Wie spät ist es?", "completion": "Zehn Uhr."}] * 2
    with pytest.raises(SourceError, match="the field must be one of"):
        from_pandas(df, out, mapping={"Frage": "question"})
    with pytest.raises(SourceError, match="no column 'Nope'"):
        from_pandas(df, out, mapping={"Nope": "prompt", "Antwort": "completion"})


def test_a_column_of_json_records_mapped_as_record(tmp_path: Path) -> None:
    path = sample("openai-chat")
    texts = [json.dumps(record) for record in records(path)]
    df = pd.DataFrame({"payload": [*texts, "{not json", "[1, 2]", None]})
    out = tmp_path / "out.jsonl"
    summary = from_pandas(df, out, mapping={"payload": "record"})
    assert records(out) == records(path)
    reasons = [entry["reason"].split(" ")[0] for entry in summary["skipped"]]
    assert reasons == ["F002", "F003", "no"]
    assert summary["read"] == len(texts) + 3


def test_a_messages_column_reads_as_openai_chat_and_other_columns_are_left_out(
        tmp_path: Path) -> None:
    chats = [[{"role": "user", "content": f"Hi {n}"}, {"role": "assistant", "content": "Hello"}]
             for n in range(3)]
    df = pd.DataFrame({"id": [10, 11, 12], "messages": chats, "source": ["web"] * 3})
    out = tmp_path / "out.jsonl"
    summary = from_pandas(df, out, to="openai-chat")
    assert summary["from"] == "openai-chat"
    assert records(out) == [{"messages": chat} for chat in chats]


def test_one_row_per_chat_turn(tmp_path: Path) -> None:
    df = pd.DataFrame({"conversation_id": ["t1", "t2", "t1", "t2", "t1"],
                       "speaker": ["customer", "customer", "agent", "agent", "customer"],
                       "text": ["Hi", "Refund?", "Hello!", "Done.", "Thanks"]})
    out = tmp_path / "out.jsonl"
    summary = from_pandas(df, out, to="openai-chat")
    assert summary["written"] == 2
    assert records(out)[1] == {"messages": [{"role": "user", "content": "Refund?"},
                                            {"role": "assistant", "content": "Done."}]}


def test_roles_map_speakers(tmp_path: Path) -> None:
    df = pd.DataFrame({"conversation_id": [1, 1], "role": ["Kunde", "Bot"],
                       "content": ["Hallo", "Guten Tag"]})
    out = tmp_path / "out.jsonl"
    summary = from_pandas(df, out, roles={"Kunde": "user"})
    assert summary["written"] == 1
    assert records(out)[0]["messages"][0] == {"role": "user", "content": "Hallo"}


def test_the_output_is_whole_or_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    convert_module = importlib.import_module("ftdata.conversion")
    calls = 0
    original = convert_module.encode

    def failing(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk trouble")
        return original(*args)

    monkeypatch.setattr(convert_module, "encode", failing)
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        from_pandas(faq(), out)
    assert list(tmp_path.iterdir()) == []


def test_bad_input_gets_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="needs a pandas DataFrame, not list"):
        from_pandas([{"q": "a"}], tmp_path / "out.jsonl")
    with pytest.raises(SourceError, match="cannot tell what the columns hold"):
        from_pandas(pd.DataFrame({"x": ["1"], "y": ["2"]}), tmp_path / "out.jsonl")
    with pytest.raises(ValueError, match="unknown format"):
        from_pandas(faq(), tmp_path / "out.jsonl", to="nope")


def test_the_package_functions_are_the_integration(tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    summary = ftdata.from_pandas(faq(), out, system="Be brief.")
    assert summary["written"] == 12
    assert ftdata.to_pandas(out)["n_messages"].tolist() == [3] * 12


def test_an_empty_frame_converts_to_nothing_whatever_its_columns(tmp_path: Path) -> None:
    # A filter that keeps no row hands over an empty frame: nothing to convert, no error.
    frames = [pd.DataFrame({"messages": []}), pd.DataFrame({"question": [], "answer": []}),
              to_pandas(SAMPLES / "openai-chat" / "clean.jsonl").iloc[0:0]]
    for number, frame in enumerate(frames):
        output = tmp_path / f"empty-{number}.jsonl"
        summary = from_pandas(frame, output, to="openai-chat")
        assert (summary["read"], summary["written"], summary["skipped"]) == (0, 0, [])
        assert output.read_bytes() == b""
