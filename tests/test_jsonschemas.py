"""The JSON Schemas in ``schemas/`` match the shapes, and the two validators always agree."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftdata.formats import format_ids, get_format
from ftdata.jsonschemas import read_schema_text, render_schema
from ftdata.shapes import check_shape
from tests.conftest import ROOT
from tests.strategies import ANY_JSON, mutated, valid

FORMATS = format_ids()


@pytest.mark.parametrize("format_id", FORMATS)
def test_schema_file_is_up_to_date(format_id: str) -> None:
    path = ROOT / "schemas" / f"{format_id}.schema.json"
    assert path.read_text("utf-8") == render_schema(format_id), (
        "schemas/ is stale: run `python -m ftdata.jsonschemas schemas`")


@pytest.mark.parametrize("format_id", FORMATS)
def test_schema_is_a_valid_draft_2020_12_schema(format_id: str) -> None:
    document = json.loads(read_schema_text(format_id))
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _agree(format_id: str, record: Any) -> None:
    fmt = get_format(format_id)
    validator = jsonschema.Draft202012Validator(json.loads(read_schema_text(format_id)))
    schema_valid = validator.is_valid(record)
    findings = check_shape(fmt.shape, record)
    assert schema_valid == (not findings), (
        f"{format_id}: schema says {'valid' if schema_valid else 'invalid'}, "
        f"fast validator says {findings or 'valid'} for {record!r}")


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("format_id", FORMATS)
@SETTINGS
@given(data=st.data())
def test_valid_records_pass_both(format_id: str, data: st.DataObject) -> None:
    record = data.draw(valid(get_format(format_id).shape))
    assert check_shape(get_format(format_id).shape, record) == []
    _agree(format_id, record)


@pytest.mark.parametrize("format_id", FORMATS)
@SETTINGS
@given(data=st.data())
def test_mutated_records_get_the_same_verdict(format_id: str, data: st.DataObject) -> None:
    _agree(format_id, data.draw(mutated(get_format(format_id).shape)))


@pytest.mark.parametrize("format_id", FORMATS)
@SETTINGS
@given(record=ANY_JSON)
def test_arbitrary_json_gets_the_same_verdict(format_id: str, record: Any) -> None:
    _agree(format_id, record)


@pytest.mark.parametrize("format_id", FORMATS)
@SETTINGS
@given(data=st.data())
def test_reading_never_raises(format_id: str, data: st.DataObject) -> None:
    fmt = get_format(format_id)
    record = data.draw(st.one_of(mutated(fmt.shape), valid(fmt.shape)))
    if isinstance(record, dict):
        fmt.read(record)
