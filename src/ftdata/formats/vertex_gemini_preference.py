"""``vertex-gemini-preference``: Google Vertex AI preference tuning records for Gemini models.

A record is the prompt of a supervised tuning record (``contents``, "multi-turn text data that
needs to end with a user turn", and an optional system instruction) plus ``completions``: "a
pair of completions and their scores", each "a single model turn", whose ``score`` is 1 for the
preferred completion and 0 for the dispreferred one; only the completions are trained on. The
data is text only: Vertex's preference tuning "doesn't support multi-modal data". Source:
https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-preference-tuning-prepare
(its example spells the system key ``system_instruction``; ``systemInstruction`` is read too, as
in supervised tuning records).

Turns, parts and the system instruction are read as :mod:`ftdata.formats.vertex_gemini` reads
them. The canonical pair takes the completion with the higher score as ``chosen``; when the
scores do not tell them apart (an S004), the first one listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftdata.diagnostics import Finding
from ftdata.formats import Format, Unrepresentable
from ftdata.formats._write import (
    check_metadata,
    leading_system,
    plain_turn,
    require_kind,
    require_messages,
    require_no_label,
    require_no_tools,
    system_texts,
)
from ftdata.formats.vertex_gemini import (
    PREFERENCE_KEY,
    SYSTEM_INSTRUCTION,
    SYSTEM_KEYS,
    content_shape,
    read_content,
    read_system,
)
from ftdata.model import Example, Message
from ftdata.shapes import Arr, Defs, JSONSchema, Num, Obj, Shape

#: Text parts only ("It doesn't support multi-modal data").
PART_KINDS: dict[str, tuple[str, ...]] = {"user": ("text",), "model": ("text",)}

CONTENT = content_shape("gemini_preference_content", PART_KINDS, "gemini_preference")
#: "A completion is a single model turn".
COMPLETION_CONTENT = content_shape("gemini_completion", {"model": PART_KINDS["model"]},
                                   "gemini_preference")

#: "The only possible value is zero or one. Zero represents the dispreferred completion, while
#: one is the preferred completion."
PREFERRED, DISPREFERRED = 1, 0

COMPLETION = Obj(
    {"score": Num(enum=[DISPREFERRED, PREFERRED], what="score"),
     "completion": COMPLETION_CONTENT},
    required=["score", "completion"], what="completion")


def _score(item: Any) -> float:
    score = item.get("score") if isinstance(item, Mapping) else None
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return float(score)
    return float("-inf")


class ScoredPair(Shape):
    """Two completions, one scored 1 and the other 0: "The pair must have one preferred
    completion and one dispreferred completion". Two equal scores are S004; the JSON Schema
    says it as an array that contains a completion of each score."""

    types = ("array",)

    def __init__(self, item: Shape) -> None:
        self.pair = Arr(item, min_items=2, max_items=2, what="completions")

    def check(self, value: object, pointer: str, out: list[Finding]) -> None:
        found: list[Finding] = []
        self.pair.check(value, pointer, found)
        out.extend(found)
        if found or not isinstance(value, list):
            return  # the pair's own findings say what is wrong first
        scores = {_score(item) for item in value}
        if len(scores) == 1:
            out.append(Finding("S004", f"both completions have score {scores.pop():g}; one "
                                       f"must be preferred ({PREFERRED}), the other not "
                                       f"({DISPREFERRED})", pointer))

    def schema(self, defs: Defs) -> JSONSchema:
        return {**self.pair.schema(defs), "allOf": [
            {"contains": {"type": "object", "properties": {"score": {"const": score}},
                          "required": ["score"]}}
            for score in (PREFERRED, DISPREFERRED)]}


SHAPE = Obj(
    {**{key: SYSTEM_INSTRUCTION for key in SYSTEM_KEYS},
     "contents": Arr(CONTENT, min_items=1, min_code="C015", what="contents"),
     "completions": ScoredPair(COMPLETION)},
    required=["contents", "completions"], what="record")

#: The key only preference records have; a supervised tuning record never does.
PAIR_KEY = PREFERENCE_KEY


def matches(record: Mapping[str, Any]) -> bool:
    # TRL's stepwise records hold ``completions`` too, beside ``prompt`` and ``labels``.
    return PAIR_KEY in record and "prompt" not in record and "labels" not in record


# -- reading ------------------------------------------------------------------------------


def _completion(item: Any, pointer: str) -> list[Message]:
    raw = item.get("completion") if isinstance(item, Mapping) else None
    return read_content(raw, f"{pointer}/completion")


def read_pair(raw: Any) -> tuple[list[Message], list[Message]]:
    """The completions with the highest and the lowest score (the first listed on a tie).

    >>> def model(text): return {"role": "model", "parts": [{"text": text}]}
    >>> pair = read_pair([{"score": 0, "completion": model("No")},
    ...                   {"score": 1, "completion": model("Yes")}])
    >>> [[message.text for message in side] for side in pair]
    [['Yes'], ['No']]
    """
    if not isinstance(raw, list) or not raw:
        return [], []
    ranked = sorted(range(len(raw)), key=lambda index: -_score(raw[index]))
    chosen, rejected = ranked[0], ranked[-1]
    if chosen == rejected:
        return _completion(raw[chosen], f"/{PAIR_KEY}/{chosen}"), []
    return (_completion(raw[chosen], f"/{PAIR_KEY}/{chosen}"),
            _completion(raw[rejected], f"/{PAIR_KEY}/{rejected}"))


def read(record: Mapping[str, Any]) -> Example:
    messages: list[Message] = []
    system = read_system(record)
    if system is not None:
        messages.append(system)
    contents = record.get("contents")
    for index, raw in enumerate(contents if isinstance(contents, list) else ()):
        messages.extend(read_content(raw, f"/contents/{index}"))
    chosen, rejected = read_pair(record.get(PAIR_KEY))
    return Example(kind="preference", messages=messages, chosen=chosen, rejected=rejected)


# -- writing ------------------------------------------------------------------------------

#: Canonical role -> Vertex role: plain text turns only.
WRITE_ROLES = {"user": "user", "assistant": "model"}


def _turn(message: Message) -> dict[str, Any]:
    role, _ = plain_turn(message, WRITE_ROLES, FORMAT.id)
    parts = [{"text": part.text or ""} for part in message.content or ()]
    if not parts:  # as the vertex-gemini writer: a turn holds at least one part
        raise Unrepresentable(f"empty {message.role} turn, which {FORMAT.id} cannot hold")
    return {"role": role, "parts": parts}


def _scored(side: list[Message] | None, score: int) -> dict[str, Any]:
    if not side or len(side) != 1 or side[0].role != "assistant":
        raise Unrepresentable(f"{FORMAT.id} completions are one model turn each")
    return {"score": score, "completion": _turn(side[0])}


def write(example: Example) -> dict[str, Any]:
    """The example's prompt as ``contents``, its answers as a scored pair of model turns.

    >>> pair = Example(kind="preference", messages=[text_message("user", "Hi", "")],
    ...                chosen=[text_message("assistant", "Hello!", "")],
    ...                rejected=[text_message("assistant", "Go.", "")])
    >>> [item["score"] for item in write(pair)["completions"]]
    [1, 0]
    """
    require_kind(example, FORMAT.id, ("preference",))
    require_no_label(example, FORMAT.id)
    require_no_tools(example, FORMAT.id)
    check_metadata(example, FORMAT.id)
    system, turns = leading_system(example.messages, FORMAT.id)
    require_messages(turns, FORMAT.id, "prompt")
    if turns[-1].role != "user":
        raise Unrepresentable(f"{FORMAT.id} prompts end with the user's turn, "
                              f"not with {turns[-1].role}")
    record: dict[str, Any] = {}
    if system:
        # The spelling of Vertex's preference tuning example.
        record["system_instruction"] = {
            "parts": [{"text": text} for text in system_texts(system, FORMAT.id)]}
    record["contents"] = [_turn(message) for message in turns]
    record[PAIR_KEY] = [_scored(example.chosen, PREFERRED),
                        _scored(example.rejected, DISPREFERRED)]
    return record


FORMAT = Format(
    id="vertex-gemini-preference",
    title="Vertex AI Gemini preference tuning record",
    description='{"system_instruction"?: {"parts": [{"text"}]}, '
                '"contents": [{"role": "user" | "model", "parts": [{"text"}]}, ..., user turn], '
                '"completions": [{"score": 1, "completion": model turn}, '
                '{"score": 0, "completion": model turn}]}',
    kind="preference",
    shape=SHAPE,
    matches=matches,
    read=read,
    write=write,
    family="vertex-gemini-preference",
    used_by="Google Vertex AI Gemini preference tuning",
)
