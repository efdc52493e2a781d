"""``render_record``: one record of a file as the trainer sees it (``ftdata render``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftdata.templates.record import render_record
from ftdata.templates.view import TrainerView, ViewError

CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"},
                     {"role": "assistant", "content": "Paris is the capital."}]}


def test_render_record_reads_json_array_elements(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps([CHAT, {"messages": [{"role": "user", "content": "Hi"}]}],
                               indent=2), encoding="utf-8")
    view = TrainerView(template="chatml")
    result = render_record(path, 2, view)
    assert result["line"] == 2 and result["trained"] == 0
    assert result["text"].startswith("<|im_start|>user\nHi")
    with pytest.raises(ViewError, match="no record starts on that line"):
        render_record(path, 3, view)
