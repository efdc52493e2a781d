"""A seeded generator of realistic chat fine-tuning JSONL, at any size.

Multi-turn conversations of prose and code, with non-ASCII text, tool calls, log-normal lengths,
and a small share of duplicates and defects, so a benchmark exercises every path of the
validator. The same seed and size always give the same bytes.

    python benchmarks/generate.py out.jsonl --size 200MB --seed 7
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Iterator
from typing import Any

WORDS = ("the a of to and in is for on with that this it as be by are from or at your can "
         "will we you have not an all more one which when there their about if has but so "
         "order account refund shipping delivery invoice customer product support warranty "
         "password reset email address tracking label return exchange payment card balance "
         "model data training example validation token limit dataset file format schema "
         "function request response error message value result number list table report").split()
NON_ASCII = ("café", "naïve", "über", "São Paulo", "Zürich", "東京", "北京", "Москва",
             "München", "crème brûlée", "résumé", "jalapeño", "😀", "👍", "Ελλάδα", "مرحبا")
CODE = ('def {name}(items):\n    """Return the {word} of the items."""\n'
        '    total = 0\n    for item in items:\n        total += item.{word}\n    return total\n',
        "SELECT {word}, COUNT(*) FROM orders WHERE status = '{name}' GROUP BY {word};",
        "const {name} = async (id) => {{\n  const res = await fetch(`/api/{word}/${{id}}`);\n"
        "  return res.json();\n}};")
SYSTEMS = ("You are a helpful customer support assistant for an online shop.",
           "You are a senior software engineer. Answer with working code.",
           "You are a concise assistant. Answer in one or two sentences.")
TOOLS = [{"type": "function", "function": {
    "name": "lookup_order", "description": "Look up an order by its number.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                   "required": ["order_id"]}}}]


def _length(rng: random.Random, median: float) -> int:
    return max(1, int(rng.lognormvariate(math.log(median), 0.8)))


def _prose(rng: random.Random, median: int) -> str:
    words = [rng.choice(WORDS) for _ in range(_length(rng, median))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(NON_ASCII))
    sentences = []
    for start in range(0, len(words), 14):
        sentence = " ".join(words[start:start + 14])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
    return " ".join(sentences)


def _code(rng: random.Random) -> str:
    return rng.choice(CODE).format(name=rng.choice(WORDS) + "_" + rng.choice(WORDS),
                                   word=rng.choice(WORDS))


def _conversation(rng: random.Random, index: int, *, tools: bool = True) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if rng.random() < 0.8:
        messages.append({"role": "system", "content": rng.choice(SYSTEMS)})
    record: dict[str, Any] = {"messages": messages}
    if rng.random() < 0.1 and tools:
        order = f"A{rng.randrange(10**6):06d}"
        messages += [
            {"role": "user", "content": f"Where is my order {order}?"},
            {"role": "assistant", "tool_calls": [{"id": f"call_{index}", "type": "function",
                "function": {"name": "lookup_order",
                             "arguments": json.dumps({"order_id": order})}}]},
            {"role": "tool", "tool_call_id": f"call_{index}",
             "content": json.dumps({"status": "shipped", "eta_days": rng.randrange(1, 6)})},
            {"role": "assistant", "content": _prose(rng, 30)},
        ]
        record["tools"] = TOOLS
        return record
    for _ in range(min(8, _length(rng, 1.5))):
        messages.append({"role": "user", "content": _prose(rng, 25)})
        answer = _prose(rng, 80)
        if rng.random() < 0.25:
            answer += "\n\n```\n" + _code(rng) + "\n```"
        messages.append({"role": "assistant", "content": answer})
    return record


def _defect(rng: random.Random, record: dict[str, Any]) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        record["messages"][-1]["content"] = ""
    elif kind == 1:
        record["messages"] = [m for m in record["messages"] if m["role"] != "assistant"]
    elif kind == 2:
        record["messages"][0]["role"] = "bot"
    else:
        return json.dumps(record, ensure_ascii=False)[:-7]  # truncated line
    return json.dumps(record, ensure_ascii=False)


def lines(seed: int, *, plain: bool = False) -> Iterator[str]:
    """An endless, reproducible stream of JSONL lines (no newline).

    ``plain`` leaves out tool calls and defects (duplicates stay): system, user and assistant
    turns only, which every checker accepts, so one that stops at the first problem reads the
    whole file too.
    """
    rng = random.Random(seed)
    recent: list[str] = []
    index = 0
    while True:
        index += 1
        roll = rng.random()
        if roll < 0.02 and recent:
            yield rng.choice(recent)  # an exact duplicate
            continue
        record = _conversation(rng, index, tools=not plain)
        line = (_defect(rng, record) if roll > 0.995 and not plain
                else json.dumps(record, ensure_ascii=False))
        if len(recent) < 1000:
            recent.append(line)
        else:
            recent[rng.randrange(1000)] = line
        yield line


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?B?)?", text.strip(), re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    unit = (match.group(2) or "").upper().rstrip("B")
    return int(float(match.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[unit])


def generate(path: str, size: int, seed: int, *, plain: bool = False) -> int:
    """Write at least ``size`` bytes of JSONL to ``path``; return the number of lines."""
    written = count = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in lines(seed, plain=plain):
            if written >= size:
                break
            out.write(line + "\n")
            written += len(line.encode("utf-8")) + 1
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--size", type=parse_size, default=parse_size("10MB"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", action="store_true",
                        help="no tool calls and no defects (system, user, assistant turns only)")
    args = parser.parse_args(argv)
    count = generate(args.output, args.size, args.seed, plain=args.plain)
    print(f"{args.output}: {count} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
