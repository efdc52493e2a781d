"""Trainer profiles: each trainer's defaults, as its source sets them, and each override."""

from __future__ import annotations

import re

import pytest

from ftdata.templates.length import LengthPolicy
from ftdata.templates.mask import MaskPolicy
from ftdata.templates.trainers import TRAINERS, OptionError, build_profile, get_trainer

PERMALINK = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/\S+#L\d+(-L\d+)?$")


def test_every_trainer_of_the_spec_has_a_row() -> None:
    assert set(TRAINERS) == {"trl", "axolotl", "llamafactory", "unsloth", "torchtune",
                             "autotrain"}


@pytest.mark.parametrize("trainer", sorted(TRAINERS))
def test_every_default_cites_a_line_at_a_commit(trainer: str) -> None:
    profile = build_profile(trainer)
    spec = get_trainer(trainer)
    assert set(spec.options) <= set(profile.sources)
    for name, source in profile.sources.items():
        assert PERMALINK.match(source), f"{trainer} {name}: {source}"
    assert profile.options == {name: option.default for name, option in spec.options.items()}


@pytest.mark.parametrize("trainer", sorted(TRAINERS))
def test_max_length_sets_the_trainers_own_length_option(trainer: str) -> None:
    profile = build_profile(trainer, {"max_length": 3000})
    assert profile.length.max_length == 3000
    assert profile.options[get_trainer(trainer).length_option] == 3000


# TRL ---------------------------------------------------------------------------------------

def test_trl_defaults() -> None:
    profile = build_profile("trl")
    assert profile.length == LengthPolicy(1024, "truncate_right", drop_untrained=True)
    assert profile.mask == MaskPolicy(train_all=True, use_weights=False)
    assert profile.template is None
    # prompt-completion data trains on the completion (completion_only_loss None).
    assert profile.mask_for("prompt-completion") == MaskPolicy(last_turn_only=True,
                                                               use_weights=False)
    assert profile.mask_for("trl-conversational").last_turn_only
    assert profile.mask_for("text").train_all
    assert profile.mask_for("openai-chat") == profile.mask
    assert profile.mask_for(None) == profile.mask


def test_trl_assistant_only_loss() -> None:
    profile = build_profile("trl", {"assistant_only_loss": True})
    assert profile.mask == MaskPolicy(use_weights=False)
    assert profile.mask_for("trl-conversational") == MaskPolicy(last_turn_only=True,
                                                                use_weights=False)


def test_trl_completion_only_loss_off() -> None:
    profile = build_profile("trl", {"completion_only_loss": False})
    assert profile.mask_for("prompt-completion").train_all
    with_assistant = build_profile("trl", {"completion_only_loss": False,
                                           "assistant_only_loss": True})
    assert with_assistant.mask_for("trl-conversational") == MaskPolicy(use_weights=False)


def test_trl_truncation_mode_and_no_limit() -> None:
    assert build_profile("trl", {"truncation_mode": "keep_end"}).length.strategy == "truncate_left"
    unlimited = build_profile("trl", {"max_length": None}).length
    assert unlimited.max_length is None and not unlimited.drop_untrained


@pytest.mark.parametrize(("packing_strategy", "strategy"),
                         [("bfd", "truncate_right"), ("bfd_split", "wrap"), ("wrapped", "wrap")])
def test_trl_packing(packing_strategy: str, strategy: str) -> None:
    length = build_profile("trl", {"packing": True, "packing_strategy": packing_strategy}).length
    assert length == LengthPolicy(1024, strategy, packing=True)  # type: ignore[arg-type]


def test_trl_packing_needs_a_length() -> None:
    with pytest.raises(OptionError, match="packing needs max_length"):
        build_profile("trl", {"packing": True, "max_length": None})


# axolotl -----------------------------------------------------------------------------------

def test_axolotl_defaults() -> None:
    profile = build_profile("axolotl")
    assert profile.length == LengthPolicy(512, "drop")
    assert profile.mask == MaskPolicy(train_roles=frozenset({"assistant"}), use_weights=False)
    assert profile.template is None and profile.trainer_template is None


@pytest.mark.parametrize(("excess", "strategy"),
                         [("drop", "drop"), ("truncate", "truncate_right"), ("raise", "raise")])
def test_axolotl_excess_length_strategy(excess: str, strategy: str) -> None:
    profile = build_profile("axolotl", {"excess_length_strategy": excess, "sequence_len": 2048})
    assert profile.length == LengthPolicy(2048, strategy)  # type: ignore[arg-type]


def test_axolotl_mask_options() -> None:
    assert build_profile("axolotl", {"train_on_inputs": True}).mask.train_all
    roles = build_profile("axolotl", {"roles_to_train": ["assistant", "tool"]}).mask
    assert roles.train_roles == {"assistant", "tool"}
    assert not build_profile("axolotl", {"train_on_eos": "none"}).mask.train_end_of_turn
    assert build_profile("axolotl", {"train_on_eos": "all"}).mask.train_end_of_turn
    assert build_profile("axolotl", {"message_field_training": "train"}).mask.use_weights


def test_axolotl_sample_packing_drops_untrained_samples() -> None:
    length = build_profile("axolotl", {"sample_packing": True}).length
    assert length == LengthPolicy(512, "drop", packing=True, drop_untrained=True)


def test_axolotl_chat_template_names() -> None:
    llama = build_profile("axolotl", {"chat_template": "llama3"})
    assert (llama.template, llama.trainer_template) == ("llama3", "llama3")
    default = build_profile("axolotl", {"chat_template": "tokenizer_default"})
    assert default.template is None and default.trainer_template is None
    qwen25 = build_profile("axolotl", {"chat_template": "qwen_25"})
    assert qwen25.template is None and qwen25.trainer_template == "qwen_25"
    assert any("'qwen_25' is not a built-in family" in note for note in qwen25.notes)


def test_axolotl_dataset_types() -> None:
    completion = build_profile("axolotl", {"type": "completion", "sequence_len": 2048})
    assert completion.mask.train_all
    assert completion.length == LengthPolicy(2048, "wrap")
    alpaca = build_profile("axolotl", {"type": "alpaca", "chat_template": "llama3"})
    assert (alpaca.template, alpaca.trainer_template) == (None, "alpaca")
    assert alpaca.mask == MaskPolicy(use_weights=False)
    chat = build_profile("axolotl", {"type": "chat_template", "chat_template": "llama3"})
    assert chat.template == "llama3"


# LLaMA-Factory -----------------------------------------------------------------------------

def test_llamafactory_defaults() -> None:
    profile = build_profile("llamafactory")
    assert profile.length == LengthPolicy(2048, "split_turns")
    assert profile.mask == MaskPolicy(use_weights=False)
    assert profile.template is None


def test_llamafactory_options() -> None:
    assert build_profile("llamafactory", {"train_on_prompt": True}).mask.train_all
    history = build_profile("llamafactory", {"mask_history": True})
    assert history.mask.last_turn_only
    assert history.length == LengthPolicy(2048, "split_turns", newest_turn_first=True)
    assert build_profile("llamafactory", {"packing": True}).length.packing
    assert build_profile("llamafactory", {"neat_packing": True}).length.packing
    assert build_profile("llamafactory", {"template": "qwen3"}).template == "qwen3"
    assert build_profile("llamafactory", {"template": "gpt_oss"}).template == "gpt-oss"
    assert build_profile("llamafactory", {"template": "qwen3_nothink"}).template is None


def test_llamafactory_refuses_mask_history_with_train_on_prompt() -> None:
    with pytest.raises(OptionError, match="incompatible") as caught:
        build_profile("llamafactory", {"mask_history": True, "train_on_prompt": True})
    assert caught.value.option == "mask_history"


# unsloth -----------------------------------------------------------------------------------

def test_unsloth_defaults_are_trls_with_its_length() -> None:
    profile = build_profile("unsloth")
    assert profile.length == LengthPolicy(2048, "truncate_right", drop_untrained=True)
    assert profile.mask == build_profile("trl").mask
    assert profile.mask_for("prompt-completion").last_turn_only


def test_unsloth_train_on_responses_only() -> None:
    profile = build_profile("unsloth", {"train_on_responses_only": True})
    assert profile.mask == MaskPolicy(use_weights=False)
    assert profile.mask_for("prompt-completion") == profile.mask
    last = build_profile("unsloth", {"train_on_responses_only": True,
                                     "last_response_only": True})
    assert last.mask.last_turn_only


# torchtune ---------------------------------------------------------------------------------

def test_torchtune_defaults() -> None:
    profile = build_profile("torchtune")
    assert profile.length == LengthPolicy(None, "truncate_right")
    assert profile.mask == MaskPolicy(use_weights=False)


def test_torchtune_masking() -> None:
    everything = build_profile("torchtune", {"train_on_input": True}).mask
    assert everything.train_roles == {"user", "assistant", "tool", "function"}
    assert "system" not in everything.train_roles and not everything.train_all
    last = build_profile("torchtune", {"masking_strategy": "train_on_last",
                                       "train_on_input": True})
    assert last.mask.last_turn_only
    length = build_profile("torchtune", {"max_seq_len": 4096, "truncation_type": "left",
                                         "packed": True}).length
    assert length == LengthPolicy(4096, "truncate_left", packing=True)


# AutoTrain ---------------------------------------------------------------------------------

def test_autotrain_defaults() -> None:
    profile = build_profile("autotrain")
    assert profile.length == LengthPolicy(1024, "wrap", packing=True)
    assert profile.mask.train_all
    assert profile.template is None and profile.trainer_template is None


@pytest.mark.parametrize(("choice", "family", "named"),
                         [("none", None, None), ("tokenizer", None, None),
                          ("chatml", "chatml", "chatml"), ("zephyr", None, "zephyr")])
def test_autotrain_chat_templates(choice: str, family: str | None, named: str | None) -> None:
    profile = build_profile("autotrain", {"chat_template": choice})
    assert (profile.template, profile.trainer_template) == (family, named)
    assert profile.mask.train_all


def test_autotrain_block_size() -> None:
    assert build_profile("autotrain", {"block_size": 2048}).length.max_length == 2048
    assert build_profile("autotrain", {"block_size": -1}).length.max_length == 1024


# Overrides ---------------------------------------------------------------------------------

def test_unknown_trainer() -> None:
    with pytest.raises(ValueError, match="unknown trainer 'nemo'"):
        build_profile("nemo")


def test_unknown_option_names_the_known_ones() -> None:
    with pytest.raises(OptionError, match=r"has no option 'cutoff_len'.*max_length") as caught:
        build_profile("trl", {"cutoff_len": 10})
    assert caught.value.option == "cutoff_len"


@pytest.mark.parametrize(("trainer", "overrides", "message"), [
    ("trl", {"packing": "yes"}, "takes true or false"),
    ("trl", {"max_length": 0}, "positive whole number"),
    ("trl", {"max_length": True}, "positive whole number"),
    ("axolotl", {"sequence_len": None}, "cannot be null"),
    ("axolotl", {"train_on_eos": "sometimes"}, "one of: all, turn, last, none"),
    ("axolotl", {"roles_to_train": [1]}, "list of role names"),
    ("autotrain", {"block_size": -2}, "positive whole number or -1"),
    ("llamafactory", {"template": 3}, "takes a string"),
])
def test_bad_values(trainer: str, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        build_profile(trainer, overrides)


def test_a_single_role_is_a_list_of_one() -> None:
    assert build_profile("axolotl", {"roles_to_train": "tool"}).mask.train_roles == {"tool"}
