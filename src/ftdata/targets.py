"""Provider profiles: which formats a target accepts, its limits and severity overrides.

Everything here is data. A rule that depends on a provider reads a field of :class:`Target`
rather than testing the target's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ftdata.diagnostics import Severity

MB = 1024 * 1024
GB = 1024 * MB

CHAT_FORMATS = ("openai-chat", "openai-preference", "openai-rft", "prompt-completion")


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


_TRL_FORMATS = ("openai-chat", "prompt-completion", "text", "trl-conversational",
                "trl-preference", "trl-kto")

TARGETS: dict[str, Target] = {t.id: t for t in (
    Target("generic", "Structural rules only, no provider limits.", None),
    Target("openai", "OpenAI fine-tuning (SFT, DPO, RFT).", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="At least 10 examples; .jsonl up to 512 MB; weight 0/1 only on assistant."),
    Target("azure-openai", "Azure OpenAI fine-tuning.", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="As OpenAI; a UTF-8 BOM is accepted.",
           severity={"F005": Severity.INFO}),
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
           single_message_outputs=True),
    Target("fireworks", "Fireworks AI supervised fine-tuning.", ("openai-chat",),
           min_examples=3, max_examples=3_000_000,
           notes="Between 3 and 3,000,000 examples."),
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
           function_keys=("name", "description", "parameters"), boolean_weights=True),
    Target("vertex", "Google Vertex AI Gemini supervised tuning.", ("vertex-gemini",),
           min_examples=100, max_file_bytes=1 * GB, severity={"F007": Severity.WARNING},
           notes="Roles user/model; at least 100 examples recommended; up to 1 GB."),
    Target("bedrock", "Amazon Bedrock model customisation.",
           ("bedrock-conversation", "bedrock-claude", "prompt-completion"),
           strict_alternation=True,
           severity={"C004": Severity.ERROR, "C005": Severity.ERROR, "Q004": Severity.ERROR},
           notes="Strict user/assistant alternation starting with user and ending with "
                 "assistant; no role markers inside text."),
    Target("trl", "Hugging Face TRL trainers (SFT, DPO, KTO, ...).", _TRL_FORMATS),
    Target("axolotl", "Axolotl.", ("openai-chat", "sharegpt", "alpaca", "prompt-completion",
                                  "text", "trl-preference", "trl-kto")),
    Target("llamafactory", "LLaMA-Factory.", ("alpaca", "sharegpt", "openai-chat")),
    Target("autotrain", "Hugging Face AutoTrain.", ("openai-chat", "text", "trl-preference",
                                                   "prompt-completion")),
)}


def get_target(target_id: str) -> Target:
    try:
        return TARGETS[target_id]
    except KeyError:
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target {target_id!r} (known: {known})") from None
