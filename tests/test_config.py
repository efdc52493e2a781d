"""Configuration: discovery, every key, per-file overrides, flags over config, bad configs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ftdata.cli import cli
from ftdata.config import (
    Config,
    ConfigError,
    FileOverride,
    find_config_file,
    load_config,
    merge_command_line,
    read_config,
)
from ftdata.diagnostics import Severity

GOOD = {"messages": [{"role": "user", "content": "What is the capital of France?"},
                     {"role": "assistant", "content": "Paris is the capital of France."}]}
#: C005 (roles-not-alternating): a warning by default.
TWO_USERS = {"messages": [{"role": "user", "content": "Hello there."},
                          {"role": "user", "content": "Are you still there?"},
                          {"role": "assistant", "content": "Yes, I am here."}]}
#: C003 (no-assistant-message): an error by default.
NO_ASSISTANT = {"messages": [{"role": "user", "content": "Is anybody there?"}]}
LONG = {"messages": [{"role": "user", "content": " ".join(["Tell me about the sea."] * 20)},
                     {"role": "assistant", "content": " ".join(["The sea was calm."] * 20)}]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root (so discovery never looks above it), used as the current directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(path: Path, *records: dict[str, Any]) -> str:
    write(path, "".join(json.dumps(record) + "\n" for record in records))
    return str(path)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def codes(result: Result) -> list[str]:
    return [issue["code"] for entry in json.loads(result.stdout)["files"]
            for issue in entry["issues"]]


def report(result: Result, index: int = 0) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(result.stdout)["files"][index]
    return entry


# Discovery


def test_finds_ftdata_toml_in_a_parent_directory(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "ftdata.toml", 'target = "openai"\n')
    nested = project / "data" / "chat" / "2024"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    config = load_config()
    assert config is not None
    assert config.path == project / "ftdata.toml"
    assert config.root == project
    assert config.settings == {"target": "openai"}
    assert find_config_file(nested) == project / "ftdata.toml"


def test_reads_tool_ftdata_from_pyproject(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.ftdata]\nstrict = true\n')
    config = load_config()
    assert config is not None and config.path.name == "pyproject.toml"
    assert config.settings == {"strict": True}


def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    write(project / "ftdata.toml", 'target = "mistral"\n')
    write(project / "sub" / "pyproject.toml", '[tool.ruff]\nline-length = 100\n')
    config = load_config(project / "sub")
    assert config is not None and config.path == project / "ftdata.toml"


def test_an_unrelated_broken_pyproject_is_passed_over(project: Path) -> None:
    write(project / "sub" / "pyproject.toml", "[project\nname = \n")
    assert load_config(project / "sub") is None


def test_ftdata_toml_wins_over_pyproject_in_the_same_directory(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.ftdata]\ntarget = "mistral"\n')
    write(project / "ftdata.toml", 'target = "openai"\n')
    config = load_config()
    assert config is not None and config.path.name == "ftdata.toml"
    assert config.settings["target"] == "openai"


def test_the_nearest_configuration_wins(project: Path) -> None:
    write(project / "ftdata.toml", 'target = "openai"\n')
    write(project / "team" / "pyproject.toml", '[tool.ftdata]\ntarget = "together"\n')
    config = load_config(project / "team" / "data")
    assert config is not None and config.settings["target"] == "together"


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "ftdata.toml", 'target = "openai"\n')
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "data").mkdir()
    assert load_config(repository / "data") is None
    assert find_config_file(repository) is None


def test_a_git_file_marks_the_root_too(tmp_path: Path) -> None:
    write(tmp_path / "ftdata.toml", 'target = "openai"\n')
    write(tmp_path / "worktree" / ".git", "gitdir: ../.git/worktrees/w\n")
    assert load_config(tmp_path / "worktree") is None


def test_the_repository_root_itself_is_checked(project: Path) -> None:
    write(project / "ftdata.toml", 'target = "vertex"\n')
    config = load_config(project)
    assert config is not None and config.settings["target"] == "vertex"


def test_no_configuration_found(project: Path) -> None:
    (project / "data").mkdir()
    assert load_config(project / "data") is None
    assert load_config() is None


def test_read_config_of_a_pyproject_without_the_table_is_empty(project: Path) -> None:
    path = write(project / "pyproject.toml", '[project]\nname = "x"\n')
    config = read_config(path)
    assert config.settings == {} and config.overrides == () and config.models == ()
    assert config.options_for("train.jsonl") == {}


# Every key


@pytest.mark.parametrize(("toml", "expected"), [
    ('target = "openai"', {"target": "openai"}),
    ('model = "gpt-4o-mini"', {"model": "gpt-4o-mini"}),
    ('format = "sharegpt"', {"format": "sharegpt"}),
    ('select = ["c", "D001"]', {"select": ("C", "D001")}),
    ('select = ["ALL"]', {"select": ("",)}),
    ('ignore = ["Q006", "P"]', {"ignore": ("Q006", "P")}),
    ("strict = true", {"strict": True}),
    ("max-tokens = 4096", {"max_tokens": 4096}),
    ("near-duplicates = true", {"near_duplicates": True}),
    ("near-threshold = 0.9", {"near_threshold": 0.9}),
    ("near-threshold = 1", {"near_threshold": 1}),
    ('trainer = "trl"\ntemplate = "qwen3"\nmax-length = 2048',
     {"trainer": "trl", "template": "qwen3", "max_length": 2048}),
    ('severity = { C005 = "error", Q006 = "warning", T002 = "info" }',
     {"severity": {"C005": Severity.ERROR, "Q006": Severity.WARNING, "T002": Severity.INFO}}),
    ('severity = { D001 = "off" }', {"ignore": ("D001",)}),
])
def test_every_setting(project: Path, toml: str, expected: dict[str, Any]) -> None:
    write(project / "ftdata.toml", toml + "\n")
    config = load_config()
    assert config is not None
    assert config.options_for("train.jsonl") == expected


def test_severity_prefixes_expand_and_the_longest_wins(project: Path) -> None:
    write(project / "ftdata.toml", 'severity = { Q = "error", Q006 = "off", C00 = "info" }\n')
    config = load_config()
    assert config is not None
    options = config.options_for("train.jsonl")
    assert options["ignore"] == ("Q006",)
    assert options["severity"]["Q001"] is Severity.ERROR
    assert "Q006" not in options["severity"]
    assert options["severity"]["C005"] is Severity.INFO
    assert "C010" not in options["severity"]  # C00 is C001-C009


def test_models_feed_the_models_table(project: Path) -> None:
    write(project / "ftdata.toml", """\
[[models]]
id = "acme-chat-7b"
aliases = ["acme"]
provider = "acme"
tokenizer = "cl100k_base"
max_tokens_per_example = 8192
training_price_per_million = 2.5
currency = "EUR"
price_as_of = 2025-06-01
price_source = "https://acme.example/pricing"

[[models]]
id = "GPT-4.1-MINI"
training_price_per_million = 4.0
""")
    config = load_config()
    assert config is not None
    from ftdata.models import resolve_model

    extra = [dict(entry) for entry in config.models]
    acme = resolve_model("ACME", extra)
    assert (acme.id, acme.tokenizer, acme.max_tokens_per_example) == ("acme-chat-7b",
                                                                      "cl100k_base", 8192)
    assert acme.currency == "EUR" and acme.price_as_of is not None
    assert acme.price_as_of.isoformat() == "2025-06-01"
    assert acme.price_source == "https://acme.example/pricing"
    mini = resolve_model("gpt-4.1-mini", extra)
    assert mini.training_price_per_million == 4.0 and mini.price_source == "configuration"
    assert config.options_for("train.jsonl")["extra_models"] == config.models


def test_a_new_model_without_a_source_says_it_came_from_configuration(project: Path) -> None:
    write(project / "ftdata.toml", '[[models]]\nid = "m"\nprovider = "p"\n'
                                   'tokenizer = "o200k_base"\ntraining_price_per_million = 1\n')
    config = load_config()
    assert config is not None
    assert config.models[0]["price_source"] == "configuration"


# Per-file overrides


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("legacy/*.jsonl", "legacy/a.jsonl", True),
    ("legacy/*.jsonl", "legacy/old/a.jsonl", False),  # * stays within one directory
    ("legacy/*.jsonl", "data/legacy/a.jsonl", False),  # a pattern with / is anchored
    ("legacy/**/*.jsonl", "legacy/a.jsonl", True),
    ("legacy/**/*.jsonl", "legacy/2023/06/a.jsonl", True),
    ("**/*.jsonl", "a.jsonl", True),
    ("**/*.jsonl", "deep/er/a.jsonl", True),
    ("**", "anything/at/all.json", True),
    ("*.jsonl", "deep/er/a.jsonl", True),  # no /: the file name, at any depth
    ("*.jsonl", "deep/er/a.json", False),
    ("legacy", "data/legacy/a.jsonl", True),  # a directory name covers its files
    ("data/legacy", "data/legacy/x/a.jsonl", True),
    ("data/legacy/", "data/legacy", False),  # a trailing / means directories only
    ("./data/*.jsonl", "data/a.jsonl", True),
    ("/data/*.jsonl", "data/a.jsonl", True),
    ("train-?.jsonl", "train-1.jsonl", True),
    ("train-?.jsonl", "train-10.jsonl", False),
    ("train-[0-4].jsonl", "train-3.jsonl", True),
    ("train-[!0-4].jsonl", "train-7.jsonl", True),
    ("train-[!0-4].jsonl", "train-3.jsonl", False),
    ("{train,valid}.jsonl", "valid.jsonl", True),
    ("{train,valid}.jsonl", "test.jsonl", False),
    ("!legacy/**", "legacy/a.jsonl", False),
    ("!legacy/**", "fresh/a.jsonl", True),
    ("a+b (1).jsonl", "a+b (1).jsonl", True),  # regular-expression characters are literal
    ("a+b (1).jsonl", "aab (1).jsonl", False),
])
def test_glob_patterns(pattern: str, path: str, expected: bool) -> None:
    assert FileOverride(pattern, {}).matches(path) is expected


def test_files_outside_the_configuration_match_only_name_patterns() -> None:
    assert FileOverride("*.jsonl", {}).matches(None, "a.jsonl")
    assert not FileOverride("data/*.jsonl", {}).matches(None, "a.jsonl")
    assert FileOverride("!data/*.jsonl", {}).matches(None, "a.jsonl")


CONFIG_WITH_OVERRIDES = """\
target = "openai"
ignore = ["Q006"]
severity = { C005 = "error" }

[per-file-overrides."legacy/**"]
target = "generic"
ignore = ["C004"]
severity = { C = "warning" }
max-tokens = 1000

[per-file-overrides."legacy/strict-*.jsonl"]
strict = true
max-tokens = 2000
severity = { C005 = "off" }

[per-file-overrides."curated/**"]
select = ["C", "S"]
ignore = ["C006"]

[per-file-ignores]
"legacy/**" = ["D001"]
"curated/**" = ["D"]
"""


def test_per_file_overrides_merge_in_order(project: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    write(project / "ftdata.toml", CONFIG_WITH_OVERRIDES)
    config = load_config()
    assert config is not None
    assert config.options_for("data/train.jsonl") == {
        "target": "openai", "ignore": ("Q006",), "severity": {"C005": Severity.ERROR}}

    legacy = config.options_for("legacy/2023/train.jsonl")
    assert legacy["target"] == "generic" and legacy["max_tokens"] == 1000
    assert legacy["ignore"] == ("Q006", "C004", "D001")  # ignores add up
    assert legacy["severity"]["C005"] is Severity.WARNING  # the later table wins
    assert legacy["severity"]["C003"] is Severity.WARNING

    strict = config.options_for("legacy/strict-1.jsonl")
    assert strict["strict"] is True and strict["max_tokens"] == 2000  # later entries win
    assert strict["ignore"] == ("Q006", "C004", "D001", "C005")  # off means ignored
    assert "C005" not in strict["severity"]

    curated = config.options_for("curated/a.jsonl")
    assert curated["select"] == ("C", "S")
    assert curated["ignore"] == ("C006", "D")  # a select starts the selection over

    # Paths are taken relative to the configuration's directory, from anywhere.
    (project / "legacy").mkdir()
    monkeypatch.chdir(project / "legacy")
    assert config.options_for("strict-2.jsonl")["strict"] is True
    assert config.options_for(project / "legacy" / "strict-2.jsonl")["strict"] is True
    assert "strict" not in config.options_for(project.parent / "legacy" / "strict-2.jsonl")


def test_merge_command_line_follows_ruff() -> None:
    configured = {"target": "openai", "select": ("C",), "ignore": ("C004",), "strict": True}
    assert merge_command_line(configured, {}) == configured
    assert merge_command_line(configured, {"target": "mistral", "strict": False}) == {
        "target": "mistral", "select": ("C",), "ignore": ("C004",), "strict": False}
    # A given --ignore adds to the configuration's; a given --select starts over.
    assert merge_command_line(configured, {"ignore": ("C005",)})["ignore"] == ("C004", "C005")
    assert merge_command_line(configured, {"select": ("D",)})["ignore"] == ()
    merged = merge_command_line(configured, {"select": ("D",), "ignore": ("D002",)})
    assert (merged["select"], merged["ignore"]) == (("D",), ("D002",))


# The command line


def test_validate_uses_the_configuration(project: Path) -> None:
    write(project / "ftdata.toml", 'target = "openai"\nformat = "openai-chat"\n'
                                   'model = "gpt-4o-mini"\nmax-tokens = 50\n')
    path = jsonl(project / "train.jsonl", GOOD, LONG)
    result = invoke("validate", path, "--output-format", "json")
    assert result.exit_code == 1
    entry = report(result)
    assert (entry["target"], entry["format"], entry["model"]) == ("openai", "openai-chat",
                                                                  "gpt-4o-mini")
    assert entry["stats"]["max_tokens_per_example"] == 50
    assert {"F007", "T001"} <= set(codes(result))


def test_flags_win_over_the_configuration(project: Path) -> None:
    write(project / "ftdata.toml", 'target = "openai"\nmax-tokens = 50\nstrict = true\n'
                                   'model = "gpt-4o-mini"\n')
    path = jsonl(project / "train.jsonl", GOOD, TWO_USERS)
    configured = invoke("validate", path, "--output-format", "json")
    assert configured.exit_code == 1  # strict: the C005 warning fails
    assert report(configured)["target"] == "openai"
    result = invoke("validate", path, "--output-format", "json", "--target", "generic",
                    "--max-tokens", "4000", "--no-strict", "--model", "gpt-4.1-mini")
    assert result.exit_code == 0
    entry = report(result)
    assert (entry["target"], entry["model"]) == ("generic", "gpt-4.1-mini")
    assert entry["stats"]["max_tokens_per_example"] == 4000
    # Giving an option its default value still counts as giving it.
    assert report(invoke("validate", path, "--output-format", "json", "--target",
                         "generic"))["target"] == "generic"


def test_isolated_ignores_the_configuration(project: Path) -> None:
    write(project / "ftdata.toml", "strict = true\n")
    path = jsonl(project / "train.jsonl", TWO_USERS)
    assert invoke("validate", path).exit_code == 1
    assert invoke("validate", path, "--isolated").exit_code == 0


def test_config_option_reads_that_file(project: Path) -> None:
    write(project / "ftdata.toml", "strict = true\n")
    other = write(project / "ci" / "lenient.toml", 'severity = { C005 = "info" }\n')
    path = jsonl(project / "train.jsonl", TWO_USERS)
    result = invoke("validate", path, "--config", str(other), "--strict", "--output-format",
                    "json")
    assert result.exit_code == 0
    assert [issue["severity"] for issue in report(result)["issues"]] == ["info"]
    pyproject = write(project / "sub" / "pyproject.toml", "[tool.ftdata]\nstrict = true\n")
    assert invoke("validate", path, "--config", str(pyproject), "--isolated").exit_code == 2
    assert invoke("validate", path, "--isolated").exit_code == 0
    assert invoke("validate", path, "--config", str(pyproject)).exit_code == 1


def test_a_warning_raised_to_error_fails(project: Path) -> None:
    path = jsonl(project / "train.jsonl", GOOD, TWO_USERS)
    assert invoke("validate", path).exit_code == 0
    write(project / "ftdata.toml", 'severity = { C005 = "error" }\n')
    result = invoke("validate", path, "--output-format", "json")
    assert result.exit_code == 1
    (issue,) = report(result)["issues"]
    assert (issue["code"], issue["severity"]) == ("C005", "error")


def test_an_error_set_to_off_disappears(project: Path) -> None:
    path = jsonl(project / "train.jsonl", GOOD, NO_ASSISTANT)
    assert invoke("validate", path).exit_code == 1
    write(project / "ftdata.toml", 'severity = { C003 = "off" }\n')
    result = invoke("validate", path, "--output-format", "json")
    assert result.exit_code == 0
    assert "C003" not in codes(result)
    # A --select on the command line starts the selection over, as in ruff.
    assert invoke("validate", path, "--select", "C003").exit_code == 1


def test_command_line_ignore_adds_to_the_configuration(project: Path) -> None:
    write(project / "ftdata.toml", 'ignore = ["C003"]\n')
    path = jsonl(project / "train.jsonl", NO_ASSISTANT, TWO_USERS)
    result = invoke("validate", path, "--ignore", "C005", "--output-format", "json")
    assert result.exit_code == 0
    assert codes(result) == []


def test_target_severities_yield_to_the_configuration(project: Path) -> None:
    # Bedrock makes C005 an error; the configuration may lower it again.
    records = [{"messages": [{"role": "user", "content": f"Question {n}?"},
                             {"role": "user", "content": "Please answer."},
                             {"role": "assistant", "content": f"Answer {n}."}]}
               for n in range(3)]
    path = jsonl(project / "train.jsonl", *records)
    write(project / "ftdata.toml", 'target = "bedrock"\nformat = "bedrock-claude"\n')
    assert invoke("validate", path).exit_code == 1
    write(project / "ftdata.toml", 'target = "bedrock"\nformat = "bedrock-claude"\n'
                                   'severity = { C005 = "warning" }\n')
    result = invoke("validate", path, "--output-format", "json")
    assert result.exit_code == 0, result.stdout
    assert {issue["severity"] for issue in report(result)["issues"]} == {"warning"}


def test_per_file_overrides_apply_per_file(project: Path) -> None:
    write(project / "ftdata.toml", """\
severity = { C005 = "error" }

[per-file-overrides."legacy/**"]
severity = { C005 = "warning" }
target = "together"
""")
    fresh = jsonl(project / "fresh" / "train.jsonl", GOOD, TWO_USERS)
    legacy = jsonl(project / "legacy" / "train.jsonl", GOOD, TWO_USERS)
    result = invoke("validate", fresh, legacy, "--output-format", "json")
    assert result.exit_code == 1
    first, second = report(result, 0), report(result, 1)
    assert (first["target"], first["issues"][0]["severity"]) == ("generic", "error")
    assert (second["target"], second["issues"][0]["severity"]) == ("together", "warning")
    assert invoke("validate", legacy).exit_code == 0


def test_per_file_options_reach_the_validation_file(project: Path) -> None:
    write(project / "ftdata.toml", '[per-file-ignores]\n"valid.jsonl" = ["D004"]\n')
    train = jsonl(project / "train.jsonl", GOOD)
    valid = jsonl(project / "valid.jsonl", GOOD)
    result = invoke("validate", train, "--validation-file", valid, "--output-format", "json")
    assert result.exit_code == 0
    assert codes(result) == []
    assert invoke("validate", train, "--validation-file", valid, "--isolated").exit_code == 1


def test_near_duplicates_from_the_configuration(project: Path) -> None:
    pytest.importorskip("datasketch")
    near = {"messages": [{"role": "user", "content": GOOD["messages"][0]["content"]},
                         {"role": "assistant", "content": "Paris is the capital of France!!"}]}
    path = jsonl(project / "train.jsonl", GOOD, near)
    assert "D002" not in codes(invoke("validate", path, "--output-format", "json"))
    write(project / "ftdata.toml", "near-duplicates = true\nnear-threshold = 0.5\n")
    assert "D002" in codes(invoke("validate", path, "--output-format", "json"))
    assert "D002" not in codes(invoke("validate", path, "--output-format", "json",
                                      "--no-near-duplicates"))


ACME = """\
[[models]]
id = "acme-chat-7b"
aliases = ["acme"]
provider = "acme"
tokenizer = "cl100k_base"
max_tokens_per_example = 40
training_price_per_million = 2.0
price_as_of = 2025-06-01
"""


def test_extra_models_work_with_model(project: Path) -> None:
    path = jsonl(project / "train.jsonl", GOOD, LONG)
    unknown = invoke("validate", path, "--model", "acme")
    assert unknown.exit_code == 2 and "unknown model 'acme'" in unknown.stderr
    write(project / "ftdata.toml", ACME)
    result = invoke("validate", path, "--model", "acme", "--output-format", "json")
    assert result.exit_code == 1
    entry = report(result)
    assert entry["model"] == "acme-chat-7b"
    assert entry["stats"]["max_tokens_per_example"] == 40
    assert codes(result) == ["T001"]


def test_stats_uses_the_configured_model_and_limit(project: Path) -> None:
    write(project / "ftdata.toml", 'model = "acme"\n' + ACME
          + '\n[per-file-overrides."big/**"]\nmax-tokens = 5000\n')
    path = jsonl(project / "train.jsonl", GOOD, LONG)
    result = invoke("stats", path, "--output-format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["model"], data["max_tokens_per_example"]) == ("acme-chat-7b", 40)
    assert data["cost"]["price_per_million"] == 2.0
    assert data["cost"]["source"] == "configuration"
    assert data["over_limit"] == 1

    given = json.loads(invoke("stats", path, "--output-format", "json", "--model",
                              "gpt-4o-mini", "--max-tokens", "100").stdout)
    assert (given["model"], given["max_tokens_per_example"]) == ("gpt-4o-mini", 100)

    big = jsonl(project / "big" / "train.jsonl", GOOD, LONG)
    data = json.loads(invoke("stats", big, "--output-format", "json").stdout)
    assert (data["model"], data["max_tokens_per_example"]) == ("acme-chat-7b", 5000)

    isolated = json.loads(invoke("stats", path, "--output-format", "json", "--isolated").stdout)
    assert isolated["model"] == "gpt-4.1-mini"


def test_models_lists_configured_models(project: Path) -> None:
    write(project / "ftdata.toml", ACME)
    listing = invoke("models").stdout
    assert "acme-chat-7b" in listing
    rows = json.loads(invoke("models", "--output-format", "json").stdout)
    (acme,) = [row for row in rows if row["id"] == "acme-chat-7b"]
    assert acme["aliases"] == ["acme"] and acme["price_as_of"] == "2025-06-01"
    assert "acme-chat-7b" not in invoke("models", "--isolated").stdout


# Invalid configurations


@pytest.mark.parametrize(("toml", "message"), [
    ('selct = ["C"]', "ftdata.toml: selct: unknown key; did you mean 'select'?"),
    ("max_tokens = 100", "ftdata.toml: max_tokens: unknown key; did you mean 'max-tokens'?"),
    ('max-tokens = "lots"', "ftdata.toml: max-tokens: expected an integer, got 'lots' (a "
                            "string)"),
    ("max-tokens = 0", "ftdata.toml: max-tokens: must be greater than 0, got 0 (an integer)"),
    ('strict = "yes"', "ftdata.toml: strict: expected true or false, got 'yes' (a string)"),
    ('select = "C"', "ftdata.toml: select: expected a list, got 'C' (a string)"),
    ("select = []", "ftdata.toml: select: names no rule"),
    ('ignore = ["Z9"]', "ftdata.toml: ignore: unknown rule code or prefix 'Z9'"),
    ('ignore = ["C0005"]', "ftdata.toml: ignore: unknown rule code or prefix 'C0005'; did you "
                           "mean 'C005'?"),
    ('ignore = ["roles-not-alternating"]', "did you mean 'C005' (roles-not-alternating)?"),
    ('target = "opnai"', "ftdata.toml: target: unknown target 'opnai'; did you mean "
                         "'openai'?"),
    ('format = "chatml"', "ftdata.toml: format: unknown format 'chatml'"),
    ('model = "gpt-4.1-mnii"', "ftdata.toml: model: unknown model 'gpt-4.1-mnii'; did you mean"),
    ('severity = { C005 = "fatal" }', "ftdata.toml: severity.C005: expected 'error', "
                                      "'warning', 'info' or 'off', got 'fatal'"),
    ('severity = { C999 = "error" }', "ftdata.toml: severity.C999: unknown rule code or prefix "
                                      "'C999'"),
    ("severity = 3", "ftdata.toml: severity: expected a table, got 3 (an integer)"),
    ("near-threshold = 1.5", "ftdata.toml: near-threshold: must be at most 1"),
    ('[per-file-overrides."a/*.jsonl"]\ntrget = "openai"',
     'ftdata.toml: per-file-overrides."a/*.jsonl".trget: unknown key; did you mean '
     "'target'?"),
    ('[per-file-overrides."a/*.jsonl"]\ntarget = "nope"',
     'ftdata.toml: per-file-overrides."a/*.jsonl".target: unknown target'),
    ('[per-file-overrides."a/*.jsonl"]\nmodels = []',
     'ftdata.toml: per-file-overrides."a/*.jsonl".models: allowed only at the top level'),
    ('[per-file-overrides]\n"" = { strict = true }',
     'ftdata.toml: per-file-overrides."": the file pattern matches nothing'),
    ('[per-file-ignores]\n"legacy/**" = ["Q9"]',
     'ftdata.toml: per-file-ignores."legacy/**": unknown rule code or prefix \'Q9\''),
    ('[[models]]\nid = "new-model"',
     "ftdata.toml: models[0]: 'new-model' is not a known model, so it needs provider and "
     "tokenizer"),
    ('[[models]]\nid = "gpt-4o-mini"\nmax_tokens = 5',
     "ftdata.toml: models[0].max_tokens: unknown key; did you mean 'max_tokens_per_example'?"),
    ('[[models]]\nid = "gpt-4o-mini"\nprice_as_of = "2025-13-01"',
     "ftdata.toml: models[0].price_as_of: expected a date (YYYY-MM-DD)"),
    ('[[models]]\nprovider = "x"', "ftdata.toml: models[0].id: required key is missing"),
    ('[[models]]\nid = "gpt-4o-mini"\n[[models]]\nid = "GPT-4O-MINI"',
     "ftdata.toml: models[1].id: 'GPT-4O-MINI' is already configured by models[0]"),
    ('[[models]]\nid = "gpt-4.1-mini"\naliases = ["gpt-4o"]',
     "ftdata.toml: models: model name 'gpt-4o' is used by both"),
    ("target = ", "ftdata.toml: invalid TOML: "),
])
def test_invalid_configuration_exits_2_naming_file_and_key(project: Path, toml: str,
                                                          message: str) -> None:
    write(project / "ftdata.toml", toml + "\n")
    path = jsonl(project / "train.jsonl", GOOD)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    for command in ("validate", "stats"):
        result = invoke(command, path)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == f"ftdata: error: {raised.value}\n"


def test_pyproject_keys_are_named_in_full(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.ftdata]\ntarget = "openai"\nstrct = true\n')
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: tool\.ftdata\.strct: unknown "
                                          r"key; did you mean 'strict'\?$"):
        load_config()
    write(project / "pyproject.toml", "[tool]\nftdata = 1\n")
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: tool\.ftdata: expected a table"):
        load_config()


def test_a_configuration_outside_the_current_directory_is_named_in_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "settings" / "ftdata.toml", "strict = 1\n")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(ConfigError) as raised:
        read_config(tmp_path / "settings" / "ftdata.toml")
    assert str(raised.value).startswith(str(tmp_path / "settings" / "ftdata.toml") + ": strict: ")


def test_a_missing_config_file_is_a_usage_error(project: Path) -> None:
    path = jsonl(project / "train.jsonl", GOOD)
    result = invoke("validate", path, "--config", "nowhere.toml")
    assert result.exit_code == 2
    assert result.stderr == "ftdata: error: nowhere.toml: no such configuration file\n"


def test_invalid_configuration_through_the_real_entry_point(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.ftdata]\nseverity = { C005 = "loud" }\n')
    path = jsonl(project / "train.jsonl", GOOD)
    process = subprocess.run([sys.executable, "-m", "ftdata", "validate", path],
                             capture_output=True, text=True, check=False, cwd=project)
    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr == ("ftdata: error: pyproject.toml: tool.ftdata.severity.C005: "
                              "expected 'error', 'warning', 'info' or 'off', got 'loud' "
                              "(a string)\n")


def test_reading_configuration_leaves_import_light(project: Path) -> None:
    code = ("import sys, ftdata, ftdata.config, ftdata.cli; "
            "print('pydantic' in sys.modules)")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=project)
    assert process.stdout.strip() == "False"


def test_config_is_a_plain_value(project: Path) -> None:
    config = Config(path=project / "ftdata.toml", settings={"target": "openai"})
    assert config.options_for("x.jsonl") == {"target": "openai"}
    assert config.relative_path(project / "a" / "b.jsonl") == "a/b.jsonl"
    assert config.relative_path(project.parent / "b.jsonl") is None
