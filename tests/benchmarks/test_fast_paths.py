"""The paths taken for speed give exactly what the plain paths give.

The compiled structure check against the shape walk, the packed digest index against a dict,
worker processes reading byte ranges against one process reading the stream.
"""

from __future__ import annotations

import gzip
import itertools
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import xxhash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftdata import parallel
from ftdata.engine import ValidateOptions, validate_path
from ftdata.formats import format_ids, get_format
from ftdata.model import Example, Message, text_message
from ftdata.readers import (
    BOM,
    LineFinding,
    RawRecord,
    blank_lines,
    read_events,
    read_range,
)
from ftdata.rules.duplicates import DigestIndex, record_keys
from ftdata.shapes import Shape, fast_check
from tests.conftest import SAMPLES
from tests.strategies import ANY_JSON, mutated, valid

#: Few examples: tests/test_jsonschemas.py already runs every record through check_shape,
#: whose answer for a record the compiled check accepts is this check's.
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def walk(shape: Shape, value: Any) -> list[Any]:
    out: list[Any] = []
    shape.check(value, "", out)
    return out


@pytest.mark.parametrize("format_id", format_ids())
@SETTINGS
@given(data=st.data())
def test_compiled_check_agrees_with_the_walk(format_id: str, data: st.DataObject) -> None:
    shape = get_format(format_id).shape
    fine = data.draw(valid(shape))
    assert walk(shape, fine) == []
    assert fast_check(shape)(fine)  # else every record would pay for the walk
    value = data.draw(st.one_of(mutated(shape), ANY_JSON))
    if fast_check(shape)(value):
        assert walk(shape, value) == []


def test_digest_index_behaves_like_a_dict() -> None:
    rng = random.Random(5)
    digests = [xxhash.xxh3_128_digest(str(rng.randrange(3000)).encode()) for _ in range(20000)]
    index = DigestIndex(capacity=4)
    model: dict[bytes, int] = {}
    for line, digest in enumerate(digests, start=1):
        key = digest[:DigestIndex.KEY]
        assert index.setdefault(digest, line) == model.get(key)
        model.setdefault(key, line)
        assert index.get(digest) == model[key]
    assert index.size == len(model)
    assert index.get(xxhash.xxh3_128_digest(b"never seen")) is None


def test_digests_hold_exactly_the_canonical_content() -> None:
    def chat(*messages: Message) -> Example:
        return Example("chat", list(messages))

    def answer(text: str, weight: float | None = None) -> Message:
        message = text_message("assistant", text, "/messages/1")
        message.weight = weight
        return message

    question = text_message("user", "Caf\u00e9?", "/messages/0")
    decomposed = text_message("user", "Cafe\u0301?", "/messages/0")
    base = record_keys(chat(question, answer("Yes")))
    assert record_keys(chat(decomposed, answer("Yes"))) == base
    weighted = record_keys(chat(question, answer("Yes", 0)))
    assert weighted.content != base.content
    assert (weighted.prompt, weighted.answer, weighted.pair) == (base.prompt, base.answer,
                                                                 base.pair)
    other = record_keys(chat(question, answer("No")))
    assert other.prompt == base.prompt and other.answer != base.answer
    assert other.pair != base.pair
    reasoned = answer("Yes")
    reasoned.reasoning = "Coffee is on the menu."
    thought = record_keys(chat(question, reasoned))
    # Another trace makes another example (D001), not another answer (D003).
    assert thought.content != base.content
    assert (thought.prompt, thought.answer, thought.pair) == (base.prompt, base.answer,
                                                              base.pair)


TRICKY_LINES = [
    BOM + b'{"messages": [{"role": "user", "content": "first"}]}\r\n',
    b"\n",
    b"   \t \n",
    b'{"messages": [{"role": "user", "content": "crlf"}]}\r\n',
    BOM + b'{"messages": [{"role": "user", "content": "a BOM mid-file"}]}\n',
    b"not json at all\n",
    b'{"messages": [{"role": "user", "content": "' + b"long " * 3000 + b'"}]}\n',
    b"[1, 2]\n",
    b'{"messages": [{"role": "user", "content": "no newline at the end"}]}',
]


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.jsonl"
    path.write_bytes(b"".join(TRICKY_LINES * 3))
    return path


def _ranged(path: Path, size: int, ahead: int = 0) -> list[Any]:
    """The events of ``path`` as the parallel route reads them: ``ahead`` records read ahead
    (for format detection) by the calling process, the rest in byte ranges of ``size``."""
    source = read_events(path)
    list(itertools.islice(source.look_ahead(), ahead))
    plan = source.ranges(size)
    assert plan is not None
    read_ahead, base, ranges = plan
    assert len(read_ahead) >= ahead
    assert not ranges or ranges[-1][1] == path.stat().st_size
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(ranges))
    events: list[Any] = list(read_ahead)
    for start, end in ranges:
        last = 0
        for event in read_range(path, start, end):
            if isinstance(event, RawRecord):
                events.append(RawRecord(base + event.line, event.data))
            else:
                assert event.line is not None
                previous = events[-1] if events else None
                if (event.code == "F004" and isinstance(previous, LineFinding)
                        and previous.code == "F004" and previous.line is not None
                        and previous.line + previous.count == base + event.line):
                    # A run of blank lines cut by a range boundary is one F004, as parallel
                    # checking reports it.
                    events[-1] = blank_lines(previous.line, previous.count + event.count)
                elif event.code == "F004":  # its message names its lines: renumbered
                    events.append(blank_lines(base + event.line, event.count))
                else:
                    events.append(LineFinding(event.code, event.message, base + event.line))
            last = max(last, (event.line or 0) + (event.count - 1
                                                  if isinstance(event, LineFinding) else 0))
        base += last
    return events


@pytest.mark.parametrize("size", [1, 7, 100, 1 << 20])
@pytest.mark.parametrize("ahead", [0, 3])
def test_byte_ranges_read_what_the_stream_reads(tricky: Path, size: int, ahead: int) -> None:
    assert _ranged(tricky, size, ahead) == list(read_events(tricky))


def test_only_plain_json_lines_is_cut_into_ranges(tmp_path: Path, tricky: Path) -> None:
    packed = tmp_path / "tricky.jsonl.gz"
    packed.write_bytes(gzip.compress(tricky.read_bytes()))
    document = tmp_path / "records.json"
    document.write_text('[{"text": "a"}, {"text": "b"}]')
    assert read_events(packed).ranges(10) is None
    assert read_events(document).ranges(10) is None
    assert read_events(tmp_path / "missing.jsonl").ranges(10) is None


def _both(path: Path, options: ValidateOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    one = validate_path(path, ValidateOptions(**{**options.__dict__, "jobs": 1}))
    two = validate_path(path, ValidateOptions(**{**options.__dict__, "jobs": 2}))
    return one.to_dict(), two.to_dict()


@pytest.mark.parametrize("tokens", [False, True])
def test_workers_reading_ranges_match_one_process(tricky: Path, tokens: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_BYTES", 64)  # a range or two per line
    options = ValidateOptions(model="gpt-4o-mini" if tokens else None, count_tokens=tokens)
    one, two = _both(tricky, options)
    assert two == one
    codes = {issue["code"] for issue in one["issues"]}
    assert {"F002", "F003", "F004", "F005", "D001"} <= codes


@pytest.mark.parametrize("sample", ["broken.jsonl", "clean.jsonl"])
def test_workers_match_one_process_on_the_samples(sample: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_BYTES", 100)
    monkeypatch.setattr(parallel, "BATCH_RECORDS", 2)
    plain = SAMPLES / "openai-chat" / sample
    packed = tmp_path / (sample + ".gz")  # gzip: read by this process, checked by workers
    with plain.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    for path in (plain, packed):
        one, two = _both(path, ValidateOptions())
        assert two == one
