"""The ``ftdata`` command: thin click commands that parse options, call the API and render.

Usage errors and unreadable input exit 2 with one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from ftdata import __version__
from ftdata.formats import FORMAT_MODULES

if TYPE_CHECKING:
    from ftdata.engine import ValidateOptions
from ftdata.targets import TARGETS

TARGET_IDS = list(TARGETS)
EXIT_OK, EXIT_ISSUES, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> NoReturn:
    click.echo(f"ftdata: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftdata")
def cli() -> None:
    """Prepare and check fine-tuning datasets before upload or training."""


def _codes(value: str | None, option: str) -> tuple[str, ...]:
    from ftdata.rules import parse_code_list

    try:
        return parse_code_list(value)
    except ValueError as error:
        _fail(f"{option}: {error}")


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "format_id", type=click.Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the files (default: detected).")
@click.option("--target", type=click.Choice(TARGET_IDS), default="generic", show_default=True,
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
def validate(files: Sequence[str], format_id: str | None, target: str, select: str | None,
             ignore: str | None, strict: bool, output_format: str, max_issues: int | None,
             quiet: bool, model: str | None, max_tokens: int | None, tokenizer: str | None,
             no_tokens: bool) -> None:
    """Check training files and report every problem with its line.

    Exit status: 0 when no error-severity issue is found (warnings too with --strict), 1 when
    one is, 2 for a usage error or unreadable input.
    """
    from ftdata.engine import ValidateOptions, validate_path
    from ftdata.readers import InputError
    from ftdata.render import get_renderer

    options = ValidateOptions(format=format_id, target=target,
                              select=_codes(select, "--select"),
                              ignore=_codes(ignore, "--ignore"), strict=strict,
                              max_issues=max_issues, model=model, max_tokens=max_tokens,
                              tokenizer=tokenizer, count_tokens=not no_tokens)
    _check_tokens(options)
    reports = []
    unreadable = False
    for path in files:
        try:
            reports.append(validate_path(path, options))
        except InputError as error:
            click.echo(f"ftdata: error: {error}", err=True)
            unreadable = True
    output = get_renderer(output_format)(reports, quiet)
    if output:
        click.echo(output, nl=False)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(report.ok for report in reports) else EXIT_ISSUES)


def _check_tokens(options: ValidateOptions) -> None:
    """Resolve the model and tokenizer once, so a bad one is a usage error before any work."""
    from ftdata.engine import token_setup
    from ftdata.tokens import TokenizerUnavailable

    try:
        token_setup(options)
    except (ValueError, TokenizerUnavailable) as error:
        _fail(str(error))


@cli.command()
@click.argument("file")
@click.option("--model", default=None, help="Model to count and price for (default: "
              "gpt-4.1-mini).")
@click.option("--epochs", default="auto", show_default=True, metavar="N|auto",
              help="Training epochs; auto follows OpenAI's default rule.")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Per-example token limit (wins over the model's).")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local tokenizer.json (or Hugging Face id, online) for open models.")
@click.option("--format", "format_id", type=click.Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the file (default: detected).")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats(file: str, model: str | None, epochs: str, max_tokens: int | None,
          tokenizer: str | None, format_id: str | None, output_format: str) -> None:
    """Count tokens and estimate the training bill of a file."""
    from ftdata.readers import InputError
    from ftdata.statistics import file_stats
    from ftdata.tokens import TokenizerUnavailable

    if epochs != "auto" and not (epochs.isdigit() and int(epochs) > 0):
        _fail(f"--epochs: expected a positive whole number or 'auto', got {epochs!r}")
    try:
        result = file_stats(file, model=model, epochs=epochs if epochs == "auto" else int(epochs),
                            max_tokens=max_tokens, tokenizer=tokenizer, format=format_id)
    except (InputError, ValueError, TokenizerUnavailable) as error:
        _fail(str(error))
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    else:
        from ftdata.render.stats import render_stats

        click.echo(render_stats(result), nl=False)


@cli.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def models(output_format: str) -> None:
    """List known models: tokenizer, per-example token limit, training price and sources."""
    from ftdata.models import load_models

    table = load_models()
    if output_format == "json":
        import orjson

        rows = [info.to_dict() for info in table.values()]
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{'model':<30} {'provider':<10} {'tokenizer':<28} {'max tokens':>10} "
               f"{'price/1M':>9}  as of")
    for info in table.values():
        limit = f"{info.max_tokens_per_example:,}" if info.max_tokens_per_example else "-"
        price = (f"{info.training_price_per_million:g} {info.currency}"
                 if info.training_price_per_million is not None else "-")
        as_of = info.price_as_of.isoformat() if info.price_as_of else "-"
        click.echo(f"{info.id:<30} {info.provider:<10} {info.tokenizer:<28} {limit:>10} "
                   f"{price:>9}  {as_of}")


@cli.command()
def formats() -> None:
    """List the format ids ftdata reads and writes."""
    from ftdata.formats import all_formats

    for fmt in all_formats():
        click.echo(f"{fmt.id:<22} {fmt.description}")
        if fmt.used_by:
            click.echo(f"{'':<22} used by: {fmt.used_by}")


@cli.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List every rule, or explain one (ftdata rules C003)."""
    from ftdata.rules import all_rules, get_rule

    if code is None:
        for rule in all_rules():
            fix = " (fixable)" if rule.fixable else ""
            click.echo(f"{rule.code}  {rule.name:<30} {rule.severity.value:<8} "
                       f"{rule.summary}{fix}")
        return
    try:
        rule = get_rule(code)
    except KeyError:
        _fail(f"unknown rule code {code!r} (see `ftdata rules`)")
    click.echo(f"{rule.code} {rule.name} [{rule.severity.value}]"
               f"{' (fixable)' if rule.fixable else ''}\n")
    click.echo(rule.summary + "\n")
    click.echo(rule.doc)


@cli.command()
@click.argument("format_id", metavar="ID", type=click.Choice(list(FORMAT_MODULES)))
def schema(format_id: str) -> None:
    """Print the JSON Schema (Draft 2020-12) of a format."""
    from ftdata.jsonschemas import read_schema_text

    click.echo(read_schema_text(format_id), nl=False)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning usage errors into one line and exit status 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ftdata",
                 standalone_mode=False)
    except click.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
            click.echo(error.ctx.get_help())  # bare `ftdata`: show the help
            sys.exit(EXIT_OK)
        _fail(error.format_message().replace("\n", " "))
    except click.ClickException as error:
        _fail(error.format_message())
    except click.Abort:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ISSUES)
    except (ValueError, OSError) as error:
        _fail(str(error))
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("FTDATA_DEBUG"):
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (set FTDATA_DEBUG=1 for "
              f"details and please report it)")
    sys.exit(EXIT_OK)
