"""Tokenizer resolution (offline, verified) and token counting (SPEC §6)."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tiktoken_ext import openai_public  # type: ignore[import-untyped]

from ftdata import tokens
from ftdata.model import Example, Message, Part, ToolCall, text_message
from ftdata.models import resolve_model
from ftdata.tokens import (
    ENCODINGS,
    EstimateCounter,
    ExampleTokens,
    HuggingFaceCounter,
    TiktokenCounter,
    TokenizerUnavailable,
    build_encoding,
    count_example,
    get_counter,
    image_tokens,
    load_encoding,
)

PACKAGED = Path(tokens.__file__).parent / "data"
ENCODING_NAMES = ("o200k_base", "cl100k_base")
HELLO_WORLD = {"o200k_base": [24912, 2375], "cl100k_base": [15339, 1917]}


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    tokens.clear_encoding_cache()
    yield cache
    tokens.clear_encoding_cache()


_OFFICIAL: dict[str, bytes] = {}


def official_bytes(name: str) -> bytes:
    """The official ``.tiktoken`` file, rebuilt from the packaged rank table."""
    if name not in _OFFICIAL:
        table = (PACKAGED / f"{name}.ranks").read_bytes()
        ranks = tokens._read_table(table, ENCODINGS[name])
        _OFFICIAL[name] = b"".join(
            base64.b64encode(token) + b" %d\n" % rank
            for token, rank in sorted(ranks.items(), key=lambda item: item[1]))
    return _OFFICIAL[name]


def cache_file(cache: Path, name: str) -> Path:
    return cache / hashlib.sha1(ENCODINGS[name].url.encode()).hexdigest()


# -- resolution ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_packaged_copy_loads_offline_with_an_empty_cache(empty_cache: Path, name: str) -> None:
    encoding = load_encoding(name)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD[name]
    assert load_encoding(name) is encoding  # cached per process
    assert list(empty_cache.iterdir()) == []  # nothing written, nothing fetched


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_packaged_tables_hold_exactly_the_official_ranks(name: str) -> None:
    # Rebuilt line by line, the table's ranks give back the file whose sha256 tiktoken pins.
    assert hashlib.sha256(official_bytes(name)).hexdigest() == ENCODINGS[name].sha256
    table = (PACKAGED / f"{name}.ranks").read_bytes()
    assert hashlib.sha256(table).hexdigest() == ENCODINGS[name].table_sha256
    # ...and the table is what ranks_table makes of the official file, byte for byte.
    assert tokens.ranks_table(tokens._parse_ranks(official_bytes(name), ENCODINGS[name])) == table


@given(st.dictionaries(st.binary(min_size=1, max_size=300), st.integers(0, 2**32 - 1),
                       max_size=50))
def test_rank_tables_round_trip(ranks: dict[bytes, int]) -> None:
    table = tokens.ranks_table(ranks)
    assert tokens._read_table(table, ENCODINGS["o200k_base"]) == ranks


@pytest.mark.parametrize("damage", [b"", b"FTRANKS1", b"FTRANKS1\x01\x00\x00\x00\x02\x00",
                                    b"NOTATABLE" * 4])
def test_rank_tables_with_a_broken_layout_are_refused(damage: bytes) -> None:
    with pytest.raises(TokenizerUnavailable, match="rank table has an unexpected layout"):
        tokens._read_table(damage, ENCODINGS["o200k_base"])
    whole = tokens.ranks_table({b"ab": 1, b"c": 0})
    with pytest.raises(TokenizerUnavailable, match="unexpected layout"):
        tokens._read_table(whole[:-1], ENCODINGS["o200k_base"])
    with pytest.raises(TokenizerUnavailable, match="unexpected layout"):
        tokens._read_table(whole + b"\0", ENCODINGS["o200k_base"])


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_pattern_and_special_tokens_are_tiktokens_own(name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: {})
    reference = getattr(openai_public, name)()
    assert ENCODINGS[name].pat_str == reference["pat_str"]
    assert dict(ENCODINGS[name].special_tokens) == reference["special_tokens"]


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_cache_naming_matches_tiktoken(empty_cache: Path, name: str) -> None:
    from tiktoken.load import read_file_cached

    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    # tiktoken finds the file we name and, its hash matching, never goes to the network.
    assert read_file_cached(ENCODINGS[name].url, ENCODINGS[name].sha256) == official_bytes(name)


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_tiktoken_cache_serves_when_nothing_is_packaged(empty_cache: Path, tmp_path: Path,
                                                         name: str) -> None:
    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    no_package = tmp_path / "nothing-packaged"
    no_package.mkdir()
    encoding = build_encoding(name, data_dir=no_package)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD[name]


def test_corrupted_cache_file_is_rejected(empty_cache: Path, tmp_path: Path) -> None:
    path = cache_file(empty_cache, "o200k_base")
    path.write_bytes(official_bytes("o200k_base").replace(b" 1\n", b" 2\n", 1))
    # With a good packaged copy the count stays exact...
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    # ...without one, the error names the rejected file and why.
    no_package = tmp_path / "nothing-packaged"
    no_package.mkdir()
    with pytest.raises(TokenizerUnavailable) as error:
        build_encoding("o200k_base", data_dir=no_package)
    message = str(error.value)
    assert str(path) in message and "sha256 mismatch" in message
    assert str(no_package) in message and "not present" in message


def test_corrupted_packaged_table_is_rejected(empty_cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-package"
    bad.mkdir()
    table = bytearray((PACKAGED / "cl100k_base.ranks").read_bytes())
    table[-1] ^= 1  # one rank off by one bit
    (bad / "cl100k_base.ranks").write_bytes(bytes(table))
    with pytest.raises(TokenizerUnavailable, match="sha256 mismatch") as error:
        build_encoding("cl100k_base", data_dir=bad)
    assert "cl100k_base.ranks" in str(error.value)
    assert ENCODINGS["cl100k_base"].table_sha256 in str(error.value)
    # With a verified official file in tiktoken's cache the count stays exact.
    cache_file(empty_cache, "cl100k_base").write_bytes(official_bytes("cl100k_base"))
    encoding = build_encoding("cl100k_base", data_dir=bad)
    assert encoding.encode_ordinary("hello world") == HELLO_WORLD["cl100k_base"]


def test_packaged_table_is_used_before_tiktokens_cache(empty_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cache_file(empty_cache, "o200k_base").write_bytes(b"never read")
    monkeypatch.setattr(tokens, "_parse_ranks", None)  # the official file is not parsed
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]


def test_disabled_tiktoken_cache_falls_through_to_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert tokens.tiktoken_cache_file(ENCODINGS["o200k_base"].url) is None
    assert build_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]


def test_unknown_encoding_is_unavailable() -> None:
    with pytest.raises(TokenizerUnavailable, match="unknown encoding 'p50k_base'"):
        load_encoding("p50k_base")


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_encoding_equals_tiktokens_own(empty_cache: Path, name: str) -> None:
    cache_file(empty_cache, name).write_bytes(official_bytes(name))
    reference = tiktoken.Encoding(**_openai_public(name))
    ours = load_encoding(name)
    assert ours.n_vocab == reference.n_vocab
    check_same_encoding(ours, reference)


def _openai_public(name: str) -> dict[str, Any]:
    constructor: Any = getattr(openai_public, name)
    result: dict[str, Any] = constructor()  # reads the verified file from TIKTOKEN_CACHE_DIR
    return result


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def check_same_encoding(ours: tiktoken.Encoding, reference: tiktoken.Encoding,
                        text: str) -> None:
    assert ours.encode_ordinary(text) == reference.encode_ordinary(text)


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


# -- images ----------------------------------------------------------------------------------


def png_data_url(width: int, height: int) -> str:
    header = (b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR"
              + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00")
    return "data:image/png;base64," + base64.b64encode(header + b"\x00" * 16).decode()


def jpeg_data_url(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00" + b"\x00" * 9
    sof0 = (b"\xff\xc0" + (17).to_bytes(2, "big") + b"\x08" + height.to_bytes(2, "big")
            + width.to_bytes(2, "big") + b"\x03" + b"\x00" * 9)
    return "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8" + app0 + sof0).decode()


def test_image_token_formula() -> None:
    assert image_tokens("low") == 85
    assert image_tokens("low", 4000, 4000) == 85
    assert image_tokens("high") == image_tokens(None) == 765
    assert image_tokens("high", 1024, 1024) == 765
    assert image_tokens("high", 512, 512) == 255
    assert image_tokens("auto", 2048, 4096) == 1105


def test_image_sizes_are_read_from_data_urls() -> None:
    assert tokens.image_size(png_data_url(640, 480)) == (640, 480)
    assert tokens.image_size(jpeg_data_url(300, 200)) == (300, 200)
    gif = b"GIF89a" + (320).to_bytes(2, "little") + (240).to_bytes(2, "little") + b"\x00" * 6
    assert tokens.image_size("data:image/gif;base64," + base64.b64encode(gif).decode()) == (
        320, 240)
    assert tokens.image_size("https://example.com/cat.png") is None
    assert tokens.image_size("data:image/png;base64,!!!!") is None


@given(header=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8", b"RIFF"]),
       data=st.binary(max_size=300))
def test_image_size_never_fails_on_odd_data(header: bytes, data: bytes) -> None:
    size = tokens.image_size("data:image/png;base64," + base64.b64encode(header + data).decode())
    assert size is None or (isinstance(size[0], int) and isinstance(size[1], int))


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
