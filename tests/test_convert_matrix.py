"""Every kind of input converts into every provider's format, and the output validates clean.

Each conversion writes or reports every record (``read == written + skipped``, each skip with
its line and reason), and the written file has no error-severity issue for its target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ftdata
from tests.conftest import CORPUS
from tests.sources import FIXTURES

SOURCES: dict[str, tuple[Path, dict[str, Any]]] = {
    "qa-spreadsheet": (FIXTURES / "faq.csv", {}),
    "support-chat-csv": (FIXTURES / "support_chat.csv", {}),
    "transcript": (FIXTURES / "transcript.txt", {}),
    "whatsapp": (FIXTURES / "whatsapp_ios_24h.txt", {"roles": {"Support": "assistant"}}),
    "chatgpt-export": (FIXTURES / "chatgpt_conversations.json", {}),
    "alpaca": (CORPUS / "alpaca__llamafactory_en_demo.json", {}),
    "sharegpt": (CORPUS / "sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json", {}),
}
TARGETS = [("openai-chat", "openai"), ("vertex-gemini", "vertex"),
           ("bedrock-conversation", "bedrock"), ("bedrock-claude", "bedrock"),
           ("trl-conversational", "trl"), ("sharegpt", "llamafactory"),
           ("alpaca", "llamafactory"), ("prompt-completion", "together")]


@pytest.mark.parametrize(("to", "target"), TARGETS, ids=[t[0] for t in TARGETS])
@pytest.mark.parametrize("source", list(SOURCES))
def test_source_converts_and_validates(source: str, to: str, target: str,
                                       tmp_path: Path) -> None:
    path, options = SOURCES[source]
    if not path.exists():
        pytest.skip(f"{path} is not present")
    output = tmp_path / "out.jsonl"
    summary = ftdata.convert(path, output, to=to, **options)
    assert summary["read"] == summary["written"] + len(summary["skipped"])
    assert all(skip["reason"] for skip in summary["skipped"])
    if not summary["written"]:
        # Nothing this format can express (e.g. multi-turn chats as prompt-completion): every
        # record must then be reported.
        assert len(summary["skipped"]) == summary["read"] > 0
        return
    report = ftdata.validate(output, format=to, target=target, ignore=["F007", "D"],
                             tokens=False)
    errors = [(i.code, i.line, i.message) for i in report.issues if i.severity.value == "error"]
    assert errors == []
