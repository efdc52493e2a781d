"""The JSON Schema documents of every format, shipped in the package under ``schemas/``.

The files are generated from the formats' shapes (``python -m ftdata.jsonschemas``); a test
checks that the files in the repository are up to date.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

from ftdata.formats import format_ids, get_format


def schema_filename(format_id: str) -> str:
    return f"{format_id}.schema.json"


def render_schema(format_id: str) -> str:
    """The schema text for a format, as it is stored in ``schemas/``."""
    return json.dumps(get_format(format_id).json_schema(), indent=2, ensure_ascii=False) + "\n"


def read_schema_text(format_id: str) -> str:
    """The shipped schema file of a format."""
    get_format(format_id)  # unknown ids raise ValueError with the list of known ones
    return (resources.files("ftdata") / "schemas" / schema_filename(format_id)).read_text("utf-8")


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for format_id in format_ids():
        path = directory / schema_filename(format_id)
        path.write_text(render_schema(format_id), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("schemas")
    for path in write_all(target):
        print(path)
