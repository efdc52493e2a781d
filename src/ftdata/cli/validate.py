"""``ftdata validate``: check training files and report every problem with its line."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from ftdata.cli.common import EXIT_ISSUES, EXIT_OK, EXIT_USAGE, Choice, cli, fail, stdin_suffix
from ftdata.cli.view import view_options
from ftdata.formats import FORMAT_MODULES
from ftdata.render import OUTPUT_FORMATS
from ftdata.targets import TARGETS

if TYPE_CHECKING:
    from ftdata.config import Config
    from ftdata.engine import ValidateOptions
    from ftdata.report import Report

Command = TypeVar("Command", bound=Callable[..., Any])

#: Parameters of ``validate`` that configuration can also set, and the option each one sets.
CONFIGURABLE = {"format_id": "format", "target": "target", "select": "select",
                "ignore": "ignore", "strict": "strict", "model": "model",
                "max_tokens": "max_tokens", "near_duplicates": "near_duplicates",
                "trainer": "trainer", "template": "template", "max_length": "max_length"}


def parse_codes(value: str | None, option: str) -> tuple[str, ...]:
    from ftdata.rules import parse_code_list

    try:
        return parse_code_list(value)
    except ValueError as error:
        fail(f"{option}: {error}")


def config_options(command: Command) -> Command:
    """``--config PATH`` and ``--isolated``: which configuration file applies, if any."""
    command = click.option("--isolated", is_flag=True,
                           help="Ignore every configuration file.")(command)
    return click.option("--config", "config_file", default=None, metavar="PATH",
                        help="Read settings from this file instead of the nearest ftdata.toml "
                             "or pyproject.toml [tool.ftdata] above the current "
                             "directory.")(command)


def load_command_config(config_file: str | None, isolated: bool) -> Config | None:
    """The configuration a command runs with; an invalid one is a usage error."""
    from ftdata.config import ConfigError, load_config, read_config

    if config_file is not None and isolated:
        fail("--config and --isolated cannot be used together")
    if isolated:
        return None
    try:
        return read_config(config_file) if config_file is not None else load_config()
    except ConfigError as error:
        fail(str(error))


def given_parameters(ctx: click.Context, names: Iterable[str]) -> set[str]:
    """The parameters the user gave on the command line, as opposed to left at their default."""
    from click.core import ParameterSource

    defaults = (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return {name for name in names if ctx.get_parameter_source(name) not in defaults}


def configured(options: ValidateOptions, config: Config | None, path: str,
               given: Mapping[str, Any]) -> ValidateOptions:
    """The options for one file: its configured settings under the options ``given``."""
    if config is None:
        return options
    from ftdata.config import merge_command_line

    return replace(options, **merge_command_line(config.options_for(path), given))


@cli.command()
@click.argument("files", nargs=-1, metavar="FILE...")
@click.option("--format", "format_id", type=Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the files (default: detected).")
@click.option("--target", type=Choice(list(TARGETS)), default="generic", show_default=True,
              help="Provider or trainer whose limits and severities apply.")
@click.option("--select", default=None, metavar="CODES",
              help="Only these rule codes or prefixes (comma-separated: C,D001).")
@click.option("--ignore", default=None, metavar="CODES",
              help="Skip these rule codes or prefixes; wins over --select.")
@click.option("--strict/--no-strict", default=False,
              help="Fail on warnings too (--no-strict overrides the configuration).")
@click.option("--output-format", type=click.Choice(list(OUTPUT_FORMATS)), default="text",
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
@view_options
@click.option("--trainer-config", default=None, metavar="FILE",
              help="An axolotl or LLaMA-Factory YAML: validate the local datasets it trains "
                   "on, with its format, template, length and masking (no FILE needed).")
@click.option("--validation-file", default=None, metavar="FILE",
              help="Validate this file too and report its copies of training examples (D004).")
@click.option("--near-duplicates/--no-near-duplicates", default=False,
              help="Also look for near duplicates (D002), and near leaks with "
                   "--validation-file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: every core for files over 8 MB).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True,
              help="dask: the files (globs, fsspec URLs) are the partitions of one dataset, "
                   "checked and deduplicated on a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (default: a local cluster sized to the machine).")
@config_options
@click.pass_context
def validate(ctx: click.Context, files: Sequence[str], format_id: str | None, target: str,
             select: str | None, ignore: str | None, strict: bool, output_format: str,
             max_issues: int | None, quiet: bool, model: str | None, max_tokens: int | None,
             tokenizer: str | None, no_tokens: bool, trainer: str | None,
             template: str | None, max_length: int | None, trainer_config: str | None,
             validation_file: str | None,
             near_duplicates: bool, jobs: int | None, engine: str, scheduler: str | None,
             config_file: str | None, isolated: bool) -> None:
    """Check training files and report every problem with its line.

    A directory stands for every .jsonl, .ndjson, .json and .txt file below it (.gz too),
    hidden and .gitignore'd ones left out; - reads standard input.

    Exit status: 0 when no error-severity issue is found (warnings too with --strict), 1 when
    one is, 2 for a usage error or unreadable input.

    Settings also come from the nearest ftdata.toml or pyproject.toml [tool.ftdata]; options
    given here win.
    """
    from ftdata.api import validate_files
    from ftdata.engine import ValidateOptions
    from ftdata.inputs import STDIN, expand_paths
    from ftdata.render.text import print_color, wants_color

    if not files and trainer_config is None:
        fail("give FILE... to validate, or --trainer-config FILE")
    options = ValidateOptions(format=format_id, target=target,
                              select=parse_codes(select, "--select"),
                              ignore=parse_codes(ignore, "--ignore"), strict=strict,
                              max_issues=max_issues, model=model, max_tokens=max_tokens,
                              tokenizer=tokenizer, count_tokens=not no_tokens,
                              # Only the JSON output shows token statistics.
                              token_stats=output_format == "json",
                              near_duplicates=near_duplicates, jobs=jobs, trainer=trainer,
                              template=template, max_length=max_length)
    config = load_command_config(config_file, isolated)
    given = {CONFIGURABLE[name]: getattr(options, CONFIGURABLE[name])
             for name in given_parameters(ctx, CONFIGURABLE)}
    from_config: dict[str, ValidateOptions] = {}
    if trainer_config is not None:
        from_config = trainer_config_runs(trainer_config, options, given)
        files = (*files, *from_config)
    files = expand_paths(files)
    if not files and trainer_config is None:
        # As ruff does: nothing to check is worth a warning, not a failure.
        click.echo("ftdata: warning: no files to validate under the given paths (looked for "
                   ".jsonl, .ndjson, .json and .txt files, .gz too)", err=True)
    if [*files, validation_file].count(STDIN) > 1:
        fail("standard input (-) can be read only once")
    if engine == "dask" and STDIN in [*files, validation_file]:
        fail("--engine dask reads files, not standard input (-)")
    runs = [(path, configured(from_config.get(path, options), config, path, given))
            for path in files]
    validation = (configured(options, config, validation_file, given)
                  if validation_file is not None else None)
    check_runs([run for _, run in runs] + ([validation] if validation is not None else []))
    reports = []
    unreadable = False
    if engine == "dask" and runs:
        reports = dask_reports(files, runs[0][1], validation_file, validation, scheduler)
    elif scheduler is not None and engine != "dask":
        fail("--scheduler needs --engine dask")
    if engine == "local":
        def cannot_read(path: str, error: Exception) -> None:
            nonlocal unreadable
            click.echo(f"ftdata: error: {error}", err=True)
            unreadable = True

        reports = validate_files(runs, None if validation_file is None or validation is None
                                 else (validation_file, validation),
                                 # Annotations need physical lines, SARIF's fingerprints
                                 # digests: recorded as the files are read.
                                 check=functools.partial(validate_one,
                                                         locations=LOCATIONS.get(output_format)),
                                 on_unreadable=cannot_read)
    if output_format == "text" and wants_color(sys.stdout):
        print_color(reports, quiet)
    else:
        echo_report(output_format, reports, quiet)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(report.ok for report in reports) else EXIT_ISSUES)


#: Characters of a streamed report written at a time.
ECHO_CHUNK = 1 << 16


def echo_report(output_format: str, reports: Sequence[Report], quiet: bool) -> None:
    """Print the reports in ``output_format``; a renderer that can stream (text, json) is
    printed piece by piece, so issues kept on disk are never held whole in memory."""
    import importlib

    from ftdata.render import RENDERERS, get_renderer

    stream = getattr(importlib.import_module(RENDERERS[output_format]), "stream", None)
    if stream is None:
        output = get_renderer(output_format)(reports, quiet)
        if output:
            click.echo(output, nl=False)
        return
    pending: list[str] = []
    size = 0
    for piece in stream(reports, quiet):
        pending.append(piece)
        size += len(piece)
        if size >= ECHO_CHUNK:
            click.echo("".join(pending), nl=False)
            pending, size = [], 0
    if pending:
        click.echo("".join(pending), nl=False)


#: What each output format needs to know of where records are (see ``validate_path``).
LOCATIONS: dict[str, Literal["lines", "digests"]] = {"github": "lines", "sarif": "digests"}


def validate_one(path: str, options: ValidateOptions, training: Sequence[Report] = (), *,
                 locations: Literal["lines", "digests"] | None = None) -> Report:
    """One file's report, with a progress bar on a terminal; ``-`` is standard input, read
    once and reported as ``<stdin>``. Raises :class:`ftdata.readers.InputError`."""
    from ftdata.engine import validate_path
    from ftdata.inputs import STDIN, STDIN_NAME, non_seekable, spooled_input, spooled_stdin
    from ftdata.readers import InputError
    from ftdata.render.progress import file_progress

    if path != STDIN and not non_seekable(path):
        with file_progress(path) as progress:
            return validate_path(path, options, training=training, progress=progress,
                                 locations=locations)
    # Told the input is plain text, the copy is named so that it is read as plain text. A
    # named pipe or /dev/stdin is read once too, and keeps its name in the report.
    shown = STDIN_NAME if path == STDIN else path
    with (spooled_stdin(stdin_suffix(options.format)) if path == STDIN
          else spooled_input(path)) as copy:
        try:
            return validate_path(copy, options, display_path=shown, training=training,
                                 locations=locations)
        except InputError as error:
            raise InputError(str(error).replace(copy, shown)) from None


def dask_reports(patterns: Sequence[str], options: ValidateOptions,
                 validation_file: str | None, validation: ValidateOptions | None,
                 scheduler: str | None) -> list[Report]:
    """``--engine dask``: the files as the partitions of one dataset, checked on a cluster;
    the validation file, on this machine, against their digests."""
    from dataclasses import fields

    from ftdata.integrations import MissingDependency
    from ftdata.readers import InputError

    if validation is not None and validation.near_duplicates:
        click.echo("ftdata: note: with --engine dask, D004 finds exact copies of training "
                   "examples only; near copies need --engine local", err=True)
    try:
        from ftdata.integrations.dask import (
            close_client,
            local_cluster_client,
            validate_partitions,
        )

        client = local_cluster_client(scheduler)
    except MissingDependency as error:
        fail(str(error))
    except (OSError, TimeoutError, RuntimeError) as error:
        fail(f"cannot reach the Dask scheduler at {scheduler}: {error}" if scheduler
             else f"cannot start a local Dask cluster: {error}")
    try:
        run = validate_partitions(
            list(patterns), client=client, validation_file=validation_file,
            validation_options=(None if validation is None else
                                {f.name: getattr(validation, f.name) for f in fields(validation)}),
            **{f.name: getattr(options, f.name) for f in fields(options)})
    except (InputError, ValueError) as error:
        fail(str(error))
    finally:
        close_client(client)
    return [*run.files, *([run.validation] if run.validation is not None else [])]


def check_runs(runs: Iterable[ValidateOptions]) -> None:
    """Check what each file's options need before any work, once per distinct need."""
    seen: set[tuple[object, ...]] = set()
    for options in runs:
        need = (options.near_duplicates, options.count_tokens, options.model,
                options.max_tokens, options.tokenizer, options.trainer, options.template,
                options.max_length, options.trainer_options)
        if need in seen:
            continue
        seen.add(need)
        if options.near_duplicates:
            require_near_duplicates()
        check_tokens(options)
        check_view(options)


def check_view(options: ValidateOptions) -> None:
    """Load the trainer's view once, so a bad trainer, template or tokenizer is a usage error."""
    from ftdata.engine import checked_view

    try:
        checked_view(options)
    except ValueError as error:
        fail(str(error))


def _shown(path: os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it is below it."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith(os.pardir) else os.fspath(path)


def trainer_config_runs(path: str, options: ValidateOptions, given: Mapping[str, Any]
                        ) -> dict[str, ValidateOptions]:
    """Each local dataset a trainer config trains on, with the options it is checked with.

    Remote datasets and those ftdata cannot read are listed on stderr, not checked.
    """
    from ftdata.engine import checked_view
    from ftdata.templates.config import TrainerConfigError, read_trainer_config
    from ftdata.templates.view import overrides_of

    overrides = {"max_length": options.max_length} if options.max_length is not None else {}
    try:
        config = read_trainer_config(path, trainer=options.trainer, overrides=overrides)
    except (TrainerConfigError, OSError) as error:
        fail(str(error))
    runs: dict[str, ValidateOptions] = {}
    for dataset in config.datasets:
        if dataset.path is None or dataset.format is None or dataset.remote:
            why = dataset.note or ("remote" if dataset.remote else "not found")
            click.echo(f"ftdata: note: {path}: {dataset.key} ({dataset.name}) is not checked: "
                       f"{why}", err=True)
            continue
        if dataset.mappings:
            # Read under the format's own key names, every record would look broken.
            renamed = ", ".join(f"{ours}={theirs}" for ours, theirs in dataset.mappings.items())
            click.echo(f"ftdata: note: {path}: {dataset.key} ({dataset.name}) is not checked: "
                       f"it renames {dataset.format}'s keys ({renamed})", err=True)
            continue
        profile = dataset.profile or config.profile
        run = replace(options, format=given.get("format") or dataset.format,
                      trainer=config.trainer, trainer_options=overrides_of(profile.options))
        try:
            checked_view(run)
        except ValueError as error:
            # The trainer renders this one with a prompt ftdata does not reproduce.
            click.echo(f"ftdata: note: {path}: {dataset.key} ({dataset.name}) is checked "
                       f"without the trainer's view: {error}", err=True)
            run = replace(run, trainer=None, trainer_options=(), template=None,
                          max_length=None)
        runs[_shown(dataset.path)] = run
    if not runs:
        click.echo(f"ftdata: note: {path} names no local dataset to check", err=True)
    return runs


def require_near_duplicates() -> None:
    """Near-duplicate detection needs rensa (or datasketch): say how to get it rather than
    crash."""
    from ftdata.rules.duplicates import minhash_engine

    if minhash_engine() is None:
        fail("--near-duplicates needs rensa: pip install 'ftdata[near]'")


def check_tokens(options: ValidateOptions) -> None:
    """Resolve the model and tokenizer once, so a bad one is a usage error before any work."""
    from ftdata.engine import token_setup
    from ftdata.tokens import TokenizerUnavailable

    try:
        token_setup(options)
    except (ValueError, TokenizerUnavailable) as error:
        fail(str(error))
