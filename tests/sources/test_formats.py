"""Every format id is a source: records read with the format's reader, invalid ones skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftdata.formats import format_ids
from ftdata.sources import SourceError, source_kinds
from tests.conftest import CORPUS
from tests.sources import read

BROKEN = (
    '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}\n'
    "\n"
    '{"messages": [{"role": "user", "content": "Hi"}], "id": 7}\n'
    '{"messages": [{"role": "user", "content": "Hi"}, {"role": "model", "content": "Yo"}]}\n'
    "not json\n"
    '"a string"\n'
    '{"messages": [{"role": "user", "content": "caf\xe9"}]}\n'
)


def test_format_ids_are_source_kinds() -> None:
    assert set(format_ids()) <= set(source_kinds())


def test_invalid_records_are_skipped_with_their_code(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_bytes(BROKEN.encode("utf-8").replace("caf\xe9".encode(), b"caf\xe9"))
    items = read(path, "openai-chat")
    assert items[0] == (1, ("chat", [("user", "Hi"), ("assistant", "Yo")]))
    assert items[1] == (3, ("skip", "S002 unknown key 'id' in record (at /id)"))
    assert items[2] == (4, ("chat", [("user", "Hi"), ("model", "Yo")]))
    assert items[3][0] == 5 and items[3][1][1].startswith("F002 invalid JSON")
    assert items[4] == (6, ("skip", "F003 the record is a string, not a JSON object"))
    assert items[5] == (7, ("skip", "F001 invalid UTF-8 at byte 47 (0xe9)"))


def test_roles_rename_a_format_s_roles(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text(BROKEN.splitlines()[3] + "\n", encoding="utf-8")
    assert read(path, "openai-chat", roles={"model": "assistant"}) == [
        (1, ("chat", [("user", "Hi"), ("assistant", "Yo")]))]


def test_map_does_not_apply(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--map applies to tables and Q&A files only"):
        read(tmp_path / "x.jsonl", "openai-chat", mapping={"a": "prompt"})


def test_truncated_json_array_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"text": "one"}, {"text": "tw', encoding="utf-8")
    items = read(path, "text")
    assert items[0] == (1, ("text", []))
    assert items[1][0] == 2 and items[1][1][1].startswith("F002")
    assert items[2] == (None, ("skip", "F002 the JSON array is not closed (is the file "
                                       "truncated?)"))


def test_corpus_alpaca_array_elements() -> None:
    path = CORPUS / "alpaca__llamafactory_identity.json"
    if not path.exists():
        pytest.skip("corpus not present")
    items = read(path, "alpaca")
    assert [location for location, _ in items] == list(range(1, 92))
    assert all(item[0] == "chat" for _, item in items)
