"""Writers: every format writes canonical examples back as its own records.

Four properties, as the converter relies on them:

1. Round trip: a valid record read and written again is the same record, unless it uses a
   spelling that has a more canonical twin. Those normalisations are listed per format below;
   for such a record the written one must read back to the same example and be a fixpoint.
2. Cross-format: a small set of canonical examples written in every format either gives a
   record of that format that reads back to the same conversation, or is unrepresentable for
   the exact reason listed in ``UNREPRESENTABLE``.
3. Generated records of any format, read and written in every other format, give valid
   records or ``Unrepresentable``, never anything else.
4. Written files validate clean for the provider that reads the format.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftdata
from ftdata.formats import FORMAT_MODULES, Format, Unrepresentable, all_formats, get_format
from ftdata.formats.sharegpt import MEDIA_KEYS
from ftdata.model import Example, Message, Part, ToolCall, text_message
from ftdata.shapes import check_shape
from tests.strategies import valid

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"

Record = dict[str, Any]
Check = Callable[[Record], bool]

# -- records -------------------------------------------------------------------------------

#: The format's corpus files (every record that fits the format's shape is used).
CORPUS_FILES: dict[str, list[str]] = {
    "openai-chat": ["openai_chat__cookbook_toy.jsonl",
                    "openai_chat_tools__cookbook_drone.jsonl",
                    "openai_chat_tools__foundry_stock_toolcall.jsonl",
                    "together_chat__cookbook_small_coqa.jsonl",
                    "mistral_messages__cookbook_dataset_import.jsonl"],
    "openai-rft": ["openai_rft__foundry_medmcq_validation.jsonl"],
    "openai-preference": ["openai_dpo__together_rewardbench2_val.jsonl"],
    "prompt-completion": ["prompt_completion__mlx_wwdc25_valid.jsonl",
                          "prompt_completion__cohere_content_rephrasing.jsonl",
                          "prompt_completion__bedrock_uber10k_distillation.jsonl"],
    "text": ["text__mlx_lora_wikisql_train.jsonl"],
    "trl-conversational": [],
    "trl-preference": ["trl_dpo_vision__oumi_vl_dpo.jsonl"],
    "trl-kto": ["kto_messages__llamafactory_kto_en_demo.json"],
    "sharegpt": ["sharegpt_tools__llamafactory_glaive_toolcall_en_demo.json",
                 "sharegpt_dpo__llamafactory_dpo_en_demo.json",
                 "sharegpt__axolotl_missingturns.json",
                 "messages_images__llamafactory_mllm_demo.json"],
    "alpaca": ["alpaca__llamafactory_en_demo.json", "alpaca__llamafactory_identity.json"],
    "vertex-gemini": ["gemini_vertex__gcp_glucose_examples.jsonl"],
    "bedrock-conversation": ["bedrock_nova__tooluse_formatted_test.jsonl"],
    "bedrock-claude": ["bedrock_system_messages__tooluse_train_ft.jsonl"],
    "llamafactory-v1": ["llamafactory_v1_sft__demo.jsonl"],
    "llamafactory-v1-preference": [],
    "trl-prompt-only": [],
    "trl-stepwise": [],
}

_WEATHER: dict[str, Any] = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}

#: Records for the OpenAI formats, which have no test module of their own.
OPENAI_CHAT: list[Record] = [
    {"messages": [{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": "Hi", "name": "ann"},
                  {"role": "assistant", "content": "Hello!", "weight": 0},
                  {"role": "user", "content": "Weather in Paris?"},
                  {"role": "assistant", "tool_calls": [
                      {"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
                  {"role": "tool", "tool_call_id": "call_1", "name": "get_weather",
                   "content": "21"},
                  {"role": "assistant", "content": "It is 21 degrees.", "weight": 1}],
     "tools": [_WEATHER], "parallel_tool_calls": False},
    {"messages": [{"role": "developer", "content": "Describe images."},
                  {"role": "user", "content": [
                      {"type": "text", "text": "What is this?"},
                      {"type": "image_url", "image_url": {"url": "https://example.com/c.png",
                                                          "detail": "low"}}]},
                  {"role": "assistant", "content": ""}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"id": "c", "type": "function",
                       "function": {"name": "greet", "arguments": "{}"}}]}]},
    {"messages": [{"role": "user", "content": "Weather in Paris?"},
                  {"role": "assistant", "content": None,
                   "function_call": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
                  {"role": "function", "name": "get_weather", "content": "21"},
                  {"role": "assistant", "content": "21 degrees.", "refusal": None}],
     "functions": [_WEATHER["function"]]},
]
OPENAI_RFT: list[Record] = [
    {"messages": [{"role": "developer", "content": "Answer with a letter."},
                  {"role": "user", "content": "2+2? (A) 4 (B) 5"}],
     "answer": "A", "reference": {"explanation": "arithmetic"}},
    {"messages": [{"role": "user", "content": "Weather in Paris?"}],
     "tools": [_WEATHER], "parallel_tool_calls": True, "expected": "get_weather"},
]


_THOUGHT = "Two and two make four."
_THINK = f"<think>\n{_THOUGHT}\n</think>\n\n4"
_ASK = {"role": "user", "content": "What is 2+2?"}

#: Records with a reasoning trace, in each format's spelling of it (all round-trip exactly).
REASONING: dict[str, list[Record]] = {
    "openai-chat": [
        {"messages": [_ASK, {"role": "assistant", "content": "4", key: _THOUGHT}]}
        for key in ("reasoning_content", "reasoning", "thinking")
    ] + [{"messages": [_ASK, {"role": "assistant", "content": _THINK}]}],
    "openai-preference": [{
        "input": {"messages": [_ASK]},
        "preferred_output": [{"role": "assistant", "content": "4", "reasoning": _THOUGHT}],
        "non_preferred_output": [{"role": "assistant", "content": "5"}]}],
    "openai-rft": [{"messages": [
        _ASK, {"role": "assistant", "content": "4", "reasoning_content": _THOUGHT},
        {"role": "user", "content": "And 3+3?"}]}],
    "prompt-completion": [{"prompt": "What is 2+2?", "completion": _THINK}],
    "text": [],
    "trl-conversational": [{"prompt": [_ASK], "completion": [
        {"role": "assistant", "content": "4", "thinking": _THOUGHT}]}],
    "trl-preference": [{"prompt": [_ASK],
                        "chosen": [{"role": "assistant", "content": "4",
                                    "reasoning_content": _THOUGHT}],
                        "rejected": [{"role": "assistant", "content": "5"}]}],
    "trl-kto": [{"prompt": [_ASK], "completion": [
        {"role": "assistant", "content": "4", "reasoning_content": _THOUGHT}], "label": True}],
    "sharegpt": [{"conversations": [{"from": "human", "value": "What is 2+2?"},
                                    {"from": "gpt", "value": _THINK}]}],
    "alpaca": [{"instruction": "What is 2+2?", "input": "", "output": _THINK}],
    "vertex-gemini": [{"contents": [{"role": "user", "parts": [{"text": "What is 2+2?"}]},
                                    {"role": "model", "parts": [{"text": _THINK}]}]}],
    "bedrock-conversation": [{
        "schemaVersion": "bedrock-conversation-2024",
        "messages": [{"role": "user", "content": [{"text": "What is 2+2?"}]},
                     {"role": "assistant", "content": [
                         {"reasoningContent": {"reasoningText": {"text": _THOUGHT}}},
                         {"text": "4"}]}]}],
    "bedrock-claude": [{"messages": [_ASK, {"role": "assistant", "content": _THINK}]}],
    "bedrock-rft": [],
    "vertex-gemini-preference": [],
    "llamafactory-v1": [{"messages": [
        {"role": "user", "content": [{"type": "text", "value": "What is 2+2?"}],
         "loss_weight": 0.0},
        {"role": "assistant", "content": [{"type": "reasoning", "value": _THOUGHT},
                                          {"type": "text", "value": "4"}],
         "loss_weight": 1.0}]}],
    "llamafactory-v1-preference": [],
    "trl-prompt-only": [],
    "trl-stepwise": [],
}


def _test_records(format_id: str) -> list[Record]:
    """The valid records of the format's own test module, and those with reasoning."""
    return [*_module_records(format_id), *REASONING[format_id]]


def _module_records(format_id: str) -> list[Record]:
    if format_id == "openai-chat":
        return OPENAI_CHAT
    if format_id == "openai-rft":
        return OPENAI_RFT
    module = importlib.import_module(f"tests.formats.test_{FORMAT_MODULES[format_id]}")
    records = module.VALID if isinstance(module.VALID, list) else [module.VALID]
    extra = [getattr(module, name) for name in ("WITH_TOOLS", "WITH_IMAGES")
             if hasattr(module, name)]
    return [*records, *extra]


def _load(path: Path) -> list[Record]:
    if path.suffix == ".json":
        value = json.loads(path.read_text("utf-8"))
        return value if isinstance(value, list) else [value]
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _corpus_records(format_id: str) -> list[Record]:
    fmt = get_format(format_id)
    records: list[Record] = []
    for name in CORPUS_FILES[format_id]:
        path = CORPUS / name
        if path.is_file():
            records.extend(r for r in _load(path) if not check_shape(fmt.shape, r))
    return records


# -- normalisations ------------------------------------------------------------------------


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a value, the value itself included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _has_key(*keys: str) -> Check:
    return lambda record: any(key in obj for obj in _objects(record) for key in keys)


def _one_text_part_list(record: Record) -> bool:
    return any(isinstance(obj.get("content"), list) and len(obj["content"]) == 1
               and isinstance(obj["content"][0], dict) and obj["content"][0].get("type") == "text"
               for obj in _objects(record))


def _null_content_next_to_calls(record: Record) -> bool:
    return any(obj.get("role") == "assistant" and "content" in obj and obj["content"] is None
               and ("tool_calls" in obj or "function_call" in obj) for obj in _objects(record))


def _legacy_functions(record: Record) -> bool:
    return _has_key("functions", "function_call")(record) or any(
        obj.get("role") == "function" for obj in _objects(record))


def _images_without_placeholders(record: Record) -> bool:
    return "images" in record and not any(obj.get("type") == "image" for obj in _objects(record))


def _prompt_not_up_to_last_user(record: Record) -> bool:
    prompt, completion = record.get("prompt"), record.get("completion")
    if not isinstance(prompt, list) or not isinstance(completion, list):
        return False
    return prompt[-1].get("role") != "user" or any(m.get("role") == "user" for m in completion)


def _mixed_strings_and_lists(record: Record) -> bool:
    values = [record[key] for key in ("prompt", "completion") if key in record]
    return len({isinstance(value, str) for value in values}) > 1


def _sharegpt_system_turn(record: Record) -> bool:
    turns = record.get("conversations") or record.get("messages") or [{}]
    return bool(turns[0].get("from", turns[0].get("role")) == "system")


def _sharegpt_json_spelling(record: Record) -> bool:
    """Tools or calls not spelled as ``json.dumps`` writes them (tools as bare functions)."""
    values = [turn["value"] for turn in record.get("conversations", [])
              if turn.get("from") == "function_call"]
    if record.get("tools"):
        values.append(record["tools"])
    for value in values:
        try:
            decoded = json.loads(value)
        except ValueError:
            return True
        if json.dumps(decoded, ensure_ascii=False) != value or any(
                isinstance(obj.get("function"), dict) for obj in _objects(decoded)):
            return True
    return False


def _vertex_system_spelling(record: Record) -> bool:
    return ("system_instruction" in record or ("systemInstruction" in record
            and record["systemInstruction"].get("role") != "system"))


def _tool_result_json_block(record: Record) -> bool:
    return any("json" in block for obj in _objects(record) if "toolResult" in obj
               for block in obj["toolResult"]["content"])


def _document_name(record: Record) -> bool:
    return any("name" in obj["document"] for obj in _objects(record) if "document" in obj)


_OPENAI: list[tuple[str, Check]] = [
    ("a content list of one text part is written as a string", _one_text_part_list),
    ("an assistant's null content next to tool calls is left out",
     _null_content_next_to_calls),
    ("legacy functions, function_call and function messages are written as tools, "
     "tool_calls (with generated ids) and tool messages", _legacy_functions),
    ("refusal is not part of the canonical example", _has_key("refusal")),
]
_TRL: list[tuple[str, Check]] = [
    ("a content list of one text part is written as a string", _one_text_part_list),
    ("images without placeholders are written as placeholders opening the first user turn",
     _images_without_placeholders),
    ("the prompt is written as the conversation up to the last user turn",
     _prompt_not_up_to_last_user),
]

def _tools_string(record: Record) -> bool:
    return isinstance(record.get("tools"), str)


def _v1_messages(record: Record) -> Iterator[dict[str, Any]]:
    for key in ("messages", "chosen_messages", "rejected_messages"):
        yield from record.get(key, [])


def _v1_weights_implicit(record: Record) -> bool:
    return any("loss_weight" not in m or (m["role"] != "assistant" and m["loss_weight"] != 0)
               for m in _v1_messages(record))


_V1_ORDER = {"reasoning": 0, "text": 1, "image_url": 1, "video_url": 1, "audio_url": 1,
             "tool_call": 2}


def _v1_parts_reordered(record: Record) -> bool:
    for message in _v1_messages(record):
        ranks = [_V1_ORDER.get(part.get("type"), 1) for part in message["content"]]
        if ranks != sorted(ranks) or ranks.count(0) > 1:
            return True
    return False


def _v1_tools_spelling(record: Record) -> bool:
    if "tools" not in record:
        return False
    decoded = json.loads(record["tools"])
    return not isinstance(decoded, list) or json.dumps(decoded, ensure_ascii=False) != record[
        "tools"] or any(not isinstance(tool.get("function"), dict) for tool in decoded)


_V1: list[tuple[str, Check]] = [
    ("every turn's loss_weight is written: 0.0 for the turns LLaMA-Factory never trains, "
     "1.0 (the default) for an assistant turn without one", _v1_weights_implicit),
    ("reasoning, content and tool call parts are written in that order, reasoning as one "
     "part", _v1_parts_reordered),
    ("tools are written as json.dumps spells a list of wrapped function definitions",
     _v1_tools_spelling),
]
_TRL_TOOLS_STRING = ("tools held in a JSON string are written as a list", _tools_string)

#: Format id -> the spellings its writer normalises, each with the test that spots it.
NORMALISATIONS: dict[str, list[tuple[str, Check]]] = {
    "openai-chat": _OPENAI,
    "openai-rft": _OPENAI,
    "openai-preference": _OPENAI,
    "prompt-completion": [],
    "text": [],
    "trl-conversational": _TRL,
    "trl-preference": [
        *_TRL,
        ("string prompts and answers are written as message lists (a preference example does "
         "not say whether it was a plain-text one)",
         lambda r: any(isinstance(r.get(key), str) for key in ("prompt", "chosen", "rejected"))),
        ("an implicit prompt (the turns chosen and rejected share) is written as prompt",
         lambda r: "prompt" not in r),
    ],
    "trl-kto": [
        *_TRL,
        ("LLaMA-Factory's messages form is written in TRL's prompt/completion form",
         lambda r: "messages" in r),
        ("a string prompt with a message-list completion (or the reverse) is written as lists",
         _mixed_strings_and_lists),
    ],
    "sharegpt": [
        ("a leading system turn is written as the system key", _sharegpt_system_turn),
        ("LLaMA-Factory's role/content spelling is written as conversations",
         lambda r: "messages" in r),
        ("an empty tools string (no tools) is left out", lambda r: r.get("tools") == ""),
        ("the record id is not part of the canonical example", lambda r: "id" in r),
        ("tools and function calls are JSON-encoded as json.dumps spells them, "
         "functions bare", _sharegpt_json_spelling),
    ],
    "alpaca": [
        ("the input is joined to the instruction (as LLaMA-Factory reads it) and written "
         "empty", lambda r: r.get("input") != ""),
        ("an empty history is left out", lambda r: r.get("history") == []),
    ],
    "vertex-gemini": [
        ("the system instruction is written as systemInstruction with role system",
         _vertex_system_spelling),
        ("thought parts and videoMetadata are not part of the canonical example",
         _has_key("thought", "thoughtSignature", "videoMetadata")),
        ("several tool objects are written as one", lambda r: len(r.get("tools", [])) > 1),
    ],
    "bedrock-conversation": [
        ("schemaVersion is written (bedrock-conversation-2024 when the record has none)",
         lambda r: "schemaVersion" not in r),
        ("reasoning signatures, toolResult status and S3 bucket owners are not part of the "
         "canonical example", _has_key("signature", "status", "bucketOwner")),
        ("document names are not part of the canonical example", _document_name),
        ("toolResult json blocks are written as text blocks", _tool_result_json_block),
    ],
    "bedrock-claude": [],
    "bedrock-rft": [
        ("parallel_tool_calls, an OpenAI training setting, is not written as grader data",
         lambda r: "parallel_tool_calls" in r),
    ],
    "vertex-gemini-preference": [
        ("the system instruction is written as system_instruction without a role",
         lambda r: "systemInstruction" in r or "role" in r.get("system_instruction", {})),
        ("the preferred completion is written first",
         lambda r: r["completions"][0].get("score") != 1),
        ("thought parts are not part of the canonical example",
         _has_key("thought", "thoughtSignature")),
    ],
    "llamafactory-v1": _V1,
    "llamafactory-v1-preference": _V1,
    "trl-prompt-only": [
        *_TRL,
        _TRL_TOOLS_STRING,
        ("a string prompt next to tools is written as a message list (the chat template "
         "renders the tools)", lambda r: isinstance(r.get("prompt"), str) and "tools" in r),
    ],
    "trl-stepwise": [],
}
NORMALISATIONS["trl-conversational"].append(_TRL_TOOLS_STRING)
NORMALISATIONS["trl-preference"].append(_TRL_TOOLS_STRING)


def _normalisations(format_id: str, record: Record) -> list[str]:
    return [name for name, applies in NORMALISATIONS[format_id] if applies(record)]


# -- comparing examples --------------------------------------------------------------------


def _arguments(value: Any) -> Any:
    """Arguments compared by value: OpenAI's JSON text and an object are the same call."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _role(role: str) -> str:
    # The legacy ``function`` result is written as today's ``tool`` message.
    return "tool" if role == "function" else role


def _turn(message: Message) -> tuple[Any, ...]:
    return (_role(message.role),
            [(part.type, part.text, part.url) for part in message.content or ()],
            [(call.name, _arguments(call.arguments)) for call in message.tool_calls],
            message.weight, message.reasoning)


def _example(example: Example) -> dict[str, Any]:
    """What a round trip keeps: roles, texts, media, tool calls, weights, label, tools."""
    return {
        "kind": example.kind, "label": example.label, "text": example.text,
        "tools": example.tools,
        "metadata": {k: v for k, v in example.metadata.items() if k != "schemaVersion"},
        "sides": [[_turn(m) for m in side or ()]
                  for side in (example.messages, example.chosen, example.rejected)],
    }


def _rendered(message: Message) -> str:
    """The text with media as LLaMA-Factory's placeholders, which some formats write."""
    return "".join(part.text or "" if part.type == "text" else f"<{part.type}>"
                   for part in message.content or ())


def _conversation(example: Example) -> dict[str, Any]:
    """What a conversion keeps: roles, texts, media files and tool calls, in order."""
    media = [part.url for m in example.all_messages() for part in m.content or ()
             if part.type != "text"]
    media += [url for key in MEDIA_KEYS for url in example.metadata.get(key, [])]
    return {
        "text": example.text, "label": example.label, "media": media,
        "sides": [[(_role(m.role), _rendered(m),
                    [(c.name, _arguments(c.arguments)) for c in m.tool_calls], m.reasoning)
                   for m in side or ()]
                  for side in (example.messages, example.chosen, example.rejected)],
    }


def _writer(fmt: Format) -> Callable[[Example], dict[str, Any]]:
    assert fmt.write is not None, f"{fmt.id} has no writer"
    return fmt.write


# -- 1. round trip -------------------------------------------------------------------------


def _round_trip(fmt: Format, record: Record) -> None:
    write = _writer(fmt)
    example = fmt.read(record)
    written = write(example)
    if not _normalisations(fmt.id, record):
        assert written == record
        return
    assert check_shape(fmt.shape, written) == []
    assert _example(fmt.read(written)) == _example(example)
    assert write(fmt.read(written)) == written


def test_every_format_has_a_writer() -> None:
    assert [fmt.id for fmt in all_formats() if fmt.write is None] == []


@pytest.mark.parametrize("format_id", list(FORMAT_MODULES))
def test_test_records_round_trip(format_id: str) -> None:
    fmt = get_format(format_id)
    for record in _test_records(format_id):
        assert check_shape(fmt.shape, record) == []
        _round_trip(fmt, record)


@pytest.mark.parametrize("format_id", [f for f, files in CORPUS_FILES.items() if files])
def test_corpus_records_round_trip(format_id: str, corpus: Path) -> None:
    fmt = get_format(format_id)
    records = _corpus_records(format_id)
    assert records
    for record in records:
        _round_trip(fmt, record)


def test_canonical_spellings_round_trip_exactly() -> None:
    # The normalisations leave these alone: each is its format's canonical spelling.
    exact = [
        ("openai-chat", OPENAI_CHAT[0]), ("openai-chat", OPENAI_CHAT[1]),
        ("openai-rft", OPENAI_RFT[0]), ("openai-rft", OPENAI_RFT[1]),
        ("alpaca", {"instruction": "Say hi.", "input": "", "output": "Hi!"}),
        ("sharegpt", {"conversations": [{"from": "human", "value": "Hi"},
                                        {"from": "gpt", "value": "Hello!"}],
                      "images": [], "videos": [], "audios": [], "kto_tag": True}),
    ]
    for format_id, record in exact:
        assert _normalisations(format_id, record) == []
        assert _writer(get_format(format_id))(get_format(format_id).read(record)) == record


def test_normalised_records_are_spotted() -> None:
    assert _normalisations("alpaca", {"instruction": "Translate.", "input": "oiseau",
                                      "output": "Bird."}) == [
        "the input is joined to the instruction (as LLaMA-Factory reads it) and written empty"]
    assert _normalisations("openai-chat", OPENAI_CHAT[3]) == [
        "an assistant's null content next to tool calls is left out",
        "legacy functions, function_call and function messages are written as tools, "
        "tool_calls (with generated ids) and tool messages",
        "refusal is not part of the canonical example"]


def test_legacy_function_calling_is_written_with_generated_ids() -> None:
    fmt = get_format("openai-chat")
    written = _writer(fmt)(fmt.read(OPENAI_CHAT[3]))
    assert written["messages"][1] == {"role": "assistant", "tool_calls": [
        {"id": "call00001", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]}
    assert written["messages"][2] == {"role": "tool", "tool_call_id": "call00001",
                                      "name": "get_weather", "content": "21"}
    assert written["tools"] == [_WEATHER]


# -- 2. every kind of example in every format ----------------------------------------------


def _user(text: str) -> Message:
    return text_message("user", text, "")


def _assistant(text: str, weight: float | None = None) -> Message:
    message = text_message("assistant", text, "")
    message.weight = weight
    return message


CALL = ToolCall(name="get_weather", arguments='{"city": "Paris"}', id="call_1")

EXAMPLES: dict[str, Example] = {
    "plain": Example(kind="chat", messages=[
        text_message("system", "Answer in one sentence.", ""),
        _user("What is the capital of France?"), _assistant("Paris is the capital.")]),
    "multi-turn": Example(kind="chat", messages=[
        _user("Name a color."), _assistant("Blue."),
        _user("Another one?"), _assistant("Green.")]),
    "tool": Example(kind="chat", tools=[_WEATHER], messages=[
        _user("What is the weather in Paris?"),
        Message(role="assistant", content=None, tool_calls=[CALL]),
        Message(role="tool", content=[Part("text", text='{"temperature": 21}')],
                tool_call_id="call_1"),
        _assistant("It is 21 degrees in Paris.")]),
    "image": Example(kind="chat", messages=[
        Message(role="user", content=[Part("image", url="https://example.com/cat.png"),
                                      Part("text", text="What animal is this?")]),
        _assistant("It is a cat.")]),
    "weight-0": Example(kind="chat", messages=[
        _user("Say something."), _assistant("Something wrong.", weight=0),
        _user("Say something else."), _assistant("Something right.", weight=1)]),
    "preference": Example(kind="preference",
                          messages=[text_message("system", "Be kind.", ""),
                                    _user("Greet me.")],
                          chosen=[_assistant("Hello, nice to meet you!")],
                          rejected=[_assistant("Go away.")]),
    "kto": Example(kind="chat", label=False, messages=[
        _user("Is the sky green?"), _assistant("Yes, always.")]),
    "text": Example(kind="text", text="The sky is blue.\nThe grass is green."),
    "completion": Example(kind="completion", messages=[
        _user("Translate to French: cheese"), _assistant("fromage")]),
}

_ENDS_WITH_USER = "{} conversations end with the user's turn, not with assistant"

#: (example, format) -> why the format cannot hold the example. Every other pair is written.
UNREPRESENTABLE: dict[tuple[str, str], str] = {
    **{(kind, fmt): _ENDS_WITH_USER.format(fmt)
       for kind in ("plain", "multi-turn", "tool", "image", "weight-0", "completion")
       for fmt in ("openai-rft", "bedrock-rft")},
    **{(kind, "vertex-gemini-preference"): "vertex-gemini-preference has no place for a "
                                           "conversation"
       for kind in ("plain", "multi-turn", "tool", "image", "weight-0", "kto")},
    ("completion", "vertex-gemini-preference"): "vertex-gemini-preference has no place for a "
                                                "prompt-completion pair",
    ("plain", "openai-preference"): "openai-preference has no place for a conversation",
    ("plain", "prompt-completion"): "prompt-completion has no system prompt",
    ("plain", "text"): "text has no place for a conversation",
    ("plain", "trl-preference"): "trl-preference has no place for a conversation",
    ("plain", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
    ("multi-turn", "openai-preference"): "openai-preference has no place for a conversation",
    ("multi-turn", "prompt-completion"): "prompt-completion holds one user prompt and one "
                                         "answer, not user, assistant, user, assistant",
    ("multi-turn", "text"): "text has no place for a conversation",
    ("multi-turn", "trl-preference"): "trl-preference has no place for a conversation",
    ("multi-turn", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
    ("tool", "openai-preference"): "openai-preference has no place for a conversation",
    ("tool", "prompt-completion"): "prompt-completion cannot declare tools",
    ("tool", "text"): "text has no place for a conversation",
    ("tool", "trl-preference"): "trl-preference has no place for a conversation",
    ("tool", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
    ("tool", "alpaca"): "alpaca cannot declare tools",
    ("tool", "bedrock-claude"): "bedrock-claude cannot declare tools",
    ("image", "openai-preference"): "openai-preference has no place for a conversation",
    ("image", "prompt-completion"): "prompt-completion cannot carry image content",
    ("image", "text"): "text has no place for a conversation",
    ("image", "trl-preference"): "trl-preference has no place for a conversation",
    ("image", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
    ("image", "bedrock-conversation"): "bedrock-conversation reads media from S3 only, not "
                                       "'https://example.com/cat.png'",
    ("image", "bedrock-claude"): "bedrock-claude cannot carry image content",
    ("weight-0", "openai-preference"): "openai-preference has no place for a conversation",
    ("weight-0", "prompt-completion"): "prompt-completion holds one user prompt and one "
                                       "answer, not user, assistant, user, assistant",
    ("weight-0", "text"): "text has no place for a conversation",
    ("weight-0", "trl-preference"): "trl-preference has no place for a conversation",
    ("weight-0", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
    **{("weight-0", fmt): f"{fmt} has no message weights (assistant turn with weight 0)"
       for fmt in ("sharegpt", "alpaca", "vertex-gemini", "bedrock-conversation",
                   "bedrock-claude")},
    **{("preference", fmt): f"{fmt} has no place for a preference pair"
       for fmt in ("openai-chat", "openai-rft", "prompt-completion", "text",
                   "trl-conversational", "trl-kto", "vertex-gemini", "bedrock-conversation",
                   "bedrock-claude", "bedrock-rft")},
    **{("kto", fmt): f"{fmt} has no KTO label"
       for fmt in ("openai-chat", "openai-rft", "prompt-completion", "trl-conversational",
                   "vertex-gemini", "bedrock-conversation", "bedrock-claude", "bedrock-rft")},
    ("kto", "openai-preference"): "openai-preference has no place for a conversation",
    ("kto", "trl-preference"): "trl-preference has no place for a conversation",
    ("kto", "text"): "text has no place for a conversation",
    **{("text", fmt): f"{fmt} has no place for a raw text document"
       for fmt in FORMAT_MODULES if fmt != "text"},
    ("completion", "openai-preference"): "openai-preference has no place for a "
                                         "prompt-completion pair",
    ("completion", "text"): "text has no place for a prompt-completion pair",
    ("completion", "trl-preference"): "trl-preference has no place for a prompt-completion "
                                      "pair",
    ("completion", "trl-kto"): "trl-kto needs a label (is the completion desirable?)",
}


_NO_PLACE = "has no place for a"
_STEPS = "trl-stepwise holds one user prompt and then the assistant's steps"
_PROMPT_ONLY = "trl-prompt-only prompts end with the user's turn, not with assistant"
UNREPRESENTABLE.update({
    **{(kind, "llamafactory-v1-preference"): f"llamafactory-v1-preference {_NO_PLACE} "
                                             f"conversation"
       for kind in ("plain", "multi-turn", "tool", "image", "weight-0", "kto")},
    **{(kind, "trl-prompt-only"): _PROMPT_ONLY
       for kind in ("plain", "multi-turn", "tool", "image", "weight-0", "completion")},
    **{(kind, "trl-stepwise"): _STEPS for kind in ("plain", "multi-turn", "weight-0")},
    ("tool", "trl-stepwise"): "trl-stepwise cannot declare tools",
    ("image", "trl-stepwise"): "trl-stepwise cannot carry image content",
    ("completion", "trl-stepwise"): "trl-stepwise needs a correctness label for every step",
    ("completion", "llamafactory-v1-preference"): f"llamafactory-v1-preference {_NO_PLACE} "
                                                  f"prompt-completion pair",
    **{("preference", fmt): f"{fmt} {_NO_PLACE} preference pair"
       for fmt in ("llamafactory-v1", "trl-prompt-only", "trl-stepwise")},
    **{("kto", fmt): f"{fmt} has no KTO label"
       for fmt in ("llamafactory-v1", "trl-prompt-only", "trl-stepwise")},
})


def _write_or_reason(fmt: Format, example: Example) -> Record | str:
    try:
        return _writer(fmt)(example)
    except Unrepresentable as error:
        return error.reason


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_every_kind_is_written_in_every_format_or_refused(kind: str) -> None:
    example = EXAMPLES[kind]
    reasons: dict[tuple[str, str], str] = {}
    for fmt in all_formats():
        written = _write_or_reason(fmt, example)
        if isinstance(written, str):
            reasons[(kind, fmt.id)] = written
            continue
        assert check_shape(fmt.shape, written) == [], fmt.id
        assert fmt.matches(written), fmt.id
        assert _conversation(fmt.read(written)) == _conversation(example), fmt.id
    assert reasons == {pair: reason for pair, reason in UNREPRESENTABLE.items()
                       if pair[0] == kind}


def test_written_media_and_tools_per_format() -> None:
    image, tool = EXAMPLES["image"], EXAMPLES["tool"]
    assert _writer(get_format("sharegpt"))(image) == {
        "conversations": [{"from": "human", "value": "<image>What animal is this?"},
                          {"from": "gpt", "value": "It is a cat."}],
        "images": ["https://example.com/cat.png"]}
    assert _writer(get_format("vertex-gemini"))(image)["contents"][0]["parts"] == [
        {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/cat.png"}},
        {"text": "What animal is this?"}]
    assert _writer(get_format("trl-conversational"))(image)["images"] == [
        "https://example.com/cat.png"]
    assert _writer(get_format("sharegpt"))(tool)["conversations"][1:3] == [
        {"from": "function_call",
         "value": '{"name": "get_weather", "arguments": {"city": "Paris"}}'},
        {"from": "observation", "value": '{"temperature": 21}'}]
    assert _writer(get_format("vertex-gemini"))(tool)["contents"][1:3] == [
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                                                      "args": {"city": "Paris"},
                                                      "id": "call_1"}}]},
        {"role": "user", "parts": [{"functionResponse": {
            "name": "get_weather", "response": {"temperature": 21}, "id": "call_1"}}]}]
    assert _writer(get_format("bedrock-conversation"))(tool)["toolConfig"] == {"tools": [
        {"toolSpec": {"name": "get_weather", "description": "Weather in a city",
                      "inputSchema": {"json": _WEATHER["function"]["parameters"]}}}]}


def test_weight_0_turn_fits_in_a_trl_prompt_only() -> None:
    fmt = get_format("trl-conversational")
    written = _writer(fmt)(EXAMPLES["weight-0"])
    assert [m["content"] for m in written["prompt"]] == [
        "Say something.", "Something wrong.", "Say something else."]
    late = Example(kind="chat", messages=[_user("Hi"), _assistant("Hello", weight=0)])
    assert _write_or_reason(fmt, late) == (
        "trl-conversational has no message weights (assistant turn with weight 0)")


@pytest.mark.parametrize(("format_id", "example", "reason"), [
    ("sharegpt", Example(kind="chat", messages=[
        _user("Hi"), Message(role="assistant", content=[Part("text", text="Let me see.")],
                             tool_calls=[CALL])]),
     "sharegpt turns hold text or tool calls, not both"),
    ("sharegpt", Example(kind="chat", messages=[
        _user("Hi"), Message(role="assistant", content=None, tool_calls=[
            ToolCall("a", "{}", id="1"), ToolCall("b", "{}", id="2")]),
        Message(role="tool", content=[Part("text", text="B")], tool_call_id="2"),
        Message(role="tool", content=[Part("text", text="A")], tool_call_id="1")]),
     "tool results out of the order of their calls, which sharegpt pairs by position"),
    ("sharegpt", Example(kind="chat", messages=[
        Message(role="user", content=[Part("image", url="a.png"),
                                      Part("text", text="Is <image> a tag?")]),
        _assistant("Yes.")]),
     "a text holds <image>, which sharegpt would take for a placeholder"),
    ("alpaca", Example(kind="chat", messages=[_user("Hi"), _user("Hello?"), _assistant("Yes")]),
     "alpaca needs user and assistant turns in alternation, ending with the assistant's answer"),
    ("alpaca", Example(kind="chat", messages=[_user("Hi"), _assistant("Hello"),
                                              text_message("system", "Be brief.", "")]),
     "alpaca holds a system prompt only before the conversation"),
    ("openai-chat", Example(kind="chat", messages=[_user("Hi")],
                            metadata={"images": ["a.png"]}),
     "openai-chat has no place for the record's 'images'"),
    ("openai-chat", Example(kind="chat", messages=[
        Message(role="user", content=[Part("audio", url="a.mp3")])]),
     "openai-chat cannot carry audio content"),
    ("bedrock-claude", Example(kind="chat", messages=[
        Message(role="user", content=[Part("text", text="Hi")], name="ann"), _assistant("Hi")]),
     "bedrock-claude has no message names (user turn named 'ann')"),
    ("bedrock-claude", Example(kind="chat", messages=[
        text_message("developer", "Be brief.", ""), _user("Hi"), _assistant("Hi")]),
     "bedrock-claude has no 'developer' role"),
    ("vertex-gemini", Example(kind="chat", messages=[
        _user("Hi"), Message(role="assistant", content=None, tool_calls=[CALL]),
        Message(role="tool", content=[Part("text", text="sunny")], tool_call_id="call_1")]),
     "vertex-gemini needs a tool result as a JSON object"),
    ("vertex-gemini", Example(kind="chat", messages=[
        Message(role="user", content=[Part("image", url="gs://b/cat.bmp")])]),
     "no MIME type for 'gs://b/cat.bmp', which vertex-gemini needs"),
    ("bedrock-conversation", Example(kind="chat", messages=[
        _user("Hi"), Message(role="tool", content=[Part("text", text="x")])]),
     "tool result that answers no tool call"),
    ("openai-preference", Example(kind="preference", messages=[_user("Hi")],
                                  chosen=[_assistant("A"),
                                          text_message("user", "B", "")],
                                  rejected=[_assistant("C")]),
     "openai-preference answers hold assistant turns only"),
    ("trl-conversational", Example(kind="chat", messages=[_user("Hi")]),
     "the conversation ends with the user's turn; trl-conversational needs a completion "
     "after it"),
])
def test_unrepresentable_details_name_the_reason(format_id: str, example: Example,
                                                 reason: str) -> None:
    assert _write_or_reason(get_format(format_id), example) == reason


def test_text_is_carried_byte_exact() -> None:
    text = " \u00a0caf\u00e9\r\n\t\u2028\U0001f600\\n<b>\x00 "
    example = Example(kind="chat", messages=[text_message("system", text, ""),
                                             _user(text), _assistant(text)])
    for fmt in all_formats():
        written = _write_or_reason(fmt, example)
        if isinstance(written, str):
            continue
        read_back = fmt.read(json.loads(json.dumps(written)))
        assert [m.text for m in read_back.messages] == [text] * 3, fmt.id


# -- 3. generated records, written in every format -----------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("source_id", list(FORMAT_MODULES))
def test_generated_records_are_written_validly_or_refused(source_id: str,
                                                          data: st.DataObject) -> None:
    source = get_format(source_id)
    example = source.read(data.draw(valid(source.shape)))
    for fmt in all_formats():
        written = _write_or_reason(fmt, example)
        if isinstance(written, str):
            assert written
            continue
        assert check_shape(fmt.shape, written) == [], (fmt.id, written)
        json.dumps(written)


# -- 4. written files pass the provider's checks -------------------------------------------

PROVIDERS = [("openai-chat", "openai"), ("openai-preference", "openai"),
             ("prompt-completion", "together"), ("vertex-gemini", "vertex"),
             ("bedrock-conversation", "bedrock"), ("bedrock-claude", "bedrock"),
             ("vertex-gemini-preference", "vertex")]


@pytest.mark.parametrize(("format_id", "target"), PROVIDERS)
def test_written_file_validates_clean_for_its_provider(format_id: str, target: str) -> None:
    fmt = get_format(format_id)
    records = [written for example in EXAMPLES.values()
               if not isinstance(written := _write_or_reason(fmt, example), str)]
    assert records
    report = ftdata.validate_records(records, format=format_id, target=target,
                                     ignore=["F007"])
    assert [(issue.code, issue.line, issue.message) for issue in report.issues] == []
