"""``ftdata fix``: each safe fix, reported with its line; the input never changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.fixes import fix_file, fixable_codes
from ftdata.outputs import OutputError

GOOD = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
OTHER = {"messages": [{"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Ciao"}]}


def write(path: Path, lines: list[Any], *, bom: bool = False) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode() + b"\n")
    return path


def test_blank_lines_bom_and_duplicates(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [GOOD, "", OTHER, GOOD], bom=True)
    before = source.read_bytes()
    result = fix_file(source, tmp_path / "out.jsonl")
    assert source.read_bytes() == before
    assert [(c["line"], c["code"]) for c in result.changes] == [(1, "F005"), (2, "F004"),
                                                               (4, "D001")]
    assert (result.read, result.written, result.dropped) == (3, 2, 1)
    output = (tmp_path / "out.jsonl").read_bytes()
    assert output == (json.dumps(GOOD) + "\n" + json.dumps(OTHER) + "\n").encode()
    report = ftdata.validate(tmp_path / "out.jsonl")
    assert not {"F004", "F005", "D001"} & {i.code for i in report.issues}


def test_select_limits_the_fixes(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [GOOD, "", GOOD], bom=True)
    result = fix_file(source, tmp_path / "out.jsonl", select=["F004"])
    assert [c["code"] for c in result.changes] == ["F004"]
    output = (tmp_path / "out.jsonl").read_bytes()
    assert output.startswith(b"\xef\xbb\xbf") and output.count(b"\n") == 2


def test_unchanged_records_are_kept_byte_for_byte(tmp_path: Path) -> None:
    odd = '{"messages":[{"content":"Hi","role":"user"},  {"role":"assistant","content":"1e3"}]}'
    source = write(tmp_path / "in.jsonl", [odd, "{broken"])
    fix_file(source, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_text().splitlines() == [odd, "{broken"]


def test_json_array_output(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps([GOOD, GOOD, OTHER], indent=2))
    result = fix_file(source, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text()) == [GOOD, OTHER]
    assert result.dropped == 1


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [GOOD])
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    for target in (source, link):
        with pytest.raises(OutputError, match="refusing"):
            fix_file(source, target)
    assert source.read_text() == json.dumps(GOOD) + "\n"


def test_fixable_codes_are_registered_fixable_rules() -> None:
    assert {"F004", "F005", "D001"} <= fixable_codes()
    assert fixable_codes(["F"]) == {"F004", "F005", "F011"}


def test_whitespace_and_double_encoding_fixes_then_revalidate(tmp_path: Path) -> None:
    record = {"messages": [
        {"role": "user", "content": "  Weather in Paris? "},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": json.dumps(json.dumps({"city": "Paris"}))}}]}],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}]}
    source = write(tmp_path / "in.jsonl", [record])
    before = ftdata.validate(source)
    assert {"Q001", "Q005"} <= {i.code for i in before.issues}
    result = fix_file(source, tmp_path / "out.jsonl")
    assert sorted((c["code"], c["pointer"]) for c in result.changes) == [
        ("Q001", "/messages/0/content"),
        ("Q005", "/messages/1/tool_calls/0/function/arguments")]
    fixed = json.loads((tmp_path / "out.jsonl").read_text())
    assert fixed["messages"][0]["content"] == "Weather in Paris?"
    assert json.loads(fixed["messages"][1]["tool_calls"][0]["function"]["arguments"]) == {
        "city": "Paris"}
    after = ftdata.validate(tmp_path / "out.jsonl")
    assert not {"Q001", "Q005"} & {i.code for i in after.issues}


def test_completion_keeps_the_whitespace_the_rule_allows(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [{"prompt": "Q: 2+2?\nA:", "completion": " 4\n\n"}])
    fix_file(source, tmp_path / "out.jsonl")
    assert json.loads((tmp_path / "out.jsonl").read_text())["completion"] == " 4\n"


def test_pretty_printed_objects_are_rewritten_one_per_line(tmp_path: Path) -> None:
    big = {"id": 123456789012345678901234567890, **OTHER}  # beyond 64 bits: kept exact
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(record, indent=2) + "\n" for record in (GOOD, big)),
                      encoding="utf-8")
    result = fix_file(source, tmp_path / "out.jsonl")
    assert [(c["line"], c["code"]) for c in result.changes] == [(1, "F011")]
    assert (result.read, result.written, result.dropped) == (2, 2, 0)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [GOOD, big]
    report = ftdata.validate(tmp_path / "out.jsonl")
    assert report.records == 2 and "F011" not in {issue.code for issue in report.issues}


def test_a_run_of_blank_lines_is_one_change_and_is_kept_when_not_fixed(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "a"}\n' + b"\n" * 1000 + b'{"text": "b"}\n')
    result = fix_file(source, tmp_path / "out.jsonl", select=["F004"])
    assert result.changes == [{"line": 2, "code": "F004", "action": "dropped 1,000 blank lines"}]
    assert (tmp_path / "out.jsonl").read_bytes() == b'{"text": "a"}\n{"text": "b"}\n'
    fix_file(source, tmp_path / "kept.jsonl", select=["D001"])
    assert (tmp_path / "kept.jsonl").read_bytes() == source.read_bytes()
