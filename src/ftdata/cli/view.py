"""``ftdata render`` and ``ftdata trainers``: the trainer's view of one example (SPEC §8a), and
the trainers' defaults with their sources."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ftdata.cli.common import cli, fail
from ftdata.formats import FORMAT_MODULES

Command = TypeVar("Command", bound=Callable[..., Any])

#: The trainers ``--trainer`` takes (``ftdata.templates.trainers.TRAINERS``; a test checks
#: they agree, so the command line does not import the table).
TRAINER_IDS = ("trl", "axolotl", "llamafactory", "unsloth", "torchtune", "autotrain")


def view_options(command: Command) -> Command:
    """``--trainer``, ``--template`` and ``--max-length`` (``--tokenizer`` is the command's)."""
    command = click.option(
        "--max-length", type=click.IntRange(min=1), default=None, metavar="N",
        help="The trainer's maximum sequence length (default: the trainer's own).")(command)
    command = click.option(
        "--template", default=None, metavar="FAMILY",
        help="Chat template family with its packaged tokenizer: chatml, qwen3, llama3, "
             "mistral, gemma, deepseek, gpt-oss (over --tokenizer's tokenizer when both are "
             "given).")(command)
    return click.option(
        "--trainer", type=click.Choice(TRAINER_IDS), default=None,
        help="Check as this trainer trains: its template, loss mask and maximum length "
             "(T003-T005); see `ftdata trainers`.")(command)


@cli.command()
@click.argument("location", metavar="FILE:LINE")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local folder with tokenizer.json and a chat template.")
@view_options
@click.option("--format", "format_id", type=click.Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the file (default: detected).")
@click.option("--show-tokens", is_flag=True,
              help="Mark every token boundary with a middle dot.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def render(location: str, tokenizer: str | None, trainer: str | None, template: str | None,
           max_length: int | None, format_id: str | None, show_tokens: bool,
           output_format: str) -> None:
    """Show one example as the trainer sees it: the rendered text, trained tokens highlighted.

    LINE is the line validate reports (the element of a JSON array). Trained tokens are
    coloured on a terminal (NO_COLOR and FORCE_COLOR apply) and written [[like this]]
    otherwise. The template is --template's, else --tokenizer's own, else the trainer's.
    """
    from ftdata.readers import InputError
    from ftdata.render.text import wants_color
    from ftdata.templates.record import render_record
    from ftdata.templates.view import TrainerView, ViewError, highlight

    path, _, number = location.rpartition(":")
    if not path or not number.isdigit() or int(number) < 1:
        fail(f"expected FILE:LINE (a line number from 1), got {location!r}")
    view = TrainerView(trainer, template, tokenizer, max_length)
    try:
        result = render_record(path, int(number), view, format=format_id)
    except (ViewError, InputError) as error:
        fail(str(error))
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps(result).decode())
        return
    from ftdata.templates.view import summary_line

    color = wants_color(sys.stdout)
    click.echo(highlight(result, view, color=color, show_tokens=show_tokens), nl=False,
               color=color)
    if not result["text"].endswith("\n"):
        click.echo()
    click.echo(summary_line(result))


@cli.command()
@click.argument("trainer_id", metavar="ID", required=False)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def trainers(trainer_id: str | None, output_format: str) -> None:
    """List the trainers --trainer knows, or one's defaults with the source of each
    (ftdata trainers trl)."""
    from ftdata.templates.trainers import TRAINERS, build_profile, get_trainer

    if trainer_id is None:
        rows = [{"id": spec.id, "description": spec.description,
                 "max_length_option": spec.length_option,
                 "max_length": spec.options[spec.length_option].default}
                for spec in TRAINERS.values()]
        if output_format == "json":
            import orjson

            click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
            return
        for row in rows:
            click.echo(f"{row['id']:<13} {row['description']}")
        return
    try:
        spec = get_trainer(trainer_id)
    except ValueError as error:
        fail(str(error))
    profile = build_profile(trainer_id)
    if output_format == "json":
        import orjson

        click.echo(orjson.dumps({
            "id": spec.id, "description": spec.description,
            "options": {name: {"default": option.default, "help": option.help,
                               "source": option.source}
                        for name, option in spec.options.items()},
            "behaviour": dict(spec.behaviour), "template": profile.template,
            "notes": list(profile.notes)}, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{spec.id}: {spec.description}\n")
    for name, option in spec.options.items():
        click.echo(f"  {name} = {option.default!r}  {option.help}")
        click.echo(f"      {option.source}")
    click.echo("\nBehaviour:")
    for name, source in spec.behaviour.items():
        click.echo(f"  {name}: {source}")
    for note in profile.notes:
        click.echo(f"\n  {note}")

