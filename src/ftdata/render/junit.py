"""JUnit XML: one test case per file, for CI test-report views (GitLab, Jenkins, Azure DevOps).

A file is one test: it passes when no issue reaches the failing severity (error; warning too
with ``--strict``). A failing file gets one ``<failure>`` whose ``message`` counts the
failing issues and names the first, and whose body lists them all, one ``PATH:LINE: CODE
[severity] message`` line each. One failure per test case rather than one per issue because
that is what the consumers show: Azure DevOps keeps a single failure (message and "stack
trace") per result, GitLab shows one failure body per case, and the Ant/Jenkins JUnit schema
allows one ``<failure>`` per ``<testcase>``. Issues below the failing severity and the
summary go to the case's ``<system-out>``.

The document passes the schema of Jenkins' xunit plugin
(https://github.com/jenkinsci/xunit-plugin/blob/0c3752259ca17669b739481b2785a3e4cea1cc0f/src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd):
no attribute it does not declare (``<testsuites>`` has no ``skipped``). ``<testcase file>``
is declared there, and GitLab uses it to link a case to its file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ftdata.diagnostics import Issue
from ftdata.render._source import display_path
from ftdata.render.text import format_issue, omitted_line, summary_line
from ftdata.report import Report

SUITE_NAME = "ftdata"

# Characters XML 1.0 cannot carry at all, even escaped: they are shown as \xNN instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 forbids written as a visible escape.

    Example::

        xml_text("bell\\x07")   # "bell\\\\x07"
    """
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _brief(issue: Issue) -> str:
    where = f"line {issue.line}: " if issue.line is not None else ""
    return f"{where}{issue.code} {issue.message}"


def _testcase(report: Report, quiet: bool) -> tuple[ET.Element, bool]:
    path = display_path(report.path)
    case = ET.Element("testcase", {
        "classname": f"{SUITE_NAME}.{report.format or 'unknown-format'}",
        "name": xml_text(path),
        "file": xml_text(path),
    })
    threshold = report.fail_severity.rank
    shown = report.shown_issues
    failing = [issue for issue in shown if issue.severity.rank >= threshold]
    passing = [issue for issue in shown if issue.severity.rank < threshold]
    failed = not report.ok
    if failed:
        total = sum(1 for issue in report.issues if issue.severity.rank >= threshold)
        counted = (f"{total} " + ("error or warning" if total == 1 else "errors or warnings")
                   if report.strict else _plural(total, "error"))
        message = counted + (f"; first: {_brief(failing[0])}" if failing else "")
        body = [format_issue(path, issue) for issue in failing]
        hidden = total - len(failing)
        if hidden:
            body.append(f"... {_plural(hidden, 'more issue')} not shown "
                        f"(--max-issues {report.max_issues})")
        failure = ET.SubElement(case, "failure", {
            "message": xml_text(message),
            "type": f"ftdata.{report.fail_severity.value}",
        })
        failure.text = xml_text("\n".join(body))
    out = [format_issue(path, issue) for issue in passing]
    if not quiet:
        omitted = omitted_line(report)
        if omitted:
            out.append(omitted)
        out.append(summary_line(report))
    if out:
        ET.SubElement(case, "system-out").text = xml_text("\n".join(out))
    return case, failed


def junit_tree(reports: Sequence[Report], quiet: bool = False) -> ET.Element:
    """The ``<testsuites>`` element holding one ``<testsuite>`` with a case per file.

    Example::

        root = junit_tree([ftdata.validate("train.jsonl")])
        root.find("testsuite/testcase").get("name")   # "train.jsonl"
    """
    cases = [_testcase(report, quiet) for report in reports]
    counts = {"tests": str(len(cases)), "failures": str(sum(failed for _, failed in cases)),
              "errors": "0"}
    # Jenkins' xunit schema (junit-10.xsd) allows ``skipped`` on <testsuite> only.
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts, "skipped": "0"})
    suite.extend(case for case, _ in cases)
    return root


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    """The JUnit XML document, UTF-8, with an XML declaration.

    Example::

        print(render([ftdata.validate("train.jsonl")]), end="")
    """
    root = junit_tree(reports, quiet)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
