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

    def accepts(self, format_id: str) -> bool:
        return self.formats is None or format_id in self.formats


_TRL_FORMATS = ("openai-chat", "prompt-completion", "text", "trl-conversational",
                "trl-preference", "trl-kto", "trl-prompt-only", "trl-stepwise")

TARGETS: dict[str, Target] = {t.id: t for t in (
    Target("generic", "Structural rules only, no provider limits.", None),
    Target("openai", "OpenAI fine-tuning (SFT, DPO, RFT).", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="At least 10 examples; .jsonl up to 512 MB; weight 0/1 only on assistant."),
    Target("azure-openai", "Azure OpenAI fine-tuning.", CHAT_FORMATS,
           min_examples=10, max_file_bytes=512 * MB, images_only_in_user=True,
           notes="As OpenAI; a UTF-8 BOM is accepted.",
           severity={"F005": Severity.INFO}),
    Target("together", "Together AI fine-tuning.",
           ("openai-chat", "openai-preference", "prompt-completion", "text"),
           min_examples=1, max_file_bytes=50 * GB, max_images_per_example=10,
           images_only_in_user=True,
           notes="One format per file; images only in user messages, at most 10 per example."),
    Target("fireworks", "Fireworks AI supervised fine-tuning.", ("openai-chat",),
           min_examples=3, max_examples=3_000_000,
           notes="Between 3 and 3,000,000 examples."),
    Target("mistral", "Mistral fine-tuning.", ("openai-chat",),
           max_file_bytes=512 * MB, tool_call_id_pattern=r"[a-zA-Z0-9]{9}",
           content_xor_tool_calls=True, severity={"C004": Severity.ERROR},
           notes="Last message assistant; tool call ids of 9 characters [a-zA-Z0-9]; "
                 "assistant content or tool calls, not both."),
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
    Target("llamafactory", "LLaMA-Factory.", ("alpaca", "sharegpt", "openai-chat",
                                              "llamafactory-v1", "llamafactory-v1-preference")),
    Target("autotrain", "Hugging Face AutoTrain.", ("openai-chat", "text", "trl-preference",
                                                   "prompt-completion")),
)}


def get_target(target_id: str) -> Target:
    try:
        return TARGETS[target_id]
    except KeyError:
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target {target_id!r} (known: {known})") from None
