"""Physical lines and record digests: what annotations and fingerprints are built on."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

import ftdata
from ftdata.render._source import SourceMap, artifact_uri, display_path, relative_path
from tests.conftest import SAMPLES
from tests.render.helpers import chat, write_json_array

TRICKY = [
    chat("a [bracket, and a comma"),
    ["a bare", "array"],
    chat("an escaped quote \" and a backslash \\", "ends with ]"),
    {"messages": []},
    chat("line one\nline two, still one string"),
]


def test_jsonl_lines_are_physical_and_digests_hash_the_record_bytes(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = [json.dumps(chat("hi")), "", json.dumps({"messages": []}), "[1, 2]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ftdata.validate(path)
    source = SourceMap.build(path, report.issues)
    assert source.layout == "jsonl"
    for found in report.issues:
        assert source.physical_line(found) == found.line
        if found.record is not None:
            assert found.line is not None
            expected = hashlib.sha256(lines[found.line - 1].encode()).hexdigest()
            assert source.digest(found) == expected


@pytest.mark.parametrize("bom", [False, True])
def test_json_array_elements_map_to_the_line_they_start_on(tmp_path: Path, bom: bool) -> None:
    path = tmp_path / "train.json"
    starts = write_json_array(path, TRICKY, bom=bom)
    report = ftdata.validate(path, format="openai-chat")
    located = [i for i in report.issues if i.record is not None]
    assert {i.line for i in located} == {2, 4}  # the bare array and the empty conversation
    source = SourceMap.build(path, report.issues)
    assert source.layout == "json"
    for found in located:
        assert found.line is not None
        assert source.physical_line(found) == starts[found.line - 1]
    if bom:
        (mark,) = [i for i in report.issues if i.code == "F005"]
        assert source.physical_line(mark) == 1


def test_gzipped_json_array_maps_like_the_plain_one(tmp_path: Path) -> None:
    plain = tmp_path / "train.json"
    starts = write_json_array(plain, TRICKY)
    packed = tmp_path / "train.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    report = ftdata.validate(packed, format="openai-chat")
    source = SourceMap.build(packed, report.issues)
    lines = {i.line: source.physical_line(i) for i in report.issues if i.record is not None}
    assert lines == {2: starts[1], 4: starts[3]}


def test_concatenated_top_level_objects_are_followed_too(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps(chat("a, b")) + "\n\n" + json.dumps({"messages": []}, indent=2)
                    + "\n" + json.dumps(chat("c")) + "\n", encoding="utf-8")
    report = ftdata.validate(path, format="openai-chat")
    (empty,) = [i for i in report.issues if i.code == "C015"]
    assert empty.line == 2
    assert SourceMap.build(path, report.issues).physical_line(empty) == 3


def test_the_sample_json_arrays_map_to_their_element_lines() -> None:
    path = SAMPLES / "alpaca" / "broken.json"
    text = path.read_text(encoding="utf-8").splitlines()
    starts = [number for number, line in enumerate(text, start=1) if line == "  {"]
    report = ftdata.validate(path)
    source = SourceMap.build(path, report.issues)
    for found in report.issues:
        assert found.line is not None
        assert source.physical_line(found) == starts[found.line - 1]


def test_a_file_that_cannot_be_read_again_maps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("[1]\n", encoding="utf-8")
    report = ftdata.validate(path, format="openai-chat")
    path.unlink()
    source = SourceMap.build(path, report.issues)
    (found,) = report.issues
    assert source.physical_line(found) == 1  # a JSONL line number is physical anyway
    assert source.digest(found) is None
    array = tmp_path / "train.json"
    write_json_array(array, [chat("a"), {"messages": []}])
    located = [i for i in ftdata.validate(array, format="openai-chat").issues if i.line]
    array.unlink()
    assert [SourceMap.build(array, located).physical_line(i) for i in located] == [None]


def test_paths_are_relative_to_the_working_directory_when_inside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data dir").mkdir()
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "data dir" / "train,1.jsonl")
    assert relative_path(inside) == "data dir/train,1.jsonl"
    assert relative_path("./data dir/../data dir/x.jsonl") == "data dir/x.jsonl"
    assert display_path(inside) == "data dir/train,1.jsonl"
    assert artifact_uri(inside) == ("data%20dir/train%2C1.jsonl", True)
    outside = str(tmp_path.parent / "elsewhere.jsonl")
    assert relative_path(outside) is None
    assert display_path(outside) == outside
    uri, relative = artifact_uri(outside)
    assert not relative and uri == Path(outside).resolve().as_uri()


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name", ["train.jsonl", "train.json", "train.jsonl.gz"])
def test_lines_and_digests_recorded_while_reading_equal_a_second_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, jobs: int) -> None:
    from ftdata import parallel
    from ftdata.engine import ValidateOptions, validate_path

    records = [chat(f"q{index}", "" if index % 7 == 3 else "a") for index in range(400)]
    path = tmp_path / name
    if name.endswith(".json"):
        write_json_array(path, records)
    else:
        text = "".join(json.dumps(record) + "\n" for record in records).encode()
        path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    # Small ranges: the workers read several each, after the records detection read ahead.
    monkeypatch.setattr(parallel, "BATCH_BYTES", 2048)
    report = validate_path(path, ValidateOptions(jobs=jobs), locations="digests")
    assert report.sources is not None
    located = [issue for issue in report.issues if issue.record is not None]
    assert len(located) == 57
    again = SourceMap.build(path, report.issues)
    for found in located:
        assert report.sources.physical_line(found) == again.physical_line(found)
        assert report.sources.digest(found) == again.digest(found) is not None
