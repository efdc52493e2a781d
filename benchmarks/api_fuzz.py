"""Fuzz the library API with records an ETL job may hold, and count the calls.

    PYTHONPATH=src python -m benchmarks.api_fuzz [--calls 50000] [--seed 0]

Each call hands :func:`ftdata.validate_records` a few records built from numpy scalars and
arrays, ``Decimal``, datetimes, pandas ``Timestamp``/``NA``/``NaT``, sets, bytes, integers
beyond 64 bits, lone surrogates, non-string keys and deep nesting. Prints the number of calls
and of exceptions (which must be zero), and exits 1 when any call raised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import random
import sys
import traceback
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

import ftdata

pd: Any = importlib.import_module("pandas")  # an optional extra without annotations


def _deep(rng: random.Random) -> Any:
    value: Any = "x"
    for _ in range(rng.choice([10, 253, 254, 255, 400])):
        value = [value]
    return value


def _leaf(rng: random.Random) -> Any:
    makers: list[Callable[[], Any]] = [
        lambda: rng.randint(-5, 5), lambda: rng.random(), lambda: "Paris.", lambda: None,
        lambda: True, lambda: float("nan"), lambda: np.int64(rng.randint(-9, 9)),
        lambda: np.float32(rng.random()), lambda: np.array([1, 2, 3]), lambda: np.bool_(True),
        lambda: np.str_("text"), lambda: Decimal("1.5"), lambda: Decimal("NaN"),
        lambda: dt.datetime(2024, 1, 2, 3, 4), lambda: dt.date(2024, 1, 2),
        lambda: pd.Timestamp("2024-01-01"), lambda: pd.NA, lambda: pd.NaT, lambda: {1, 2},
        lambda: b"bytes", lambda: 2**70, lambda: -(2**64), lambda: "lone \ud800",
        lambda: {1: "int key"}, lambda: {(1, 2): "tuple key"}, lambda: _deep(rng),
        lambda: object(), lambda: "user", lambda: "assistant",
    ]
    return rng.choice(makers)()


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.6:
        return _leaf(rng)
    if roll < 0.8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["role", "content", "weight", "name", 7, None]): _value(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


def _record(rng: random.Random) -> Any:
    message = {"role": rng.choice(["user", "assistant", _leaf(rng)]), "content": _value(rng)}
    shapes: list[Callable[[], Any]] = [
        lambda: {"messages": [{"role": "user", "content": "Hi"}, message]},
        lambda: {"messages": [message, {"role": "assistant", "content": _value(rng)}]},
        lambda: {"prompt": _value(rng), "completion": _value(rng)},
        lambda: {rng.choice(["messages", 3, None, (1,), 2**70]): [message]},
        lambda: _value(rng),
    ]
    return rng.choice(shapes)()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    formats = [None, "openai-chat", "prompt-completion"]
    failures = 0
    for _ in range(args.calls):
        records = [_record(rng) for _ in range(rng.randint(1, 3))]
        try:
            ftdata.validate_records(records, format=rng.choice(formats))
        except Exception:  # the count is what this script measures
            failures += 1
            if failures <= 3:
                traceback.print_exc()
    print(f"calls: {args.calls}, exceptions: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
