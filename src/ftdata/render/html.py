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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from ftdata import __version__
from ftdata.diagnostics import Issue, Severity
from ftdata.report import Report
from ftdata.statistics import Distribution

if TYPE_CHECKING:
    from ftdata.render.trainer_view import TrainerSection

__all__ = ["PALETTE", "Axis", "Bin", "IssueGroup", "distribution_bins", "group_issues",
           "render_html"]

#: Fill colours of the chart marks (readable on white and in print).
PALETTE: dict[str, str] = {
    "tokens": "#2563eb",
    "messages": "#0f766e",
    "roles": "#7c3aed",
    "over": "#dc2626",
    "error": "#dc2626",
    "warning": "#d97706",
    "info": "#0284c7",
    "other": "#6b7280",
    "limit": "#991b1b",
}

#: How many lines of one code the issues table lists before "and N more".
LINES_SHOWN = 12
#: Most bins in a histogram; most bars in the role and code charts (the rest are summed).
MAX_BINS = 24
MIN_BINS = 6
MAX_ROLE_BARS = 12
MAX_CODE_BARS = 30
#: A limit beyond this many times the data's range is drawn past an axis break.
LIMIT_REACH = 1.5
#: Longest label a chart draws before it is shortened.
LABEL_CHARS = 26
#: Longest issue message quoted as an example in the table.
MESSAGE_CHARS = 240

_CHART_WIDTH = 560


# -- data shaping ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bin:
    """One histogram bar: the values ``start``..``end`` (inclusive), how many, how many over."""

    start: int
    end: int
    count: int
    over: int = 0


@dataclass(frozen=True, slots=True)
class Axis:
    """The value range a histogram spans, ``[start, stop)``, and its bin width."""

    start: int
    stop: int
    width: int


def _nice_widths() -> Iterator[int]:
    for exponent in range(19):
        for mantissa in (1, 2, 5):
            yield mantissa * 10**exponent


def distribution_bins(distribution: Distribution, *, limit: int | None = None,
                      max_bins: int = MAX_BINS) -> tuple[list[Bin], Axis]:
    """Equal bins of a round width (1, 2, 5 × 10^k) over the values, exact counts in each.

    The range starts at 0 unless the values sit far from it, and reaches out to ``limit`` when
    it is near the values, so the limit line lands on the axis. ``over`` counts values above
    the limit, exactly, even in the bin the limit cuts.

    >>> d = Distribution()
    >>> for value in (3, 5, 5, 9):
    ...     d.add(value)
    >>> bins, axis = distribution_bins(d, limit=6)
    >>> [(b.start, b.count, b.over) for b in bins if b.count]
    [(3, 1, 0), (5, 2, 0), (9, 1, 1)]
    """
    if not distribution.n:
        return [], Axis(0, 1, 1)
    low, high = min(distribution.counts), max(distribution.counts)
    from_zero = low <= high // 2 or high < max_bins or (limit is not None and limit < low)
    reach = high
    if limit is not None and limit > high:
        base = 0 if from_zero else low
        if limit + 1 - base <= LIMIT_REACH * (high + 1 - base):
            reach = limit
    for width in _nice_widths():
        start = 0 if from_zero else low // width * width
        count = -(-(reach + 1 - start) // width)
        if count <= max_bins:
            break
    count = max(count, MIN_BINS)  # a lone value still reads as a bar, not as a wall
    totals = [0] * count
    overs = [0] * count
    for value, times in distribution.counts.items():
        index = (value - start) // width
        totals[index] += times
        if limit is not None and value > limit:
            overs[index] += times
    bins = [Bin(start + i * width, start + (i + 1) * width - 1, totals[i], overs[i])
            for i in range(count)]
    return bins, Axis(start, start + count * width, width)


def _buckets_as_bins(buckets: Sequence[Mapping[str, int]], limit: int | None
                     ) -> tuple[list[Bin], Axis]:
    """Bins from a stats dict's ``histogram`` (used when no exact distribution is at hand)."""
    bins = [Bin(int(b["from"]), int(b["to"]), int(b["count"]),
                int(b["count"]) if limit is not None and int(b["from"]) > limit else 0)
            for b in buckets]
    if not bins:
        return [], Axis(0, 1, 1)
    width = max(1, bins[0].end - bins[0].start + 1)
    return bins, Axis(bins[0].start, max(bins[-1].end + 1, bins[0].start + width * len(bins)),
                      width)


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


def _num(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _compact(value: int) -> str:
    """Axis labels: 950, 1,200, 12k, 1.5M."""
    if abs(value) < 10_000:
        return f"{value:,}"
    if abs(value) < 1_000_000:
        return f"{value / 1000:.3g}k"
    return f"{value / 1_000_000:.3g}M"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _role_label(role: str) -> str:
    return _shorten(role, LABEL_CHARS) if role.strip() else "(empty)"


def _inline_code(text: str) -> str:
    """Escape ``text``, turning `backticked` spans into <code>."""
    pieces = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{escape(piece)}</code>" if index % 2 else escape(piece)
                   for index, piece in enumerate(pieces))


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _money(amount: float, currency: str) -> str:
    """Two decimals, or four under 1 so that a small bill does not read as zero."""
    figure = f"{amount:,.2f}" if amount >= 1 or amount == 0 else f"{amount:.4f}"
    return f"{figure} {currency}"


def _nice_ceiling(value: int) -> tuple[int, int]:
    """A round top for a count axis and its tick step (at most 5 ticks)."""
    if value <= 0:
        return 1, 1
    for step in _nice_widths():
        if -(-value // step) <= 5:
            return -(-value // step) * step, step
    return value, value  # pragma: no cover - a count beyond 10^18


# -- SVG charts ------------------------------------------------------------------------------


def _svg_open(chart_id: str, height: int, title: str, description: str) -> str:
    return (f'<svg id="{chart_id}" class="chart-svg" '
            f'viewBox="0 0 {_CHART_WIDTH} {height}" width="{_CHART_WIDTH}" height="{height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')


def _empty_svg(chart_id: str, title: str, message: str) -> str:
    return (_svg_open(chart_id, 120, title, message)
            + f'<rect x="0.5" y="0.5" width="{_CHART_WIDTH - 1}" height="119" rx="8" '
              f'class="empty-frame"/>'
            + f'<text x="{_CHART_WIDTH // 2}" y="64" text-anchor="middle" class="empty-text">'
              f'{escape(message)}</text></svg>')


@dataclass(frozen=True)
class _Histogram:
    """What a histogram chart needs: its bins, the unit of the values and a colour."""

    chart_id: str
    title: str
    unit: str
    bins: list[Bin]
    axis: Axis
    colour: str
    limit: int | None = None
    #: What the limit line is called on the chart ("limit", "max length").
    limit_name: str = "limit"


def _histogram_description(chart: _Histogram) -> str:
    total = sum(b.count for b in chart.bins)
    filled = [b for b in chart.bins if b.count]
    text = (f"Histogram of {chart.unit} per example over {_plural(total, 'example')}, "
            f"from {filled[0].start:,} to {filled[-1].end:,} {chart.unit}")
    busiest = max(filled, key=lambda b: b.count)
    span = (f"{busiest.start:,}" if busiest.start == busiest.end
            else f"{busiest.start:,}–{busiest.end:,}")
    text += f"; the most common range is {span} ({_plural(busiest.count, 'example')})"
    if chart.limit is not None:
        over = sum(b.over for b in chart.bins)
        text += (f"; the {chart.limit_name} is {chart.limit:,} {chart.unit} and "
                 f"{_plural(over, 'example is', 'examples are')} over it")
    return text + "."


def _histogram_svg(chart: _Histogram) -> str:
    """A vertical histogram with a count axis, value ticks and, when known, the limit line."""
    if not any(b.count for b in chart.bins):
        return _empty_svg(chart.chart_id, chart.title, "No examples to chart")
    height = 280
    axis = chart.axis
    limit = chart.limit
    beyond = limit is not None and limit + 1 > axis.stop
    left, right, top, bottom = 56, (78 if beyond else 18), 34, 52
    plot_w, plot_h = _CHART_WIDTH - left - right, height - top - bottom
    peak = max(b.count for b in chart.bins)
    y_top, y_step = _nice_ceiling(peak)
    span = axis.stop - axis.start

    def x_of(value: float) -> float:
        return left + (value - axis.start) / span * plot_w

    def y_of(count: float) -> float:
        return top + plot_h - count / y_top * plot_h

    out = [_svg_open(chart.chart_id, height, chart.title, _histogram_description(chart))]
    out.append('<g class="grid">')
    for tick in range(0, y_top + 1, y_step):
        y = y_of(tick)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{_compact(tick)}</text>')
    out.append("</g>")
    bar_w = plot_w / len(chart.bins)
    gap = 1.5 if bar_w > 6 else 0.0
    for item in chart.bins:
        if not item.count:
            continue
        x = x_of(item.start)
        label = (f"{item.start:,}" if item.start == item.end
                 else f"{item.start:,}–{item.end:,}")
        note = f" ({_plural(item.over, 'over the limit', 'over the limit')})" if item.over else ""
        out.append(f'<g class="bin" data-from="{item.start}" data-to="{item.end}" '
                   f'data-count="{item.count}" data-over="{item.over}">'
                   f'<title>{escape(label)} {escape(chart.unit)}: '
                   f'{_plural(item.count, "example")}{escape(note)}</title>')
        within = item.count - item.over
        if within:
            out.append(f'<rect class="bar" x="{x + gap / 2:.1f}" y="{y_of(within):.1f}" '
                       f'width="{bar_w - gap:.1f}" height="{y_of(0) - y_of(within):.1f}" '
                       f'fill="{chart.colour}"/>')
        if item.over:
            out.append(f'<rect class="bar over" x="{x + gap / 2:.1f}" '
                       f'y="{y_of(item.count):.1f}" width="{bar_w - gap:.1f}" '
                       f'height="{y_of(within) - y_of(item.count):.1f}" '
                       f'fill="{PALETTE["over"]}"/>')
        out.append("</g>")
    out.append(f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
               f'y2="{top + plot_h}"/>')
    out.extend(_x_ticks(chart, x_of, top + plot_h, bar_w))
    out.append(f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8}" '
               f'text-anchor="middle">{escape(chart.unit)} per example</text>'
               f'<text class="axis-title" transform="rotate(-90)" x="{-(top + plot_h / 2):.1f}" '
               f'y="14" text-anchor="middle">examples</text>')
    if limit is not None:
        out.append(_limit_marker(limit, x_of, left + plot_w, top, plot_h, beyond=beyond,
                                 name=chart.limit_name))
    out.append("</svg>")
    return "".join(out)


def _tick_step(width: int, span: int) -> int:
    """Ticks on round values where a round step is a whole number of bins, else every k bins."""
    for step in _nice_widths():
        if step > span:
            break
        if step % width == 0 and span / step <= 8:
            return step
    return width * next(k for k in _nice_widths() if span / (width * k) <= 8)


def _x_ticks(chart: _Histogram, x_of: Callable[[float], float], baseline: float,
             bar_w: float) -> list[str]:
    axis = chart.axis
    span = axis.stop - axis.start
    step = _tick_step(axis.width, span)
    first = -(-axis.start // step) * step
    ticks = ['<g class="ticks">']
    if axis.width == 1:  # one bar per value: label the bars themselves
        for value in range(first, axis.stop, step):
            ticks.append(f'<text x="{x_of(value) + bar_w / 2:.1f}" y="{baseline + 16:.1f}" '
                         f'text-anchor="middle">{_compact(value)}</text>')
    else:
        for value in range(first, axis.stop + 1, step):
            x = x_of(value)
            ticks.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{baseline:.1f}" '
                         f'y2="{baseline + 4:.1f}"/>'
                         f'<text x="{x:.1f}" y="{baseline + 16:.1f}" text-anchor="middle">'
                         f'{_compact(value)}</text>')
    ticks.append("</g>")
    return ticks


def _limit_marker(limit: int, x_of: Callable[[float], float], plot_right: float, top: int,
                  plot_h: int, *, beyond: bool, name: str = "limit") -> str:
    colour = PALETTE["limit"]
    base = top + plot_h
    label = f"{name} {limit:,}"
    what = "Per-example limit" if name == "limit" else name.capitalize()
    if beyond:
        # The limit is far past the data: an axis break, then the line at the far end.
        brk = plot_right + 12
        x = plot_right + 44
        return (f'<g class="limit" data-limit="{limit}" data-position="beyond">'
                f'<title>{escape(what)}: {limit:,} tokens (beyond the largest example)'
                f'</title>'
                f'<line class="axis" x1="{plot_right}" x2="{x}" y1="{base}" y2="{base}"/>'
                f'<path class="break" d="M{brk - 4},{base + 6} L{brk},{base - 6} '
                f'M{brk + 2},{base + 6} L{brk + 6},{base - 6}"/>'
                f'<line x1="{x}" x2="{x}" y1="{top - 6}" y2="{base}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="5 3"/>'
                f'<text x="{x}" y="{top - 12}" text-anchor="end" fill="{colour}">'
                f'{escape(label)}</text></g>')
    x = x_of(limit + 1)
    anchor = "end" if x > plot_right - 90 else "start"
    shift = -4 if anchor == "end" else 4
    return (f'<g class="limit" data-limit="{limit}" data-position="inside">'
            f'<title>{escape(what)}: {limit:,} tokens</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{base}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x + shift:.1f}" y="{top - 12}" text-anchor="{anchor}" fill="{colour}">'
            f'{escape(label)}</text></g>')


@dataclass(frozen=True)
class _BarRow:
    label: str
    value: int
    colour: str
    tooltip: str
    key: str
    href: str | None = None


def _bar_chart_svg(chart_id: str, title: str, description: str, rows: Sequence[_BarRow],
                   *, legend: Sequence[tuple[str, str]] = ()) -> str:
    """Horizontal bars, one a row, each labelled with its value."""
    if not rows:
        return _empty_svg(chart_id, title, "Nothing to chart")
    row_h, legend_h = (26 if len(rows) <= 12 else 21), (26 if legend else 0)
    top = 6 + legend_h
    height = top + row_h * len(rows) + 6
    label_w = min(240, max(72, 8 + 7 * max(len(r.label) for r in rows)))
    value_w = 8 + 7 * max(len(f"{r.value:,}") for r in rows)
    left = label_w + 10
    plot_w = _CHART_WIDTH - left - value_w - 6
    peak = max(r.value for r in rows) or 1
    baseline = row_h / 2 + 4
    out = [_svg_open(chart_id, height, title, description)]
    if legend:
        x = left
        out.append('<g class="legend">')
        for name, colour in legend:
            out.append(f'<rect x="{x}" y="6" width="12" height="12" rx="2" fill="{colour}"/>'
                       f'<text x="{x + 17}" y="16">{escape(name)}</text>')
            x += 30 + 7 * len(name)
        out.append("</g>")
    for index, row in enumerate(rows):
        y = top + index * row_h
        width = max(2.0, row.value / peak * plot_w) if row.value else 0.0
        body = (f'<g class="row" data-key="{_attr(row.key)}" data-count="{row.value}">'
                f'<title>{escape(row.tooltip)}</title>'
                f'<text class="label" x="{label_w}" y="{y + baseline}" text-anchor="end">'
                f'{escape(row.label)}</text>'
                f'<rect class="bar" x="{left}" y="{y + 3}" width="{width:.1f}" '
                f'height="{row_h - 6}" rx="3" fill="{row.colour}"/>'
                f'<text class="value" x="{left + width + 6:.1f}" y="{y + baseline}">'
                f'{row.value:,}</text></g>')
        if row.href is not None:
            body = f'<a href="{_attr(row.href)}">{body}</a>'
        out.append(body)
    out.append("</svg>")
    return "".join(out)


# -- the charts of a report ------------------------------------------------------------------


def _tokens_chart(report: Report, figures: Mapping[str, Any]) -> str:
    title = "Tokens per example"
    limit = figures.get("max_tokens_per_example")
    accumulator = report.accumulator
    if accumulator is not None and accumulator.tokens.n:
        bins, axis = distribution_bins(accumulator.tokens, limit=limit)
    elif figures.get("histogram"):
        bins, axis = _buckets_as_bins(figures["histogram"], limit)
    else:
        reason = "Tokens were not counted" if "tokens" not in figures else "No examples to chart"
        return _empty_svg("chart-tokens", title, reason)
    return _histogram_svg(_Histogram("chart-tokens", title, "tokens", bins, axis,
                                   PALETTE["tokens"], limit))


def _messages_chart(report: Report) -> str:
    title = "Messages per example"
    accumulator = report.accumulator
    if accumulator is None:
        return _empty_svg("chart-messages", title, "No per-example distribution available")
    if not accumulator.messages.n:
        return _empty_svg("chart-messages", title, "No examples to chart")
    bins, axis = distribution_bins(accumulator.messages)
    return _histogram_svg(_Histogram("chart-messages", title, "messages", bins, axis,
                                   PALETTE["messages"]))


def _room(count: int, most: int) -> int:
    """How many bars to draw so that, with one "others" bar, there are at most ``most``."""
    return count if count <= most else most - 1


def _roles_chart(roles: Mapping[str, int]) -> str:
    title = "Messages by role"
    ranked = sorted(roles.items(), key=lambda item: (-item[1], item[0]))
    rows = [_BarRow(_role_label(role), count, PALETTE["roles"],
                   f"{_role_label(role)}: {_plural(count, 'message')}", role)
            for role, count in ranked[: _room(len(ranked), MAX_ROLE_BARS)]]
    rest = ranked[len(rows):]
    if rest:
        total = sum(count for _, count in rest)
        rows.append(_BarRow(f"{len(rest)} other roles", total, PALETTE["other"],
                           f"{len(rest)} other roles: {_plural(total, 'message')}", "(other)"))
    if not rows:
        return _empty_svg("chart-roles", title, "No messages to chart")
    total = sum(roles.values())
    described = ", ".join(f"{_role_label(role)} {count:,}" for role, count in ranked[:6])
    more = f" and {len(ranked) - 6} more" if len(ranked) > 6 else ""
    description = (f"Bar chart of {_plural(total, 'message')} by role: {described}{more}.")
    return _bar_chart_svg("chart-roles", title, description, rows)


def _issues_chart(groups: Sequence[IssueGroup]) -> str:
    title = "Issues by code"
    if not groups:
        return _empty_svg("chart-issues", title, "No issues found")
    shown = groups[: _room(len(groups), MAX_CODE_BARS)]
    rows = [_BarRow(_shorten(f"{g.code} {g.name}", LABEL_CHARS + 6), g.count,
                   PALETTE[g.severity.value],
                   f"{g.code} {g.name} ({g.severity.value}): {_plural(g.count, 'issue')}",
                   g.code, href=f"#code-{g.code}")
            for g in shown]
    rest = groups[len(shown):]
    if rest:
        total = sum(g.count for g in rest)
        rows.append(_BarRow(f"{len(rest)} other codes", total, PALETTE["other"],
                           f"{len(rest)} other codes: {_plural(total, 'issue')}", "(other)",
                           href="#issues"))
    severities = [s for s in Severity if any(g.severity is s for g in groups)]
    legend = [(s.value, PALETTE[s.value]) for s in severities]
    described = ", ".join(f"{g.code} {g.count:,}" for g in groups[:8])
    more = f" and {len(groups) - 8} more codes" if len(groups) > 8 else ""
    description = (f"Bar chart of {_plural(sum(g.count for g in groups), 'issue')} by rule "
                   f"code, coloured by severity: {described}{more}.")
    return _bar_chart_svg("chart-issues", title, description, rows, legend=legend)


def _figure(heading: str, caption: str, svg: str) -> str:
    return (f'<figure class="chart"><figcaption><h3>{escape(heading)}</h3>'
            f'<p>{caption}</p></figcaption>{svg}</figure>')


def _per_example_caption(summary: Mapping[str, Any] | None, unit: str, counted: bool,
                         *extra: str) -> str:
    parts = list(extra)
    if counted and summary:
        parts.insert(0, f"min {_num(summary['min'])} · median {_num(summary['p50'])} · "
                        f"p95 {_num(summary['p95'])} · max {_num(summary['max'])} {unit}")
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
            f"limit {_num(limit)}" if limit is not None else "no per-example limit known")
    roles = figures.get("roles") or {}
    role_caption = escape(_plural(sum(roles.values()), "message") + " in "
                          + _plural(len(roles), "role"))
    issue_caption = (escape(_plural(len(report.issues), "issue") + " under "
                            + _plural(len(groups), "code")) + " · bars link to the table"
                     if groups else "no issues")
    return ('<section class="charts" aria-label="Charts">'
            + _figure("Tokens per example", token_caption, _tokens_chart(report, figures))
            + _figure("Messages per example",
                      _per_example_caption(figures.get("messages_per_example"), "messages",
                                           bool(accumulator.messages.n if accumulator
                                                else figures.get("examples"))),
                      _messages_chart(report))
            + _figure("Messages by role", role_caption, _roles_chart(roles))
            + _figure("Issues by code", issue_caption, _issues_chart(groups))
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
            return f"Fails: {_plural(failing, 'error or warning', 'errors and warnings')} " \
                   f"(strict: warnings fail too)."
        return "Passes: no errors or warnings (strict: warnings would fail too)."
    if counts["error"]:
        return f"Fails: {_plural(counts['error'], 'error')}."
    if counts["warning"]:
        return (f"Passes: no errors; {_plural(counts['warning'], 'warning')} "
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
        notes = [escape(f"under {_plural(codes, 'code')}")] if count else []
        if count and severity is Severity.ERROR and report.format is not None:
            invalid = report.records - report.valid_records
            notes.append(escape(f"{_plural(invalid, 'record')} with errors"))
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
    notes = [f"trainable <strong>{escape(_num(tokens['trainable']))}</strong>"
             + (f" · reasoning <strong>{escape(_num(reasoning))}</strong>" if reasoning else "")
             + (" · estimated count" if figures.get("estimated") else "")]
    over = figures.get("over_limit") or 0
    limit = figures.get("max_tokens_per_example")
    if not (figures.get("tokens") or {}).get("per_example", {}).get("max"):
        notes.append("no examples counted")
    elif limit is not None:
        if over:
            notes.append(f'<span class="alert">{escape(_plural(over, "example"))} over the '
                         f'{escape(_num(limit))}-token limit</span>')
        else:
            notes.append(escape(f"every example within the {_num(limit)}-token limit"))
    else:
        notes.append("no per-example limit known")
    return _card("wide tokens", "Tokens", escape(_num(tokens["total"])), notes)


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
        notes.append(escape(f"{_num(billed)} billed tokens ({_plural(epochs, 'epoch')}) at "
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
                       f'{escape(_shorten(group.first.message, MESSAGE_CHARS))}'
                       f'{escape(pointer)}</p>')
        severity = group.severity.value
        rows.append(
            f'<tr id="code-{_attr(group.code)}" class="sev-{severity}">'
            f'<th scope="row" class="code"><code>{escape(group.code)}</code></th>'
            f'<td class="name">{escape(group.name)}</td>'
            f'<td><span class="badge {severity}">{escape(severity)}</span></td>'
            f'<td class="num">{group.count:,}</td>'
            f'<td class="lines">{_lines_cell(group)}</td>'
            f'<td class="rule"><p>{_inline_code(summary)}</p>{example}</td></tr>')
    total = sum(g.count for g in groups)
    return ('<section id="issues" class="issues">'
            f'<h2>Issues <span class="muted">{escape(_plural(total, "issue"))} in '
            f'{escape(_plural(len(groups), "code"))}</span></h2>'
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
        f'<meta http-equiv="Content-Security-Policy" content="{_attr(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="ftdata {_attr(__version__)}">',
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
