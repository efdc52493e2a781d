"""Trainer config files: what an axolotl or LLaMA-Factory YAML will train on, and how.

:func:`read_trainer_config` reads the config (``--trainer-config FILE``) into the datasets it
names (local file, ftdata format id, column and role mappings that differ from that format's
defaults) and the :class:`~ftdata.templates.trainers.TrainerProfile` its options give: template,
length limit and loss mask. Hub datasets, scripts and missing files are listed with a note,
never read. A config that cannot be understood raises :class:`TrainerConfigError`, one line
naming the file and the key.

Keys follow the trainers' own schemas: axolotl's ``src/axolotl/utils/schemas/config.py`` and
``datasets.py`` (``SFTDataset``), LLaMA-Factory's ``src/llamafactory/hparams/data_args.py`` and
``src/llamafactory/data/parser.py`` (``DatasetAttr``, read from ``dataset_info.json``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftdata.templates.trainers import OptionError, TrainerProfile, build_profile, get_trainer


class TrainerConfigError(ValueError):
    """The trainer config cannot be read or is invalid; the message is one line, file first."""


@dataclass(frozen=True)
class ConfigDataset:
    """One dataset a trainer config trains on."""

    #: The dataset as the config names it (a path, a Hub id, a dataset_info.json name).
    name: str
    #: The key that names it, for messages (``datasets[0].path``, ``dataset``).
    key: str
    #: The local file or folder; None when remote or not found.
    path: Path | None
    #: The ftdata format id the trainer reads it as; None when ftdata has no such format.
    format: str | None
    #: Columns, message keys and role names that differ from that format's defaults
    #: (ftdata's name: the dataset's name).
    mappings: Mapping[str, str] = field(default_factory=dict)
    #: Read from the Hub or another remote store: not checked locally.
    remote: bool = False
    #: The profile for this dataset (axolotl sets roles and EOS training per dataset).
    profile: TrainerProfile | None = None
    #: Why path or format is missing, or what else to know.
    note: str = ""


@dataclass(frozen=True)
class TrainerConfig:
    """A trainer config file, read."""

    path: Path
    trainer: str
    #: The base model the config fine-tunes (its tokenizer renders the data).
    model: str | None
    profile: TrainerProfile
    datasets: tuple[ConfigDataset, ...]


def read_trainer_config(path: str | os.PathLike[str], trainer: str | None = None,
                        overrides: Mapping[str, object] | None = None) -> TrainerConfig:
    """Read an axolotl or LLaMA-Factory YAML config; ``trainer`` forces which one it is.

    ``overrides`` (trainer option names, or ``max_length``) win over the file's values.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "train.jsonl").write_text("")
    >>> _ = (folder / "axolotl.yml").write_text(
    ...     "base_model: m\\nsequence_len: 4096\\ndatasets:\\n  - path: train.jsonl\\n"
    ...     "    type: chat_template\\n")
    >>> config = read_trainer_config(folder / "axolotl.yml")
    >>> config.trainer, config.profile.length.max_length, config.datasets[0].format
    ('axolotl', 4096, 'openai-chat')
    """
    file = Path(path)
    where = _Where(file)
    table = _load_yaml(file, where)
    kind = trainer or _detect(table, where)
    try:
        get_trainer(kind)
    except ValueError as error:
        raise where.error("", str(error)) from None
    reader = _READERS.get(kind)
    if reader is None:
        raise where.error("", f"{kind} configs are not read (known: {', '.join(_READERS)})")
    return reader(file, table, where, dict(overrides or {}))


# Reading and locating -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    path: Path

    def error(self, key: str, problem: str) -> TrainerConfigError:
        shown = _display(self.path)
        return TrainerConfigError(f"{shown}: {key}: {problem}" if key else f"{shown}: {problem}")


def _display(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _load_yaml(file: Path, where: _Where) -> Mapping[str, Any]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        raise where.error("", "reading trainer configs needs PyYAML (pip install pyyaml)") from None
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise where.error("", "no such trainer config file") from None
    except UnicodeDecodeError as error:
        raise where.error("", f"not valid UTF-8 (byte {error.start})") from None
    except OSError as error:
        raise where.error("", f"cannot read the file: {error.strerror}") from None
    try:
        table = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        raise where.error("", f"not valid YAML{line}: {problem}") from None
    if not isinstance(table, dict):
        raise where.error("", "expected a mapping of options at the top level")
    return table


def _detect(table: Mapping[str, Any], where: _Where) -> str:
    """axolotl lists ``datasets`` and names ``base_model``; LLaMA-Factory names ``dataset``
    and ``model_name_or_path``."""
    axolotl = "datasets" in table or "base_model" in table or "sequence_len" in table
    llamafactory = ("dataset" in table or "model_name_or_path" in table
                    or "cutoff_len" in table)
    if axolotl != llamafactory:
        return "axolotl" if axolotl else "llamafactory"
    raise where.error("", "cannot tell whether this is an axolotl config (datasets, base_model) "
                          "or a LLaMA-Factory config (dataset, model_name_or_path)")


def _profile(where: _Where, trainer: str, options: Mapping[str, object],
             keys: Mapping[str, str]) -> TrainerProfile:
    """``build_profile`` with errors located at the config key that set the option."""
    try:
        return build_profile(trainer, options)
    except OptionError as error:
        raise where.error(keys.get(error.option, error.option), str(error)) from None


def _resolve(name: str, bases: Sequence[Path]) -> Path | None:
    """The first existing ``name`` under one of ``bases``: the working directory, where the
    trainer itself resolves it, then the config's folder."""
    candidate = Path(name).expanduser()
    if candidate.is_absolute():
        return candidate if candidate.exists() else None
    for base in bases:
        if (base / candidate).exists():
            return base / candidate
    return None


def _bases(file: Path) -> list[Path]:
    folder = file.parent if str(file.parent) else Path(".")
    return list(dict.fromkeys([Path.cwd(), folder]))


_REMOTE_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


_NOT_FOUND = "not found in the working directory or next to the config"
#: Suffixes of data files: a name ending in one is a local file, even when it reads "org/x".
_DATA_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv", ".parquet", ".arrow", ".txt", ".gz",
                  ".zst")


def _remote_note(name: str) -> str | None:
    if _REMOTE_SCHEME.match(name):
        return "remote storage: not checked locally"
    if _HUB_ID.match(name) and not name.lower().endswith(_DATA_SUFFIXES):
        return "not found locally; read as a Hugging Face Hub dataset id, not checked"
    return None


# axolotl ------------------------------------------------------------------------------------

#: Top-level axolotl keys that are profile options.
_AXOLOTL_OPTIONS = ("sequence_len", "excess_length_strategy", "sample_packing",
                    "train_on_inputs", "chat_template")
#: Per-dataset keys that are profile options (chat_template wins over the top-level one,
#: src/axolotl/utils/chat_templates/base.py extract_chat_template_args).
_AXOLOTL_DATASET_OPTIONS = ("roles_to_train", "train_on_eos", "message_field_training",
                            "chat_template")
#: axolotl dataset types -> ftdata formats. chat_template reads messages (role/content keys by
#: default, prompt_strategies/chat_template.py 61-65); alpaca the instruction/input/output
#: record; completion a text field (``field``, default "text").
_AXOLOTL_TYPES = {"chat_template": "openai-chat", "alpaca": "alpaca", "completion": "text",
                  "sharegpt": "sharegpt"}
#: ShareGPT's own spelling of a message, as a message_property_mappings value.
_SHAREGPT_KEYS = {"role": "from", "content": "value"}


def _read_axolotl(file: Path, table: Mapping[str, Any], where: _Where,
                  overrides: dict[str, object]) -> TrainerConfig:
    # A key left empty (``sample_packing:``) is unset: the trainer's default applies.
    top = {key: table[key] for key in _AXOLOTL_OPTIONS if table.get(key) is not None}
    options = {**top, **overrides}
    profile = _profile(where, "axolotl", options, {key: key for key in options})
    entries = table.get("datasets")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise where.error("datasets", "expected a list of datasets")
    datasets: list[ConfigDataset] = []
    for index, entry in enumerate(entries):
        key = f"datasets[{index}]"
        if not isinstance(entry, dict):
            raise where.error(key, "expected a mapping with path and type")
        own = {name: entry[name] for name in _AXOLOTL_DATASET_OPTIONS
               if entry.get(name) is not None}
        if isinstance(entry.get("type"), str):
            own["type"] = entry["type"]
        keys = {**{name: name for name in top}, **{name: f"{key}.{name}" for name in own}}
        dataset_profile = _profile(where, "axolotl", {**top, **own, **overrides}, keys)
        datasets.extend(_axolotl_dataset(file, entry, key, where, dataset_profile))
    model = table.get("base_model")
    return TrainerConfig(path=file, trainer="axolotl", model=model if isinstance(model, str)
                         else None, profile=profile, datasets=tuple(datasets))


def _axolotl_dataset(file: Path, entry: Mapping[str, Any], key: str, where: _Where,
                     profile: TrainerProfile) -> list[ConfigDataset]:
    name = entry.get("path")
    files = entry.get("data_files")
    if files is None and (not isinstance(name, str) or not name):
        raise where.error(f"{key}.path", "expected the dataset's path or Hub id")
    format_id, mappings, note = _axolotl_format(entry, key, where)
    names: list[tuple[str, str]]
    if isinstance(files, str):
        names = [(files, f"{key}.data_files")]
    elif isinstance(files, list) and all(isinstance(item, str) for item in files):
        names = [(item, f"{key}.data_files[{number}]") for number, item in enumerate(files)]
    elif files is None and isinstance(name, str):
        names = [(name, f"{key}.path")]
    else:
        raise where.error(f"{key}.data_files", "expected a file name or a list of file names")
    bases = _bases(file)
    if files is not None and isinstance(name, str):
        # data_files name files inside the path folder (docs/dataset_loading.qmd 113-118).
        folder = _resolve(name, bases)
        if folder is not None and folder.is_dir():
            bases = [folder, *bases]
    found: list[ConfigDataset] = []
    for written, at in names:
        local = _resolve(written, bases)
        remote = _remote_note(written) if local is None else None
        where_found = remote or ("" if local is not None else _NOT_FOUND)
        found.append(ConfigDataset(
            name=written, key=at, path=local, format=format_id, mappings=mappings,
            remote=remote is not None, profile=profile,
            note="; ".join(part for part in (where_found, note) if part)))
    return found


def _axolotl_format(entry: Mapping[str, Any], key: str,
                    where: _Where) -> tuple[str | None, dict[str, str], str]:
    """The ftdata format, mappings and a note for an axolotl dataset entry."""
    kind = entry.get("type")
    if isinstance(kind, dict):
        return None, {}, "a custom prompt format (type with field_* keys) has no ftdata format"
    if kind is None:
        return None, {}, "no type: axolotl cannot tell how to read it"
    if not isinstance(kind, str):
        raise where.error(f"{key}.type", "expected a dataset type name")
    base = re.split(r"[:.]", kind, maxsplit=1)[0]
    format_id = _AXOLOTL_TYPES.get(base)
    if format_id is None:
        return None, {}, f"axolotl type {kind} has no ftdata format"
    if format_id == "text":
        column = entry.get("field")
        return "text", {"text": column} if isinstance(column, str) and column != "text" else {}, ""
    if format_id != "openai-chat":
        return format_id, {}, ""
    return _axolotl_messages(entry, key, where)


def _axolotl_messages(entry: Mapping[str, Any], key: str,
                      where: _Where) -> tuple[str, dict[str, str], str]:
    properties = entry.get("message_property_mappings") or {}
    if not isinstance(properties, dict) or not all(
            isinstance(name, str) and isinstance(value, str) for name, value in properties.items()):
        raise where.error(f"{key}.message_property_mappings",
                          "expected a mapping of message keys to dataset keys")
    properties = dict(properties)
    # The legacy spellings (datasets.py message_field_role / message_field_content).
    for legacy, target in (("message_field_role", "role"), ("message_field_content", "content")):
        if isinstance(entry.get(legacy), str):
            properties.setdefault(target, entry[legacy])
    field_messages = entry.get("field_messages") or "messages"
    if not isinstance(field_messages, str):
        raise where.error(f"{key}.field_messages", "expected the name of the messages column")
    sharegpt = all(properties.get(name) == value for name, value in _SHAREGPT_KEYS.items())
    format_id = "sharegpt" if sharegpt else "openai-chat"
    defaults = {"messages": "conversations", **_SHAREGPT_KEYS} if sharegpt else {
        "messages": "messages", "role": "role", "content": "content"}
    mappings = {name: value for name, value in {"messages": field_messages, **properties}.items()
                if defaults.get(name, name) != value}
    roles = entry.get("roles")
    if isinstance(roles, dict):
        # datasets.py roles: {canonical role: [names in the data]}.
        for role, spellings in roles.items():
            for spelling in spellings if isinstance(spellings, list) else [spellings]:
                if isinstance(role, str) and isinstance(spelling, str) and role != spelling:
                    mappings[f"role:{role}"] = spelling
    return format_id, mappings, ""


# LLaMA-Factory -------------------------------------------------------------------------------

_LF_OPTIONS = ("cutoff_len", "train_on_prompt", "mask_history", "packing", "neat_packing",
               "template")
#: DatasetAttr.formatting -> ftdata format (src/llamafactory/data/parser.py 33).
_LF_FORMATS = {"alpaca": "alpaca", "sharegpt": "sharegpt", "openai": "openai-chat"}
#: DatasetAttr's column and tag defaults (src/llamafactory/data/parser.py 51-65): a mapping is
#: reported when the dataset_info.json entry differs.
_LF_COLUMNS = {
    "alpaca": {"prompt": "instruction", "query": "input", "response": "output", "history": None,
               "system": None, "tools": None},
    "sharegpt": {"messages": "conversations", "system": None, "tools": None},
}
_LF_TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": "human",
            "assistant_tag": "gpt", "observation_tag": "observation",
            "function_tag": "function_call", "system_tag": "system"}
#: dataset_info.json keys that load a dataset from elsewhere (parser.py 126-142).
_LF_REMOTE = ("hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name")


def _read_llamafactory(file: Path, table: Mapping[str, Any], where: _Where,
                       overrides: dict[str, object]) -> TrainerConfig:
    options: dict[str, object] = {key: table[key] for key in _LF_OPTIONS
                                  if table.get(key) is not None}
    if table.get("packing") is None and table.get("stage") == "pt":
        # hparams/parser.py 645: unset packing is on for pre-training.
        options["packing"] = True
    options.update(overrides)
    profile = _profile(where, "llamafactory", options, {key: key for key in options})
    names = _lf_names(table.get("dataset"), where)
    directory = table.get("dataset_dir", "data")
    if not isinstance(directory, str):
        raise where.error("dataset_dir", "expected a folder name")
    datasets = [_lf_dataset(file, name, directory, where, profile) for name in names]
    model = table.get("model_name_or_path")
    return TrainerConfig(path=file, trainer="llamafactory",
                         model=model if isinstance(model, str) else None, profile=profile,
                         datasets=tuple(datasets))


def _lf_names(value: object, where: _Where) -> list[str]:
    """``dataset``: names separated by commas (data_args.py split_arg), or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return [name.strip() for name in value if name.strip()]
    raise where.error("dataset", "expected dataset names separated by commas")


def _lf_info(file: Path, directory: str, where: _Where) -> tuple[Path | None, dict[str, Any]]:
    """The dataset folder and its dataset_info.json (parser.py 100-112), or a miss."""
    folder = _resolve(directory, _bases(file))
    if folder is None or not (folder / "dataset_info.json").is_file():
        return folder, {}
    info_path = folder / "dataset_info.json"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise where.error("dataset_dir", f"{_display(info_path)} cannot be read: "
                                         f"{str(error).splitlines()[0]}") from None
    if not isinstance(info, dict):
        raise where.error("dataset_dir", f"{_display(info_path)}: expected an object of datasets")
    return folder, info


def _lf_dataset(file: Path, name: str, directory: str, where: _Where,
                profile: TrainerProfile) -> ConfigDataset:
    if directory == "ONLINE":
        # parser.py 115-119: every name is a Hub dataset.
        return ConfigDataset(name=name, key="dataset", path=None, format=None, remote=True,
                             profile=profile, note="dataset_dir ONLINE: a Hub dataset id")
    if directory.startswith("REMOTE:"):
        return ConfigDataset(name=name, key="dataset", path=None, format=None, remote=True,
                             profile=profile,
                             note="dataset_info.json is on the Hub: not checked")
    folder, info = _lf_info(file, directory, where)
    if not info:
        return ConfigDataset(name=name, key="dataset", path=None, format=None, profile=profile,
                             note=f"no dataset_info.json in dataset_dir {directory}")
    attributes = info.get(name)
    if not isinstance(attributes, dict):
        return ConfigDataset(name=name, key="dataset", path=None, format=None, profile=profile,
                             note="not defined in dataset_info.json")
    key = f"dataset_info.json {name}"
    formatting = attributes.get("formatting", "alpaca")
    format_id = _LF_FORMATS.get(formatting) if isinstance(formatting, str) else None
    mappings = _lf_mappings(attributes, formatting if isinstance(formatting, str) else "")
    notes = [] if format_id else [f"formatting {formatting} has no ftdata format"]
    if attributes.get("ranking"):
        notes.append("ranking: preference data (chosen/rejected)")
    remote = next((attributes[source] for source in _LF_REMOTE if source in attributes), None)
    if remote is not None:
        return ConfigDataset(name=str(remote), key=key, path=None, format=format_id,
                             mappings=mappings, remote=True, profile=profile,
                             note="; ".join(["loaded from the Hub or a script: not checked",
                                             *notes]))
    file_name = attributes.get("file_name")
    if not isinstance(file_name, str) or folder is None:
        return ConfigDataset(name=name, key=key, path=None, format=format_id, mappings=mappings,
                             profile=profile, note="; ".join(["no file_name", *notes]))
    # loader.py 66-75: file_name is relative to dataset_dir, a file or a folder of files.
    local = folder / file_name
    if not local.exists():
        notes.insert(0, f"{file_name} not found in dataset_dir")
    return ConfigDataset(name=file_name, key=key, path=local if local.exists() else None,
                         format=format_id, mappings=mappings, profile=profile,
                         note="; ".join(notes))


def _lf_mappings(attributes: Mapping[str, Any], formatting: str) -> dict[str, str]:
    """Columns and tags of a dataset_info.json entry that differ from DatasetAttr's defaults."""
    defaults: dict[str, str | None] = dict(_LF_COLUMNS.get(formatting, {}))
    if formatting == "sharegpt":
        defaults.update(_LF_TAGS)
    given: dict[str, Any] = {}
    for group in ("columns", "tags"):
        values = attributes.get(group)
        if isinstance(values, dict):
            given.update(values)
    return {name: value for name, value in given.items()
            if isinstance(value, str) and defaults.get(name) != value}


_READERS = {"axolotl": _read_axolotl, "llamafactory": _read_llamafactory}
