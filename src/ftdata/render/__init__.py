"""Renderers: each turns the list of file reports into one output format. Checks never print."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ftdata.report import Report

Renderer = Callable[[Sequence[Report], bool], str]


def get_renderer(name: str) -> Renderer:
    if name == "json":
        from ftdata.render.json import render
    elif name == "text":
        from ftdata.render.text import render
    else:
        raise ValueError(f"unknown output format {name!r}")
    return render


OUTPUT_FORMATS = ("text", "json")
