"""Provider profiles: which formats a target accepts, its limits and severity overrides.

Everything here is data. A rule that depends on a provider reads a field of :class:`Target`
rather than testing the target's name. Every difference a target makes (a limit, a severity,
an accepted format, how it treats unknown keys) names its source in :attr:`Target.sources`:
the owner's document or the line of the owner's code that decides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ftdata.diagnostics import Severity

MB = 1024 * 1024
GB = 1024 * MB

CHAT_FORMATS = ("openai-chat", "openai-preference", "openai-rft", "prompt-completion")

#: Where an unknown key sits: a key of the record itself, or one inside a message, part, tool
#: call or other object of the record.
RECORD, NESTED = "record", "nested"


@dataclass(frozen=True)
class Target:
    id: str
    description: str
    formats: tuple[str, ...] | None  # None: any format
    min_examples: int = 1
    max_examples: int | None = None
    max_file_bytes: int | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    #: Conversations must alternate user/assistant strictly and start with a user turn.
    strict_alternation: bool = False
    #: Regular expression every tool call id must match (fullmatch).
    tool_call_id_pattern: str | None = None
    #: An assistant message may carry content or tool calls, not both.
    content_xor_tool_calls: bool = False
    #: Images may appear only in user messages, at most this many per example.
    max_images_per_example: int | None = None
    images_only_in_user: bool = False
    notes: str = ""
    #: Severity of an unknown key (S002) by where it sits, ``"record"`` or ``"nested"``, or
    #: for one format only (``"alpaca:record"``, which wins over ``"record"``). A place not
    #: listed keeps S002's own severity (error): the owner rejects the key, or nobody said it
    #: does not. Lenient owners drop unknown columns, so their targets lower it.
    unknown_keys: Mapping[str, Severity] = field(default_factory=dict)
    #: Where each difference above comes from, by topic (``formats``, ``min_examples``,
    #: ``max_file_bytes``, ``unknown_keys``, a rule code, ...): a document URL, or a
    #: repository path with its line, as the owner publishes it.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: Roles the target accepts; ``None``: every role of the format (C001 reports the others).
    roles: tuple[str, ...] | None = None
    #: Keys refused at the top of a record although the format defines them (S002).
    refused_record_keys: tuple[str, ...] = ()
    #: Two messages in a row with the same role, system included, are refused, and a preference
    #: input may not end with the assistant; nothing else about the order is (C005).
    no_repeated_roles: bool = False
    #: Every message carries content, a string or a list of parts: null or absent is refused
    #: (C002), even next to tool calls.
    content_required: bool = False
    #: A conversation's contents are all strings or all lists of parts, never both (S004).
    uniform_content_shape: bool = False
    #: Regular expression every image URL must match (fullmatch); ``None``: any web address,
    #: storage URI or base64 data URI (C013).
    image_url_pattern: str | None = None
    #: A ``weight`` must be a JSON integer: ``1.0`` is refused (C007).
    integer_weights: bool = False
    #: Each side of a preference pair holds exactly one message (S004).
    single_message_outputs: bool = False
    #: A conversation whose only turn, system messages aside, is not the user's is refused, and
    #: nothing else about the order is (C005).
    lone_turn_must_be_user: bool = False
    #: At most this many system messages in a conversation (C005).
    max_system_messages: int | None = None
    #: Regular expression every tool call's function name must match (C009).
    function_name_pattern: str | None = None
    #: A tool call id the last message may carry although it does not match
    #: ``tool_call_id_pattern`` (C009).
    last_tool_call_id_exempt: str | None = None
    #: Keys every function declared under ``tools`` must have (S001).
    function_keys: tuple[str, ...] = ()
    #: A weight of 0 or 1 may sit on any message, not only the assistant's (C007).
    weights_on_any_message: bool = False
    #: A message holding an image may not have a non-zero weight (C007).
    no_weight_on_images: bool = False
    #: A weight of ``true`` or ``false`` is read as 1 or 0, not refused (S003).
    boolean_weights: bool = False

    def accepts(self, format_id: str) -> bool:
        return self.formats is None or format_id in self.formats

    def unknown_key_severity(self, format_id: str | None, pointer: str | None) -> Severity | None:
        """How this target's owner treats an unknown key at ``pointer`` in a ``format_id``
        record, or ``None`` when S002's own severity stands.

        >>> TARGETS["llamafactory"].unknown_key_severity("alpaca", "/text")
        <Severity.INFO: 'info'>
        >>> TARGETS["openai"].unknown_key_severity("openai-chat", "/messages/0/extra") is None
        True
        """
        policy = self.unknown_keys
        if not policy:
            return None
        level = RECORD if pointer is None or pointer.count("/") <= 1 else NESTED
        if format_id is not None:
            specific = policy.get(f"{format_id}:{level}")
            if specific is not None:
                return specific
        return policy.get(level)


#: Trainers that read the columns they are told about and drop the others: an extra column is
#: side data (an id, a source, tatsu-lab's ``text``); a key inside a message that the trainer
#: never reads is more likely a misspelling whose text is lost, so it stays a warning.
_LENIENT = {RECORD: Severity.INFO, NESTED: Severity.WARNING}

_OPENAI_CHAT_INPUT = "https://platform.openai.com/docs/api-reference/fine-tuning/chat-input"
_OPENAI_COOKBOOK = ("https://cookbook.openai.com/examples/chat_finetuning_data_prep "
                    "(format checks: message_unrecognized_key, missing_content)")
_OPENAI_FILES = "https://platform.openai.com/docs/api-reference/files/create"
_OPENAI_SFT = "https://platform.openai.com/docs/guides/supervised-fine-tuning"
_OPENAI_VISION = "https://platform.openai.com/docs/guides/vision-fine-tuning"
_OPENAI_FORMATS = ("https://platform.openai.com/docs/api-reference/fine-tuning/input-file "
                   "(chat, preference, reinforcement and legacy completions inputs)")
_OPENAI_SOURCES = {
    "formats": _OPENAI_FORMATS,
    "min_examples": _OPENAI_SFT,
    "max_file_bytes": _OPENAI_FILES,
    "images_only_in_user": _OPENAI_VISION,
    "unknown_keys": f"record: {_OPENAI_CHAT_INPUT} (the keys a line may have); "
                    f"nested: {_OPENAI_COOKBOOK}",
}
_AZURE = ("https://learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning "
          "(training data: format, at least 10 examples, 512 MB, UTF-8 with BOM)")
_TOGETHER_FILES = "together 1.5.35, together/utils/files.py"
_TOGETHER_CONSTANTS = "together 1.5.35, together/constants.py"
_FIREWORKS = "https://docs.fireworks.ai/fine-tuning/fine-tuning-models"
_MISTRAL = "https://docs.mistral.ai/capabilities/finetuning/"
_MISTRAL_COMMON = ("mistralai/mistral-common, src/mistral_common/base.py (MistralBase: "
                   "extra='forbid' on every message model)")
_MISTRAL_VALIDATOR = ("mistralai/mistral-common 1.13.1, src/mistral_common/protocol/instruct/"
                      "validator.py (MistralRequestValidatorV3, fine-tuning mode)")
_MISTRAL_FINETUNE = ("mistralai/mistral-finetune, finetune/data/tokenize.py "
                     "(build_instruct_sample, _parse_available_tools)")
_VERTEX = ("https://cloud.google.com/vertex-ai/generative-ai/docs/models/"
           "gemini-supervised-tuning-prepare")
_BEDROCK = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-prepare.html"
_BEDROCK_CLAUDE = ("https://platform.claude.com/cookbook/finetuning-finetuning-on-bedrock "
                   "(\"No extraneous keys are allowed\"; user first, assistant last, alternating)")
_NOVA = "https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html"
_TRL_FORMATS = ("huggingface/trl f2cd577, docs/source/dataset_formats.md:280-400 (language "
                "modeling, prompt-completion, preference, unpaired preference; standard and "
                "conversational)")
_TRL_COLUMNS = ("huggingface/trl f2cd577, trl/trainer/sft_trainer.py:1627-1636 (with "
                "remove_unused_columns, columns other than the model inputs are dropped); "
                "message keys only reach the chat template, which reads the ones it knows")
_AXOLOTL_FORMATS = ("axolotl-ai-cloud/axolotl 067b021, docs/dataset-formats/index.qmd:23-29 "
                    "(pre-training text), :217-231 (sharegpt and OpenAI messages), :386-430 "
                    "(alpaca; :418-448 custom instruct fields, for prompt/completion); "
                    "docs/rlhf.qmd:104-113 and :288-316 (prompt/chosen/rejected), :490-516 "
                    "(KTO: prompt, completion, label)")
_AXOLOTL_COLUMNS = ("axolotl-ai-cloud/axolotl 067b021, src/axolotl/datasets.py:62-66 "
                    "(tokenizing maps with remove_columns=features: every original column is "
                    "dropped); chat_template reads only the mapped message properties")
_LLAMAFACTORY_FORMATS = ("hiyouga/LLaMA-Factory ff6d4d1, data/README.md:5 (alpaca and "
                         "sharegpt), :96-105 (pre-training: only the text column), :152-154 "
                         "(KTO: a kto_tag column), :433-436 (OpenAI format as a special case of "
                         "sharegpt); data/dataset_info.json:602-615 (kto_en_demo: messages, "
                         "and label as kto_tag); v1 samples: src/llamafactory/v1/utils/types.py:"
                         "81-118 (SFTSample, DPOSample)")
_LLAMAFACTORY_COLUMNS = ("hiyouga/LLaMA-Factory ff6d4d1, src/llamafactory/data/converter.py:"
                         "410-424 (align_dataset maps with remove_columns=column_names) and "
                         ":151-169 (a turn is read through role_tag and content_tag only)")
_AUTOTRAIN = ("huggingface/autotrain-advanced b5c98fb, docs/source/tasks/llm_finetuning.mdx:"
              "126-151 (SFT and generic: one text column, a string or a chat; DPO and ORPO: "
              "prompt, text and rejected_text, mapped by column_mapping)")

#: What ftdata reports beyond a trainer's own checks, lowered where the run would not be
#: broken (see the rules' documentation): an empty turn, an identical preference pair.
_TRAINER_SEVERITY = {"C002": Severity.WARNING, "C014": Severity.WARNING}


def _trainer_severity_sources(where: str) -> dict[str, str]:
    return {"C002": f"{where}: an empty turn is rendered like any other, no check refuses it "
                    f"and the run goes on (`ftdata rules C002`)",
            "C014": f"{where}: no check compares the two sides; an identical pair has a zero "
                    f"gradient, wasted rather than broken (`ftdata rules C014`)"}


_TRL_CHECKS = ("huggingface/trl f2cd577, trl/trainer/sft_trainer.py:1457-1520 (tokenize_fn "
               "renders each example through the chat template) and trl/trainer/dpo_trainer.py")
_AXOLOTL_CHECKS = ("axolotl-ai-cloud/axolotl 067b021, src/axolotl/prompt_strategies/"
                   "chat_template.py:415-442 (tokenize_prompt)")
_LLAMAFACTORY_CHECKS = ("hiyouga/LLaMA-Factory ff6d4d1, src/llamafactory/data/converter.py:156-185 "
                        "(only role tags and the number of turns are checked)")

_TRL_FORMAT_IDS = ("openai-chat", "prompt-completion", "text", "trl-conversational",
                   "trl-preference", "trl-kto", "trl-prompt-only", "trl-stepwise")

TARGETS: dict[str, Target] = {t.id: t for t in (
    Target("generic", "Structural rules only, no provider limits.", None,
           # Without a target, a format speaks for its owners: the formats only lenient
           # trainers read get their leniency; the others keep S002 as an error.
           unknown_keys={f"{fmt}:{level}": severity for fmt in (
               "alpaca", "sharegpt", "trl-conversational", "trl-preference", "trl-kto")
               for level, severity in _LENIENT.items()},
           sources={"unknown_keys": f"alpaca, sharegpt: {_LLAMAFACTORY_COLUMNS}; "
                                    f"{_AXOLOTL_COLUMNS}. trl-*: {_TRL_COLUMNS}"}),
    Target("openai", "OpenAI fine-tuning (SFT, DPO, RFT).", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="At least 10 examples; .jsonl up to 512 MB; weight 0/1 only on assistant.",
           sources=_OPENAI_SOURCES),
    Target("azure-openai", "Azure OpenAI fine-tuning.", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="As OpenAI; a UTF-8 BOM is accepted.",
           severity={"F005": Severity.INFO},
           sources={**_OPENAI_SOURCES, "formats": _AZURE, "min_examples": _AZURE,
                    "max_file_bytes": _AZURE, "F005": _AZURE}),
    # Together: what together 1.5.35's own check (together/utils/files.py, check_file)
    # refuses, line by line. F004/F005: json.loads of a blank line or of a line starting with
    # a BOM fails (files.py:651). roles: POSSIBLE_ROLES_CONVERSATION (constants.py:74) checked
    # at files.py:241. refused_record_keys: no column beyond the format's (files.py:681-691,
    # JSONL_REQUIRED_COLUMNS_MAP in constants.py:63). no_repeated_roles: files.py:248-254 and,
    # for a preference input, files.py:468-473. content_required: the content key is required
    # (files.py:155-161) and must be a string or a list (files.py:374-379).
    # uniform_content_shape: files.py:419-428. image_url_pattern: files.py:334-343.
    # integer_weights: isinstance(weight, int) at files.py:200, which a boolean passes too
    # (boolean_weights); weights_on_any_message: checked
    # on every message (files.py:406), and Together's docs show a user message with weight 0
    # (https://docs.together.ai/docs/fine-tuning/data-preparation); no_weight_on_images:
    # files.py:413-418. single_message_outputs: files.py:492-497.
    Target("together", "Together AI fine-tuning.",
           ("openai-chat", "openai-preference", "prompt-completion", "text"),
           min_examples=1, max_file_bytes=50 * GB, max_images_per_example=10,
           images_only_in_user=True,
           severity={"F004": Severity.ERROR, "F005": Severity.ERROR, "C005": Severity.ERROR},
           notes="One format per file; roles system, user and assistant, never the same twice "
                 "in a row; no top-level tools; every message has content, all strings or all "
                 "lists; images only in user messages as base64 JPEG, PNG or WebP, at most 10 "
                 "per example; integer weights; no blank line or BOM.",
           roles=("system", "user", "assistant"),
           refused_record_keys=("tools", "functions", "parallel_tool_calls"),
           no_repeated_roles=True, content_required=True, uniform_content_shape=True,
           image_url_pattern=r"data:image/(?:jpeg|png|webp);base64,.*", integer_weights=True,
           weights_on_any_message=True, no_weight_on_images=True, boolean_weights=True,
           single_message_outputs=True,
           # check_file refuses any record key besides its format's columns; it never looks
           # for unknown keys inside a message.
           unknown_keys={NESTED: Severity.WARNING},
           sources={"formats": f"{_TOGETHER_CONSTANTS}:63-72 (JSONL_REQUIRED_COLUMNS_MAP)",
                    "min_examples": f"{_TOGETHER_CONSTANTS}:39 (MIN_SAMPLES), "
                                    f"{_TOGETHER_FILES}:555-570",
                    "max_file_bytes": f"{_TOGETHER_CONSTANTS}:30 (MAX_FILE_SIZE_GB), "
                                      f"{_TOGETHER_FILES}:81-90",
                    "max_images_per_example": f"{_TOGETHER_CONSTANTS}:45, "
                                              f"{_TOGETHER_FILES}:430-436",
                    "images_only_in_user": f"{_TOGETHER_FILES}:308-314",
                    "unknown_keys": f"record: {_TOGETHER_FILES}:681-691 ('Found extra column'); "
                                    f"nested: {_TOGETHER_FILES}:118-162 (messages need role "
                                    f"and content, other keys are not checked)",
                    "F004": f"{_TOGETHER_FILES}:651 (json.loads of a blank line fails)",
                    "F005": f"{_TOGETHER_FILES}:651 (json.loads of a line with a BOM fails)",
                    "roles": f"{_TOGETHER_CONSTANTS}:74 (POSSIBLE_ROLES_CONVERSATION), "
                             f"{_TOGETHER_FILES}:241",
                    "refused_record_keys": f"{_TOGETHER_FILES}:681-691",
                    "C005": f"{_TOGETHER_FILES}:248-254, :468-473 (no role twice in a row)",
                    "content_required": f"{_TOGETHER_FILES}:155-161, :374-379",
                    "uniform_content_shape": f"{_TOGETHER_FILES}:419-428",
                    "image_url_pattern": f"{_TOGETHER_FILES}:334-343",
                    "integer_weights": f"{_TOGETHER_FILES}:200 (isinstance(weight, int))",
                    "weights_on_any_message": f"{_TOGETHER_FILES}:406; "
                                              "https://docs.together.ai/docs/fine-tuning/"
                                              "data-preparation (a user message with weight 0)",
                    "no_weight_on_images": f"{_TOGETHER_FILES}:413-418",
                    "single_message_outputs": f"{_TOGETHER_FILES}:492-497"}),
    Target("fireworks", "Fireworks AI supervised fine-tuning.", ("openai-chat",),
           min_examples=3, max_examples=3_000_000,
           notes="Between 3 and 3,000,000 examples.",
           sources={"formats": _FIREWORKS, "min_examples": _FIREWORKS,
                    "max_examples": _FIREWORKS,
                    "unknown_keys": f"{_FIREWORKS} (OpenAI-compatible chat records; no "
                                    f"documented leniency, so S002 stays an error)"}),
    # Mistral: what mistral-common 1.13.1 refuses in fine-tuning mode, in the validator of the
    # tool-calling tokenizer (mistral_common/protocol/instruct/validator.py,
    # MistralRequestValidatorV3): the last message is the assistant's (:449-453), tool call
    # and tool result ids are 9 letters or digits (:50, :546, :583) but for the id "null" on
    # the last message's calls (:566-574), an assistant message has
    # content or tool calls, not both and not neither (:339-342), function names match
    # [a-zA-Z0-9_-]{1,64} (:301), each tool call is answered before the next assistant turn
    # (:361-397, C010 as an error), a lone message is the user's (:482-484, C005 as an error;
    # the order rules of :399-431 refuse nothing else once the system prompt is lifted out,
    # as a tool result after the user is C011 already). The records become those messages
    # as mistralai/mistral-finetune does it (finetune/data/tokenize.py,
    # build_instruct_sample): roles system, user, assistant and tool, one system message,
    # declared functions with a name, a description and parameters (_parse_available_tools);
    # string tool call arguments and a tool message's tool_call_id are the openai-chat shape's
    # already. A later system message is lifted out there (C006 stays a warning). A weight of
    # true or false becomes 1.0 or 0.0 in FinetuningAssistantMessage's float field (pydantic's
    # lax mode), which the weight check (:350-354) accepts.
    Target("mistral", "Mistral fine-tuning.", ("openai-chat",),
           max_file_bytes=512 * MB, tool_call_id_pattern=r"[a-zA-Z0-9]{9}",
           last_tool_call_id_exempt="null",
           content_xor_tool_calls=True,
           severity={"C004": Severity.ERROR, "C005": Severity.ERROR, "C010": Severity.ERROR},
           notes="Last message assistant; one system message; roles system, user, "
                 "assistant, tool; tool call ids of 9 characters [a-zA-Z0-9]; assistant "
                 "content or tool calls, not both; every tool call answered.",
           roles=("system", "user", "assistant", "tool"), lone_turn_must_be_user=True,
           max_system_messages=1,
           function_name_pattern=r"[a-zA-Z0-9_-]{1,64}",
           function_keys=("name", "description", "parameters"), boolean_weights=True,
           # A record key beside messages and tools is ignored by mistral-finetune (a warning:
           # it is probably meant for something); one inside a message is refused.
           unknown_keys={RECORD: Severity.WARNING},
           sources={"formats": _MISTRAL, "max_file_bytes": _MISTRAL, "C004": _MISTRAL,
                    "tool_call_id_pattern": f"{_MISTRAL_VALIDATOR}:50, :546, :583",
                    "last_tool_call_id_exempt": f"{_MISTRAL_VALIDATOR}:566-574",
                    "content_xor_tool_calls": f"{_MISTRAL_VALIDATOR}:339-342",
                    "function_name_pattern": f"{_MISTRAL_VALIDATOR}:301",
                    "C010": f"{_MISTRAL_VALIDATOR}:361-397",
                    "C005": f"{_MISTRAL_VALIDATOR}:482-484 (a lone message is the user's)",
                    "max_system_messages": _MISTRAL_FINETUNE,
                    "roles": _MISTRAL_FINETUNE,
                    "function_keys": _MISTRAL_FINETUNE,
                    "unknown_keys": f"record: {_MISTRAL_FINETUNE} reads messages and tools "
                                    f"only, other keys are ignored; nested: "
                                    f"{_MISTRAL_COMMON}"}),
    Target("vertex", "Google Vertex AI Gemini supervised tuning.",
           ("vertex-gemini", "vertex-gemini-preference"),
           min_examples=100, max_file_bytes=1 * GB, severity={"F007": Severity.WARNING},
           notes="Roles user/model; at least 100 examples recommended; up to 1 GB.",
           sources={"formats": _VERTEX, "min_examples": _VERTEX, "F007": _VERTEX,
                    "max_file_bytes": _VERTEX,
                    "unknown_keys": f"{_VERTEX} (the record is a GenerateContent request "
                                    f"body; no documented leniency, so S002 stays an error)"}),
    Target("bedrock", "Amazon Bedrock model customisation.",
           ("bedrock-conversation", "bedrock-claude", "prompt-completion", "bedrock-rft"),
           strict_alternation=True,
           severity={"C004": Severity.ERROR, "C005": Severity.ERROR, "Q004": Severity.ERROR},
           notes="Strict user/assistant alternation starting with user and ending with "
                 "assistant; no role markers inside text.",
           sources={"formats": _BEDROCK, "strict_alternation": f"{_BEDROCK_CLAUDE}; {_NOVA}",
                    "C004": _BEDROCK_CLAUDE, "C005": _BEDROCK_CLAUDE, "Q004": _NOVA,
                    "unknown_keys": _BEDROCK_CLAUDE}),
    Target("trl", "Hugging Face TRL trainers (SFT, DPO, KTO, ...).", _TRL_FORMAT_IDS,
           unknown_keys=_LENIENT, severity=_TRAINER_SEVERITY,
           sources={"formats": _TRL_FORMATS, "unknown_keys": _TRL_COLUMNS,
                    **_trainer_severity_sources(_TRL_CHECKS)}),
    Target("axolotl", "Axolotl.", ("openai-chat", "sharegpt", "alpaca", "prompt-completion",
                                  "text", "trl-preference", "trl-kto"),
           unknown_keys=_LENIENT, severity=_TRAINER_SEVERITY,
           sources={"formats": _AXOLOTL_FORMATS, "unknown_keys": _AXOLOTL_COLUMNS,
                    **_trainer_severity_sources(_AXOLOTL_CHECKS)}),
    Target("llamafactory", "LLaMA-Factory.",
           ("alpaca", "sharegpt", "openai-chat", "text", "trl-kto", "llamafactory-v1",
            "llamafactory-v1-preference"),
           unknown_keys=_LENIENT, severity=_TRAINER_SEVERITY,
           sources={"formats": _LLAMAFACTORY_FORMATS, "unknown_keys": _LLAMAFACTORY_COLUMNS,
                    **_trainer_severity_sources(_LLAMAFACTORY_CHECKS)}),
    Target("autotrain", "Hugging Face AutoTrain.", ("openai-chat", "text", "trl-preference"),
           unknown_keys=_LENIENT, severity=_TRAINER_SEVERITY,
           sources={"formats": _AUTOTRAIN, **_trainer_severity_sources(_TRL_CHECKS),
                    "unknown_keys": f"{_AUTOTRAIN}; AutoTrain trains through TRL: "
                                    f"{_TRL_COLUMNS}"}),
)}


def get_target(target_id: str) -> Target:
    try:
        return TARGETS[target_id]
    except KeyError:
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target {target_id!r} (known: {known})") from None


@dataclass(frozen=True)
class Difference:
    """One thing a target changes, said in words, with where it comes from."""

    topic: str
    text: str
    source: str | None


def _size(size: int) -> str:
    return f"{size // GB} GB" if size % GB == 0 else f"{size // MB} MB"


def differences(target: Target) -> list[Difference]:
    """What ``target`` changes against the defaults, one line each, with its source.

    >>> [(d.topic, d.text) for d in differences(TARGETS["fireworks"])][:2]
    [('formats', 'formats: openai-chat'), ('min_examples', 'at least 3 examples')]
    """
    rows: list[tuple[str, str]] = [
        ("formats", "formats: " + (", ".join(target.formats) if target.formats
                                   else "any"))]
    if target.min_examples != 1 or "min_examples" in target.sources:
        rows.append(("min_examples", f"at least {target.min_examples:,} example"
                                     + ("s" if target.min_examples != 1 else "")))
    if target.max_examples is not None:
        rows.append(("max_examples", f"at most {target.max_examples:,} examples"))
    if target.max_file_bytes is not None:
        rows.append(("max_file_bytes", f"files up to {_size(target.max_file_bytes)}"))
    if target.strict_alternation:
        rows.append(("strict_alternation", "user and assistant alternate, user first"))
    if target.tool_call_id_pattern is not None:
        rows.append(("tool_call_id_pattern",
                     f"tool call ids match {target.tool_call_id_pattern}"))
    if target.content_xor_tool_calls:
        rows.append(("content_xor_tool_calls", "an assistant turn has content or tool calls, "
                                               "not both"))
    if target.images_only_in_user:
        rows.append(("images_only_in_user", "images only in user messages"))
    if target.max_images_per_example is not None:
        rows.append(("max_images_per_example",
                     f"at most {target.max_images_per_example} images an example"))
    for code, severity in sorted(target.severity.items()):
        rows.append((code, f"{code} is {severity.value}"))
    if target.unknown_keys:
        places = ", ".join(f"{place} {severity.value}"
                           for place, severity in target.unknown_keys.items())
        rows.append(("unknown_keys", f"unknown keys (S002): {places}; elsewhere error"))
    elif "unknown_keys" in target.sources:
        rows.append(("unknown_keys", "unknown keys (S002): error"))
    return [Difference(topic, text, target.sources.get(topic)) for topic, text in rows]
