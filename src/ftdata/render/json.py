"""The JSON report of SPEC §5: ``{"ftdata_version", "files": [...]}``."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from ftdata import __version__
from ftdata.report import Report


def render(reports: Sequence[Report], quiet: bool = False) -> str:
    document = {"ftdata_version": __version__, "files": [r.to_dict() for r in reports]}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
