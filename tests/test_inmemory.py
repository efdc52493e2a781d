"""Records an ETL job hands the library: coerced when they mean JSON, located issues otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftdata
from ftdata.inmemory import MAX_DEPTH

pd = pytest.importorskip("pandas")


def chat(answer: Any = "Paris.", **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "Capital of France?"},
                         {"role": "assistant", "content": answer, **extra}]}


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def test_values_with_a_json_meaning_are_coerced() -> None:
    records = [
        chat(np.str_("Paris."), weight=np.int64(1)),
        chat(weight=Decimal("0")),
        chat(weight=np.float32(1.0)),
        {"prompt": "When?", "completion": dt.datetime(2024, 5, 1, 12, 0)},
        {"prompt": "When?", "completion": pd.Timestamp("2024-05-01")},
        {"prompt": "Which?", "completion": "none", "tags": np.array([1, 2])},
    ]
    for record in records:
        report = ftdata.validate_records([record])
        assert not [i for i in report.issues if i.code == "F002"], record
    report = ftdata.validate_records([chat(weight=Decimal("1"))], format="openai-chat")
    assert report.ok and report.records == 1
    # pandas' missing values are JSON null: an assistant without content (S001), as from a file.
    missing = ftdata.validate_records([chat(pd.NA), chat(pd.NaT)], format="openai-chat")
    assert [i.code for i in missing.issues if i.severity.value == "error"] == ["S001", "S001"]


@pytest.mark.parametrize(("value", "words"), [
    ({"a", "b"}, "a set"),
    (b"Paris.", "bytes"),
    ({1: "one"}, "key of type int"),
    ({("a", 1): "one"}, "key of type tuple"),
    (object(), "value of type object"),
])
def test_values_without_one_are_located_issues(value: Any, words: str) -> None:
    report = ftdata.validate_records([chat(), chat(value), chat("Lyon.")], format="openai-chat")
    [issue] = [i for i in report.issues if i.severity.value == "error"]
    assert (issue.code, issue.line, issue.record, issue.pointer) == (
        "F002", 2, 1, "/messages/1/content")
    assert words in issue.message
    assert report.records == 3 and report.valid_records == 2 and not report.ok


#: Valid JSON that orjson cannot write, in the places a record holds values.
_ORJSON_CANNOT = [
    chat("Pa\ud800ris"),
    chat("Paris.", weight=2**70),
    chat("Paris.", weight=-(2**64)),
    {"messages": [{"role": "user", "content": "Capital?", "id": 2**64},
                  {"role": "assistant", "content": "Paris.", "\udc00": 1}]},
    {"prompt": "Count?", "completion": "Many.", "n": -(2**63) - 1, "note": "\udfff"},
]


@pytest.mark.parametrize("record", _ORJSON_CANNOT)
def test_a_record_gets_the_same_verdict_from_memory_and_from_a_file(
        record: dict[str, Any], tmp_path: Any) -> None:
    """Integers beyond 64 bits and lone surrogates: the same issues (codes, lines, pointers,
    messages) whether the record is a dict, JSON text, or a line of a file."""
    import json

    text = json.dumps(record)
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(chat()) + "\n" + text + "\n", encoding="ascii")

    def verdict(report: ftdata.Report) -> list[tuple[str, int | None, str | None, str]]:
        return [(i.code, i.line, i.pointer, i.message) for i in report.issues]

    from_file = verdict(ftdata.validate(path, tokens=False))
    assert not [issue for issue in from_file if issue[0] == "F002"]
    assert verdict(ftdata.validate_records([chat(), record], tokens=False)) == from_file
    assert verdict(ftdata.validate_records([chat(), text], tokens=False)) == from_file


def test_nesting_deeper_than_the_encoder_allows_is_located() -> None:
    fits = ftdata.validate_records([{"prompt": "a", "completion": "b", "x": nested(200)}])
    assert not [i for i in fits.issues if i.code == "F002"]
    report = ftdata.validate_records([chat(), chat(nested(MAX_DEPTH + 50))])
    [issue] = [i for i in report.issues if i.code == "F002"]
    assert issue.record == 1 and issue.pointer is not None
    assert issue.pointer.startswith("/messages/1/content/0/0")
    assert f"deeper than {MAX_DEPTH}" in issue.message


def test_a_record_that_contains_itself_is_located() -> None:
    record: dict[str, Any] = chat()
    record["self"] = record
    [issue] = [i for i in ftdata.validate_records([record]).issues if i.code == "F002"]
    assert issue.code == "F002" and issue.record == 0 and issue.pointer is not None


def test_keys_that_are_secrets_are_not_quoted() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    record: dict[Any, Any] = {secret.encode(): 1, "messages": []}
    report = ftdata.validate_records([record])
    assert secret not in str(report.to_dict())


_ODD = st.one_of(
    st.integers(), st.floats(), st.text(), st.binary(max_size=4), st.decimals(),
    st.datetimes(), st.dates(), st.sets(st.integers(0, 3), max_size=2),
    st.integers(-2**70, 2**70),
    st.integers(-2**31, 2**31 - 1).map(np.int32), st.floats(width=32).map(np.float32),
    st.lists(st.integers(0, 9), max_size=3).map(np.array),
    st.sampled_from([pd.NA, pd.NaT, pd.Timestamp("2024-01-01"), None, True, "\udfff"]),
    st.builds(nested, st.integers(0, 300)),
)
_KEYS = st.one_of(st.text(max_size=6), st.integers(), st.none(), st.tuples(st.integers()),
                  st.sampled_from(["role", "content", "messages", "\ud800"]))
_VALUES = st.recursive(_ODD, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner),
    st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=8)
_RECORDS = st.one_of(
    st.builds(chat, _VALUES),
    st.builds(lambda m: {"messages": m}, st.lists(st.dictionaries(_KEYS, _VALUES, max_size=3),
                                                  max_size=3)),
    st.dictionaries(_KEYS, _VALUES, max_size=4), _VALUES)


@given(st.lists(_RECORDS, max_size=4))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_python_value_gets_a_report_never_an_exception(records: list[Any]) -> None:
    report = ftdata.validate_records(records)
    assert report.records == len(records)
    for issue in report.issues:
        if issue.record is not None:
            assert 0 <= issue.record < len(records) and issue.line == issue.record + 1


@pytest.mark.slow
@given(st.lists(_RECORDS, max_size=4))
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_api_fuzz_never_raises(records: list[Any]) -> None:
    report = ftdata.validate_records(records, format="openai-chat")
    assert report.records == len(records)
    assert isinstance(report.to_dict()["issues"], list)
