"""What a configuration file may hold, and the checks that turn its table into settings with a
one-line :class:`ConfigError` naming the file and the key for any problem (the keys, their
types through pydantic, rule codes, targets, formats and models). See :mod:`ftdata.config`.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Where a configuration is a table of another tool's file: ``[tool.ftdata]``.
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


def display_path(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


class Location:
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
        return ConfigError(f"{display_path(self.path)}: {self.key(*parts)}: {problem}")


def _quote(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_pattern(pattern: str, parts: tuple[str, ...], where: Location) -> None:
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


def check_types(table: Mapping[str, Any], where: Location) -> dict[str, Any]:
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
    got = describe_value(error.get("input"))
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


def describe_value(value: Any) -> str:
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


def layer_settings(data: Mapping[str, Any], parts: tuple[str, ...], where: Location,
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
            value = code_prefixes(value, at, where)
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


def code_prefixes(values: Sequence[str], parts: tuple[str, ...], where: Location
                  ) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_code(value, parts, where) for value in values))


def _code(value: str, parts: Sequence[str | int], where: Location) -> str:
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


def _check_model(name: str, parts: tuple[str, ...], where: Location,
                 extra_models: list[dict[str, Any]]) -> None:
    from ftdata.models import UnknownModel, resolve_model

    try:
        resolve_model(name, extra_models or None)
    except UnknownModel as error:
        raise where.error(parts, str(error)) from None


def check_models(entries: list[dict[str, Any]], where: Location) -> list[dict[str, Any]]:
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
