"""Q007: one system prompt for the examples of a file (its key and its tally)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ftdata.diagnostics import Finding, Severity
from ftdata.model import Example
from ftdata.rules._registry import register

INFO = Severity.INFO

_SYSTEM_ROLES = ("system", "developer")


register("Q007", "inconsistent-system-prompt", INFO, """
    The examples of a file do not share one system prompt.

    **What it does.** Compares the system prompts of all chat examples in a file (leading
    system or developer messages, with whitespace runs collapsed) and reports a file that uses
    several different ones, or where most examples have a system prompt and some have none.
    Files whose examples carry no system prompt at all are fine.

    **Why is this bad?** The model learns to behave as trained only when the prompt at
    inference matches the one it was trained with; examples without it (or with a stray
    variant) teach a second, unprompted behaviour and dilute the first.

    **Example.** 998 examples start with `"You are a helpful assistant."`, two with
    `"You are a helpfull assistant"` and forty have no system message.

    **Use instead.** Give every example the same system prompt (`ftdata convert --system`
    adds one), or none of them.
""", scope="dataset")

def system_prompt_key(example: Example) -> str | None:
    """A short, stable key of an example's system prompt, ``None`` when it has none.

    The leading system (or developer) messages are joined, stripped and their whitespace runs
    collapsed, then hashed, so two prompts that differ only in spacing share a key and a
    file's set of keys stays small whatever the prompts' length. Only chat and preference
    examples have system prompts.

    >>> from ftdata.model import Example, text_message
    >>> one = Example("chat", [text_message("system", "Be  brief.", "/messages/0")])
    >>> two = Example("chat", [text_message("system", "Be brief.\\n", "/messages/0")])
    >>> system_prompt_key(one) == system_prompt_key(two) != None
    True
    >>> system_prompt_key(Example("chat", [text_message("user", "Hi", "/messages/0")]))
    """
    if example.kind not in ("chat", "preference"):
        return None
    parts: list[str] = []
    for message in example.messages:
        if message.role not in _SYSTEM_ROLES:
            break
        parts.append(message.text)
    if not parts:
        return None
    prompt = parts[0] if len(parts) == 1 else "\n".join(parts)
    try:
        return _prompt_keys[prompt]
    except KeyError:
        pass
    # split() and \s agree on what whitespace is, and the join needs no pattern.
    normalized = " ".join(prompt.split())
    key = hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"),
                          digest_size=8).hexdigest() if normalized else None
    if len(_prompt_keys) >= _PROMPT_KEYS_KEPT:
        _prompt_keys.clear()
    _prompt_keys[prompt] = key
    return key


#: The keys of the system prompts seen last, by their text: a file repeats a few prompts in
#: every example, so most examples cost one lookup. Bounded, for files where every prompt
#: is different.
_prompt_keys: dict[str, str | None] = {}
_PROMPT_KEYS_KEPT = 256


def _line(place: Any) -> str:
    return f"line {place}"


class SystemPromptTally:
    """Q007 over a whole file: how many examples use each system prompt, and which have none.

    It keeps one counter and a first place per distinct prompt key (at most
    ``MAX_DISTINCT``), so it stays small whatever the file's size. A place is a line; the
    tally of a partitioned dataset merges its partitions' tallies (:meth:`merge`) with
    places that say which partition, and names them in :meth:`findings`. Each partition
    caps its own keys, so in a dataset where a partition holds more than ``MAX_DISTINCT``
    prompts before the common one, the merged counts (and Q007) can differ from one run over
    the concatenated files.
    """

    MAX_DISTINCT = 10_000
    #: Q007 speaks only when one prompt is used by at least this share of the examples
    #: that have one: files whose every example carries its own context are not inconsistent.
    DOMINANT_SHARE = 0.5

    def __init__(self) -> None:
        self.prompts: dict[str, list[Any]] = {}  # key -> [count, first place]
        self.missing = 0
        self.first_missing: Any = None
        self.conversations = 0

    def observe(self, key: str | None, line: int) -> None:
        self.conversations += 1
        if key is None:
            self.missing += 1
            if self.first_missing is None:
                self.first_missing = line
            return
        entry = self.prompts.get(key)
        if entry is not None:
            entry[0] += 1
        elif len(self.prompts) < self.MAX_DISTINCT:
            self.prompts[key] = [1, line]

    def merge(self, other: SystemPromptTally, place: Callable[[Any], Any]) -> None:
        """Add the tally of the next part of the same dataset; ``place`` turns its places
        into this tally's, which must sort in the dataset's order. Parts are merged in order,
        so a prompt already counted keeps its first place."""
        self.conversations += other.conversations
        self.missing += other.missing
        if self.first_missing is None and other.first_missing is not None:
            self.first_missing = place(other.first_missing)
        for key, (count, first) in other.prompts.items():
            entry = self.prompts.get(key)
            if entry is not None:
                entry[0] += count
            elif len(self.prompts) < self.MAX_DISTINCT:
                self.prompts[key] = [count, place(first)]

    def findings(self, where: Callable[[Any], str] = _line) -> list[Finding]:
        """Q007's finding, if the prompts are inconsistent; ``where`` names a place."""
        with_prompt = self.conversations - self.missing
        if not self.prompts or with_prompt == 0:
            return []
        ranked = sorted(self.prompts.values(), key=lambda entry: (-entry[0], entry[1]))
        count, line = ranked[0]
        if count <= self.DOMINANT_SHARE * with_prompt:
            return []
        others = with_prompt - count
        most_have_one = with_prompt > self.DOMINANT_SHARE * self.conversations
        if not others and not (self.missing and most_have_one):
            return []
        parts = [f"{count:,} of {self.conversations:,} examples use the system prompt of "
                 f"{where(line)}"]
        if others:
            variants = len(ranked) - 1
            first_other = min(entry[1] for entry in ranked[1:])
            parts.append(f"{others:,} {'uses' if others == 1 else 'use'} {variants:,} other "
                         f"prompt{'s' if variants != 1 else ''} (first at {where(first_other)})")
        if self.missing:
            parts.append(f"{self.missing:,} {'has' if self.missing == 1 else 'have'} none "
                         f"(first at {where(self.first_missing)})")
        return [Finding("Q007", "; ".join(parts))]
