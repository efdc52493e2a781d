"""``ftdata split``: a seeded, leak-free train/validation split.

Examples that are copies of each other (exactly, or nearly with ``near=True``) are joined into
one group by a union-find over their digests, and whole groups are drawn into the validation
side, so no copy ever sits on both sides. Two passes over the file: one to group, one to write.
"""

from __future__ import annotations

import os
import random
from array import array
from dataclasses import dataclass, field
from typing import Any

from ftdata.engine import RecordChecker, detect_format, sample_records
from ftdata.formats import get_format
from ftdata.outputs import atomic_outputs
from ftdata.parsing import RecordError, decode_record, one_line
from ftdata.readers import LineFinding, RawRecord, read_events
from ftdata.rules import error_codes
from ftdata.rules.duplicates import NEAR_THRESHOLD, DigestIndex, NearIndex
from ftdata.targets import get_target

#: Why a record that is not a JSON object is on neither side.
NOT_AN_OBJECT = "not a JSON object"


class _Groups:
    """Union-find over record indexes, with path halving."""

    def __init__(self) -> None:
        self.parent = array("q")

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


@dataclass
class SplitResult:
    input: str
    train: str
    validation: str
    seed: int
    read: int = 0
    train_records: int = 0
    validation_records: int = 0
    groups: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "seed": self.seed, "read": self.read,
                "train": {"path": self.train, "records": self.train_records},
                "validation": {"path": self.validation, "records": self.validation_records},
                "groups": self.groups, "skipped": self.skipped}


def split_file(path: str | os.PathLike[str], directory: str | os.PathLike[str], *,
               validation: float = 0.1, seed: int = 42, near: bool = False,
               threshold: float = NEAR_THRESHOLD, format: str | None = None) -> SplitResult:
    """Split ``path`` into ``DIR/train.jsonl`` and ``DIR/validation.jsonl``.

    ``validation`` is a fraction (0 < v < 1) or a whole number of examples (1, 2, ...; ``1.0``
    is one example); anything else, such as ``1.5``, is refused with ``ValueError``. Records
    that are not JSON objects are skipped and reported, and so is what the reader cannot read
    (a line over the size limit, the end of a truncated gzip, at line ``None``); every other
    record lands on exactly one side: ``read == train + validation + len(skipped)``.

    >>> split_file("data.jsonl", "out", validation=0.1, seed=7).validation_records  # doctest: +SKIP
    120
    """
    if not (0 < validation < 1 or (validation >= 1 and float(validation).is_integer())):
        raise ValueError(f"--validation must be a fraction between 0 and 1 (0.1: a tenth of "
                         f"the examples) or a whole number of examples (50), got {validation:g}")
    events = read_events(path)  # detection looks at records read ahead, not read twice
    fmt = get_format(format) if format else detect_format(sample_records(events)).format
    checker = (RecordChecker(fmt, get_target("generic"), frozenset(), duplicates=True,
                             near=near, error_codes=error_codes())
               if fmt is not None else None)
    groups = _Groups()
    exact = DigestIndex()
    similar = NearIndex(threshold) if near else None
    result = SplitResult(os.fspath(path), os.path.join(directory, "train.jsonl"),
                         os.path.join(directory, "validation.jsonl"), seed)
    usable = array("b")
    for event in events:
        if isinstance(event, LineFinding):
            if event.code in ("F002", "F012"):  # what the reader could not read: not written
                result.read += 1
                result.skipped.append({"line": event.line, "reason": event.message})
            continue
        result.read += 1
        index = groups.add()
        keys = checker(event.data).keys if checker is not None else None
        if keys is None and not _is_object(event.data):
            usable.append(0)
            result.skipped.append({"line": event.line, "reason": NOT_AN_OBJECT})
            continue
        usable.append(1)
        if keys is None:
            continue
        first = exact.setdefault(keys.content, index + 1)
        if first is not None:
            groups.union(index, first - 1)
        if similar is not None and keys.minhash is not None:
            match = similar.query(keys.minhash)
            if match is not None:
                groups.union(index, match[0] - 1)
            similar.insert(index + 1, keys.minhash)
    chosen = _choose_validation(groups, usable, validation, seed, result)
    # Both written whole, then switched as a pair: a kill between the renames is completed by
    # the next run, never left as a new validation file beside an old train file.
    with atomic_outputs([result.train, result.validation], inputs=[path]) as (train, valid):
        index = -1
        for event in read_events(path):
            if not isinstance(event, RawRecord):
                continue
            index += 1
            if not usable[index]:
                continue
            line = one_line(event.data) + b"\n"
            if groups.find(index) in chosen:
                valid.write(line)
                result.validation_records += 1
            else:
                train.write(line)
                result.train_records += 1
    return result


def _choose_validation(groups: _Groups, usable: array[int], validation: float, seed: int,
                       result: SplitResult) -> set[int]:
    sizes: dict[int, int] = {}
    for index in range(len(usable)):
        if usable[index]:
            root = groups.find(index)
            sizes[root] = sizes.get(root, 0) + 1
    result.groups = len(sizes)
    total = sum(sizes.values())
    wanted = round(total * validation) if validation < 1 else int(validation)
    wanted = min(wanted, total - 1) if total > 1 else 0
    order = sorted(sizes)
    random.Random(seed).shuffle(order)
    chosen: set[int] = set()
    taken = 0
    for root in order:
        if taken >= wanted:
            break
        if taken + sizes[root] > wanted and taken > 0:
            continue  # a large group would overshoot: try smaller ones
        chosen.add(root)
        taken += sizes[root]
    return chosen


def _is_object(data: bytes) -> bool:
    try:
        return isinstance(decode_record(data), dict)
    except RecordError:
        return False

