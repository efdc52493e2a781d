"""``ftdata fix`` and ``ftdata split``: safe autofixes and a leak-free split."""

from __future__ import annotations

import sys
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
from ftdata.cli.validate import parse_codes
from ftdata.diagnostics import escape_controls, printable_path
from ftdata.formats import FORMAT_MODULES
from ftdata.wording import plural


@cli.command()
@click.argument("file", metavar="FILE|-")
@click.option("-o", "--output", required=True, help="Where to write the fixed copy.")
@click.option("--select", default=None, metavar="CODES",
              help="Only these fixes (codes or prefixes: F004,D001,Q).")
@click.option("--format", "format_id", type=Choice(list(FORMAT_MODULES)), default=None)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def fix(file: str, output: str, select: str | None, format_id: str | None,
        output_format: str) -> None:
    """Write a copy of FILE with the safe autofixes applied; the input is never modified.

    Fixes: blank lines and a byte-order mark removed, later exact duplicates dropped,
    surrounding whitespace stripped, double-encoded tool arguments decoded.
    """
    from ftdata.fixes import fix_file
    from ftdata.outputs import OutputError
    from ftdata.readers import InputError

    codes = parse_codes(select, "--select")
    with input_file(file, "fix", suffix=stdin_suffix(format_id)) as path:
        try:
            result = fix_file(path, output, select=codes, format=format_id)
        except (InputError, OutputError, ValueError) as error:
            fail(shown(error, path, file))
    result.input = shown(result.input, path, file)
    result.output = output = printable_path(output)
    file = display_name(file)
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        for change in result.changes:
            where = f"{file}:{change['line']}" if change["line"] is not None else file
            pointer = (f" (at {escape_controls(change['pointer'])})" if change.get("pointer")
                       else "")
            click.echo(f"{where}: {change['code']} fixed: {change['action']}{pointer}")
        _echo_skipped(file, result.skipped)
        click.echo(f"{output}: {plural(result.read, 'record')} read, {result.written:,} "
                   f"written, {result.dropped:,} dropped, {len(result.skipped):,} skipped; "
                   f"{plural(len(result.changes), 'change')}")
    # Something of the input is not in the output without a fix having removed it: say so.
    sys.exit(EXIT_ISSUES if result.skipped else EXIT_OK)


def _echo_skipped(file: str, skipped: list[dict[str, Any]]) -> None:
    for item in skipped:
        where = f"{file}:{item['line']}" if item["line"] is not None else file
        click.echo(f"{where}: skipped: {item['reason']}")


@cli.command()
@click.argument("file")
@click.option("--validation", type=float, default=0.1, show_default=True,
              help="Share of examples for validation (a fraction between 0 and 1), or a "
                   "whole number of examples (1 or more).")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("-o", "--output", "directory", required=True,
              help="Directory for train.jsonl and validation.jsonl.")
@click.option("--near-duplicates", is_flag=True,
              help="Keep near copies together too (needs the near extra).")
@click.option("--format", "format_id", type=Choice(list(FORMAT_MODULES)), default=None)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def split(file: str, validation: float, seed: int, directory: str, near_duplicates: bool,
          format_id: str | None, output_format: str) -> None:
    """Split FILE into train and validation sets with no copy on both sides."""
    from ftdata.cli.validate import require_near_duplicates
    from ftdata.outputs import OutputError
    from ftdata.readers import InputError
    from ftdata.split import NOT_AN_OBJECT, split_file

    if near_duplicates:
        require_near_duplicates()
    with input_file(file, "split", suffix=stdin_suffix(format_id)) as path:
        try:
            result = split_file(path, directory, validation=validation, seed=seed,
                                near=near_duplicates, format=format_id)
        except (InputError, OutputError, ValueError) as error:
            fail(shown(error, path, file))
    result.input = shown(result.input, path, file)
    result.train, result.validation = (printable_path(result.train),
                                       printable_path(result.validation))
    file = display_name(file)
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        _echo_skipped(file, result.skipped)
        click.echo(f"{result.train}: {plural(result.train_records, 'record')}; "
                   f"{result.validation}: {plural(result.validation_records, 'record')} "
                   f"({plural(result.groups, 'group')}, seed {result.seed})")
    # A line or the end of the file the reader could not read is lost: exit 1.
    sys.exit(EXIT_ISSUES if any(item["reason"] != NOT_AN_OBJECT for item in result.skipped)
             else EXIT_OK)
