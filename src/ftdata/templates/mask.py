"""Which rendered tokens a trainer learns from: the loss-mask policy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MaskPolicy:
    """Which rendered tokens train (label != -100)."""
    #: Roles whose turns train; the template's own text around them (role headers) does not.
    train_roles: frozenset[str] = frozenset({"assistant"})
    #: Every token trains (axolotl train_on_inputs, TRL without completion/assistant-only loss).
    train_all: bool = False
    #: Only the last trainable turn trains (LLaMA-Factory mask_history, ...).
    last_turn_only: bool = False
    #: The end-of-turn / EOS tokens that close a trained turn train too.
    train_end_of_turn: bool = True
    #: A message with weight / loss_weight 0 does not train.
    use_weights: bool = True
    #: Reasoning (<think> ... </think> or the template's reasoning block) trains with its turn.
    train_reasoning: bool = True
