"""``ftdata formats``, ``rules``, ``targets`` and ``schema``: what ftdata knows."""

from __future__ import annotations

import click

from ftdata.cli.common import Choice, cli, fail
from ftdata.formats import FORMAT_MODULES


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
    """List every rule, explain one (ftdata rules C003), or list a family or any other code
    prefix (ftdata rules C, ftdata rules T00)."""
    from ftdata.rules import all_rules, get_rule

    try:
        rule = get_rule(code) if code is not None else None
    except KeyError:
        rule = None
    if rule is None:
        prefix = (code or "").strip().upper()
        matching = [rule for rule in all_rules() if rule.code.startswith(prefix)]
        if not matching:
            fail(f"no rule code starts with {code!r} (see `ftdata rules`)")
        for listed in matching:
            fix = " (fixable)" if listed.fixable else ""
            click.echo(f"{listed.code}  {listed.name:<30} {listed.severity.value:<8} "
                       f"{listed.summary}{fix}")
        return
    click.echo(f"{rule.code} {rule.name} [{rule.severity.value}]"
               f"{' (fixable)' if rule.fixable else ''}\n")
    click.echo(rule.summary + "\n")
    click.echo(rule.doc)


@cli.command()
@click.argument("target_id", metavar="ID", required=False)
def targets(target_id: str | None) -> None:
    """List the targets, or show what one changes and the source of each (ftdata targets
    openai)."""
    from ftdata.targets import TARGETS, differences, get_target

    if target_id is None:
        for target in TARGETS.values():
            click.echo(f"{target.id:<14} {target.description}")
            formats = ", ".join(target.formats) if target.formats else "any format"
            click.echo(f"{'':<14} formats: {formats}")
        return
    try:
        target = get_target(target_id)
    except ValueError as error:
        fail(f"{error} (see `ftdata targets`)")
    click.echo(f"{target.id}: {target.description}\n")
    for difference in differences(target):
        click.echo(f"* {difference.text}")
        if difference.source:
            click.echo(f"  source: {difference.source}")


@cli.command()
@click.argument("format_id", metavar="ID", type=Choice(list(FORMAT_MODULES)))
def schema(format_id: str) -> None:
    """Print the JSON Schema (Draft 2020-12) of a format."""
    from ftdata.jsonschemas import read_schema_text

    click.echo(read_schema_text(format_id), nl=False)
