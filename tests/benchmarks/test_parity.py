"""ftdata against the owners' own checkers, from their pinned verdicts (offline, no install).

``tests/benchmarks/parity/<owner>-<version>.json`` holds the verdict of Together's
``check_file`` (together 1.5.35) and of mistral-common's fine-tuning validation on every case
of ``cases.json`` and on the JSONL files of ``../shared/corpus``; regenerate them with

    python -m benchmarks.parity --write --markdown PARITY.md

Two properties hold under each owner's target:

* no surprise at upload: a file the owner rejects gets at least one error from ftdata;
* no false alarm: a file the owner accepts gets no error, except the few cases listed in
  ``cases.json`` under ``ftdata_error`` with the reason (training would not go as written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ftdata
from benchmarks.parity import OWNERS, Case, load_cases, pinned_path
from ftdata.diagnostics import Severity
from ftdata.report import Report

CASES = {case.id: case for case in load_cases()}
TABLE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "parity" / "cases.json").read_text("utf-8"))
PINNED: dict[str, dict[str, Any]] = {
    owner: json.loads(pinned_path(owner).read_text("utf-8")) for owner in OWNERS}
#: Why a case may wait: the change it depends on, which another piece of work brings.
PENDING_REASONS = {
    "unknown-keys": "waits for the unknown-keys policy (S002 severity per target and level)",
}
#: Deliberate errors beyond an owner's verdict are kept few.
MAX_DELIBERATE = 3


def _case_params() -> list[Any]:
    params = []
    for owner, pinned in PINNED.items():
        for case_id in pinned["cases"]:
            pending = CASES[case_id].pending.get(owner)
            marks = [pytest.mark.xfail(reason=PENDING_REASONS[pending], strict=False)] \
                if pending else []
            params.append(pytest.param(owner, case_id, marks=marks, id=f"{owner}-{case_id}"))
    return params


def _errors(report: Report) -> list[str]:
    return sorted({issue.code for issue in report.issues if issue.severity is Severity.ERROR})


def _validate(path: Path, owner: str) -> Report:
    return ftdata.validate(path, target=OWNERS[owner][1], tokens=False)


@pytest.mark.parametrize(("owner", "case_id"), _case_params())
def test_case_agrees_with_the_owner(owner: str, case_id: str, tmp_path: Path) -> None:
    case: Case = CASES[case_id]
    verdict = PINNED[owner]["cases"][case_id]
    path = tmp_path / f"{case_id}.jsonl"
    path.write_bytes(case.data)
    errors = _errors(_validate(path, owner))
    if not verdict["accepted"]:
        assert errors, f"{owner} rejects {case_id} ({verdict['message']}), ftdata has no error"
    elif owner in case.ftdata_error:
        assert errors, f"{case_id} is listed as a deliberate error, but ftdata has none"
    else:
        assert errors == [], f"{owner} accepts {case_id}, ftdata reports {errors}"


def test_every_case_has_a_pinned_verdict_for_each_of_its_owners() -> None:
    for owner, pinned in PINNED.items():
        mine = {case.id for case in CASES.values() if owner in case.targets}
        assert set(pinned["cases"]) == mine, f"regenerate: {pinned['regenerate']}"
        assert pinned["requirement"] == OWNERS[owner][0]


def test_the_case_table_covers_both_verdicts_and_the_known_disagreements() -> None:
    for pinned in PINNED.values():
        verdicts = [entry["accepted"] for entry in pinned["cases"].values()]
        assert verdicts.count(True) >= 5 and verdicts.count(False) >= 10
    known = {"top-level-tools", "top-level-parallel-tool-calls", "two-user-turns",
             "two-assistant-turns", "bom", "blank-line-middle", "blank-line-end",
             "image-web-url", "mixed-contents", "weight-float-one", "preference-two-preferred",
             "preference-input-ends-assistant", "developer-role", "content-null-assistant"}
    rejected = {case for case, entry in PINNED["together"]["cases"].items()
                if not entry["accepted"]}
    assert known <= rejected


def test_deliberate_errors_are_few_explained_and_on_accepted_cases() -> None:
    deliberate = [(owner, case.id, reason) for case in CASES.values()
                  for owner, reason in case.ftdata_error.items()]
    corpus = [(owner, name, reason)
              for owner, files in TABLE.get("corpus", {}).get("ftdata_error", {}).items()
              for name, reason in files.items()]
    for owner, name, reason in deliberate:
        assert len(reason) > 40 and reason[:4] in {"C002", "C007"}, name
        assert PINNED[owner]["cases"][name]["accepted"], f"{name}: the owner rejects it anyway"
    for owner, name, reason in corpus:
        assert len(reason) > 40 and PINNED[owner]["corpus"][name]["accepted"], name
    for owner in OWNERS:
        mine = [entry for entry in deliberate + corpus if entry[0] == owner]
        assert len(mine) <= MAX_DELIBERATE, mine


def _corpus_params() -> list[Any]:
    return [pytest.param(owner, name, id=f"{owner}-{name}")
            for owner, pinned in PINNED.items() for name in pinned["corpus"]]


@pytest.mark.parametrize(("owner", "name"), _corpus_params())
def test_corpus_file_agrees_with_the_owner(owner: str, name: str, corpus: Path) -> None:
    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    verdict = PINNED[owner]["corpus"][name]
    report = _validate(path, owner)
    errors = _errors(report)
    if not verdict["accepted"]:
        assert errors, f"{owner} rejects {name} ({verdict['message']}), ftdata has no error"
        flagged = {issue.record for issue in report.issues
                   if issue.severity is Severity.ERROR}
        if None not in flagged:  # an error on the whole file (F009) covers every record
            missed = [record for record in verdict.get("rejected_records", [])
                      if record not in flagged]
            assert missed == [], f"{owner} rejects records {missed} of {name}, ftdata does not"
    elif name in TABLE.get("corpus", {}).get("ftdata_error", {}).get(owner, {}):
        assert errors
    else:
        assert errors == [], f"{owner} accepts {name}, ftdata reports {errors}"


def test_the_table_counts_catches_and_false_errors() -> None:
    from benchmarks.parity import Row, counts, render

    rows = [Row("a", "together", False, "Invalid role", ["C001"]),
            Row("b", "together", False, "Found extra column", []),
            Row("c", "together", True, "Checks passed", ["C002"]),
            Row("d", "together", True, "Checks passed", [])]
    assert counts(rows) == {"rejected": 2, "caught": 1, "accepted": 2, "false_errors": 1}
    table = render({"together": rows})
    assert "caught by ftdata: 1 of 2" in table and "ftdata error: 1 of 2" in table
    assert "| a | reject | Invalid role | C001 | yes |" in table
    assert "| b | reject | Found extra column | - | NO |" in table
    assert "| c | accept | Checks passed | C002 | NO |" in table
    assert "| d | accept | Checks passed | - | yes |" in table


def test_a_deliberate_error_is_marked_and_explained_in_the_table() -> None:
    from benchmarks.parity import Row, render

    row = Row("empty", "together", True, "Checks passed", ["C002"],
              deliberate="C002: an empty reply teaches the model to answer with nothing")
    table = render({"together": [row]})
    assert "| empty | accept | Checks passed | C002 | no (deliberate, below) |" in table
    assert "* empty: C002: an empty reply teaches the model to answer with nothing" in table
