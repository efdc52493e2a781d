"""``ftdata validate``: check training files and report every problem with its line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from ftdata.cli import EXIT_ISSUES, EXIT_OK, EXIT_USAGE, cli, fail
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS

if TYPE_CHECKING:
    from ftdata.engine import ValidateOptions


def parse_codes(value: str | None, option: str) -> tuple[str, ...]:
    from ftdata.rules import parse_code_list

    try:
        return parse_code_list(value)
    except ValueError as error:
        fail(f"{option}: {error}")


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "format_id", type=click.Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the files (default: detected).")
@click.option("--target", type=click.Choice(list(TARGETS)), default="generic", show_default=True,
              help="Provider or trainer whose limits and severities apply.")
@click.option("--select", default=None, metavar="CODES",
              help="Only these rule codes or prefixes (comma-separated: C,D001).")
@click.option("--ignore", default=None, metavar="CODES",
              help="Skip these rule codes or prefixes; wins over --select.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--max-issues", type=click.IntRange(min=0), default=None,
              help="Show at most N issues per file (all are counted).")
@click.option("--quiet", "-q", is_flag=True, help="Print issues only, no summary.")
@click.option("--model", default=None, help="Model whose tokenizer and limit apply (T001/T002); "
              "see `ftdata models`.")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Per-example token limit (wins over the model's).")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local tokenizer.json (or Hugging Face id, online) for open models.")
@click.option("--no-tokens", is_flag=True, help="Count no tokens (fastest).")
@click.option("--validation-file", default=None, metavar="FILE",
              help="Validate this file too and report its copies of training examples (D004).")
@click.option("--near-duplicates", is_flag=True,
              help="Also look for near duplicates (D002), and near leaks with "
                   "--validation-file.")
def validate(files: Sequence[str], format_id: str | None, target: str, select: str | None,
             ignore: str | None, strict: bool, output_format: str, max_issues: int | None,
             quiet: bool, model: str | None, max_tokens: int | None, tokenizer: str | None,
             no_tokens: bool, validation_file: str | None, near_duplicates: bool) -> None:
    """Check training files and report every problem with its line.

    Exit status: 0 when no error-severity issue is found (warnings too with --strict), 1 when
    one is, 2 for a usage error or unreadable input.
    """
    from ftdata.engine import ValidateOptions, validate_path
    from ftdata.readers import InputError
    from ftdata.render import get_renderer

    options = ValidateOptions(format=format_id, target=target,
                              select=parse_codes(select, "--select"),
                              ignore=parse_codes(ignore, "--ignore"), strict=strict,
                              max_issues=max_issues, model=model, max_tokens=max_tokens,
                              tokenizer=tokenizer, count_tokens=not no_tokens,
                              near_duplicates=near_duplicates)
    if near_duplicates:
        require_near_duplicates()
    check_tokens(options)
    reports = []
    unreadable = False
    for path in files:
        try:
            reports.append(validate_path(path, options))
        except InputError as error:
            click.echo(f"ftdata: error: {error}", err=True)
            unreadable = True
    if validation_file is not None:
        try:
            reports.append(validate_path(validation_file, options, training=list(reports)))
        except InputError as error:
            click.echo(f"ftdata: error: {error}", err=True)
            unreadable = True
    output = get_renderer(output_format)(reports, quiet)
    if output:
        click.echo(output, nl=False)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(report.ok for report in reports) else EXIT_ISSUES)


def require_near_duplicates() -> None:
    """Near-duplicate detection needs datasketch: say how to get it rather than crash."""
    try:
        import datasketch  # noqa: F401
    except ImportError:
        fail("--near-duplicates needs datasketch: pip install 'ftdata[near]'")


def check_tokens(options: ValidateOptions) -> None:
    """Resolve the model and tokenizer once, so a bad one is a usage error before any work."""
    from ftdata.engine import token_setup
    from ftdata.tokens import TokenizerUnavailable

    try:
        token_setup(options)
    except (ValueError, TokenizerUnavailable) as error:
        fail(str(error))
