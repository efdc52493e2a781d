"""Tables: CSV, TSV, XLSX and Parquet, one row per example or one row per chat turn."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ftdata.readers import InputError
from ftdata.sources import SourceError
from ftdata.sources.tables import HEADER_SYNONYMS, normal_name, order_key
from tests.conftest import CORPUS
from tests.sources import FIXTURES, read

pytest.importorskip("pandas")

FAQ = FIXTURES / "faq.csv"
SUPPORT = FIXTURES / "support_chat.csv"

FAQ_ITEMS: list[tuple[int | None, Any]] = [
    (1, ("completion", [("user", "How do I reset my password?"),
                        ("assistant", "Open Settings, then Security.")])),
    (2, ("completion", [("user", "Do you ship to Zürich?"), ("assistant", "Yes: 3–5 days 🚚")])),
    (3, ("skip", "empty answer")),
    (5, ("completion", [("user", "Can I pay by invoice?"),
                        ("assistant", "Yes.\r\nAsk support for the form.")])),
    (6, ("completion", [("user", "NA"), ("assistant", "null")])),
]
FAQ_ROWS: list[list[Any]] = [
    ["Question", "Answer"],
    ["How do I reset my password?", "Open Settings, then Security."],
    ["Do you ship to Zürich?", "Yes: 3–5 days 🚚"],
    ["What is your refund policy?", None],
    [None, None],
    ["Can I pay by invoice?", "Yes.\r\nAsk support for the form."],
    ["NA", "null"],
]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_parquet(path: Path, columns: dict[str, list[Any]]) -> Path:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    parquet.write_table(pyarrow.table(columns), path)
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# -- one row per example ----------------------------------------------------------------------


def test_csv_rows_keep_every_cell_byte_for_byte() -> None:
    """Row numbers skip the header; a blank row counts but is no record; NA stays NA."""
    assert read(FAQ, "csv") == FAQ_ITEMS


def test_xlsx_reads_like_the_same_csv(tmp_path: Path) -> None:
    # XML stores a line break as LF: a CR in a cell does not survive an XLSX round trip.
    rows = [[cell.replace("\r\n", "\n") if isinstance(cell, str) else cell for cell in row]
            for row in FAQ_ROWS]
    expected = [(location, ("completion", [(role, text.replace("\r\n", "\n"))
                                           for role, text in item[1]]))
                if item[0] == "completion" else (location, item)
                for location, item in FAQ_ITEMS]
    assert read(write_xlsx(tmp_path / "faq.xlsx", rows), "xlsx") == expected


def test_parquet_reads_like_the_same_csv(tmp_path: Path) -> None:
    rows = [row for row in FAQ_ROWS[1:] if row != [None, None]]
    path = write_parquet(tmp_path / "faq.parquet", {"question": [r[0] for r in rows],
                                                   "answer": [r[1] for r in rows]})
    expected = [(1, FAQ_ITEMS[0][1]), (2, FAQ_ITEMS[1][1]), (3, FAQ_ITEMS[2][1]),
                (4, FAQ_ITEMS[3][1]), (5, FAQ_ITEMS[4][1])]
    assert read(path, "parquet") == expected


def test_xlsx_numbers_and_times_are_written_out(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", [["prompt", "completion"], ["6*7", 42],
                                            ["pi", 3.25], ["when", dt.datetime(2024, 5, 1, 10)]])
    assert [item[1][-1][1] for _, item in read(path, "xlsx")] == ["42", "3.25",
                                                              "2024-05-01T10:00:00"]


def test_tsv_semicolon_csv_and_gzip(tmp_path: Path) -> None:
    tsv = write_text(tmp_path / "qa.tsv", "prompt\tcompletion\nHi, you\tHello; there\n")
    semicolon = write_text(tmp_path / "qa.csv", "Frage;Antwort\nWie?;So, genau.\n")
    packed = tmp_path / "faq.csv.gz"
    packed.write_bytes(gzip.compress(FAQ.read_bytes()))
    assert read(tsv, "tsv") == [(1, ("completion", [("user", "Hi, you"),
                                                     ("assistant", "Hello; there")]))]
    assert read(semicolon, "csv", mapping={"Frage": "prompt", "Antwort": "completion"}) == [
        (1, ("completion", [("user", "Wie?"), ("assistant", "So, genau.")]))]
    assert read(packed, "csv") == FAQ_ITEMS


def test_headers_are_recognised_case_insensitively(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", "System Prompt,INSTRUCTION,Input,Output\n"
                                          "Be brief.,Translate,Hallo,Hello\n"
                                          ",Say hi,,Hi\n")
    assert read(path, "csv") == [
        (1, ("chat", [("system", "Be brief."), ("user", "Translate\nHallo"),
                      ("assistant", "Hello")])),
        (2, ("completion", [("user", "Say hi"), ("assistant", "Hi")]))]


def test_synonym_table_is_data_and_normalised() -> None:
    assert normal_name(" Conversation-ID ") == "conversation_id"
    every = [name for names in HEADER_SYNONYMS.values() for name in names]
    assert len(every) == len(set(every))
    assert all(normal_name(name) == name for name in every)


def test_header_less_two_column_table_is_question_answer(tmp_path: Path) -> None:
    path = write_text(tmp_path / "faq.csv", 'What is it?," A thing."\nAnd then?," More."\n')
    assert read(path, "csv") == [
        (1, ("completion", [("user", "What is it?"), ("assistant", " A thing.")])),
        (2, ("completion", [("user", "And then?"), ("assistant", " More.")]))]


def test_map_by_column_index(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "id,hi,hello\n7,Hi,Hello\n")
    assert read(path, "csv", mapping={"1": "prompt", "2": "completion"}) == [
        (1, ("completion", [("user", "hi"), ("assistant", "hello")])),
        (2, ("completion", [("user", "Hi"), ("assistant", "Hello")]))]
    assert read(path, "csv", mapping={"hi": "prompt", "2": "completion"}) == [
        (1, ("completion", [("user", "Hi"), ("assistant", "Hello")]))]


def test_unknown_header_asks_for_map(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "Frage,Antwort\nWie?,So.\n")
    with pytest.raises(SourceError, match=r"'Frage', 'Antwort'.*--map COL=FIELD"):
        read(path, "csv")
    with pytest.raises(SourceError, match="no column 'Frag'"):
        read(path, "csv", mapping={"Frag": "prompt"})
    with pytest.raises(SourceError, match="field must be one of"):
        read(path, "csv", mapping={"Frage": "question"})


def test_two_columns_for_one_field_are_an_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "question,prompt,answer\na,b,c\n")
    with pytest.raises(SourceError, match="both look like prompt"):
        read(path, "csv")
    assert read(path, "csv", mapping={"prompt": "prompt"})[0][1][1][0] == ("user", "b")


def test_preference_and_kto_tables(tmp_path: Path) -> None:
    preference = write_text(tmp_path / "p.csv", "prompt,chosen,rejected\nHi,Hello!,Go away.\n"
                                                "Hi,,No.\n")
    kto = write_text(tmp_path / "k.csv", "prompt,completion,label\nHi,Hello!,true\n"
                                         "Hi,Go away.,0\nHi,Meh,maybe\n")
    assert read(preference, "csv") == [
        (1, ("preference", [("user", "Hi")], [("assistant", "Hello!")],
             [("assistant", "Go away.")])),
        (2, ("skip", "empty chosen answer"))]
    assert read(kto, "csv") == [
        (1, ("completion", [("user", "Hi"), ("assistant", "Hello!")], True)),
        (2, ("completion", [("user", "Hi"), ("assistant", "Go away.")], False)),
        (3, ("skip", "label 'maybe' is not true or false"))]


def test_torchtune_headers_need_no_map(tmp_path: Path) -> None:
    # torchtune's stack_exchange_paired columns (question, response_j chosen, response_k
    # rejected, beside qid, date and metadata) and its instruction/response shape.
    paired = write_text(tmp_path / "se.csv", "qid,question,date,metadata,response_j,response_k\n"
                                             "1,Tabs or spaces?,2020,x,Spaces.,Tabs.\n")
    instruct = write_text(tmp_path / "ir.tsv", "instruction\tresponse\nSay hi.\tHi!\n")
    assert read(paired, "csv") == [
        (1, ("preference", [("user", "Tabs or spaces?")], [("assistant", "Spaces.")],
             [("assistant", "Tabs.")]))]
    assert read(instruct, "tsv") == [
        (1, ("completion", [("user", "Say hi."), ("assistant", "Hi!")]))]


def test_roles_do_not_apply_to_rows_per_example() -> None:
    with pytest.raises(SourceError, match="--roles applies to tables with one row per chat"):
        read(FAQ, "csv", roles={"x": "user"})


def test_broken_tables_are_unreadable(tmp_path: Path) -> None:
    ragged = write_text(tmp_path / "r.csv", "question,answer\na,b,c\n")
    latin = tmp_path / "l.csv"
    latin.write_bytes("question,answer\nCafé,oui\n".encode("latin-1"))
    not_xlsx = write_text(tmp_path / "n.xlsx", "question,answer\n")
    with pytest.raises(InputError, match="Expected 2 fields in line 2, saw 3"):
        read(ragged, "csv")
    with pytest.raises(InputError, match="not UTF-8"):
        read(latin, "csv")
    with pytest.raises(InputError, match=r"not an \.xlsx workbook"):
        read(not_xlsx, "xlsx")
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.csv", "csv")


def test_empty_table_has_no_records(tmp_path: Path) -> None:
    assert read(write_text(tmp_path / "e.csv", ""), "csv") == []


def test_pandas_is_imported_only_when_a_table_is_read() -> None:
    code = ("import sys, ftdata, ftdata.conversion, ftdata.sources.tables, ftdata.cli\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'openpyxl', 'rich') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# -- one row per chat turn --------------------------------------------------------------------


def test_support_chat_rows_become_conversations() -> None:
    """Turns are ordered by the turn column, interleaved tickets are kept apart, consecutive
    turns of one speaker are merged, and every problem names its row."""
    assert read(SUPPORT, "csv") == [
        (1, ("chat", [("user", "Hi there"), ("assistant", "Hello! How can I help?"),
                      ("user", "I need a refund."), ("assistant", "Done: refunded.")])),
        (2, ("chat", [("user", "My parcel is late."),
                      ("assistant", "Sorry about that.\nIt arrives tomorrow.")])),
        (8, ("skip", "no assistant turn")),
        (9, ("skip", "unknown speaker 'robot' at row 10 (map it with --roles "
                     "'robot=user|assistant|system')")),
        (11, ("skip", "row 11 has no conversation id")),
        (12, ("chat", [("user", "First\nSecond"), ("assistant", "Answer")])),
    ]


def test_roles_map_speakers() -> None:
    items = dict(read(SUPPORT, "csv", roles={"robot": "assistant", "agent": "user",
                                              "customer": "assistant"}))
    assert items[9] == ("chat", [("user", "Hola"), ("assistant", "Buenos días")])
    assert items[1][1][0] == ("assistant", "Hi there")


def test_turns_by_timestamp_in_xlsx(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
            ["Conversation", "Time", "Role", "Text"],
            ["a", dt.datetime(2024, 1, 1, 10, 5), "assistant", "Hello"],
            ["a", dt.datetime(2024, 1, 1, 10, 0), "user", "Hi"],
            ["b", "2024-01-01T10:00:00Z", "user", "Yo"],
            ["b", "2024-01-01T09:00:00+00:00", "assistant", "Early"],
            ["b", "yesterday", "user", "?"],
            ["c", 1, "user", "One"],
            ["c", "2024-01-01", "assistant", "Two"]]
    assert read(write_xlsx(tmp_path / "t.xlsx", rows), "xlsx") == [
        (1, ("chat", [("user", "Hi"), ("assistant", "Hello")])),
        (3, ("skip", "turn 'yesterday' at row 5 is neither a number nor an ISO 8601 time")),
        (6, ("skip", "the turns of conversation 'c' mix numbers and times")),
    ]


def test_turns_without_a_conversation_id_are_an_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "role,content\nuser,Hi\n")
    with pytest.raises(SourceError, match="need a conversation id"):
        read(path, "csv")


def test_turns_from_parquet_in_file_order(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "t.parquet", {
        "session_id": [1, 2, 1, 2], "author": ["human", "human", "ai", "bot"],
        "message": ["a", "b", "c", "d"]})
    assert read(path, "parquet") == [(1, ("chat", [("user", "a"), ("assistant", "c")])),
                                     (2, ("chat", [("user", "b"), ("assistant", "d")]))]


def test_order_key() -> None:
    assert order_key("10") == (0, 10) and order_key(2.5) == (0, 2.5)
    assert order_key("2024-01-01 10:00") == (1, dt.datetime(2024, 1, 1, 10))
    assert order_key(True) is None and order_key("") is None and order_key("soon") is None


# -- corpus -------------------------------------------------------------------------------


def test_corpus_csv_with_crlf_and_no_final_newline() -> None:
    path = CORPUS / "csv_qa__seq2seq_chatbot.csv"
    if not path.exists():
        pytest.skip("corpus not present")
    assert read(path, "csv") == [
        (1, ("completion", [("user", "your question"), ("assistant", "your answer")])),
        (2, ("completion", [("user", "what is your name"), ("assistant", "bob")]))]


def test_corpus_csv_without_header() -> None:
    path = CORPUS / "csv_qa_noheader__bedrock_sagemaker_faqs.csv"
    if not path.exists():
        pytest.skip("corpus not present")
    items = read(path, "csv")
    assert len(items) == 160 and [location for location, _ in items] == list(range(1, 161))
    assert items[0] == (1, ("completion", [
        ("user", "What is Amazon SageMaker?"),
        ("assistant", " SageMaker is a fully managed service to prepare data and build, train, "
                      "and deploy machine learning (ML) models for any use case with fully "
                      "managed infrastructure, tools, and workflows.")]))
    assert read(path, "csv", mapping={"0": "prompt", "1": "completion"}) == items


# -- bounded work on hostile tables -----------------------------------------------------------


def test_a_csv_of_a_million_columns_is_refused_with_a_short_message(tmp_path: Path) -> None:
    """Before: pandas parsed it for minutes, then a 1 MB error line listed every column."""
    path = tmp_path / "wide.csv"
    path.write_bytes(b",".join(b"c%d" % index for index in range(1_000_000)) + b"\n1,2\n")
    with pytest.raises(InputError, match="more than 1,024 columns") as raised:
        read(path, "csv")
    assert len(str(raised.value)) < 200
    # Separators inside a quoted cell are not columns.
    quoted = write_text(tmp_path / "q.csv", 'question,answer\n"' + "," * 5000 + '",b\n')
    assert len(read(quoted, "csv")) == 1


def test_many_unknown_columns_are_named_in_short(tmp_path: Path) -> None:
    path = write_text(tmp_path / "u.csv", ",".join(f"col{i}" for i in range(900)) + "\n"
                      + ",".join("x" for _ in range(900)) + "\n")
    with pytest.raises(SourceError, match="and 892 more") as raised:
        read(path, "csv")
    assert len(str(raised.value)) < 400


def test_an_xlsx_zip_bomb_is_refused_before_it_is_expanded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from ftdata.sources import tables

    path = write_xlsx(tmp_path / "bomb.xlsx", FAQ_ROWS)
    with zipfile.ZipFile(path) as archive:
        largest = max(member.file_size for member in archive.infolist()
                      if not member.filename.startswith("xl/worksheets/"))
    assert len(read(path, "xlsx")) == len(FAQ_ITEMS)
    monkeypatch.setattr(tables, "MAX_XLSX_PART_BYTES", largest - 1)
    with pytest.raises(InputError, match="is it a zip bomb"):
        read(path, "xlsx")


@pytest.mark.slow
def test_an_xlsx_whose_one_cell_expands_to_a_gigabyte_is_refused_in_flat_memory(
        tmp_path: Path) -> None:
    """A 2 MB workbook whose one cell expands to 1 GiB (before: gigabytes of memory)."""
    import resource
    import zipfile

    path = write_xlsx(tmp_path / "bomb.xlsx", FAQ_ROWS)
    bomb = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with out.open(member.filename, "w", force_zip64=True) as stream:
                    stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                 b'spreadsheetml/2006/main"><sheetData><row r="1">'
                                 b'<c r="A1" t="inlineStr"><is><t>')
                    for _ in range(1024):
                        stream.write(b"a" * (1 << 20))
                    stream.write(b"</t></is></c></row></sheetData></worksheet>")
            else:
                out.writestr(member, source.read(member))
    assert bomb.stat().st_size < 8 << 20
    code = ("import resource, sys; from tests.sources import read\n"
            "try:\n    read(sys.argv[1], 'xlsx')\nexcept Exception as error:\n"
            "    print(type(error).__name__, error)\n"
            # The peak of this process's own address space: getrusage would include the
            # pages of the test process it was started from.
            "print(next(line.split()[1] for line in open('/proc/self/status')\n"
            "           if line.startswith('VmHWM:')))")
    limit = 1 << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True,
                          text=True, preexec_fn=cap, cwd=Path(__file__).parents[2], check=False)
    lines = done.stdout.splitlines()
    assert lines and lines[0].startswith("InputError") and "zip bomb" in lines[0], done.stderr
    assert int(lines[-1]) * 1024 < 250 << 20
