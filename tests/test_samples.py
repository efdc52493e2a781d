"""The samples: for every format, a clean file that passes and a broken file with known defects."""

from __future__ import annotations

from pathlib import Path

import pytest

import ftdata
from ftdata.formats import format_ids
from tests.conftest import SAMPLES
from tests.test_engine import EXPECTED as OPENAI_CHAT_EXPECTED

Verdict = tuple[str, int | None]

#: The provider target each format's clean sample must also pass.
TARGETS: dict[str, str] = {
    "openai-chat": "openai",
    "openai-preference": "openai",
    "openai-rft": "openai",
    "vertex-gemini": "vertex",
    "bedrock-conversation": "bedrock",
    "bedrock-claude": "bedrock",
    "bedrock-rft": "bedrock",
    "vertex-gemini-preference": "vertex",
    "llamafactory-v1": "llamafactory",
    "llamafactory-v1-preference": "llamafactory",
    "trl-prompt-only": "trl",
    "trl-stepwise": "trl",
}

#: Formats whose records another, more general format reads too: detected under their target.
DETECTED_UNDER: dict[str, str] = {
    "bedrock-rft": "bedrock",
}

#: Issues a clean sample may have under its target: Vertex recommends 100 examples.
ALLOWED_UNDER_TARGET: dict[str, list[Verdict]] = {
    "vertex-gemini": [("F007", None)],
    "vertex-gemini-preference": [("F007", None)],
}

#: (code, line) of every issue of each broken sample, generic target (or the one it is detected
#: under). Line 1 is always clean.
BROKEN: dict[str, list[Verdict]] = {
    "openai-chat": [(code, line) for code, line, _ in OPENAI_CHAT_EXPECTED],
    "openai-preference": [
        ("C014", 2),  # the same answer on both sides
        ("C001", 3),  # preferred answer with Gemini's role "model"
        ("S001", 4),  # no non_preferred_output
        ("S003", 5),  # preferred_output is one message, not a list
        ("C002", 6),  # empty rejected answer
        ("C015", 7),  # empty input messages
        ("C009", 8),  # tool call arguments are not JSON
        ("S003", 9),  # input is the message list itself, without "messages"
    ],
    "openai-rft": [
        ("C001", 2),  # role "System"
        ("C002", 3),  # empty question
        ("S003", 4),  # messages is one object, not a list
        ("S002", 5),  # the grader's reference inside the user message
        ("C007", 6),  # weight on a user message
        ("C006", 7),  # system message in the middle of the conversation
        ("C011", 8),  # tool result with no tool call before it
    ],
    "prompt-completion": [
        ("C002", 2),  # empty completion
        ("S001", 3),  # no completion
        ("S003", 4),  # completion is a number
        ("S002", 5),  # extra "id" key
        ("C002", 6),  # whitespace-only completion
        ("S001", 7),  # "promt": prompt missing...
        ("S002", 7),  # ...and an unknown key
        ("S003", 8),  # prompt is null
        ("S003", 9),  # completion is a list
    ],
    "text": [
        ("C002", 2),  # empty text
        ("S003", 3),  # text is a list of paragraphs
        ("S003", 4),  # text is null
        ("S002", 5),  # extra "source" key
        ("S001", 6),  # "content" instead of "text": text missing...
        ("S002", 6),  # ...and an unknown key
        ("C002", 7),  # whitespace-only text
        ("S003", 8),  # text is a number
    ],
    "trl-conversational": [
        ("S003", 2),  # completion is a string, not a message list
        ("C001", 3),  # role "bot"
        ("C002", 4),  # empty assistant answer
        ("C005", 5),  # prompt ends with an assistant turn, completion adds another
        ("C009", 6),  # tool call arguments are not JSON
        ("C015", 7),  # empty completion
        # line 8: an image placeholder with no "images" is not reported
        ("S001", 9),  # no prompt
    ],
    "trl-preference": [
        ("C014", 2),  # answers differ only by a trailing space...
        ("Q001", 2),  # ...which is itself surrounding whitespace
        ("C002", 3),  # empty chosen answer
        ("S001", 4),  # no rejected answer
        ("S003", 5),  # rejected is null
        # line 6: chosen is a message list while prompt and rejected are strings; not reported
        ("S003", 7),  # prompt is one message object
    ],
    "trl-kto": [
        ("S003", 2),  # label is the string "true"
        ("S003", 3),  # label is 0
        ("S001", 4),  # no label
        ("C001", 5),  # completion with ShareGPT's role "human"
        ("C002", 6),  # empty completion message
        ("C015", 7),  # empty completion list
        ("S003", 8),  # label is null
    ],
    "sharegpt": [
        ("C001", 2),  # from "user" instead of "human"
        ("S001", 3),  # "content" instead of "value": value missing...
        ("S002", 3),  # ...and an unknown key
        ("C002", 4),  # empty gpt turn
        ("C005", 5),  # two human turns in a row
        ("C004", 6),  # ends with a human turn
        ("C009", 7),  # function_call value is Python call syntax, not JSON
        ("C011", 8),  # observation with no function_call before it
        ("S003", 9),  # tools is a list, not a JSON string
        ("C015", 10),  # empty conversations
    ],
    "alpaca": [
        ("S004", 2),  # history round of 3 items
        ("C002", 3),  # empty output
        ("S001", 4),  # "response" instead of "output": output missing...
        ("S002", 4),  # ...and an unknown key
        ("S003", 5),  # output is a list
        ("S003", 6),  # input is null
        ("S003", 7),  # history is one flat round, not a list of rounds (once per string)
        ("S003", 7),
        ("C002", 8),  # empty instruction and input
    ],
    "vertex-gemini": [
        ("C001", 2),  # role "assistant" instead of "model"
        ("C001", 3),  # role "system" inside contents
        ("S001", 4),  # OpenAI-style image_url part: no known part key...
        ("S002", 4),  # ...unknown "type"...
        ("S002", 4),  # ...and unknown "image_url"
        ("C002", 5),  # model turn with no parts
        ("C004", 6),  # ends with a user turn
        ("C005", 7),  # two user turns in a row
        ("S003", 8),  # functionCall args as a JSON string
        ("S003", 9),  # parts is a string
    ],
    "bedrock-conversation": [
        ("S003", 2),  # content is a string, not a list of blocks
        ("C001", 3),  # system prompt as a "system" message
        ("C004", 4),  # ends with a user turn
        ("C005", 5),  # two user turns in a row
        ("S004", 6),  # image format "jpg" instead of "jpeg"
        ("S003", 7),  # toolUse input as a JSON string
        ("S002", 8),  # OpenAI-style {"type": "text"} block
        ("C002", 9),  # empty assistant text
    ],
    "bedrock-claude": [
        ("S003", 2),  # content is a list of parts
        ("C001", 3),  # system prompt as a "system" message
        ("C001", 4),  # roles "Human"...
        ("C001", 4),  # ...and "Assistant"
        ("S002", 5),  # InvokeModel keys in a training record: anthropic_version...
        ("S002", 5),  # ...and max_tokens
        ("C004", 6),  # ends with a user turn
        ("C005", 7),  # two assistant turns in a row
        ("C002", 8),  # empty assistant answer
        ("Q004", 9),  # "User:"/"Assistant:" markers inside the text
    ],
    "bedrock-rft": [
        ("S001", 2),  # no reference_answer
        ("S003", 3),  # content as OpenAI text parts, not a string
        ("C001", 4),  # OpenAI's "developer" role
        ("S003", 5),  # reference_answer is a number
        ("Q004", 6),  # "User:"/"Assistant:" markers inside the text
        ("C002", 7),  # empty question
        ("C015", 8),  # no messages at all
        ("C006", 9),  # system message in the middle of the conversation
    ],
    "vertex-gemini-preference": [
        ("S004", 2),  # score 2
        ("S004", 3),  # one completion, not a pair
        ("C001", 4),  # a completion in a user turn
        ("C015", 5),  # empty contents
        ("S001", 6),  # an image part in the prompt (text only): no text...
        ("S002", 6),  # ...and an unknown "fileData"
        ("S001", 7),  # a completion without its score
        ("C014", 8),  # the same answer on both sides
        ("C002", 9),  # empty preferred answer
        ("S004", 10),  # both completions scored 1
    ],
    "llamafactory-v1": [
        ("C007", 2),  # negative loss_weight
        ("S003", 3),  # content is a string, not a list of parts
        ("S001", 4),  # OpenAI's "text" instead of "value": value missing...
        ("S002", 4),  # ...and an unknown key
        ("C001", 5),  # role "gpt"
        ("C002", 6),  # empty assistant text
        ("C009", 7),  # tool_call value is Python call syntax, not JSON
        ("S004", 8),  # part type "image" instead of "image_url"
        ("C015", 9),  # empty messages
        ("C008", 10),  # every turn has loss_weight 0
    ],
    "llamafactory-v1-preference": [
        ("C014", 2),  # the same answer on both sides
        ("S001", 3),  # no rejected_messages
        ("C015", 4),  # empty rejected_messages
        ("S002", 5),  # TRL's "chosen" beside chosen_messages
        ("C001", 6),  # rejected answer with role "bot"
        ("C002", 7),  # empty rejected answer
    ],
    "trl-prompt-only": [
        ("S003", 2),  # prompt is a number
        ("C015", 3),  # empty prompt
        ("C001", 4),  # role "human"
        ("C002", 5),  # whitespace-only prompt
        ("S003", 6),  # images is a string
        ("C006", 7),  # system message after the user's
        ("S003", 8),  # prompt is null
    ],
    "trl-stepwise": [
        ("S004", 2),  # one label for two steps
        ("S001", 3),  # no labels
        ("S003", 4),  # a label is a string
        ("C015", 5),  # no steps...
        ("S004", 5),  # ...and no labels
        ("C002", 6),  # an empty step
        ("S003", 7),  # prompt is a message list
    ],
}


def sample(format_id: str, kind: str) -> Path:
    """The folder's ``clean``/``broken`` file, ``.jsonl`` or ``.json``."""
    found = sorted((SAMPLES / format_id).glob(f"{kind}.json*"))
    assert len(found) == 1, f"{format_id}: expected one {kind} file, found {found}"
    return found[0]


def verdicts(report: ftdata.Report) -> list[Verdict]:
    return [(issue.code, issue.line) for issue in report.issues]


def test_every_format_has_a_sample_folder() -> None:
    folders = sorted(path.name for path in SAMPLES.iterdir() if path.is_dir())
    assert folders == sorted(format_ids())
    assert sorted(BROKEN) == folders


@pytest.mark.parametrize("format_id", format_ids())
def test_clean_sample_is_detected_and_has_no_issue(format_id: str) -> None:
    report = ftdata.validate(sample(format_id, "clean"),
                             target=DETECTED_UNDER.get(format_id, "generic"))
    assert report.format == format_id
    assert verdicts(report) == []
    assert report.valid_records == report.records >= 10


@pytest.mark.parametrize("format_id", sorted(TARGETS))
def test_clean_sample_passes_its_target(format_id: str) -> None:
    report = ftdata.validate(sample(format_id, "clean"), target=TARGETS[format_id])
    assert report.format == format_id
    assert verdicts(report) == ALLOWED_UNDER_TARGET.get(format_id, [])
    assert report.ok


@pytest.mark.parametrize("format_id", format_ids())
def test_broken_sample_gets_exactly_the_planted_issues(format_id: str) -> None:
    report = ftdata.validate(sample(format_id, "broken"),
                             target=DETECTED_UNDER.get(format_id, "generic"))
    assert report.format == format_id
    assert verdicts(report) == BROKEN[format_id]
    assert not report.ok


#: Clean samples whose every record carries a reasoning trace, beside the format's clean file.
REASONING_SAMPLES = {"openai-chat": "reasoning.jsonl", "bedrock-conversation": "reasoning.jsonl"}


@pytest.mark.parametrize("format_id", sorted(REASONING_SAMPLES))
def test_reasoning_sample_is_clean_and_reasons_everywhere(format_id: str) -> None:
    path = SAMPLES / format_id / REASONING_SAMPLES[format_id]
    report = ftdata.validate(path)
    assert report.format == format_id
    assert verdicts(report) == []
    assert report.valid_records == report.records >= 10
    assert all(any(m.reasoning for m in example.messages if m.role == "assistant")
               for example in ftdata.read(path))
    if format_id == "bedrock-conversation":  # Nova 2 takes reasoningContent blocks
        assert ftdata.validate(path, target="bedrock").ok
