"""Trainer config files: real-shaped axolotl and LLaMA-Factory configs, and broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftdata.templates.config import TrainerConfigError, read_trainer_config
from ftdata.templates.length import LengthPolicy
from ftdata.templates.mask import MaskPolicy

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder: relative dataset paths resolve next to the config."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


# axolotl -----------------------------------------------------------------------------------

def test_axolotl_example_with_sharegpt_mappings_and_packing() -> None:
    config = read_trainer_config(FIXTURES / "axolotl" / "command-r-7b-qlora.yml")
    assert config.trainer == "axolotl"
    assert config.model == "CohereForAI/c4ai-command-r7b-12-2024"
    assert config.profile.length == LengthPolicy(2048, "drop", packing=True, drop_untrained=True)
    assert config.profile.trainer_template == "cohere" and config.profile.template is None
    [dataset] = config.datasets
    assert dataset.name == "cgato/SlimOrcaDedupCleaned" and dataset.key == "datasets[0].path"
    assert dataset.remote and dataset.path is None
    assert "Hub dataset id" in dataset.note
    # role: from, content: value under "conversations" is ShareGPT's own spelling.
    assert dataset.format == "sharegpt" and dataset.mappings == {}


def test_axolotl_example_with_a_family_template() -> None:
    config = read_trainer_config(FIXTURES / "axolotl" / "instruct-lora-8b.yml")
    assert config.profile.template == "llama3"
    assert config.profile.length == LengthPolicy(4096, "drop")
    assert config.profile.mask == MaskPolicy(use_weights=False)
    [dataset] = config.datasets
    assert dataset.format == "openai-chat" and dataset.mappings == {} and dataset.remote


def test_axolotl_local_files() -> None:
    folder = FIXTURES / "axolotl"
    config = read_trainer_config(folder / "local-files.yml")
    assert config.profile.length == LengthPolicy(1024, "truncate_right")
    assert config.profile.template == "qwen3"
    chat, alpaca, notes, segments, missing = config.datasets

    assert chat.path == folder / "data" / "chat.jsonl" and not chat.remote
    assert chat.format == "openai-chat"
    assert chat.mappings == {"role": "speaker", "content": "text"}
    assert chat.profile is not None
    assert chat.profile.mask == MaskPolicy(train_roles=frozenset({"assistant", "tool"}),
                                           train_end_of_turn=False, use_weights=False)
    assert chat.profile.length == config.profile.length

    # data_files are looked up inside the path folder.
    assert alpaca.path == folder / "data" / "alpaca.jsonl" and alpaca.format == "alpaca"
    assert alpaca.key == "datasets[1].data_files[0]"

    assert alpaca.profile is not None and alpaca.profile.trainer_template == "alpaca"
    assert alpaca.profile.template is None  # axolotl's alpaca prompt, not the chat template

    assert notes.format == "text" and notes.mappings == {"text": "body"}
    assert notes.profile is not None and notes.profile.mask.train_all
    assert notes.profile.length == LengthPolicy(1024, "wrap")
    assert segments.format is None and "input_output" in segments.note
    assert segments.path == folder / "data" / "segments.jsonl"

    assert missing.path is None and not missing.remote
    assert "not found" in missing.note


def test_overrides_win_over_the_file() -> None:
    config = read_trainer_config(FIXTURES / "axolotl" / "instruct-lora-8b.yml",
                                 overrides={"max_length": 8192})
    assert config.profile.length.max_length == 8192
    assert config.datasets[0].profile is not None
    assert config.datasets[0].profile.length.max_length == 8192


# LLaMA-Factory -----------------------------------------------------------------------------

def test_llamafactory_example() -> None:
    folder = FIXTURES / "llamafactory"
    config = read_trainer_config(folder / "qwen3_lora_sft.yaml")
    assert config.trainer == "llamafactory"
    assert config.model == "Qwen/Qwen3-4B-Instruct-2507"
    assert config.profile.length == LengthPolicy(2048, "split_turns")
    assert config.profile.trainer_template == "qwen3_nothink"
    assert config.profile.template is None  # qwen3_nothink is not the qwen3 family
    identity, alpaca, glaive, mllm, hub, undefined = config.datasets

    assert identity.path == folder / "data" / "identity.json"
    assert identity.format == "alpaca" and identity.mappings == {} and identity.note == ""
    assert alpaca.format == "alpaca" and alpaca.path is not None

    assert glaive.format == "sharegpt" and glaive.path is not None
    assert glaive.mappings == {"tools": "tools"}

    # role/content tags under "messages": mappings reported, the file is missing.
    assert mllm.format == "sharegpt" and mllm.path is None
    assert mllm.mappings == {"messages": "messages", "images": "images", "role_tag": "role",
                             "content_tag": "content", "user_tag": "user",
                             "assistant_tag": "assistant"}
    assert "not found" in mllm.note

    assert hub.remote and hub.name == "llamafactory/alpaca_en" and hub.format == "alpaca"
    assert undefined.format is None and "not defined in dataset_info.json" in undefined.note


def test_llamafactory_mask_history_and_neat_packing() -> None:
    config = read_trainer_config(FIXTURES / "llamafactory" / "mask_history.yaml")
    assert config.profile.mask == MaskPolicy(last_turn_only=True, use_weights=False)
    assert config.profile.length == LengthPolicy(1024, "split_turns", packing=True,
                                                 newest_turn_first=True)
    assert config.profile.template == "llama3"


def test_llamafactory_pretraining_packs_by_default(tmp_path: Path) -> None:
    (tmp_path / "pt.yaml").write_text("model_name_or_path: m\nstage: pt\ndataset: c4_demo\n")
    config = read_trainer_config(tmp_path / "pt.yaml")
    assert config.profile.length.packing
    [dataset] = config.datasets
    assert dataset.path is None and "no dataset_info.json" in dataset.note


def test_llamafactory_online_datasets(tmp_path: Path) -> None:
    (tmp_path / "online.yaml").write_text(
        "model_name_or_path: m\ndataset: [org/a, org/b]\ndataset_dir: ONLINE\n")
    config = read_trainer_config(tmp_path / "online.yaml")
    assert [dataset.name for dataset in config.datasets] == ["org/a", "org/b"]
    assert all(dataset.remote for dataset in config.datasets)


# Broken configs ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("base_model: m\ndatasets: [\n", r"bad\.yml: not valid YAML \(line \d+\)"),
    ("- a\n- b\n", r"bad\.yml: expected a mapping of options at the top level"),
    ("output_dir: x\n", r"bad\.yml: cannot tell whether"),
    ("base_model: m\nsequence_len: long\n", r"bad\.yml: sequence_len: axolotl option "
                                            r"sequence_len takes a positive whole number"),
    ("base_model: m\ndatasets: data.jsonl\n", r"bad\.yml: datasets: expected a list"),
    ("base_model: m\ndatasets:\n  - data.jsonl\n", r"bad\.yml: datasets\[0\]: expected a mapping"),
    ("base_model: m\ndatasets:\n  - type: alpaca\n", r"bad\.yml: datasets\[0\]\.path: "),
    ("base_model: m\ndatasets:\n  - path: a.jsonl\n    type: chat_template\n"
     "    train_on_eos: maybe\n", r"bad\.yml: datasets\[0\]\.train_on_eos: .*one of"),
    ("base_model: m\ndatasets:\n  - path: a.jsonl\n    type: chat_template\n"
     "    message_property_mappings: [role]\n",
     r"bad\.yml: datasets\[0\]\.message_property_mappings: "),
    ("model_name_or_path: m\nmask_history: true\ntrain_on_prompt: true\n",
     r"bad\.yml: mask_history: mask_history is incompatible with train_on_prompt"),
    ("model_name_or_path: m\ndataset: 3\n", r"bad\.yml: dataset: expected dataset names"),
    ("model_name_or_path: m\ncutoff_len: -5\n", r"bad\.yml: cutoff_len: "),
])
def test_bad_configs_get_one_located_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.yml").write_text(text)
    with pytest.raises(TrainerConfigError, match=message) as caught:
        read_trainer_config(tmp_path / "bad.yml")
    assert "\n" not in str(caught.value)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(TrainerConfigError, match="no such trainer config file"):
        read_trainer_config(tmp_path / "absent.yml")
    (tmp_path / "latin1.yml").write_bytes(b"base_model: caf\xe9\n")
    with pytest.raises(TrainerConfigError, match="not valid UTF-8"):
        read_trainer_config(tmp_path / "latin1.yml")


def test_a_broken_dataset_info_is_located(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset_info.json").write_text("{not json")
    (tmp_path / "lf.yaml").write_text("model_name_or_path: m\ndataset: a\n")
    with pytest.raises(TrainerConfigError, match=r"lf\.yaml: dataset_dir: .*dataset_info\.json"):
        read_trainer_config(tmp_path / "lf.yaml")


def test_trainer_can_be_forced(tmp_path: Path) -> None:
    (tmp_path / "cfg.yml").write_text("cutoff_len: 512\n")
    assert read_trainer_config(tmp_path / "cfg.yml").trainer == "llamafactory"
    with pytest.raises(TrainerConfigError, match="trl configs are not read"):
        read_trainer_config(tmp_path / "cfg.yml", trainer="trl")
    with pytest.raises(TrainerConfigError, match="unknown trainer"):
        read_trainer_config(tmp_path / "cfg.yml", trainer="nemo")


def test_the_working_directory_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "run" / "data").mkdir(parents=True)
    (tmp_path / "run" / "data" / "chat.jsonl").write_text("{}\n")
    (tmp_path / "configs" / "data").mkdir(parents=True)
    (tmp_path / "configs" / "data" / "chat.jsonl").write_text("{}\n")
    (tmp_path / "configs" / "axolotl.yml").write_text(
        "base_model: m\ndatasets:\n  - path: data/chat.jsonl\n    type: chat_template\n")
    monkeypatch.chdir(tmp_path / "run")
    [dataset] = read_trainer_config(tmp_path / "configs" / "axolotl.yml").datasets
    assert dataset.path is not None
    assert dataset.path.resolve() == (tmp_path / "run" / "data" / "chat.jsonl").resolve()
