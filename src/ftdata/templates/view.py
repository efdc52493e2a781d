"""The trainer's view of a run: which template, mask and length policy apply, and what they do
to one example (rules T003-T005, the ``trainer`` statistics and ``ftdata render``).

A :class:`TrainerView` holds only names and numbers, so it pickles to worker processes; the
chat template and the trainer profile are loaded once per process (:func:`cached_template`,
:func:`_profile`).

Which template renders: ``--template FAMILY`` (over ``--tokenizer PATH``'s tokenizer when both
are given), else the tokenizer folder's own chat template, else the trainer's template family
when its profile names a built-in one. Without a trainer the view trains assistant turns
(message weights honoured) and keeps the start of a long example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ftdata.diagnostics import Finding, Severity
from ftdata.templates.length import LengthOutcome, LengthPolicy, Strategy, apply_length
from ftdata.templates.mask import MaskPolicy

if TYPE_CHECKING:
    from ftdata.model import Example
    from ftdata.templates.render import ChatTemplate, Rendered
    from ftdata.templates.trainers import TrainerProfile

#: Without a trainer: assistant turns train, weights honoured, a long example keeps its start.
_DEFAULT_MASK = MaskPolicy()
_DEFAULT_STRATEGY: Strategy = "truncate_right"


class ViewError(ValueError):
    """The trainer view cannot be set up; the message is one line."""


@dataclass(frozen=True)
class TrainerView:
    """``--trainer``, ``--template``, ``--tokenizer`` and ``--max-length`` for one run."""

    trainer: str | None = None
    template: str | None = None
    tokenizer: str | None = None
    max_length: int | None = None
    #: Trainer option overrides (a trainer config file's values), as (name, value) pairs.
    options: tuple[tuple[str, object], ...] = ()

    @property
    def profile(self) -> TrainerProfile | None:
        if self.trainer is None:
            return None
        return _profile(self.trainer, self.options, self.max_length)

    @property
    def family(self) -> str | None:
        """The built-in family that renders, if any (``None``: the tokenizer's own template)."""
        if self.template is not None or self.tokenizer is not None:
            return self.template
        profile = self.profile
        return profile.template if profile is not None else None

    def chat_template(self) -> ChatTemplate:
        from ftdata.templates.loading import cached_template

        return cached_template(self.tokenizer, self.family)

    def length(self) -> LengthPolicy:
        profile = self.profile
        if profile is not None:
            return profile.length
        return LengthPolicy(self.max_length, _DEFAULT_STRATEGY)

    def mask(self, format_id: str | None) -> MaskPolicy:
        profile = self.profile
        return profile.mask_for(format_id) if profile is not None else _DEFAULT_MASK

    def check(self) -> None:
        """Load everything once, so a bad value is a one-line :class:`ViewError` before work."""
        from ftdata.encodings import TokenizerUnavailable

        try:
            self.profile  # noqa: B018  (builds and caches it; raises on a bad option)
        except ValueError as error:
            raise ViewError(str(error)) from None
        if self.family is None and self.tokenizer is None:
            profile = self.profile
            named = (f"; {profile.id}'s template {profile.trainer_template!r} is not a built-in "
                     f"family" if profile is not None and profile.trainer_template else "")
            raise ViewError(f"no chat template to render with{named}: pass --template FAMILY "
                            f"(chatml, qwen3, llama3, mistral, gemma, deepseek, gpt-oss) or "
                            f"--tokenizer PATH")
        try:
            template = self.chat_template()
        except (TokenizerUnavailable, OSError, ValueError) as error:
            raise ViewError(str(error)) from None
        except ImportError as error:
            raise ViewError(f"the trainer's view needs jinja2 ({error.name}): "
                            f"pip install 'ftdata[templates]'") from None
        if template.tokenizer is None:
            raise ViewError(f"template family {template.name!r} has no packaged tokenizer: "
                            f"pass --tokenizer PATH for its token ids")

    def describe(self) -> dict[str, object]:
        """The view's settings, as the statistics and ``render`` print them."""
        length = self.length()
        return {"trainer": self.trainer, "template": self.chat_template().name,
                "max_length": length.max_length, "strategy": length.strategy,
                "packing": length.packing}


@lru_cache(maxsize=16)
def _profile(trainer: str, options: tuple[tuple[str, object], ...],
             max_length: int | None) -> TrainerProfile:
    from ftdata.templates.trainers import build_profile

    overrides: dict[str, object] = dict(options)
    if max_length is not None:
        overrides["max_length"] = max_length
    return build_profile(trainer, overrides)


@dataclass(frozen=True)
class ViewOutcome:
    """What the trainer does with one example."""

    rendered: Rendered | None
    #: Why the template refused the example (then ``rendered`` is None).
    refused: str | None = None
    length: LengthOutcome | None = None

    @property
    def summary(self) -> tuple[int, int, int, bool, bool] | None:
        """(rendered tokens, trained tokens kept, trained tokens lost, truncated, dropped)."""
        if self.length is None:
            return None
        kept = self.length.trained_after
        lost = self.length.trained_before - kept
        dropped = self.length.dropped or self.length.raises
        return (self.length.total, kept, lost, self.length.truncated, dropped)


def see(view: TrainerView, example: Example, format_id: str | None) -> ViewOutcome:
    """Render ``example`` as the trainer does and apply its length policy."""
    from ftdata.templates.render import TemplateRefused, render_example

    try:
        rendered = render_example(example, view.chat_template(), view.mask(format_id))
    except TemplateRefused as error:
        return ViewOutcome(None, refused=str(error) or "the template raised")
    except UnicodeError:
        # A lone surrogate (a \u escape of half a pair): no tokenizer encodes it.
        return ViewOutcome(None, refused="its text holds a lone surrogate, which the "
                                         "tokenizer cannot encode")
    except (TypeError, ValueError) as error:
        # A value of the wrong type reached the tokenizer (the shape reports it too).
        return ViewOutcome(None, refused=f"it cannot be tokenized: {type(error).__name__}")
    return ViewOutcome(rendered, length=apply_length(rendered.mask, view.length()))


def view_findings(view: TrainerView, outcome: ViewOutcome) -> list[Finding]:
    """T003, T004 and T005 for one example's outcome."""
    template = view.chat_template().name
    whose = f"{view.trainer}'s" if view.trainer else "the default"
    if outcome.refused is not None or outcome.rendered is None:
        # The trainer stops on this example: everything is lost, so it is an error.
        return [Finding("T005", f"the {template} template refuses this example "
                                f"({outcome.refused}); the trainer fails on it",
                        severity=Severity.ERROR)]
    findings: list[Finding] = []
    rendered, length = outcome.rendered, outcome.length
    if rendered.dropped:
        findings.append(Finding("T005", f"the {template} template drops the example's "
                                        f"{_listed(rendered.dropped)}"))
    if length is None:
        return findings
    if not length.trained_before:
        findings.append(Finding("T003", f"after the {template} template and {whose} mask, no "
                                        f"token of the example trains"))
        return findings
    if length.truncated or length.dropped or length.raises:
        findings.append(_truncation(view, length))
    return findings


def _truncation(view: TrainerView, length: LengthOutcome) -> Finding:
    policy = view.length()
    lost = length.trained_before - length.trained_after
    over = (f"{length.total:,} tokens, over max_length {policy.max_length:,}"
            if policy.max_length is not None and length.total > policy.max_length
            else f"{length.total:,} tokens")
    trained = f"{length.trained_before:,} trained token" + (
        "s" if length.trained_before != 1 else "")
    if length.raises:
        return Finding("T004", f"{over}: the trainer stops with an error on it ({trained} "
                               f"lost)", severity=Severity.ERROR)
    if length.dropped:
        return Finding("T004", f"{over}: the trainer drops the example ({trained} lost)",
                       severity=Severity.ERROR)
    if not length.trained_after:
        return Finding("T004", f"{over}: {policy.strategy} keeps none of its {trained}",
                       severity=Severity.ERROR)
    return Finding("T004", f"{over}: {policy.strategy} loses {lost:,} of its {trained}")


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- statistics ---------------------------------------------------------------------------------


def view_stats(view: TrainerView, rendered: object, trained: object, dropped: int,
               truncated: int, lost: int) -> dict[str, object]:
    """The statistics JSON's ``trainer`` object."""
    return {**view.describe(), "rendered_tokens": rendered, "trained_tokens": trained,
            "dropped": dropped, "truncated": truncated, "trained_tokens_lost": lost}


def overrides_of(values: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    """Option overrides as a hashable, picklable tuple (lists become tuples)."""
    return tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                        for name, value in values.items()))


#: Marks around trained text when there is no colour (documented in the README).
TRAINED_OPEN, TRAINED_CLOSE = "[[", "]]"
#: Between two tokens under ``--show-tokens``.
TOKEN_SEPARATOR = "\u00b7"
#: Trained text on a terminal: black on green; token separators: dim.
_TRAINED_STYLE, _RESET, _DIM = "\x1b[30;42m", "\x1b[0m", "\x1b[2m"


def highlight(result: Mapping[str, Any], view: TrainerView, *, color: bool,
              show_tokens: bool = False) -> str:
    """``render_record``'s text with its trained tokens marked: coloured, or in ``[[...]]``.

    >>> view = TrainerView(template="chatml")  # doctest: +SKIP
    >>> print(highlight(render_record("train.jsonl", 1, view), view, color=False))
    ... # doctest: +SKIP
    <|im_start|>user
    Hi<|im_end|>
    <|im_start|>assistant
    [[Hello<|im_end|>]]
    """
    text = result["text"]
    tokenizer = view.chat_template().tokenizer
    assert tokenizer is not None  # TrainerView.check refuses a template without one
    offsets = tokenizer.encode(text)[1]
    mask = result["mask"]
    out: list[str] = []
    trained = False
    position = 0
    for index, (start, end) in enumerate(offsets):
        start, end = max(start, position), max(end, position)
        if start > position:  # text no token covers (it cannot train)
            out.append(_close(trained, color))
            trained = False
            out.append(text[position:start])
        bit = bool(mask[index]) if index < len(mask) else False
        if bit != trained:
            out.append(_open(color) if bit else _close(True, color))
            trained = bit
        elif show_tokens and index:
            out.append(f"{_DIM}{TOKEN_SEPARATOR}{_RESET}{_TRAINED_STYLE if trained else ''}"
                       if color else TOKEN_SEPARATOR)
        piece = text[start:end]
        if color and trained and "\n" in piece:
            # Each line is styled on its own, so a pager or a terminal resize keeps it.
            piece = piece.replace("\n", f"{_RESET}\n{_TRAINED_STYLE}")
        out.append(piece)
        position = end
    out.append(_close(trained, color))
    out.append(text[position:])
    return "".join(out)


def _open(color: bool) -> str:
    return _TRAINED_STYLE if color else TRAINED_OPEN


def _close(trained: bool, color: bool) -> str:
    if not trained:
        return ""
    return _RESET if color else TRAINED_CLOSE


def summary_line(result: Mapping[str, Any]) -> str:
    """One line under the rendered text: template, trainer, counts and the length policy."""
    who = f" under {result['trainer']}" if result.get("trainer") else ""
    limit = result.get("max_length")
    if result["dropped"]:
        fate = "dropped by the trainer"
    elif result["truncated"]:
        fate = f"truncated to {result['kept']:,} ({result['trained_lost']:,} trained lost)"
    else:
        fate = "kept whole"
    length = f"max_length {limit:,} ({result['strategy']})" if limit else "no max_length"
    dropped = (f"; the template drops the {', '.join(result['template_dropped'])}"
               if result["template_dropped"] else "")
    return (f"{result['path']}:{result['line']}: {result['template']}{who}: "
            f"{result['total']:,} tokens, {result['trained']:,} trained; {length}: "
            f"{fate}{dropped}")
