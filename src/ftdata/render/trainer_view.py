"""The HTML report's "Trainer's view" section: rendered lengths against the trainer's maximum,
and the rendered examples behind T003, T004 and T005 with the trained tokens coloured.

Everything here takes plain data (:class:`TrainerSection`, built by the caller from the chat
template and the trainer's profile), so the section does not depend on how it was computed.
Record text does appear here, unlike in the rest of the report: it is what the trainer sees.
It is escaped, lone surrogates are written as escapes, and every secret
:func:`ftdata.scan.secrets.redact` would mask is masked the same way, even when it runs across
tokens. The page stays bounded: at most :data:`EXAMPLES_PER_CODE` examples a code and
:data:`TOKENS_SHOWN` tokens an example (its start and its end, the middle elided).

>>> pieces = token_pieces("<s>Hi", [(0, 3), (3, 5)], [0, 1])
>>> [(p.text, p.trained) for p in pieces]
[('<s>', False), ('Hi', True)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from ftdata.diagnostics import printable
from ftdata.render.charts import (
    PALETTE,
    Histogram,
    attribute,
    chart_figure,
    distribution_bins,
    empty_svg,
    histogram_svg,
    number,
    plural,
    shorten,
)
from ftdata.statistics import Distribution

__all__ = ["EXAMPLES_PER_CODE", "TOKENS_SHOWN", "TRAINER_CODES", "ShownExample", "TokenPiece",
           "TrainerSection", "shown_pieces", "token_pieces", "trainer_section"]

#: The rules whose findings the section illustrates, with what each means.
TRAINER_CODES: dict[str, str] = {
    "T003": "no-trainable-tokens",
    "T004": "truncated-by-trainer",
    "T005": "template-drops-content",
}
#: Rendered examples shown for each code (the first ones in the file).
EXAMPLES_PER_CODE = 5
#: Tokens shown of one example: its first HEAD_TOKENS and its last TOKENS_SHOWN - HEAD_TOKENS.
TOKENS_SHOWN = 320
HEAD_TOKENS = 240
#: Longest text one token shows (a token is short; text between offsets may not be).
PIECE_CHARS = 120


@dataclass(frozen=True, slots=True)
class TokenPiece:
    """One token as the page shows it: its text (secrets already masked) and whether it trains.

    ``kept`` is False for a token the trainer cuts off (beyond its maximum length).
    """

    text: str
    trained: bool
    kept: bool = True


@dataclass(frozen=True)
class ShownExample:
    """One finding of T003/T004/T005 and the example it is about, as the trainer renders it.

    ``pieces`` are every token (the section shows at most :data:`TOKENS_SHOWN` of them);
    ``dropped_content`` is what the template left out (``reasoning``, ``tools``, ``system``).
    """

    code: str
    line: int | None
    message: str
    pieces: Sequence[TokenPiece]
    trained: int
    kept: int
    truncated: bool = False
    dropped_example: bool = False
    dropped_content: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainerSection:
    """What the section shows: the trainer, the rendered lengths and the examples of findings.

    ``lengths`` are the rendered token counts (a list, or the run's exact distribution);
    ``counts`` is how many findings each code has in the whole file (``examples`` holds the
    first few of each); ``refused`` counts examples the template refused to render.
    """

    trainer: str
    template: str
    max_length: int | None
    strategy: str
    lengths: Sequence[int] | Distribution
    truncated: int = 0
    dropped: int = 0
    untrained: int = 0
    refused: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    examples: Sequence[ShownExample] = ()


# -- data ------------------------------------------------------------------------------------


def _masked(text: str, start: int, end: int, secrets: Sequence[tuple[int, int]]) -> str:
    """``text[start:end]``, with each secret masked where it starts and elided elsewhere."""
    from ftdata.scan.secrets import mask

    out: list[str] = []
    cursor = start
    for low, high in secrets:
        if high <= cursor or low >= end:
            continue
        if low > cursor:
            out.append(text[cursor:low])
        if low >= start:
            out.append(mask(text[low:high]))
        cursor = min(max(cursor, high), end)
    if cursor < end:
        out.append(text[cursor:end])
    return printable("".join(out))


def token_pieces(text: str, offsets: Sequence[tuple[int, int]], mask: Sequence[int],
                 kept: Sequence[bool] | None = None) -> list[TokenPiece]:
    """The rendered ``text`` cut at its tokens' character ``offsets``, with each token's flag.

    Text between two tokens goes with the later one, text after the last with the last; a
    token whose characters an earlier token already showed (a byte-level token inside one
    character) shows nothing. Secrets are masked as :func:`~ftdata.scan.secrets.redact` masks
    them, on the whole text, so one split across tokens is masked all the same.

    >>> [p.text for p in token_pieces("a bc", [(0, 1), (1, 3), (3, 4)], [0, 0, 1])]
    ['a', ' b', 'c']
    """
    from ftdata.scan.secrets import secret_spans

    secrets = secret_spans(text)
    pieces: list[TokenPiece] = []
    cursor = 0
    for index, (_, end) in enumerate(offsets):
        stop = len(text) if index == len(offsets) - 1 else max(end, cursor)
        piece = _masked(text, cursor, stop, secrets)
        cursor = stop
        pieces.append(TokenPiece(piece, bool(mask[index]),
                                 True if kept is None else kept[index]))
    return pieces


def shown_pieces(pieces: Sequence[TokenPiece]) -> tuple[list[TokenPiece], int, list[TokenPiece]]:
    """The tokens shown of an example: its head, how many are elided, its tail.

    >>> head, hidden, tail = shown_pieces([TokenPiece("x", False)] * 1000)
    >>> len(head), hidden, len(tail)
    (240, 680, 80)
    """
    if len(pieces) <= TOKENS_SHOWN:
        return list(pieces), 0, []
    tail = TOKENS_SHOWN - HEAD_TOKENS
    return (list(pieces[:HEAD_TOKENS]), len(pieces) - TOKENS_SHOWN,
            list(pieces[len(pieces) - tail:]))


# -- HTML ------------------------------------------------------------------------------------


def _lengths_chart(view: TrainerSection) -> str:
    title = "Rendered tokens per example"
    distribution = _distribution(view.lengths)
    if not distribution.n:
        return empty_svg("chart-trainer-lengths", title, "No example rendered")
    bins, axis = distribution_bins(distribution, limit=view.max_length)
    return histogram_svg(Histogram("chart-trainer-lengths", title, "tokens", bins, axis,
                                     PALETTE["tokens"], view.max_length,
                                     limit_name="max length"))


def _distribution(lengths: Sequence[int] | Distribution) -> Distribution:
    if isinstance(lengths, Distribution):
        return lengths
    distribution = Distribution()
    for length in lengths:
        distribution.add(length)
    return distribution


def _facts(view: TrainerSection) -> str:
    rows = [
        ("Rendered", plural(_distribution(view.lengths).n, "example")),
        ("Maximum length", f"{number(view.max_length)} tokens" if view.max_length is not None
         else "none"),
        ("Beyond it", view.strategy.replace("_", " ")),
        ("Truncated", plural(view.truncated, "example")),
        ("Dropped", plural(view.dropped, "example")),
        ("Nothing trains", plural(view.untrained, "example")),
    ]
    if view.refused:
        rows.append(("Template refused", plural(view.refused, "example")))
    items = "".join(f'<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>'
                    for name, value in rows)
    return f'<dl class="tv-facts">{items}</dl>'


def _token_span(piece: TokenPiece, index: int) -> str:
    state = "trained" if piece.trained else "not trained"
    if not piece.kept:
        state += ", cut off"
    css = "tok" + (" t" if piece.trained else "") + ("" if piece.kept else " cut")
    return (f'<span class="{css}" title="token {index:,}: {state}">'
            f"{escape(shorten(piece.text, PIECE_CHARS))}</span>")


def _tokens_html(pieces: Sequence[TokenPiece]) -> str:
    head, hidden, tail = shown_pieces(pieces)
    out = [_token_span(piece, index) for index, piece in enumerate(head)]
    if hidden:
        out.append(f'<span class="tv-gap">… {escape(plural(hidden, "token"))} not shown …'
                   f"</span>")
        first = len(pieces) - len(tail)
        out += [_token_span(piece, first + index) for index, piece in enumerate(tail)]
    return "".join(out)


def _example_html(example: ShownExample, number: int) -> str:
    where = f"line {example.line:,}" if example.line is not None else "whole file"
    facts = [plural(len(example.pieces), "token"), f"{example.trained:,} trained"]
    if not example.pieces:
        facts = ["not rendered"]
    elif example.dropped_example:
        facts.append("dropped by the trainer")
    elif example.truncated:
        facts.append(f"{example.kept:,} kept")
    dropped = ""
    if example.dropped_content:
        dropped = (f'<p class="tv-dropped">The template dropped: '
                   f'<strong>{escape(", ".join(example.dropped_content))}</strong></p>')
    return (f'<article class="tv-example" id="tv-{attribute(example.code)}-{number}">'
            f'<h4><span>{escape(where)}</span> <span class="muted">'
            f'{escape(" · ".join(facts))}</span></h4>'
            f'<p class="tv-message">{escape(shorten(example.message, 240))}</p>{dropped}'
            + (f'<pre class="tv-tokens">{_tokens_html(example.pieces)}</pre>'
               if example.pieces else "")
            + "</article>")


def _findings_html(view: TrainerSection) -> str:
    parts = []
    for code, name in TRAINER_CODES.items():
        examples = [e for e in view.examples if e.code == code][:EXAMPLES_PER_CODE]
        count = max(view.counts.get(code, 0), len(examples))
        if not count:
            continue
        note = (f"first {len(examples)} of {count:,} shown" if count > len(examples)
                else plural(count, "finding"))
        parts.append(f'<section class="tv-code" id="tv-{attribute(code)}">'
                     f'<h3><code>{escape(code)}</code> {escape(name)} '
                     f'<span class="muted">{escape(note)}</span></h3>'
                     + "".join(_example_html(example, number)
                               for number, example in enumerate(examples, 1))
                     + "</section>")
    if not parts:
        return '<p class="tv-none">No example is truncated, dropped, left untrained or ' \
               'stripped by the template.</p>'
    legend = ('<p class="tv-legend"><span class="tok t">trained</span> '
              '<span class="tok">not trained</span> '
              '<span class="tok cut">cut off</span> · hover a token for its number</p>')
    return legend + "".join(parts)


def trainer_section(view: TrainerSection) -> str:
    """The "Trainer's view" section of the report.

    >>> view = TrainerSection("trl", "chatml", 8, "truncate_right", [3, 12], truncated=1)
    >>> 'id="trainer-view"' in trainer_section(view)
    True
    """
    limit = (f"max length {number(view.max_length)}" if view.max_length is not None
             else "no maximum length")
    caption = escape(f"{limit} · {plural(view.truncated, 'example')} truncated · "
                     f"{plural(view.dropped, 'example')} dropped")
    return ('<section id="trainer-view" class="trainer-view" aria-label="Trainer\'s view">'
            f'<h2>Trainer\'s view <span class="muted">{escape(view.trainer)} · template '
            f'{escape(view.template)}</span></h2>'
            '<div class="tv-top">'
            + chart_figure("Rendered length", caption, _lengths_chart(view))
            + _facts(view) + "</div>"
            + _findings_html(view) + "</section>")


TRAINER_CSS = """
.trainer-view{margin-top:20px;background:var(--panel);border:1px solid var(--line);
border-radius:12px;padding:16px 18px}
.trainer-view h2{font-size:18px;margin-bottom:12px}
.tv-top{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:16px;
align-items:start}
.tv-top .chart{border:0;padding:0}
.tv-facts{margin:0;display:grid;grid-template-columns:auto 1fr;gap:4px 16px;font-size:14px}
.tv-facts div{display:contents}
.tv-facts dt{color:var(--muted)}.tv-facts dd{margin:0;font-weight:600}
.tv-code{margin-top:16px}.tv-code h3{font-size:16px;margin-bottom:6px}
.tv-example{border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:8px 0;
break-inside:avoid}
.tv-example h4{margin:0;font-size:14px}
.tv-message,.tv-dropped,.tv-legend,.tv-none{margin:4px 0;font-size:13px;color:var(--muted);
overflow-wrap:anywhere}
.tv-dropped strong{color:var(--warn)}
.tv-tokens{margin:6px 0 0;padding:8px;background:#f9fafb;border-radius:6px;max-height:22em;
overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font:12.5px/1.6 ui-monospace,
"SFMono-Regular",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
.tok{box-shadow:inset -1px 0 0 #e5e7eb;color:#4b5563}
.tok.t{background:#bfdbfe;color:#111827;box-shadow:inset -1px 0 0 #93c5fd,
inset 0 -2px 0 #2563eb}
.tok.cut{opacity:.45;text-decoration:line-through}
.tok:hover{outline:1px solid #111827}
.tv-legend .tok{padding:0 4px;font-family:ui-monospace,Menlo,Consolas,monospace}
.tv-gap{display:block;margin:4px 0;color:#6b7280;font-style:italic}
@media screen and (max-width:1000px){.tv-top{grid-template-columns:minmax(0,1fr)}}
@media print{.tv-tokens{max-height:none;overflow:visible}}
"""
