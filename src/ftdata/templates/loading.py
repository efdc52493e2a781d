"""Loading a chat template: a tokenizer folder's own, a built-in family's, or both combined.

Apart from :mod:`ftdata.templates.render` (rendering) and :mod:`ftdata.templates.families`
(the built-in families, which build on rendering's :class:`ChatTemplate`), since loading
needs both.

>>> template = load_template(family="qwen3")  # doctest: +SKIP
"""

from __future__ import annotations

from functools import lru_cache

from ftdata.encodings import TokenizerUnavailable
from ftdata.model import Example
from ftdata.templates.mask import MaskPolicy
from ftdata.templates.render import ChatTemplate, Rendered, render_example

__all__ = ["cached_template", "load_template", "render_as_trained"]


def load_template(tokenizer: str | None = None, family: str | None = None) -> ChatTemplate:
    """The chat template for ``--tokenizer PATH`` and/or ``--template FAMILY``.

    With a family only, its packaged template and tokenizer; with a tokenizer folder only, the
    folder's own chat template; with both, the family's template over the folder's tokenizer.
    Raises :class:`TokenizerUnavailable` with a one-line reason.

    >>> load_template(family="chatml").name  # doctest: +SKIP
    'chatml'
    >>> load_template(tokenizer="models/Qwen3-0.6B").has_generation  # doctest: +SKIP
    False
    """
    from ftdata.templates import families
    from ftdata.templates.tokenizers import (
        JsonTokenizer,
        chat_template_text,
        locate_tokenizer_files,
        read_json,
        special_token_variables,
    )

    if tokenizer is None:
        if family is None:
            raise TokenizerUnavailable("name a tokenizer folder or a template family")
        return families.load_family(family)
    files = locate_tokenizer_files(tokenizer)
    config = read_json(files.get("tokenizer_config.json"))
    name = files["tokenizer.json"].parent.name
    loaded = JsonTokenizer(files["tokenizer.json"], name=name)
    if family is not None:
        spec = families.get_family(family)
        return ChatTemplate(f"{family}:{name}", spec.template_text(), loaded,
                            {**spec.variables, **special_token_variables(config)})
    source = chat_template_text(files, config)
    if source is None:
        raise TokenizerUnavailable(
            f"{tokenizer} has no chat template (tokenizer_config.json's chat_template or "
            f"chat_template.jinja); name a family with --template")
    return ChatTemplate(name, source, loaded, special_token_variables(config))


@lru_cache(maxsize=8)
def cached_template(tokenizer: str | None = None, family: str | None = None) -> ChatTemplate:
    """:func:`load_template`, loaded once per process for each pair."""
    return load_template(tokenizer, family)


def render_as_trained(example: Example, *, tokenizer: str | None = None,
                      family: str | None = None, policy: MaskPolicy | None = None) -> Rendered:
    """What a trainer sees of ``example``: the call behind ``--tokenizer``/``--template``.

    The template is loaded once per process; ``policy`` defaults to assistant turns only.
    Raises :class:`TokenizerUnavailable` (one line) when the template or tokenizer cannot be
    loaded, :class:`TemplateRefused` when the template rejects this conversation.

    >>> rendered = render_as_trained(example, family="qwen3")  # doctest: +SKIP
    >>> rendered.template, len(rendered.ids) == len(rendered.mask)  # doctest: +SKIP
    ('qwen3', True)
    """
    return render_example(example, cached_template(tokenizer, family), policy or MaskPolicy())
