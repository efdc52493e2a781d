"""Dask: a dataset split into partitions gets the same verdict on a cluster as on one machine.

The cluster is a real ``dask.distributed.LocalCluster`` with two worker processes. The
reference is computed with the single-machine engine: every partition validated as one file
(per-file checks), plus one run over the concatenated partitions for what spans them
(duplicates, conflicting answers, statistics).
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.diagnostics import Issue, Severity
from ftdata.engine import ValidateOptions, validate_path
from ftdata.readers import InputError
from ftdata.report import Report
from tests.conftest import CORPUS, SAMPLES

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
db = pytest.importorskip("dask.bag")

from ftdata.integrations.dask import DatasetReport, validate_partitions  # noqa: E402

DATASET_CODES = ("D001", "D002", "D003")


# -- the cluster and the network guard ---------------------------------------------------------


def _loopback(address: Any) -> bool:
    if not (isinstance(address, tuple) and address):
        return isinstance(address, (str, bytes))  # a unix socket path
    host = address[0]
    if host in ("localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host if isinstance(host, str) else host.decode()
                                    ).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The package's guard, loosened to the loopback interface the local cluster talks on."""
    attempts: list[Any] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    getaddrinfo = socket.getaddrinfo

    def guarded(original: Any) -> Any:
        def call(self: socket.socket, address: Any) -> Any:
            if not _loopback(address):
                attempts.append(address)
                raise AssertionError(f"network access attempted: {address!r}")
            return original(self, address)
        return call

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback((host,)):
            attempts.append(host)
            raise AssertionError(f"name resolution attempted: {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield attempts
    assert not attempts, f"network access attempted: {attempts!r}"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0", host="127.0.0.1")
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# -- data ----------------------------------------------------------------------------------------


def chat(question: str, answer: str, system: str | None = "You are terse.") -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages}


def line(record: Any) -> str:
    return record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)


#: Three partitions: copies within one and across two, a prompt answered differently in two
#: partitions and within one, broken records, a blank line, a partition without system prompts.
PARTITIONS: list[list[Any]] = [
    [chat("What is 2+2?", "4"), chat("Capital of France?", "Paris"),
     chat("Refund window?", "14 days"), {"messages": 3}, chat("What is 2+2?", "4"),
     chat("Hi", "Hello!"), '{"messages": [', chat("Say hi", "hi")],
    [chat("Capital of France?", "Paris"), chat("Refund window?", "30 days"), "",
     chat("Caf\u00e9 or tea?", "Tea."), chat("Capital of France?", "Paris"),
     chat("Refund window?", "30 days"), chat("Refund window?", "no refunds"),
     {"messages": [{"role": "user", "content": "no answer"}]}],
    [chat("Cafe\u0301 or tea?", "Tea.", None), chat("What is 2+2?", "four", None),
     chat("Hi", "Hello!", None), chat("New question", "New answer", None),
     chat("Another", "One", None), chat("Say hi", "hi", None), chat("Hi", "Hey there")],
]


def write_partitions(folder: Path, partitions: Sequence[Sequence[Any]],
                     suffix: str = ".jsonl") -> list[Path]:
    paths = []
    for index, records in enumerate(partitions):
        path = folder / f"part-{index:04d}{suffix}"
        path.write_text("".join(line(record) + "\n" for record in records), encoding="utf-8")
        paths.append(path)
    return paths


# -- the single-machine reference ----------------------------------------------------------------


def one_machine(paths: Sequence[Path], names: Sequence[str], folder: Path,
                options: ValidateOptions) -> tuple[list[list[Issue]], list[int], Report]:
    """Each partition's issues and valid records, and the run over the concatenation."""
    per_file = [validate_path(path, replace(options, count_limits=False,
                                            ignore=(*options.ignore, *DATASET_CODES, "Q007")))
                for path in paths]
    whole = folder / "concatenated.jsonl"
    # A byte-order mark belongs to its file (F005 there), not to the middle of the dataset.
    whole.write_bytes(b"".join(path.read_bytes().removeprefix(b"\xef\xbb\xbf")
                               for path in paths))
    concatenated = validate_path(whole, replace(options, count_limits=False))
    # Where each partition starts in the concatenation.
    line_starts, record_starts = [], []
    lines = records = 0
    for path, report in zip(paths, per_file, strict=True):
        line_starts.append(lines)
        record_starts.append(records)
        lines += path.read_bytes().count(b"\n")
        records += report.records

    def locate(global_line: int) -> tuple[int, int]:
        index = max(i for i, start in enumerate(line_starts) if start < global_line)
        return index, global_line - line_starts[index]

    def in_first(match: re.Match[str]) -> str:
        partition, local = locate(int(match.group(1)))
        return f"line {local}" if partition == 0 else f"{names[partition]}:{local}"

    expected = [list(report.issues) for report in per_file]
    for issue in concatenated.issues:
        if issue.code == "Q007":  # judged over the dataset, reported on its first partition
            expected[0].append(replace(issue, message=re.sub(r"line (\d+)", in_first,
                                                             issue.message)))
            continue
        if issue.code not in DATASET_CODES:
            continue
        assert issue.line is not None and issue.record is not None
        partition, local = locate(issue.line)
        match = re.search(r"line (\d+)", issue.message)
        assert match is not None
        first_partition, first_line = locate(int(match.group(1)))
        where = (f"line {first_line}" if first_partition == partition
                 else f"{names[first_partition]}:{first_line}")
        expected[partition].append(replace(
            issue, line=local, record=issue.record - record_starts[partition],
            message=issue.message.replace(match.group(0), where)))
    rank = {"D001": 1, "D003": 1, "D002": 2}
    expected = [sorted(issues, key=lambda i: (i.line is not None, i.line or 0,
                                              rank.get(i.code, 0)))
                for issues in expected]
    valid = [report.records - len({i.record for i in issues if i.severity is Severity.ERROR
                                   and i.record is not None}) if report.format else 0
             for report, issues in zip(per_file, expected, strict=True)]
    return expected, valid, concatenated


def assert_same_verdict(run: DatasetReport, paths: Sequence[Path], names: Sequence[str],
                        folder: Path, options: ValidateOptions) -> Report:
    issues, valid, concatenated = one_machine(paths, names, folder, options)
    assert [report.path for report in run.files] == list(names)
    for report, expected, valid_records in zip(run.files, issues, valid, strict=True):
        assert [i.to_dict() for i in report.issues] == [i.to_dict() for i in expected]
        assert report.valid_records == valid_records
    assert run.records == concatenated.records
    for key, value in concatenated.stats.items():
        assert run.stats[key] == value, key
    assert run.accumulator is not None and concatenated.accumulator is not None
    assert run.accumulator.tokens.counts == concatenated.accumulator.tokens.counts
    return concatenated


# -- tests ---------------------------------------------------------------------------------------


def test_a_glob_of_files_gets_the_verdict_of_one_machine(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    names = [str(path) for path in paths]
    options = ValidateOptions(model="gpt-4o-mini")

    run = validate_partitions(str(tmp_path / "part-*.jsonl"), client=client,
                              model="gpt-4o-mini")

    assert_same_verdict(run, paths, names, tmp_path, options)
    second = {(i.code, i.line): i.message for i in run.files[1].issues}
    # A copy whose first sits in another partition names that partition and its line.
    assert second[("D001", 1)] == f"duplicate of {names[0]}:2"
    assert second[("D001", 5)] == f"duplicate of {names[0]}:2"
    # A prompt answered one way in partition 0 and another in partition 1.
    assert second[("D003", 2)] == f"same prompt as {names[0]}:3 with a different answer"
    assert second[("D003", 7)] == f"same prompt as {names[0]}:3 with a different answer"
    assert ("D003", 6) not in second  # the same conflicting answer again is a D001
    assert second[("D001", 6)] == "duplicate of line 2"
    third = {(i.code, i.line): i.message for i in run.files[2].issues}
    assert third[("D003", 7)] == f"same prompt as {names[0]}:6 with a different answer"
    # Without the system prompt it is another prompt, another example.
    assert ("D001", 3) not in third and ("D003", 2) not in third
    assert run.stats["tokens"]["per_example"]["p50"] > 0
    assert run.stats["cost"] is not None and run.stats["billed_tokens"] > 0


def test_severity_overrides_and_selection_hold_across_partitions(client: Any,
                                                                tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    options = ValidateOptions(severity={"D001": Severity.ERROR}, ignore=("Q",),
                              count_tokens=False)

    run = validate_partitions([str(path) for path in paths], client=client,
                              severity={"D001": Severity.ERROR}, ignore="Q",
                              count_tokens=False)

    assert_same_verdict(run, paths, [str(path) for path in paths], tmp_path, options)
    assert run.files[1].valid_records < run.files[1].records - 1
    assert not run.ok


def test_unknown_keys_take_the_targets_severity_across_partitions(client: Any,
                                                                  tmp_path: Path) -> None:
    alpaca = [{"instruction": f"Name colour {n}.", "output": f"Colour {n}.", "text": "rendered"}
              for n in range(6)]
    paths = write_partitions(tmp_path, [alpaca[:3], alpaca[3:]])
    options = ValidateOptions(target="llamafactory", count_tokens=False)

    run = validate_partitions([str(path) for path in paths], client=client,
                              target="llamafactory", count_tokens=False)

    assert_same_verdict(run, paths, [str(path) for path in paths], tmp_path, options)
    unknown = [i for report in run.files for i in report.issues if i.code == "S002"]
    assert len(unknown) == 6 and {i.severity for i in unknown} == {Severity.INFO}
    assert run.ok


def test_fsspec_file_urls_name_their_partitions_by_url(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    urls = [f"file://{path}" for path in paths]

    run = validate_partitions(f"file://{tmp_path}/part-*.jsonl", client=client,
                              count_tokens=False)

    assert_same_verdict(run, paths, urls, tmp_path, ValidateOptions(count_tokens=False))


def test_memory_urls_are_read_through_fsspec(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    paths = write_partitions(tmp_path, PARTITIONS)
    memory = fsspec.filesystem("memory")
    urls = []
    for path in paths:
        url = f"memory://ftdata-test/{path.name}"
        memory.pipe(url, path.read_bytes())
        urls.append(memory.unstrip_protocol(memory._strip_protocol(url)))
    try:
        # The memory filesystem lives in this process: its readers run on threads here.
        with dask.config.set(scheduler="threads"):
            run = validate_partitions("memory://ftdata-test/part-*.jsonl", count_tokens=False)
    finally:
        memory.rm("memory://ftdata-test", recursive=True)
    assert_same_verdict(run, paths, urls, tmp_path, ValidateOptions(count_tokens=False))


def test_a_bag_of_records_gets_the_verdict_of_one_machine(client: Any, tmp_path: Path) -> None:
    records = [record for partition in PARTITIONS for record in partition if record != ""]
    bag = db.from_sequence(records, partition_size=7)
    parts = [list(part) for part in dask.compute(*bag.to_delayed(), scheduler="sync")]
    assert len(parts) >= 3
    paths = write_partitions(tmp_path, parts)
    names = [f"records/part-{index:05d}" for index in range(len(parts))]

    run = validate_partitions(bag, client=client, name="records", model="gpt-4o-mini")

    assert_same_verdict(run, paths, names, tmp_path, ValidateOptions(model="gpt-4o-mini"))
    assert any(i.code == "D001" and i.message.startswith("duplicate of records/part-00000:")
               for i in run.files[1].issues)


def test_a_dataframe_column_gets_the_verdict_of_one_machine(client: Any,
                                                            tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    records = [line(record) for partition in PARTITIONS for record in partition
               if record != ""]
    frame = pd.DataFrame({"id": range(len(records)), "record": records})
    ddf = dd.from_pandas(frame, npartitions=2, sort=False)
    parts = [part.compute()["record"].tolist() for part in ddf.partitions]
    paths = write_partitions(tmp_path, parts)
    names = [f"<dataframe>/part-{index:05d}" for index in range(len(parts))]

    run = validate_partitions(ddf, client=client, column="record", count_tokens=False)

    assert_same_verdict(run, paths, names, tmp_path, ValidateOptions(count_tokens=False))
    with pytest.raises(ValueError, match="several columns"):
        validate_partitions(ddf, client=client)


def test_a_dataframe_column_of_dicts_gets_the_verdict_of_its_json(client: Any,
                                                                   tmp_path: Path) -> None:
    # ftdata.to_pandas gives a column of dicts; dask.dataframe turns object columns into
    # strings (dataframe.convert-string), so the workers see the dicts' Python repr.
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    path = SAMPLES / "openai-chat" / "clean.jsonl"
    frame = ftdata.to_pandas(path)
    assert isinstance(frame["record"][0], dict)
    as_text = pd.DataFrame({"record": [json.dumps(r) for r in frame["record"]]})
    for records in (frame[["line", "record"]], as_text):
        ddf = dd.from_pandas(records, npartitions=2, sort=False)
        run = validate_partitions(ddf, client=client, column="record", count_tokens=False)
        found = [i for report in run.files for i in report.issues]
        assert not [i for i in found if i.code.startswith("F")], found
        assert run.records == len(frame) and run.ok
    # A string that is neither JSON nor a dict's repr stays F002, on its own row.
    broken = pd.DataFrame({"record": [json.dumps(frame["record"][0]), "{'messages': [oops"]})
    run = validate_partitions(dd.from_pandas(broken, npartitions=1), client=client,
                              column="record", count_tokens=False)
    assert [(i.code, i.line) for i in run.files[0].issues if i.code.startswith("F0")] == [
        ("F002", 2)]


def test_a_bag_of_etl_values_is_coerced_as_validate_records_does(client: Any) -> None:
    from decimal import Decimal

    np = pytest.importorskip("numpy")
    records = [{"messages": [{"role": "user", "content": f"Q{n}"},
                             {"role": "assistant", "content": np.str_(f"A{n}"),
                              "weight": Decimal(1) if n % 2 else np.int64(1)}]}
               for n in range(6)]
    run = validate_partitions(db.from_sequence(records, npartitions=2), client=client,
                              format="openai-chat", count_tokens=False)
    assert run.records == 6 and run.ok
    assert [i for report in run.files for i in report.issues] == []


def test_system_prompts_are_judged_over_the_whole_dataset(client: Any, tmp_path: Path) -> None:
    # Each partition alone is consistent (the last has almost no system prompts, which is
    # fine for a file on its own); the dataset is not.
    paths = write_partitions(tmp_path, [
        [chat("A?", "a"), chat("B?", "b"), chat("C?", "c")],
        [chat("D?", "d"), chat("E?", "e", "You are verbose.")],
        [chat("F?", "f", None), chat("G?", "g", None), chat("H?", "h", "You are terse.")],
    ])
    run = validate_partitions([str(path) for path in paths], client=client, count_tokens=False)
    found = [(i, report.path) for report in run.files for i in report.issues
             if i.code == "Q007"]
    assert [(issue.message, path) for issue, path in found] == [(
        f"5 of 8 examples use the system prompt of line 1; 1 uses 1 other prompt (first at "
        f"{paths[1]}:2); 2 have none (first at {paths[2]}:1)", str(paths[0]))]
    # One partition: the same finding as one file.
    whole = tmp_path / "whole.jsonl"
    whole.write_bytes(b"".join(path.read_bytes() for path in paths))
    single = validate_partitions(str(whole), client=client, count_tokens=False)
    assert ([i.to_dict() for i in single.files[0].issues if i.code == "Q007"]
            == [i.to_dict() for i in validate_path(whole, ValidateOptions(count_tokens=False))
                .issues if i.code == "Q007"])


def test_count_limits_apply_to_the_whole_dataset(client: Any, tmp_path: Path) -> None:
    # openai needs 10 examples: each partition has fewer, the dataset has more.
    paths = write_partitions(tmp_path, PARTITIONS)
    run = validate_partitions([str(p) for p in paths], client=client, target="openai",
                              count_tokens=False)
    assert not [i for r in run.files for i in r.issues if i.code in ("F007", "F010")]
    assert validate_path(paths[2], ValidateOptions(target="openai", count_tokens=False)
                         ).issues[0].code == "F007"

    (tmp_path / "small").mkdir()
    small = write_partitions(tmp_path / "small", [[chat("a", "b")], [chat("c", "d")]])
    run = validate_partitions([str(p) for p in small], client=client, target="openai",
                              count_tokens=False)
    limits = [(index, i.message) for index, r in enumerate(run.files) for i in r.issues
              if i.code == "F007"]
    assert limits == [(0, "the dataset has 2 examples in 2 partitions; openai needs at least "
                          "10")]
    assert not run.ok


def test_real_files_split_into_partitions(client: Any, tmp_path: Path) -> None:
    source = CORPUS / "openai_chat_tools__cookbook_drone.jsonl"
    if not source.is_file():
        pytest.skip("../shared/corpus is not present")
    lines = source.read_text(encoding="utf-8").splitlines()
    third = len(lines) // 3 + 1
    # Partition 2 repeats a slice of partition 0: copies across partitions in real data.
    parts = [lines[:third], lines[third:2 * third], lines[2 * third:] + lines[5:25]]
    paths = write_partitions(tmp_path, parts)
    options = ValidateOptions(model="gpt-4o-mini")

    run = validate_partitions([str(path) for path in paths], client=client,
                              model="gpt-4o-mini")

    assert_same_verdict(run, paths, [str(path) for path in paths], tmp_path, options)
    copies = [i for i in run.files[2].issues if i.code == "D001"]
    assert len(copies) >= 20


def test_samples_as_partitions(client: Any, tmp_path: Path) -> None:
    paths = [SAMPLES / "openai-chat" / "broken.jsonl", SAMPLES / "openai-chat" / "clean.jsonl",
             SAMPLES / "openai-chat" / "broken.jsonl"]
    run = validate_partitions([str(path) for path in paths], client=client,
                              count_tokens=False)
    assert_same_verdict(run, paths, [str(path) for path in paths], tmp_path,
                        ValidateOptions(count_tokens=False))
    # The third partition repeats the first: each of its usable examples is a copy.
    assert any(i.code == "D001" and str(paths[0]) in i.message for i in run.files[2].issues)


def test_to_dict_is_the_json_report_with_dataset_totals(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    run = validate_partitions([str(p) for p in paths], client=client, count_tokens=False)
    document = run.to_dict()
    assert [entry["path"] for entry in document["files"]] == [str(p) for p in paths]
    assert document["files"][1]["summary"] == run.files[1].summary
    assert document["dataset"]["records"] == sum(len(p) - (1 if "" in p else 0)
                                                 for p in PARTITIONS)
    assert document["dataset"]["partitions"] == 3
    assert document["dataset"]["stats"]["examples"] == run.accumulator.examples  # type: ignore[union-attr]


def test_bad_sources_are_clear_errors(client: Any, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file matches"):
        validate_partitions(str(tmp_path / "nothing-*.jsonl"), client=client)
    with pytest.raises(InputError, match="no such file"):
        validate_partitions([str(tmp_path / "missing.jsonl")], client=client)
    with pytest.raises(InputError, match="no partition files given"):
        validate_partitions([], client=client)
    with pytest.raises(TypeError, match="cannot validate a int"):
        validate_partitions(3, client=client)
    with pytest.raises(ValueError, match="unknown validate option"):
        validate_partitions([str(tmp_path / "x.jsonl")], client=client, colour="red")


def test_the_cli_runs_on_a_scheduler_address(client: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ftdata.cli import cli

    paths = write_partitions(tmp_path, PARTITIONS)
    address = client.scheduler.address
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "part-*.jsonl"), "--engine",
                                      "dask", "--scheduler", address, "--no-tokens",
                                      "--isolated", "--output-format", "json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    run = validate_partitions(str(tmp_path / "part-*.jsonl"), client=client,
                              count_tokens=False)
    assert document["files"] == [report.to_dict() for report in run.files]

    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "none-*.jsonl"), "--engine",
                                      "dask", "--scheduler", address, "--isolated"])
    assert result.exit_code == 2
    assert "no file matches" in result.stderr
    result = CliRunner().invoke(cli, ["validate", str(paths[0]), "--scheduler", address,
                                      "--isolated"])
    assert result.exit_code == 2
    assert "--scheduler needs --engine dask" in result.stderr


#: A validation file: copies of training examples (first seen in partitions 0 and 2), a copy
#: of its own, a new example and a broken record.
VALIDATION: list[Any] = [
    chat("Capital of France?", "Paris"), chat("New question", "New answer", None),
    chat("Brand new", "Yes"), chat("Capital of France?", "Paris"), '{"messages": [',
    chat("Hi", "Hello!"),
]


def test_a_validation_file_gets_the_verdict_of_one_machine(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    validation = tmp_path / "valid.jsonl"
    validation.write_text("".join(line(record) + "\n" for record in VALIDATION), "utf-8")
    options = ValidateOptions(count_tokens=False)
    run = validate_partitions([str(path) for path in paths], client=client,
                              validation_file=validation, count_tokens=False)
    # One machine: the partitions as training files, then the validation file against them.
    training = [validate_path(path, options) for path in paths]
    expected = validate_path(validation, options, training=training)
    assert run.validation is not None
    assert run.validation.to_dict() == expected.to_dict()
    leaks = [(i.line, i.message) for i in run.validation.issues if i.code == "D004"]
    assert leaks == [(1, f"also in the training file ({paths[0]}:2)"),
                     (2, f"also in the training file ({paths[2]}:4)"),
                     (4, f"also in the training file ({paths[0]}:2)"),
                     (6, f"also in the training file ({paths[0]}:6)")]
    assert not run.ok
    assert run.to_dict()["files"][-1] == expected.to_dict()
    # D004 switched off: nothing is looked for, and the file is still checked.
    quiet = validate_partitions([str(path) for path in paths], client=client,
                                validation_file=validation, count_tokens=False,
                                ignore=("D004",))
    assert quiet.validation is not None
    assert [i.code for i in quiet.validation.issues if i.code == "D004"] == []
    assert quiet.validation.records == len(VALIDATION)


def test_d004_holds_with_the_other_duplicate_rules_off(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    validation = tmp_path / "valid.jsonl"
    validation.write_text("".join(line(record) + "\n" for record in VALIDATION), "utf-8")
    run = validate_partitions([str(path) for path in paths], client=client,
                              validation_file=validation, count_tokens=False,
                              ignore=("D001", "D002", "D003"))
    assert run.validation is not None
    assert [i.line for i in run.validation.issues if i.code == "D004"] == [1, 2, 4, 6]
    assert not any(i.code == "D001" for report in run.files for i in report.issues)


def test_the_validation_file_has_options_of_its_own(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    validation = tmp_path / "valid.jsonl"
    validation.write_text("".join(line(record) + "\n" for record in VALIDATION), "utf-8")
    run = validate_partitions([str(path) for path in paths], client=client,
                              validation_file=validation, count_tokens=False,
                              validation_options={"count_tokens": False,
                                                  "ignore": ("D004", "D001")})
    assert run.validation is not None
    codes = {i.code for i in run.validation.issues}
    assert "D004" not in codes and "D001" not in codes and "F002" in codes
    # The partitions keep their own options.
    assert any(i.code == "D001" for report in run.files for i in report.issues)


def test_the_cli_checks_a_validation_file_with_dask(client: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ftdata.cli import cli

    paths = write_partitions(tmp_path, PARTITIONS)
    validation = tmp_path / "valid.jsonl"
    validation.write_text("".join(line(record) + "\n" for record in VALIDATION), "utf-8")
    result = CliRunner().invoke(cli, ["validate", *map(str, paths), "--engine", "dask",
                                      "--scheduler", client.scheduler.address, "--no-tokens",
                                      "--isolated", "--validation-file", str(validation),
                                      "--output-format", "json"])
    assert result.exit_code == 1, result.output
    files = json.loads(result.stdout)["files"]
    assert [entry["path"] for entry in files] == [*map(str, paths), str(validation)]
    assert sum(issue["code"] == "D004" for issue in files[-1]["issues"]) == 4
    # Configuration for the validation file's own path applies to it, as with one machine.
    (tmp_path / "ftdata.toml").write_text(
        f'[per-file-ignores]\n"{validation.name}" = ["D004"]\n', "utf-8")
    result = CliRunner().invoke(cli, ["validate", *map(str, paths), "--engine", "dask",
                                      "--scheduler", client.scheduler.address, "--no-tokens",
                                      "--config", str(tmp_path / "ftdata.toml"),
                                      "--validation-file", str(validation),
                                      "--output-format", "json"])
    files = json.loads(result.stdout)["files"]
    assert not any(issue["code"] == "D004" for issue in files[-1]["issues"])
    assert any(issue["code"] == "D001" for entry in files[:-1] for issue in entry["issues"])
    # Near copies of training examples are not looked for on a cluster: the command says so.
    result = CliRunner().invoke(cli, ["validate", *map(str, paths), "--engine", "dask",
                                      "--scheduler", client.scheduler.address, "--no-tokens",
                                      "--isolated", "--validation-file", str(validation),
                                      "--near-duplicates", "--quiet"])
    assert "near copies need --engine local" in result.stderr


def test_the_cli_starts_a_local_cluster_without_an_address(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ftdata.cli import cli

    write_partitions(tmp_path, PARTITIONS)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "part-*.jsonl"), "--engine",
                                      "dask", "--no-tokens", "--isolated"])
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'part-0001.jsonl'}:1: D001 [warning] duplicate of " \
           f"{tmp_path / 'part-0000.jsonl'}:2" in result.stdout


STORY = ("Our refund policy allows returns within thirty days of delivery when the item is "
         "unused and in its original packaging, and refunds reach the original card within "
         "five business days after the warehouse inspects the parcel")


def test_near_duplicates_are_found_across_partitions(client: Any, tmp_path: Path) -> None:
    pytest.importorskip("datasketch")
    partitions = [
        [chat("Refunds?", STORY), chat("Other", "Something else entirely, unrelated.")],
        [chat("Refunds?", STORY.replace("thirty", "30")), chat("Refunds?", STORY),
         chat("Refund policy?", STORY.replace("five", "ten"))],
        [chat("Refunds?", STORY.replace("unused", "not used")), chat("x", "y")],
    ]
    paths = write_partitions(tmp_path, partitions)
    names = [str(path) for path in paths]
    options = ValidateOptions(near_duplicates=True, count_tokens=False)

    run = validate_partitions(names, client=client, near_duplicates=True, count_tokens=False)

    assert_same_verdict(run, paths, names, tmp_path, options)
    near = [(index, i.line, i.message) for index, r in enumerate(run.files) for i in r.issues
            if i.code == "D002"]
    assert (1, 1) in {(index, line) for index, line, _ in near}
    assert all(f"near duplicate of {names[0]}:1 " in message for _, _, message in near)
    assert any(i.code == "D001" and i.line == 2 for i in run.files[1].issues)


def test_the_trainer_view_gets_the_verdict_of_one_machine(client: Any, tmp_path: Path) -> None:
    paths = write_partitions(tmp_path, PARTITIONS)
    options = ValidateOptions(count_tokens=False, trainer="axolotl", template="qwen3",
                              max_length=24)

    run = validate_partitions([str(path) for path in paths], client=client,
                              count_tokens=False, trainer="axolotl", template="qwen3",
                              max_length=24)

    concatenated = assert_same_verdict(run, paths, [str(path) for path in paths], tmp_path,
                                       options)
    assert run.stats["trainer"] == concatenated.stats["trainer"]
    assert run.stats["trainer"]["rendered_tokens"]["max"] > 0
    assert any(issue.code.startswith("T") for report in run.files for issue in report.issues)
