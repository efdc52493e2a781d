"""The charts of the HTML report, drawn as plain SVG shapes: histograms of per-example figures
and bar charts, with the number formatting they share.

Used by the report page (:mod:`ftdata.render.html`) and its trainer's view section
(:mod:`ftdata.render.trainer_view`). Every string from the data is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from ftdata.statistics import Distribution

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


#: Most and fewest bins in a histogram.
MAX_BINS = 24
MIN_BINS = 6
#: A limit beyond this many times the data's range is drawn past an axis break.
LIMIT_REACH = 1.5
#: Longest label a chart draws before it is shortened.
LABEL_CHARS = 26
#: Width of every chart, in SVG user units.
CHART_WIDTH = 560


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


def buckets_as_bins(buckets: Sequence[Mapping[str, int]], limit: int | None
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


def number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def compact(value: int) -> str:
    """Axis labels: 950, 1,200, 12k, 1.5M."""
    if abs(value) < 10_000:
        return f"{value:,}"
    if abs(value) < 1_000_000:
        return f"{value / 1000:.3g}k"
    return f"{value / 1_000_000:.3g}M"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 example``, ``3 examples`` (``many``: the plural when it is not ``word`` + s)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attribute(value: object) -> str:
    return escape(str(value), quote=True)


def nice_ceiling(value: int) -> tuple[int, int]:
    """A round top for a count axis and its tick step (at most 5 ticks)."""
    if value <= 0:
        return 1, 1
    for step in _nice_widths():
        if -(-value // step) <= 5:
            return -(-value // step) * step, step
    return value, value  # pragma: no cover - a count beyond 10^18


def svg_open(chart_id: str, height: int, title: str, description: str) -> str:
    return (f'<svg id="{chart_id}" class="chart-svg" '
            f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')


def empty_svg(chart_id: str, title: str, message: str) -> str:
    return (svg_open(chart_id, 120, title, message)
            + f'<rect x="0.5" y="0.5" width="{CHART_WIDTH - 1}" height="119" rx="8" '
              f'class="empty-frame"/>'
            + f'<text x="{CHART_WIDTH // 2}" y="64" text-anchor="middle" class="empty-text">'
              f'{escape(message)}</text></svg>')


@dataclass(frozen=True)
class Histogram:
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


def _histogram_description(chart: Histogram) -> str:
    total = sum(b.count for b in chart.bins)
    filled = [b for b in chart.bins if b.count]
    text = (f"Histogram of {chart.unit} per example over {plural(total, 'example')}, "
            f"from {filled[0].start:,} to {filled[-1].end:,} {chart.unit}")
    busiest = max(filled, key=lambda b: b.count)
    span = (f"{busiest.start:,}" if busiest.start == busiest.end
            else f"{busiest.start:,}–{busiest.end:,}")
    text += f"; the most common range is {span} ({plural(busiest.count, 'example')})"
    if chart.limit is not None:
        over = sum(b.over for b in chart.bins)
        text += (f"; the {chart.limit_name} is {chart.limit:,} {chart.unit} and "
                 f"{plural(over, 'example is', 'examples are')} over it")
    return text + "."


def histogram_svg(chart: Histogram) -> str:
    """A vertical histogram with a count axis, value ticks and, when known, the limit line."""
    if not any(b.count for b in chart.bins):
        return empty_svg(chart.chart_id, chart.title, "No examples to chart")
    height = 280
    axis = chart.axis
    limit = chart.limit
    beyond = limit is not None and limit + 1 > axis.stop
    left, right, top, bottom = 56, (78 if beyond else 18), 34, 52
    plot_w, plot_h = CHART_WIDTH - left - right, height - top - bottom
    peak = max(b.count for b in chart.bins)
    y_top, y_step = nice_ceiling(peak)
    span = axis.stop - axis.start

    def x_of(value: float) -> float:
        return left + (value - axis.start) / span * plot_w

    def y_of(count: float) -> float:
        return top + plot_h - count / y_top * plot_h

    out = [svg_open(chart.chart_id, height, chart.title, _histogram_description(chart))]
    out.append('<g class="grid">')
    for tick in range(0, y_top + 1, y_step):
        y = y_of(tick)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{compact(tick)}</text>')
    out.append("</g>")
    bar_w = plot_w / len(chart.bins)
    gap = 1.5 if bar_w > 6 else 0.0
    for item in chart.bins:
        if not item.count:
            continue
        x = x_of(item.start)
        label = (f"{item.start:,}" if item.start == item.end
                 else f"{item.start:,}–{item.end:,}")
        note = f" ({plural(item.over, 'over the limit', 'over the limit')})" if item.over else ""
        out.append(f'<g class="bin" data-from="{item.start}" data-to="{item.end}" '
                   f'data-count="{item.count}" data-over="{item.over}">'
                   f'<title>{escape(label)} {escape(chart.unit)}: '
                   f'{plural(item.count, "example")}{escape(note)}</title>')
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


def _x_ticks(chart: Histogram, x_of: Callable[[float], float], baseline: float,
             bar_w: float) -> list[str]:
    axis = chart.axis
    span = axis.stop - axis.start
    step = _tick_step(axis.width, span)
    first = -(-axis.start // step) * step
    ticks = ['<g class="ticks">']
    if axis.width == 1:  # one bar per value: label the bars themselves
        for value in range(first, axis.stop, step):
            ticks.append(f'<text x="{x_of(value) + bar_w / 2:.1f}" y="{baseline + 16:.1f}" '
                         f'text-anchor="middle">{compact(value)}</text>')
    else:
        for value in range(first, axis.stop + 1, step):
            x = x_of(value)
            ticks.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{baseline:.1f}" '
                         f'y2="{baseline + 4:.1f}"/>'
                         f'<text x="{x:.1f}" y="{baseline + 16:.1f}" text-anchor="middle">'
                         f'{compact(value)}</text>')
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
class BarRow:
    label: str
    value: int
    colour: str
    tooltip: str
    key: str
    href: str | None = None


def bar_chart_svg(chart_id: str, title: str, description: str, rows: Sequence[BarRow],
                   *, legend: Sequence[tuple[str, str]] = ()) -> str:
    """Horizontal bars, one a row, each labelled with its value."""
    if not rows:
        return empty_svg(chart_id, title, "Nothing to chart")
    row_h, legend_h = (26 if len(rows) <= 12 else 21), (26 if legend else 0)
    top = 6 + legend_h
    height = top + row_h * len(rows) + 6
    label_w = min(240, max(72, 8 + 7 * max(len(r.label) for r in rows)))
    value_w = 8 + 7 * max(len(f"{r.value:,}") for r in rows)
    left = label_w + 10
    plot_w = CHART_WIDTH - left - value_w - 6
    peak = max(r.value for r in rows) or 1
    baseline = row_h / 2 + 4
    out = [svg_open(chart_id, height, title, description)]
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
        body = (f'<g class="row" data-key="{attribute(row.key)}" data-count="{row.value}">'
                f'<title>{escape(row.tooltip)}</title>'
                f'<text class="label" x="{label_w}" y="{y + baseline}" text-anchor="end">'
                f'{escape(row.label)}</text>'
                f'<rect class="bar" x="{left}" y="{y + 3}" width="{width:.1f}" '
                f'height="{row_h - 6}" rx="3" fill="{row.colour}"/>'
                f'<text class="value" x="{left + width + 6:.1f}" y="{y + baseline}">'
                f'{row.value:,}</text></g>')
        if row.href is not None:
            body = f'<a href="{attribute(row.href)}">{body}</a>'
        out.append(body)
    out.append("</svg>")
    return "".join(out)


def chart_figure(heading: str, caption: str, svg: str) -> str:
    return (f'<figure class="chart"><figcaption><h3>{escape(heading)}</h3>'
            f'<p>{caption}</p></figcaption>{svg}</figure>')
