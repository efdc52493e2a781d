"""Quality rules (Q): whitespace, invisible characters, placeholders, chat markup, JSON, refusals,
and the consistency of system prompts, one module per rule.

The texts of an example are collected once (:func:`ftdata.scan.texts.example_texts`, shared
with the privacy rules). Each check then scans them with a bare, precompiled trigger pattern: no
groups, and first characters that are rare in text, so the regular-expression engine skips ahead
quickly; pure-ASCII texts skip the Unicode checks altogether. The slower judgement (is this
brace a template variable or code? is this ``User:`` at the start of a line?) only runs on the
few places a trigger finds. Every rule but Q007 also declares its triggers for the batch scan
(:mod:`ftdata.scan.batch`).
"""

from __future__ import annotations

from ftdata.rules.quality.characters import control_characters, repair_mojibake
from ftdata.rules.quality.encoded_json import decode_double_encoded, double_encoded_json
from ftdata.rules.quality.markup import chat_markup_in_content
from ftdata.rules.quality.placeholders import template_placeholder
from ftdata.rules.quality.refusals import refusal_boilerplate
from ftdata.rules.quality.system_prompt import SystemPromptTally, system_prompt_key
from ftdata.rules.quality.whitespace import (
    WhitespacePolicy,
    fix_surrounding_whitespace,
    surrounding_whitespace,
    trim_surrounding_whitespace,
    whitespace_policy,
)

__all__ = [
    "SystemPromptTally",
    "WhitespacePolicy",
    "chat_markup_in_content",
    "control_characters",
    "decode_double_encoded",
    "double_encoded_json",
    "fix_surrounding_whitespace",
    "refusal_boilerplate",
    "repair_mojibake",
    "surrounding_whitespace",
    "system_prompt_key",
    "template_placeholder",
    "trim_surrounding_whitespace",
    "whitespace_policy",
]
