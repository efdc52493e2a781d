"""The examples in the docstrings run, and say what they show."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import pkgutil
from typing import Any

import pytest

import ftdata
from ftdata.model import Example, text_message

MODULES = sorted(info.name for info in pkgutil.walk_packages(ftdata.__path__, "ftdata.")
                 if not info.name.endswith("__main__"))


def namespace() -> dict[str, Any]:
    """What the examples take as imported: the package and the model's constructors."""
    names: dict[str, Any] = {"ftdata": ftdata, "Example": Example, "text_message": text_message}
    with contextlib.suppress(ImportError):  # the test extra installs pandas
        names["pd"] = importlib.import_module("pandas")
    return names


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={**vars(module), **namespace()}):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples failed"
