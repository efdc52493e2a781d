"""The text view of ``ftdata stats``: figures, a small histogram and the bill."""

from __future__ import annotations

from typing import Any

from ftdata.wording import plural

BAR_WIDTH = 40


def _histogram(buckets: list[dict[str, int]]) -> list[str]:
    peak = max((bucket["count"] for bucket in buckets), default=0) or 1
    lines = ["tokens per example:"]
    for bucket in buckets:
        count = bucket["count"]
        bar = "█" * max(1 if count else 0, round(count / peak * BAR_WIDTH))
        lines.append(f"  {bucket['from']:>8,} - {bucket['to']:<8,} {bar} {count:,}")
    return lines if buckets else []


def render_stats(result: dict[str, Any]) -> str:
    tokens = result["tokens"]
    per = tokens["per_example"]
    estimate = " (estimated)" if result["estimated"] else ""
    limit = result["max_tokens_per_example"]
    model = f"model {result['model']}" if result["model"] else "no model"
    lines = [
        f"{result['path']}: {plural(result['examples'], 'example')}, {result['format']}",
        f"{model}, tokenizer {result['tokenizer']}{estimate}, "
        f"limit {limit:,} tokens per example" if limit else
        f"{model}, tokenizer {result['tokenizer']}{estimate}, no known limit",
        "",
        f"tokens            {tokens['total']:>12,}  (trainable {tokens['trainable']:,}"
        + (f", reasoning {tokens['reasoning']:,})" if tokens.get("reasoning") else ")"),
        f"per example       min {per['min']:,}  mean {per['mean']:,}  p50 {per['p50']:,}  "
        f"p90 {per['p90']:,}  p95 {per['p95']:,}  p99 {per['p99']:,}  max {per['max']:,}",
    ]
    messages = result["messages_per_example"]
    lines.append(f"messages/example  min {messages['min']}  mean {messages['mean']}  "
                 f"max {messages['max']}")
    lines.extend(_histogram(result.get("histogram", [])))
    if result["over_limit"]:
        shown = ", ".join(str(line) for line in result["over_limit_lines"])
        more = "" if len(result["over_limit_lines"]) == result["over_limit"] else ", ..."
        where = "line" if len(result["over_limit_lines"]) == 1 and not more else "lines"
        lines.append(f"over the limit    {plural(result['over_limit'], 'example')} "
                     f"({where} {shown}{more})")
    lines += ["", f"epochs            {result['epochs']}",
              f"billed tokens     {result['billed_tokens']:>12,}"]
    cost = result["cost"]
    if cost is None:
        lines.append("cost              unknown (no training price for this model)")
    else:
        lines.append(f"cost              {cost['amount']:,.2f} {cost['currency']} "
                     f"({cost['price_per_million']:g} per 1M tokens, price as of "
                     f"{cost['price_as_of']}, {cost['source']})")
    if result.get("trainer") is not None:
        lines += ["", *_trainer(result["trainer"])]
    return "\n".join(lines) + "\n"


def _trainer(view: dict[str, Any]) -> list[str]:
    """The trainer's view: its template, length policy and what it does to the examples."""
    who = view["trainer"] or "no trainer (assistant turns train)"
    limit = view["max_length"]
    length = (f"max_length {limit:,}, {view['strategy']}" if limit else "no max_length")
    packing = ", packing" if view["packing"] else ""
    lines = [f"trainer           {who}, template {view['template']}, {length}{packing}"]
    for key, label in (("rendered_tokens", "rendered tokens "),
                       ("trained_tokens", "trained tokens  ")):
        per = view[key]
        lines.append(f"{label}  min {per['min']:,}  mean {per['mean']:,}  p50 {per['p50']:,}  "
                     f"p90 {per['p90']:,}  p95 {per['p95']:,}  p99 {per['p99']:,}  "
                     f"max {per['max']:,}")
    lines.append(f"cut by trainer    {view['truncated']:,} truncated, {view['dropped']:,} "
                 f"dropped, {view['trained_tokens_lost']:,} trained tokens lost")
    return lines
