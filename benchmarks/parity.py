"""Parity with the providers' own checkers: ftdata's verdict next to the owner's, case by case.

    python -m benchmarks.parity [--write] [--markdown PARITY.md] [--cache-dir DIR]

Each owner's checker is installed into a virtual environment of its own under the cache folder
(as ``benchmarks.run`` installs Together's):

* ``together``: ``together.utils.check_file`` of together 1.5.35, which checks one file and
  stops at its first problem;
* ``mistral``: mistral-common's request validation in fine-tuning mode. The records are turned
  into mistral-common messages the way mistralai/mistral-finetune does it before training
  (``finetune/data/tokenize.py``, ``build_instruct_sample``: system messages become the one
  system prompt, ``tool_calls`` need ``id`` and string ``arguments``, a tool message needs
  ``tool_call_id``), then checked by ``MistralRequestValidatorV3(ValidationMode.finetuning)``
  (``validate_messages`` and ``_validate_tools``), the validator of the tool-calling
  tokenizer whose rules the ``mistral`` target encodes. A file is rejected when one of its
  records is.

Both run over the case table (``tests/benchmarks/parity/cases.json``, each case one small
file) and over the JSONL files of ``../shared/corpus/``; ftdata validates the same files under
``--target together`` / ``--target mistral``. The script prints the table (case, owner
verdict, ftdata's error codes, agreement); ``--write`` pins the owners' verdicts in
``tests/benchmarks/parity/<owner>-<version>.json``, which ``tests/benchmarks/test_parity.py``
reads offline; ``--markdown`` writes the table and the counts to a Markdown file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.run import child_environment, default_cache_dir, requirement_python

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "tests" / "benchmarks" / "parity"
CASES = PINNED / "cases.json"
CORPUS = ROOT.parent / "shared" / "corpus"
COMMAND = "python -m benchmarks.parity --write --markdown PARITY.md"

#: owner -> (pinned requirement, target)
OWNERS: dict[str, tuple[str, str]] = {
    "together": ("together==1.5.35", "together"),
    "mistral": ("mistral-common==1.13.1", "mistral"),
}

#: Run by the Together environment's interpreter: one verdict per file named on the command line.
_TOGETHER_SCRIPT = """
import json, sys
from together.utils import check_file
verdicts = {}
for path in sys.argv[1:]:
    try:
        report = check_file(path)
        verdicts[path] = {"accepted": bool(report.get("is_check_passed")),
                          "message": str(report.get("message") or "")}
    except Exception as error:  # a crash of the checker rejects the file too
        verdicts[path] = {"accepted": False, "message": f"{type(error).__name__}: {error}"}
print(json.dumps(verdicts))
"""

#: Run by the mistral-common environment's interpreter. The conversion follows
#: mistralai/mistral-finetune finetune/data/tokenize.py (build_instruct_sample,
#: _parse_available_tools, _parse_tool_calls, _parse_tool_message).
_MISTRAL_SCRIPT = """
import json, sys
from mistral_common.protocol.instruct.messages import (
    FinetuningAssistantMessage, Roles, ToolMessage, UserMessage)
from mistral_common.protocol.instruct.tool_calls import Function, FunctionCall, Tool, ToolCall
from mistral_common.protocol.instruct.validator import MistralRequestValidatorV3, ValidationMode

ROLES = [role.value for role in Roles]

def tools_of(tools):
    out = []
    for tool in tools:
        if "function" not in tool:
            raise ValueError("a tool has no 'function' key")
        function = tool["function"]
        for key in ("name", "description", "parameters"):
            if key not in function:
                raise ValueError(f"a function has no {key!r} key")
        if not isinstance(function["parameters"], dict):
            raise ValueError("a function's parameters are not an object")
        out.append(Tool(function=Function(name=function["name"],
                                          description=function["description"],
                                          parameters=function["parameters"])))
    return out

def calls_of(calls):
    for call in calls:
        if "id" not in call or "function" not in call:
            raise ValueError("a tool call has no id or no function")
        function = call["function"]
        if "name" not in function or "arguments" not in function:
            raise ValueError("a tool call function has no name or no arguments")
        if not isinstance(function["arguments"], str):
            raise ValueError("tool call arguments are not a string")
    return [ToolCall(id=call["id"], function=FunctionCall(name=call["function"]["name"],
                                                         arguments=call["function"]["arguments"]))
            for call in calls]

def check(record):
    if not isinstance(record, dict):
        raise ValueError("the record is not an object")
    keys = [key for key in ("messages", "interactions") if key in record]
    if len(keys) != 1:
        raise ValueError("the record needs exactly one of messages, interactions")
    if "tools" in record and "available_tools" in record:
        raise ValueError("both tools and available_tools")
    tools = None
    for key in ("tools", "available_tools"):
        if record.get(key):
            tools = tools_of(record[key])
            break
    system_prompt = record.get("system_prompt")
    messages = []
    for message in record[keys[0]]:
        is_call = message.get("tool_calls") is not None
        if "role" not in message:
            raise ValueError("a message has no role")
        role = message["role"]
        if "content" in message and "text" in message:
            raise ValueError("a message has both text and content")
        content = message.get("content")
        if content is None:
            content = message.get("text")
        if not is_call and content is None:
            raise ValueError(f"a {role} message has no content")
        if role not in ROLES:
            raise ValueError(f"unrecognized role {role!r}")
        if role == "user":
            messages.append(UserMessage(content=content))
        elif role == "assistant":
            calls = calls_of(message["tool_calls"]) if is_call else None
            messages.append(FinetuningAssistantMessage(content=content, tool_calls=calls,
                                                       weight=message.get("weight")))
        elif role == "system":
            if system_prompt is not None:
                raise ValueError("more than one system message")
            system_prompt = content
        else:
            if "tool_call_id" not in message:
                raise ValueError("a tool message has no tool_call_id")
            messages.append(ToolMessage(content=content, tool_call_id=message["tool_call_id"],
                                        name=message.get("name")))
    validator = MistralRequestValidatorV3(ValidationMode.finetuning)
    validator.validate_messages(messages)
    validator._validate_tools(tools or [])

verdicts = {}
for path in sys.argv[1:]:
    rejected = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            try:
                check(json.loads(line))
            except Exception as error:
                rejected.append({"record": number,
                                 "message": f"{type(error).__name__}: {error}"[:300]})
    verdicts[path] = {"accepted": not rejected,
                      "message": rejected[0]["message"] if rejected else "",
                      "rejected_records": [entry["record"] for entry in rejected]}
print(json.dumps(verdicts))
"""

_SCRIPTS = {"together": _TOGETHER_SCRIPT, "mistral": _MISTRAL_SCRIPT}
#: What each owner's verdict is, said in the pinned file.
CHECKERS = {
    "together": "together.utils.check_file(path), one verdict per file",
    "mistral": "MistralRequestValidatorV3(ValidationMode.finetuning).validate_messages and "
               "_validate_tools over the messages mistralai/mistral-finetune builds from each "
               "record (finetune/data/tokenize.py, build_instruct_sample); a file is rejected "
               "when one of its records is",
}


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One small file of the case table, and what ftdata owes each owner on it."""

    id: str
    targets: tuple[str, ...]
    note: str
    data: bytes
    #: owner -> why ftdata reports an error although the owner accepts the file.
    ftdata_error: dict[str, str]
    #: owner -> the pending change of policy this case waits for (the test expects it to fail).
    pending: dict[str, str]


def load_cases(path: Path = CASES) -> list[Case]:
    cases: list[Case] = []
    for entry in json.loads(path.read_text("utf-8"))["cases"]:
        if "raw" in entry:
            data = entry["raw"].encode("utf-8")
        else:
            data = "".join(json.dumps(record, ensure_ascii=False) + "\n"
                           for record in entry["records"]).encode("utf-8")
        cases.append(Case(entry["id"], tuple(entry["targets"]), entry["note"], data,
                          dict(entry.get("ftdata_error", {})), dict(entry.get("pending", {}))))
    return cases


def corpus_files(owner: str, corpus: Path = CORPUS) -> list[Path]:
    """The corpus files an owner's checker reads: every JSONL file for Together (it detects
    the format itself), the chat files (records with ``messages``) for Mistral."""
    if not corpus.is_dir():
        return []
    files = sorted(corpus.glob("*.jsonl"))
    if owner == "mistral":
        files = [path for path in files if _first_record_has(path, "messages")]
    return files


def _first_record_has(path: Path, key: str) -> bool:
    with path.open("rb") as stream:
        try:
            record = json.loads(stream.readline())
        except ValueError:
            return False
    return isinstance(record, dict) and key in record


def ftdata_errors(path: Path, target: str) -> list[str]:
    """The codes of ftdata's error-severity issues on a file under a target (no tokens)."""
    import ftdata
    from ftdata.diagnostics import Severity

    report = ftdata.validate(path, target=target, tokens=False)
    return sorted({issue.code for issue in report.issues if issue.severity is Severity.ERROR})


def ftdata_error_records(path: Path, target: str) -> set[int]:
    """The records (0-based) that carry at least one error-severity issue."""
    import ftdata
    from ftdata.diagnostics import Severity

    report = ftdata.validate(path, target=target, tokens=False)
    return {issue.record for issue in report.issues
            if issue.severity is Severity.ERROR and issue.record is not None}


def pinned_path(owner: str) -> Path:
    requirement = OWNERS[owner][0]
    return PINNED / f"{requirement.replace('==', '-')}.json"


# -- running the owners ------------------------------------------------------------------------


def write_case_files(cases: Iterable[Case], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for case in cases:
        path = folder / f"{case.id}.jsonl"
        path.write_bytes(case.data)
        paths[case.id] = path
    return paths


def owner_verdicts(owner: str, python: Path, paths: Sequence[Path],
                   environment: dict[str, str]) -> dict[str, dict[str, Any]]:
    import subprocess

    result = subprocess.run([str(python), "-c", _SCRIPTS[owner], *map(str, paths)],
                            check=True, capture_output=True, env=environment)
    verdicts: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return verdicts


@dataclass
class Row:
    name: str
    owner: str
    accepted: bool
    message: str
    errors: list[str]
    note: str = ""
    #: Why ftdata errors where the owner accepts (deliberate), or what the case waits for.
    deliberate: str = ""
    pending: str = ""

    @property
    def agrees(self) -> bool:
        return self.accepted != bool(self.errors)

    @property
    def agreement(self) -> str:
        if self.agrees:
            return "yes"
        if self.deliberate:
            return "no (deliberate, below)"
        if self.pending:
            return f"no (waits for the {self.pending} policy)"
        return "NO"


def run(cache: Path, *, write: bool, corpus: Path = CORPUS) -> dict[str, list[Row]]:
    """Every owner's verdict and ftdata's on the cases and the corpus, row by row; with
    ``write``, the owners' verdicts are pinned for the tests."""
    cache.mkdir(parents=True, exist_ok=True)
    environment = child_environment(cache)
    cases = load_cases()
    rows: dict[str, list[Row]] = {}
    for owner, (requirement, _) in OWNERS.items():
        python = requirement_python(cache, requirement, environment)
        if python is None:
            print(f"skipping {owner}: {requirement} could not be installed", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory(prefix=f"parity-{owner}-", dir=cache) as folder:
            rows[owner], pinned = check_owner(owner, python, cases, corpus_files(owner, corpus),
                                              Path(folder), environment)
        if write:
            pinned_path(owner).write_text(json.dumps(pinned, indent=1, ensure_ascii=False)
                                          + "\n", "utf-8")
            print(f"wrote {pinned_path(owner).relative_to(ROOT)}", file=sys.stderr)
    return rows


def check_owner(owner: str, python: Path, cases: Sequence[Case], corpus: Sequence[Path],
                folder: Path, environment: dict[str, str]
                ) -> tuple[list[Row], dict[str, Any]]:
    """One owner's rows, and its verdicts as pinned for the tests."""
    requirement, target = OWNERS[owner]
    exceptions: dict[str, str] = json.loads(CASES.read_text("utf-8")).get(
        "corpus", {}).get("ftdata_error", {}).get(owner, {})
    mine = [case for case in cases if owner in case.targets]
    paths = write_case_files(mine, folder)
    verdicts = owner_verdicts(owner, python, [*paths.values(), *corpus], environment)
    pinned: dict[str, Any] = {
        "owner": owner, "requirement": requirement, "checker": CHECKERS[owner],
        "target": target, "regenerate": COMMAND, "cases": {}, "corpus": {}}
    rows: list[Row] = []
    for case in mine:
        verdict = verdicts[str(paths[case.id])]
        pinned["cases"][case.id] = {"accepted": verdict["accepted"],
                                    "message": verdict["message"]}
        rows.append(Row(case.id, owner, verdict["accepted"], verdict["message"],
                        ftdata_errors(paths[case.id], target), case.note,
                        case.ftdata_error.get(owner, ""), case.pending.get(owner, "")))
    for path in corpus:
        verdict = verdicts[str(path)]
        entry = {"accepted": verdict["accepted"], "message": verdict["message"]}
        if "rejected_records" in verdict:
            entry["rejected_records"] = verdict["rejected_records"]
        pinned["corpus"][path.name] = entry
        rows.append(Row(f"corpus/{path.name}", owner, verdict["accepted"], verdict["message"],
                        ftdata_errors(path, target), deliberate=exceptions.get(path.name, "")))
    return rows, pinned


# -- the table ---------------------------------------------------------------------------------


def counts(rows: Sequence[Row]) -> dict[str, int]:
    rejected = [row for row in rows if not row.accepted]
    accepted = [row for row in rows if row.accepted]
    return {"rejected": len(rejected), "caught": sum(bool(row.errors) for row in rejected),
            "accepted": len(accepted), "false_errors": sum(bool(row.errors) for row in accepted)}


def _cell(text: str, width: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[:width - 3] + "..."


def render(rows: dict[str, list[Row]]) -> str:
    lines = ["# Parity with the providers' checkers", "",
             "ftdata's verdict next to the owner's own check, case by case "
             "(`benchmarks/parity.py`). Regenerate with:", "", f"    {COMMAND}", "",
             "Owner verdict: accept or reject, with the owner's message. ftdata: the error codes"
             " under the owner's target. Agreement: the owner rejects and ftdata reports an error,"
             " or the owner accepts and ftdata reports none (the case table lists the few"
             " deliberate exceptions, with the reason).", ""]
    for owner, owner_rows in rows.items():
        requirement = OWNERS[owner][0]
        summary = counts(owner_rows)
        lines += [f"## {owner} ({requirement}, `--target {OWNERS[owner][1]}`)", "",
                  f"The owner's verdict: {CHECKERS[owner]}. Cases: "
                  "`tests/benchmarks/parity/cases.json`; `corpus/` rows: the JSONL files of "
                  "`../shared/corpus`.", "",
                  f"Owner-rejected files caught by ftdata: {summary['caught']} of "
                  f"{summary['rejected']}. Owner-accepted files with an ftdata error: "
                  f"{summary['false_errors']} of {summary['accepted']}.", "",
                  "| case | owner | owner's message | ftdata errors | agree |",
                  "|---|---|---|---|---|"]
        for row in owner_rows:
            lines.append(f"| {row.name} | {'accept' if row.accepted else 'reject'} | "
                         f"{_cell(row.message) or '-'} | {', '.join(row.errors) or '-'} | "
                         f"{row.agreement} |")
        lines.append("")
        deliberate = [row for row in owner_rows if row.deliberate and not row.agrees]
        if deliberate:
            lines += ["Deliberate errors where the owner accepts:", ""]
            lines += [f"* {row.name}: {row.deliberate}" for row in deliberate]
            lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.parity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true",
                        help="pin the owners' verdicts in tests/benchmarks/parity/")
    parser.add_argument("--markdown", type=Path, help="write the table to this Markdown file")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the checkers' environments live (default: the benchmark's)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="the folder of real files (default: ../shared/corpus)")
    args = parser.parse_args(argv)
    rows = run(args.cache_dir or default_cache_dir(), write=args.write, corpus=args.corpus)
    table = render(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
