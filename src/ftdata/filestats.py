"""A file's statistics as ``ftdata stats`` and :func:`ftdata.stats` give them (SPEC §6).

The API over :mod:`ftdata.statistics` (distributions and accumulators, which the engine fills)
and :mod:`ftdata.billing`: it validates the file through the engine and reads the figures off
the report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ftdata.billing import auto_epochs, billed_tokens, estimate_cost
from ftdata.engine import ValidateOptions, token_setup, validate_path
from ftdata.statistics import StatsAccumulator

if TYPE_CHECKING:
    from ftdata.engine import TokenSetup
    from ftdata.report import Report


#: The model ``ftdata stats`` counts for when none is given.
DEFAULT_STATS_MODEL = "gpt-4.1-mini"


def file_stats(path: str | os.PathLike[str], *, model: str | None = None,
               epochs: int | str = "auto", max_tokens: int | None = None,
               tokenizer: str | None = None, format: str | None = None,
               extra_models: Sequence[Mapping[str, Any]] = (), trainer: str | None = None,
               template: str | None = None, max_length: int | None = None,
               trainer_options: Sequence[tuple[str, Any]] = (), target: str = "generic"
               ) -> dict[str, Any]:
    """Token counts, distributions, epochs and the training bill of one file (SPEC §6).

    ``target`` picks the format where shapes overlap (``bedrock``: ``bedrock-claude`` rather
    than ``openai-chat``) and so which records are examples. With ``trainer``, ``template`` or
    ``max_length`` (SPEC §8a), a ``trainer`` object tells what that trainer renders, trains,
    truncates and drops.

    >>> file_stats("train.jsonl", model="gpt-4.1-mini")["billed_tokens"]  # doctest: +SKIP
    123456
    """
    # With a tokenizer and no model, no other model's limit or price applies.
    options = ValidateOptions(format=format, target=target,
                              model=model or (None if tokenizer else DEFAULT_STATS_MODEL),
                              max_tokens=max_tokens, tokenizer=tokenizer,
                              select=tuple(sorted(UNREADABLE_CODES)),
                              extra_models=tuple(extra_models), trainer=trainer,
                              template=template, max_length=max_length,
                              trainer_options=tuple(trainer_options))
    setup = token_setup(options)
    assert setup is not None
    return report_stats(validate_path(path, options), setup, epochs)


def report_stats(report: Report, setup: TokenSetup, epochs: int | str = "auto"
                 ) -> dict[str, Any]:
    """The SPEC §6 statistics of a file from its validation report: the file is not read again.

    >>> report_stats(validate_path("train.jsonl", options), token_setup(options))["epochs"]
    ... # doctest: +SKIP
    3
    """
    accumulator = report.accumulator or StatsAccumulator()
    examples = accumulator.examples
    automatic = auto_epochs(examples) if examples else 0
    n_epochs = automatic if epochs == "auto" else int(epochs)
    billed = billed_tokens(accumulator.tokens, setup.limit, n_epochs)
    return {
        "path": report.path,
        "format": report.format,
        "examples": examples,
        "model": setup.model_id,
        "tokenizer": setup.counter.name,
        "estimated": setup.counter.estimated or accumulator.estimated,
        "max_tokens_per_example": setup.limit,
        "tokens": accumulator.token_summary(),
        "messages_per_example": accumulator.messages.summary(),
        "over_limit": accumulator.over_limit,
        "epochs": n_epochs,
        "billed_tokens": billed,
        "cost": estimate_cost(billed, setup.model) if setup.model else None,
        "over_limit_lines": accumulator.over_limit_lines,
        "histogram": accumulator.tokens.histogram(),
        "roles": dict(sorted(accumulator.roles.items())),
        "examples_missing_system": accumulator.missing_system,
        "examples_missing_user": accumulator.missing_user,
        "records": report.records,
        "skipped_records": report.records - examples,
        **({"trainer": report.stats["trainer"]} if "trainer" in report.stats else {}),
        "unreadable": _unreadable(report),
    }


#: Codes of a record, or a part of the file, that could not be read: it is in no figure.
UNREADABLE_CODES = frozenset({"F001", "F002", "F003"})
#: How many of them the statistics name (the count covers them all).
UNREADABLE_SHOWN = 5


def _unreadable(report: Report) -> dict[str, Any]:
    """What of the file the figures leave out: the count, and the first few with their line
    (``None`` for the end of a truncated file)."""
    found = [issue for issue in report.issues if issue.code in UNREADABLE_CODES]
    return {"count": len(found),
            "first": [{"line": issue.line, "code": issue.code, "message": issue.message}
                      for issue in found[:UNREADABLE_SHOWN]]}
