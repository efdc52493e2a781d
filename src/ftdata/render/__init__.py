"""Renderers: each turns the list of file reports into one output format. Checks never print.

The package is also ``ftdata.render(path, line, ...)``, the library side of ``ftdata render``:
calling it returns one example as the trainer sees it (:func:`ftdata.api.render`, where it is
written; the package only forwards the call, since ``ftdata.render`` names both).
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


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`ftdata.api.render` (``ftdata.render(path, line)``)."""

    def __call__(self, path: str | os.PathLike[str], line: int,
                 **options: Any) -> dict[str, Any]:
        from ftdata.api import render

        return render(path, line, **options)


sys.modules[__name__].__class__ = _CallableModule
