"""Bridges to the libraries of ETL jobs: pandas, Hugging Face ``datasets``, Great Expectations.

Each bridge is an optional extra and is imported only when used, so ``import ftdata`` stays
cheap: ``pip install 'ftdata[pandas]'``, ``'ftdata[datasets]'`` or ``'ftdata[gx]'``.

>>> from ftdata.integrations.pandas import to_pandas  # doctest: +SKIP
>>> to_pandas("train.jsonl").columns.tolist()  # doctest: +SKIP
['line', 'record', 'format', 'messages', 'system', 'n_messages', 'issues']
"""

from __future__ import annotations

import importlib
from typing import Any

#: Top-level module -> the extra that installs it.
EXTRAS = {"pandas": "pandas", "datasets": "datasets", "great_expectations": "gx",
          "dask": "dask", "distributed": "dask"}


class MissingDependency(ImportError):
    """An integration's library is not installed; the message names the extra to install."""


def require(module: str, feature: str) -> Any:
    """Import ``module`` for ``feature``, or say in one line which extra installs it.

    >>> require("pandas", "to_pandas").__name__  # doctest: +SKIP
    'pandas'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        extra = EXTRAS.get(top, top)
        raise MissingDependency(f"{feature} needs {top}: pip install 'ftdata[{extra}]'"
                                ) from None
