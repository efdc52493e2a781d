"""Tokenizer resolution (offline, verified) and token counting (SPEC §6)."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ftdata import encodings, tokens
from ftdata.model import Example, Message, Part, ToolCall, text_message
from ftdata.models import resolve_model
from ftdata.tokens import (
    EstimateCounter,
    ExampleTokens,
    HuggingFaceCounter,
    TiktokenCounter,
    TokenizerUnavailable,
    count_example,
    get_counter,
    load_encoding,
)
from tests.test_encodings import ENCODING_NAMES
from tests.test_image_tokens import png_data_url

# -- the cookbook rule -----------------------------------------------------------------------


def num_tokens_from_messages(messages: list[dict[str, str]], encoding: tiktoken.Encoding) -> int:
    """OpenAI cookbook, "How to count tokens with tiktoken", for gpt-4o / gpt-3.5-turbo-0125."""
    tokens_per_message = 3
    tokens_per_name = 1
    num_tokens = 0
    for message in messages:
        num_tokens += tokens_per_message
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += tokens_per_name
    num_tokens += 3  # every reply is primed with <|start|>assistant<|message|>
    return num_tokens


def chat(messages: list[dict[str, str]]) -> Example:
    canonical = []
    for index, raw in enumerate(messages):
        message = text_message(raw["role"], raw["content"], f"/messages/{index}")
        message.name = raw.get("name")
        canonical.append(message)
    return Example(kind="chat", messages=canonical)


COOKBOOK_CHATS = [
    [{"role": "system", "content": "You are a helpful, pattern-following assistant that "
                                   "translates corporate jargon into plain English."},
     {"role": "system", "name": "example_user",
      "content": "New synergies will help drive top-line growth."},
     {"role": "system", "name": "example_assistant",
      "content": "Things working well together will increase revenue."},
     {"role": "user", "content": "This late pivot means we don't have time to boil the "
                                 "ocean for the client deliverable."}],
    [{"role": "user", "content": "Grüße aus Köln! Was heißt 'Straße' auf Japanisch?"},
     {"role": "assistant", "content": "「通り」(とおり) です。🙂"},
     {"role": "user", "name": "Zoë", "content": "Спасибо! ¿Y en español? مرحبا"},
     {"role": "assistant", "content": "calle"}],
    [{"role": "developer", "content": "   leading and trailing whitespace \n\n\t"},
     {"role": "user", "content": ""},
     {"role": "assistant", "content": "x" * 500 + " 1234567890 " + "é" * 50}],
]


@pytest.mark.parametrize("name", ENCODING_NAMES)
@pytest.mark.parametrize("messages", COOKBOOK_CHATS)
def test_chat_counts_equal_the_cookbook(name: str, messages: list[dict[str, str]]) -> None:
    counter = TiktokenCounter(name)
    counted = count_example(chat(messages), counter)
    assert counted.total == num_tokens_from_messages(messages, counter.encoding)
    assert counted.estimated is False


ROLES = st.sampled_from(["system", "user", "assistant", "developer"])
MESSAGE = st.fixed_dictionaries(
    {"role": ROLES, "content": st.text(max_size=60)},
    optional={"name": st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)})


@settings(max_examples=80, deadline=None)
@given(messages=st.lists(MESSAGE, min_size=1, max_size=6),
       name=st.sampled_from(ENCODING_NAMES))
def test_any_chat_counts_equal_the_cookbook(messages: list[dict[str, str]], name: str) -> None:
    assume(all("<|" not in m["content"] for m in messages))
    counter = TiktokenCounter(name)
    assert count_example(chat(messages), counter).total == num_tokens_from_messages(
        messages, counter.encoding)


def test_cookbook_tool_example_matches_the_api_figures() -> None:
    # The cookbook's num_tokens_for_tools example, whose totals it checked against the API.
    tools = [{"type": "function", "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string",
                         "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return",
                     "enum": ["celsius", "fahrenheit"]}},
            "required": ["location"]}}}]
    example = chat([
        {"role": "system", "content": "You are a helpful assistant that can answer to "
                                      "questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"}])
    example.tools = tools
    assert count_example(example, TiktokenCounter("o200k_base")) == ExampleTokens(101, 0, True)
    assert count_example(example, TiktokenCounter("cl100k_base")) == ExampleTokens(105, 0, True)


# -- trainable tokens and the other kinds ----------------------------------------------------


def test_trainable_tokens_honour_weight_zero() -> None:
    counter = TiktokenCounter("o200k_base")
    example = chat([{"role": "system", "content": "Be terse."},
                    {"role": "user", "content": "Capital of France?"},
                    {"role": "assistant", "content": "Lyon, I think."},
                    {"role": "user", "content": "Wrong."},
                    {"role": "assistant", "content": "Paris."}])
    example.messages[2].weight = 0
    example.messages[4].weight = 1
    counted = count_example(example, counter)
    assert counted.trainable == counter.count("Paris.")
    example.messages[2].weight = None  # absent weight: trained
    assert count_example(example, counter).trainable == (
        counter.count("Paris.") + counter.count("Lyon, I think."))
    assert count_example(example, counter).total == counted.total


def test_preference_counts_prompt_once_and_trains_the_chosen_side() -> None:
    counter = TiktokenCounter("o200k_base")
    prompt = [text_message("user", "Say hi", "/input/messages/0")]
    chosen = [text_message("assistant", "Hello there!", "/preferred_output/0")]
    rejected = [text_message("assistant", "Go away.", "/non_preferred_output/0")]
    counted = count_example(Example(kind="preference", messages=prompt, chosen=chosen,
                                    rejected=rejected), counter)
    as_chat = num_tokens_from_messages([{"role": "user", "content": "Say hi"},
                                        {"role": "assistant", "content": "Hello there!"}],
                                       counter.encoding)
    assert counted.total == as_chat + 3 + counter.count("assistant") + counter.count(
        "Go away.") + 3
    assert counted.trainable == counter.count("Hello there!")


def test_completion_and_text_kinds() -> None:
    counter = TiktokenCounter("cl100k_base")
    completion = Example(kind="completion", messages=[
        text_message("user", "The capital of France is", "/prompt"),
        text_message("assistant", " Paris.", "/completion")])
    assert count_example(completion, counter) == ExampleTokens(
        counter.count("The capital of France is") + counter.count(" Paris."),
        counter.count(" Paris."))
    text = Example(kind="text", text="Once upon a time")
    assert count_example(text, counter) == ExampleTokens(4, 4)
    assert count_example(Example(kind="text"), counter) == ExampleTokens(0, 0)


def test_tool_calls_are_counted_as_trainable_and_estimated() -> None:
    counter = TiktokenCounter("o200k_base")
    call = Message(role="assistant", content=None, tool_calls=[
        ToolCall(name="get_weather", arguments='{"city": "Paris"}', id="call_1")])
    answer = Message(role="tool", content=[Part("text", text="18C")], tool_call_id="call_1")
    plain = count_example(chat([]), counter).total
    counted = count_example(Example(kind="chat", messages=[call, answer]), counter)
    call_tokens = counter.count("get_weather") + counter.count('{"city": "Paris"}')
    assert counted.trainable == call_tokens
    assert counted.total == (plain + 2 * 3 + counter.count("assistant") + counter.count("tool")
                             + call_tokens + tokens.TOOL_CALL_OVERHEAD
                             + counter.count("18C") + counter.count("call_1"))
    assert counted.estimated is True
    dict_arguments = ToolCall(name="f", arguments={"a": 1})
    assert tokens.tool_arguments_text(dict_arguments) == '{"a": 1}'

# -- counters ----------------------------------------------------------------------------------


def test_estimate_counter_is_labelled() -> None:
    counter = EstimateCounter()
    assert (counter.name, counter.estimated) == ("estimate", True)
    assert counter.count("abcd" * 3) == 3 and counter.count("abcde") == 2
    assert count_example(chat([{"role": "user", "content": "abcd"}]), counter).estimated
    assert EstimateCounter(2.0).count("abcd") == 2
    with pytest.raises(ValueError):
        EstimateCounter(0)


def test_counters_pickle_by_name() -> None:
    counter = TiktokenCounter("cl100k_base")
    copy = pickle.loads(pickle.dumps(counter))
    assert len(pickle.dumps(counter)) < 200
    assert (copy.name, copy.count("hello world")) == ("cl100k_base", 2)
    assert pickle.loads(pickle.dumps(EstimateCounter(3.0))).chars_per_token == 3.0


def test_get_counter_follows_the_models_table(tmp_path: Path) -> None:
    assert isinstance(get_counter(resolve_model("gpt-4o-mini")), TiktokenCounter)
    assert get_counter(resolve_model("gpt-3.5-turbo")).name == "cl100k_base"
    assert isinstance(get_counter(resolve_model("gemini-2.5-flash")), EstimateCounter)
    assert get_counter(None).name == "o200k_base"
    folder = make_tokenizer_folder(tmp_path)
    assert isinstance(get_counter(resolve_model("gpt-4o"), tokenizer_path=folder),
                      HuggingFaceCounter)


# -- Hugging Face tokenizers -----------------------------------------------------------------

TEMPLATE = ("{{ bos_token }}{% for message in messages %}{{ message['role'] }} "
            "{{ message['content'] }}{{ eos_token }}{% endfor %}")


def make_tokenizer_folder(tmp_path: Path, template: str | None = TEMPLATE) -> Path:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    words = ["[UNK]", "user", "assistant", "system", "hello", "world", "hi", "there", "!"]
    tokenizer = Tokenizer(WordLevel({word: i for i, word in enumerate(words)},
                                    unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.add_special_tokens(["<s>", "</s>"])
    folder = tmp_path / "tiny-model"
    folder.mkdir(exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    config: dict[str, Any] = {"bos_token": "<s>",
                              "eos_token": {"content": "</s>", "special": True}}
    if template is not None:
        config["chat_template"] = template
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def test_hugging_face_counter_renders_the_chat_template(tmp_path: Path) -> None:
    counter = HuggingFaceCounter(make_tokenizer_folder(tmp_path))
    assert counter.estimated is False
    assert counter.count("hello world") == 2
    example = chat([{"role": "user", "content": "hello world"},
                    {"role": "assistant", "content": "hi there !"}])
    # <s> user hello world </s> assistant hi there ! </s>
    assert count_example(example, counter) == ExampleTokens(10, 3, False)
    preference = Example(kind="preference",
                         messages=[text_message("user", "hello", "")],
                         chosen=[text_message("assistant", "hi there", "")],
                         rejected=[text_message("assistant", "world", "")])
    # prompt+chosen 8, prompt+rejected 7, prompt alone 4
    assert count_example(preference, counter) == ExampleTokens(11, 2, False)


def test_hugging_face_counter_accepts_the_tokenizer_json_path(tmp_path: Path) -> None:
    folder = make_tokenizer_folder(tmp_path)
    counter = HuggingFaceCounter(folder / "tokenizer.json")
    assert counter.count("hello there") == 2
    assert pickle.loads(pickle.dumps(counter)).count("hello there") == 2


def test_hugging_face_counter_without_template_is_an_estimate(tmp_path: Path) -> None:
    counter = HuggingFaceCounter(make_tokenizer_folder(tmp_path, template=None))
    assert counter.estimated is True
    counted = count_example(chat([{"role": "user", "content": "hello"}]), counter)
    assert counted == ExampleTokens(3 + 1 + 1 + 3, 0, True)


def test_hugging_face_counter_without_jinja2_is_an_estimate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("jinja2", "jinja2.sandbox", "jinja2.ext", "jinja2.exceptions"):
        monkeypatch.setitem(sys.modules, module, None)
    counter = HuggingFaceCounter(make_tokenizer_folder(tmp_path))
    assert counter.estimated is True
    assert count_example(chat([{"role": "user", "content": "hello"}]), counter).estimated


def test_template_that_refuses_a_chat_falls_back_to_a_labelled_estimate(tmp_path: Path) -> None:
    template = ("{% for m in messages %}{% if m['role'] == 'system' %}"
                "{{ raise_exception('no system role') }}{% endif %}{{ m['content'] }}"
                "{% endfor %}")
    counter = HuggingFaceCounter(make_tokenizer_folder(tmp_path, template=template))
    assert count_example(chat([{"role": "user", "content": "hello"}]), counter) == (
        ExampleTokens(1, 0, False))
    refused = count_example(chat([{"role": "system", "content": "hello"}]), counter)
    assert refused.estimated is True and refused.total == 3 + 1 + 1 + 3


def test_hub_id_fails_clearly_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(TokenizerUnavailable, match="HF_HUB_OFFLINE") as error:
        HuggingFaceCounter("meta-llama/Llama-3.1-8B-Instruct")
    assert "tokenizer.json" in str(error.value)
    with pytest.raises(TokenizerUnavailable, match="HF_HUB_OFFLINE"):
        get_counter(resolve_model("openai/gpt-oss-20b"))


def test_missing_tokenizer_path_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(TokenizerUnavailable, match="no tokenizer at"):
        HuggingFaceCounter(str(tmp_path / "missing" / "tokenizer.json"))
    with pytest.raises(TokenizerUnavailable, match=r"has no tokenizer\.json"):
        HuggingFaceCounter(tmp_path)


# -- reasoning traces ------------------------------------------------------------------------


def _reasoned(reasoning: str, weight: float | None = None) -> Example:
    example = chat([{"role": "user", "content": "What is 2+2?"},
                    {"role": "assistant", "content": "4"}])
    example.messages[1].reasoning = reasoning
    example.messages[1].weight = weight
    return example


def test_reasoning_counts_like_content_and_is_reported_apart() -> None:
    counter = TiktokenCounter("o200k_base")
    thought = "Two and two make four, as counting on fingers shows."
    plain = count_example(_reasoned(""), counter)
    assert plain == ExampleTokens(plain.total, counter.count("4"), False, 0)
    counted = count_example(_reasoned(thought), counter)
    assert counted.reasoning == counter.count(thought) > 0
    assert counted.total == plain.total + counted.reasoning
    assert counted.trainable == counter.count("4") + counted.reasoning
    assert counted.estimated  # the cookbook's rule does not cover a reasoning field
    untrained = count_example(_reasoned(thought, weight=0), counter)
    assert (untrained.trainable, untrained.reasoning) == (0, counted.reasoning)


def test_reasoning_of_a_completion_and_a_preference_side() -> None:
    counter = TiktokenCounter("cl100k_base")
    answer = text_message("assistant", "4", "/completion")
    answer.reasoning = "Two and two."
    completion = Example(kind="completion",
                         messages=[text_message("user", "2+2?", "/prompt"), answer])
    assert count_example(completion, counter) == ExampleTokens(
        counter.count("2+2?") + counter.count("4") + counter.count("Two and two."),
        counter.count("4") + counter.count("Two and two."), True, counter.count("Two and two."))
    rejected = text_message("assistant", "5", "")
    rejected.reasoning = "Two and three."
    pair = Example(kind="preference", messages=[text_message("user", "2+2?", "")],
                   chosen=[answer], rejected=[rejected])
    counted = count_example(pair, counter)
    assert counted.reasoning == counter.count("Two and two.") + counter.count("Two and three.")
    assert counted.trainable == counter.count("4") + counter.count("Two and two.")


def test_hugging_face_counter_gives_the_template_the_reasoning(tmp_path: Path) -> None:
    template = ("{% for message in messages %}{{ message['role'] }} "
                "{% if message.reasoning_content %}{{ message.reasoning_content }} "
                "{% endif %}{{ message['content'] }}{{ eos_token }}{% endfor %}")
    counter = HuggingFaceCounter(make_tokenizer_folder(tmp_path, template=template))
    example = chat([{"role": "user", "content": "hello"},
                    {"role": "assistant", "content": "hi"}])
    example.messages[1].reasoning = "there world"
    # user hello </s> assistant there world hi </s>
    assert count_example(example, counter) == ExampleTokens(8, 3, False, 2)


# -- memo and bound -----------------------------------------------------------------------------


def test_a_repeated_text_is_encoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = TiktokenCounter("o200k_base")
    counter.load()
    calls: list[str] = []
    encode = counter._encode
    def spy(text: str) -> list[int]:
        calls.append(text)
        return encode(text)

    monkeypatch.setattr(counter, "_encode", spy)
    system = "You are a careful assistant for a bank. " * 20
    exact = len(load_encoding("o200k_base").encode_ordinary(system))
    # Equal texts from different records are different objects: the memo is keyed by text.
    assert [counter.count("".join([system])) for _ in range(50)] == [exact] * 50
    assert calls == [system]
    assert counter.count("short") == 1 and counter.count("short") == 1
    assert calls.count("short") == 2  # short texts cost less to encode than to remember


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "MEMO_CHARS", 16 * 100)
    counter = TiktokenCounter("o200k_base")
    texts = [f"{index:04d} " + "word " * 19 for index in range(200)]
    assert [counter.count(text) for text in texts] == [
        len(counter.encoding.encode_ordinary(text)) for text in texts]
    assert counter._memo_chars == sum(len(text) for text in counter._memo) <= 16 * 100
    assert texts[-1] in counter._memo and texts[0] not in counter._memo


def test_the_tokenizer_loads_on_the_first_count() -> None:
    tokens.clear_encoding_cache()
    counter = TiktokenCounter("cl100k_base")
    assert "cl100k_base" not in encodings._ENCODING_CACHE
    assert counter.count("hello world") == 2
    assert "cl100k_base" in encodings._ENCODING_CACHE


def test_a_missing_tokenizer_is_still_reported_when_the_counter_is_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encodings, "_packaged_data_dir", lambda: tmp_path)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    with pytest.raises(TokenizerUnavailable, match="not present"):
        TiktokenCounter("o200k_base")


TEXTS = st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"]), max_size=60)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), name=st.sampled_from(ENCODING_NAMES),
       tools=st.booleans(), image=st.booleans())
def test_the_utf8_bound_is_never_below_the_exact_count(texts: list[str], name: str,
                                                       tools: bool, image: bool) -> None:
    messages = [text_message("user" if index % 2 == 0 else "assistant", text,
                             f"/messages/{index}") for index, text in enumerate(texts)]
    if image:
        messages[0].content = [*(messages[0].content or ()),
                               Part(type="image", url="https://example.com/a.png")]
    messages[-1].tool_calls.append(ToolCall(name=texts[0], arguments={"q": texts[-1]}))
    declared = [{"type": "function", "function": {
        "name": texts[0], "description": texts[-1],
        "parameters": {"properties": {texts[0]: {"type": "string", "enum": texts}}}}}]
    counter = TiktokenCounter(name)
    for example in (Example(kind="chat", messages=messages, tools=declared if tools else None),
                    Example(kind="text", text=texts[0]),
                    Example(kind="preference", messages=messages[:1], chosen=messages[1:],
                            rejected=messages[:1])):
        assert tokens.token_bound(example) >= count_example(example, counter).total


def test_the_utf8_bound_holds_on_the_corpus(corpus: Path) -> None:
    from ftdata.conversion import read

    counter = TiktokenCounter("o200k_base")
    checked = 0
    for path in sorted(corpus.glob("*.jsonl")):
        try:
            examples = list(read(path, on_skip=lambda *_: None))
        except ValueError:
            continue  # not a training format (converter inputs)
        for example in examples:
            exact = count_example(example, counter).total
            assert tokens.token_bound(example) >= exact, path.name
            checked += 1
    assert checked > 1000


def test_images_mark_the_count_estimated() -> None:
    counter = TiktokenCounter("o200k_base")

    def with_image(url: str, detail: str | None) -> ExampleTokens:
        user = Message(role="user", content=[Part("text", text="What is this?"),
                                              Part("image", url=url, detail=detail)])
        return count_example(Example(kind="chat", messages=[user]), counter)

    base = count_example(chat([{"role": "user", "content": "What is this?"}]), counter)
    assert with_image("https://example.com/a.png", "low") == ExampleTokens(
        base.total + 85, 0, True)
    assert with_image("https://example.com/a.png", None).total == base.total + 765
    assert with_image(png_data_url(512, 512), "high").total == base.total + 255
