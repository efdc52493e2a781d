"""Fuzzing every reader, validator and converter with hypothesis.

No input makes them raise anything but their documented errors; every issue has a location
that exists (a line of the file, or ``None`` for a file-level issue) and a pointer that
resolves in its record; ``convert`` keeps ``read == written + len(skipped)``; ``fix`` output
re-validates without the codes it fixed. The ``ci`` profile bounds the run; ``FTDATA_FUZZ=long``
(or ``--hypothesis-profile=long``) runs the long one.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ftdata
from ftdata.conversion import ConvertError, SkippedRecords, convert
from ftdata.diagnostics import Issue, escape_controls, printable
from ftdata.formats import Unrepresentable, all_formats, get_format
from ftdata.model import Example
from ftdata.outputs import OutputError
from ftdata.parsing import RecordError, decode_record
from ftdata.pointers import get
from ftdata.readers import (
    BOM,
    InputError,
    LineFinding,
    RawRecord,
    iter_concatenated,
    iter_json_document,
    iter_jsonl,
    iter_text,
    sniff_layout,
)
from ftdata.report import Report
from ftdata.shapes import check_shape
from ftdata.sources import SourceError, source_kinds
from tests.hostile.conftest import fuzz_settings
from tests.strategies import ANY_JSON, mutated, valid

FUZZ = fuzz_settings()
FORMATS = all_formats()
WRITABLE = [fmt.id for fmt in FORMATS if fmt.write is not None]
#: What the file-level API may raise on bad input: documented, one line each.
DOCUMENTED = (InputError, OutputError, SourceError, ConvertError, SkippedRecords)

KEY = st.text(min_size=1, max_size=8)
#: Records that look like training data, valid or broken in one place, in every format.
RECORDS = st.one_of(*(valid(fmt.shape) for fmt in FORMATS),
                    *(mutated(fmt.shape) for fmt in FORMATS), ANY_JSON)
#: Lines of a hostile JSON Lines file: records, fragments of them, noise.
LINES = st.one_of(
    RECORDS.map(lambda record: json.dumps(record).encode()),
    RECORDS.map(lambda record: json.dumps(record, indent=1).encode()),
    st.tuples(RECORDS, st.integers(0, 40)).map(
        lambda pair: json.dumps(pair[0]).encode()[:pair[1]]),
    st.binary(max_size=40),
    st.sampled_from([b"", b"   ", b"\x00", BOM, b"\xff\xfe", b"[", b"]", b"{", b"}", b",",
                     b'"', b"\\", b"1e999", b"-", b"NaN", b'{"a":1,"a":2}',
                     b'{"messages":"\\ud800"}', b"\r"]),
)
NEWLINES = st.sampled_from([b"\n", b"\r\n"])


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(LINES, max_size=8))
    newline = draw(NEWLINES)
    data = newline.join(lines)
    if draw(st.booleans()):
        data += newline
    if draw(st.booleans()):
        data = BOM + data
    return data


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    """JSON documents: arrays of records, cut anywhere, or concatenated values."""
    records = draw(st.lists(RECORDS, max_size=5))
    data = json.dumps(records, indent=draw(st.sampled_from([None, 1]))).encode()
    cut = draw(st.integers(0, len(data)))
    return draw(st.sampled_from([data, data[:cut], data[:cut] + data[cut + 1:],
                                 b"\n".join(json.dumps(r).encode() for r in records)]))


FILES = st.one_of(jsonl_files(), json_files(), st.binary(max_size=300))


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def _lines_of(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def check_locations(report: Report, data: bytes, layout: str) -> None:
    """Every issue sits on a line of the file (or none) and its pointer resolves."""
    lines = _lines_of(data)
    for issue in report.issues:
        if issue.line is None:
            assert issue.record is None or layout == "records", issue
            continue
        assert issue.line >= 1, issue
        if layout != "json":  # physical lines
            assert issue.line <= max(len(lines), 1), (issue, len(lines))
        else:
            assert issue.line <= report.records + 1, (issue, report.records)
        if layout != "jsonl" or issue.pointer is None or issue.record is None:
            continue
        raw = lines[issue.line - 1].rstrip(b"\r")
        if issue.line == 1:
            raw = raw.removeprefix(BOM)
        try:
            record = decode_record(raw)
        except RecordError:
            continue
        if not resolves(record, issue):
            # Only a lone surrogate or a control character in a key, shown escaped so that it
            # can be printed on one line, may leave a pointer that no longer matches the key,
            # and the issue says so.
            assert b"\\ud" in raw.lower() or CONTROL_ESCAPE.search(raw.lower()), (issue, raw)
            assert issue.pointer_note == "escaped", (issue, raw)


#: A JSON escape of a control character other than the tab, which reports show escaped.
CONTROL_ESCAPE = re.compile(rb"\\u00(?:0[0-8]|0[a-f]|1[0-9a-f]|7f|[89][0-9a-f])|\\u202[89]")


def resolves(record: Any, issue: Issue) -> bool:
    """Whether the issue's pointer names a value of the record; a missing key (S001) names
    where the key belongs, so its parent must exist."""
    assert issue.pointer is not None
    pointer = issue.pointer.rsplit("/", 1)[0] if issue.code == "S001" else issue.pointer
    try:
        get(record, pointer)
    except KeyError:
        return False
    return True


@FUZZ
@given(st.binary(max_size=400))
def test_decode_record_raises_only_record_errors(data: bytes) -> None:
    try:
        decode_record(data)
    except RecordError as error:
        assert error.finding.code in ("F001", "F002")
        assert "\n" not in error.finding.message


@FUZZ
@given(FILES)
def test_the_stream_readers_frame_any_bytes(data: bytes) -> None:
    for reader in (iter_jsonl, iter_json_document, iter_concatenated, iter_text):
        previous = 0
        for event in reader(io.BufferedReader(io.BytesIO(data))):
            if isinstance(event, RawRecord):
                # Pretty-printed objects may share a line; every other reader has one a line.
                assert event.line > previous or (reader is iter_concatenated
                                                 and event.line == previous)
                assert event.data.strip(b" \t\r\n")
                previous = event.line
            else:
                assert isinstance(event, LineFinding)
                assert event.code in ("F002", "F004", "F005", "F011")
    for reader in (iter_concatenated, iter_text):
        lines = _lines_of(data)
        for event in reader(io.BufferedReader(io.BytesIO(data))):
            assert event.line is not None and 1 <= event.line <= max(len(lines), 1)
    lines = _lines_of(data)
    for event in iter_jsonl(io.BufferedReader(io.BytesIO(data))):
        assert event.line is not None and 1 <= event.line <= len(lines)


@FUZZ
@given(FILES, st.sampled_from(["x.jsonl", "x.json", "x.jsonl.gz", "x.txt"]))
def test_validate_any_file_gives_located_issues(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), name, data)
        try:
            report = ftdata.validate(path, tokens=False, near_duplicates=True)
        except InputError as error:  # gzip magic with no gzip after it
            assert "\n" not in str(error)
            return
        report.to_dict()
        layout = sniff_layout(path)
    check_locations(report, data, layout)
    assert report.valid_records <= report.records


@FUZZ
@given(st.lists(st.one_of(RECORDS, LINES, LINES.map(lambda b: b.decode("utf-8", "replace"))),
                max_size=8),
       st.sampled_from([None, *(fmt.id for fmt in FORMATS)]),
       st.sampled_from(["generic", "openai", "mistral", "bedrock", "together"]))
def test_validate_records_takes_anything(records: list[Any], format: str | None,
                                         target: str) -> None:
    report = ftdata.validate_records(records, format=format, target=target, tokens=False)
    for issue in report.issues:
        assert issue.line is None or 1 <= issue.line <= len(records), issue
        if issue.line is None or issue.pointer is None:
            continue
        value = records[issue.line - 1]
        try:
            record = decode_record(value.encode() if isinstance(value, str)
                                   else value) if isinstance(value, str | bytes) else value
        except RecordError:
            continue
        # As from a file (check_locations): a key holding a lone surrogate or a control
        # character is shown escaped, and only such a key may leave a pointer that no longer
        # matches it; the issue then says so.
        assert resolves(record, issue) or (_odd_key(record) and issue.pointer_note), issue


def _odd_key(value: Any) -> bool:
    """Whether a key anywhere in ``value`` holds a lone surrogate or a control character."""
    if isinstance(value, dict):
        return any(_odd(key) or _odd_key(child) for key, child in value.items())
    if isinstance(value, (list, tuple)):
        return any(_odd_key(child) for child in value)
    return False


def _odd(key: Any) -> bool:
    return isinstance(key, str) and (printable(key) != key or escape_controls(key) != key)


@FUZZ
@given(st.data())
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.id)
def test_every_format_reads_and_writes_what_its_shape_accepts(fmt: Any,
                                                             data: st.DataObject) -> None:
    record = data.draw(st.one_of(valid(fmt.shape), mutated(fmt.shape)))
    if any(finding.code[0] in "FS" for finding in check_shape(fmt.shape, record)):
        return  # a record of another shape is skipped before reading, as convert does
    example = fmt.read(record)
    assert isinstance(example, Example)
    for target in WRITABLE:
        write = get_format(target).write
        assert write is not None
        try:
            written = write(example)
        except Unrepresentable as error:
            assert error.reason
            continue
        assert isinstance(written, dict)
        json.dumps(written)  # a record of plain JSON values


SOURCE_NAMES = {"csv": "x.csv", "tsv": "x.tsv", "transcript": "x.txt", "whatsapp": "x.txt",
                "qa": "x.jsonl", "chatgpt-export": "x.json", "cohere-chat": "x.jsonl"}
TEXT_FILES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(["User: hi", "Assistant: hello", "", "Bot: ok", "question,answer",
                              "q,a", '"x,y",z', "12/31/23, 9:05 PM - Ann: hi",
                              "[31.12.23, 21:05:00] Bob: yo", "\ufeffUser: x", "\x00",
                              "Assistant:", "a\tb"]), max_size=8)
    .map(lambda lines: "\n".join(lines).encode()),
    FILES,
)


def _convert_checked(path: Path, output: Path, **options: Any) -> dict[str, Any] | None:
    try:
        summary = convert(path, output, **options)
    except DOCUMENTED:
        assert not output.exists() or output.stat().st_size >= 0
        return None
    except ValueError as error:  # an unknown format or option: one line
        assert "\n" not in str(error)
        return None
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    written = output.read_bytes()
    assert written.count(b"\n") == summary["written"]
    for entry in summary["skipped"]:
        assert entry["reason"] and (entry["line"] is None or entry["line"] >= 1)
        entry["reason"].encode("utf-8")
    for line in _lines_of(written):
        assert isinstance(decode_record(line), dict)
    return summary


@FUZZ
@given(TEXT_FILES, st.sampled_from([None, *source_kinds()]), st.sampled_from(WRITABLE))
def test_convert_any_input_loses_no_record(data: bytes, kind: str | None, to: str) -> None:
    name = SOURCE_NAMES.get(kind or "", "x.jsonl")
    if kind in ("xlsx", "parquet"):
        name = f"x.{kind}"
    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), name, data)
        _convert_checked(path, Path(directory) / "out.jsonl", to=to, from_=kind)


@FUZZ
@given(jsonl_files(), st.sampled_from(["x.jsonl", "x.jsonl.gz"]))
def test_fix_output_revalidates_without_the_fixed_codes(data: bytes, name: str) -> None:
    from ftdata.fixes import fix_file

    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), name, data)
        output = Path(directory) / "fixed.jsonl"
        result = fix_file(path, output)
        assert result.read >= result.written
        fixed = {change["code"] for change in result.changes}
        after = ftdata.validate(output, tokens=False, format=None) if output.exists() else None
        if after is None:
            return
        before = ftdata.validate(path, tokens=False)
        if after.format != before.format:
            return  # fixing changed what the file looks like: its checks are not comparable
        left = {issue.code for issue in after.issues} & fixed
        assert not left & {"F004", "F005", "D001", "Q001"}, (left, result.changes)
        check_locations(after, output.read_bytes(), "jsonl")


@FUZZ
@given(FILES, st.sampled_from([0.5, 1.0, 2.0, 0.1]), st.integers(0, 3))
def test_split_places_every_usable_record_once(data: bytes, validation: float,
                                               seed: int) -> None:
    from ftdata.split import split_file

    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), "x.jsonl", data)
        try:
            result = split_file(path, Path(directory) / "out", validation=validation, seed=seed)
        except DOCUMENTED:
            return
        except ValueError as error:
            assert "\n" not in str(error)
            return
        assert result.read == (result.train_records + result.validation_records
                               + len(result.skipped))
        lines = [len(_lines_of(Path(p).read_bytes())) for p in (result.train, result.validation)]
        assert lines == [result.train_records, result.validation_records]


@FUZZ
@given(FILES)
def test_stats_and_read_take_anything(data: bytes) -> None:
    from ftdata.conversion import read

    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), "x.jsonl", data)
        stats = ftdata.stats(path)
        assert stats["examples"] >= 0
        orjson.dumps(stats)
        skipped: list[tuple[int | None, str]] = []
        try:
            examples = list(read(path, from_="openai-chat",
                                 on_skip=lambda line, reason: skipped.append((line, reason))))
        except DOCUMENTED:
            return
        assert all(isinstance(example, Example) for example in examples)
