"""The report's "Trainer's view" section: tokens cut and coloured by the mask, secrets masked
across tokens, everything escaped, the length chart against the trainer's maximum, and a page
whose size stays bounded however many findings and tokens there are.

The browser test opens a page with the section in headless Chromium (skipped without one).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftdata.render.html import render_html
from ftdata.render.trainer_view import (
    EXAMPLES_PER_CODE,
    HEAD_TOKENS,
    TOKENS_SHOWN,
    ShownExample,
    TokenPiece,
    TrainerSection,
    shown_pieces,
    token_pieces,
    trainer_section,
)
from ftdata.report import Report
from tests.render.test_html import (
    PAYLOAD,
    Node,
    Page,
    _run_browser,
    bins_of,
    chart,
    colour_counts,
    console_lines,
    decode_png,
    rgb,
    validated,
)

SECRET = "ghp_" + "a1B2c3D4" * 4 + "Zz9x"
TRAINED_BG = "#bfdbfe"


def section(view: TrainerSection) -> Page:
    page = Page(f"<main>{trainer_section(view)}</main>")
    assert page.errors == []
    return page


def tokens_of(article: Node) -> list[Node]:
    (pre,) = article.find_all("pre", "tv-tokens")
    return pre.find_all("span", "tok")


def example(code: str = "T004", *, pieces: list[TokenPiece] | None = None, line: int = 3,
            message: str = "63 tokens, over max length 60") -> ShownExample:
    pieces = pieces or [TokenPiece("<|im_start|>user\n", False), TokenPiece("Hi", False),
                        TokenPiece("Hello", True), TokenPiece(" there", True, kept=False)]
    return ShownExample(code, line, message, pieces, trained=2, kept=3, truncated=True)


def view(**changes: object) -> TrainerSection:
    base: dict[str, object] = {
        "trainer": "trl", "template": "chatml", "max_length": 60,
        "strategy": "truncate_right", "lengths": [10, 20, 55, 61, 90],
        "truncated": 2, "dropped": 0, "untrained": 1,
        "counts": {"T004": 2}, "examples": [example(), example(line=9)],
    }
    base.update(changes)
    return TrainerSection(**base)  # type: ignore[arg-type]


# -- the data ----------------------------------------------------------------------------------


def test_pieces_follow_the_offsets_and_keep_every_character() -> None:
    text = "<s>ab  cd"
    pieces = token_pieces(text, [(0, 3), (3, 5), (7, 9)], [0, 1, 1])
    assert [p.text for p in pieces] == ["<s>", "ab", "  cd"]  # the gap goes with the next
    assert [p.trained for p in pieces] == [False, True, True]
    assert "".join(p.text for p in pieces) == text


def test_a_token_inside_a_character_shows_nothing_twice() -> None:
    # Byte-level tokens: two tokens share the one character "é".
    pieces = token_pieces("aé", [(0, 1), (1, 2), (1, 2)], [0, 1, 1])
    assert [p.text for p in pieces] == ["a", "é", ""]


def test_trailing_text_goes_with_the_last_token() -> None:
    assert [p.text for p in token_pieces("abc\n", [(0, 3)], [1])] == ["abc\n"]


def test_a_secret_split_across_tokens_is_masked_once() -> None:
    text = f"key {SECRET} end"
    cut = 4 + 10
    pieces = token_pieces(text, [(0, 4), (4, cut), (cut, 4 + len(SECRET)),
                                 (4 + len(SECRET), len(text))], [0, 1, 1, 0])
    shown = "".join(p.text for p in pieces)
    assert SECRET[:8] not in shown and "(40 chars)" in shown
    assert pieces[1].text.startswith("ghp_") and pieces[2].text == ""
    assert pieces[3].text == " end"


def test_a_lone_surrogate_is_written_as_an_escape() -> None:
    (piece,) = token_pieces("a\ud800", [(0, 2)], [1])
    assert piece.text == "a\\ud800"
    piece.text.encode("utf-8")


def test_long_examples_show_their_start_and_end() -> None:
    pieces = [TokenPiece(str(i), bool(i % 2)) for i in range(1000)]
    head, hidden, tail = shown_pieces(pieces)
    assert [p.text for p in head] == [str(i) for i in range(HEAD_TOKENS)]
    assert [p.text for p in tail] == [str(i) for i in range(1000 - (TOKENS_SHOWN - HEAD_TOKENS),
                                                            1000)]
    assert hidden == 1000 - TOKENS_SHOWN
    assert shown_pieces(pieces[:TOKENS_SHOWN]) == (pieces[:TOKENS_SHOWN], 0, [])


# -- the HTML ----------------------------------------------------------------------------------


def test_trained_tokens_are_coloured_and_the_others_plain() -> None:
    page = section(view())
    (article, _) = page.root.find_all("article", "tv-example")
    tokens = tokens_of(article)
    assert [t.all_text() for t in tokens] == ["<|im_start|>user\n", "Hi", "Hello", " there"]
    assert [("t" in t.attrs["class"].split()) for t in tokens] == [False, False, True, True]
    assert [("cut" in t.attrs["class"].split()) for t in tokens] == [False, False, False, True]
    assert [t.attrs["title"] for t in tokens] == [
        "token 0: not trained", "token 1: not trained", "token 2: trained",
        "token 3: trained, cut off"]


def test_long_examples_are_cut_with_a_note_and_keep_their_token_numbers() -> None:
    pieces = [TokenPiece(f"w{i} ", i >= 900) for i in range(1000)]
    page = section(view(examples=[example(pieces=pieces)], counts={"T004": 1}))
    (article,) = page.root.find_all("article", "tv-example")
    tokens = tokens_of(article)
    assert len(tokens) == TOKENS_SHOWN
    assert tokens[-1].attrs["title"] == "token 999: trained"
    (gap,) = article.find_all("span", "tv-gap")
    assert gap.all_text() == f"… {1000 - TOKENS_SHOWN} tokens not shown …"


def test_record_text_is_escaped_and_secrets_masked() -> None:
    text = f"{PAYLOAD} {SECRET}"
    pieces = token_pieces(text, [(0, len(PAYLOAD)), (len(PAYLOAD), len(text))], [1, 0])
    hostile = example(pieces=pieces, message=f"role {PAYLOAD}")
    source = trainer_section(view(examples=[hostile], counts={"T004": 1},
                                  trainer="<b>trl</b>", template="x\"'<y>"))
    assert "<script>" not in source and "<b>" not in source
    assert SECRET not in source
    page = section(view(examples=[hostile], counts={"T004": 1}))
    assert page.root.find_all("script") == []
    (article,) = page.root.find_all("article", "tv-example")
    assert tokens_of(article)[0].all_text() == PAYLOAD  # shown as text, not markup
    assert "(40 chars)" in tokens_of(article)[1].all_text()


def test_one_block_per_code_and_at_most_a_few_examples_each() -> None:
    examples = ([example("T004", line=i) for i in range(1, 12)]
                + [example("T003", line=40)] + [example("T005", line=50)])
    page = section(view(examples=examples, counts={"T004": 30, "T003": 1, "T005": 1}))
    blocks = {node.attrs["id"]: node for node in page.root.find_all("section", "tv-code")}
    assert list(blocks) == ["tv-T003", "tv-T004", "tv-T005"]
    assert len(blocks["tv-T004"].find_all("article")) == EXAMPLES_PER_CODE
    assert f"first {EXAMPLES_PER_CODE} of 30 shown" in blocks["tv-T004"].all_text()
    assert "1 finding" in blocks["tv-T003"].all_text()


def test_the_content_the_template_dropped_is_named() -> None:
    dropped = ShownExample("T005", 4, "the qwen3 template drops the example's reasoning",
                           [TokenPiece("x", True)], trained=1, kept=1,
                           dropped_content=("reasoning", "tools"))
    page = section(view(examples=[dropped], counts={"T005": 1}))
    (note,) = page.root.find_all("p", "tv-dropped")
    assert " ".join(note.all_text().split()) == "The template dropped: reasoning, tools"


def test_without_findings_the_section_says_so() -> None:
    page = section(view(examples=[], counts={}))
    assert page.root.find_all("article") == []
    assert page.root.find_all("p", "tv-none")


def test_the_length_chart_counts_every_example_against_the_maximum() -> None:
    lengths = [10, 20, 55, 61, 90, 90, 300]
    page = section(view(lengths=lengths, max_length=60))
    svg = chart(page, "chart-trainer-lengths")
    bins = bins_of(svg)
    assert sum(b["count"] for b in bins) == len(lengths)
    assert sum(b["over"] for b in bins) == sum(1 for n in lengths if n > 60)
    (limit,) = svg.find_all("g", "limit")
    assert limit.attrs["data-limit"] == "60"
    assert "max length 60" in limit.all_text()
    caption = page.root.find_all("figcaption")[0].all_text()
    assert "2 examples truncated" in caption and "0 examples dropped" in caption


def test_no_maximum_no_limit_line_and_no_examples_an_empty_chart() -> None:
    svg = chart(section(view(max_length=None)), "chart-trainer-lengths")
    assert svg.find_all("g", "limit") == []
    empty = chart(section(view(lengths=[])), "chart-trainer-lengths")
    assert bins_of(empty) == [] and "No example rendered" in empty.all_text()


def test_the_page_has_the_section_only_when_a_trainer_view_is_given() -> None:
    report, stats = validated(Path(__file__).parents[2] / "samples" / "openai-chat"
                              / "clean.jsonl")
    plain = render_html(report, stats)
    assert 'id="trainer-view"' not in plain and ".tv-tokens" not in plain
    page = Page(render_html(report, stats, view()))
    assert page.errors == []
    assert page.by_id("trainer-view").tag == "section"
    assert "Record content appears only in the trainer's view" in (
        page.root.find_all("footer")[0].all_text())


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trainer_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    from tests.render.test_html import _browser

    _browser()
    folder = tmp_path_factory.mktemp("trainer-browser")
    records = [{"messages": [{"role": "user", "content": f"question {i} " + "word " * (i * 9)},
                             {"role": "assistant", "content": f"answer {PAYLOAD} " * 2}]}
               for i in range(1, 9)]
    records.append({"messages": [{"role": "user", "content": f"only {PAYLOAD}"}]})
    data = folder / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    from ftdata.cli.report import trainer_section_data
    from ftdata.engine import ValidateOptions, checked_view, token_setup, validate_path
    from ftdata.filestats import report_stats

    options = ValidateOptions(model="gpt-4.1-mini", template="chatml", max_length=60)
    view = checked_view(options)
    assert view is not None
    report = validate_path(data, options)
    setup = token_setup(options)
    assert setup is not None
    stats = report_stats(report, setup)
    section_data = trainer_section_data(data, report, view)
    page = folder / "report.html"
    page.write_text(render_html(report, stats, section_data), encoding="utf-8")
    return page, report


@pytest.mark.parametrize("width", [1280, 480])
def test_browser_shows_the_trainer_view_with_coloured_tokens(
        trainer_page: tuple[Path, Report], tmp_path: Path, width: int) -> None:
    page, _ = trainer_page
    screenshot = tmp_path / "page.png"
    shown = _run_browser(["--enable-logging=stderr", "--v=0", f"--screenshot={screenshot}",
                          f"--window-size={width},6000", page.as_uri()], tmp_path / "profile")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert console_lines(shown.stderr) == []
    found_width, height, pixel = decode_png(screenshot.read_bytes())
    assert found_width == width
    wanted = {"trained": rgb(TRAINED_BG), "over": rgb("#dc2626"), "tokens": rgb("#2563eb")}
    found, _ = colour_counts(pixel, width, height, wanted)
    assert all(found[name] >= 20 for name in wanted), found


def test_browser_dom_holds_the_section_and_no_script(
        trainer_page: tuple[Path, Report], tmp_path: Path) -> None:
    page, _ = trainer_page
    dumped = _run_browser(["--dump-dom", page.as_uri()], tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = Page(dumped.stdout)
    assert dom.root.find_all("script") == []
    section_node = dom.by_id("trainer-view")
    codes = [node.attrs["id"] for node in section_node.find_all("section", "tv-code")]
    assert codes == ["tv-T003", "tv-T004"]
    # The payload in the answers is text the trainer trains on, shown as text, never run.
    for article in section_node.find_all("article", "tv-example"):
        tokens = tokens_of(article)
        trained = "".join(t.all_text() for t in tokens if "t" in t.attrs["class"].split())
        whole = "".join(t.all_text() for t in tokens)
        assert PAYLOAD in whole
        assert (PAYLOAD in trained) == (article.parent is not None
                                        and article.parent.attrs["id"] == "tv-T004")
    assert sum(b["count"] for b in bins_of(chart(dom, "chart-trainer-lengths"))) == 9


def test_an_example_the_template_refused_shows_no_tokens() -> None:
    refused = ShownExample("T005", 7, "the chatml template refuses this example", [],
                           trained=0, kept=0, dropped_example=True)
    page = section(view(examples=[refused], counts={"T005": 1}))
    (article,) = page.root.find_all("article", "tv-example")
    assert article.find_all("pre") == [] and "not rendered" in article.all_text()


def test_the_section_stays_small_whatever_the_findings() -> None:
    huge = [TokenPiece("x" * 5000, True)] * 20_000
    examples = [example(code, pieces=huge, line=i) for code in ("T003", "T004", "T005")
                for i in range(50)]
    source = trainer_section(view(examples=examples, lengths=list(range(100_000)),
                                  counts={"T003": 50, "T004": 50, "T005": 50}))
    assert len(source) < 3 * EXAMPLES_PER_CODE * TOKENS_SHOWN * 200
    assert len(Page(source).root.find_all("article")) == 3 * EXAMPLES_PER_CODE
