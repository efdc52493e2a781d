"""Great Expectations: ftdata's rules as an Expectation over a column of records.

>>> import great_expectations as gx  # doctest: +SKIP
>>> from ftdata.integrations.great_expectations import (
...     ExpectColumnValuesToBeValidFineTuningExamples)  # doctest: +SKIP
>>> suite.add_expectation(ExpectColumnValuesToBeValidFineTuningExamples(
...     column="record", target="openai", model="gpt-4.1-mini"))  # doctest: +SKIP

Each value of the column is one record: a dict, or its JSON text. The column is validated as one
dataset with :func:`ftdata.validate_records` (so duplicates across rows count) and a row is
unexpected when it has an error-severity issue, a row that does not parse (F001-F003) included;
an error about the data as a whole (too few examples, an undetectable or unaccepted format)
makes every row unexpected, but mixed formats (F008) only the rows of the other format, each
with its own F008. A dataset issue that names a line carries it with its row's ``index``.
Missing values (None, NaN) are not examples and are left out, as Great Expectations does for
every column map Expectation; pair it with ``ExpectColumnValuesToNotBeNull`` to forbid them. The
issues themselves (code, severity, message, pointer, by row) are in ``result["details"]``.

Importing this module imports great_expectations (``pip install 'ftdata[gx]'``) and registers
the Expectation and its metrics; ``import ftdata`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, TypeAlias

from ftdata.integrations import require

require("great_expectations", "the Great Expectations integration")

from great_expectations.compatibility import pydantic  # noqa: E402
from great_expectations.execution_engine.pandas_execution_engine import (  # noqa: E402
    PandasExecutionEngine,
)
from great_expectations.expectations.expectation import ColumnMapExpectation  # noqa: E402
from great_expectations.expectations.metrics.column_aggregate_metric_provider import (  # noqa: E402
    ColumnAggregateMetricProvider,
    column_aggregate_value,
)
from great_expectations.expectations.metrics.map_metric_provider.column_condition_partial import (  # noqa: E402
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_map_metric_provider import (  # noqa: E402
    ColumnMapMetricProvider,
)
from great_expectations.expectations.registry import get_metric_kwargs  # noqa: E402
from great_expectations.validator.metric_configuration import MetricConfiguration  # noqa: E402

#: The map metric: True for a row whose record has no error-severity issue.
VALID_METRIC = "column_values.valid_fine_tuning_example"
#: The aggregate metric both the map metric and the result details are computed from.
ISSUES_METRIC = "column.fine_tuning_issues"
#: The Expectation's parameters that decide the verdict, passed on to the metrics.
RULE_KEYS = ("format", "target", "model", "select", "ignore")
DEFAULTS: dict[str, Any] = {"format": None, "target": "generic", "model": None,
                            "select": None, "ignore": None}
#: Issues listed in the result details, at most (the counts are always exact).
DETAILS_LIMIT = 1000

CodeList: TypeAlias = "str | list[str] | None"


def column_issues(values: Any, *, format: str | None = None, target: str = "generic",
                  model: str | None = None, select: CodeList = None,
                  ignore: CodeList = None) -> dict[str, Any]:
    """ftdata's verdict on a pandas Series of records, by index label.

    >>> import pandas as pd  # doctest: +SKIP
    >>> column_issues(pd.Series([{"messages": []}]))["failing"]  # doctest: +SKIP
    [0]

    Returns ``{"format", "records", "failing": [labels], "issues": [issue dicts with an
    "index"], "dataset_issues": [issue dicts]}``; ``failing`` lists the rows with an
    error-severity issue (all rows when the data as a whole has one).
    """
    import ftdata
    from ftdata.integrations._rows import plain

    labels = [plain(label) for label in values.index]
    records = [value if isinstance(value, (str, bytes)) else _record(value) for value in values]
    report = ftdata.validate_records(records, format=format, target=target, model=model,
                                     select=select, ignore=ignore, tokens=model is not None,
                                     name="<column>")
    failing: set[int] = set()
    located: list[tuple[int, dict[str, Any]]] = []
    dataset_issues: list[dict[str, Any]] = []
    for issue in report.issues:
        entry = issue.to_dict()
        if issue.record is None:
            # The line an issue about the data names (F008's first record of another format),
            # and the row it is: the line counts the non-missing values, from 1.
            named = _NAMED_LINE.search(issue.message)
            line = int(named.group(1)) if named else None
            index = labels[line - 1] if line is not None and 0 < line <= len(labels) else None
            del entry["record"]
            dataset_issues.append({**entry, "index": index, "line": line})
            if issue.code == "F008":
                # Mixed formats: each record of another format is unexpected, with its reason.
                for position, message in _foreign_rows(records, report.format):
                    located.append((position, {**entry, "message": message}))
                    if issue.severity.value == "error":
                        failing.add(position)
            elif issue.severity.value == "error":
                failing.update(range(len(labels)))
            continue
        # Positions count the non-missing values only: the index label is what finds the row.
        del entry["line"], entry["record"]
        located.append((issue.record, entry))
        if issue.severity.value == "error":
            failing.add(issue.record)
    located.sort(key=lambda item: item[0])
    issues = [{"index": labels[position], **entry} for position, entry in located]
    return {"format": report.format, "records": report.records,
            "failing": [labels[position] for position in sorted(failing)],
            "issues": issues, "dataset_issues": dataset_issues}


#: How an issue about the data as a whole names a line (F008: "first at line 4").
_NAMED_LINE = re.compile(r"\bat line (\d+)\b")


def _foreign_rows(records: list[Any], format_id: str | None) -> Iterator[tuple[int, str]]:
    """The positions of the records that look like another format than ``format_id``'s (F008),
    each with what it looks like, judged as the engine judges them."""
    if format_id is None:
        return
    from ftdata.formats import all_formats, get_format
    from ftdata.parsing import RecordError, decode_record

    fmt = get_format(format_id)
    others = [other for other in all_formats() if other.family != fmt.family]
    for position, record in enumerate(records):
        value = record
        if isinstance(record, (str, bytes)):
            data = record.encode("utf-8", "surrogatepass") if isinstance(record, str) else record
            try:
                value = decode_record(data)
            except RecordError:
                continue
        if not isinstance(value, dict) or fmt.matches(value):
            continue
        other = next((o.id for o in others if o.matches(value)), None)
        if other is not None:
            yield position, f"the record looks like {other}, not {format_id}"


def _record(value: Any) -> Any:
    from ftdata.integrations._rows import plain

    return plain(value)


class ColumnFineTuningIssues(ColumnAggregateMetricProvider):
    """The verdict of :func:`column_issues` on the column's non-missing values."""

    metric_name = ISSUES_METRIC
    value_keys = RULE_KEYS
    # An instance attribute on GX's base class, so no ClassVar here.
    default_kwarg_values: dict[str, Any] = dict(DEFAULTS)  # noqa: RUF012
    filter_column_isnull = True

    @column_aggregate_value(engine=PandasExecutionEngine)
    def _pandas(cls, column: Any, **kwargs: Any) -> dict[str, Any]:
        return column_issues(column, **{key: kwargs.get(key, DEFAULTS[key])
                                        for key in RULE_KEYS})


class ColumnValuesValidFineTuningExample(ColumnMapMetricProvider):
    """True for a row whose record has no error-severity issue."""

    condition_metric_name = VALID_METRIC
    condition_value_keys = RULE_KEYS
    # An instance attribute on GX's base class, so no ClassVar here.
    default_kwarg_values: dict[str, Any] = dict(DEFAULTS)  # noqa: RUF012

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: Any, _metrics: dict[str, Any], **kwargs: Any) -> Any:
        failing = set(_metrics[ISSUES_METRIC]["failing"])
        from ftdata.integrations._rows import plain

        return column.index.map(lambda label: plain(label) not in failing).to_series(
            index=column.index).astype(bool)

    @classmethod
    def _get_evaluation_dependencies(cls, metric: MetricConfiguration,
                                     configuration: Any = None, execution_engine: Any = None,
                                     runtime_configuration: dict[str, Any] | None = None
                                     ) -> dict[str, Any]:
        dependencies: dict[str, Any] = super()._get_evaluation_dependencies(
            metric=metric, configuration=configuration, execution_engine=execution_engine,
            runtime_configuration=runtime_configuration)
        if metric.metric_name == f"{VALID_METRIC}.condition":
            dependencies[ISSUES_METRIC] = MetricConfiguration(
                metric_name=ISSUES_METRIC, metric_domain_kwargs=metric.metric_domain_kwargs,
                metric_value_kwargs={key: metric.metric_value_kwargs.get(key, DEFAULTS[key])
                                     for key in RULE_KEYS})
        return dependencies


def _check_codes(value: CodeList) -> CodeList:
    from ftdata.rules import parse_code_list

    parse_code_list(value)
    return value


class ExpectColumnValuesToBeValidFineTuningExamples(ColumnMapExpectation):
    """Expect each record in the column to pass ftdata's rules (no error-severity issue).

    Args:
        column: the column of records (dicts, or JSON text).
        format: the records' format id (detected from the records when omitted).
        target: the provider profile whose limits and severities apply (``generic``).
        model: the model whose tokenizer counts tokens and whose limit applies (T001).
        select, ignore: rule codes or prefixes to run or leave out, as ``--select``.
        mostly: the share of rows that must pass (1 by default).

    Rows are checked together, as one dataset; errors about the data as a whole (F006, F007,
    F009, F010) make every row unexpected, F008 the rows of another format (``ignore=["F007"]``
    for batches that are parts of a dataset). ``result["details"]`` holds the detected
    ``format``, the ``issues`` (each with the row's ``index``, its code, severity, message and
    pointer) and the ``dataset_issues``.
    """

    format: str | None = None
    target: str = "generic"
    model: str | None = None
    select: str | list[str] | None = None
    ignore: str | list[str] | None = None

    map_metric = VALID_METRIC
    success_keys = (*RULE_KEYS, "mostly")
    args_keys = ("column",)
    library_metadata: ClassVar[dict[str, Any]] = {
        "maturity": "production",
        "tags": ["fine-tuning", "llm", "ftdata"],
        "contributors": ["ftdata"],
        "requirements": ["ftdata"],
    }

    @pydantic.validator("format")
    def _known_format(cls, value: str | None) -> str | None:
        if value is not None:
            from ftdata.formats import get_format

            get_format(value)
        return value

    @pydantic.validator("target")
    def _known_target(cls, value: str) -> str:
        from ftdata.targets import get_target

        get_target(value)
        return value

    @pydantic.validator("select", "ignore")
    def _known_codes(cls, value: CodeList) -> CodeList:
        return _check_codes(value)

    def get_validation_dependencies(self, execution_engine: Any = None,
                                    runtime_configuration: dict[str, Any] | None = None,
                                    **kwargs: Any) -> Any:
        dependencies = super().get_validation_dependencies(
            execution_engine=execution_engine, runtime_configuration=runtime_configuration)
        metric_kwargs = get_metric_kwargs(metric_name=ISSUES_METRIC,
                                          configuration=self.configuration,
                                          runtime_configuration=runtime_configuration)
        dependencies.set_metric_configuration(
            metric_name=ISSUES_METRIC,
            metric_configuration=MetricConfiguration(
                metric_name=ISSUES_METRIC,
                metric_domain_kwargs=metric_kwargs["metric_domain_kwargs"],
                metric_value_kwargs=metric_kwargs["metric_value_kwargs"]))
        return dependencies

    def _validate(self, metrics: dict[str, Any],
                  runtime_configuration: dict[str, Any] | None = None,
                  execution_engine: Any = None) -> Any:
        # Records are dicts, which the result's value counts can neither hash nor mix with
        # JSON text: unexpected values are reported as the records' JSON text.
        values_key = f"{VALID_METRIC}.unexpected_values"
        if metrics.get(values_key) is not None:
            metrics = {**metrics, values_key: [_as_text(value) for value in metrics[values_key]]}
        result = super()._validate(metrics, runtime_configuration=runtime_configuration,
                                   execution_engine=execution_engine)
        found = metrics.get(ISSUES_METRIC)
        if found is not None and isinstance(result, dict):
            result.setdefault("result", {})["details"] = _details(found)
        return result


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    import orjson

    from ftdata.integrations._rows import plain

    try:
        return orjson.dumps(plain(value), option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return repr(value)


def _details(found: dict[str, Any]) -> dict[str, Any]:
    issues: Iterable[dict[str, Any]] = found["issues"]
    listed = list(issues)[:DETAILS_LIMIT]
    details: dict[str, Any] = {"format": found["format"], "records": found["records"],
                               "issues": listed, "dataset_issues": found["dataset_issues"]}
    if len(found["issues"]) > len(listed):
        details["issues_omitted"] = len(found["issues"]) - len(listed)
    return details


__all__ = ["ColumnFineTuningIssues", "ColumnValuesValidFineTuningExample",
           "ExpectColumnValuesToBeValidFineTuningExamples", "column_issues"]
