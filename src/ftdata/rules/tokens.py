"""Token rules (T): examples over, or close to, the model's per-example limit.

They apply whenever a limit is known (``--max-tokens``, else the model's) and tokens are
counted; the engine calls :func:`token_findings` with each example's count.
"""

from __future__ import annotations

from ftdata.diagnostics import Finding, Severity
from ftdata.rules._registry import register

#: T002 fires above this share of the limit.
NEAR_LIMIT = 0.9

register("T001", "example-too-long", Severity.ERROR, """
    An example has more tokens than the model accepts per training example.

    **What it does.** Counts each example's tokens with the model's tokenizer (as the provider
    counts them: per-message overhead included) and compares them with the per-example limit,
    from `--max-tokens` or the models table (`ftdata models`).

    **Why is this bad?** Providers truncate the example (the end of the assistant's answer,
    the part that is trained, is lost) or reject the file.

    **Example.** A 70,000-token support transcript for `gpt-4o-mini` (65,536 per example).

    **Use instead.** Split the conversation into shorter examples, or trim the context.
""")

register("T002", "example-near-limit", Severity.WARNING, """
    An example uses more than 90% of the model's per-example token limit.

    **What it does.** Reports examples between 90% and 100% of the limit.

    **Why is this bad?** Counts for tools, images and templates are approximations; an
    example this close to the limit may still be truncated, and a longer system prompt later
    pushes it over.

    **Example.** A 60,000-token example for a 65,536-token limit.

    **Use instead.** Leave headroom: shorten the example or split it.
""")


# T003-T005 are raised by the trainer's view (``ftdata.templates.view``), only when a trainer,
# template or tokenizer is configured; the sources are the trainers' own lines, as cited in
# ``ftdata.templates.trainers.TRAINERS``.
_TRL = "https://github.com/huggingface/trl/blob/f2cd57710ae345ea6428ae95363267fcf38a3dc8"
_AXOLOTL = ("https://github.com/axolotl-ai-cloud/axolotl/blob/"
            "067b021c8b87a9e5e380b9173c704cf7340e30f5")
_LF = "https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30"

register("T003", "no-trainable-tokens", Severity.ERROR, f"""
    After the chat template and the trainer's loss mask, no token of the example trains.

    **What it does.** With `--trainer`, `--template` or `--tokenizer`, renders each example
    through the chat template, computes the trainer's loss mask (which tokens have a label;
    see `ftdata trainers`) and reports an example whose mask is all zeros.

    **Why is this bad?** The example costs compute and contributes no loss: TRL drops it
    ({_TRL}/trl/trainer/sft_trainer.py#L1590-L1598), axolotl drops it when packing
    ({_AXOLOTL}/src/axolotl/utils/trainer.py#L260-L299), the others train on nothing. It
    usually means the data and the trainer's options disagree: every assistant turn weighted
    0, a user-only conversation, or a role the mask does not train.

    **Example.** `{{"messages": [{{"role": "user", "content": "Hi"}}]}}` under `--trainer
    axolotl` (only assistant turns train,
    {_AXOLOTL}/src/axolotl/prompt_strategies/chat_template.py#L503-L508).

    **Use instead.** Add the assistant answer that should train, or change the trainer's
    mask options (`roles_to_train`, `assistant_only_loss`, `train_on_prompt`).
""", raised_by=("ftdata.templates.view",))

register("T004", "truncated-by-trainer", Severity.WARNING, f"""
    The rendered example is longer than the trainer's maximum length: part of it is cut.

    **What it does.** Compares the rendered example's tokens with the trainer's maximum
    length (`--max-length`, else the trainer's default) and applies what that trainer does
    beyond it: TRL keeps the start ({_TRL}/trl/trainer/sft_trainer.py#L1574-L1578), axolotl
    drops the example unless `excess_length_strategy` says otherwise
    ({_AXOLOTL}/src/axolotl/utils/data/utils.py#L334-L349), LLaMA-Factory cuts each turn's
    prompt and response ({_LF}/src/llamafactory/data/processor/processor_utils.py#L76-L88).
    The message names how many trained tokens are lost. It is an error when the trainer
    drops the example, stops on it, or keeps none of its trained tokens.

    **Why is this bad?** The cut usually falls on the end of the answer, the part that
    trains; a dropped example silently shrinks the dataset.

    **Example.** A 3,000-token conversation under `--trainer trl` (max_length 1024).

    **Use instead.** Raise the maximum length, or split the conversation into shorter
    examples.
""", raised_by=("ftdata.templates.view",))

register("T005", "template-drops-content", Severity.WARNING, """
    The chat template silently leaves out reasoning, tools or a system message the record
    carries, or refuses the example.

    **What it does.** Renders the example through the chat template and looks for the
    record's reasoning traces, tool definitions and tool-call names and system messages in
    the text. A template that raises on the example (many refuse roles or orders they do
    not support) is reported too, as an error: the trainer's preprocessing stops on it.

    **Why is this bad?** The model never sees what the template drops: reasoning you meant
    to teach, the tools a call refers to, the system prompt. Qwen3's template, for one,
    drops the reasoning of turns before the last user message.

    **Example.** An assistant message with `reasoning_content` rendered with the `llama3`
    template, which has no place for it.

    **Use instead.** Pick a template that renders what the data holds (`--template`), move
    the content where the template renders it, or drop it on purpose with `ftdata convert
    --reasoning drop`.
""", raised_by=("ftdata.templates.view",))


def token_findings(tokens: int, limit: int | None, *, estimated: bool = False,
                   model: str | None = None) -> list[Finding]:
    """T001/T002 for one example's token count against the limit."""
    if limit is None:
        return []
    about = "about " if estimated else ""
    whose = f"{model} accepts" if model else "the limit is"
    if tokens > limit:
        return [Finding("T001", f"{about}{tokens:,} tokens; {whose} {limit:,} per example "
                                f"(it would be truncated)")]
    if tokens > NEAR_LIMIT * limit:
        share = tokens / limit
        return [Finding("T002", f"{about}{tokens:,} tokens, {share:.0%} of the {limit:,}-token "
                                f"limit per example")]
    return []
