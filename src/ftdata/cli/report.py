"""``ftdata report``: one self-contained HTML page with the verdict, the issues and charts."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ftdata.cli import EXIT_OK, Choice, cli, fail, refuse_directory
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS
from ftdata.wording import plural

if TYPE_CHECKING:
    pass


@cli.command()
@click.argument("file")
@click.option("-o", "--output", required=True, metavar="OUT",
              help="Where to write the HTML page (never over FILE).")
@click.option("--model", default=None, help="Model whose tokenizer, limit and price apply "
              "(default: gpt-4.1-mini, or none with --tokenizer).")
@click.option("--target", type=Choice(list(TARGETS)), default="generic", show_default=True,
              help="Provider or trainer whose limits and severities apply.")
@click.option("--format", "format_id", type=Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the file (default: detected).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Per-example token limit (wins over the model's).")
@click.option("--epochs", default="auto", show_default=True, metavar="N|auto",
              help="Training epochs for the cost; auto follows OpenAI's default rule.")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local tokenizer.json (or Hugging Face id, online) for open models.")
def report(file: str, output: str, model: str | None, target: str, format_id: str | None,
           max_tokens: int | None, epochs: str, tokenizer: str | None) -> None:
    """Write FILE's report as one self-contained HTML page with charts.

    The page is written even when the data has errors: exit status 0 once it is written,
    2 for a usage error or unreadable input.
    """
    from ftdata.engine import ValidateOptions, token_setup, validate_path
    from ftdata.outputs import OutputError, atomic_output, refuse_overwriting_inputs
    from ftdata.readers import InputError
    from ftdata.render.html import render_html
    from ftdata.statistics import DEFAULT_STATS_MODEL, report_stats
    from ftdata.tokens import TokenizerUnavailable

    if epochs != "auto" and not (epochs.isdigit() and int(epochs) > 0):
        fail(f"--epochs: expected a positive whole number or 'auto', got {epochs!r}")
    # A local tokenizer without --model counts for a model ftdata does not know: no limit
    # or price of another model applies.
    options = ValidateOptions(format=format_id, target=target,
                              model=model or (None if tokenizer else DEFAULT_STATS_MODEL),
                              max_tokens=max_tokens,
                              tokenizer=tokenizer)
    refuse_directory(file, "report")
    try:
        # Refused before the work, not after it: the input must never be the output.
        refuse_overwriting_inputs(output, [file])
        setup = token_setup(options)
        result = validate_path(file, options)
    except (InputError, OutputError, ValueError, TokenizerUnavailable) as error:
        fail(str(error))
    assert setup is not None  # a model is always given, so tokens are always counted
    stats = report_stats(result, setup, epochs if epochs == "auto" else int(epochs))
    page = render_html(result, stats)
    try:
        with atomic_output(output, inputs=[file]) as stream:
            stream.write(page.encode("utf-8"))
    except OutputError as error:
        fail(str(error))
    counts = result.summary
    click.echo(f"{output}: report of {file} written ({'ok' if result.ok else 'failed'}: "
               f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
               f"{counts['info']} info)")
    sys.exit(EXIT_OK)


