"""WhatsApp exports: Android and iOS, 12- and 24-hour clocks, media, system lines."""

from __future__ import annotations

import pytest

from ftdata.sources import SourceError
from ftdata.sources.whatsapp import parse_header, placeholder, split_author
from tests.conftest import CORPUS
from tests.sources import FIXTURES, read


def test_android_12_hour_clock_with_spanish_markers() -> None:
    """a. m./p. m. markers, a multi-line message, the edited marker removed, media and deleted
    messages skipped with their lines, one conversation per day."""
    assert read(FIXTURES / "whatsapp_android_12h.txt", "whatsapp",
                roles={"Tienda": "assistant"}) == [
        (2, ("chat", [("user", "¿Tienen envío gratis?"),
                      ("assistant", "Sí, desde 50 €.\nPara pedidos nacionales."),
                      ("user", "Gracias"), ("assistant", "¡De nada!")])),
        (5, ("skip", "media message (<Media omitted>): no text to train on")),
        (9, ("skip", "no assistant turn")),
        (10, ("skip", "deleted message (This message was deleted): no text to train on")),
        (11, ("chat", [("user", "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit."),
                       ("assistant", ".\nOk")])),
    ]


def test_android_24_hour_clock() -> None:
    assert read(FIXTURES / "whatsapp_android_24h.txt", "whatsapp",
                roles={"Shop Bot 🤖": "assistant"}) == [
        (2, ("chat", [("user", "Hi! Is the shop open tomorrow?"),
                      ("assistant", "No, it is closed on 1 January."), ("user", "Thanks")])),
        (4, ("skip", "media message (IMG-20211231-WA0001.jpg (file attached)): no text to "
                     "train on")),
        (6, ("skip", "no user turn")),
    ]


def test_ios_12_hour_clock_with_narrow_spaces_and_notices() -> None:
    assert read(FIXTURES / "whatsapp_ios_12h.txt", "whatsapp",
                roles={"support": "assistant"}) == [
        (2, ("chat", [("user", "Where is my order #123?"), ("assistant", "It ships on Monday."),
                      ("user", "Thanks!\nHave a nice evening.")])),
        (4, ("skip", "media message (image omitted): no text to train on")),
    ]


def test_ios_24_hour_clock() -> None:
    assert read(FIXTURES / "whatsapp_ios_24h.txt", "whatsapp",
                roles={"Support": "assistant"}) == [
        (1, ("chat", [("user", "Wo ist meine Bestellung?"),
                      ("assistant", "Sie wird am Montag verschickt."), ("user", "Danke!")])),
        (3, ("skip", "media message (<attached: 00000012-PHOTO-2021-12-31-22-16-40.jpg>): no "
                     "text to train on")),
    ]


def test_the_assistant_must_be_named() -> None:
    path = FIXTURES / "whatsapp_android_24h.txt"
    with pytest.raises(SourceError, match=r"--roles 'NAME=assistant' \(authors: 'Alice', "
                                          r"'Shop Bot 🤖'\)"):
        read(path, "whatsapp")
    with pytest.raises(SourceError, match="--roles Shop: no author of that name"):
        read(path, "whatsapp", roles={"Shop": "assistant"})


def test_header_parsing() -> None:
    assert parse_header("01/01/2019, 11:25 a. m. - John Doe: Hi") == ("01/01/2019",
                                                                       "John Doe: Hi")
    assert parse_header("[31.12.21, 22:15:30] Bob: Hi") == ("31.12.21", "Bob: Hi")
    assert parse_header("\u200e[12/31/21, 10:15:30\u202fPM] Bob: Hi") == ("12/31/21",
                                                                           "Bob: Hi")
    assert parse_header("2021-12-31 22:15 - Bob: Hi") == ("2021-12-31", "Bob: Hi")
    assert parse_header("consectetur adipiscing elit.") is None
    assert split_author("John Doe:.") == ("John Doe", ".")
    assert split_author("John-John Doe: a : b") == ("John-John Doe", "a : b")
    assert split_author('Alice changed the subject to "Trip: Paris"') is None
    assert split_author("You were added") is None
    assert placeholder("\u200evideo omitted") == "media message"
    assert placeholder("Missed voice call") == "call notice"
    assert placeholder("I omitted nothing") is None


def test_corpus_chatminer_export() -> None:
    """Eleven lines, each day a single message: nothing forms a conversation, and each day is
    reported; the system lines of 06/20 and 06/30 are no records."""
    path = CORPUS / "chatlog_whatsapp__chatminer_12hrs.txt"
    if not path.exists():
        pytest.skip("corpus not present")
    items = read(path, "whatsapp", roles={"John Doe": "assistant"})
    assert items == [(1, ("skip", "no user turn")), (2, ("skip", "no user turn")),
                     (3, ("skip", "no assistant turn")), (5, ("skip", "no assistant turn")),
                     (8, ("skip", "no assistant turn")), (9, ("skip", "no assistant turn")),
                     (10, ("skip", "no user turn"))]
