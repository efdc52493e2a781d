"""SARIF 2.1.0: the report as a static-analysis log, for GitHub code scanning and SARIF viewers.

One run, whose ``tool.driver.rules`` is the whole rule registry in its fixed order, so that a
rule keeps its ``ruleIndex`` from one run to the next and every alert links to the rule's
documentation even for rules that did not fire this time. Each result is located by a path
relative to the working directory (``uriBaseId`` ``%SRCROOT%``) and the record's physical
line; issues about a whole file have no region. ``partialFingerprints`` hash the rule, the
path and the record's bytes (not its line number), so an alert survives lines added above it
and two copies of one defect stay two alerts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ftdata import __version__
from ftdata.diagnostics import Issue, Severity
from ftdata.render._source import SourceMap, artifact_uri, source_map
from ftdata.report import Report
from ftdata.rules import Rule, all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
#: The key of ftdata's own fingerprint; ``primaryLocationLineHash`` is GitHub's to compute.
FINGERPRINT_KEY = "ftdata/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

FAMILY_TAGS = {"F": "file", "S": "schema", "C": "conversation", "T": "tokens",
               "D": "duplicates", "Q": "quality", "P": "privacy"}
#: Rules GitHub should list as security alerts, with the CVSS-like score it ranks them by.
SECURITY_SEVERITY = {"P001": "7.5", "P002": "5.0"}


def _information_uri() -> str | None:
    """The project's home page from the package metadata, when it declares one."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        info = metadata("ftdata")
    except PackageNotFoundError:
        return None
    for entry in info.get_all("Project-URL") or []:
        _, _, url = entry.partition(",")
        url = str(url).strip()
        if url.startswith("https://"):
            return url
    return None


def _paragraphs(doc: str) -> list[str]:
    return [p.strip() for p in doc.split("\n\n") if p.strip()]


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")


def _full_description(rule: Rule) -> str:
    for paragraph in _paragraphs(rule.doc):
        if paragraph.startswith("**What it does.**"):
            return " ".join(_plain(paragraph).split()).removeprefix("What it does. ")
    return rule.summary


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A rule as a SARIF ``reportingDescriptor``, its documentation as the help.

    Example::

        rule_descriptor(get_rule("C003"))["defaultConfiguration"]   # {"level": "error"}
    """
    tags = ["ftdata", FAMILY_TAGS.get(rule.family, rule.family)]
    properties: dict[str, Any] = {}
    if rule.code in SECURITY_SEVERITY:
        tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY[rule.code]
    if rule.fixable:
        tags.append("autofix")
    properties["tags"] = tags
    heading = f"{rule.code} {rule.name}: {rule.summary}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _full_description(rule)},
        "help": {"text": f"{heading}\n\n{_plain(rule.doc)}",
                 "markdown": f"**{rule.code} {rule.name}**: {rule.summary}\n\n{rule.doc}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _fingerprint(code: str, uri: str, content: str, pointer: str | None) -> str:
    key = "\0".join((code, uri, content, pointer or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _result(issue: Issue, uri: str, relative: bool, source: SourceMap,
            rule_index: dict[str, int], seen: Counter[str]) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    line = source.physical_line(issue)
    if line is not None:
        physical["region"] = {"startLine": line}
    # No content to hash for a whole-file issue or an unreadable record: the line stands in.
    content = "" if issue.line is None else source.digest(issue) or f"line {issue.line}"
    fingerprint = _fingerprint(issue.code, uri, content, issue.pointer)
    seen[fingerprint] += 1  # identical records: the nth copy is the nth alert
    pointer = issue.at
    result: dict[str, Any] = {"ruleId": issue.code}
    if issue.code in rule_index:
        result["ruleIndex"] = rule_index[issue.code]
    result.update({
        "level": LEVELS[issue.severity],
        "message": {"text": f"{issue.message}{pointer}"},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: f"{fingerprint}:{seen[fingerprint]}"},
    })
    details = {key: value for key, value in
               (("line", issue.line), ("record", issue.record), ("pointer", issue.pointer),
                ("pointerNote", issue.pointer_note))
               if value is not None}
    if details:
        result["properties"] = details
    return result


def _file_properties(report: Report) -> dict[str, Any]:
    entry = report.to_dict()
    del entry["issues"], entry["stats"]
    return entry


def sarif_log(reports: Sequence[Report]) -> dict[str, Any]:
    """The SARIF log of a validation run, as a dict ready for JSON.

    Example::

        log = sarif_log([ftdata.validate("train.jsonl")])
        log["runs"][0]["results"][0]["ruleId"]   # "C003"
    """
    rules = all_rules()
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    any_relative = False
    for report in reports:
        shown = report.shown_issues
        uri, relative = artifact_uri(report.path)
        any_relative = any_relative or (relative and bool(shown))
        source = source_map(report, shown, digests=True)
        seen: Counter[str] = Counter()
        results.extend(_result(issue, uri, relative, source, rule_index, seen)
                       for issue in shown)
    driver: dict[str, Any] = {"name": "ftdata", "version": __version__,
                              "semanticVersion": __version__}
    information = _information_uri()
    if information is not None:
        driver["informationUri"] = information
    driver["rules"] = [rule_descriptor(rule) for rule in rules]
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if any_relative:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}}
    run["results"] = results
    run["properties"] = {"files": [_file_properties(report) for report in reports]}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    """The SARIF log as indented JSON (``quiet`` changes nothing: a log has no chatter)."""
    return orjson.dumps(sarif_log(reports), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
