"""Project configuration: an ``ftdata.toml`` file or ``[tool.ftdata]`` in ``pyproject.toml``.

Discovery walks up from the current directory and takes the first configuration it finds. In
each directory ``ftdata.toml`` comes first, then a ``pyproject.toml`` that has a
``[tool.ftdata]`` table (one without it is passed over). The walk stops at the filesystem root
or after checking a directory that holds ``.git``, so a repository never picks up settings from
above it.

```toml
[tool.ftdata]
target = "openai"
model = "gpt-4.1-mini"
ignore = ["Q006"]
severity = { C005 = "error", Q = "info", P002 = "off" }

[tool.ftdata.per-file-overrides."legacy/*.jsonl"]
target = "generic"
ignore = ["C004"]

[tool.ftdata.per-file-ignores]
"scratch/**" = ["D"]

[[tool.ftdata.models]]
id = "acme-chat-7b"
provider = "acme"
tokenizer = "cl100k_base"
max_tokens_per_example = 8192
```

The file is validated with pydantic (imported only when a configuration is read); any problem
raises :class:`ConfigError`, a one-line message naming the file and the key.

>>> config = load_config()  # doctest: +SKIP
>>> config.options_for("legacy/chats.jsonl")["target"]  # doctest: +SKIP
'generic'
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftdata.config_checks import (
    PYPROJECT,
    ConfigError,
    Location,
    check_models,
    check_pattern,
    check_types,
    code_prefixes,
    describe_value,
    display_path,
    layer_settings,
)
from ftdata.diagnostics import Severity

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

__all__ = ["CONFIG_FILE", "PYPROJECT", "Config", "ConfigError", "FileOverride",
           "find_config_file", "load_config", "merge_command_line", "read_config"]

CONFIG_FILE = "ftdata.toml"


@dataclass(frozen=True)
class FileOverride:
    """Settings that apply to the files a glob pattern matches.

    The pattern is matched against the file's path relative to the configuration's directory,
    with ``/`` as the separator: ``*`` and ``?`` stay within one path segment, ``**`` spans
    directories, ``[abc]`` and ``{a,b}`` work as in a shell, and a leading ``!`` negates. A
    pattern without ``/`` matches a file name or a directory name at any depth, and a pattern
    that matches a directory matches every file below it.

    >>> FileOverride("data/**/*.jsonl", {}).matches("data/2024/train.jsonl")
    True
    """

    pattern: str
    settings: Mapping[str, Any]

    def matches(self, relative: str | None, name: str | None = None) -> bool:
        """Whether the override applies to a file.

        ``relative`` is the file's path relative to the configuration's directory, or ``None``
        for a file outside it (only a pattern without ``/`` can match one, by ``name``).
        """
        negated = self.pattern.startswith("!")
        hit = _glob_matches(self.pattern[1:] if negated else self.pattern, relative,
                            name if name is not None else _basename(relative))
        return hit != negated


@dataclass(frozen=True)
class Config:
    """A validated configuration: base settings, per-file overrides and extra models.

    ``settings`` and each override's settings use option names (``max_tokens``, not
    ``max-tokens``); ``select`` and ``ignore`` are tuples of upper-case code prefixes and
    ``severity`` maps a code or prefix to ``error``, ``warning``, ``info`` or ``off``.
    """

    path: Path
    settings: Mapping[str, Any]
    overrides: tuple[FileOverride, ...] = ()
    models: tuple[Mapping[str, Any], ...] = ()

    @property
    def root(self) -> Path:
        """The directory per-file patterns are relative to: the configuration file's."""
        return self.path.parent

    def options_for(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """The effective settings for one file: the base merged with every matching override.

        Overrides apply in the order they are written, later ones winning, and
        ``per-file-ignores`` after all of them. A ``select`` starts the selection over (the
        ``ignore`` codes set before it are dropped, as ruff does); an ``ignore`` without a
        ``select`` adds to the codes already ignored. Severity tables merge code by code, and a
        rule set to ``off`` is added to ``ignore``. The keys are :class:`ValidateOptions`
        fields, present only when the configuration sets them; ``extra_models`` carries the
        configured models.

        >>> load_config().options_for("data/train.jsonl")  # doctest: +SKIP
        {'target': 'openai', 'ignore': ('Q006',), 'severity': {'C005': <Severity.ERROR: 'error'>}}
        """
        relative = self.relative_path(path)
        name = Path(path).name
        layers = [self.settings, *(override.settings for override in self.overrides
                                   if override.matches(relative, name))]
        result = _combine(layers)
        if self.models:
            result["extra_models"] = self.models
        return result

    def relative_path(self, path: str | os.PathLike[str]) -> str | None:
        """``path`` relative to the configuration's directory (``/``-separated), or ``None``."""
        absolute = Path(os.path.abspath(path))
        root = Path(os.path.abspath(self.root))
        try:
            return absolute.relative_to(root).as_posix()
        except ValueError:
            pass
        try:  # the same place reached through a symbolic link
            return absolute.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            return None


def load_config(start: Path | None = None) -> Config | None:
    """The nearest configuration above ``start`` (default: the current directory), or ``None``.

    >>> load_config(Path("project/data"))  # doctest: +SKIP
    Config(path=PosixPath('project/pyproject.toml'), ...)

    Raises :class:`ConfigError` when the configuration found is unreadable or invalid.
    """
    found = _discover(start)
    if found is None:
        return None
    path, table = found
    return _build(path, table, Location(path))


def find_config_file(start: Path | None = None) -> Path | None:
    """The configuration file :func:`load_config` would read, or ``None``.

    >>> find_config_file()  # doctest: +SKIP
    PosixPath('/home/me/project/ftdata.toml')
    """
    found = _discover(start)
    return found[0] if found else None


def read_config(path: str | os.PathLike[str]) -> Config:
    """Read one configuration file: a ``pyproject.toml`` (its ``[tool.ftdata]`` table, empty
    when it has none) or any other name as an ``ftdata.toml`` (top-level keys).

    >>> read_config("ci/ftdata.toml").settings["strict"]  # doctest: +SKIP
    True
    """
    file = Path(path)
    data = _read_toml(file)
    if file.name == PYPROJECT:
        table = _tool_table(data, file)
        return _build(file, table if table is not None else {}, Location(file))
    return _build(file, data, Location(file))


def merge_command_line(settings: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Options given on the command line over a file's configured ``settings``.

    A given option wins, with ruff's rule for selections: a given ``select`` starts over (the
    configuration's ``select`` and ``ignore`` no longer apply), while a given ``ignore`` adds
    to the configuration's.

    >>> merge_command_line({"target": "openai", "ignore": ("Q006",)},
    ...                    {"target": "mistral", "ignore": ("D001",)})
    {'target': 'mistral', 'ignore': ('Q006', 'D001')}
    """
    merged = {**settings, **given}
    if "select" in given:
        merged["ignore"] = tuple(given.get("ignore", ()))
    elif "ignore" in given:
        merged["ignore"] = tuple(dict.fromkeys((*settings.get("ignore", ()), *given["ignore"])))
    return merged


# Discovery and reading


def _discover(start: Path | None) -> tuple[Path, dict[str, Any]] | None:
    directory = Path(os.path.abspath(start if start is not None else Path.cwd()))
    if directory.is_file():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = folder / PYPROJECT
        if candidate.is_file():
            table = _pyproject_table(candidate)
            if table is not None:
                return candidate, table
        if (folder / ".git").exists():
            return None
    return None


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{display_path(path)}: cannot read the file: {error.strerror}") from None
    # Most pyproject files never mention ftdata; skipping them unparsed keeps start-up cheap
    # and a broken file that is not ours out of the way.
    if b"ftdata" not in raw:
        return None
    return _tool_table(_parse_toml(raw, path), path)


def _tool_table(data: Mapping[str, Any], path: Path) -> dict[str, Any] | None:
    tool = data.get("tool")
    if not isinstance(tool, dict) or "ftdata" not in tool:
        return None
    table = tool["ftdata"]
    if not isinstance(table, dict):
        raise ConfigError(f"{display_path(path)}: tool.ftdata: expected a table, got "
                          f"{describe_value(table)}")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{display_path(path)}: no such configuration file") from None
    except OSError as error:
        raise ConfigError(f"{display_path(path)}: cannot read the file: {error.strerror}") from None
    return _parse_toml(raw, path)


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{display_path(path)}: not valid UTF-8 (byte {error.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{display_path(path)}: invalid TOML: {error}") from None


def _build(path: Path, table: Mapping[str, Any], where: Location) -> Config:
    data = check_types(table, where)
    models = tuple(check_models(data.get("models") or [], where))
    extra = [dict(entry) for entry in models]
    settings = layer_settings(data, (), where, extra)
    overrides: list[FileOverride] = []
    for pattern, entry in (data.get("per-file-overrides") or {}).items():
        at = ("per-file-overrides", pattern)
        check_pattern(pattern, at, where)
        overrides.append(FileOverride(pattern, layer_settings(entry, at, where, extra)))
    # Ignores come last so that they hold whatever the overrides select, as in ruff.
    for pattern, codes in (data.get("per-file-ignores") or {}).items():
        at = ("per-file-ignores", pattern)
        check_pattern(pattern, at, where)
        overrides.append(FileOverride(pattern, {"ignore": code_prefixes(codes, at, where)}))
    return Config(path=path, settings=settings, overrides=tuple(overrides), models=models)


# Merging layers


@functools.lru_cache(maxsize=1)
def _rule_codes() -> tuple[str, ...]:
    from ftdata.rules import all_rules

    return tuple(rule.code for rule in all_rules())


def _combine(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    select: tuple[str, ...] | None = None
    ignore: list[str] = []
    levels: dict[str, str] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "select":
                select, ignore = value, list(layer.get("ignore", ()))
            elif key == "ignore":
                if "select" not in layer:
                    ignore.extend(value)
            elif key == "severity":
                levels.update(_expand_levels(value))
            else:
                result[key] = value
    if select is not None:
        result["select"] = select
    off = [code for code, level in levels.items() if level == "off"]
    if ignore or off:
        result["ignore"] = tuple(dict.fromkeys((*ignore, *off)))
    severity = {code: Severity(level) for code, level in levels.items() if level != "off"}
    if severity:
        result["severity"] = severity
    return result


def _expand_levels(table: Mapping[str, str]) -> dict[str, str]:
    """A severity table by exact code: within one table the longest matching prefix wins."""
    by_length = sorted(table.items(), key=lambda item: len(item[0]))
    levels: dict[str, str] = {}
    for code in _rule_codes():
        for prefix, level in by_length:
            if code.startswith(prefix):
                levels[code] = level
    return levels


# Glob patterns


def _basename(relative: str | None) -> str:
    return relative.rsplit("/", 1)[-1] if relative else ""


def _glob_matches(pattern: str, relative: str | None, name: str) -> bool:
    if pattern.startswith("./"):
        pattern = pattern[2:]
    spec = _compile_glob(pattern)
    if relative is None:
        # Outside the configuration's directory only a pattern without "/" (a file or directory
        # name at any depth) can match, by the file's name.
        return "/" not in pattern.strip("/") and spec.match_file(name)
    return spec.match_file(relative)


@functools.lru_cache(maxsize=256)
def _compile_glob(pattern: str) -> GitIgnoreSpec:
    """``pattern`` as gitignore matches it (pathspec), with shell braces expanded first:
    ``**`` spans directories, a pattern without ``/`` matches a name at any depth, one that
    matches a directory matches the files below it, a trailing ``/`` only directories."""
    from pathspec import GitIgnoreSpec

    # "#" starts a comment and "!" negates in a gitignore file; here both are literal (a
    # FileOverride handles its own leading "!").
    return GitIgnoreSpec.from_lines(
        "\\" + line if line.startswith(("#", "!")) else line
        for line in _expand_braces(pattern))


def _expand_braces(pattern: str) -> list[str]:
    """Every pattern a shell's ``{a,b}`` alternatives stand for; an unclosed ``{`` is literal.

    >>> _expand_braces("{train,valid}/*.{jsonl,json}")
    ['train/*.jsonl', 'train/*.json', 'valid/*.jsonl', 'valid/*.json']
    """
    start = pattern.find("{")
    end = pattern.find("}", start)
    if start == -1 or end == -1:
        return [pattern]
    head, tail = pattern[:start], _expand_braces(pattern[end + 1:])
    return [head + choice + rest for choice in pattern[start + 1:end].split(",")
            for rest in tail]
