"""The HTML report: a well-formed, self-contained page whose charts are drawn from the data.

The unit tests read the page with the standard library's HTML parser; the browser tests open it
in a real headless Chromium (skipped when none is installed) and look at what it shows.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftdata.engine import ValidateOptions, token_setup, validate_path
from ftdata.filestats import report_stats
from ftdata.render.charts import MAX_BINS, MIN_BINS, PALETTE, Bin, distribution_bins
from ftdata.render.html import LINES_SHOWN, group_issues, render_html
from ftdata.report import Report
from ftdata.statistics import Distribution
from tests.conftest import SAMPLES

BROKEN = SAMPLES / "openai-chat" / "broken.jsonl"
CLEAN = SAMPLES / "openai-chat" / "clean.jsonl"
CHARTS = {"chart-tokens", "chart-messages", "chart-roles", "chart-issues"}
PAYLOAD = "<script>alert('owned')</script>"

# -- reading the page --------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    content: list[Node | str] = dataclasses.field(default_factory=list)

    @property
    def children(self) -> list[Node]:
        return [item for item in self.content if isinstance(item, Node)]

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [node for node in self.iter()
                if (tag is None or node.tag == tag)
                and (cls is None or cls in node.attrs.get("class", "").split())]

    def all_text(self) -> str:
        return "".join(item if isinstance(item, str) else item.all_text()
                       for item in self.content)


class Page(HTMLParser):
    """A tiny DOM: the element tree, plus every nesting error the parser meets."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.errors: list[str] = []
        self.doctype: str | None = None
        self.feed(source)
        self.close()
        if self.current is not self.root:
            self.errors.append(f"unclosed <{self.current.tag}>")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.content.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.content.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
            return
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.content.append(data)

    def by_id(self, element_id: str) -> Node:
        matches = [n for n in self.root.iter() if n.attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]


def chart(page: Page, chart_id: str) -> Node:
    node = page.by_id(chart_id)
    assert node.tag == "svg"
    return node


def bins_of(svg: Node) -> list[dict[str, int]]:
    return [{key: int(node.attrs[f"data-{key}"]) for key in ("from", "to", "count", "over")}
            for node in svg.find_all("g", "bin")]


def rows_of(svg: Node) -> dict[str, int]:
    return {node.attrs["data-key"]: int(node.attrs["data-count"])
            for node in svg.find_all("g", "row")}


def counts_between(distribution: Distribution, low: int, high: int) -> int:
    return sum(c for value, c in distribution.counts.items() if low <= value <= high)


# -- data --------------------------------------------------------------------------------------


def validated(path: Path, *, model: str | None = "gpt-4.1-mini",
              max_tokens: int | None = None) -> tuple[Report, dict[str, object] | None]:
    options = ValidateOptions(model=model, max_tokens=max_tokens)
    report = validate_path(path, options)
    setup = token_setup(options)
    return report, (report_stats(report, setup) if setup is not None else None)


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def chat(user: str, assistant: str, *, role: str = "user") -> dict[str, object]:
    return {"messages": [{"role": role, "content": user},
                         {"role": "assistant", "content": assistant}]}


@pytest.fixture(scope="module")
def broken() -> tuple[Report, dict[str, object] | None, Page]:
    report, stats = validated(BROKEN)
    return report, stats, Page(render_html(report, stats))


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A file whose roles, content and name carry markup, including a script."""
    records: list[object] = [
        chat(f"question {PAYLOAD}", f"answer </svg></table>{PAYLOAD}"),
        chat("hello", "hi", role=PAYLOAD),
        {"messages": "<img src=x onerror=alert(1)>"},
    ]
    records += [chat(f"question {i} " + "word " * (i * 40), "fine") for i in range(1, 9)]
    return write_jsonl(tmp_path / "a<b>&'quote'.jsonl", records)


# -- structure ---------------------------------------------------------------------------------


def test_the_page_is_well_formed(broken: tuple[Report, object, Page]) -> None:
    _, _, page = broken
    assert page.errors == []
    assert page.doctype is not None and page.doctype.lower() == "doctype html"
    (html,) = page.root.find_all("html")
    assert html.attrs["lang"] == "en"
    for tag in ("head", "body", "main", "style"):
        assert len(page.root.find_all(tag)) == 1, tag
    ids = [n.attrs["id"] for n in page.root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    (title,) = [n for n in page.root.find_all("title") if n.parent and n.parent.tag == "head"]
    assert "broken.jsonl" in title.all_text() and "failed" in title.all_text()


def test_the_header_gives_the_verdict_and_the_file(broken: tuple[Report, object, Page]) -> None:
    report, _, page = broken
    (header,) = page.root.find_all("header")
    text = " ".join(header.all_text().split())
    assert "failed" in text
    assert f"Records{report.records}Valid records{report.valid_records} (24%)" in text
    for fact in ("openai-chat", "generic", "gpt-4.1-mini", "o200k_base"):
        assert fact in text
    report_ok, stats_ok = validated(CLEAN)
    page_ok = Page(render_html(report_ok, stats_ok))
    (verdict,) = page_ok.root.find_all("p", "verdict")
    assert verdict.all_text().strip().endswith("ok")


def test_summary_cards_give_counts_tokens_and_cost(broken: tuple[Report, object, Page]) -> None:
    report, stats, page = broken
    assert isinstance(stats, dict)
    cards = {card.find_all("h2")[0].all_text(): card for card in page.root.find_all("article")}
    assert set(cards) == {"Errors", "Warnings", "Info", "Tokens", "Estimated cost"}
    for name, severity in (("Errors", "error"), ("Warnings", "warning"), ("Info", "info")):
        (value,) = cards[name].find_all("p", "value")
        assert value.all_text() == f"{report.summary[severity]:,}"
    tokens = " ".join(cards["Tokens"].all_text().split())
    assert f"{stats['tokens']['total']:,}" in tokens
    assert f"trainable {stats['tokens']['trainable']:,}" in tokens
    cost = " ".join(cards["Estimated cost"].all_text().split())
    cost_stats = stats["cost"]
    assert isinstance(cost_stats, dict)
    assert cost_stats["price_as_of"] in cost
    assert cost_stats["source"] in cost
    assert f"{stats['billed_tokens']:,} billed tokens" in cost


def test_cost_says_when_no_price_is_known() -> None:
    report, stats = validated(CLEAN, model="o4-mini")  # a model with no training price
    assert stats is not None and stats["cost"] is None
    page = Page(render_html(report, stats))
    (card,) = [c for c in page.root.find_all("article") if "cost" in c.attrs["class"]]
    assert "no price known" in card.all_text()
    unpriced = Page(render_html(report, None))
    (card,) = [c for c in unpriced.root.find_all("article") if "cost" in c.attrs["class"]]
    assert "not estimated" in card.all_text()


# -- charts ------------------------------------------------------------------------------------


def test_every_chart_is_an_accessible_svg(broken: tuple[Report, object, Page]) -> None:
    _, _, page = broken
    svgs = page.root.find_all("svg")
    assert {svg.attrs["id"] for svg in svgs} == CHARTS
    for svg in svgs:
        assert svg.attrs["role"] == "img"
        labels = svg.attrs["aria-labelledby"].split()
        assert [page.by_id(label).tag for label in labels] == ["title", "desc"]
        assert all(page.by_id(label).all_text().strip() for label in labels)
        assert svg.attrs["viewbox"].startswith("0 0 ")


def test_token_histogram_bars_come_from_the_exact_distribution(
        broken: tuple[Report, object, Page]) -> None:
    report, _, page = broken
    assert report.accumulator is not None
    tokens = report.accumulator.tokens
    bins = bins_of(chart(page, "chart-tokens"))
    assert bins and sum(b["count"] for b in bins) == tokens.n
    for item in bins:
        assert item["count"] == counts_between(tokens, item["from"], item["to"]) > 0
    bars = chart(page, "chart-tokens").find_all("rect", "bar")
    assert {bar.attrs["fill"] for bar in bars} == {PALETTE["tokens"]}
    heights = {float(bar.attrs["height"]) for bar in bars}
    assert len(heights) > 1  # taller bars for fuller bins


def test_messages_histogram_and_role_bars_match_the_data(
        broken: tuple[Report, object, Page]) -> None:
    report, _, page = broken
    assert report.accumulator is not None
    messages = report.accumulator.messages
    bins = bins_of(chart(page, "chart-messages"))
    assert {b["from"]: b["count"] for b in bins} == messages.counts
    assert rows_of(chart(page, "chart-roles")) == report.accumulator.roles


def test_issue_bars_count_every_issue_by_code_and_link_to_the_table(
        broken: tuple[Report, object, Page]) -> None:
    report, _, page = broken
    svg = chart(page, "chart-issues")
    assert rows_of(svg) == Counter(issue.code for issue in report.issues)
    links = [a.attrs["href"] for a in svg.find_all("a")]
    assert links and all(page.by_id(link[1:]).tag == "tr" for link in links)
    colours = {bar.attrs["fill"] for bar in svg.find_all("rect", "bar")}
    assert colours == {PALETTE["error"], PALETTE["warning"]}


def test_many_codes_and_roles_keep_the_charts_short(tmp_path: Path) -> None:
    roles = [f"speaker-{i:02d}" for i in range(30)]
    path = write_jsonl(tmp_path / "roles.jsonl", [chat("q", "a", role=r) for r in roles])
    report, stats = validated(path)
    page = Page(render_html(report, stats))
    rows = rows_of(chart(page, "chart-roles"))
    assert len(rows) == 12
    assert sum(rows.values()) == 60  # the last bar sums the roles not drawn
    assert "(other)" in rows


def test_limit_line_sits_on_the_axis_when_the_limit_is_near(hostile: Path) -> None:
    report, stats = validated(hostile, max_tokens=300)
    svg = chart(Page(render_html(report, stats)), "chart-tokens")
    (limit,) = svg.find_all("g", "limit")
    assert limit.attrs["data-limit"] == "300"
    assert limit.attrs["data-position"] == "inside"
    (line,) = limit.find_all("line")
    assert line.attrs["x1"] == line.attrs["x2"]
    over = sum(b["over"] for b in bins_of(svg))
    assert over == sum(1 for issue in report.issues if issue.code == "T001") > 0
    assert {bar.attrs["fill"] for bar in svg.find_all("rect", "over")} == {PALETTE["over"]}


def test_limit_far_beyond_the_data_is_drawn_past_an_axis_break(
        broken: tuple[Report, object, Page]) -> None:
    _, _, page = broken
    (limit,) = chart(page, "chart-tokens").find_all("g", "limit")
    assert limit.attrs["data-limit"] == "65536"
    assert limit.attrs["data-position"] == "beyond"
    assert limit.find_all("path", "break")
    assert "65,536" in limit.all_text()


def test_no_limit_line_without_a_limit() -> None:
    report, stats = validated(CLEAN)
    assert stats is not None
    report = dataclasses.replace(report, stats={**report.stats, "max_tokens_per_example": None})
    page = Page(render_html(report, {**stats, "max_tokens_per_example": None}))
    svg = chart(page, "chart-tokens")
    assert bins_of(svg) and not svg.find_all("g", "limit")
    assert "no per-example limit known" in page.root.all_text()


def test_a_report_without_distributions_charts_the_stats_histogram() -> None:
    report, stats = validated(CLEAN)
    assert stats is not None
    bare = dataclasses.replace(report, accumulator=None)
    page = Page(render_html(bare, stats))
    expected = [{"from": b["from"], "to": b["to"], "count": b["count"], "over": 0}
                for b in stats["histogram"] if b["count"]]  # type: ignore[attr-defined]
    assert bins_of(chart(page, "chart-tokens")) == expected
    assert "No per-example distribution" in chart(page, "chart-messages").all_text()
    assert rows_of(chart(page, "chart-roles")) == stats["roles"]


def test_without_token_counts_the_charts_say_so() -> None:
    report = validate_path(CLEAN, ValidateOptions(count_tokens=False))
    page = Page(render_html(report, None))
    assert page.errors == []
    svg = chart(page, "chart-tokens")
    assert not bins_of(svg) and "Tokens were not counted" in svg.all_text()
    assert bins_of(chart(page, "chart-messages"))  # structure needs no tokenizer


def test_an_unreadable_format_still_gets_a_full_page(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"foo": 1}\n{"bar": 2}\nnot json\n', encoding="utf-8")
    report, stats = validated(path)
    page = Page(render_html(report, stats))
    assert page.errors == []
    assert {svg.attrs["id"] for svg in page.root.find_all("svg")} == CHARTS
    assert "No examples to chart" in chart(page, "chart-messages").all_text()
    assert page.by_id("code-F009").tag == "tr"


# -- issues table ------------------------------------------------------------------------------


def test_issues_table_has_one_row_per_code_with_lines_and_summary(tmp_path: Path) -> None:
    extra = LINES_SHOWN + 5
    path = write_jsonl(tmp_path / "empty_answers.jsonl", [chat(f"q{i}", "") for i in range(extra)])
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n")
    report, stats = validated(path)
    page = Page(render_html(report, stats))
    row = page.by_id("code-C002")
    cells = row.find_all("td")
    assert row.find_all("th")[0].all_text() == "C002"
    assert cells[0].all_text() == "empty-content"
    assert cells[1].all_text() == "error"
    assert cells[2].all_text() == str(extra)
    shown = ", ".join(str(line) for line in range(1, LINES_SHOWN + 1))
    assert cells[3].all_text() == f"{shown} and 5 more"
    assert "A message, prompt or completion has no text." in cells[4].all_text()
    assert "line 1: assistant content is empty" in cells[4].all_text()
    rows = page.root.find_all("tbody")[0].find_all("tr")
    assert [r.attrs["id"] for r in rows] == [f"code-{g.code}" for g in group_issues(report.issues)]
    assert [r.attrs["id"] for r in rows] == ["code-C002", "code-F004"]  # errors first


def test_group_issues_orders_worst_first_and_counts_distinct_lines(
        broken: tuple[Report, object, Page]) -> None:
    report, _, _ = broken
    groups = group_issues(report.issues)
    assert sum(g.count for g in groups) == len(report.issues)
    ranks = [g.severity.rank for g in groups]
    assert ranks == sorted(ranks, reverse=True)
    s002 = next(g for g in groups if g.code == "S002")
    assert s002.count == 3 and s002.lines == [8, 26]  # two issues on line 26, one line listed
    f008 = next(g for g in groups if g.code == "F008")
    assert f008.file_level == 1 and f008.lines == []


def test_max_issues_does_not_hide_issues_from_the_report() -> None:
    options = ValidateOptions(model="gpt-4.1-mini", max_issues=2)
    report = validate_path(BROKEN, options)
    page = Page(render_html(report, None))
    assert sum(rows_of(chart(page, "chart-issues")).values()) == len(report.issues) > 2


# -- safety ------------------------------------------------------------------------------------


def test_data_is_escaped_and_record_content_never_shown(hostile: Path) -> None:
    report, stats = validated(hostile)
    source = render_html(report, stats)
    page = Page(source)
    assert page.errors == []
    assert page.root.find_all("script") == []
    assert page.root.find_all("img") == []
    assert "<script" not in source.lower()
    text = page.root.all_text()
    assert PAYLOAD in text  # the role, shown as text in the chart and the issue message
    assert "a<b>&'quote'.jsonl" in text
    assert "question" not in text and "answer" not in text  # content stays out
    assert PAYLOAD in rows_of(chart(page, "chart-roles"))


def test_no_network_resources(broken: tuple[Report, object, Page]) -> None:
    _, _, page = broken
    for node in page.root.iter():
        assert node.tag not in {"script", "link", "img", "iframe", "object", "embed", "image",
                                "use", "video", "audio", "source", "base", "form"}
        for name, value in node.attrs.items():
            if name in {"src", "href", "xlink:href", "srcset", "action", "poster", "data"}:
                assert not re.match(r"\s*(https?:)?//", value, re.I), (node.tag, name, value)
                assert value.startswith("#"), (node.tag, name, value)
    (style,) = page.root.find_all("style")
    assert "url(" not in style.all_text() and "@import" not in style.all_text()
    (policy,) = [m for m in page.root.find_all("meta")
                 if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy.attrs["content"]


def test_rendering_is_pure(broken: tuple[Report, dict[str, object] | None, Page]) -> None:
    report, stats, _ = broken
    assert render_html(report, stats) == render_html(report, stats)


def test_the_page_prints() -> None:
    report, stats = validated(CLEAN)
    (style,) = Page(render_html(report, stats)).root.find_all("style")
    assert "@media print" in style.all_text()
    assert "print-color-adjust:exact" in style.all_text()


@pytest.mark.parametrize("name", ["cohere_chat__convfinqa_eval.jsonl",
                                  "openai_dpo__together_rewardbench2_val.jsonl",
                                  "sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json",
                                  "csv_qa__seq2seq_chatbot.csv"])
def test_corpus_files_render_whole_pages(corpus: Path, name: str) -> None:
    report, stats = validated(corpus / name, max_tokens=2_000)
    page = Page(render_html(report, stats))
    assert page.errors == []
    assert {svg.attrs["id"] for svg in page.root.find_all("svg")} == CHARTS
    assert sum(rows_of(chart(page, "chart-issues")).values()) == len(report.issues)
    if report.accumulator is not None and report.accumulator.tokens.n:
        bins = bins_of(chart(page, "chart-tokens"))
        assert sum(b["count"] for b in bins) == report.accumulator.tokens.n
        assert sum(b["over"] for b in bins) == report.accumulator.over_limit


# -- binning -----------------------------------------------------------------------------------


def distribution(*values: int) -> Distribution:
    result = Distribution()
    for value in values:
        result.add(value)
    return result


def test_bins_are_round_exact_and_split_at_the_limit() -> None:
    values = (120, 480, 510, 990, 1500, 2600, 2700, 3900)
    bins, axis = distribution_bins(distribution(*values), limit=2650)
    assert (axis.start, axis.width, axis.stop) == (0, 200, 4000)
    assert all(b.end - b.start + 1 == axis.width for b in bins)
    assert [b.count for b in bins] == [sum(1 for v in values if b.start <= v <= b.end)
                                       for b in bins]
    cut = next(b for b in bins if b.start <= 2650 <= b.end)
    assert (cut.count, cut.over) == (2, 1)  # 2600 is within the limit, 2700 is over it
    assert sum(b.over for b in bins) == 2


@given(st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=60),
       st.one_of(st.none(), st.integers(min_value=1, max_value=2_500_000)))
def test_bins_are_exact_for_any_values(values: list[int], limit: int | None) -> None:
    bins, axis = distribution_bins(distribution(*values), limit=limit)
    assert MIN_BINS <= len(bins) <= max(MAX_BINS, MIN_BINS)
    assert bins[0].start == axis.start and bins[-1].end == axis.stop - 1
    assert all(b.end - b.start + 1 == axis.width for b in bins)
    assert str(axis.width).strip("0") in {"1", "2", "5"}
    for item in bins:
        inside = [v for v in values if item.start <= v <= item.end]
        assert item.count == len(inside)
        assert item.over == sum(1 for v in inside if limit is not None and v > limit)
    assert sum(b.count for b in bins) == len(values)


def test_bins_reach_a_near_limit_but_not_a_far_one() -> None:
    _, near = distribution_bins(distribution(10, 50, 90), limit=120)
    assert near.stop > 120
    _, far = distribution_bins(distribution(10, 50, 90), limit=65_536)
    assert far.stop < 1_000


def test_bins_of_one_value_and_of_nothing() -> None:
    bins, axis = distribution_bins(distribution(3, 3, 3))
    assert [b for b in bins if b.count] == [Bin(3, 3, 3, 0)]
    assert axis.width == 1 and len(bins) >= 6
    assert distribution_bins(Distribution())[0] == []


# -- in a real browser -------------------------------------------------------------------------


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium binary on PATH (Debian: apt-get install chromium)")


def _run_browser(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    command = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions",
               f"--user-data-dir={profile}", *args]
    env = {**os.environ, "HOME": str(profile)}
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=300, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the browser did not finish: {' '.join(command)}")


def decode_png(data: bytes) -> tuple[int, int, Callable[[int, int], tuple[int, ...]]]:
    """Width, height and a pixel getter of an 8-bit, non-interlaced PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    width = height = depth = colour = interlace = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)
                           ) & 0xFF
        rows.append(bytes(line))
        previous = line

    def pixel(x: int, y: int) -> tuple[int, ...]:
        return tuple(rows[y][x * channels:x * channels + 3])

    return width, height, pixel


def colour_counts(pixel: Callable[[int, int], tuple[int, ...]], width: int, height: int,
                  wanted: dict[str, tuple[int, ...]]) -> tuple[Counter[str], list[int]]:
    """How many pixels (every second one each way) have each ``wanted`` colour, and the box
    (left, top, right, bottom) that holds them."""
    found: Counter[str] = Counter()
    box = [width, height, 0, 0]
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            colour = pixel(x, y)
            for name, target in wanted.items():
                if colour == target:
                    found[name] += 1
                    box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
    return found, box


def rgb(hex_colour: str) -> tuple[int, ...]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def console_lines(stderr: str) -> list[str]:
    """What the page said on the console: any message at all, since the page has no script."""
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    _browser()
    folder = tmp_path_factory.mktemp("browser")
    records: list[object] = [chat(f"question {i} " + "word " * (i * 25), "fine")
                             for i in range(1, 16)]
    records += [chat(f"hi {PAYLOAD}", f"</svg>{PAYLOAD}"), chat("hello", "hi", role=PAYLOAD),
                {"messages": [{"role": "user", "content": "no answer"}]}]
    data = write_jsonl(folder / "train.jsonl", records)
    report, stats = validated(data, max_tokens=250)
    page = folder / "report.html"
    page.write_text(render_html(report, stats), encoding="utf-8")
    return page, report


def test_browser_shows_the_charts_without_console_errors(
        browser_page: tuple[Path, Report], tmp_path: Path) -> None:
    page, _ = browser_page
    screenshot = tmp_path / "page.png"
    shown = _run_browser(["--enable-logging=stderr", "--v=0", f"--screenshot={screenshot}",
                          "--window-size=1280,2000", page.as_uri()], tmp_path / "profile")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert console_lines(shown.stderr) == []
    width, height, pixel = decode_png(screenshot.read_bytes())
    assert (width, height) == (1280, 2000)
    wanted = {name: rgb(PALETTE[name]) for name in ("tokens", "messages", "roles", "error",
                                                    "over")}
    found, box = colour_counts(pixel, width, height, wanted)
    assert all(found[name] >= 20 for name in wanted), found
    colours = {pixel(x, y) for y in range(box[1], box[3] + 1, 3)
               for x in range(box[0], box[2] + 1, 3)}
    assert len(colours) >= 12, f"{len(colours)} colours in the chart area {box}"


def test_browser_dom_holds_the_charts_and_no_script(
        browser_page: tuple[Path, Report], tmp_path: Path) -> None:
    page, report = browser_page
    dumped = _run_browser(["--dump-dom", page.as_uri()], tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = Page(dumped.stdout)
    assert {svg.attrs["id"] for svg in dom.root.find_all("svg")} == CHARTS
    assert dom.root.find_all("script") == []
    tokens = bins_of(chart(dom, "chart-tokens"))
    assert report.accumulator is not None
    assert sum(b["count"] for b in tokens) == report.accumulator.tokens.n
    assert sum(b["over"] for b in tokens) == report.accumulator.over_limit > 0
    (limit,) = chart(dom, "chart-tokens").find_all("g", "limit")
    assert limit.attrs["data-position"] == "inside"
    assert PAYLOAD in rows_of(chart(dom, "chart-roles"))


def test_the_tokens_card_gives_reasoning_tokens_apart() -> None:
    report, stats = validated(SAMPLES / "openai-chat" / "reasoning.jsonl")
    assert stats is not None
    page = Page(render_html(report, stats))
    (card,) = [c for c in page.root.find_all("article") if "tokens" in c.attrs["class"]]
    tokens = stats["tokens"]
    assert isinstance(tokens, dict) and tokens["reasoning"] > 0
    assert f"reasoning {tokens['reasoning']:,}" in " ".join(card.all_text().split())
    clean = Page(render_html(*validated(CLEAN)))
    (card,) = [c for c in clean.root.find_all("article") if "tokens" in c.attrs["class"]]
    assert "reasoning" not in card.all_text()


#: Measures the laid-out page and writes what it found on <body> for --dump-dom to show: where
#: the title's lines break (the character before each break), and for each column of the chart
#: area, how far its last card ends above the area's bottom, with the shortest card's height.
#: A test-only script added to a copy of the page (the page itself has none).
LAYOUT_PROBE = """<script>(() => {
const title = document.querySelector("h1");
const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
const before = [];
let lineTop = null, previous = "";
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  for (let i = 0; i < node.data.length; i++) {
    const range = document.createRange();
    range.setStart(node, i); range.setEnd(node, i + 1);
    const rect = range.getBoundingClientRect();
    if (lineTop !== null && rect.top > lineTop + 2) before.push(previous);
    lineTop = rect.top; previous = node.data[i];
  }
}
const area = document.querySelector(".charts").getBoundingClientRect();
const cards = [...document.querySelectorAll(".charts .chart")].map(c => c.getBoundingClientRect());
const columns = {};
for (const card of cards) {
  const key = Math.round(card.left);
  columns[key] = Math.max(columns[key] || 0, card.bottom);
}
document.body.dataset.titleBreaks = JSON.stringify(before);
document.body.dataset.blanks = JSON.stringify(Object.values(columns).map(b => area.bottom - b));
document.body.dataset.shortest = String(Math.min(...cards.map(c => c.height)));
document.body.dataset.columns = String(Object.keys(columns).length);
document.body.dataset.cards = JSON.stringify(cards.map(c => [c.left, c.top, c.height]));
})();</script>"""


@pytest.mark.parametrize("width", [360, 1280])
def test_browser_layout_keeps_the_title_whole_and_no_blank_beside_a_tall_card(
        width: int, tmp_path: Path) -> None:
    _browser()
    # The broken sample has 24 codes: the issues chart is the tallest card by far.
    report, stats = validated(BROKEN)
    # Names that each fit a narrow line, joined into a path that does not.
    report = dataclasses.replace(report, path="datasets/support-team/customer-conversations/"
                                              "exports/2024/final/train-2024-final.jsonl")
    page = tmp_path / "page.html"
    # The copy drops the page's policy that forbids scripts, for the probe to run.
    probed = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                    render_html(report, stats))
    page.write_text(probed.replace("</body>", LAYOUT_PROBE + "</body>"), encoding="utf-8")
    shot = tmp_path / "page.png"
    _run_browser([f"--screenshot={shot}", f"--window-size={width},2400", page.as_uri()],
                 tmp_path / "profile-shot")
    dumped = _run_browser(["--dump-dom", f"--window-size={width},2400", page.as_uri()],
                          tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    (body,) = Page(dumped.stdout).root.find_all("body")
    breaks = json.loads(body.attrs["data-title-breaks"] or "null")
    if width < 600:
        assert breaks, "a long path does not fit on one line of a narrow screen"
    # Every line of the title ends after a path separator (or a name's own hyphen, where
    # browsers break words too), never inside a name.
    assert all(char in "/-" for char in breaks), breaks
    blanks = json.loads(body.attrs["data-blanks"] or "null")
    shortest = float(body.attrs["data-shortest"] or "0")
    assert body.attrs["data-columns"] == ("1" if width < 1000 else "2")
    # No column ends so far above the others that a whole card would fit in the gap.
    assert max(blanks) < shortest, (blanks, shortest, body.attrs["data-cards"])
