"""``ftdata report``: one self-contained HTML page with the verdict, the issues and charts."""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from ftdata.cli import EXIT_OK, cli, fail, refuse_directory
from ftdata.formats import FORMAT_MODULES
from ftdata.targets import TARGETS
from ftdata.templates.families import FAMILIES
from ftdata.templates.trainers import TRAINERS

if TYPE_CHECKING:
    from ftdata.model import Example
    from ftdata.render.trainer_view import ShownExample, TrainerSection
    from ftdata.templates.length import LengthOutcome, LengthPolicy
    from ftdata.templates.render import ChatTemplate, Rendered
    from ftdata.templates.trainers import TrainerProfile


@cli.command()
@click.argument("file")
@click.option("-o", "--output", required=True, metavar="OUT",
              help="Where to write the HTML page (never over FILE).")
@click.option("--model", default=None, help="Model whose tokenizer, limit and price apply "
              "(default: gpt-4.1-mini).")
@click.option("--target", type=click.Choice(list(TARGETS)), default="generic", show_default=True,
              help="Provider or trainer whose limits and severities apply.")
@click.option("--format", "format_id", type=click.Choice(list(FORMAT_MODULES)), default=None,
              help="Format of the file (default: detected).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Per-example token limit (wins over the model's).")
@click.option("--epochs", default="auto", show_default=True, metavar="N|auto",
              help="Training epochs for the cost; auto follows OpenAI's default rule.")
@click.option("--tokenizer", default=None, metavar="PATH",
              help="A local tokenizer.json (or Hugging Face id, online) for open models; "
                   "with the trainer's view, a folder whose chat template renders.")
@click.option("--trainer", type=click.Choice(list(TRAINERS)), default=None,
              help="Add the trainer's view: its template, mask and maximum length (SPEC §8a).")
@click.option("--template", type=click.Choice(list(FAMILIES)), default=None,
              help="Built-in chat template family for the trainer's view.")
@click.option("--max-length", type=click.IntRange(min=1), default=None,
              help="The trainer's maximum length in tokens (wins over its default).")
def report(file: str, output: str, model: str | None, target: str, format_id: str | None,
           max_tokens: int | None, epochs: str, tokenizer: str | None, trainer: str | None,
           template: str | None, max_length: int | None) -> None:
    """Write FILE's report as one self-contained HTML page with charts.

    With --trainer, --template or --max-length the page adds the trainer's view: rendered
    lengths against the trainer's maximum and the examples that lose tokens or content.
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
    options = ValidateOptions(format=format_id, target=target,
                              model=model or DEFAULT_STATS_MODEL, max_tokens=max_tokens,
                              tokenizer=tokenizer)
    refuse_directory(file, "report")
    view = None
    try:
        # Refused before the work, not after it: the input must never be the output.
        refuse_overwriting_inputs(output, [file])
        setup = token_setup(options)
        if trainer is not None or template is not None or max_length is not None:
            view = view_setup(trainer, template, tokenizer, max_length)
        result = validate_path(file, options)
        section = (trainer_section_data(file, result.format, view) if view is not None
                   else None)
    except (InputError, OutputError, ValueError, TokenizerUnavailable) as error:
        fail(str(error))
    except ImportError as error:
        fail(f"the trainer's view needs jinja2 ({error.name}): pip install 'ftdata[templates]'")
    assert setup is not None  # a model is always given, so tokens are always counted
    stats = report_stats(result, setup, epochs if epochs == "auto" else int(epochs))
    page = render_html(result, stats, section)
    try:
        with atomic_output(output, inputs=[file]) as stream:
            stream.write(page.encode("utf-8"))
    except OutputError as error:
        fail(str(error))
    counts = result.summary
    click.echo(f"{output}: report of {file} written ({'ok' if result.ok else 'failed'}: "
               f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)")
    sys.exit(EXIT_OK)




# -- the trainer's view ------------------------------------------------------------------------
#
# Computed here, from the templates API, record by record: each example rendered through the
# chat template with the trainer's mask, then its length policy applied. T003/T004/T005 follow
# SPEC §8a's definitions (nothing trains; the trainer truncates or drops it; the template drops
# content the record carries).


@dataclass(frozen=True)
class ViewSetup:
    """The trainer's view asked for: the trainer's profile (if any) and the loaded template."""

    trainer: str | None
    profile: TrainerProfile | None
    chat: ChatTemplate
    length: LengthPolicy


def view_setup(trainer: str | None, template: str | None, tokenizer: str | None,
               max_length: int | None) -> ViewSetup:
    """Load the trainer's profile and chat template, before any work.

    Which template renders: ``template`` (over ``tokenizer``'s tokenizer when both are given),
    else the tokenizer folder's own, else the trainer's built-in family. Without a trainer,
    assistant turns train and a long example keeps its start. Raises ``ValueError`` (one line)
    for a trainer option or a missing template, and
    :class:`~ftdata.tokens.TokenizerUnavailable` when the template or tokenizer cannot load.
    """
    from ftdata.templates.length import LengthPolicy
    from ftdata.templates.render import cached_template
    from ftdata.templates.trainers import build_profile

    profile = (build_profile(trainer, {"max_length": max_length} if max_length else None)
               if trainer is not None else None)
    family = template if template is not None or tokenizer is not None else (
        profile.template if profile is not None else None)
    if family is None and tokenizer is None:
        named = (f"; {trainer}'s template {profile.trainer_template!r} is not a built-in family"
                 if profile is not None and profile.trainer_template else "")
        raise ValueError(f"no chat template to render with{named}: pass --template FAMILY "
                         f"({', '.join(FAMILIES)}) or --tokenizer PATH")
    chat = cached_template(tokenizer, family)
    if chat.tokenizer is None:
        raise ValueError(f"template family {chat.name!r} has no packaged tokenizer: pass "
                         f"--tokenizer PATH for its token ids")
    length = (profile.length if profile is not None
              else LengthPolicy(max_length, "truncate_right"))
    return ViewSetup(trainer, profile, chat, length)


def trainer_section_data(path: str | os.PathLike[str], format_id: str | None,
                         view: ViewSetup) -> TrainerSection:
    """The "Trainer's view" section of ``path``: every example rendered as the trainer does."""
    from ftdata.formats import get_format
    from ftdata.parsing import RecordError, decode_record
    from ftdata.readers import RawRecord, read_events
    from ftdata.render.trainer_view import EXAMPLES_PER_CODE, TrainerSection
    from ftdata.templates.length import apply_length
    from ftdata.templates.mask import MaskPolicy
    from ftdata.templates.render import TemplateRefused, render_example

    chat, profile, length = view.chat, view.profile, view.length
    policy = profile.mask_for(format_id) if profile is not None else MaskPolicy()
    lengths: list[int] = []
    counts: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    examples: list[ShownExample] = []
    fmt = get_format(format_id) if format_id is not None else None
    for event in read_events(path) if fmt is not None else ():
        if not isinstance(event, RawRecord) or fmt is None:
            continue
        try:
            value = decode_record(event.data)
            example: Example | None = fmt.read(value) if isinstance(value, dict) else None
        except (RecordError, KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue  # validate reports what is wrong with the record
        if example is None:
            continue
        try:
            rendered = render_example(example, chat, policy)
        except TemplateRefused:
            totals["refused"] += 1
            continue
        outcome = apply_length(rendered.mask, length)
        lengths.append(outcome.total)
        totals["truncated"] += outcome.truncated
        totals["dropped"] += outcome.dropped or outcome.raises
        totals["untrained"] += not outcome.trained_after
        for code, message in _view_findings(rendered, outcome, length):
            counts[code] += 1
            if counts[code] <= EXAMPLES_PER_CODE:
                examples.append(_shown(code, event.line, message, chat, rendered, outcome,
                                       length))
    return TrainerSection(view.trainer or "no trainer profile", chat.name, length.max_length,
                          length.strategy, lengths, truncated=totals["truncated"],
                          dropped=totals["dropped"], untrained=totals["untrained"],
                          refused=totals["refused"], counts=dict(counts), examples=examples)


def _view_findings(rendered: Rendered, outcome: LengthOutcome, length: LengthPolicy
                   ) -> list[tuple[str, str]]:
    """T003/T004/T005 for one rendered example, with messages that quote no record value."""
    found: list[tuple[str, str]] = []
    if rendered.dropped:
        found.append(("T005", f"the {rendered.template} template drops the example's "
                              f"{', '.join(rendered.dropped)}"))
    if not outcome.trained_before:
        found.append(("T003", f"after the {rendered.template} template and the trainer's "
                              f"mask, no token of the example trains"))
    elif outcome.truncated or outcome.dropped or outcome.raises:
        lost = outcome.trained_before - outcome.trained_after
        over = f"{outcome.total:,} tokens, over max length {length.max_length or 0:,}"
        if outcome.raises:
            found.append(("T004", f"{over}: the trainer stops with an error on it"))
        elif outcome.dropped:
            found.append(("T004", f"{over}: the trainer drops the example "
                                  f"({outcome.trained_before:,} trained tokens lost)"))
        else:
            found.append(("T004", f"{over}: {length.strategy} loses {lost:,} of its "
                                  f"{outcome.trained_before:,} trained tokens"))
    return found


def _shown(code: str, line: int, message: str, chat: ChatTemplate, rendered: Rendered,
           outcome: LengthOutcome, length: LengthPolicy) -> ShownExample:
    """One finding's example, token by token, with the tokens the trainer cuts off marked."""
    from ftdata.render.trainer_view import ShownExample, token_pieces

    assert chat.tokenizer is not None  # checked before any example renders
    _, offsets = chat.tokenizer.encode(rendered.text)
    total = len(offsets)
    kept = [True] * total
    if outcome.truncated and length.max_length is not None:
        if length.strategy == "truncate_right":
            kept = [index < length.max_length for index in range(total)]
        elif length.strategy == "truncate_left":
            kept = [index >= total - length.max_length for index in range(total)]
    return ShownExample(code, line, message,
                        token_pieces(rendered.text, offsets, rendered.mask, kept),
                        trained=outcome.trained_before, kept=outcome.kept,
                        truncated=outcome.truncated,
                        dropped_example=outcome.dropped or outcome.raises,
                        dropped_content=rendered.dropped)
