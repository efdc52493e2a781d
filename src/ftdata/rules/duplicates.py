"""Duplicate rules (D): exact copies, near copies, conflicting answers and validation leaks.

Each record contributes a few fixed-size digests of its canonical content, computed by the
pure per-record check (:func:`record_keys`); :class:`DuplicateTracker` keeps the file's index
and reports a copy at the later record's line, naming the first. Exact digests are 128-bit
xxh3 hashes of the canonical content after Unicode normalisation, so key order, JSON whitespace
and composed/decomposed accents do not hide a copy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import xxhash

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example, Message
from ftdata.rules import register

if TYPE_CHECKING:
    from datasketch import MinHash

W, E = Severity.WARNING, Severity.ERROR

register("D001", "duplicate-example", W, """
    An example is an exact copy of an earlier one.

    **What it does.** Compares the canonical content of every example (roles, texts, tool
    calls, labels; not key order, JSON whitespace or Unicode normal form) and names the line of
    the first copy.

    **Why is this bad?** Copies are trained on several times: they skew the model towards
    them, waste tokens and money, and make validation scores look better than they are.

    **Example.** The same question and answer on lines 12 and 4,031.

    **Use instead.** Keep one copy (`ftdata fix` drops later copies).
""", fixable=True)

register("D002", "near-duplicate", W, """
    An example is almost the same as an earlier one (opt-in: `--near-duplicates`).

    **What it does.** Estimates the Jaccard similarity of word 3-grams (case and punctuation
    folded) with MinHash and locality-sensitive hashing, and reports pairs above the
    threshold (0.8 by default), naming the earlier line.

    **Why is this bad?** Templated or lightly edited copies over-weight one pattern and leak
    between training and validation splits just like exact copies.

    **Example.** Two support answers that differ only in the customer's name.

    **Use instead.** Keep one representative, or vary the examples more.
""")

register("D003", "conflicting-completions", W, """
    The same prompt has different answers in different examples.

    **What it does.** Compares everything before the final assistant turn (the prompt) and the
    final answer; reports an example whose prompt appeared earlier with another answer.

    **Why is this bad?** The model is taught two answers to one question: it learns to hedge or
    to pick at random. Often one of the two is outdated.

    **Example.** "What is the refund window?" answered "14 days" on line 8 and "30 days" on
    line 912.

    **Use instead.** Keep the correct answer; if both are valid, make the prompts differ by the
    context that decides between them.
""")

register("D004", "validation-leak", E, """
    A validation example also appears in the training file.

    **What it does.** With `--validation-file`, reports each validation example whose canonical
    content is in the training file (and, with `--near-duplicates`, a near copy), at the
    validation file's line, naming the training line.

    **Why is this bad?** Validation loss measures memorisation instead of generalisation: the
    metrics you tune on are inflated.

    **Example.** `valid.jsonl:7` is a copy of `train.jsonl:1,204`.

    **Use instead.** Split with `ftdata split`, which keeps copies on one side.
""")

#: Default Jaccard threshold for D002.
NEAR_THRESHOLD = 0.8
NUM_PERM = 128
#: LSH false-positive/false-negative weights: favour recall, candidates are verified anyway.
LSH_WEIGHTS = (0.1, 0.9)
SHINGLE = 3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class RecordKeys:
    """Fixed-size digests of one example, enough to find its copies."""

    content: bytes
    prompt: bytes | None
    answer: bytes | None
    #: MinHash values of the word shingles, when near duplicates are looked for.
    minhash: Any = None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _message_key(message: Message, *, weight: bool = True) -> list[Any]:
    return [message.role, _normal(message.text),
            [[call.name, call.arguments] for call in message.tool_calls],
            [part.url for part in message.content or () if part.type != "text"],
            message.weight if weight else None]


def _digest(value: Any) -> bytes:
    try:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # lone surrogates, integers beyond 64 bits: valid JSON orjson refuses
        data = json.dumps(value, sort_keys=True, ensure_ascii=True).encode()
    return xxhash.xxh3_128_digest(data)


def canonical_content(example: Example) -> list[Any]:
    """The parts of an example that make it the same example, in a JSON-able form."""
    return [example.kind, _normal(example.text or ""),
            [_message_key(m) for m in example.messages],
            [_message_key(m) for m in example.chosen or ()],
            [_message_key(m) for m in example.rejected or ()],
            example.label, example.tools]


def _prompt_and_answer(example: Example) -> tuple[list[Message], Message] | None:
    # Unpaired preference data (a label) answers one prompt several ways on purpose.
    if example.kind not in ("chat", "completion") or example.label is not None:
        return None
    messages = example.messages
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "assistant":
            return messages[:index], messages[index]
    return None


def near_text(example: Example) -> str:
    """The text near-duplicate detection compares: every text of the example."""
    if example.kind == "text":
        return example.text or ""
    return "\n".join(m.text for m in example.all_messages())


def shingles(text: str) -> list[bytes]:
    """Word 3-grams of the text, case and punctuation folded (words, for short texts)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < SHINGLE:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)]


_PERMUTATIONS: Any = None
_SCHEME = "affine32"


def minhash_of(text: str) -> MinHash | None:
    """The MinHash of the text's shingles, with permutations shared by every call."""
    global _PERMUTATIONS
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return None
    if _PERMUTATIONS is None:
        _PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=_SCHEME).permutations
    sketch = MinHash(num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest,
                     permutations=_PERMUTATIONS, scheme=_SCHEME)
    sketch.update_batch(grams)
    return sketch


def record_keys(example: Example, *, near: bool = False) -> RecordKeys:
    """The digests of one example (pure: the per-record check calls it)."""
    split = _prompt_and_answer(example)
    prompt = answer = None
    if split is not None:
        before, last = split
        prompt = _digest([[_message_key(m, weight=False) for m in before], example.tools])
        answer = _digest(_message_key(last, weight=False))
    return RecordKeys(content=_digest(canonical_content(example)), prompt=prompt, answer=answer,
                      minhash=minhash_of(near_text(example)) if near else None)


class DigestIndex:
    """An open-addressing hash table of 128-bit digests to the line they were first seen at.

    Each slot is 16 bytes (12 bytes of the digest, a 4-byte line number), in one bytearray, so
    ten million records fit in a few hundred megabytes instead of gigabytes of Python objects.
    """

    SLOT = 16
    KEY = 12

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.capacity = capacity
        self.table = bytearray(self.SLOT * capacity)
        self.size = 0

    def _slot(self, digest: bytes) -> int:
        mask = self.capacity - 1
        index = int.from_bytes(digest[:8], "little") & mask
        key = digest[:self.KEY]
        table = self.table
        while True:
            offset = index * self.SLOT
            line = int.from_bytes(table[offset + self.KEY:offset + self.SLOT], "little")
            if line == 0 or table[offset:offset + self.KEY] == key:
                return offset
            index = (index + 1) & mask

    def get(self, digest: bytes) -> int | None:
        offset = self._slot(digest)
        line = int.from_bytes(self.table[offset + self.KEY:offset + self.SLOT], "little")
        return line or None

    def setdefault(self, digest: bytes, line: int) -> int | None:
        """Remember ``line`` for a new digest; return the earlier line for a known one."""
        offset = self._slot(digest)
        known = int.from_bytes(self.table[offset + self.KEY:offset + self.SLOT], "little")
        if known:
            return known
        self.table[offset:offset + self.KEY] = digest[:self.KEY]
        self.table[offset + self.KEY:offset + self.SLOT] = min(max(line, 1), 2**32 - 1) \
            .to_bytes(4, "little")
        self.size += 1
        if self.size * 4 > self.capacity * 3:
            self._grow()
        return None

    def _grow(self) -> None:
        old, old_capacity = self.table, self.capacity
        self.capacity *= 2
        self.table = bytearray(self.SLOT * self.capacity)
        self.size = 0
        for index in range(old_capacity):
            offset = index * self.SLOT
            line = int.from_bytes(old[offset + self.KEY:offset + self.SLOT], "little")
            if line:
                self.setdefault(bytes(old[offset:offset + self.KEY]) + b"\0" * 4, line)

    @property
    def nbytes(self) -> int:
        return len(self.table)


class NearIndex:
    """MinHash LSH over the examples seen so far (datasketch)."""

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS,
                              hashfunc=xxhash.xxh64_digest)
        #: Only the hash values are kept (512 bytes an example), not the MinHash objects.
        self.values: dict[int, Any] = {}

    def query(self, sketch: MinHash) -> tuple[int, float] | None:
        """The earliest similar line above the threshold, with the estimated similarity."""
        best: tuple[int, float] | None = None
        values = sketch.hashvalues
        for line in self.lsh.query(sketch):
            similarity = float((values == self.values[line]).mean())
            if similarity >= self.threshold and (best is None or line < best[0]):
                best = (line, similarity)
        return best

    def insert(self, line: int, sketch: MinHash) -> None:
        self.lsh.insert(line, sketch, check_duplication=False)
        self.values[line] = sketch.hashvalues


class DuplicateTracker:
    """The duplicate index of one file: fed records in order, it reports D001-D003."""

    def __init__(self, *, near: bool = False, threshold: float = NEAR_THRESHOLD) -> None:
        self.contents = DigestIndex()
        self.prompts = DigestIndex()
        self.pairs = DigestIndex()
        self.near = NearIndex(threshold) if near else None

    def observe(self, keys: RecordKeys, line: int) -> list[Finding]:
        findings: list[Finding] = []
        first = self.contents.setdefault(keys.content, line)
        if first is not None:
            return [Finding("D001", f"duplicate of line {first}")]
        if keys.prompt is not None and keys.answer is not None:
            pair = _combine(keys.prompt, keys.answer)
            same_prompt = self.prompts.setdefault(keys.prompt, line)
            seen_pair = self.pairs.setdefault(pair, line)
            if same_prompt is not None and seen_pair is None:
                findings.append(Finding("D003", f"same prompt as line {same_prompt} with a "
                                                f"different answer"))
        if self.near is not None and keys.minhash is not None:
            match = self.near.query(keys.minhash)
            if match is not None:
                findings.append(Finding("D002", f"near duplicate of line {match[0]} "
                                                f"(similarity about {match[1]:.0%})"))
            self.near.insert(line, keys.minhash)
        return findings

    def leaks(self, keys: RecordKeys, training_name: str) -> list[Finding]:
        """D004 for a validation record against this (training) index."""
        line = self.contents.get(keys.content)
        if line is not None:
            return [Finding("D004", f"also in the training file ({training_name}:{line})")]
        if self.near is not None and keys.minhash is not None:
            match = self.near.query(keys.minhash)
            if match is not None:
                return [Finding("D004", f"near copy of {training_name}:{match[0]} (similarity "
                                        f"about {match[1]:.0%})")]
        return []


def _combine(prompt: bytes, answer: bytes) -> bytes:
    return xxhash.xxh3_128_digest(prompt + answer)

