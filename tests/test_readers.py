from __future__ import annotations

import io
from pathlib import Path

import pytest

from ftdata.readers import (
    InputError,
    LineFinding,
    RawRecord,
    iter_json_document,
    iter_jsonl,
    read_events,
)


def document(data: bytes) -> list[object]:
    return list(iter_json_document(io.BufferedReader(io.BytesIO(data))))


def test_jsonl_lines_keep_physical_numbers_and_strip_crlf_and_bom() -> None:
    events = list(iter_jsonl(io.BytesIO(b'\xef\xbb\xbf{"a": 1}\r\n\r\n{"b": 2}')))
    assert events == [
        LineFinding("F005", "the file starts with a UTF-8 byte-order mark", 1),
        RawRecord(1, b'{"a": 1}'),
        LineFinding("F004", "blank line", 2),
        RawRecord(3, b'{"b": 2}'),
    ]


def test_json_array_elements_are_numbered_from_one() -> None:
    data = b'[\n  {"a": "x,]}\\"["},\n  {"b": [1, {"c": "]"}]},\n  3\n]\n'
    assert document(data) == [RawRecord(1, b'{"a": "x,]}\\"["}'),
                              RawRecord(2, b'{"b": [1, {"c": "]"}]}'),
                              RawRecord(3, b"3")]


def test_single_object_and_concatenated_objects() -> None:
    assert document(b'{\n "a": 1\n}\n') == [RawRecord(1, b'{\n "a": 1\n}')]
    assert document(b'{"a": 1}\n{"b": 2}') == [RawRecord(1, b'{"a": 1}'),
                                               RawRecord(2, b'{"b": 2}')]


def test_truncated_array_is_reported() -> None:
    events = document(b'[{"a": 1}, {"b": 2')
    assert events[:2] == [RawRecord(1, b'{"a": 1}'), RawRecord(2, b'{"b": 2')]
    assert isinstance(events[2], LineFinding) and events[2].code == "F002"


def test_elements_larger_than_the_read_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "CHUNK_SIZE", 7)
    big = b'{"text": "' + b"\\\"ab" * 50 + b'"}'
    assert document(b"[" + big + b", " + big + b"]") == [RawRecord(1, big), RawRecord(2, big)]


def test_missing_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_events(tmp_path / "nope.jsonl"))
    with pytest.raises(InputError, match="directory"):
        list(read_events(tmp_path))


def test_gz_name_without_gzip_data_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(b'{"a": 1}\n')
    with pytest.raises(InputError, match="not gzip"):
        list(read_events(path))
