"""``ftdata report``: one self-contained HTML page with the verdict, the issues and charts."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING

import click

from ftdata.cli.common import (
    EXIT_OK,
    Choice,
    cli,
    display_name,
    fail,
    input_file,
    refuse_directory,
    shown,
    stdin_suffix,
)
from ftdata.cli.view import view_options
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS
from ftdata.wording import plural

if TYPE_CHECKING:
    from ftdata.render.trainer_view import ShownExample, TrainerSection
    from ftdata.report import Report
    from ftdata.templates.view import TrainerView, ViewOutcome


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
              help="A local tokenizer.json (or Hugging Face id, online) for open models; "
                   "with the trainer's view, a folder whose chat template renders.")
@view_options
def report(file: str, output: str, model: str | None, target: str, format_id: str | None,
           max_tokens: int | None, epochs: str, tokenizer: str | None, trainer: str | None,
           template: str | None, max_length: int | None) -> None:
    """Write FILE's report as one self-contained HTML page with charts.

    With --trainer, --template or --max-length the page adds the trainer's view: rendered
    lengths against the trainer's maximum and the examples that lose tokens or content.
    The page is written even when the data has errors: exit status 0 once it is written,
    2 for a usage error or unreadable input.
    """
    from ftdata.engine import ValidateOptions, checked_view, token_setup, validate_path
    from ftdata.filestats import DEFAULT_STATS_MODEL, report_stats
    from ftdata.outputs import OutputError, atomic_output, refuse_overwriting_inputs
    from ftdata.readers import InputError
    from ftdata.render.html import render_html
    from ftdata.tokens import TokenizerUnavailable

    if epochs != "auto" and not (epochs.isdigit() and int(epochs) > 0):
        fail(f"--epochs: expected a positive whole number or 'auto', got {epochs!r}")
    # A local tokenizer without --model counts for a model ftdata does not know: no limit
    # or price of another model applies.
    options = ValidateOptions(format=format_id, target=target,
                              model=model or (None if tokenizer else DEFAULT_STATS_MODEL),
                              max_tokens=max_tokens, tokenizer=tokenizer, trainer=trainer,
                              template=template, max_length=max_length)
    refuse_directory(file, "report")
    with input_file(file, "report", suffix=stdin_suffix(format_id)) as path:
        try:
            # Refused before the work, not after it: the input must never be the output.
            refuse_overwriting_inputs(output, [file])
            setup = token_setup(options)
            view = checked_view(options)  # a bad trainer or template is refused before the work
            result = validate_path(path, options, display_path=display_name(file))
            section = trainer_section_data(path, result, view) if view is not None else None
        except (InputError, OutputError, ValueError, TokenizerUnavailable) as error:
            fail(shown(error, path, file))
    assert setup is not None  # a model is always given, so tokens are always counted
    stats = report_stats(result, setup, epochs if epochs == "auto" else int(epochs))
    page = render_html(result, stats, section)
    try:
        with atomic_output(output, inputs=[file]) as stream:
            stream.write(page.encode("utf-8"))
    except OutputError as error:
        fail(str(error))
    counts = result.summary
    click.echo(f"{display_name(output)}: report of {display_name(file)} written "
               f"({'ok' if result.ok else 'failed'}: "
               f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
               f"{counts['info']} info)")
    sys.exit(EXIT_OK)




# -- the trainer's view ------------------------------------------------------------------------


def trainer_section_data(path: str | os.PathLike[str], report: Report,
                         view: TrainerView) -> TrainerSection:
    """The "Trainer's view" section of ``report``, from what validate found with ``view``.

    The lengths, truncations and drops are the run's own (``report.accumulator`` and the
    ``trainer`` statistics), the findings its T003-T005 issues; only the first
    :data:`~ftdata.render.trainer_view.EXAMPLES_PER_CODE` examples of each code are rendered
    again, in one pass over the file, to show their tokens.
    """
    from ftdata.render.trainer_view import EXAMPLES_PER_CODE, TRAINER_CODES, TrainerSection
    from ftdata.statistics import Distribution

    figures = report.stats.get("trainer") or {}
    counts: Counter[str] = Counter(issue.code for issue in report.issues
                                   if issue.code in TRAINER_CODES)
    wanted: dict[int, list[tuple[str, str]]] = {}
    taken: Counter[str] = Counter()
    for issue in sorted((i for i in report.issues if i.code in TRAINER_CODES and i.line),
                        key=lambda i: (i.line or 0, i.code)):
        if taken[issue.code] < EXAMPLES_PER_CODE and issue.line is not None:
            taken[issue.code] += 1
            wanted.setdefault(issue.line, []).append((issue.code, issue.message))
    examples = sorted(_rendered_again(path, report.format, view, wanted),
                      key=lambda e: (e.code, e.line or 0))
    lengths = report.accumulator.rendered if report.accumulator is not None else Distribution()
    length = view.length()
    return TrainerSection(view.trainer or "no trainer profile", view.chat_template().name,
                          length.max_length, length.strategy, lengths,
                          truncated=int(figures.get("truncated", 0)),
                          dropped=int(figures.get("dropped", 0)),
                          untrained=counts["T003"], counts=dict(counts), examples=examples)


def _rendered_again(path: str | os.PathLike[str], format_id: str | None, view: TrainerView,
                    wanted: dict[int, list[tuple[str, str]]]) -> list[ShownExample]:
    """The examples on the ``wanted`` lines, rendered as the run rendered them."""
    from ftdata.formats import get_format
    from ftdata.parsing import RecordError, decode_record
    from ftdata.readers import RawRecord, read_events
    from ftdata.templates.view import see

    if not wanted or format_id is None:
        return []
    fmt = get_format(format_id)
    last = max(wanted)
    shown: list[ShownExample] = []
    for event in read_events(path):
        if not isinstance(event, RawRecord) or event.line not in wanted:
            if isinstance(event, RawRecord) and event.line > last:
                break
            continue
        try:
            value = decode_record(event.data)
            example = fmt.read(value) if isinstance(value, dict) else None
        except (RecordError, KeyError, TypeError, ValueError, AttributeError, IndexError):
            example = None
        if example is None:
            continue  # the issue came from this line, so it reads; but never a traceback
        outcome = see(view, example, fmt.id)
        shown += [_shown(code, event.line, message, view, outcome)
                  for code, message in wanted[event.line]]
    return shown


def _shown(code: str, line: int, message: str, view: TrainerView,
           outcome: ViewOutcome) -> ShownExample:
    """One finding's example, token by token, with the tokens the trainer cuts off marked."""
    from ftdata.render.trainer_view import ShownExample, token_pieces

    rendered, length = outcome.rendered, outcome.length
    if rendered is None or length is None:  # the template refused it: nothing to show
        return ShownExample(code, line, message, [], trained=0, kept=0, dropped_example=True)
    tokenizer = view.chat_template().tokenizer
    assert tokenizer is not None  # checked_view refuses a template without one
    _, offsets = tokenizer.encode(rendered.text)
    total = len(offsets)
    limit = view.length().max_length
    kept = [True] * total
    if length.truncated and limit is not None:
        strategy = view.length().strategy
        if strategy == "truncate_right":
            kept = [index < limit for index in range(total)]
        elif strategy == "truncate_left":
            kept = [index >= total - limit for index in range(total)]
    return ShownExample(code, line, message,
                        token_pieces(rendered.text, offsets, rendered.mask, kept),
                        trained=length.trained_before, kept=length.kept,
                        truncated=length.truncated,
                        dropped_example=length.dropped or length.raises,
                        dropped_content=rendered.dropped)
