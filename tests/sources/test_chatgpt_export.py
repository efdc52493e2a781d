"""ChatGPT ``conversations.json``: the current branch of each conversation's message tree."""

from __future__ import annotations

import json
from pathlib import Path

from ftdata.conversion import detect_kind
from ftdata.sources.chatgpt_export import looks_like, newest_leaf
from tests.sources import FIXTURES, read

EXPORT = FIXTURES / "chatgpt_conversations.json"


def test_the_current_branch_is_followed_and_tool_traffic_left_out() -> None:
    """The first conversation branches after "4": the abandoned branch ("And 3+3?") is not
    the current one; the hidden system message, the code sent to the python tool and its
    output are not part of the dialogue."""
    assert read(EXPORT, "chatgpt-export") == [
        (1, ("chat", [("user", "What is 2+2?"), ("assistant", "4"),
                      ("user", "And the square root of 2, precisely?"),
                      ("assistant", "√2 ≈ 1.4142135623730951")])),
        (2, ("skip", "message 'u' holds image_asset_pointer, a file the export does not "
                     "include")),
        (3, ("skip", "no assistant turn")),
        (4, ("skip", "node 'missing' is not in the mapping")),
    ]


def test_other_branch_when_current_node_moves(tmp_path: Path) -> None:
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    data[0]["current_node"] = "a2a"
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(data[:1]), encoding="utf-8")
    assert read(path, "chatgpt-export") == [
        (1, ("chat", [("user", "What is 2+2?"), ("assistant", "4"), ("user", "And 3+3?"),
                      ("assistant", "6")]))]


def test_roles_can_keep_tool_output(tmp_path: Path) -> None:
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    data[0]["mapping"]["tool1"]["message"]["content"] = {"content_type": "text",
                                                         "parts": ["1.414"]}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(data[:1]), encoding="utf-8")
    (_, item), = read(path, "chatgpt-export", roles={"tool": "assistant"})
    assert item[1][-1] == ("assistant", "1.414\n√2 ≈ 1.4142135623730951")


def test_a_cycle_and_a_missing_current_node(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([
        {"mapping": {"a": {"parent": "b"}, "b": {"parent": "a"}}, "current_node": "a"},
        {"mapping": {}, "current_node": None}]), encoding="utf-8")
    assert read(path, "chatgpt-export") == [
        (1, ("skip", "the message tree is broken at node 'a'")),
        (2, ("skip", 'S001 the conversation has no "current_node" and no message'))]


def test_looks_like() -> None:
    assert looks_like({"mapping": {}, "current_node": "x"})
    assert not looks_like({"messages": []})


BRANCHES = FIXTURES / "chatgpt_branches_no_current_node.json"


def test_without_current_node_the_newest_leafs_branch_is_read() -> None:
    """No ``current_node``: the branch of the leaf created last. In the first conversation an
    answer was regenerated and a later question edited after the talk went on, so the newest
    branch is neither the one listed last nor the deepest; in the second, ``current_node`` is
    null and the regenerated answer wins over the first one and over a node with no time."""
    assert read(BRANCHES, "chatgpt-export") == [
        (1, ("chat", [("user", "What is the capital of France?"),
                      ("assistant", "Paris is the capital of France."),
                      ("user", "And of Spain?"), ("assistant", "Madrid.")])),
        (2, ("chat", [("user", "2+2?"), ("assistant", "4")])),
        (3, ("skip", 'S001 the conversation has no "current_node" and no message')),
    ]


def test_newest_leaf_ties_go_to_the_node_listed_last() -> None:
    mapping = {"r": {"parent": None},
               "x": {"parent": "r", "message": {"create_time": 5}},
               "y": {"parent": "r", "message": {"create_time": 5}},
               "z": {"parent": "r"}}
    assert newest_leaf(mapping) == "y"
    assert newest_leaf({"r": {"parent": None}, "s": {"parent": "r"}}) == "s"
    assert newest_leaf({}) is None


def test_a_current_node_that_is_not_a_string(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([{"mapping": {}, "current_node": 7}]), encoding="utf-8")
    assert read(path, "chatgpt-export") == [
        (1, ("skip", 'S003 the conversation\'s "current_node" is not a string'))]


def test_an_export_without_current_node_is_recognised() -> None:
    assert detect_kind(BRANCHES) == "chatgpt-export"
    assert looks_like({"title": "Chat", "mapping": {}})
    assert not looks_like({"mapping": {}})
