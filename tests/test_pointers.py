from __future__ import annotations

import pytest

from ftdata.pointers import get, locate


def test_get_and_locate_follow_rfc_6901() -> None:
    document = {"a/b": [{"m~n": 1}], "": 2}
    assert get(document, "/a~1b/0/m~0n") == 1
    assert get(document, "/") == 2
    assert get(document, "") is document
    assert locate(document, "/a~1b/1") is None
    with pytest.raises(KeyError):
        get(document, "/missing")
