"""``ftdata convert``: turn tables, Q&A files and chat logs into a format's JSONL."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from ftdata.cli.common import (
    EXIT_ISSUES,
    EXIT_OK,
    Choice,
    cli,
    display_name,
    fail,
    input_file,
    shown,
    stdin_suffix,
)
from ftdata.formats import FORMAT_MODULES
from ftdata.formats._reasoning import REASONING_MODES, ReasoningMode
from ftdata.sources import source_kinds
from ftdata.wording import plural


def parse_pairs(values: Sequence[str], option: str, right: str) -> dict[str, str]:
    """``LEFT=RIGHT`` option values as a dict; the last ``=`` splits, a repeated LEFT fails."""
    pairs: dict[str, str] = {}
    for value in values:
        left, equals, name = value.rpartition("=")
        if not equals or not left or not name:
            fail(f"{option}: expected {right}, got {value!r}")
        if left in pairs:
            fail(f"{option}: {left!r} is given twice")
        pairs[left] = name
    return pairs


def render_text(summary: dict[str, Any]) -> str:
    """Each skipped record as ``INPUT:LINE: skipped: reason``, then a one-line summary."""
    name = summary["input"]
    lines = [f"{name}:{entry['line']}: skipped: {entry['reason']}" if entry["line"] is not None
             else f"{name}: skipped: {entry['reason']}" for entry in summary["skipped"]]
    dropped = summary.get("reasoning_dropped")
    traces = "" if dropped is None else (
        f", {dropped} reasoning trace{'' if dropped == 1 else 's'} dropped")
    lines.append(f"{name} -> {summary['output']}: {summary['from']} -> {summary['to']}: "
                 f"{summary['read']} read, {summary['written']} written, "
                 f"{len(summary['skipped'])} skipped{traces}")
    return "\n".join(lines) + "\n"


@cli.command()
@click.argument("input_path", metavar="INPUT|-")
@click.option("-o", "--output", required=True, metavar="OUTPUT",
              help="The JSONL file to write (.jsonl.gz: gzip).")
@click.option("--to", "to", type=Choice(list(FORMAT_MODULES)), required=True,
              help="Format to write.")
@click.option("--from", "from_", type=Choice(source_kinds()), default=None,
              help="What the input is (default: detected from its name and content).")
@click.option("--map", "mapping", multiple=True, metavar="COL=FIELD",
              help="Read a table column (header or 0-based index) or Q&A key as FIELD: "
                   "prompt, input, completion, system, conversation_id, turn, role, content, "
                   "chosen, rejected, label.")
@click.option("--system", default=None, metavar="TEXT",
              help="Add this system message to every example that has none.")
@click.option("--roles", multiple=True, metavar="SRC=DST",
              help="Map a speaker name or source role to system, user or assistant.")
@click.option("--reasoning", type=click.Choice(list(REASONING_MODES)), default=None,
              help="Where reasoning traces go: think-tags (a <think> block opening the "
                   "content), field (the format's reasoning field) or drop. Default: where "
                   "they were read from; a record whose trace has no place is skipped.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when any record is skipped.")
@click.option("--allow-empty", is_flag=True,
              help="Write OUTPUT (empty) and exit 0 even when no record could be converted.")
def convert(input_path: str, output: str, to: str, from_: str | None, mapping: Sequence[str],
            system: str | None, roles: Sequence[str], reasoning: ReasoningMode | None,
            output_format: str, strict: bool, allow_empty: bool) -> None:
    """Convert INPUT into OUTPUT, one --to record per line.

    Every record is either written or listed with its location and the reason it was
    skipped. Exit status: 0 when done (1 with --strict when a record was skipped), 1 when part
    of INPUT could not be read (a line that is not JSON, a truncated gzip: OUTPUT lacks it) or
    no record could be converted (then OUTPUT is not written, unless --allow-empty), 2 for a
    usage error or an input that cannot be read at all.
    """
    from ftdata.conversion import NothingWritten, unreadable
    from ftdata.conversion import convert as run
    from ftdata.outputs import OutputError
    from ftdata.readers import InputError

    columns = parse_pairs(mapping, "--map", "COL=FIELD")
    speakers = parse_pairs(roles, "--roles", "SRC=DST")
    empty: NothingWritten | None = None
    with input_file(input_path, "convert", suffix=stdin_suffix(from_)) as path:
        try:
            summary = run(path, output, to=to, from_=from_, mapping=columns,
                          roles=speakers, system=system, reasoning=reasoning, progress=True,
                          allow_empty=allow_empty)
        except NothingWritten as error:
            empty, summary = error, error.summary
        except (InputError, OutputError, ValueError) as error:
            fail(shown(error, path, input_path))
    summary["input"] = display_name(input_path)
    summary["output"] = display_name(output)
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_text(summary), nl=False)
    if empty is not None:
        click.echo(f"ftdata: error: {output}: not written: {empty}; --allow-empty writes "
                   f"an empty file", err=True)
        sys.exit(EXIT_ISSUES)
    lost = unreadable(summary)
    if lost:
        # As fix and split do: what the input held but could not be read is not in the
        # output, and no option asked for that; the skips above say where.
        click.echo(f"ftdata: error: {display_name(input_path)}: part of the input could not "
                   f"be read ({plural(lost, 'record')} damaged or truncated, listed above); "
                   f"{display_name(output)} lacks it", err=True)
        sys.exit(EXIT_ISSUES)
    sys.exit(EXIT_ISSUES if strict and summary["skipped"] else EXIT_OK)
