"""The pre-commit hook, run by the real ``pre-commit`` exactly as users consume it.

pre-commit builds the hook's environment by pip-installing a snapshot of this working tree
from ``.pre-commit-hooks.yaml``. The test never touches the network: ftdata's dependencies
come from a wheelhouse repacked from the distributions installed here, and the build uses the
setuptools that virtualenv seeds from its bundled wheels.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib
import importlib.metadata as metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

pytest.importorskip("pre_commit")
pytest.importorskip("virtualenv")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

HOOK_ID = "ftdata-validate"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
GOOD = [
    {"messages": [{"role": "user", "content": "What is the capital of France?"},
                  {"role": "assistant", "content": "Paris."}]},
    {"messages": [{"role": "system", "content": "Answer in one word."},
                  {"role": "user", "content": "Opposite of hot?"},
                  {"role": "assistant", "content": "Cold."}]},
]
BAD = [
    GOOD[0],
    {"messages": [{"role": "user", "content": "Is anyone there?"}]},  # C003 at line 2
]
# Files left in the user's repository that the hook must not be given by default.
NOT_DATASETS = {"package.json": '{"name": "web", "version": "1.0.0"}\n',
                "notes.txt": "not a dataset\n"}
# Metadata files that belong to an installation, not to the distribution.
INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def git(cwd: Path, *args: str, env: Mapping[str, str]) -> str:
    process = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True,
                             text=True, check=True)
    return process.stdout.strip()


def git_environment(home: Path) -> dict[str, str]:
    """An identity for throwaway commits, and no user or system git configuration."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "PIP_", "VIRTUALENV_", "PRE_COMMIT"))
           and key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    global_config = home / "gitconfig"
    global_config.write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
                             encoding="utf-8")
    env.update(GIT_CONFIG_GLOBAL=str(global_config), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="ftdata tests", GIT_AUTHOR_EMAIL="tests@ftdata.invalid",
               GIT_COMMITTER_NAME="ftdata tests", GIT_COMMITTER_EMAIL="tests@ftdata.invalid")
    return env


def working_tree_files() -> list[str]:
    """Tracked and untracked, not ignored, files of this checkout: what a commit would hold."""
    try:
        listing = subprocess.run(
            ["git", "-c", f"safe.directory={ROOT}", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout
    except subprocess.CalledProcessError:
        pytest.skip("the project is not a git checkout")
    return [name for name in listing.decode().split("\0")
            if name and os.path.lexists(ROOT / name)]


def snapshot_repository(destination: Path, env: Mapping[str, str]) -> str:
    """Commit a copy of the working tree, so uncommitted and new files are tested too.

    ``pre-commit try-repo`` alone would see only committed files plus changes to tracked
    ones, which misses a new module or a new hooks file.
    """
    for name in working_tree_files():
        source, target = ROOT / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_dir():  # a submodule: not part of the package
            continue
        else:
            shutil.copy2(source, target)
    git(destination, "init", "-q", env=env)
    git(destination, "add", "-A", env=env)
    git(destination, "commit", "-q", "-m", "snapshot", env=env)
    return git(destination, "rev-parse", "HEAD", env=env)


def declared_dependencies(project: Path) -> list[str]:
    """``[project] dependencies`` of a checkout: installed metadata may predate them."""
    toml: Any = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    with (project / "pyproject.toml").open("rb") as file:
        dependencies: list[str] = toml.load(file)["project"]["dependencies"]
    return dependencies


def runtime_distributions(requirements: list[str]) -> Iterator[metadata.Distribution]:
    """The installed distributions that satisfy ``requirements`` (no extras), transitively."""
    seen: set[str] = set()
    pending = list(requirements)
    while pending:
        requirement = Requirement(pending.pop())
        key = canonicalize_name(requirement.name)
        if key in seen or (requirement.marker is not None
                           and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{requirement.name}, which ftdata needs, is not installed")
        pending.extend(distribution.requires or [])
        yield distribution


def wheel_name(distribution: metadata.Distribution) -> str:
    """``name-version-py-abi-platform.whl`` from the installed ``WHEEL`` file's tags."""
    tags = [line.split(":", 1)[1].strip()
            for line in (distribution.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    if not tags:
        pytest.skip(f"{distribution.metadata['Name']} was not installed from a wheel")
    parts = [sorted({tag.split("-")[index] for tag in tags}) for index in range(3)]
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"]).lower()
    return f"{name}-{distribution.version}-{'-'.join('.'.join(p) for p in parts)}.whl"


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def repack_wheel(distribution: metadata.Distribution, wheelhouse: Path) -> Path:
    """Rebuild the wheel an installed distribution came from, from the files its RECORD lists.

    Console scripts and byte code are left out: pip recreates both on install.
    """
    if distribution.files is None:
        pytest.skip(f"{distribution.metadata['Name']} has no RECORD to repack")
    site = Path(str(distribution.locate_file(""))).resolve()
    output = wheelhouse / wheel_name(distribution)
    record: list[str] = []
    info_dir = ""
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in distribution.files:
            path = Path(str(entry.locate())).resolve()
            if (not path.is_file() or not path.is_relative_to(site) or path.suffix == ".pyc"
                    or "__pycache__" in path.parts):
                continue
            arcname = path.relative_to(site).as_posix()
            top = arcname.split("/", 1)[0]
            if top.endswith(".dist-info"):
                info_dir = top
                if path.name in INSTALL_ONLY:
                    continue
            data = path.read_bytes()
            archive.writestr(arcname, data)
            record.append(f"{arcname},{record_hash(data)},{len(data)}")
        if not info_dir:
            pytest.skip(f"{distribution.metadata['Name']} has no .dist-info to repack")
        record.append(f"{info_dir}/RECORD,,")
        archive.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return output


def offline_environment(base: Mapping[str, str], work: Path) -> dict[str, str]:
    """pre-commit and the pip it runs, confined to ``work`` and to installed packages."""
    wheelhouse = work / "wheelhouse"
    wheelhouse.mkdir()
    for distribution in runtime_distributions(declared_dependencies(ROOT)):
        repack_wheel(distribution, wheelhouse)
    return {
        **base,
        "PRE_COMMIT_HOME": str(work / "pre-commit-home"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_CACHE_DIR": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # Build with the setuptools virtualenv seeds: an isolated build would need the
        # build requirements (setuptools, wheel) from an index.
        "PIP_NO_BUILD_ISOLATION": "0",
        "VIRTUALENV_SETUPTOOLS": "bundle",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(work / "virtualenv-data"),
    }


class Hook:
    """The published hook, a snapshot of this checkout, and an offline environment for it."""

    def __init__(self, work: Path) -> None:
        self.work = work
        home = work / "home"
        home.mkdir()
        self.git_env = git_environment(home)
        self.repo = work / "ftdata-repo"
        self.rev = snapshot_repository(self.repo, self.git_env)
        self.env = offline_environment(self.git_env, work)

    def project(self, name: str, files: Mapping[str, str | bytes]) -> Path:
        """A user's repository holding ``files``, all staged."""
        project = self.work / name
        project.mkdir()
        git(project, "init", "-q", env=self.git_env)
        for relative, content in files.items():
            path = project / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        git(project, "add", "-A", env=self.git_env)
        return project

    def config(self, project: Path, **hook: object) -> None:
        """A ``.pre-commit-config.yaml`` that uses the hook as a user's would."""
        entry = json.dumps({"id": HOOK_ID, **hook})
        (project / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {json.dumps(str(self.repo))}\n    rev: {self.rev}\n"
            f"    hooks:\n      - {entry}\n", encoding="utf-8")
        git(project, "add", ".pre-commit-config.yaml", env=self.git_env)

    def run(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=project,
                              env=self.env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> Hook:
    return Hook(tmp_path_factory.mktemp("precommit"))


def jsonl(records: Sequence[Mapping[str, object]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def issue_lines(output: str, path: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}:")
            and not line.startswith(f"{path}: ok:")]


def test_manifest_is_valid() -> None:
    # pre-commit ships no type information: its loader is typed Any here.
    clientlib: Any = importlib.import_module("pre_commit.clientlib")
    (manifest,) = [entry for entry in clientlib.load_manifest(str(MANIFEST))
                   if entry["id"] == HOOK_ID]
    assert manifest["entry"] == "ftdata validate"
    assert manifest["language"] == "python"
    assert manifest["pass_filenames"] is True
    files = re.compile(manifest["files"])
    assert all(files.search(name) for name in
               ("train.jsonl", "data/train.jsonl.gz", "logs.ndjson", "DATA/TRAIN.JSONL"))
    assert not any(files.search(name) for name in
                   ("package.json", "train.jsonl.bak", "notes.txt", "train.json"))


def test_try_repo_fails_on_the_bad_file_and_passes_the_good_one(hook: Hook) -> None:
    project = hook.project("try-repo", {"data/good.jsonl": jsonl(GOOD),
                                        "data/bad.jsonl": jsonl(BAD),
                                        "data/more.jsonl.gz": gzip.compress(
                                            jsonl(GOOD).encode()),
                                        **NOT_DATASETS})
    result = hook.run(project, "try-repo", str(hook.repo), HOOK_ID, "--ref", hook.rev,
                      "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^ftdata validate\.+Failed$", output, re.MULTILINE), output
    assert ("data/bad.jsonl:2: C003 [error] the conversation has no assistant message "
            "(at /messages)") in output
    assert "data/bad.jsonl: FAILED: 2 records (1 valid)" in output
    assert "data/good.jsonl: ok: 2 records (2 valid)" in output
    assert "data/more.jsonl.gz: ok: 2 records (2 valid)" in output
    assert issue_lines(output, "data/good.jsonl") == []
    assert "package.json" not in output and "notes.txt" not in output


def test_commit_is_blocked_until_the_dataset_is_fixed(hook: Hook) -> None:
    project = hook.project("commit", {"train.jsonl": jsonl(BAD), **NOT_DATASETS})
    hook.config(project)
    installed = hook.run(project, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    blocked = subprocess.run(["git", "commit", "-q", "-m", "add data"], cwd=project,
                             env=hook.env, capture_output=True, text=True, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "train.jsonl:2: C003 [error]" in output
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=project,
                          env=hook.env, capture_output=True, check=False).returncode != 0

    (project / "train.jsonl").write_text(jsonl(GOOD), encoding="utf-8")
    git(project, "add", "train.jsonl", env=hook.git_env)
    committed = subprocess.run(["git", "commit", "-q", "-m", "add data"], cwd=project,
                               env=hook.env, capture_output=True, text=True, check=False)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert git(project, "show", "--name-only", "--format=", "HEAD",
               env=hook.git_env).splitlines() == [
        ".pre-commit-config.yaml", "notes.txt", "package.json", "train.jsonl"]


def test_users_narrow_the_files_and_pass_options(hook: Hook) -> None:
    project = hook.project("options", {"data/train.jsonl": jsonl(GOOD),
                                       "data/eval.json": json.dumps(GOOD),
                                       "fixtures/broken.jsonl": jsonl(BAD),
                                       **NOT_DATASETS})
    hook.config(project, files=r"^data/.*\.jsonl?$", args=["--target", "openai"])
    result = hook.run(project, "run", "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "data/train.jsonl: F007 [error] the file has 2 examples; openai needs at least 10" \
        in output
    assert "data/eval.json: F007 [error]" in output
    assert "target openai" in output
    assert "fixtures/broken.jsonl" not in output and "package.json" not in output

    # broken.jsonl's one problem is C003: selecting other rules lets it through.
    hook.config(project, files=r"^fixtures/", args=["--select", "S,F"])
    result = hook.run(project, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_repository_configuration_applies(hook: Hook) -> None:
    project = hook.project("configured", {
        "pyproject.toml": '[tool.ftdata]\ntarget = "openai"\n',
        "datasets/train.jsonl": jsonl(GOOD),
    })
    hook.config(project)
    result = hook.run(project, "run", "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "datasets/train.jsonl: F007 [error] the file has 2 examples; openai needs at least 10" \
        in output
