from __future__ import annotations

import pytest

from ftdata.parsing import RecordError, decode_record


def test_valid_json_decodes() -> None:
    assert decode_record(b'{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}


@pytest.mark.parametrize(("data", "code", "fragment"), [
    (b'{"a": "caf\xe9"}', "F001", "byte 11"),
    (b'{"a": 1,}', "F002", "column"),
    (b'{"a": NaN}', "F002", "NaN"),
    (b"[" * 100_000, "F002", "invalid JSON"),
    (b'{"a": "x', "F002", "column"),
])
def test_bad_records_get_located_findings(data: bytes, code: str, fragment: str) -> None:
    with pytest.raises(RecordError) as caught:
        decode_record(data)
    assert caught.value.finding.code == code
    assert fragment in caught.value.finding.message


def test_json_that_orjson_cannot_hold_is_still_accepted() -> None:
    big = decode_record(b'{"n": 123456789012345678901234567890}')["n"]
    assert isinstance(big, (int, float)) and big > 1e29
    assert decode_record(b'{"s": "\\ud800"}') == {"s": "\ud800"}
