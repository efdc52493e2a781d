"""``ftdata stats`` and ``ftdata models``: token counts, the training bill, the models table."""

from __future__ import annotations

import sys
from typing import Any

import click

from ftdata.cli.common import EXIT_ISSUES, Choice, cli, fail, input_file, shown, stdin_suffix
from ftdata.cli.validate import config_options, given_parameters, load_command_config
from ftdata.cli.view import view_options
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS

#: Parameters of ``stats`` that configuration can also set, and the setting each one is.
CONFIGURABLE = {"model": "model", "max_tokens": "max_tokens", "format_id": "format",
                "trainer": "trainer", "template": "template", "max_length": "max_length",
                "target": "target"}


@cli.command()
@click.argument("file", metavar="FILE|-")
@click.option("--model", default=None, help="Model to count and price for (default: "
              "gpt-4.1-mini, or none with --tokenizer).")
@click.option("--epochs", default="auto", show_default=True, metavar="N|auto",
              help="Training epochs; auto follows OpenAI's default rule.")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Per-example token limit (wins over the model's).")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local tokenizer.json (or Hugging Face id, online) for open models.")
@click.option("--format", "format_id", type=Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the file (default: detected).")
@view_options
@click.option("--target", type=Choice(list(TARGETS)), default=None,
              help="Provider or trainer the file is for: picks its format where shapes "
                   "overlap, and which records count (default: generic).")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_options
@click.pass_context
def stats(ctx: click.Context, file: str, model: str | None, epochs: str, max_tokens: int | None,
          tokenizer: str | None, format_id: str | None, trainer: str | None,
          template: str | None, max_length: int | None, target: str | None,
          output_format: str, config_file: str | None, isolated: bool) -> None:
    """Count tokens and estimate the training bill of a file.

    With --trainer, --template or --max-length, a trainer section tells what that trainer
    renders, trains, truncates and drops. The model, token limit, format, trainer view and
    extra models also come from the configuration; options given here win.
    """
    from ftdata.filestats import file_stats
    from ftdata.readers import InputError
    from ftdata.tokens import TokenizerUnavailable

    if epochs != "auto" and not (epochs.isdigit() and int(epochs) > 0):
        fail(f"--epochs: expected a positive whole number or 'auto', got {epochs!r}")
    values = {"model": model, "max_tokens": max_tokens, "format": format_id,
              "trainer": trainer, "template": template, "max_length": max_length,
              "target": target}
    settings: dict[str, Any] = values
    config = load_command_config(config_file, isolated)
    if config is not None:
        from ftdata.config import merge_command_line

        given = {CONFIGURABLE[name]: values[CONFIGURABLE[name]]
                 for name in given_parameters(ctx, CONFIGURABLE)}
        settings = merge_command_line(config.options_for(file), given)
    with input_file(file, "stats", suffix=stdin_suffix(settings.get("format"))) as path:
        try:
            result = file_stats(path, model=settings.get("model"),
                                epochs=epochs if epochs == "auto" else int(epochs),
                                max_tokens=settings.get("max_tokens"), tokenizer=tokenizer,
                                format=settings.get("format"),
                                target=settings.get("target") or "generic",
                                extra_models=settings.get("extra_models", ()),
                                trainer=settings.get("trainer"),
                                template=settings.get("template"),
                                max_length=settings.get("max_length"))
        except (InputError, ValueError, TokenizerUnavailable) as error:
            fail(shown(error, path, file))
    result["path"] = shown(result["path"], path, file)
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    else:
        from ftdata.render.stats import render_stats

        click.echo(render_stats(result), nl=False)
    unreadable = result["unreadable"]
    if unreadable["count"]:
        # The figures leave these out: say so, and exit 1 as `validate` does.
        for item in unreadable["first"]:
            where = f"{result['path']}:{item['line']}" if item["line"] is not None \
                else result["path"]
            click.echo(f"{where}: {item['code']} {item['message']}", err=True)
        click.echo(f"ftdata: {unreadable['count']} unreadable part(s) of {result['path']} are "
                   f"not counted; `ftdata validate` lists them", err=True)
        sys.exit(EXIT_ISSUES)


@cli.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_options
def models(output_format: str, config_file: str | None, isolated: bool) -> None:
    """List known models: tokenizer, per-example token limit, training price and sources.

    The text table gives, under each model, the source of its limit and of its price.

    Models added or overridden in the configuration are included.
    """
    from ftdata.models import load_models

    config = load_command_config(config_file, isolated)
    table = load_models([dict(entry) for entry in config.models] if config else None)
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
        # Where each figure comes from, under its row (as `ftdata targets ID` does).
        for figure, source in (("limit", info.max_tokens_source),
                               ("price", info.price_source)):
            if source:
                click.echo(f"{'':<4}{figure} source: {source}")


