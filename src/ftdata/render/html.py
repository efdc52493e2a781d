"""The HTML report: one self-contained page with the verdict, the issues and inline SVG charts.

The page loads nothing: no script, font, image or style sheet from anywhere, and a Content
Security Policy says so to the browser, so whatever a record holds cannot run or call out.
Every string that comes from the data is escaped; issue messages already mask secrets, and no
record content is printed outside the optional trainer's view (:mod:`ftdata.render.trainer_view`,
which masks secrets too). Charts are drawn here, as plain SVG shapes.

>>> from ftdata.engine import ValidateOptions, validate_path
>>> report = validate_path("train.jsonl", ValidateOptions(model="gpt-4.1-mini"))  # doctest: +SKIP
>>> page = render_html(report, None)  # doctest: +SKIP
>>> page.startswith("<!DOCTYPE html>")  # doctest: +SKIP
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from ftdata import __version__
from ftdata.diagnostics import Issue, Severity
from ftdata.render.charts import (
    LABEL_CHARS,
    PALETTE,
    Axis,
    BarRow,
    Bin,
    Histogram,
    attribute,
    bar_chart_svg,
    buckets_as_bins,
    chart_figure,
    distribution_bins,
    empty_svg,
    histogram_svg,
    number,
    plural,
    shorten,
)
from ftdata.report import Report

if TYPE_CHECKING:
    from ftdata.render.trainer_view import TrainerSection

__all__ = ["PALETTE", "Axis", "Bin", "IssueGroup", "distribution_bins", "group_issues",
           "render_html"]


#: How many lines of one code the issues table lists before "and N more".
LINES_SHOWN = 12
MAX_ROLE_BARS = 12
MAX_CODE_BARS = 30
#: Longest issue message quoted as an example in the table.
MESSAGE_CHARS = 240


# -- data shaping ----------------------------------------------------------------------------


@dataclass
class IssueGroup:
    """Every issue of one code: how many, on which lines, and the first one as an example."""

    code: str
    name: str
    severity: Severity
    count: int = 0
    file_level: int = 0
    lines: list[int] = field(default_factory=list)
    first: Issue | None = None


def group_issues(issues: Sequence[Issue]) -> list[IssueGroup]:
    """Issues grouped by code, worst first: severity, then count, then code.

    ``lines`` are the distinct lines in order; file-level issues are counted in ``file_level``.

    >>> [(g.code, g.count, g.lines) for g in group_issues(report.issues)]  # doctest: +SKIP
    [('S002', 3, [8, 26]), ('C007', 2, [16, 24]), ...]
    """
    groups: dict[str, IssueGroup] = {}
    seen: dict[str, set[int]] = {}
    for issue in issues:
        group = groups.get(issue.code)
        if group is None:
            group = groups[issue.code] = IssueGroup(issue.code, issue.name, issue.severity,
                                                    first=issue)
            seen[issue.code] = set()
        group.count += 1
        if issue.line is None:
            group.file_level += 1
        elif issue.line not in seen[issue.code]:
            seen[issue.code].add(issue.line)
            group.lines.append(issue.line)
    for group in groups.values():
        group.lines.sort()
    return sorted(groups.values(), key=lambda g: (-g.severity.rank, -g.count, g.code))


# -- small formatting helpers ----------------------------------------------------------------


def _role_label(role: str) -> str:
    return shorten(role, LABEL_CHARS) if role.strip() else "(empty)"


def _inline_code(text: str) -> str:
    """Escape ``text``, turning `backticked` spans into <code>."""
    pieces = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{escape(piece)}</code>" if index % 2 else escape(piece)
                   for index, piece in enumerate(pieces))


def _money(amount: float, currency: str) -> str:
    """Two decimals, or four under 1 so that a small bill does not read as zero."""
    figure = f"{amount:,.2f}" if amount >= 1 or amount == 0 else f"{amount:.4f}"
    return f"{figure} {currency}"


# -- SVG charts ------------------------------------------------------------------------------


# -- the charts of a report ------------------------------------------------------------------


def _tokens_chart(report: Report, figures: Mapping[str, Any]) -> str:
    title = "Tokens per example"
    limit = figures.get("max_tokens_per_example")
    accumulator = report.accumulator
    if accumulator is not None and accumulator.tokens.n:
        bins, axis = distribution_bins(accumulator.tokens, limit=limit)
    elif figures.get("histogram"):
        bins, axis = buckets_as_bins(figures["histogram"], limit)
    else:
        reason = "Tokens were not counted" if "tokens" not in figures else "No examples to chart"
        return empty_svg("chart-tokens", title, reason)
    return histogram_svg(Histogram("chart-tokens", title, "tokens", bins, axis,
                                   PALETTE["tokens"], limit))


def _messages_chart(report: Report) -> str:
    title = "Messages per example"
    accumulator = report.accumulator
    if accumulator is None:
        return empty_svg("chart-messages", title, "No per-example distribution available")
    if not accumulator.messages.n:
        return empty_svg("chart-messages", title, "No examples to chart")
    bins, axis = distribution_bins(accumulator.messages)
    return histogram_svg(Histogram("chart-messages", title, "messages", bins, axis,
                                   PALETTE["messages"]))


def _room(count: int, most: int) -> int:
    """How many bars to draw so that, with one "others" bar, there are at most ``most``."""
    return count if count <= most else most - 1


def _roles_chart(roles: Mapping[str, int]) -> str:
    title = "Messages by role"
    ranked = sorted(roles.items(), key=lambda item: (-item[1], item[0]))
    rows = [BarRow(_role_label(role), count, PALETTE["roles"],
                   f"{_role_label(role)}: {plural(count, 'message')}", role)
            for role, count in ranked[: _room(len(ranked), MAX_ROLE_BARS)]]
    rest = ranked[len(rows):]
    if rest:
        total = sum(count for _, count in rest)
        rows.append(BarRow(f"{len(rest)} other roles", total, PALETTE["other"],
                           f"{len(rest)} other roles: {plural(total, 'message')}", "(other)"))
    if not rows:
        return empty_svg("chart-roles", title, "No messages to chart")
    total = sum(roles.values())
    described = ", ".join(f"{_role_label(role)} {count:,}" for role, count in ranked[:6])
    more = f" and {len(ranked) - 6} more" if len(ranked) > 6 else ""
    description = (f"Bar chart of {plural(total, 'message')} by role: {described}{more}.")
    return bar_chart_svg("chart-roles", title, description, rows)


def _issues_chart(groups: Sequence[IssueGroup]) -> str:
    title = "Issues by code"
    if not groups:
        return empty_svg("chart-issues", title, "No issues found")
    shown = groups[: _room(len(groups), MAX_CODE_BARS)]
    rows = [BarRow(shorten(f"{g.code} {g.name}", LABEL_CHARS + 6), g.count,
                   PALETTE[g.severity.value],
                   f"{g.code} {g.name} ({g.severity.value}): {plural(g.count, 'issue')}",
                   g.code, href=f"#code-{g.code}")
            for g in shown]
    rest = groups[len(shown):]
    if rest:
        total = sum(g.count for g in rest)
        rows.append(BarRow(f"{len(rest)} other codes", total, PALETTE["other"],
                           f"{len(rest)} other codes: {plural(total, 'issue')}", "(other)",
                           href="#issues"))
    severities = [s for s in Severity if any(g.severity is s for g in groups)]
    legend = [(s.value, PALETTE[s.value]) for s in severities]
    described = ", ".join(f"{g.code} {g.count:,}" for g in groups[:8])
    more = f" and {len(groups) - 8} more codes" if len(groups) > 8 else ""
    description = (f"Bar chart of {plural(sum(g.count for g in groups), 'issue')} by rule "
                   f"code, coloured by severity: {described}{more}.")
    return bar_chart_svg("chart-issues", title, description, rows, legend=legend)


def _per_example_caption(summary: Mapping[str, Any] | None, unit: str, counted: bool,
                         *extra: str) -> str:
    parts = list(extra)
    if counted and summary:
        parts.insert(0, f"min {number(summary['min'])} · median {number(summary['p50'])} · "
                        f"p95 {number(summary['p95'])} · max {number(summary['max'])} {unit}")
    return escape(" · ".join(parts)) if parts else "no examples"


def _charts(report: Report, figures: Mapping[str, Any], groups: Sequence[IssueGroup]) -> str:
    tokens = figures.get("tokens") or {}
    limit = figures.get("max_tokens_per_example")
    accumulator = report.accumulator
    if "tokens" not in figures:
        token_caption = "tokens not counted"
    else:
        token_caption = _per_example_caption(
            tokens.get("per_example"), "tokens",
            bool(accumulator.tokens.n if accumulator else figures.get("examples")),
            f"limit {number(limit)}" if limit is not None else "no per-example limit known")
    roles = figures.get("roles") or {}
    role_caption = escape(plural(sum(roles.values()), "message") + " in "
                          + plural(len(roles), "role"))
    issue_caption = (escape(plural(len(report.issues), "issue") + " under "
                            + plural(len(groups), "code")) + " · bars link to the table"
                     if groups else "no issues")
    return ('<section class="charts" aria-label="Charts">'
            + chart_figure("Tokens per example", token_caption, _tokens_chart(report, figures))
            + chart_figure("Messages per example",
                      _per_example_caption(figures.get("messages_per_example"), "messages",
                                           bool(accumulator.messages.n if accumulator
                                                else figures.get("examples"))),
                      _messages_chart(report))
            + chart_figure("Messages by role", role_caption, _roles_chart(roles))
            + chart_figure("Issues by code", issue_caption, _issues_chart(groups))
            + "</section>")


# -- page sections ---------------------------------------------------------------------------


def _header(report: Report, figures: Mapping[str, Any]) -> str:
    verdict, css = ("ok", "ok") if report.ok else ("failed", "failed")
    valid_share = (f" ({report.valid_records / report.records:.0%})" if report.records else "")
    tokenizer = figures.get("tokenizer")
    facts = [
        ("Format", report.format or "unknown"),
        ("Target", report.target),
        ("Model", report.model or "none"),
        ("Records", f"{report.records:,}"),
        ("Valid records", f"{report.valid_records:,}{valid_share}"),
    ]
    if tokenizer:
        facts.append(("Tokenizer", f"{tokenizer}" + (" (estimate)" if figures.get("estimated")
                                                     else "")))
    items = "".join(f'<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>'
                    for name, value in facts)
    return (f'<header class="page-header {css}">'
            f'<div class="title-row"><div><p class="eyebrow">ftdata report</p>'
            f'<h1>{_breakable_path(report.path)}</h1></div>'
            f'<p class="verdict {css}" role="status"><span class="verdict-mark" '
            f'aria-hidden="true">{"✓" if report.ok else "✕"}</span>'
            f'<span>{verdict}</span></p></div>'
            f'<dl class="facts">{items}</dl>'
            f'<p class="rule-note">{escape(_verdict_reason(report))}</p></header>')


def _breakable_path(path: str) -> str:
    """``path`` escaped, with a line-break opportunity after each ``/``: a long path wraps
    between its parts, and inside a name only when that name alone is wider than the line."""
    return "/<wbr>".join(escape(part) for part in path.split("/"))


def _verdict_reason(report: Report) -> str:
    counts = report.summary
    if report.strict:
        failing = counts["error"] + counts["warning"]
        if failing:
            return f"Fails: {plural(failing, 'error or warning', 'errors and warnings')} " \
                   f"(strict: warnings fail too)."
        return "Passes: no errors or warnings (strict: warnings would fail too)."
    if counts["error"]:
        return f"Fails: {plural(counts['error'], 'error')}."
    if counts["warning"]:
        return (f"Passes: no errors; {plural(counts['warning'], 'warning')} "
                f"{'does' if counts['warning'] == 1 else 'do'} not fail.")
    return "Passes: no errors." if counts["info"] else "Passes: no issues found."


def _card(css: str, label: str, value: str, notes: Sequence[str] = ()) -> str:
    body = "".join(f"<p>{note}</p>" for note in notes)
    return (f'<article class="card {css}"><h2>{escape(label)}</h2>'
            f'<p class="value">{value}</p>{body}</article>')


def _cards(report: Report, figures: Mapping[str, Any], groups: Sequence[IssueGroup],
           stats_given: bool) -> str:
    counts = report.summary
    cards = []
    for severity, label in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings"),
                            (Severity.INFO, "Info")):
        count = counts[severity.value]
        codes = sum(1 for g in groups if g.severity is severity)
        notes = [escape(f"under {plural(codes, 'code')}")] if count else []
        if count and severity is Severity.ERROR and report.format is not None:
            invalid = report.records - report.valid_records
            notes.append(escape(f"{plural(invalid, 'record')} with errors"))
        css = f"count {severity.value}" + ("" if count else " zero")
        cards.append(_card(css, label, f"{count:,}", notes))
    cards += [
        _tokens_card(figures),
        _cost_card(report, figures, stats_given),
    ]
    return f'<section class="cards" aria-label="Summary">{"".join(cards)}</section>'


def _tokens_card(figures: Mapping[str, Any]) -> str:
    tokens = figures.get("tokens")
    if not tokens:
        return _card("wide tokens", "Tokens", '<span class="word">not counted</span>')
    reasoning = tokens.get("reasoning") or 0
    notes = [f"trainable <strong>{escape(number(tokens['trainable']))}</strong>"
             + (f" · reasoning <strong>{escape(number(reasoning))}</strong>" if reasoning else "")
             + (" · estimated count" if figures.get("estimated") else "")]
    over = figures.get("over_limit") or 0
    limit = figures.get("max_tokens_per_example")
    if not (figures.get("tokens") or {}).get("per_example", {}).get("max"):
        notes.append("no examples counted")
    elif limit is not None:
        if over:
            notes.append(f'<span class="alert">{escape(plural(over, "example"))} over the '
                         f'{escape(number(limit))}-token limit</span>')
        else:
            notes.append(escape(f"every example within the {number(limit)}-token limit"))
    else:
        notes.append("no per-example limit known")
    return _card("wide tokens", "Tokens", escape(number(tokens["total"])), notes)


def _cost_card(report: Report, figures: Mapping[str, Any], stats_given: bool) -> str:
    cost = figures.get("cost")
    if not stats_given:
        return _card("wide cost", "Estimated cost", '<span class="word">not estimated</span>',
                     ["no statistics were given to price"])
    if cost is None:
        why = (f"the models table has no training price for {report.model}" if report.model
               else "no model was given (--model), so no price applies")
        return _card("wide cost", "Estimated cost", '<span class="word">no price known</span>',
                     [escape(why)])
    epochs = figures.get("epochs")
    billed = figures.get("billed_tokens")
    notes = []
    if billed is not None and epochs is not None:
        notes.append(escape(f"{number(billed)} billed tokens ({plural(epochs, 'epoch')}) at "
                            f"{cost['price_per_million']:g} {cost['currency']} per 1M"))
    as_of = cost.get("price_as_of") or "unknown date"
    notes.append(f"price as of <strong>{escape(str(as_of))}</strong>")
    if cost.get("source"):
        notes.append(f'source <span class="source">{escape(str(cost["source"]))}</span>')
    return _card("wide cost", "Estimated cost",
                 escape(_money(float(cost["amount"]), str(cost["currency"]))), notes)


def _lines_cell(group: IssueGroup) -> str:
    parts = []
    if group.file_level:
        parts.append("whole file")
    shown = group.lines[:LINES_SHOWN]
    if shown:
        parts.append(", ".join(str(line) for line in shown))
    text = "; ".join(parts)
    more = len(group.lines) - len(shown)
    if more:
        text += f" and {more:,} more"
    return escape(text)


def _issues_table(groups: Sequence[IssueGroup], summaries: Mapping[str, str]) -> str:
    if not groups:
        return ('<section id="issues" class="issues"><h2>Issues</h2>'
                '<p class="no-issues">No issues found.</p></section>')
    rows = []
    for group in groups:
        summary = summaries.get(group.code, "")
        example = ""
        if group.first is not None:
            where = (f"line {group.first.line}" if group.first.line is not None
                     else "whole file")
            pointer = f" (at {group.first.pointer})" if group.first.pointer else ""
            example = (f'<p class="example"><span>{escape(where)}:</span> '
                       f'{escape(shorten(group.first.message, MESSAGE_CHARS))}'
                       f'{escape(pointer)}</p>')
        severity = group.severity.value
        rows.append(
            f'<tr id="code-{attribute(group.code)}" class="sev-{severity}">'
            f'<th scope="row" class="code"><code>{escape(group.code)}</code></th>'
            f'<td class="name">{escape(group.name)}</td>'
            f'<td><span class="badge {severity}">{escape(severity)}</span></td>'
            f'<td class="num">{group.count:,}</td>'
            f'<td class="lines">{_lines_cell(group)}</td>'
            f'<td class="rule"><p>{_inline_code(summary)}</p>{example}</td></tr>')
    total = sum(g.count for g in groups)
    return ('<section id="issues" class="issues">'
            f'<h2>Issues <span class="muted">{escape(plural(total, "issue"))} in '
            f'{escape(plural(len(groups), "code"))}</span></h2>'
            '<table><caption>Issues grouped by rule code, most severe first; lines list the '
            f'first {LINES_SHOWN} of each code.</caption>'
            '<thead><tr><th scope="col">Code</th><th scope="col">Name</th>'
            '<th scope="col">Severity</th><th scope="col" class="num">Count</th>'
            '<th scope="col">Lines</th><th scope="col">Rule and first occurrence</th></tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></section>')


def _footer(report: Report, figures: Mapping[str, Any], trainer_shown: bool = False) -> str:
    notes = [f"Generated by ftdata {__version__}."]
    if figures.get("estimated"):
        notes.append("Token counts marked as estimates follow a documented approximation.")
    if report.format is None:
        notes.append("The format could not be recognised, so records were not checked "
                     "beyond their JSON syntax.")
    if trainer_shown:
        notes.append("Record content appears only in the trainer's view, as the trainer "
                     "renders it, with secrets masked; issue messages mask secrets.")
    else:
        notes.append("Record content is never shown; issue messages mask secrets.")
    return f'<footer>{" ".join(escape(note) for note in notes)}</footer>'


# -- the page --------------------------------------------------------------------------------


_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
       "form-action 'none'"

_CSS = """
:root{--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--panel:#fff;--bg:#f3f4f6;
--ok:#047857;--ok-bg:#ecfdf5;--bad:#b91c1c;--bad-bg:#fef2f2;--warn:#92400e;--warn-bg:#fffbeb;
--info:#075985;--info-bg:#f0f9ff}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans","DejaVu Sans",Arial,sans-serif;
font-variant-numeric:tabular-nums}
main{max-width:1200px;margin:0 auto;padding:28px 24px 40px}
h1,h2,h3{margin:0;line-height:1.25}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",
"DejaVu Sans Mono",monospace;font-size:.92em}
.page-header{background:var(--panel);border:1px solid var(--line);border-left:6px solid var(--ok);
border-radius:12px;padding:20px 24px}
.page-header.failed{border-left-color:var(--bad)}
.title-row{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;
gap:12px 24px}
.title-row>div{flex:1 1 16em;min-width:0}
.eyebrow{margin:0 0 4px;color:var(--muted);font-size:12px;font-weight:600;letter-spacing:.08em;
text-transform:uppercase}
h1{font-size:24px;overflow-wrap:anywhere}
.verdict{margin:0;display:flex;align-items:center;gap:8px;padding:8px 16px;border-radius:999px;
font-size:18px;font-weight:700;text-transform:uppercase;letter-spacing:.06em;white-space:nowrap}
.verdict.ok{background:var(--ok-bg);color:var(--ok);border:1px solid #a7f3d0}
.verdict.failed{background:var(--bad-bg);color:var(--bad);border:1px solid #fecaca}
.verdict-mark{font-size:20px;line-height:1}
.facts{display:flex;flex-wrap:wrap;gap:8px 32px;margin:16px 0 0}
.facts div{min-width:0}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.facts dd{margin:0;font-weight:600;word-break:break-word}
.rule-note{margin:12px 0 0;color:var(--muted);font-size:13px}
.cards{display:grid;grid-template-columns:repeat(3,minmax(0,1fr)) repeat(2,minmax(0,1.7fr));
gap:16px;margin:20px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:14px 18px;
min-width:0}
.card h2{font-size:13px;color:var(--muted);font-weight:600;text-transform:uppercase;
letter-spacing:.05em}
.card .value{margin:4px 0 2px;font-size:30px;font-weight:700;line-height:1.2;color:var(--ink)}
.card p{margin:2px 0;font-size:13px;color:var(--muted);overflow-wrap:anywhere}
.card.error .value{color:var(--bad)}.card.warning .value{color:var(--warn)}
.card.info .value{color:var(--info)}.card.zero .value{color:var(--muted)}
.card.error:not(.zero){background:var(--bad-bg);border-color:#fecaca}
.card.warning:not(.zero){background:var(--warn-bg);border-color:#fde68a}
.card.info:not(.zero){background:var(--info-bg);border-color:#bae6fd}
.card .value .word{font-size:22px;color:var(--muted)}
.card .alert{color:var(--bad);font-weight:600}
.card .source{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;
font-size:12px}
.charts{columns:2;column-gap:16px}
.chart{display:inline-block;width:100%;box-sizing:border-box;margin:0 0 16px;
background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:14px 18px;
break-inside:avoid}
.chart figcaption h3{font-size:16px}
.chart figcaption p{margin:2px 0 8px;color:var(--muted);font-size:13px}
.chart-svg{display:block;width:100%;height:auto;font-size:12px;font-family:inherit}
.chart-svg text{fill:#374151}
.chart-svg .grid line{stroke:#e5e7eb}
.chart-svg .grid text,.chart-svg .ticks text{fill:#6b7280;font-size:11px}
.chart-svg .ticks line,.chart-svg .axis{stroke:#9ca3af}
.chart-svg .axis-title{fill:#4b5563;font-size:12px}
.chart-svg .break{stroke:#6b7280;stroke-width:1.5;fill:none}
.chart-svg .limit text{font-weight:600;fill:#991b1b}
.chart-svg .legend text{fill:#4b5563}
.chart-svg .value{fill:#111827;font-weight:600}
.chart-svg a:hover .bar,.chart-svg a:focus .bar{opacity:.8}
.chart-svg a:focus{outline:2px solid #2563eb}
.chart-svg .empty-frame{fill:#f9fafb;stroke:#e5e7eb}
.chart-svg .empty-text{fill:#6b7280;font-size:14px}
.issues{margin-top:20px;background:var(--panel);border:1px solid var(--line);border-radius:12px;
padding:16px 18px;overflow-x:auto}
.issues h2{font-size:18px;margin-bottom:8px}
.muted{color:var(--muted);font-weight:400;font-size:14px;margin-left:6px}
.no-issues{margin:0;color:var(--ok);font-weight:600}
table{width:100%;border-collapse:collapse;font-size:14px}
caption{text-align:left;color:var(--muted);font-size:13px;padding-bottom:8px}
th,td{text-align:left;vertical-align:top;padding:8px 10px;border-top:1px solid var(--line)}
thead th{border-top:0;border-bottom:2px solid var(--line);font-size:12px;color:var(--muted);
text-transform:uppercase;letter-spacing:.05em}
tbody tr:target{background:#fef9c3;outline:2px solid #facc15}
tbody tr{scroll-margin-top:16px;break-inside:avoid}
.code code{font-weight:700;font-size:14px}
.name{white-space:nowrap}
.num{text-align:right;font-weight:600}
.lines{min-width:9em;max-width:260px;color:#374151;overflow-wrap:anywhere}
.rule{overflow-wrap:anywhere}.rule p{margin:0}
.rule .example{margin-top:4px;color:var(--muted);font-size:13px;overflow-wrap:anywhere}
.rule .example span{font-weight:600}
.badge{display:inline-block;padding:1px 10px;border-radius:999px;font-size:12px;font-weight:700;
text-transform:uppercase;letter-spacing:.04em}
.badge.error{background:#fee2e2;color:#991b1b}
.badge.warning{background:#fef3c7;color:#92400e}
.badge.info{background:#e0f2fe;color:#075985}
footer{margin-top:20px;color:var(--muted);font-size:12px}
@media screen and (max-width:1000px){.cards{grid-template-columns:repeat(3,minmax(0,1fr))}
.cards .wide{grid-column:span 3}.charts{columns:1}
.name{white-space:normal}.lines{min-width:6em}}
@media screen and (max-width:600px){main{padding:16px 12px 32px}h1{font-size:20px}
.cards{gap:10px}.card{padding:12px 10px}.card h2{letter-spacing:0}}
@media print{@page{margin:12mm}body{background:#fff;font-size:12px}main{max-width:none;padding:0}
.page-header,.card,.chart,.issues{border-color:#d1d5db}
.cards{grid-template-columns:repeat(3,minmax(0,1fr)) repeat(2,minmax(0,1.7fr))}
.charts{columns:2}
.card{padding:10px 12px}.card .value{font-size:22px}.card .value .word{font-size:16px}
.chart{padding:10px 12px}a{color:inherit;text-decoration:none}
table{font-size:11px}th,td{padding:6px 6px}thead{display:table-header-group}
.card p,.chart figcaption p,.rule .example,caption{font-size:10.5px}
.issues h2,caption{break-after:avoid}.issues{overflow:visible}}
"""


def render_html(report: Report, stats: Mapping[str, Any] | None = None,
                trainer: TrainerSection | None = None) -> str:
    """One file's report as a self-contained HTML page (no network resources, no script).

    ``stats`` is the SPEC §6 statistics of the same file (as :func:`ftdata.statistics.file_stats`
    returns them), for the epochs, the billed tokens and the cost; without it the page shows
    what the report alone holds. Charts use ``report.accumulator``'s exact distributions when
    present. ``trainer`` adds the "Trainer's view" section (SPEC §8a): rendered lengths
    against the trainer's maximum and the examples behind T003-T005, tokens coloured by the
    mask.

    >>> page = render_html(report, file_stats("train.jsonl"))  # doctest: +SKIP
    >>> "<svg" in page  # doctest: +SKIP
    True
    """
    from ftdata.rules import all_rules

    figures: dict[str, Any] = {**report.stats, **(stats or {})}
    summaries = {rule.code: rule.summary for rule in all_rules()}
    groups = group_issues(report.issues)
    verdict = "ok" if report.ok else "failed"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{attribute(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="ftdata {attribute(__version__)}">',
        f"<title>{escape(verdict)}: {escape(report.path)} · ftdata report</title>",
        f"<style>{_CSS}{_trainer_css(trainer)}</style></head><body><main>",
        _header(report, figures),
        _cards(report, figures, groups, stats is not None),
        _charts(report, figures, groups),
        _issues_table(groups, summaries),
        _trainer_section(trainer),
        _footer(report, figures, trainer is not None),
        "</main></body></html>\n",
    ])


def _trainer_section(trainer: TrainerSection | None) -> str:
    if trainer is None:
        return ""
    from ftdata.render.trainer_view import trainer_section

    return trainer_section(trainer)


def _trainer_css(trainer: TrainerSection | None) -> str:
    if trainer is None:
        return ""
    from ftdata.render.trainer_view import TRAINER_CSS

    return TRAINER_CSS
