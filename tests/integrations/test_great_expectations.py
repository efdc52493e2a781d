"""The GX Expectation inside a real suite: ephemeral context, pandas data source, validation
definition; no analytics, no progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ftdata.sources import json_records
from tests.conftest import SAMPLES

pd = pytest.importorskip("pandas")
pytest.importorskip("great_expectations")


@pytest.fixture(autouse=True)
def quiet_gx(monkeypatch: pytest.MonkeyPatch) -> None:
    # GX reads this before it would send anything (see GX's "Toggle analytics events").
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture
def gx() -> Any:
    import great_expectations

    return great_expectations


@pytest.fixture
def expectation_class() -> Any:
    from ftdata.integrations.great_expectations import (
        ExpectColumnValuesToBeValidFineTuningExamples,
    )

    return ExpectColumnValuesToBeValidFineTuningExamples


@pytest.fixture
def context(gx: Any) -> Iterator[Any]:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                         metric_calculations=False)
    yield context


def run_suite(gx: Any, context: Any, frame: Any, *expectations: Any,
              result_format: str = "COMPLETE") -> Any:
    name = f"suite-{len(context.suites.all())}"
    source = context.data_sources.add_pandas(f"{name}-source")
    batch = source.add_dataframe_asset("train").add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}-run", data=batch, suite=suite))
    return definition.run(batch_parameters={"dataframe": frame}, result_format=result_format)


def clean_records() -> list[Any]:
    path = SAMPLES / "openai-chat" / "clean.jsonl"
    return [record for _, record in json_records(path)]


def test_clean_records_pass(gx: Any, context: Any, expectation_class: Any) -> None:
    frame = pd.DataFrame({"record": clean_records()})
    result = run_suite(gx, context, frame, expectation_class(column="record", target="openai"))
    assert result.success
    only = result.results[0]
    assert only.result["unexpected_count"] == 0
    assert only.result["details"]["format"] == "openai-chat"
    assert only.result["details"]["records"] == len(frame)


def test_broken_records_fail_at_their_rows_with_codes_and_messages(
        gx: Any, context: Any, expectation_class: Any) -> None:
    rows = clean_records()
    rows[2] = {"messages": [{"role": "user", "content": "Only a question"}]}
    rows[5] = json.dumps(rows[5])  # JSON text is a record too
    rows[7] = '{"messages": [ broken'
    key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3i"
    rows[9] = {"messages": [{"role": "user", "content": "Hi"},
                            {"role": "assistant", "content": f"Key: {key}"}]}
    frame = pd.DataFrame({"id": range(len(rows)), "record": rows},
                         index=[f"row-{n}" for n in range(len(rows))])
    result = run_suite(gx, context, frame, expectation_class(column="record", target="openai"))
    assert not result.success
    outcome = result.results[0].result
    assert outcome["unexpected_index_list"] == ["row-2", "row-7", "row-9"]
    assert outcome["unexpected_count"] == 3
    errors = [(issue["index"], issue["code"]) for issue in outcome["details"]["issues"]
              if issue["severity"] == "error"]
    assert errors == [("row-2", "C003"), ("row-7", "F002"), ("row-9", "P001")]
    assert all(issue["message"] for issue in outcome["details"]["issues"])
    assert '{"messages": [ broken' in outcome["unexpected_list"]


def test_parameters_select_ignore_and_mostly(gx: Any, context: Any,
                                             expectation_class: Any) -> None:
    rows = clean_records()
    rows[0] = {"messages": [{"role": "user", "content": "Only a question"}]}
    frame = pd.DataFrame({"record": rows})
    result = run_suite(
        gx, context, frame,
        expectation_class(column="record", ignore=["C003"]),
        expectation_class(column="record", select="S"),
        expectation_class(column="record", mostly=0.9),
        expectation_class(column="record", format="openai-chat"))
    assert [r.success for r in result.results] == [True, True, True, False]


def test_errors_about_the_whole_data_fail_every_row(gx: Any, context: Any,
                                                    expectation_class: Any) -> None:
    frame = pd.DataFrame({"record": clean_records()[:4]})
    result = run_suite(gx, context, frame,
                       expectation_class(column="record", target="openai"),
                       expectation_class(column="record", target="openai", ignore="F007"))
    failed, passed = result.results
    assert not failed.success and failed.result["unexpected_count"] == 4
    dataset_issues = failed.result["details"]["dataset_issues"]
    assert [i["code"] for i in dataset_issues if i["code"].startswith("F")] == ["F007"]
    assert passed.success


def test_rows_that_do_not_parse_are_unexpected_each_with_its_code(
        gx: Any, context: Any, expectation_class: Any) -> None:
    # Strings only: GX hashes the frame and refuses a column that mixes str, bytes and int.
    rows = ['{"messages": [ broken', "[1, 2]", '"text"', "3", "{'messages': []}"]
    frame = pd.DataFrame({"record": rows}, index=[f"row-{n}" for n in range(len(rows))])
    for options in ({"ignore": "F009"}, {"format": "openai-chat"}, {}):
        result = run_suite(gx, context, frame, expectation_class(column="record", **options))
        outcome = result.results[0].result
        assert not result.results[0].success
        assert outcome["unexpected_count"] == len(rows) and outcome["missing_count"] == 0
        assert [(i["index"], i["code"]) for i in outcome["details"]["issues"]] == [
            ("row-0", "F002"), ("row-1", "F003"), ("row-2", "F003"), ("row-3", "F003"),
            ("row-4", "F002")]


def test_a_record_of_another_format_fails_its_own_row_only(
        gx: Any, context: Any, expectation_class: Any) -> None:
    rows = clean_records()
    rows[3] = {"prompt": "Capital of France?", "completion": "Paris."}
    frame = pd.DataFrame({"record": rows}, index=[f"row-{n}" for n in range(len(rows))])
    result = run_suite(gx, context, frame, expectation_class(column="record", ignore="S"))
    outcome = result.results[0].result
    assert outcome["unexpected_index_list"] == ["row-3"]
    assert [(i["index"], i["code"]) for i in outcome["details"]["issues"]] == [("row-3", "F008")]
    [dataset_issue] = outcome["details"]["dataset_issues"]
    assert (dataset_issue["code"], dataset_issue["index"], dataset_issue["line"]) == (
        "F008", "row-3", 4)


def test_missing_values_are_left_out(gx: Any, context: Any, expectation_class: Any) -> None:
    frame = pd.DataFrame({"record": [*clean_records()[:3], None]})
    result = run_suite(gx, context, frame, expectation_class(column="record"))
    assert result.success
    assert result.results[0].result["missing_count"] == 1


def test_unknown_parameters_are_refused_when_the_expectation_is_made(
        expectation_class: Any) -> None:
    for bad in ({"target": "nope"}, {"format": "nope"}, {"select": "Z9"}):
        with pytest.raises(ValueError, match=r"nope|Z9"):
            expectation_class(column="record", **bad)


def test_the_expectation_round_trips_through_the_suite_json(expectation_class: Any) -> None:
    expectation = expectation_class(column="record", target="openai", ignore=["Q"])
    configuration = expectation.configuration
    assert configuration.type == "expect_column_values_to_be_valid_fine_tuning_examples"
    assert configuration.kwargs["target"] == "openai"
    assert configuration.to_domain_obj() == expectation


def test_no_progress_bars_or_other_output(gx: Any, context: Any, expectation_class: Any,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"record": clean_records()})
    run_suite(gx, context, frame, expectation_class(column="record"))
    captured = capfd.readouterr()
    assert captured.out == "" and "%|" not in captured.err


def test_column_issues_is_usable_without_a_suite(tmp_path: Path) -> None:
    from ftdata.integrations.great_expectations import column_issues

    values = pd.Series([{"messages": []}, clean_records()[0]], index=[7, 8])
    found = column_issues(values)
    assert found["failing"] == [7]
    assert [(issue["index"], issue["code"]) for issue in found["issues"]] == [(7, "C015")]
