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

import difflib
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftdata.diagnostics import Severity

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

__all__ = ["CONFIG_FILE", "PYPROJECT", "Config", "ConfigError", "FileOverride",
           "find_config_file", "load_config", "merge_command_line", "read_config"]

CONFIG_FILE = "ftdata.toml"
PYPROJECT = "pyproject.toml"

#: The settings a configuration may give, as spelled in TOML, and the option each one sets.
SETTINGS: dict[str, str] = {
    "target": "target",
    "model": "model",
    "format": "format",
    "select": "select",
    "ignore": "ignore",
    "strict": "strict",
    "max-tokens": "max_tokens",
    "near-duplicates": "near_duplicates",
    "near-threshold": "near_threshold",
    "severity": "severity",
    "trainer": "trainer",
    "template": "template",
    "max-length": "max_length",
}
TOP_LEVEL_KEYS = (*SETTINGS, "per-file-overrides", "per-file-ignores", "models")
MODEL_KEYS = ("id", "aliases", "provider", "tokenizer", "max_tokens_per_example",
              "max_tokens_as_of", "max_tokens_source", "training_price_per_million", "currency",
              "price_as_of", "price_source", "notes")
#: What ``severity`` may set a rule to; ``off`` means the rule is ignored.
LEVELS = ("error", "warning", "info", "off")


class ConfigError(ValueError):
    """The configuration cannot be read or is invalid; the message is one line, file first."""


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
    return _build(path, table, _Location(path))


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
        return _build(file, table if table is not None else {}, _Location(file))
    return _build(file, data, _Location(file))


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
        raise ConfigError(f"{_display(path)}: cannot read the file: {error.strerror}") from None
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
        raise ConfigError(f"{_display(path)}: tool.ftdata: expected a table, got "
                          f"{_describe(table)}")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{_display(path)}: no such configuration file") from None
    except OSError as error:
        raise ConfigError(f"{_display(path)}: cannot read the file: {error.strerror}") from None
    return _parse_toml(raw, path)


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{_display(path)}: not valid UTF-8 (byte {error.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_display(path)}: invalid TOML: {error}") from None


def _display(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


# Validation


class _Location:
    """Names a key of one configuration file in messages: ``FILE: KEY: problem``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.prefix: tuple[str | int, ...] = ("tool", "ftdata") if path.name == PYPROJECT else ()

    def key(self, *parts: str | int) -> str:
        text = ""
        for part in (*self.prefix, *parts):
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else _quote(part)
                text += f".{name}" if text else name
        return text or "(top level)"

    def error(self, parts: Sequence[str | int], problem: str) -> ConfigError:
        return ConfigError(f"{_display(self.path)}: {self.key(*parts)}: {problem}")


def _quote(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _build(path: Path, table: Mapping[str, Any], where: _Location) -> Config:
    data = _check_types(table, where)
    models = tuple(_check_models(data.get("models") or [], where))
    extra = [dict(entry) for entry in models]
    settings = _settings(data, (), where, extra)
    overrides: list[FileOverride] = []
    for pattern, entry in (data.get("per-file-overrides") or {}).items():
        at = ("per-file-overrides", pattern)
        _check_pattern(pattern, at, where)
        overrides.append(FileOverride(pattern, _settings(entry, at, where, extra)))
    # Ignores come last so that they hold whatever the overrides select, as in ruff.
    for pattern, codes in (data.get("per-file-ignores") or {}).items():
        at = ("per-file-ignores", pattern)
        _check_pattern(pattern, at, where)
        overrides.append(FileOverride(pattern, {"ignore": _codes(codes, at, where)}))
    return Config(path=path, settings=settings, overrides=tuple(overrides), models=models)


def _check_pattern(pattern: str, parts: tuple[str, ...], where: _Location) -> None:
    if pattern.lstrip("!").strip("/") in ("", "."):
        raise where.error(parts, "the file pattern matches nothing; write \"**\" for every file")


_SIMPLE_TYPES: dict[str, Callable[[Any], bool]] = {
    "target": lambda v: isinstance(v, str),
    "model": lambda v: isinstance(v, str),
    "format": lambda v: isinstance(v, str),
    "select": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "ignore": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "strict": lambda v: isinstance(v, bool),
    "max-tokens": lambda v: type(v) is int and v > 0,
    "near-duplicates": lambda v: isinstance(v, bool),
    "near-threshold": lambda v: type(v) in (int, float) and 0 < v <= 1,
    "trainer": lambda v: isinstance(v, str),
    "template": lambda v: isinstance(v, str),
    "max-length": lambda v: type(v) is int and v > 0,
    "severity": lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and x in ("error", "warning", "info", "off") for k, x in v.items()),
}


def _plainly_valid(table: Mapping[str, Any]) -> bool:
    """The common case, checked without pydantic: plain settings of the right types.

    Loading pydantic costs a tenth of a second, which a pre-commit hook pays on every commit;
    it is only needed to check model entries and to word an error.
    """
    for key, value in table.items():
        if key in _SIMPLE_TYPES:
            if not _SIMPLE_TYPES[key](value):
                return False
        elif key == "per-file-overrides":
            if not isinstance(value, dict) or not all(
                    isinstance(v, dict) and _plainly_valid(v) for v in value.values()):
                return False
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                    isinstance(v, list) and all(isinstance(x, str) for x in v)
                    for v in value.values()):
                return False
        else:
            return False
    return True


def _check_types(table: Mapping[str, Any], where: _Location) -> dict[str, Any]:
    if _plainly_valid(table):
        return dict(table)
    from pydantic import ValidationError

    try:
        checked = _schema().model_validate(table)
    except ValidationError as error:
        problem = min(error.errors(), key=_error_rank)
        raise where.error(problem["loc"], _explain(problem)) from None
    data: dict[str, Any] = checked.model_dump(by_alias=True, exclude_unset=True)
    return data


def _error_rank(error: Mapping[str, Any]) -> int:
    # A misspelt key explains the rest, so it is reported first.
    return 0 if error["type"] == "extra_forbidden" else 1


@functools.lru_cache(maxsize=1)
def _schema() -> Any:
    from datetime import date
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field

    def kebab(name: str) -> str:
        return name.replace("_", "-")

    class Settings(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True, alias_generator=kebab)

        target: str | None = None
        model: str | None = None
        format: str | None = None
        select: list[str] | None = None
        ignore: list[str] | None = None
        strict: bool | None = None
        max_tokens: Annotated[int, Field(gt=0)] | None = None
        near_duplicates: bool | None = None
        near_threshold: Annotated[float, Field(gt=0, le=1)] | None = None
        severity: dict[str, Literal["error", "warning", "info", "off"]] | None = None
        trainer: str | None = None
        template: str | None = None
        max_length: Annotated[int, Field(gt=0)] | None = None

    lenient_date = Annotated[date, Field(strict=False)]

    class ModelEntry(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        id: Annotated[str, Field(min_length=1)]
        aliases: list[str] | None = None
        provider: str | None = None
        tokenizer: Annotated[str, Field(min_length=1)] | None = None
        max_tokens_per_example: Annotated[int, Field(gt=0)] | None = None
        max_tokens_as_of: lenient_date | None = None
        max_tokens_source: str | None = None
        training_price_per_million: Annotated[float, Field(ge=0)] | None = None
        currency: str | None = None
        price_as_of: lenient_date | None = None
        price_source: str | None = None
        notes: str | None = None

    class TopLevel(Settings):
        per_file_overrides: dict[str, Settings] | None = None
        per_file_ignores: dict[str, list[str]] | None = None
        models: list[ModelEntry] | None = None

    return TopLevel


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _explain(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    context = error.get("ctx") or {}
    got = _describe(error.get("input"))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        if loc[-1] in TOP_LEVEL_KEYS and loc[-1] not in allowed:
            return "allowed only at the top level of the configuration"
        return "unknown key" + _suggest(str(loc[-1]), allowed)
    if kind == "missing":
        return "required key is missing"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind == "literal_error":
        return f"expected {context.get('expected', 'one of the allowed values')}, got {got}"
    bounds = {"greater_than": ("greater than", "gt"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if kind in bounds:
        words, name = bounds[kind]
        return f"must be {words} {context.get(name)}, got {got}"
    if kind == "string_too_short":
        return "must not be empty"
    message = str(error.get("msg", "invalid value"))
    return message[:1].lower() + message[1:] + f", got {got}"


def _allowed_keys(loc: Sequence[Any]) -> Sequence[str]:
    if len(loc) > 1 and loc[0] == "models":
        return MODEL_KEYS
    if len(loc) > 1 and loc[0] == "per-file-overrides":
        return tuple(SETTINGS)
    return TOP_LEVEL_KEYS


#: Names people reach for first, and the key they mean.
_SYNONYMS = {"max-tokens": "max_tokens_per_example", "price": "training_price_per_million",
             "training-price": "training_price_per_million", "alias": "aliases",
             "encoding": "tokenizer", "per-file": "per-file-overrides", "rules": "select",
             "exclude": "ignore", "severities": "severity"}


def _suggest(name: str, choices: Iterable[str]) -> str:
    options = list(choices)
    spelled = {choice.replace("_", "-").lower(): choice for choice in options}
    key = name.replace("_", "-").lower()
    if key in spelled:
        return f"; did you mean {spelled[key]!r}?"
    if _SYNONYMS.get(key) in options:
        return f"; did you mean {_SYNONYMS[key]!r}?"
    close = difflib.get_close_matches(key, list(spelled), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {spelled[close[0]]!r}?"
    return f" (known keys: {', '.join(options)})"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value} (a number)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _settings(data: Mapping[str, Any], parts: tuple[str, ...], where: _Location,
              extra_models: list[dict[str, Any]]) -> dict[str, Any]:
    """One layer's settings, checked against the registries and keyed by option name."""
    from ftdata.formats import FORMAT_MODULES
    from ftdata.targets import TARGETS

    settings: dict[str, Any] = {}
    for key, option in SETTINGS.items():
        if key not in data or data[key] is None:
            continue
        value = data[key]
        at = (*parts, key)
        if key == "target" and value not in TARGETS:
            raise where.error(at, f"unknown target {value!r}{_suggest_value(value, TARGETS)}")
        if key == "format" and value not in FORMAT_MODULES:
            raise where.error(at, f"unknown format {value!r}"
                                  f"{_suggest_value(value, FORMAT_MODULES)}")
        if key == "model":
            _check_model(value, at, where, extra_models)
        if key in ("select", "ignore"):
            value = _codes(value, at, where)
            if key == "select" and not value:
                raise where.error(at, 'names no rule; write ["ALL"] to select every rule')
        if key == "severity":
            value = {_code(code, (*at, code), where): level for code, level in value.items()}
        settings[option] = value
    return settings


def _suggest_value(value: str, known: Iterable[str]) -> str:
    names = list(known)
    close = difflib.get_close_matches(value.lower(), names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(names)})"


def _codes(values: Sequence[str], parts: tuple[str, ...], where: _Location) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_code(value, parts, where) for value in values))


def _code(value: str, parts: Sequence[str | int], where: _Location) -> str:
    from ftdata.rules import all_rules, parse_code_list

    if not value.strip():
        raise where.error(parts, "empty rule code")
    try:
        (prefix,) = parse_code_list([value])
    except ValueError:
        rules = all_rules()
        by_name = {rule.name: rule.code for rule in rules}
        written = value.strip()
        if written.lower() in by_name:
            hint = f"; did you mean {by_name[written.lower()]!r} ({written.lower()})?"
        else:
            close = difflib.get_close_matches(written.upper(), [rule.code for rule in rules],
                                              n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]!r}?" if close else " (`ftdata rules` lists them)"
        raise where.error(parts, f"unknown rule code or prefix {written!r}{hint}") from None
    return prefix


def _check_model(name: str, parts: tuple[str, ...], where: _Location,
                 extra_models: list[dict[str, Any]]) -> None:
    from ftdata.models import UnknownModel, resolve_model

    try:
        resolve_model(name, extra_models or None)
    except UnknownModel as error:
        raise where.error(parts, str(error)) from None


def _check_models(entries: list[dict[str, Any]], where: _Location) -> list[dict[str, Any]]:
    """The configured models, each a known model's override or a complete new model."""
    from ftdata.models import CONFIG_SOURCE, load_models

    packaged = {name.lower() for info in load_models().values() for name in info.names}
    models: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        entry = {key: value for key, value in entry.items() if value is not None}
        if "aliases" in entry:
            entry["aliases"] = tuple(entry["aliases"])
        key = entry["id"].lower()
        if key in seen:
            raise where.error(("models", index, "id"), f"{entry['id']!r} is already configured "
                                                       f"by models[{seen[key]}]")
        seen[key] = index
        if key not in packaged:
            missing = [name for name in ("provider", "tokenizer") if name not in entry]
            if missing:
                raise where.error(("models", index), f"{entry['id']!r} is not a known model, "
                                                     f"so it needs {' and '.join(missing)}")
            # Overrides of packaged models get the same treatment from load_models.
            for figure, source in (("max_tokens_per_example", "max_tokens_source"),
                                   ("training_price_per_million", "price_source")):
                if figure in entry:
                    entry.setdefault(source, CONFIG_SOURCE)
        models.append(entry)
    try:
        load_models([dict(entry) for entry in models] or None)
    except ValueError as error:
        raise where.error(("models",), _first_line(error)) from None
    return models


def _first_line(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):  # a pydantic ValidationError
        first = errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(error).splitlines()[0]


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
