"""Renderers: each turns the list of file reports into one output format. Checks never print.

The package is also ``ftdata.render(path, line, ...)``, the library side of ``ftdata render``:
calling it returns one example as the trainer sees it (see :func:`render_example`).
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any, cast

from ftdata.report import Report

Renderer = Callable[[Sequence[Report], bool], str]

#: Output format -> the module whose ``render(reports, quiet)`` produces it, imported on use.
RENDERERS = {
    "text": "ftdata.render.text",
    "json": "ftdata.render.json",
    "github": "ftdata.render.github",
    "sarif": "ftdata.render.sarif",
    "junit": "ftdata.render.junit",
}

OUTPUT_FORMATS = tuple(RENDERERS)


def get_renderer(name: str) -> Renderer:
    """The renderer of an output format.

    Example::

        get_renderer("sarif")([ftdata.validate("train.jsonl")], False)   # the SARIF log
    """
    try:
        module = RENDERERS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r}") from None
    return cast(Renderer, importlib.import_module(module).render)


def render_example(path: str | os.PathLike[str], line: int, *, tokenizer: str | None = None,
                   template: str | None = None, trainer: str | None = None,
                   max_length: int | None = None, format: str | None = None) -> dict[str, Any]:
    """The record at ``line`` as the trainer sees it: ``ftdata render --output-format json``.

    >>> ftdata.render("train.jsonl", 3, template="qwen3")["trained"]  # doctest: +SKIP
    42

    Keys (SPEC §8a): ``path``, ``line``, ``template``, ``text``, ``ids``, ``mask`` (1 where
    the token trains), ``trained``, ``total``, ``max_length``, ``truncated``, ``dropped`` (the
    trainer drops the example), plus ``template_dropped`` (what the template leaves out),
    ``kept``, ``trained_lost``, ``strategy``, ``trainer`` and ``format``. Raises
    ``ValueError`` (one line) when the line holds no record or the view cannot be set up.
    """
    from ftdata.templates.record import render_record
    from ftdata.templates.view import TrainerView

    view = TrainerView(trainer, template, tokenizer, max_length)
    return render_record(path, line, view, format=format)


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`render_example` (``ftdata.render(path, line)``)."""

    def __call__(self, path: str | os.PathLike[str], line: int,
                 **options: Any) -> dict[str, Any]:
        return render_example(path, line, **options)


sys.modules[__name__].__class__ = _CallableModule
