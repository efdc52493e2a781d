"""Transcripts: ``Speaker: text`` lines, a blank line between conversations."""

from __future__ import annotations

from pathlib import Path

from ftdata.sources.transcript import looks_like
from tests.sources import FIXTURES, read

TRANSCRIPT = FIXTURES / "transcript.txt"


def test_conversations_speakers_and_multi_line_messages() -> None:
    assert read(TRANSCRIPT, "transcript") == [
        (1, ("chat", [("user", "How do I reset my password?"),
                      ("assistant", "Open Settings, then Security.\n"
                                    "The link is at the bottom: “Reset”.")])),
        (5, ("chat", [("user", "Is there a student discount?\nI study in Köln."),
                      ("assistant", "Yes, 20%.")])),
        (10, ("skip", "unknown speaker 'Alice' at line 10 (map it with --roles "
                      "'Alice=user|assistant|system')")),
        (13, ("skip", "no assistant turn")),
        (15, ("skip", "line 15 does not start with a speaker ('Name: text')")),
    ]


def test_roles_name_other_speakers() -> None:
    items = dict(read(TRANSCRIPT, "transcript", roles={"Alice": "user", "Bob": "assistant"}))
    assert items[10] == ("chat", [("user", "Hi Bob"), ("assistant", "Hi Alice")])


def test_crlf_bom_and_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"\xef\xbb\xbfHuman: Hi\r\nAI: Hello\r\n  indented\r\n\r\n"
                     b"User: caf\xe9\r\nBot: ok\r\n")
    assert read(path, "transcript") == [
        (1, ("chat", [("user", "Hi"), ("assistant", "Hello\n  indented")])),
        (5, ("skip", "invalid UTF-8 at line 5, byte 10")),
    ]


def test_looks_like() -> None:
    assert looks_like("User: hi\nAssistant: hello\n")
    assert looks_like("Alice: hi\nBob: hello\n")
    assert not looks_like("# Title: a document\nSome text.\n")
    assert not looks_like("Alice: a note to self\n")


def test_a_speaker_missing_from_roles_skips_the_conversation(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("Alice: Hi\nBob: Hello\nCarol: Me too\nBob: Bye\n\n"
                    "Alice: Again\nBob: Yes\nStep 1 of 2 done\n", encoding="utf-8")
    roles = {"Alice": "user", "Bob": "assistant"}
    assert read(path, "transcript", roles=roles) == [
        (1, ("skip", "unknown speaker 'Carol' at line 3 (map it with --roles "
                     "'Carol=user|assistant|system')")),
        # A line that does not read as 'Name: text' still continues the message.
        (6, ("chat", [("user", "Again"), ("assistant", "Yes\nStep 1 of 2 done")])),
    ]
    mapped = read(path, "transcript", roles={**roles, "Carol": "user"})
    assert mapped[0] == (1, ("chat", [("user", "Hi"), ("assistant", "Hello"),
                                      ("user", "Me too"), ("assistant", "Bye")]))


def test_without_roles_a_colon_line_inside_a_message_continues_it(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("User: How?\nAssistant: Like this.\nNote: it takes a minute.\n",
                    encoding="utf-8")
    assert read(path, "transcript") == [
        (1, ("chat", [("user", "How?"),
                      ("assistant", "Like this.\nNote: it takes a minute.")])),
    ]
