"""``import ftdata`` stays cheap: the integrations' libraries load only when used."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("pandas", "datasets", "great_expectations", "pyarrow", "numpy", "dask")


def loaded_after(code: str) -> set[str]:
    script = (f"import sys\n{code}\n"
              f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return {name for name in result.stdout.strip().split(",") if name}


def test_import_ftdata_loads_no_integration_library() -> None:
    assert loaded_after("import ftdata") == set()


def test_the_api_names_resolve_without_importing_their_libraries() -> None:
    code = ("import ftdata\n"
            "functions = [ftdata.to_pandas, ftdata.from_pandas, ftdata.to_hf_dataset,\n"
            "             ftdata.from_hf_dataset, ftdata.read, ftdata.convert]\n"
            "assert all(callable(f) for f in functions)\n"
            "import ftdata.integrations")
    assert loaded_after(code) == set()


def test_api_names_are_public() -> None:
    import ftdata

    for name in ("to_pandas", "from_pandas", "to_hf_dataset", "from_hf_dataset", "read",
                 "convert"):
        assert name in ftdata.__all__
