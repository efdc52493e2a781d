"""Renderers: each turns the list of file reports into one output format. Checks never print."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import cast

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
