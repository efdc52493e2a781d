"""The corpus run's data: the chat files of ``../shared/corpus/`` as OpenAI chat, repeated to size.

SPEC §9 asks for the figures on real text too, beside the generator. Each chat file of the
corpus (a conversation per record, whatever its format) is converted once to ``openai-chat``
with ``ftdata convert``; the records are then written in turn, again and again, until the file
reaches the size asked for. In the n-th copy after the first, every text turn has `` (n)``
appended, so that no text of one copy repeats a text of another: a file in which nearly every
record were a copy would measure the duplicate report, and a text seen in an earlier copy
would cost ftdata nothing (it counts a repeated text once) while the bare tiktoken loop pays
for it again. Texts that repeat within the corpus itself (a shared system prompt) still
repeat within each copy, as they do in the real files.

    python -m benchmarks.corpus out.jsonl --size 200MB [--plain]

``--plain`` keeps what Together's ``check_file`` accepts to the end: system, user and assistant
turns of text only, the last one the assistant's, no tool definitions or calls, no other keys.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from benchmarks.generate import parse_size

#: The corpus beside the repository, as the tests find it.
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

#: Name parts of corpus files that hold something other than one conversation per record:
#: preference pairs, graded tasks, tables, plain text and single-turn instruction files.
_NOT_CHAT = ("dpo", "kto", "rft", "csv", "chatlog", "alpaca", "prompt_completion", "text__")

#: Bumped when the way the file is built changes, so an older cached file is never reused.
CORPUS_DATA_VERSION = 2


def chat_files(corpus: Path = CORPUS) -> list[Path]:
    """The corpus files whose records are conversations."""
    if not corpus.is_dir():
        return []
    return sorted(path for path in corpus.iterdir()
                  if path.suffix in (".jsonl", ".json")
                  and not any(part in path.name for part in _NOT_CHAT))


def converted_records(path: Path) -> list[dict[str, Any]]:
    """The records of ``path`` as ``ftdata convert --to openai-chat`` writes them."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out.jsonl"
        subprocess.run([sys.executable, "-m", "ftdata", "convert", str(path), "--to",
                        "openai-chat", "-o", str(output)],
                       capture_output=True, check=False)
        if not output.exists():
            return []
        return [orjson.loads(line) for line in output.read_bytes().splitlines() if line.strip()]


def _plain(record: dict[str, Any]) -> dict[str, Any] | None:
    messages = []
    for message in record.get("messages") or ():
        role, content = message.get("role"), message.get("content")
        if role not in ("system", "user", "assistant") or not isinstance(content, str):
            return None
        if message.get("tool_calls") or not content.strip():
            return None
        messages.append({"role": role, "content": content})
    if not messages or messages[-1]["role"] != "assistant":
        return None
    return {"messages": messages}


def _marked(record: dict[str, Any], copy: int) -> dict[str, Any]:
    """``record`` with `` (copy)`` after each of its texts (the record itself when 0)."""
    if copy == 0:
        return record
    messages = [dict(message) for message in record["messages"]]
    for message in messages:
        if isinstance(message.get("content"), str):
            message["content"] = f"{message['content']} ({copy})"
    return {**record, "messages": messages}


@functools.lru_cache(maxsize=4)
def records(corpus: Path = CORPUS, *, plain: bool = False) -> list[dict[str, Any]]:
    """Every conversation of the corpus's chat files as OpenAI chat records (a record with no
    text turn at all is left out, since a copy of it could not be told apart)."""
    found: list[dict[str, Any]] = []
    for path in chat_files(corpus):
        for record in converted_records(path):
            kept = _plain(record) if plain else record
            if kept is not None and any(isinstance(message.get("content"), str)
                                        for message in kept.get("messages") or ()):
                found.append(kept)
    return found


def _lines(items: list[dict[str, Any]]) -> Iterator[bytes]:
    copy = 0
    while True:
        for record in items:
            yield orjson.dumps(_marked(record, copy))
        copy += 1


def build(path: Path, size: int, *, plain: bool = False, corpus: Path = CORPUS) -> int:
    """Write at least ``size`` bytes of repeated corpus chats to ``path``; the line count."""
    items = records(corpus, plain=plain)
    if not items:
        raise RuntimeError(f"no chat files found in {corpus}")
    written = count = 0
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for line in _lines(items):
            if written >= size:
                break
            out.write(line + b"\n")
            written += len(line) + 1
            count += 1
    os.replace(partial, path)
    return count


def dataset(cache: Path, size: int, *, plain: bool = False, corpus: Path = CORPUS) -> Path:
    """The corpus file for ``size``, made once and kept in ``cache``."""
    path = cache / f"{'plain' if plain else 'chat'}-corpus-v{CORPUS_DATA_VERSION}-{size}.jsonl"
    if not path.exists():
        build(path, size, plain=plain, corpus=corpus)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--size", type=parse_size, default=parse_size("10MB"))
    parser.add_argument("--plain", action="store_true",
                        help="only what Together's check_file accepts to the end")
    args = parser.parse_args(argv)
    try:
        count = build(args.output, args.size, plain=args.plain)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{args.output}: {count} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
