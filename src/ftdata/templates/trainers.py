"""Trainer profiles: which tokens each open-model trainer trains on, and how long they may be.

Each trainer is one row of :data:`TRAINERS`: its options that change the loss mask, the
maximum length or the chat template, each with the trainer's default and the source line
that sets it, plus a small function that turns option values into the contract's
:class:`~ftdata.templates.mask.MaskPolicy` and :class:`~ftdata.templates.length.LengthPolicy`.
:func:`build_profile` applies overrides (from the command line or a trainer config file) to a
row and returns the resulting :class:`TrainerProfile`.

Sources were read at these commits (``_COMMITS``); every option and behaviour cites its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ftdata.templates.length import LengthPolicy, Strategy
from ftdata.templates.mask import MaskPolicy

#: An option's value: a flag, a length, a choice, a list of roles, or unset.
OptionValue = bool | int | str | tuple[str, ...] | None
OptionKind = Literal["bool", "int", "str", "roles"]

_COMMITS = {
    "huggingface/trl": "f2cd57710ae345ea6428ae95363267fcf38a3dc8",
    "axolotl-ai-cloud/axolotl": "067b021c8b87a9e5e380b9173c704cf7340e30f5",
    "hiyouga/LLaMA-Factory": "ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30",
    "unslothai/unsloth": "015bdef0d94a241bcd94eec7a405b1700632180d",
    "unslothai/unsloth-zoo": "ce232d6cef9cb8cd34cd3727906131622177436b",
    "pytorch/torchtune": "bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1",
    "huggingface/autotrain-advanced": "b5c98fbe3aab61101e9c8f7f6c64407cbb68e400",
    # The TRL release AutoTrain pins (requirements.txt: trl==0.13.0).
    "huggingface/trl@v0.13.0": "8d4cc9427d58f5f9ee8c405c7f111fa38032b3e8",
}


def _at(repo: str, path: str, lines: str) -> str:
    """A permanent link to ``lines`` ("12" or "12-15") of ``path`` at the commit read."""
    name = repo.partition("@")[0]
    first, _, last = lines.partition("-")
    anchor = f"#L{first}-L{last}" if last else f"#L{first}"
    return f"https://github.com/{name}/blob/{_COMMITS[repo]}/{path}{anchor}"


@dataclass(frozen=True)
class Option:
    """One trainer option that changes the loss mask, the length limit or the template."""

    default: OptionValue
    kind: OptionKind
    source: str
    help: str
    #: Allowed values of a ``str`` option (empty: any string).
    choices: tuple[str, ...] = ()
    #: ``None`` is a valid value (the trainer decides, or no limit).
    nullable: bool = False


@dataclass(frozen=True)
class TrainerProfile:
    """A trainer's view of a dataset under given options (its defaults unless overridden)."""

    id: str
    mask: MaskPolicy
    length: LengthPolicy
    #: The built-in template family the trainer renders with; None: the tokenizer's own.
    template: str | None
    #: Where each default and behaviour comes from (option or behaviour name: source link).
    sources: Mapping[str, str]
    #: The trainer's own name for its template when it names one (``qwen_25``, ``zephyr``).
    trainer_template: str | None = None
    #: Masks that differ by dataset format (TRL trains only the completion of
    #: prompt-completion data, everything of plain text).
    format_masks: Mapping[str, MaskPolicy] = field(default_factory=dict)
    #: Every option's value in effect, defaults included.
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def mask_for(self, format_id: str | None) -> MaskPolicy:
        """The mask policy for a dataset of this format.

        >>> build_profile("trl").mask_for("prompt-completion").last_turn_only
        True
        """
        if format_id is None:
            return self.mask
        return self.format_masks.get(format_id, self.mask)


@dataclass(frozen=True)
class Resolved:
    """What a row's resolver derives from option values."""

    mask: MaskPolicy
    length: LengthPolicy
    trainer_template: str | None = None
    format_masks: Mapping[str, MaskPolicy] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainerSpec:
    """One row of the table: a trainer, its options and how they map onto the policies."""

    id: str
    description: str
    #: The trainer's own name for the maximum length (``build_profile``'s ``max_length``).
    length_option: str
    options: Mapping[str, Option]
    resolve: Callable[[Mapping[str, OptionValue]], Resolved]
    #: Trainer template names that are one of the built-in families.
    families: Mapping[str, str]
    #: Behaviours that no option controls, with their sources.
    behaviour: Mapping[str, str]
    notes: tuple[str, ...] = ()


class OptionError(ValueError):
    """An override names an option the trainer lacks, or gives it a value it does not take."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


# Trainers that take per-message weights do so through their own option; none of these reads
# OpenAI's ``weight`` key by default, so every policy below sets ``use_weights=False``.
_ASSISTANT = MaskPolicy(use_weights=False)
_EVERYTHING = MaskPolicy(train_all=True, use_weights=False)
_LAST_TURN = MaskPolicy(last_turn_only=True, use_weights=False)


def _flag(options: Mapping[str, OptionValue], name: str) -> bool:
    return bool(options[name])


def _length(options: Mapping[str, OptionValue], name: str) -> int | None:
    value = options[name]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(options: Mapping[str, OptionValue], name: str) -> str | None:
    value = options[name]
    return value if isinstance(value, str) else None


# --- TRL -----------------------------------------------------------------------------------

_TRL = "huggingface/trl"
_TRL_CONFIG = "trl/trainer/sft_config.py"
_TRL_TRAINER = "trl/trainer/sft_trainer.py"

#: SFTConfig.truncation_mode -> strategy (sft_trainer.py 1574-1578: a slice of the start or end).
_TRL_TRUNCATION: dict[str, Strategy] = {"keep_start": "truncate_right", "keep_end": "truncate_left"}
#: SFTConfig.packing_strategy -> strategy (sft_config.py 232-237: "bfd" truncates overflow,
#: "bfd_split" splits overflow sequences, "wrapped" cuts mid-sequence).
_TRL_PACKING: dict[str, Strategy] = {"bfd": "truncate_right", "bfd_split": "wrap",
                                     "wrapped": "wrap"}


def _trl_options() -> dict[str, Option]:
    return {
        "max_length": Option(1024, "int", _at(_TRL, _TRL_CONFIG, "205-206"),
                             "Maximum tokenized length; None: no truncation.", nullable=True),
        "truncation_mode": Option("keep_start", "str", _at(_TRL, _TRL_CONFIG, "213-214"),
                                  "keep_start cuts the end, keep_end (deprecated) the start.",
                                  choices=tuple(_TRL_TRUNCATION)),
        "packing": Option(False, "bool", _at(_TRL, _TRL_CONFIG, "225-226"),
                          "Packs examples into max_length blocks."),
        "packing_strategy": Option("bfd", "str", _at(_TRL, _TRL_CONFIG, "232-233"),
                                   "How packing treats an example longer than a block.",
                                   choices=tuple(_TRL_PACKING)),
        "completion_only_loss": Option(None, "bool", _at(_TRL, _TRL_CONFIG, "261-262"),
                                       "Loss on the completion only; None: on for "
                                       "prompt-completion data.", nullable=True),
        "assistant_only_loss": Option(False, "bool", _at(_TRL, _TRL_CONFIG, "273-274"),
                                      "Loss on assistant turns only (conversational data)."),
    }


def _trl(options: Mapping[str, OptionValue]) -> Resolved:
    max_length = _length(options, "max_length")
    packing = _flag(options, "packing")
    if packing and max_length is None:
        # sft_trainer.py 1601-1602: "When packing is enabled, `max_length` can't be `None`."
        raise OptionError("max_length", "packing needs max_length (TRL refuses None)")
    if packing:
        strategy = _TRL_PACKING[str(options["packing_strategy"])]
    else:
        strategy = _TRL_TRUNCATION[str(options["truncation_mode"])]
    # Truncation and the drop of fully masked examples run only without packing
    # (sft_trainer.py 1574 and 1590-1598).
    length = LengthPolicy(max_length, strategy, packing=packing,
                          drop_untrained=max_length is not None and not packing)
    assistant_only = _flag(options, "assistant_only_loss")
    mask = _ASSISTANT if assistant_only else _EVERYTHING
    # completion_only_loss None means on for prompt-completion data (sft_trainer.py 1174-1175);
    # the assistant and completion masks combine (sft_trainer.py 1542-1569).
    completion_only = options["completion_only_loss"] is not False
    completion = _LAST_TURN if completion_only else mask
    return Resolved(mask=mask, length=length, format_masks={
        "prompt-completion": completion if completion_only else _EVERYTHING,
        "trl-conversational": completion,
        "text": _EVERYTHING,
    })


# --- axolotl -------------------------------------------------------------------------------

_AXOLOTL = "axolotl-ai-cloud/axolotl"
_AXOLOTL_STRATEGY = "src/axolotl/prompt_strategies/chat_template.py"

#: excess_length_strategy -> strategy (utils/data/utils.py 334-349; truncate keeps the start,
#: utils/data/utils.py 178).
_AXOLOTL_EXCESS: dict[str, Strategy] = {"drop": "drop", "truncate": "truncate_right",
                                        "raise": "raise"}
#: axolotl chat_template names (utils/schemas/enums.py ChatTemplate) that are built-in families.
_AXOLOTL_FAMILIES = {"chatml": "chatml", "llama3": "llama3", "qwen3": "qwen3", "gemma": "gemma"}


def _axolotl_options() -> dict[str, Option]:
    schema = "src/axolotl/utils/schemas/config.py"
    return {
        "sequence_len": Option(512, "int", _at(_AXOLOTL, schema, "665-666"),
                               "Maximum tokenized length."),
        "excess_length_strategy": Option(None, "str", _at(_AXOLOTL, schema, "671-675"),
                                         "drop (when unset), truncate or raise.",
                                         choices=tuple(_AXOLOTL_EXCESS), nullable=True),
        "sample_packing": Option(None, "bool", _at(_AXOLOTL, schema, "688-689"),
                                 "Multipack examples into sequence_len blocks.", nullable=True),
        "train_on_inputs": Option(False, "bool", _at(
            _AXOLOTL, "src/axolotl/utils/schemas/training.py", "103-104"),
            "Train on the prompt as well."),
        "roles_to_train": Option(("assistant",), "roles", _at(_AXOLOTL, _AXOLOTL_STRATEGY, "1181"),
                                 "Roles whose turns train (per dataset)."),
        "train_on_eos": Option("turn", "str", _at(_AXOLOTL, _AXOLOTL_STRATEGY, "1182"),
                               "Which EOS tokens train: all, turn, last, none (per dataset).",
                               choices=("all", "turn", "last", "none")),
        "message_field_training": Option(None, "str", _at(_AXOLOTL, _AXOLOTL_STRATEGY, "1219-1221"),
                                         "Per-message field that says whether it trains.",
                                         nullable=True),
        "chat_template": Option(None, "str", _at(
            _AXOLOTL, "src/axolotl/utils/chat_templates/base.py", "93"),
            "Template name; unset: tokenizer_default.", nullable=True),
        "type": Option("chat_template", "str", _at(
            _AXOLOTL, "src/axolotl/utils/schemas/datasets.py", "52-53"),
            "The dataset's prompt strategy (chat_template, alpaca, completion, ...)."),
    }


def _axolotl(options: Mapping[str, OptionValue]) -> Resolved:
    packing = _flag(options, "sample_packing")
    sequence_len = _length(options, "sequence_len")
    kind = re.split(r"[:.]", str(options["type"]), maxsplit=1)[0]
    if kind == "completion":
        # prompt_strategies/completion.py 55-58: raw text cut into sequence_len chunks, each
        # an example where every token trains (up to 64 chunks, completion.py 86).
        return Resolved(mask=_EVERYTHING,
                        length=LengthPolicy(sequence_len, "wrap", packing=packing,
                                            drop_untrained=packing))
    if _flag(options, "train_on_inputs"):
        mask = _EVERYTHING
    else:
        roles = options["roles_to_train"]
        # chat_template.py 508: a turn trains when train_on_inputs or its role is listed;
        # a per-message training field decides first (chat_template.py 503-506).
        mask = MaskPolicy(train_roles=frozenset(roles if isinstance(roles, tuple) else ()),
                          train_end_of_turn=options["train_on_eos"] != "none",
                          use_weights=options["message_field_training"] is not None)
    strategy = _AXOLOTL_EXCESS[_text(options, "excess_length_strategy") or "drop"]
    # Packing drops samples with no trainable token (utils/trainer.py 260-299, called from
    # utils/data/sft.py 351-354 only when sample_packing is on).
    length = LengthPolicy(sequence_len, strategy, packing=packing, drop_untrained=packing)
    # Only chat_template datasets render with the chat template; the others (alpaca, ...)
    # use axolotl's own prompt of that name.
    template = _text(options, "chat_template") if kind == "chat_template" else kind
    return Resolved(mask=mask, length=length,
                    trainer_template=None if template == "tokenizer_default" else template)


# --- LLaMA-Factory -------------------------------------------------------------------------

_LF = "hiyouga/LLaMA-Factory"
_LF_ARGS = "src/llamafactory/hparams/data_args.py"
#: LLaMA-Factory template names (src/llamafactory/data/template.py register_template) that are
#: built-in families.
_LF_FAMILIES = {"chatml": "chatml", "llama3": "llama3", "qwen3": "qwen3", "gemma": "gemma",
                "gpt_oss": "gpt-oss"}


def _llamafactory_options() -> dict[str, Option]:
    return {
        "cutoff_len": Option(2048, "int", _at(_LF, _LF_ARGS, "46-47"),
                             "Token budget shared between each prompt and response."),
        "train_on_prompt": Option(False, "bool", _at(_LF, _LF_ARGS, "50-51"),
                                  "Train on the prompt as well."),
        "mask_history": Option(False, "bool", _at(_LF, _LF_ARGS, "54-55"),
                               "Train on the last turn only."),
        "packing": Option(None, "bool", _at(_LF, _LF_ARGS, "108-109"),
                          "Pack sequences; unset: only in pre-training.", nullable=True),
        "neat_packing": Option(False, "bool", _at(_LF, _LF_ARGS, "112-113"),
                               "Packing without cross-attention; turns packing on."),
        "template": Option(None, "str", _at(_LF, _LF_ARGS, "26-27"),
                           "Template name; unset: parsed from the tokenizer.", nullable=True),
    }


def _llamafactory(options: Mapping[str, OptionValue]) -> Resolved:
    on_prompt, history = _flag(options, "train_on_prompt"), _flag(options, "mask_history")
    if on_prompt and history:
        # data_args.py 182-183.
        raise OptionError("mask_history", "mask_history is incompatible with train_on_prompt")
    mask = _EVERYTHING if on_prompt else _LAST_TURN if history else _ASSISTANT
    # data_args.py 185-186 (neat_packing turns packing on); hparams/parser.py 645 (unset
    # packing is on only for stage pt; these profiles describe supervised fine-tuning).
    packing = _flag(options, "packing") or _flag(options, "neat_packing")
    length = LengthPolicy(_length(options, "cutoff_len"), "split_turns", packing=packing,
                          newest_turn_first=history)
    return Resolved(mask=mask, length=length, trainer_template=_text(options, "template"))


# --- unsloth -------------------------------------------------------------------------------

_UNSLOTH = "unslothai/unsloth"


def _unsloth_options() -> dict[str, Option]:
    trl = _trl_options()
    return {
        "max_seq_length": Option(2048, "int", _at(_UNSLOTH, "unsloth/models/loader.py", "412"),
                                 "FastLanguageModel.from_pretrained's length; becomes TRL's "
                                 "max_length."),
        "train_on_responses_only": Option(False, "bool", _at(
            "unslothai/unsloth-zoo", "unsloth_zoo/dataset_utils.py", "673-682"),
            "Mask everything but the responses (a call on the trainer, off unless made)."),
        "last_response_only": Option(False, "bool", _at(
            "unslothai/unsloth-zoo", "unsloth_zoo/dataset_utils.py", "681"),
            "With train_on_responses_only: the last response only."),
        **{name: trl[name] for name in ("truncation_mode", "packing", "packing_strategy",
                                        "completion_only_loss", "assistant_only_loss")},
    }


def _unsloth(options: Mapping[str, OptionValue]) -> Resolved:
    # unsloth/models/rl.py 2534-2536: TRL's max_length is set from max_seq_length.
    trl = _trl({**options, "max_length": options["max_seq_length"]})
    if not _flag(options, "train_on_responses_only"):
        return trl
    # The response markers are found in the rendered text whatever the dataset format.
    mask = _LAST_TURN if _flag(options, "last_response_only") else _ASSISTANT
    return Resolved(mask=mask, length=trl.length)


# --- torchtune -----------------------------------------------------------------------------

_TORCHTUNE = "pytorch/torchtune"
_TORCHTUNE_MESSAGES = "torchtune/data/_messages.py"

#: MaskingStrategy -> mask (data/_messages.py 905-935). System messages never train; under
#: train_on_all every other message does, headers included.
_TORCHTUNE_MASKS = {
    "train_on_assistant": _ASSISTANT,
    "train_on_all": MaskPolicy(train_roles=frozenset({"user", "assistant", "tool", "function"}),
                               use_weights=False),
    "train_on_last": _LAST_TURN,
}
#: truncation_type -> strategy (data/_utils.py 50-53).
_TORCHTUNE_TRUNCATION: dict[str, Strategy] = {"right": "truncate_right", "left": "truncate_left"}


def _torchtune_options() -> dict[str, Option]:
    tokenizer = "torchtune/models/llama3/_tokenizer.py"
    return {
        "train_on_input": Option(False, "bool", _at(_TORCHTUNE, "torchtune/datasets/_chat.py",
                                                    "21"),
                                 "chat_dataset: train on the prompt as well (deprecated alias "
                                 "of masking_strategy).", nullable=True),
        "masking_strategy": Option(None, "str", _at(_TORCHTUNE, _TORCHTUNE_MESSAGES, "23-26"),
                                   "train_on_assistant, train_on_all or train_on_last; wins "
                                   "over train_on_input when set.",
                                   choices=tuple(_TORCHTUNE_MASKS), nullable=True),
        "max_seq_len": Option(None, "int", _at(_TORCHTUNE, tokenizer, "82"),
                              "The tokenizer's maximum length; None: no limit.", nullable=True),
        "truncation_type": Option("right", "str", _at(_TORCHTUNE, tokenizer, "84"),
                                  "right keeps the start, left the end.",
                                  choices=tuple(_TORCHTUNE_TRUNCATION)),
        "packed": Option(False, "bool", _at(_TORCHTUNE, "torchtune/datasets/_chat.py", "23"),
                         "Pack examples into max_seq_len blocks."),
    }


def _torchtune(options: Mapping[str, OptionValue]) -> Resolved:
    strategy_name = _text(options, "masking_strategy")
    if strategy_name is None:
        # data/_messages.py 214-216: train_on_input maps onto a masking strategy.
        strategy_name = "train_on_all" if _flag(options, "train_on_input") else "train_on_assistant"
    length = LengthPolicy(_length(options, "max_seq_len"),
                          _TORCHTUNE_TRUNCATION[str(options["truncation_type"])],
                          packing=_flag(options, "packed"))
    return Resolved(mask=_TORCHTUNE_MASKS[strategy_name], length=length)


# --- AutoTrain -----------------------------------------------------------------------------

_AUTOTRAIN = "huggingface/autotrain-advanced"
_AUTOTRAIN_PARAMS = "src/autotrain/trainers/clm/params.py"
#: The block length configure_block_size picks for block_size -1 (clm/utils.py 779-790),
#: when the tokenizer allows at least that much.
_AUTOTRAIN_DEFAULT_BLOCK = 1024


def _autotrain_options() -> dict[str, Option]:
    return {
        "chat_template": Option(None, "str", _at(_AUTOTRAIN, _AUTOTRAIN_PARAMS, "107-108"),
                                "none (unset), zephyr, chatml or tokenizer.",
                                choices=("none", "zephyr", "chatml", "tokenizer"), nullable=True),
        "block_size": Option(-1, "int", _at(_AUTOTRAIN, _AUTOTRAIN_PARAMS, "79-80"),
                             "Packed block length; -1: the tokenizer's, at most 1024."),
        "trainer": Option("default", "str", _at(_AUTOTRAIN, _AUTOTRAIN_PARAMS, "86"),
                          "default (causal LM) or sft (TRL SFTTrainer).",
                          choices=("default", "sft")),
    }


def _autotrain(options: Mapping[str, OptionValue]) -> Resolved:
    block = _length(options, "block_size")
    if block is None or block == -1:
        block = _AUTOTRAIN_DEFAULT_BLOCK
    template = _text(options, "chat_template")
    # Both trainers render the conversation to text (clm/utils.py 633, 345-347) and train on
    # every token of fixed blocks cut from the concatenated stream: group_texts for "default"
    # (clm/utils.py 186-200), packing=True through TRL 0.13's ConstantLengthDataset for "sft"
    # (clm/train_clm_sft.py 23-24).
    return Resolved(mask=_EVERYTHING, length=LengthPolicy(block, "wrap", packing=True),
                    trainer_template=None if template in (None, "none", "tokenizer") else template)


TRAINERS: dict[str, TrainerSpec] = {spec.id: spec for spec in (
    TrainerSpec(
        "trl", "Hugging Face TRL SFTTrainer.", "max_length", _trl_options(), _trl, {},
        behaviour={
            "template": _at(_TRL, _TRL_TRAINER, "1226-1230"),
            "completion_only_loss": _at(_TRL, _TRL_TRAINER, "1174-1175"),
            "truncation": _at(_TRL, _TRL_TRAINER, "1574-1578"),
            "drop_untrained": _at(_TRL, _TRL_TRAINER, "1590-1598"),
            "labels": _at(_TRL, _TRL_TRAINER, "1542-1569"),
        },
        notes=("Renders with the tokenizer's chat template; with assistant_only_loss and a "
               "template without {% generation %} markers TRL swaps in its own training "
               "template for the family.",
               "Conversational data trains on every token unless assistant_only_loss; "
               "prompt-completion data trains on the completion.",
               "Examples left with no trained token after truncation are dropped.")),
    TrainerSpec(
        "axolotl", "Axolotl (chat_template datasets).", "sequence_len", _axolotl_options(),
        _axolotl, _AXOLOTL_FAMILIES,
        behaviour={
            "excess_length_strategy": _at(_AXOLOTL, "src/axolotl/utils/data/utils.py", "334-349"),
            "truncation": _at(_AXOLOTL, "src/axolotl/utils/data/utils.py", "178"),
            "drop": _at(_AXOLOTL, "src/axolotl/utils/trainer.py", "231"),
            "drop_untrained": _at(_AXOLOTL, "src/axolotl/utils/data/sft.py", "351-354"),
            "mask": _at(_AXOLOTL, _AXOLOTL_STRATEGY, "503-508"),
        },
        notes=("Samples longer than sequence_len are dropped unless excess_length_strategy "
               "says otherwise.",
               "train_on_eos 'last' and 'all' are approximated by training the end of each "
               "trained turn.",
               "Message weights apply only through message_field_training.")),
    TrainerSpec(
        "llamafactory", "LLaMA-Factory (supervised fine-tuning).", "cutoff_len",
        _llamafactory_options(), _llamafactory, _LF_FAMILIES,
        behaviour={
            "truncation": _at(_LF, "src/llamafactory/data/processor/processor_utils.py", "76-88"),
            "turns": _at(_LF, "src/llamafactory/data/processor/supervised.py", "70-91"),
            "template": _at(_LF, "src/llamafactory/data/template.py", "674-680"),
            "packing": _at(_LF, "src/llamafactory/hparams/parser.py", "645"),
        },
        notes=("Each prompt/response pair is cut separately (infer_seqlen); the budget goes to "
               "the newest turn first under mask_history.",
               "Without template, the tokenizer's chat template is parsed into LLaMA-Factory's "
               "own, or 'empty' when it has none.")),
    TrainerSpec(
        "unsloth", "Unsloth (TRL SFTTrainer underneath).", "max_seq_length",
        _unsloth_options(), _unsloth, {},
        behaviour={
            "max_length": _at(_UNSLOTH, "unsloth/models/rl.py", "2534-2536"),
            "truncation": _at(_TRL, _TRL_TRAINER, "1574-1578"),
            "drop_untrained": _at(_TRL, _TRL_TRAINER, "1590-1598"),
        },
        notes=("Defaults are TRL's, with max_length taken from max_seq_length.",
               "train_on_responses_only masks from each response marker to the next "
               "instruction marker: tool results between them train too.")),
    TrainerSpec(
        "torchtune", "torchtune (chat_dataset).", "max_seq_len", _torchtune_options(),
        _torchtune, {},
        behaviour={
            "mask": _at(_TORCHTUNE, _TORCHTUNE_MESSAGES, "905-935"),
            "truncation": _at(_TORCHTUNE, "torchtune/models/llama3/_tokenizer.py", "330-341"),
        },
        notes=("Renders with the model tokenizer's own prompt format.",
               "On truncation the last kept token becomes EOS and does not train.",
               "A packed sample longer than max_seq_len stops packing with an error unless "
               "split_across_pack.")),
    TrainerSpec(
        "autotrain", "Hugging Face AutoTrain (llm trainers default and sft).", "block_size",
        _autotrain_options(), _autotrain, {"chatml": "chatml"},
        behaviour={
            "template": _at(_AUTOTRAIN, "src/autotrain/trainers/clm/utils.py", "573-596"),
            "block_size": _at(_AUTOTRAIN, "src/autotrain/trainers/clm/utils.py", "779-790"),
            "packing": _at(_AUTOTRAIN, "src/autotrain/trainers/clm/train_clm_sft.py", "23-24"),
            "wrap": _at("huggingface/trl@v0.13.0", "trl/trainer/utils.py", "670"),
        },
        notes=("Every token trains: the chat template renders each conversation to text first.",
               "Examples are concatenated and cut into blocks: nothing is truncated, but a "
               "long example continues in the next block without its start.",
               "chat_template none (unset) trains on the text column as it is.")),
)}


def build_profile(trainer: str,
                  overrides: Mapping[str, object] | None = None) -> TrainerProfile:
    """The profile of ``trainer`` with its defaults, changed by ``overrides``.

    ``overrides`` uses the trainer's own option names; ``max_length`` also works for every
    trainer and sets its length option (``sequence_len``, ``cutoff_len``, ...). An unknown
    option or a value of the wrong kind raises :class:`OptionError`.

    >>> build_profile("axolotl", {"max_length": 4096}).length
    LengthPolicy(max_length=4096, strategy='drop', packing=False, drop_untrained=False, \
newest_turn_first=False)
    >>> build_profile("trl", {"assistant_only_loss": True}).mask.train_all
    False
    """
    spec = get_trainer(trainer)
    values: dict[str, OptionValue] = {name: option.default for name, option in spec.options.items()}
    for name, raw in (overrides or {}).items():
        key = spec.length_option if name == "max_length" else name
        option = spec.options.get(key)
        if option is None:
            known = ", ".join(spec.options)
            raise OptionError(name, f"{spec.id} has no option {name!r} (known: {known})")
        values[key] = _coerce(spec.id, key, option, raw)
    resolved = spec.resolve(values)
    template = resolved.trainer_template
    sources = {**spec.behaviour, **{name: option.source for name, option in spec.options.items()}}
    notes = spec.notes
    family = spec.families.get(template) if template is not None else None
    if template is not None and family is None:
        notes = (*notes, f"Template {template!r} is not a built-in family: ftdata does not "
                         "reproduce it; --tokenizer renders with the model's own template.")
    return TrainerProfile(id=spec.id, mask=resolved.mask, length=resolved.length,
                          template=family, sources=sources, trainer_template=template,
                          format_masks=dict(resolved.format_masks), options=values, notes=notes)


def get_trainer(trainer: str) -> TrainerSpec:
    """The table row of ``trainer``; ``ValueError`` names the known trainers.

    >>> get_trainer("llamafactory").length_option
    'cutoff_len'
    """
    try:
        return TRAINERS[trainer]
    except KeyError:
        raise ValueError(f"unknown trainer {trainer!r} (known: {', '.join(TRAINERS)})") from None


def _coerce(trainer: str, name: str, option: Option, raw: object) -> OptionValue:
    """``raw`` as a value of ``option``, or :class:`OptionError` saying what it takes."""
    where = f"{trainer} option {name}"
    if raw is None:
        if option.nullable:
            return None
        raise OptionError(name, f"{where} cannot be null")
    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        raise OptionError(name, f"{where} takes true or false, not {type(raw).__name__}")
    if option.kind == "int":
        if isinstance(raw, int) and not isinstance(raw, bool) and (
                raw > 0 or raw == option.default):
            return raw
        raise OptionError(name, f"{where} takes a positive whole number"
                                + (f" or {option.default}" if option.default == -1 else ""))
    if option.kind == "roles":
        if isinstance(raw, str):
            raw = [raw]
        if isinstance(raw, (list, tuple)) and all(isinstance(role, str) for role in raw):
            return tuple(raw)
        raise OptionError(name, f"{where} takes a list of role names")
    if isinstance(raw, str) and (not option.choices or raw in option.choices):
        return raw
    if option.choices:
        raise OptionError(name, f"{where} takes one of: {', '.join(option.choices)}")
    raise OptionError(name, f"{where} takes a string, not {type(raw).__name__}")
