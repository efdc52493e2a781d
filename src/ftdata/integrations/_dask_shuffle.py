"""The Dask integration's shuffles: duplicate digests grouped by hash across partitions, so that
no worker holds the whole index; D001/D003 within each group, and D002 through the LSH bands of
the single-machine index. Plain functions over digest tuples, run as ``dask.bag`` tasks. See
:mod:`ftdata.integrations.dask`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.integrations._dask_partitions import (
    Key,
    Outcome,
)
from ftdata.report import Report
from ftdata.rules.duplicates import NUM_PERM

#: A duplicate found across the dataset: (code, partition, line, record, first partition,
#: first line, similarity for D002).
Copy = tuple[str, int, int, int, int, int, float]


#: Digest bytes that choose a shuffle group: 65,536 groups, each small whatever the dataset.
GROUP_BYTES = 2


def content_group(key: Key) -> int:
    # An int, not bytes: ints hash the same in every worker process.
    return int.from_bytes(key[0][:GROUP_BYTES], "big")


def prompt_group(key: Key) -> int:
    assert key[1] is not None
    return int.from_bytes(key[1][:GROUP_BYTES], "big")


def first_copies(group: tuple[int, list[Key]]) -> list[tuple[str, Any]]:
    """D001 for every later copy of a content, and the first copy of each for D003."""
    by_content: dict[bytes, list[Key]] = {}
    for key in group[1]:
        by_content.setdefault(key[0], []).append(key)
    out: list[tuple[str, Any]] = []
    for members in by_content.values():
        members.sort(key=lambda k: (k[3], k[5]))
        first = members[0]
        for later in members[1:]:
            out.append(("copy", ("D001", later[3], later[4], later[5], first[3], first[4],
                                 0.0)))
        if (first[1] is not None and first[2] is not None) or first[6] is not None:
            out.append(("first", first))
    return out


def prompt_conflicts(group: tuple[int, list[Key]]) -> list[Copy]:
    """D003 for each example whose prompt came earlier with none of its answers so far."""
    by_prompt: dict[bytes | None, list[Key]] = {}
    for key in group[1]:
        by_prompt.setdefault(key[1], []).append(key)
    out: list[Copy] = []
    for members in by_prompt.values():
        members.sort(key=lambda k: (k[3], k[5]))
        first = members[0]
        answers = {first[2]}
        for later in members[1:]:
            if later[2] not in answers:
                answers.add(later[2])
                out.append(("D003", later[3], later[4], later[5], first[3], first[4], 0.0))
    return out


def has_prompt(key: Key) -> bool:
    return key[1] is not None and key[2] is not None


def has_sketch(key: Key) -> bool:
    return key[6] is not None


#: Where an example is: (partition, record, line).
Place = tuple[int, int, int]


def band_entries(key: Key, ranges: Sequence[tuple[int, int]]) -> list[tuple[bytes, Place]]:
    """One entry per LSH band: the band's number and values, as the LSH index hashes them."""
    values = key[6]
    width = len(values) // NUM_PERM  # bytes of one MinHash value
    return [(band.to_bytes(2, "big") + values[start * width:end * width],
             (key[3], key[5], key[4]))
            for band, (start, end) in enumerate(ranges)]


def band_group(entry: tuple[bytes, Place]) -> int:
    import xxhash

    return int(xxhash.xxh64_intdigest(entry[0])) & 0xFFFF


def band_candidates(group: tuple[int, list[tuple[bytes, Place]]]) -> list[tuple[Place, Place]]:
    """(later, earlier) for every two examples sharing an LSH bucket: the index's candidates."""
    buckets: dict[bytes, list[Place]] = {}
    for band, place in group[1]:
        buckets.setdefault(band, []).append(place)
    pairs: set[tuple[Place, Place]] = set()
    for members in buckets.values():
        members.sort()
        for index, later in enumerate(members):
            pairs.update((later, earlier) for earlier in members[:index])
    return sorted(pairs)


def sketch_entry(key: Key) -> tuple[tuple[int, int], tuple[str, Any, Any]]:
    return (key[3], key[5]), ("values", (key[3], key[5], key[4]), key[6])


def earlier_entry(pair: tuple[Place, Place]) -> tuple[tuple[int, int], tuple[str, Any, Any]]:
    later, earlier = pair
    return (later[0], later[1]), ("earlier", earlier, None)


def entry_place(entry: tuple[tuple[int, int], Any]) -> tuple[int, int]:
    return entry[0]


def to_earlier(group: tuple[tuple[int, int], list[tuple[tuple[int, int], Any]]]
                ) -> list[tuple[tuple[int, int], tuple[str, Any, Any]]]:
    """An example's MinHash values, sent to each earlier candidate of it."""
    values = next(entry for _, entry in group[1] if entry[0] == "values")
    return [((earlier[0], earlier[1]), ("later", values[1], values[2]))
            for _, (kind, earlier, _) in group[1] if kind == "earlier"]


def verified(group: tuple[tuple[int, int], list[tuple[tuple[int, int], Any]]],
              threshold: float) -> list[Copy]:
    """D002 candidates whose estimated similarity reaches the threshold."""
    entries = [entry for _, entry in group[1]]
    mine = next(entry for entry in entries if entry[0] == "values")
    import numpy

    _, (partition, _, line), data = mine
    dtype = f"u{len(data) // NUM_PERM}"
    values = numpy.frombuffer(data, dtype=dtype)
    out: list[Copy] = []
    for kind, later, later_data in entries:
        if kind != "later":
            continue
        later_values = numpy.frombuffer(later_data, dtype=dtype)
        # The estimate NearIndex.query makes, on the same values.
        similarity = float((later_values == values).mean())
        if similarity >= threshold:
            out.append(("D002", later[0], later[2], later[1], partition, line, similarity))
    return out


def copy_target(copy: Copy) -> tuple[int, int]:
    return copy[1], copy[3]


def earliest(best: Copy | None, other: Copy | None) -> Copy:
    # The first copy in dataset order: (partition, line), as the single-machine index finds.
    if best is None:
        assert other is not None
        return other
    if other is None or (best[4], best[5]) <= (other[4], other[5]):
        return best
    return other


def is_copy(item: tuple[str, Any]) -> bool:
    return item[0] == "copy"


def is_first(item: tuple[str, Any]) -> bool:
    return item[0] == "first"


def second(item: tuple[str, Any]) -> Any:
    return item[1]


def keys_of(outcome: Outcome) -> list[Key]:
    return outcome.keys


def report_of(outcome: Outcome) -> Report:
    return outcome.report


def duplicate_finding(copy: Copy, names: Sequence[str]) -> Finding:
    code, partition, _, _, first_partition, first_line, _ = copy
    where = (f"line {first_line}" if first_partition == partition
             else f"{names[first_partition]}:{first_line}")
    if code == "D001":
        return Finding("D001", f"duplicate of {where}")
    if code == "D002":
        return Finding("D002", f"near duplicate of {where} (similarity about {copy[6]:.0%})")
    return Finding("D003", f"same prompt as {where} with a different answer")
