"""File rules (F): bytes, encoding, JSON syntax and whole-file limits.

The readers raise the rules about bytes and framing as they read (F001, F002, F004, F005, F011,
F012); the checks of the whole file (F003, F006-F010) are written here once, for one machine
(:mod:`ftdata.engine`) and for a dataset on a cluster (:mod:`ftdata.integrations.dask`), which
judges the count limits over every partition together.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ftdata.diagnostics import Finding, Severity, json_kind
from ftdata.rules._registry import Fix, register

if TYPE_CHECKING:
    from ftdata.formats import Format
    from ftdata.targets import Target

E, W = Severity.ERROR, Severity.WARNING

register("F001", "invalid-utf8", E, """
    A record is not valid UTF-8.

    **What it does.** Checks that every record decodes as UTF-8 and reports the first bad byte.

    **Why is this bad?** JSON text must be UTF-8. Providers reject the upload, or worse, replace
    the bytes with U+FFFD and train on mojibake.

    **Example.** A line exported from Excel in Windows-1252: `{"text": "caf\\xe9"}`.

    **Use instead.** Re-encode the file as UTF-8 (`iconv -f cp1252 -t utf-8`).
""", raised_by=("ftdata.parsing",))

register("F002", "invalid-json", E, """
    A record is not valid JSON.

    **What it does.** Parses every line (JSONL) or element (JSON array) and reports the parser's
    complaint with its column. A record handed to `ftdata.validate_records` that cannot be
    written as JSON (a set, bytes, a key that is not a string, nesting deeper than 254 levels)
    is reported at the pointer of that value. An integer beyond 64 bits and a lone surrogate
    escape (`"\\ud800"`) are valid JSON (RFC 8259 §6 and §8.2 leave them to the reader), so a
    record holding one gets the same verdict from a file and from memory, and it is not F002:
    the integer is judged by the schema like any number, the lone surrogate is Q002 at its
    string. Readers differ on both: orjson and Arrow (`pyarrow.json.read_json`, which
    `datasets` calls in `datasets/packaged_modules/json/json.py` line 291) read such an
    integer as a rounded float, and Arrow fails the whole file on a lone surrogate.

    **Why is this bad?** The provider rejects the whole file over one broken line.

    **Example.** `{"messages": [{"role": "user", "content": "hi"}]` (a missing brace), a
    trailing comma, single quotes, `NaN`, or a line cut off by a truncated download.

    **Use instead.** Serialise records with a JSON library rather than by string formatting.
""", raised_by=("ftdata.parsing", "ftdata.readers", "ftdata.inmemory"))

register("F003", "not-an-object", E, """
    A record is valid JSON but not an object.

    **What it does.** Checks that each record is a JSON object.

    **Why is this bad?** Every training format is an object per record; an array, string or
    number cannot be read as an example.

    **Example.** `["What is 2+2?", "4"]`

    **Use instead.** `{"prompt": "What is 2+2?", "completion": "4"}`
""")

register("F004", "blank-line", W, """
    A JSONL file contains an empty line.

    **What it does.** Reports lines that are empty or only whitespace.

    **Why is this bad?** Some uploaders reject blank lines; others count them as broken records.

    **Example.** Two records separated by an empty line.

    **Use instead.** One record per line, no empty lines (`ftdata fix` removes them).
""", fix=Fix("dropped blank line"), raised_by=("ftdata.readers",))

register("F005", "byte-order-mark", W, """
    The file starts with a UTF-8 byte-order mark.

    **What it does.** Reports a BOM (`EF BB BF`) at the start of the file.

    **Why is this bad?** Strict JSON parsers fail on the first record. (Azure OpenAI accepts
    it; most other tools do not.)

    **Example.** A file saved by Notepad as "UTF-8 with BOM".

    **Use instead.** Save as plain UTF-8 (`ftdata fix` removes the BOM).
""", scope="file", fix=Fix("removed byte-order mark"),
         raised_by=("ftdata.readers",))

register("F006", "file-too-large", E, """
    The file is larger than the target accepts.

    **What it does.** Compares the file size with the target's upload limit.

    **Why is this bad?** The upload is refused, often only after minutes of transfer.

    **Example.** A 700 MB JSONL file for `--target openai` (limit 512 MB).

    **Use instead.** Split the data into several files or deduplicate it first.
""", scope="file")

register("F007", "too-few-examples", E, """
    The file has fewer examples than the target requires.

    **What it does.** Counts records against the target's minimum.

    **Why is this bad?** The job is rejected (OpenAI needs at least 10 examples), or the model
    learns nothing useful.

    **Example.** A 5-line file for `--target openai`.

    **Use instead.** Add examples; OpenAI suggests 50 to 100 well-crafted ones to start.
""", scope="dataset")

register("F008", "mixed-formats", E, """
    Records of different formats are mixed in one file.

    **What it does.** Checks that every record has the shape of the file's format.

    **Why is this bad?** Providers and trainers read one format per file; records of another
    shape are rejected or silently mis-read.

    **Example.** A chat file (`messages`) with a few `prompt`/`completion` records appended.

    **Use instead.** Convert every record to one format (`ftdata convert`).
""", scope="file")

register("F009", "unknown-format", E, """
    The file's format cannot be recognised, or the target does not accept it.

    **What it does.** Detection looks at the keys of the first records; it reports when none of
    the known formats fits, or when the format found is not one the target accepts.

    **Why is this bad?** Nothing else can be checked, and the provider would reject the file.

    **Example.** `{"question": "...", "answer": "..."}` validated for `--target openai`.

    **Use instead.** Pass `--format`, or convert the file (`ftdata convert --to openai-chat`).
""", scope="file")

register("F010", "too-many-examples", E, """
    The file has more examples than the target accepts.

    **What it does.** Counts records against the target's maximum.

    **Why is this bad?** The job is rejected.

    **Example.** 3,500,000 records for `--target fireworks` (at most 3,000,000).

    **Use instead.** Sample or deduplicate the data, or split the job.
""", scope="dataset")

register("F011", "pretty-printed-json-lines", E, """
    A JSON Lines file holds pretty-printed objects that span several lines.

    **What it does.** Reports, once per file, that the records are JSON objects written one
    after another over several lines each (as `json.dump(record, file, indent=2)` in a loop
    writes them) instead of one object per line. The objects are still read, each located at
    the line where it starts, and checked like any other record.

    **Why is this bad?** JSON Lines is one record per physical line (https://jsonlines.org/),
    and uploaders parse it that way: Together's `check_file` calls `json.loads` on each line
    (togethercomputer/together-python, `src/together/utils/files.py`, `_check_jsonl`), so the
    first line, a lone `{`, fails the whole file.

    **Example.**
    ```
    {
      "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    }
    ```

    **Use instead.** One compact object per line: `ftdata fix FILE -o OUT` rewrites the file
    as JSON Lines, or write each record with `json.dumps(record)` and no `indent`.
""", scope="file", fix=Fix("rewrote the pretty-printed objects one per line"),
         raised_by=("ftdata.readers",))

register("F012", "record-too-large", E, """
    A record is larger than any provider accepts, too large to read.

    **What it does.** Reports a JSONL line, a JSON array element or a pretty-printed object
    over 32 MiB, with its size, and skips it without holding it in memory (a gzip bomb or a
    runaway export cannot exhaust memory).

    **Why is this bad?** Providers cap an example far below this: the longest per-example
    limit in ftdata's model table is 131,072 tokens (about 0.5 MB of text), and OpenAI's vision
    fine-tuning takes images of at most 10 MB
    (https://developers.openai.com/api/docs/guides/vision-fine-tuning). A record this large is
    a broken export (a missing line break, a whole file in one field) and would be rejected.

    **Example.** A `.json` array whose one element holds a 3 GB string.

    **Use instead.** One example per record; reference large images by URL.
""", raised_by=("ftdata.readers",))


# -- the checks -------------------------------------------------------------------------------


def not_an_object(value: object) -> Finding:
    """F003 for a record that is valid JSON but not an object."""
    return Finding("F003", f"the record is {json_kind(value)}, not a JSON object")


def format_findings(fmt: Format | None, reason: str, target: Target,
                    records: int) -> list[Finding]:
    """F009: no format fits (``reason`` says why) or ``target`` does not accept it."""
    if fmt is None:
        if records:
            return [Finding("F009", f"cannot tell the format: {reason}; pass --format or "
                                    f"convert the file with `ftdata convert`")]
        return []
    if not target.accepts(fmt.id):
        accepted = ", ".join(target.formats or ())
        return [Finding("F009", f"target {target.id!r} does not accept {fmt.id} "
                                f"(accepted: {accepted})")]
    return []


def mixed_format_findings(fmt: Format | None, foreign: Counter[str],
                          first_foreign: dict[str, int]) -> list[Finding]:
    """F008, once per other format family seen: how many records and the first one's line."""
    findings = []
    for other, count in foreign.most_common():
        noun = "record looks" if count == 1 else "records look"
        findings.append(Finding("F008", f"{count} {noun} like {other}, not "
                                        f"{fmt.id if fmt else '?'} (first at line "
                                        f"{first_foreign[other]})"))
    return findings


def size_findings(size: int | None, target: Target) -> list[Finding]:
    """F006 when the file is larger than ``target`` accepts (``None``: size unknown)."""
    if size is not None and target.max_file_bytes is not None and size > target.max_file_bytes:
        return [Finding("F006", f"the file is {human_bytes(size)}; {target.id} accepts at most "
                                f"{human_bytes(target.max_file_bytes)}")]
    return []


def count_findings(records: int, target: Target, *, whole: str = "the file",
                   where: str = "") -> list[Finding]:
    """F007/F010: fewer or more examples than ``target`` takes. ``whole`` names what was
    counted (``the dataset``), ``where`` follows the count (`` in 3 partitions``)."""
    findings = []
    if records < target.min_examples:
        have = "no examples" if records == 0 else f"{records:,} example" + (
            "s" if records != 1 else "")
        findings.append(Finding("F007", f"{whole} has {have}{where}; {target.id} needs at least "
                                        f"{target.min_examples}"))
    if target.max_examples is not None and records > target.max_examples:
        findings.append(Finding("F010", f"{whole} has {records:,} examples{where}; {target.id} "
                                        f"accepts at most {target.max_examples:,}"))
    return findings


def file_findings(fmt: Format | None, reason: str, target: Target, records: int,
                  size: int | None, foreign: Counter[str], first_foreign: dict[str, int], *,
                  count_limits: bool = True) -> list[Finding]:
    """The file-level findings of one file (or one partition): F009, F008, F006, and with
    ``count_limits`` F007/F010, in that order.

    >>> from ftdata.targets import get_target
    >>> [f.code for f in file_findings(None, "no record", get_target("openai"), 3, None,
    ...                                Counter(), {})]
    ['F009', 'F007']
    """
    findings = format_findings(fmt, reason, target, records)
    findings += mixed_format_findings(fmt, foreign, first_foreign)
    findings += size_findings(size, target)
    if count_limits:
        findings += count_findings(records, target)
    return findings


def human_bytes(size: int) -> str:
    """A size as people read it: ``512 B``, ``1.5 MB``, ``3.0 GB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
