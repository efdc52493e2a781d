"""Token rules (T): examples over, or close to, the model's per-example limit.

They apply whenever a limit is known (``--max-tokens``, else the model's) and tokens are
counted; the engine calls :func:`token_findings` with each example's count.
"""

from __future__ import annotations

from ftdata.diagnostics import Finding, Severity
from ftdata.rules import register

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
