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
import struct
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import xxhash

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example, Message
from ftdata.rules._registry import Fix, register

if TYPE_CHECKING:
    import numpy
    import numpy.typing

    #: A MinHash signature: NUM_PERM unsigned 32-bit values.
    Signature = numpy.typing.NDArray[numpy.uint32]

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
""", scope="dataset", fix=Fix("dropped duplicate"))

register("D002", "near-duplicate", W, """
    An example is almost the same as an earlier one (opt-in: `--near-duplicates`).

    **What it does.** Estimates the Jaccard similarity of word 3-grams (case and punctuation
    folded) with MinHash (rensa's `RMinHash`, 128 permutations; datasketch's where rensa is
    not installed) and locality-sensitive hashing, and reports pairs above the threshold (0.8
    by default), naming the earlier line. Pairs within a few hundredths of the threshold may
    go either way: the estimate's standard error there is 0.035.

    **Why is this bad?** Templated or lightly edited copies over-weight one pattern and leak
    between training and validation splits just like exact copies.

    **Example.** Two support answers that differ only in the customer's name.

    **Use instead.** Keep one representative, or vary the examples more.
""", scope="dataset")

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
""", scope="dataset")

register("D004", "validation-leak", E, """
    A validation example also appears in the training file.

    **What it does.** With `--validation-file`, reports each validation example whose canonical
    content is in the training file (and, with `--near-duplicates`, a near copy), at the
    validation file's line, naming the training line.

    **Why is this bad?** Validation loss measures memorisation instead of generalisation: the
    metrics you tune on are inflated.

    **Example.** `valid.jsonl:7` is a copy of `train.jsonl:1,204`.

    **Use instead.** Split with `ftdata split`, which keeps copies on one side.
""", scope="dataset")

#: Default Jaccard threshold for D002.
NEAR_THRESHOLD = 0.8
NUM_PERM = 128
#: LSH false-positive/false-negative weights: favour recall, candidates are verified anyway.
LSH_WEIGHTS = (0.1, 0.9)
SHINGLE = 3
_WORD = re.compile(r"\w+")
#: A digest's first 8 bytes and the 4 after them, as the index stores them.
_HEAD_TAIL = struct.Struct("<QI")
_LOW32 = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class RecordKeys:
    """Fixed-size digests of one example, enough to find its copies."""

    content: bytes
    prompt: bytes | None
    answer: bytes | None
    #: MinHash signature of the word shingles (:func:`minhash_of`), when near duplicates are
    #: looked for.
    minhash: Any = None
    #: The digest of the (prompt, answer) pair; computed from the two when absent.
    pair: bytes | None = None


def _normal(text: str) -> str:
    # An ASCII string is its own normal form, and str.isascii() is a flag lookup.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _message_key(message: Message, *, weight: bool = True) -> list[Any]:
    return [message.role, _normal(message.text),
            [[call.name, call.arguments] for call in message.tool_calls],
            [part.url for part in message.content or () if part.type != "text"],
            message.weight if weight else None, message.reasoning]


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


def near_text(example: Example) -> str:
    """The text near-duplicate detection compares: what tells one example from another.

    The system prompt and the tool list are left out: a file repeats them in every example,
    and shared they made unrelated answers look alike (the OpenAI cookbook's drone file: 44 of
    87 examples flagged, "land at base station" and "go faster" 89% similar, with them; none
    without). Tool calls count, by name and arguments: they are the answer of a tool-calling
    turn.
    """
    if example.kind == "text":
        return example.text or ""
    parts: list[str] = []
    for message in example.all_messages():
        if message.role in ("system", "developer"):
            continue
        parts.append(message.text)
        for call in message.tool_calls:
            parts.append(f"{call.name} {call.arguments}")
    return "\n".join(parts)


def shingles(text: str) -> list[bytes]:
    """Word 3-grams of the text, case and punctuation folded (words, for short texts)."""
    # An ASCII text is its own NFKC form, and its case folding is its lower case.
    folded = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    words = _WORD.findall(folded)
    if len(words) < SHINGLE:
        return [" ".join(words).encode()] if words else []
    # SHINGLE words each: the slices are shorter, so zip stops at the last full 3-gram.
    return [f"{a} {b} {c}".encode()
            for a, b, c in zip(words, words[1:], words[2:], strict=False)]


_PERMUTATIONS: Any = None
_SCHEME = "affine32"
#: The seed of rensa's permutations: fixed, so signatures agree across processes and runs.
RENSA_SEED = 42


def minhash_engine() -> str | None:
    """The MinHash library near-duplicate detection uses: ``rensa`` (Rust, the ``near``
    extra), else ``datasketch`` when only it is installed, else ``None``."""
    global _ENGINE
    if _ENGINE is _UNSET:
        _ENGINE = None
        for name in ("rensa", "datasketch"):
            try:
                __import__(name)
            except ImportError:
                continue
            _ENGINE = name
            break
    return _ENGINE


_UNSET = "?"
_ENGINE: str | None = _UNSET


def minhash_of(text: str) -> Signature | None:
    """The MinHash signature of the text's shingles (:data:`NUM_PERM` unsigned 32-bit
    values), ``None`` for a text without words. Built with rensa's ``RMinHash`` (its
    permutations seeded with :data:`RENSA_SEED`), or datasketch's ``MinHash`` (xxh32 and the
    ``affine32`` scheme, permutations shared by every call) when rensa is missing."""
    grams = shingles(text)
    if not grams:
        return None
    if minhash_engine() == "rensa":
        from rensa import RMinHash

        sketch = RMinHash(NUM_PERM, RENSA_SEED)
        sketch.update(grams)
        return _uint32(sketch.digest())
    return _datasketch_signature(grams)


def _datasketch_signature(grams: list[bytes]) -> Signature:
    global _PERMUTATIONS
    from datasketch import MinHash

    if _PERMUTATIONS is None:
        _PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=_SCHEME).permutations
    sketch = MinHash(num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest,
                     permutations=_PERMUTATIONS, scheme=_SCHEME)
    sketch.update_batch(grams)
    values: Signature = sketch.hashvalues.astype("uint32")
    return values


def _uint32(values: list[int]) -> Signature:
    import numpy

    # Through an array: half the time of numpy.array on a list.
    return numpy.frombuffer(array("I", values), dtype=numpy.uint32)


def near_bands(threshold: float, num_perm: int = NUM_PERM,
               weights: tuple[float, float] = LSH_WEIGHTS) -> list[tuple[int, int]]:
    """The LSH bands, as (start, end) ranges of the signature: ``b`` bands of ``r`` rows that
    minimise the weighted chances of a false positive and a false negative at ``threshold``.

    This is datasketch's choice (``datasketch/lsh.py``, ``_optimal_param``, lines 21-48 in
    datasketch 2.0.0), its integrals taken with Simpson's rule instead of scipy's ``quad``
    (the test compares the two), so that the bands do not need datasketch.
    """
    best, chosen = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            def collides(s: float, b: int = bands, r: int = rows) -> float:
                return float(1 - (1 - s ** r) ** b)

            def misses(s: float, b: int = bands, r: int = rows) -> float:
                return float((1 - s ** r) ** b)

            false_positive = _simpson(collides, 0.0, threshold)
            false_negative = _simpson(misses, threshold, 1.0)
            error = false_positive * weights[0] + false_negative * weights[1]
            if error < best:
                best, chosen = error, (bands, rows)
    bands, rows = chosen
    return [(index * rows, (index + 1) * rows) for index in range(bands)]


def _simpson(function: Callable[[float], float], low: float, high: float,
             steps: int = 200) -> float:
    width = (high - low) / steps
    total: float = function(low) + function(high)
    for step in range(1, steps):
        total += function(low + step * width) * (4 if step % 2 else 2)
    return total * width / 3


def _turn_key(message: Message) -> list[Any]:
    """What makes two turns the same, their weight aside (``_message_key`` without it)."""
    content = message.content
    calls = message.tool_calls
    return [message.role, _normal(message.text),
            [[call.name, call.arguments] for call in calls] if calls else [],
            [part.url for part in content if part.type != "text"] if content else []]


def record_keys(example: Example, *, near: bool = False) -> RecordKeys:
    """The digests of one example (pure: the per-record check calls it).

    Each turn is keyed once and the key serves all three digests; the content digest holds the
    same information as :func:`canonical_content` (the weights and the reasoning traces ride in
    lists of their own), so two examples share a digest exactly when their canonical content
    is equal. The answer is its final text: two traces that reach the same answer do not
    conflict (D003).
    """
    messages = example.messages
    turns = [_turn_key(m) for m in messages]
    content = _digest([example.kind, _normal(example.text or ""), turns,
                       [m.weight for m in messages], [m.reasoning for m in messages],
                       [_message_key(m) for m in example.chosen or ()],
                       [_message_key(m) for m in example.rejected or ()],
                       example.label, example.tools])
    prompt = answer = pair = None
    # Unpaired preference data (a label) and stepwise supervision (a label per step) answer
    # one prompt several ways on purpose.
    if (example.kind in ("chat", "completion") and example.label is None
            and "labels" not in example.metadata):
        for index in range(len(messages) - 1, -1, -1):
            if messages[index].role == "assistant":
                prompt = _digest([turns[:index], example.tools])
                answer = _digest(turns[index])
                pair = _combine(prompt, answer)
                break
    return RecordKeys(content=content, prompt=prompt, answer=answer,
                      minhash=minhash_of(near_text(example)) if near else None, pair=pair)


class DigestIndex:
    """An open-addressing hash table of 128-bit digests to the line they were first seen at.

    Each slot is 16 bytes (12 bytes of the digest, a 4-byte line number), held as two unsigned
    64-bit words of one array, so ten million records fit in a few hundred megabytes instead of
    gigabytes of Python objects, and a probe compares two integers instead of slicing bytes.
    The first word is the digest's first 8 bytes; the second packs the next 4 with the line
    (never 0 in a used slot, so a zero word marks a free one).
    """

    SLOT = 16
    KEY = 12
    #: The table doubles when it is three quarters full.
    MAX_LOAD = 0.75

    def __init__(self, capacity: int = 1 << 14) -> None:
        if capacity < 1 or capacity & (capacity - 1):
            raise ValueError("capacity must be a power of two")
        self.capacity = capacity
        self.table = array("Q", bytes(self.SLOT * capacity))
        self.size = 0

    def get(self, digest: bytes) -> int | None:
        head: int
        tail: int
        head, tail = _HEAD_TAIL.unpack_from(digest)
        table = self.table
        wrap = 2 * self.capacity - 1
        index = (head << 1) & wrap
        while True:
            second = table[index + 1]
            if not second:
                return None
            if table[index] == head and second & _LOW32 == tail:
                return second >> 32
            index = (index + 2) & wrap

    def setdefault(self, digest: bytes, line: int) -> int | None:
        """Remember ``line`` for a new digest; return the earlier line for a known one."""
        head: int
        tail: int
        head, tail = _HEAD_TAIL.unpack_from(digest)
        table = self.table
        wrap = 2 * self.capacity - 1
        index = (head << 1) & wrap
        while True:
            second = table[index + 1]
            if not second:
                break
            if table[index] == head and second & _LOW32 == tail:
                return second >> 32
            index = (index + 2) & wrap
        table[index] = head
        table[index + 1] = tail | min(max(line, 1), _LOW32) << 32
        self.size += 1
        if self.size > self.MAX_LOAD * self.capacity:
            self._grow()
        return None

    def _grow(self) -> None:
        # Re-insert every used slot into a table twice the size, in one tight loop over the
        # old words, a block at a time (a whole list of them would double the peak memory).
        old = self.table
        self.capacity *= 2
        table = self.table = array("Q", bytes(self.SLOT * self.capacity))
        wrap = 2 * self.capacity - 1
        block = 1 << 16
        for start in range(0, len(old), block):
            words = old[start:start + block]
            for head, second in zip(words[0::2].tolist(), words[1::2].tolist(), strict=True):
                if not second:
                    continue
                index = (head << 1) & wrap
                while table[index + 1]:
                    index = (index + 2) & wrap
                table[index] = head
                table[index + 1] = second

    @property
    def nbytes(self) -> int:
        return self.table.itemsize * len(self.table)


_BANDS: dict[float, list[tuple[int, int]]] = {}


def _bands_for(threshold: float) -> list[tuple[int, int]]:
    """:func:`near_bands` with the default permutations and weights, worked out once."""
    if threshold not in _BANDS:
        _BANDS[threshold] = near_bands(threshold)
    return _BANDS[threshold]


class NearIndex:
    """MinHash LSH over the examples seen so far.

    The banding (how many bands of how many rows) is datasketch's for the threshold and
    weights (:func:`near_bands`); the band tables are kept here, one ``dict`` per band from
    the band's hash to the first line (or the lines) that had it: about 40 bytes a band an
    example, where
    datasketch's tables of byte strings and sets took several hundred (336 MB at the peak
    for a 50 MB file, 265 MB with the issues held).
    """

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        self.threshold = threshold
        self.ranges: list[tuple[int, int]] = _bands_for(threshold)
        self.tables: list[dict[int, int | list[int]]] = [{} for _ in self.ranges]
        #: Only the hash values are kept (512 bytes an example), not the MinHash objects.
        self.values: dict[int, Any] = {}

    def _bands(self, values: Any) -> list[int]:
        return [hash(values[start:end].tobytes()) for start, end in self.ranges]

    def query(self, values: Signature) -> tuple[int, float] | None:
        """The earliest similar line above the threshold, with the estimated similarity."""
        best: tuple[int, float] | None = None
        candidates: set[int] = set()
        for table, band in zip(self.tables, self._bands(values), strict=True):
            found = table.get(band)
            if found is None:
                continue
            if isinstance(found, int):
                candidates.add(found)
            else:
                candidates.update(found)
        for line in candidates:
            similarity = float((values == self.values[line]).mean())
            if similarity >= self.threshold and (best is None or line < best[0]):
                best = (line, similarity)
        return best

    def insert(self, line: int, values: Signature) -> None:
        for table, band in zip(self.tables, self._bands(values), strict=True):
            found = table.setdefault(band, line)
            if found == line:
                continue
            if isinstance(found, int):
                table[band] = [found, line]
            else:
                found.append(line)
        self.values[line] = values


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
            pair = keys.pair if keys.pair is not None else _combine(keys.prompt, keys.answer)
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

