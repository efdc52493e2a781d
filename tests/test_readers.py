from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from ftdata.readers import (
    CONCATENATED_MESSAGE,
    HEAD_BYTES,
    ElementRecord,
    InputError,
    LineFinding,
    RawRecord,
    choose_layout,
    iter_concatenated,
    iter_json_document,
    iter_jsonl,
    iter_text,
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
    # Each element also carries the physical line it starts on, for annotations.
    assert document(data) == [ElementRecord(1, b'{"a": "x,]}\\"["}', 2),
                              ElementRecord(2, b'{"b": [1, {"c": "]"}]}', 3),
                              ElementRecord(3, b"3", 4)]


def test_single_object_and_concatenated_objects() -> None:
    assert document(b'{\n "a": 1\n}\n') == [ElementRecord(1, b'{\n "a": 1\n}', 1)]
    assert document(b'{"a": 1}\n{"b": 2}') == [ElementRecord(1, b'{"a": 1}', 1),
                                               ElementRecord(2, b'{"b": 2}', 2)]


def test_truncated_array_is_reported() -> None:
    events = document(b'[{"a": 1}, {"b": 2')
    assert events[:2] == [ElementRecord(1, b'{"a": 1}', 1), ElementRecord(2, b'{"b": 2', 1)]
    assert isinstance(events[2], LineFinding) and events[2].code == "F002"


def test_elements_larger_than_the_read_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "CHUNK_SIZE", 7)
    big = b'{"text": "' + b"\\\"ab" * 50 + b'"}'
    assert document(b"[" + big + b",\n" + big + b"]") == [ElementRecord(1, big, 1),
                                                         ElementRecord(2, big, 2)]


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


# -- pretty-printed objects in a .jsonl ------------------------------------------------------

CHAT = {"messages": [{"role": "user", "content": "Hi {there} [x]"},
                     {"role": "assistant", "content": 'Hello "you" }'}]}
OTHER = {"a": [1, 2, {"b": None}]}


def pretty(*records: object, indent: int = 2) -> bytes:
    return "".join(json.dumps(record, indent=indent) + "\n" for record in records).encode()


def concatenated(data: bytes) -> list[object]:
    return list(iter_concatenated(io.BufferedReader(io.BytesIO(data))))


def test_pretty_printed_jsonl_is_read_object_by_object_at_its_first_line() -> None:
    events = concatenated(pretty(CHAT, OTHER))
    assert events[0] == LineFinding("F011", CONCATENATED_MESSAGE, 1)
    records = [event for event in events if isinstance(event, RawRecord)]
    assert [record.line for record in records] == [1, 13]
    assert [json.loads(record.data) for record in records] == [CHAT, OTHER]
    assert len(events) == 3  # one F011 for the file, no finding per line


def test_layout_is_told_from_the_first_object() -> None:
    assert choose_layout("train.jsonl", pretty(CHAT)) == "concatenated"
    assert choose_layout("train.jsonl", pretty(CHAT, indent=4)) == "concatenated"
    assert choose_layout("train.jsonl", b"\xef\xbb\xbf" + pretty(CHAT)) == "concatenated"
    assert choose_layout("train.jsonl", (json.dumps(CHAT) + "\n").encode() * 3) == "jsonl"
    # A broken first line is a broken record, not pretty-printing.
    assert choose_layout("train.jsonl", b'{"messages": [}\n{"a": 1}\n') == "jsonl"
    # An object larger than the head: its first line ends as only pretty-printing ends one.
    assert choose_layout("train.jsonl", b'{\n  "text": "' + b"x" * (HEAD_BYTES * 2)) == \
        "concatenated"
    assert choose_layout("train.json", pretty(CHAT)) == "json"


def test_read_events_reads_a_pretty_printed_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(gzip.compress(pretty(CHAT, CHAT, OTHER)))
    events = list(read_events(path))
    assert [event.code for event in events if isinstance(event, LineFinding)] == ["F011"]
    assert [event.line for event in events if isinstance(event, RawRecord)] == [1, 13, 25]


def test_a_broken_object_spoils_only_itself() -> None:
    data = (b'{\n  "a": "unterminated,\n  "b": 1\n}\n'  # a string that never ends
            b'{\n  "c": [1,\n'  # cut off: the next object starts at column 0
            b'{\n  "d": 2\n}\n'
            b'garbage\n'
            b'{\n  "e": 3\n}')
    events = concatenated(data)
    records = [event for event in events if isinstance(event, RawRecord)]
    assert [record.line for record in records] == [1, 5, 7, 10, 11]
    assert json.loads(records[2].data) == {"d": 2}
    assert json.loads(records[4].data) == {"e": 3}
    assert records[3].data == b"garbage"


def test_one_line_objects_among_pretty_ones_keep_their_lines() -> None:
    data = b'{\n  "a": 1\n}\n{"b": 2} {"c": 3}\n\n{\n  "d": 4\n}\n'
    records = [event for event in concatenated(data) if isinstance(event, RawRecord)]
    assert [(record.line, json.loads(record.data)) for record in records] == [
        (1, {"a": 1}), (4, {"b": 2}), (4, {"c": 3}), (6, {"d": 4})]


def test_a_pretty_printed_object_over_the_limit_is_reported_not_held(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)
    big = {"text": ["x" * 20] * 10}
    events = concatenated(pretty(big, OTHER))
    assert events[0] == LineFinding("F011", CONCATENATED_MESSAGE, 1)
    assert events[1] == LineFinding(
        "F012", "the object is 299 bytes, over the 64 bytes record limit; it was not read", 1)
    assert [(event.line, json.loads(event.data)) for event in events
            if isinstance(event, RawRecord)] == [(15, OTHER)]


# -- plain-text corpora -----------------------------------------------------------------------


def test_plain_text_lines_are_text_records_and_blank_lines_are_not_records() -> None:
    data = b'\xef\xbb\xbfThe first "document".\r\n\n   \nThe second.\n\xff not UTF-8\n'
    events = list(iter_text(io.BufferedReader(io.BytesIO(data))))
    assert events == [
        LineFinding("F005", "the file starts with a UTF-8 byte-order mark", 1),
        RawRecord(1, b'{"text":"The first \\"document\\"."}'),
        RawRecord(4, b'{"text":"The second."}'),
        RawRecord(5, b"\xff not UTF-8"),  # left as it is: the record check reports F001
    ]


def test_a_txt_is_text_unless_it_holds_json_lines() -> None:
    assert choose_layout("corpus.txt", b"One document.\nAnother.\n") == "text"
    assert choose_layout("corpus.txt.gz", b"[Verse 1] a song\n") == "text"
    assert choose_layout("corpus.text", b"{not json} prose\n") == "text"
    assert choose_layout("train.txt", b'\n{"text": "a"}\n') == "jsonl"


def test_an_indented_object_ends_at_its_closing_brace_whatever_follows_on_the_line() -> None:
    data = b'{\n  "a": [\n    1\n  ]\n} {"b": 2}\n[\n  3\n]\n{\n  "c": "}"\n}'
    records = [event for event in concatenated(data) if isinstance(event, RawRecord)]
    assert [(record.line, json.loads(record.data)) for record in records] == [
        (1, {"a": [1]}), (5, {"b": 2}), (6, [3]), (9, {"c": "}"})]


# -- bounded work on hostile files --------------------------------------------------------------


def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)
    monkeypatch.setattr(readers, "CHUNK_SIZE", 16)


def test_a_json_element_over_the_limit_is_f012_with_its_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    small_limits(monkeypatch)
    big = b'{"text": "' + b"x" * 500 + b'"}'
    events = document(b'[{"a": 1}, ' + big + b', {"b": 2}]')
    assert events == [
        ElementRecord(1, b'{"a": 1}', 1),
        LineFinding("F012", f"the element is {len(big)} bytes, over the 64 bytes record "
                            f"limit; it was not read", 2),
        ElementRecord(3, b'{"b": 2}', 1)]


def test_a_jsonl_line_over_the_limit_is_f012_with_its_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    small_limits(monkeypatch)
    data = b'{"a": 1}\n{"text": "' + b"x" * 500 + b'"}\n{"b": 2}\n'
    events = list(iter_jsonl(io.BufferedReader(io.BytesIO(data))))
    assert [(e.code, e.line) if isinstance(e, LineFinding) else e.line for e in events] == [
        1, ("F012", 2), 3]
    assert isinstance(events[1], LineFinding) and "513 bytes" in events[1].message


def test_whitespace_runs_are_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    small_limits(monkeypatch)
    spaces = b" \n\t\r" * 1000  # far more than the record limit, between and around elements
    # The newlines of the dropped runs still count for the elements' physical lines.
    assert document(spaces + b"[" + spaces + b'{"a": 1},' + spaces + b'{"b": 2}' + spaces
                    + b"]" + spaces) == [ElementRecord(1, b'{"a": 1}', 2001),
                                         ElementRecord(2, b'{"b": 2}', 3001)]
    assert document(spaces + b'{"a": 1}' + spaces + b"7" + spaces) == [
        ElementRecord(1, b'{"a": 1}', 1001), ElementRecord(2, b"7", 2001)]
    assert document(spaces) == []
    # A .jsonl line of nothing but whitespace, longer than the limit, is a blank line.
    events = list(iter_jsonl(io.BufferedReader(io.BytesIO(b'{"a": 1}\n' + b" " * 500 + b"\n"))))
    assert events == [RawRecord(1, b'{"a": 1}'), LineFinding("F004", "blank line", 2)]


def test_a_run_of_blank_lines_is_one_f004_with_its_count() -> None:
    data = b'{"a": 1}\n' + b"\n" * 5000 + b'  \r\n{"b": 2}\n\n{"c": 3}\n'
    events = list(iter_jsonl(io.BufferedReader(io.BytesIO(data))))
    assert events == [
        RawRecord(1, b'{"a": 1}'),
        LineFinding("F004", "5,001 blank lines (lines 2-5,002)", 2, 5001),
        RawRecord(5003, b'{"b": 2}'),
        LineFinding("F004", "blank line", 5004),
        RawRecord(5005, b'{"c": 3}')]


def test_a_bare_top_level_number_across_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "CHUNK_SIZE", 16)
    assert document(b"1" * 60 + b" 2") == [ElementRecord(1, b"1" * 60, 1),
                                           ElementRecord(2, b"2", 1)]
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)
    assert document(b"1" * 600 + b"\n2\n") == [
        LineFinding("F012", "the element is 600 bytes, over the 64 bytes record limit; "
                            "it was not read", 1), ElementRecord(2, b"2", 2)]


@pytest.mark.parametrize("chunk", [3, 16, 1 << 20])
def test_json_elements_know_the_physical_line_they_start_on(
        monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    import ftdata.readers as readers

    monkeypatch.setattr(readers, "CHUNK_SIZE", chunk)
    elements = [{"a": "x\\n]"}, [1, 2], "s", 7, {"b": {"c": [3, "\n"]}}, {}]
    for gap in (b",", b",\n", b" ,\n\n  ", b"\n\n,\n" + b" \n" * 3000):
        data, starts = b"[\n", []
        for index, element in enumerate(elements):
            starts.append(data.count(b"\n") + 1)
            data += json.dumps(element, indent=index % 3 or None).encode()
            data += gap if index < len(elements) - 1 else b"\n"
        data += b"]\n"
        events = document(data)
        assert [event.physical for event in events if isinstance(event, ElementRecord)] \
            == starts
