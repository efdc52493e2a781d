"""Start-up stays light where it matters: ``import ftdata.cli`` and ``ftdata validate`` as the
pre-commit hook runs it (SPEC §9: a 100-line file in under 0.3 s without tokens).

Each command runs in a fresh interpreter that records where each heavy library was first
imported, so a failure names the line to make lazy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

# Data-frame, ETL, tokenizer, validation, network and terminal libraries: none is needed to
# check a file without counting tokens, and together they cost more than the start-up budget.
HEAVY = ("pandas", "numpy", "pyarrow", "datasets", "great_expectations", "dask", "datasketch",
         "rensa", "tiktoken", "tokenizers", "huggingface_hub", "jinja2", "pydantic", "jsonschema",
         "requests", "rich", "pathspec", "stdnum", "hyperscan", "multiprocessing")
# (pathspec reads .gitignore files, which only a directory argument needs; stdnum checks a
# card or IBAN candidate, which few files have; hyperscan batch-scans files of 4 MB or more;
# multiprocessing runs the workers of a large file.)
# Counting tokens needs tiktoken (and pydantic, which validates the models table); the rest
# must still stay out.
HEAVY_WITH_TOKENS = tuple(name for name in HEAVY if name not in {"tiktoken", "pydantic"})

# Runs in the child interpreter: argv[1] is {"heavy": [...], "argv": [...] | null}. With no
# argv it only imports ftdata.cli; otherwise it runs the command as the console script does.
# It prints, last on stderr, {"status", "loaded": {package: "where it was imported"}}.
DRIVER = r'''
import json, sys, traceback

request = json.loads(sys.argv[1])
heavy = set(request["heavy"])
preloaded = set(sys.modules)  # imported by site hooks before ftdata ran: not ftdata's doing
where = {}


class RecordFirstImport:
    """Notes the code that first asks for each heavy package; finds nothing itself."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in heavy and top not in where:
            frames = [frame for frame in traceback.extract_stack()[:-1]
                      if not frame.filename.startswith("<")]
            ours = [frame for frame in frames if "/ftdata/" in frame.filename.replace("\\", "/")]
            shown = ours[-1:] + frames[-1:]
            where[top] = " via ".join(dict.fromkeys(
                f"{frame.filename}:{frame.lineno}" for frame in shown)) or "unknown"
        return None


sys.meta_path.insert(0, RecordFirstImport())
status = 0
if request["argv"] is None:
    import ftdata.cli
else:
    sys.argv = ["ftdata", *request["argv"]]
    from ftdata.cli import main
    try:
        main()
    except SystemExit as exit:
        status = exit.code
loaded = {name: where.get(name, "unknown") for name in sorted(heavy)
          if name in sys.modules and name not in preloaded}
sys.stderr.write("\n" + json.dumps({"status": status, "loaded": loaded}) + "\n")
'''


def heavy_imports(argv: list[str] | None, heavy: tuple[str, ...],
                  cwd: Path | None = None) -> dict[str, str]:
    """The heavy packages a fresh ``ftdata`` process imported, each with where it was asked for.

    Fails the test if the command itself did not exit 0.
    """
    request = json.dumps({"heavy": heavy, "argv": argv})
    process = subprocess.run([sys.executable, "-c", DRIVER, request], capture_output=True,
                             text=True, check=False, cwd=cwd)
    assert process.stderr.strip(), process.stdout
    outcome = json.loads(process.stderr.strip().splitlines()[-1])
    assert outcome["status"] in (0, None), process.stdout + process.stderr
    loaded: dict[str, str] = outcome["loaded"]
    return loaded


@pytest.fixture(scope="module")
def hundred_lines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean 100-line chat file, the size SPEC §9 times, with no duplicate examples."""
    clean = (SAMPLES / "openai-chat" / "clean.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in clean]
    lines = []
    for number in range(100):
        record = records[number % len(records)]
        follow_up = [{"role": "user", "content": f"And what about case {number}?"},
                     {"role": "assistant", "content": f"Case {number} works the same way."}]
        lines.append(json.dumps({**record, "messages": [*record["messages"], *follow_up]}))
    path = tmp_path_factory.mktemp("startup") / "train.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert heavy_imports(None, HEAVY) == {}


@pytest.mark.parametrize("options", [
    pytest.param([], id="as-the-hook-runs-it"),
    pytest.param(["--no-tokens"], id="no-tokens"),
    pytest.param(["--no-tokens", "--target", "openai", "--output-format", "json", "--strict"],
                 id="no-tokens-json"),
])
def test_validate_without_tokens_loads_no_heavy_library(hundred_lines: Path,
                                                        options: list[str]) -> None:
    assert heavy_imports(["validate", *options, str(hundred_lines)], HEAVY) == {}


def test_validate_with_a_model_loads_no_tokenizer_for_short_examples(
        hundred_lines: Path) -> None:
    """The pre-commit path with --model: no example can reach the model's limit and the text
    output shows no token figures, so nothing is counted."""
    loaded = heavy_imports(["validate", "--model", "gpt-4o-mini", str(hundred_lines)], HEAVY)
    assert loaded == {}


def test_validate_with_tokens_loads_the_tokenizer_and_nothing_heavier(
        hundred_lines: Path) -> None:
    loaded = heavy_imports(["validate", "--model", "gpt-4o-mini", "--output-format", "json",
                            str(hundred_lines)], HEAVY)
    assert "tiktoken" in loaded  # the probe sees a library that is really imported
    assert {name: loaded[name] for name in HEAVY_WITH_TOKENS if name in loaded} == {}


def test_validate_with_a_project_configuration_loads_no_heavy_library(
        hundred_lines: Path, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: configuration discovery stops here
    (tmp_path / "pyproject.toml").write_text('[tool.ftdata]\ntarget = "openai"\n',
                                             encoding="utf-8")
    assert heavy_imports(["validate", str(hundred_lines)], HEAVY, cwd=tmp_path) == {}


def test_validate_of_a_directory_reads_gitignore_files_with_pathspec(hundred_lines: Path,
                                                                     tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # .gitignore files apply inside a work tree
    (tmp_path / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    (tmp_path / "train.jsonl").write_bytes(hundred_lines.read_bytes())
    loaded = heavy_imports(["validate", "--no-tokens", str(tmp_path)], HEAVY)
    # pathspec may use hyperscan for its own patterns; ftdata does not load it for a small file.
    if "pathspec" in loaded.get("hyperscan", ""):
        del loaded["hyperscan"]
    assert list(loaded) == ["pathspec"] and "ftdata/inputs.py" in loaded["pathspec"]
