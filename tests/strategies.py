"""Hypothesis strategies that generate records from a format's shape, valid or mutated."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ftdata.formats.vertex_gemini_preference import DISPREFERRED, PREFERRED, ScoredPair
from ftdata.shapes import (
    AnyValue,
    Arr,
    Bool,
    Forbidden,
    Keyed,
    Null,
    Num,
    Obj,
    Ref,
    Shape,
    Str,
    Tagged,
    Union,
)

TEXT = st.text(max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-2, 2), TEXT)
ANY_JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=6)


def valid(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values the shape accepts."""
    if isinstance(shape, Ref):
        return valid(shape.shape, depth)
    if isinstance(shape, AnyValue):
        return ANY_JSON
    if isinstance(shape, Str):
        return st.sampled_from(shape.enum) if shape.enum else TEXT
    if isinstance(shape, Num):
        if shape.enum is not None:
            return st.sampled_from(shape.enum)
        low = shape.minimum if shape.minimum is not None else -100
        if shape.integer:
            return st.integers(int(low), 1000)
        return st.one_of(st.integers(int(low), 1000), st.floats(low, 1000))
    if isinstance(shape, Bool):
        return st.booleans()
    if isinstance(shape, Null):
        return st.none()
    if isinstance(shape, Arr):
        high = shape.max_items if shape.max_items is not None else shape.min_items + 2
        if depth > 3:
            high = shape.min_items
        return st.lists(valid(shape.items, depth + 1), min_size=shape.min_items,
                        max_size=max(high, shape.min_items))
    if isinstance(shape, Union):
        return st.one_of(*(valid(option, depth) for option in shape.options))
    if isinstance(shape, Tagged):
        return st.one_of(*(valid(branch, depth) for branch in shape.branches.values()))
    if isinstance(shape, Keyed):
        return st.one_of(*(valid(option, depth) for _, option in shape.options))
    if isinstance(shape, Obj):
        return _valid_object(shape, depth)
    if isinstance(shape, ScoredPair):
        item = valid(shape.pair.items, depth + 1)
        return st.tuples(item, item, st.booleans()).map(_scored_pair)
    raise TypeError(f"no strategy for {type(shape).__name__}")


def _scored_pair(drawn: tuple[Any, Any, bool]) -> list[Any]:
    """Two valid completions, scored as a pair must be, in either order."""
    first, second, preferred_first = drawn
    scores = (PREFERRED, DISPREFERRED) if preferred_first else (DISPREFERRED, PREFERRED)
    return [{**first, "score": scores[0]}, {**second, "score": scores[1]}]


def _valid_object(shape: Obj, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    allowed = {k: v for k, v in shape.fields.items() if not isinstance(v, Forbidden)}
    required = {k: valid(allowed[k], depth + 1) for k in shape.required}
    optional = {k: valid(v, depth + 1) for k, v in allowed.items() if k not in shape.required}
    if depth > 3:
        optional = {}
    base = st.fixed_dictionaries(required, optional=optional)
    if not shape.require_any:
        return base

    def complete(value: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
        for group in shape.require_any:
            if not any(shape.present(value, key) for key in group):
                key = data.draw(st.sampled_from([k for k in group if k in allowed]))
                drawn = valid(allowed[key], depth + 1)
                if key in shape.absent_when_null:  # a null would not count as given
                    drawn = drawn.filter(lambda item: item is not None)
                value[key] = data.draw(drawn)
        return value

    return st.builds(complete, base, st.data())


def mutated(shape: Shape) -> st.SearchStrategy[Any]:
    """Values derived from valid ones by one random edit anywhere in the tree."""
    return st.tuples(valid(shape), st.data()).map(lambda pair: _mutate(pair[0], pair[1]))


def _mutate(value: Any, data: st.DataObject) -> Any:
    containers = list(_paths(value, ()))
    path = data.draw(st.sampled_from(containers))
    target = value
    for step in path:
        target = target[step]
    edit = data.draw(st.sampled_from(["drop", "add", "retype", "replace"]))
    if isinstance(target, dict) and target:
        key = data.draw(st.sampled_from(sorted(target)))
        if edit == "drop":
            del target[key]
        elif edit == "add":
            target[data.draw(TEXT) + "_x"] = data.draw(SCALARS)
        elif edit == "retype":
            target[key] = data.draw(SCALARS)
        else:
            target[key] = data.draw(ANY_JSON)
    elif isinstance(target, list) and target:
        index = data.draw(st.integers(0, len(target) - 1))
        if edit == "drop":
            del target[index]
        else:
            target[index] = data.draw(ANY_JSON)
    elif isinstance(target, list):
        target.append(data.draw(ANY_JSON))
    return value


def _paths(value: Any, path: tuple[Any, ...]) -> Any:
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        yield path
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))
