"""JUnit XML: a test case per file, one failure listing what failed it, well-formed always."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import ftdata
from ftdata.diagnostics import Severity
from ftdata.render.junit import render, xml_text
from ftdata.render.text import format_issue, summary_line
from tests.conftest import SAMPLES
from tests.render.helpers import issue, report

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"
CLEAN = SAMPLES / "openai-chat" / "clean.jsonl"

#: What the Jenkins xunit JUnit schema (``schemas/jenkins-junit-10.xsd``) allows on each
#: element this renderer writes: ``<testsuites>`` has no ``skipped``.
ALLOWED_ATTRIBUTES = {
    "testsuites": {"name", "tests", "failures", "errors", "disabled", "time"},
    "testsuite": {"name", "tests", "failures", "errors", "skipped", "time", "timestamp",
                  "hostname"},
    "testcase": {"name", "classname", "time", "file"},
    "failure": {"message", "type"},
    "system-out": set(),
}


def parse(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(xml.encode("utf-8"))


def assert_junit_shape(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    for element in root.iter():
        assert element.tag in ALLOWED_ATTRIBUTES, element.tag
        assert set(element.attrib) <= ALLOWED_ATTRIBUTES[element.tag], element.attrib
    suite = suites[0]
    cases = suite.findall("testcase")
    assert list(suite) == cases
    failures = 0
    for case in cases:
        tags = [child.tag for child in case]
        assert tags in ([], ["failure"], ["system-out"], ["failure", "system-out"])
        failures += tags.count("failure")
    for element in (root, suite):
        assert int(element.get("tests", "")) == len(cases)
        assert int(element.get("failures", "")) == failures
        assert element.get("errors") == "0"
    assert suite.get("skipped") == "0"


def test_one_case_per_file_and_only_failing_files_fail() -> None:
    broken, clean = ftdata.validate(BROKEN), ftdata.validate(CLEAN)
    root = parse(render([broken, clean]))
    assert_junit_shape(root)
    first, second = root.findall("testsuite/testcase")
    assert first.get("name") == first.get("file") == "samples/openai-chat/broken.jsonl"
    assert first.get("classname") == "ftdata.openai-chat"
    assert second.find("failure") is None
    assert second.findtext("system-out") == summary_line(clean)


def test_the_failure_lists_every_error_and_the_output_holds_the_rest() -> None:
    broken = ftdata.validate(BROKEN)
    case = parse(render([broken])).findall("testsuite/testcase")[0]
    failure = case.find("failure")
    assert failure is not None
    errors = [i for i in broken.issues if i.severity is Severity.ERROR]
    path = "samples/openai-chat/broken.jsonl"
    assert (failure.text or "").splitlines() == [format_issue(path, i) for i in errors]
    assert failure.get("type") == "ftdata.error"
    assert failure.get("message") == (f"{len(errors)} errors; first: {errors[0].code} "
                                      f"{errors[0].message}")
    others = [format_issue(path, i) for i in broken.issues if i.severity is not Severity.ERROR]
    assert (case.findtext("system-out") or "").splitlines() == [*others, summary_line(broken)]


def test_strict_fails_on_warnings_too() -> None:
    warned = report("a.jsonl", [issue("C004", 3, message="ends with user")], strict=True)
    (case,) = parse(render([warned])).findall("testsuite/testcase")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "1 error or warning; first: line 3: C004 ends with user"
    assert failure.get("type") == "ftdata.warning"
    assert not report("a.jsonl", [issue("C004", 3)]).strict
    (lenient,) = parse(render([report("a.jsonl", [issue("C004", 3)])])).findall(
        "testsuite/testcase")
    assert lenient.find("failure") is None


def test_markup_and_characters_xml_cannot_hold_are_escaped() -> None:
    nasty = "<b>&amp;\"quoted\"</b> ]]> bell\x07 nul\x00 esc\x1b lone\udc80 ok\t"
    found = issue("C001", 1, message=nasty)
    root = parse(render([report("we<i>rd&.jsonl", [found])]))
    assert_junit_shape(root)
    (case,) = root.findall("testsuite/testcase")
    assert case.get("name") == "we<i>rd&.jsonl"
    failure = case.find("failure")
    assert failure is not None
    expected = ("<b>&amp;\"quoted\"</b> ]]> bell\\x07 nul\\x00 esc\\x1b lone\\udc80 ok\t")
    assert failure.text == f"we<i>rd&.jsonl:1: C001 [error] {expected}"
    assert expected in (failure.get("message") or "")


def test_xml_text_keeps_what_xml_allows() -> None:
    assert xml_text("tab\tnewline\nreturn\r é ✓ 🙂") == "tab\tnewline\nreturn\r é ✓ 🙂"
    assert xml_text("\x0b\x0c\ufffe") == "\\x0b\\x0c\\ufffe"


def test_max_issues_and_quiet() -> None:
    issues = [issue("C003", n) for n in (1, 2, 3)] + [issue("C004", 4)]
    (case,) = parse(render([report("a.jsonl", issues, max_issues=2)])).findall(
        "testsuite/testcase")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith("3 errors; first: line 1: C003")
    lines = (failure.text or "").splitlines()
    assert len(lines) == 3 and lines[-1] == "... 1 more issue not shown (--max-issues 2)"
    (quiet,) = parse(render([report("a.jsonl", issues[:1])], quiet=True)).findall(
        "testsuite/testcase")
    assert quiet.find("system-out") is None


def test_no_reports_is_an_empty_suite() -> None:
    root = parse(render([]))
    assert_junit_shape(root)
    assert root.get("tests") == "0"


JENKINS_SCHEMA = Path(__file__).parent / "schemas" / "jenkins-junit-10.xsd"


def test_the_output_passes_the_jenkins_xunit_schema(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(JENKINS_SCHEMA))
    hostile = tmp_path / "a\x07<b>&.jsonl"
    hostile.write_text('{"messages": [{"role": "user", "content": "\\u0007 <x/>"}]}\n',
                       encoding="utf-8")
    cases = [[ftdata.validate(BROKEN), ftdata.validate(CLEAN)], [ftdata.validate(hostile)], []]
    for reports in cases:
        for quiet in (False, True):
            document = render(reports, quiet=quiet)
            errors = list(schema.iter_errors(document))
            assert errors == [], [str(error).splitlines()[0] for error in errors]
    # The schema is strict enough to refuse what the plugin refuses.
    assert not schema.is_valid('<testsuites skipped="0"><testsuite tests="0"/></testsuites>')
    assert not schema.is_valid('<testsuites><testsuite tests="0"><testcase file="x"/>'
                               '</testsuite></testsuites>')  # a case needs its name
