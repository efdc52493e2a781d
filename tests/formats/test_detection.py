"""Each format claims its typical records and no other format's, but for the overlaps that are
there by design: the contract format detection is built on."""

from __future__ import annotations

from typing import Any

import pytest

from ftdata.formats import all_formats, get_format
from tests.formats.typical import OVERLAPS, TYPICAL

FORMAT_IDS = sorted(fmt.id for fmt in all_formats())


def test_every_format_has_typical_records() -> None:
    assert {owner for owner, _, _ in TYPICAL} == set(FORMAT_IDS)
    assert {fmt for fmt, _ in OVERLAPS} <= set(FORMAT_IDS)


@pytest.mark.parametrize("format_id", FORMAT_IDS)
@pytest.mark.parametrize(("owner", "label", "record"), TYPICAL,
                         ids=[f"{label}-{index}" for index, (_, label, _) in enumerate(TYPICAL)])
def test_a_format_claims_exactly_its_own_records(format_id: str, owner: str, label: str,
                                                 record: dict[str, Any]) -> None:
    expected = owner == format_id or (format_id, label) in OVERLAPS
    assert get_format(format_id).matches(record) is expected
