"""File rules (F): bytes, encoding, JSON syntax and whole-file limits.

These are raised by the readers and by the file-level checks of the engine.
"""

from __future__ import annotations

from ftdata.diagnostics import Severity
from ftdata.rules import register

E, W = Severity.ERROR, Severity.WARNING

register("F001", "invalid-utf8", E, """
    A record is not valid UTF-8.

    **What it does.** Checks that every record decodes as UTF-8 and reports the first bad byte.

    **Why is this bad?** JSON text must be UTF-8. Providers reject the upload, or worse, replace
    the bytes with U+FFFD and train on mojibake.

    **Example.** A line exported from Excel in Windows-1252: `{"text": "caf\\xe9"}`.

    **Use instead.** Re-encode the file as UTF-8 (`iconv -f cp1252 -t utf-8`).
""")

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
""")

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
""", fixable=True)

register("F005", "byte-order-mark", W, """
    The file starts with a UTF-8 byte-order mark.

    **What it does.** Reports a BOM (`EF BB BF`) at the start of the file.

    **Why is this bad?** Strict JSON parsers fail on the first record. (Azure OpenAI accepts
    it; most other tools do not.)

    **Example.** A file saved by Notepad as "UTF-8 with BOM".

    **Use instead.** Save as plain UTF-8 (`ftdata fix` removes the BOM).
""", fixable=True)

register("F006", "file-too-large", E, """
    The file is larger than the target accepts.

    **What it does.** Compares the file size with the target's upload limit.

    **Why is this bad?** The upload is refused, often only after minutes of transfer.

    **Example.** A 700 MB JSONL file for `--target openai` (limit 512 MB).

    **Use instead.** Split the data into several files or deduplicate it first.
""")

register("F007", "too-few-examples", E, """
    The file has fewer examples than the target requires.

    **What it does.** Counts records against the target's minimum.

    **Why is this bad?** The job is rejected (OpenAI needs at least 10 examples), or the model
    learns nothing useful.

    **Example.** A 5-line file for `--target openai`.

    **Use instead.** Add examples; OpenAI suggests 50 to 100 well-crafted ones to start.
""")

register("F008", "mixed-formats", E, """
    Records of different formats are mixed in one file.

    **What it does.** Checks that every record has the shape of the file's format.

    **Why is this bad?** Providers and trainers read one format per file; records of another
    shape are rejected or silently mis-read.

    **Example.** A chat file (`messages`) with a few `prompt`/`completion` records appended.

    **Use instead.** Convert every record to one format (`ftdata convert`).
""")

register("F009", "unknown-format", E, """
    The file's format cannot be recognised, or the target does not accept it.

    **What it does.** Detection looks at the keys of the first records; it reports when none of
    the known formats fits, or when the format found is not one the target accepts.

    **Why is this bad?** Nothing else can be checked, and the provider would reject the file.

    **Example.** `{"question": "...", "answer": "..."}` validated for `--target openai`.

    **Use instead.** Pass `--format`, or convert the file (`ftdata convert --to openai-chat`).
""")

register("F010", "too-many-examples", E, """
    The file has more examples than the target accepts.

    **What it does.** Counts records against the target's maximum.

    **Why is this bad?** The job is rejected.

    **Example.** 3,500,000 records for `--target fireworks` (at most 3,000,000).

    **Use instead.** Sample or deduplicate the data, or split the job.
""")

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
""", fixable=True)

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
""")
