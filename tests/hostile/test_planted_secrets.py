"""The planted-secret sweep: every kind of secret, in every place a message can quote a value
from, through every command and output format (SPEC §4: no secret is ever echoed whole).

Each (place, kind) pair gets its own fake, so a leak names the place it came from. A fake
counts as leaked when any 8 characters of its random body appear in an output, also once the
output is un-escaped the way JSON, HTML, URLs and JSON pointers escape it: the masks show at
most four characters, so a longer piece is always a leak.
"""

from __future__ import annotations

import base64
import html
import json
import random
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from ftdata.cli import cli

#: How many characters of a secret's random part make a leak (a mask shows at most four).
WINDOW = 8


@dataclass(frozen=True)
class Secret:
    kind: str
    value: str
    body: str  # the random part: a piece of it in an output is a leak


def _random(rng: random.Random, length: int, alphabet: str) -> str:
    while True:
        text = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in text) and any(c.isupper() for c in text) \
                and any(c.islower() for c in text):
            return text


ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits


def _secret(kind: str, rng: random.Random, *, one_line: bool) -> Secret:
    """A fake with the real shape of ``kind`` (prefixes, lengths), new random body each time."""
    if kind == "aws-id":
        body = "".join(rng.choice(UPPER) for _ in range(16))
        return Secret(kind, "AKIA" + body, body)
    if kind == "aws-secret":  # no vendor prefix; "/" so pointers escape it as "~1"
        body = _random(rng, 18, ALNUM) + "/" + _random(rng, 10, ALNUM) + "+" \
            + _random(rng, 10, ALNUM)
        return Secret(kind, body, body)
    if kind == "openai":
        body = _random(rng, 48, ALNUM)
        return Secret(kind, "sk-proj-" + body, body)
    if kind == "anthropic":
        body = _random(rng, 93, ALNUM + "_-")
        return Secret(kind, f"sk-ant-api03-{body}AA", body)
    if kind == "github":
        body = _random(rng, 36, ALNUM)
        return Secret(kind, "ghp_" + body, body)
    if kind == "slack":
        body = _random(rng, 24, ALNUM)
        return Secret(kind, f"xoxb-{rng.randrange(10**11, 10**12)}-"
                            f"{rng.randrange(10**12, 10**13)}-{body}", body)
    if kind == "google":
        body = _random(rng, 35, ALNUM + "_-")
        return Secret(kind, "AIza" + body, body)
    if kind == "jwt":
        payload = base64.urlsafe_b64encode(json.dumps(
            {"sub": _random(rng, 12, ALNUM), "name": "Jane"}).encode()).decode().rstrip("=")
        signature = _random(rng, 43, ALNUM + "_-")
        return Secret(kind, f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{signature}",
                      signature)
    assert kind == "pem"
    body = _random(rng, 64, ALNUM + "+/") + ("" if one_line else "\n") \
        + _random(rng, 64, ALNUM + "+/")
    separator = " " if one_line else "\n"
    return Secret(kind, f"-----BEGIN PRIVATE KEY-----{separator}{body}{separator}"
                        f"-----END PRIVATE KEY-----", body)


KINDS = ("aws-id", "aws-secret", "openai", "anthropic", "github", "slack", "google", "jwt",
         "pem")


def _chat(*messages: Mapping[str, object], **extra: object) -> dict[str, object]:
    return {"messages": list(messages), **extra}


USER: dict[str, object] = {"role": "user", "content": "Hello there, how are you?"}
ASSISTANT: dict[str, object] = {"role": "assistant", "content": "Fine, thank you for asking."}


def _openai_record(place: str, secret: str) -> dict[str, object]:
    if place == "key":
        return {secret: "x", **_chat(USER, ASSISTANT)}
    if place == "nested key":
        return _chat({**USER, secret: 1}, ASSISTANT)
    if place == "role":
        return _chat({"role": secret, "content": "Hi"}, USER, ASSISTANT)
    if place == "tool name":
        call = {"id": "call_1", "type": "function",
                "function": {"name": secret, "arguments": "{}"}}
        return _chat(USER, {"role": "assistant", "content": None, "tool_calls": [call]},
                     tools=[{"type": "function", "function": {"name": "lookup",
                                                              "parameters": {}}}])
    if place == "tool_call_id":
        return _chat(USER, {"role": "tool", "tool_call_id": secret, "content": "42"},
                     ASSISTANT)
    if place == "part type":
        return _chat({"role": "user", "content": [{"type": secret, "text": "Hi"}]}, ASSISTANT)
    if place == "image URL":
        return _chat({"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": secret}}]}, ASSISTANT)
    assert place == "file content"
    return _chat({"role": "user", "content": f"My key is {secret} and it fails"}, ASSISTANT)


OPENAI_PLACES = ("key", "nested key", "role", "tool name", "tool_call_id", "part type",
                 "image URL", "file content")


@dataclass(frozen=True)
class Source:
    name: str
    path: Path
    planted: dict[tuple[str, str], Secret]  # (place, kind) -> the fake
    convert_to: str
    roles: tuple[str, ...] = ()


def _sources(directory: Path) -> list[Source]:
    rng = random.Random(15)
    sources = []

    def plant(places: tuple[str, ...], one_line: bool = False
              ) -> dict[tuple[str, str], Secret]:
        return {(place, kind): _secret(kind, rng, one_line=one_line)
                for place in places for kind in KINDS}

    planted = plant(OPENAI_PLACES)
    path = directory / "openai.jsonl"
    path.write_text("".join(json.dumps(_openai_record(place, secret.value)) + "\n"
                            for (place, _), secret in planted.items()), encoding="utf-8")
    sources.append(Source("openai", path, planted, "sharegpt"))

    planted = plant(("sharegpt from",))
    path = directory / "sharegpt.jsonl"
    path.write_text("".join(json.dumps({"conversations": [
        {"from": secret.value, "value": "Hi"}, {"from": "human", "value": "Hello there"},
        {"from": "gpt", "value": "Fine, thanks."}]}) + "\n" for secret in planted.values()),
        encoding="utf-8")
    sources.append(Source("sharegpt", path, planted, "openai-chat"))

    planted = plant(("bedrock role",))
    path = directory / "bedrock.jsonl"
    path.write_text("".join(json.dumps({
        "schemaVersion": "bedrock-conversation-2024", "system": [{"text": "Be brief."}],
        "messages": [{"role": secret.value, "content": [{"text": "Hi"}]},
                     {"role": "user", "content": [{"text": "Hello there"}]},
                     {"role": "assistant", "content": [{"text": "Fine."}]}]}) + "\n"
        for secret in planted.values()), encoding="utf-8")
    sources.append(Source("bedrock", path, planted, "openai-chat"))

    planted = plant(("whatsapp author",), one_line=True)
    path = directory / "_chat.txt"
    lines = ["[01.02.23, 10:00:00] Shop Bot: Welcome!"]
    lines += [f"[01.02.23, 10:0{i % 10}:01] {secret.value}: Hello there"
              for i, secret in enumerate(planted.values())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources.append(Source("whatsapp", path, planted, "openai-chat"))

    planted = plant(("transcript speaker",), one_line=True)
    path = directory / "transcript.txt"
    # A speaker first in a conversation, and one in the middle of it.
    path.write_text("User: hello\nAssistant: hi\n\n" + "".join(
        f"{secret.value}: who am I?\nAssistant: nobody\n\n"
        f"User: hello\nAssistant: hi\n{secret.value}: who am I?\nAssistant: nobody\n\n"
        for secret in planted.values()), encoding="utf-8")
    sources.append(Source("transcript", path, planted, "openai-chat",
                          ("User=user", "Assistant=assistant")))
    return sources


def _validate(kind: str) -> Callable[[Source, Path], list[str]]:
    return lambda source, out: ["validate", "--output-format", kind, "--no-tokens",
                                str(source.path)]


def _convert(output_format: str, *, roles: bool) -> Callable[[Source, Path], list[str]]:
    def args(source: Source, out: Path) -> list[str]:
        given = [arg for pair in source.roles for arg in ("--roles", pair)] if roles else []
        if roles and source.name == "whatsapp":
            given = ["--roles", "Shop Bot=assistant"]
        return ["convert", str(source.path), "-o", str(out / f"c-{output_format}.jsonl"),
                "--to", source.convert_to, "--output-format", output_format, *given]
    return args


#: Every output a value can reach, by the command that prints or writes it.
OUTPUTS: dict[str, Callable[[Source, Path], list[str]]] = {
    **{f"validate {kind}": _validate(kind) for kind in ("text", "json", "github", "sarif",
                                                          "junit")},
    "stats text": lambda source, out: ["stats", str(source.path)],
    "stats json": lambda source, out: ["stats", "--output-format", "json", str(source.path)],
    "convert text": _convert("text", roles=True),
    "convert json": _convert("json", roles=True),
    "convert without roles": _convert("text", roles=False),
    "fix": lambda source, out: ["fix", str(source.path), "-o", str(out / "fixed.jsonl")],
    "split": lambda source, out: ["split", str(source.path), "--validation", "0.5", "-o",
                                  str(out / "split")],
    "report": lambda source, out: ["report", str(source.path), "-o", str(out / "report.html")],
}


def _views(text: str) -> list[str]:
    """``text`` as printed, and un-escaped as JSON, HTML, URLs and JSON pointers escape."""
    views = [text, html.unescape(text), unquote(text), text.replace("\\/", "/")]
    views += [view.replace("~1", "/").replace("~0", "~") for view in list(views)]
    return views


def _leaked(secret: Secret, views: list[str]) -> bool:
    pieces = {secret.body[i:i + WINDOW] for i in range(len(secret.body) - WINDOW + 1)}
    pieces = {piece.replace("\n", "") for piece in pieces} | pieces
    return any(piece in view for view in views for piece in pieces if len(piece) == WINDOW)


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        (args, result.exception)
    return result.stdout + result.stderr


def sweep(directory: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """How many (place, kind, output) combinations were checked, and those that leaked."""
    checked, leaks = 0, []
    for source in _sources(directory):
        for output, make in OUTPUTS.items():
            out = directory / "out" / source.name / re.sub(r"\W", "-", output)
            out.mkdir(parents=True)
            printed = _run(make(source, out))
            if output == "report":
                report = out / "report.html"
                printed += report.read_text("utf-8") if report.exists() else ""
            views = _views(printed)
            for (place, kind), secret in source.planted.items():
                checked += 1
                if _leaked(secret, views):
                    leaks.append((place, kind, output))
    return checked, leaks


@pytest.mark.slow
def test_no_planted_secret_reaches_any_output(tmp_path: Path) -> None:
    checked, leaks = sweep(tmp_path)
    assert checked == (len(OPENAI_PLACES) + 4) * len(KINDS) * len(OUTPUTS)
    assert not leaks, f"{len(leaks)} of {checked} leaked: {leaks}"


def test_the_sweep_sees_a_leak(tmp_path: Path) -> None:
    """The check itself: a body printed whole, or escaped, is found."""
    secret = _secret("aws-secret", random.Random(1), one_line=False)
    escaped = json.dumps("/" + secret.value.replace("~", "~0").replace("/", "~1"))
    assert _leaked(secret, _views(escaped))
    assert not _leaked(secret, _views(f"'{secret.value[:4]}…({len(secret.value)} chars)'"))
