"""No secret leaked: realistic fake keys and personal data go through every renderer and every
error path, and none of them is ever printed or written whole into a report (SPEC §4)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_clean_exit, ftdata

# Fakes with the real shapes (prefixes, lengths, checksums), so the detectors fire.
OPENAI = "sk-proj-Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO0kWnBvXyMqL2rD7sE9fC4gH6jK8"
AWS_ID = "AKIAQ7XLM2VB9KDR4TYW"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7xLm2Vb9"
GITHUB = "ghp_Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUgRG9lIn0"
       ".Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO0kWnBvX")
PEM_BODY = ("MIIEowIBAAKCAQEAq7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO0kWnBvXyMqL2\n"
            "rD7sE9fC4gH6jK8Q7xLm2Vb9KdR4tYw8NcZ1pHs6FgJ3eUa5TiO0kWnBvXyMqL2")
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"
EMAIL = "jane.doe.private@protonmail.ch"
PHONE = "+44 7911 123456"
CARD = "4539 1488 0343 6467"  # Luhn-valid
IBAN = "DE89 3704 0044 0532 0130 00"

SECRETS = {"openai": OPENAI, "aws-id": AWS_ID, "aws-secret": AWS_SECRET, "github": GITHUB,
           "jwt": JWT, "pem": PEM_BODY.split("\n")[0], "email": EMAIL, "phone": PHONE,
           "card": CARD, "iban": IBAN}


def _chat(user: str, assistant: str, role: str = "user") -> str:
    return json.dumps({"messages": [{"role": role, "content": user},
                                    {"role": "assistant", "content": assistant}]})


def _dataset(directory: Path) -> Path:
    """Every secret in content, in the data an error message quotes, and in broken lines."""
    lines = [
        _chat(f"My key is {OPENAI}, use it.", f"Stored {OPENAI} for you."),
        _chat(f"aws_access_key_id={AWS_ID}\naws_secret_access_key={AWS_SECRET}", "Done "),
        _chat(f"token {GITHUB}", "ok"),
        _chat(f"Authorization: Bearer {JWT}", "Thanks."),
        _chat(f"Here is my key:\n{PEM}", "Received."),
        _chat(f"Mail me at {EMAIL} or call {PHONE}.", "Will do."),
        _chat(f"Card {CARD}, IBAN {IBAN}.", "Charged."),
        # Data that error messages quote: a role, an unknown key, a wrong value.
        _chat("Hi", "Hello", role=GITHUB),
        json.dumps({"messages": [{"role": "user", "content": "x"},
                                 {"role": "assistant", "content": "y", "weight": OPENAI}],
                    OPENAI: JWT}),
        # Broken lines around secrets: parse errors, a truncated record.
        '{"messages": [{"role": "user", "content": "' + OPENAI + '"}, oops]}',
        '{"messages": [{"role": "user", "content": "' + AWS_ID + " " + AWS_SECRET,
        _chat(f"My key is {OPENAI}, use it.", f"Stored {OPENAI} for you."),  # a duplicate
    ]
    path = directory / "secrets.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _transcript(directory: Path) -> Path:
    path = directory / "chat.txt"
    path.write_text(f"User: my key is {OPENAI}\nAssistant: noted\n\n"
                    f"{GITHUB}: who am I?\nAssistant: a token\n", encoding="utf-8")
    return path


def _validate(kind: str) -> Callable[[Path, Path], list[str | os.PathLike[str]]]:
    return lambda source, out: ["validate", "--output-format", kind, "--no-tokens",
                                "--near-duplicates", source]


COMMANDS: dict[str, Callable[[Path, Path], list[str | os.PathLike[str]]]] = {
    **{f"validate-{kind}": _validate(kind) for kind in ("text", "json", "github", "sarif",
                                                          "junit")},
    "validate-target-bedrock": lambda source, out: ["validate", "--target", "bedrock",
                                                    "--no-tokens", source],
    "stats-text": lambda source, out: ["stats", source],
    "stats-json": lambda source, out: ["stats", "--output-format", "json", source],
    "report-html": lambda source, out: ["report", source, "-o", out / "report.html"],
    "convert-text": lambda source, out: ["convert", source, "-o", out / "c.jsonl", "--to",
                                         "sharegpt"],
    "convert-json": lambda source, out: ["convert", source, "-o", out / "c.jsonl", "--to",
                                         "prompt-completion", "--output-format", "json"],
    "convert-transcript": lambda source, out: ["convert", _transcript(source.parent), "-o",
                                               out / "t.jsonl", "--to", "openai-chat"],
    "fix": lambda source, out: ["fix", source, "-o", out / "fixed.jsonl"],
    "split": lambda source, out: ["split", source, "--validation", "0.5", "-o", out / "split"],
    "refused-output": lambda source, out: ["fix", source, "-o", source],
}


def _shown(text: str) -> list[str]:
    """The fakes that appear whole in ``text``, also as JSON or HTML would escape them."""
    forms = {name: {value, json.dumps(value)[1:-1], value.replace("+", "&#43;"),
                    value.replace("/", "\\/")} for name, value in SECRETS.items()}
    return [name for name, variants in forms.items() if any(v in text for v in variants)]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_secret_is_printed_or_written_into_a_report(command: str, tmp_path: Path) -> None:
    source = _dataset(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    run = ftdata(*COMMANDS[command](source, out), cwd=tmp_path)
    assert_clean_exit(run)
    assert not _shown(run.stdout), run.stdout
    assert not _shown(run.stderr), run.stderr
    report = out / "report.html"
    if report.exists():
        assert not _shown(report.read_text("utf-8"))


def test_the_secrets_are_found_so_the_check_means_something(tmp_path: Path) -> None:
    run = ftdata("validate", "--output-format", "json", "--no-tokens", _dataset(tmp_path),
                 cwd=tmp_path)
    issues = json.loads(run.stdout)["files"][0]["issues"]
    found = {(issue["line"], issue["code"]) for issue in issues}
    for line in (1, 2, 3, 4, 5):
        assert (line, "P001") in found, line
    assert {(6, "P002"), (7, "P002"), (8, "C001"), (10, "F002"), (11, "F002")} <= found
    messages = " ".join(issue["message"] for issue in issues)
    assert "AKIA" in messages and "…(" in messages  # masked, not dropped
