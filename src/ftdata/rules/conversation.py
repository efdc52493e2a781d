"""Conversation rules (C): roles, turn order, content, weights, tool calls, images, pairs.

C001, C007 (values) and C015 come from the format's shape, because they are structural; the
rest look at the canonical :class:`ftdata.model.Example`, so one check serves every format.

Every check runs on every record, and most records are clean. So each check first makes one
cheap pass that only asks whether anything could be wrong, and returns an empty tuple when
nothing is; only the rare record that fails the pass gets the full walk, which builds the
findings. The cheap pass must never return early on a record the full walk would report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from ftdata.diagnostics import Finding, Severity, redact_quoted
from ftdata.formats._reasoning import THINK_OPEN, unclosed_think
from ftdata.model import ROLES, THINK_TAGS, Example, Message, ToolCall
from ftdata.rules._registry import RuleContext, register, rule
from ftdata.scan.texts import text_pointer
from ftdata.targets import Target

E, W = Severity.ERROR, Severity.WARNING

_TOOL_RESULT_ROLES = ("tool", "function")
_SYSTEM_ROLES = ("system", "developer")
# Sets for the hot loops: a miss costs one hash lookup instead of a comparison per member.
_TOOL_RESULT_ROLE_SET = frozenset(_TOOL_RESULT_ROLES)
_SYSTEM_ROLE_SET = frozenset(_SYSTEM_ROLES)


def _container(messages: list[Message]) -> str:
    """The pointer of the array holding these messages (``/messages``)."""
    if not messages or not messages[0].pointer:
        return ""
    head, _, tail = messages[0].pointer.rpartition("/")
    return head if tail.isdigit() else messages[0].pointer


def _roles_known(example: Example) -> bool:
    # An unknown role is reported once, as C001; order rules would only repeat it.
    return all(message.role in ROLES for message in example.all_messages())


def _content_pointer(message: Message) -> str:
    """Where a message's content is: its one part, the array holding several parts (Gemini's
    ``parts``, not a ``content`` key), or the message itself when it has no part."""
    content = message.content
    if content and len(content) == 1:
        return content[0].pointer
    if content and all(part.pointer for part in content):
        common: list[str] = []
        for tokens in zip(*(part.pointer.split("/") for part in content), strict=False):
            if any(token != tokens[0] for token in tokens):
                break
            common.append(tokens[0])
        if len(common) > 1:
            return "/".join(common)
    return message.pointer or message.content_pointer


def _ordered(example: Example, context: RuleContext) -> bool:
    """Whether the conversation-order rules apply to this example."""
    return (example.kind == "chat" and context.format.conversational
            and not context.format.ends_with_user and _roles_known(example))


@rule("C001", "unknown-role", E, structural=True)
def unknown_role(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A message has a role the format does not define, or the target does not accept.

    **What it does.** Checks each message's role (or ShareGPT's `from`, Gemini's `role`) against
    the format's list, and against the target's: Together accepts `system`, `user` and
    `assistant` only; Mistral `system`, `user`, `assistant` and `tool`.

    **Why is this bad?** The provider rejects the record; a trainer that maps roles by name
    drops the turn or fails.

    **Example.** `{"role": "model", "content": "Paris"}` in an OpenAI file, or Cohere's
    `Chatbot`; `{"role": "developer", ...}` with `--target together`.

    **Use instead.** `{"role": "assistant", "content": "Paris"}` (`ftdata convert --roles
    model=assistant` rewrites a whole file).
    """
    # The format's roles are the shape's to check; this only knows the target's.
    roles = context.target.roles
    if roles is None or example.kind == "text":
        return ()
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        if message.role not in roles and message.role in ROLES:
            return [Finding("C001", f"role {m.role!r} is not accepted by {context.target.id} "
                                    f"(it accepts {', '.join(roles)})",
                            m.role_pointer or m.pointer + "/role")
                    for m in messages if m.role not in roles and m.role in ROLES]
    return ()


@rule("C002", "empty-content", E)
def empty_content(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A message, prompt or completion has no text.

    **What it does.** Reports content that is empty or only whitespace (an assistant turn that
    only calls tools may have no content). Together also needs content, a string or a list,
    on every message, tool calls or not. An assistant turn with neither content nor tool calls is
    S001 on every target.

    **Why is this bad?** The cloud providers reject it: OpenAI's data checks count an empty
    content as missing (https://cookbook.openai.com/examples/chat_finetuning_data_prep,
    `missing_content`). An empty assistant turn teaches the model to answer with nothing (the
    end-of-turn token is all it learns there); an empty user turn asks nothing. The trainers
    (TRL, Axolotl, LLaMA-Factory, AutoTrain) accept and train such a turn without failing, so
    their targets report it as a warning: the data is suspect, the run is not broken.

    **Example.** `{"role": "assistant", "content": ""}`

    **Use instead.** Fill in the turn, or drop the example.
    """
    if example.kind == "text":
        if example.text is not None and not example.text.strip():
            return [Finding("C002", "the text is empty", "/text")]
        return ()
    # all_messages() copies the list; most examples have no continuations to add.
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    target = context.target
    for message in messages:
        content = message.content
        if content is None:
            # An assistant turn with neither content nor calls is S001, from the shape.
            if target.content_required:
                return list(_missing_content_findings(messages, context))
            continue
        if len(content) == 1:  # the common case, checked without the loop
            part = content[0]
            text = part.text
            if text and part.type == "text" and not text.isspace():
                continue
        # A non-text part, a malformed part or any non-blank text keeps the message quiet.
        for part in content:
            if part.type != "text":
                break
            text = part.text
            if text is None or (text and not text.isspace()):
                break
        else:
            if message.role != "assistant" or not message.tool_calls:
                return list(_missing_content_findings(messages, context))
    return ()


def _missing_content_findings(messages: list[Message],
                              context: RuleContext) -> Iterator[Finding]:
    target = context.target
    for message in messages:
        if message.content is not None:
            continue
        if target.content_required:
            yield Finding("C002", f"{message.role or 'message'} message has no content "
                                  f"({target.id} needs a string or a list of parts)",
                          message.pointer)
    yield from _empty_content_findings(messages)


def _empty_content_findings(messages: list[Message]) -> Iterator[Finding]:
    for message in messages:
        if message.content is None:
            continue
        if message.role == "assistant" and message.tool_calls:
            continue
        if any(part.type == "text" and part.text is None for part in message.content):
            continue  # a malformed part: the shape reports it
        has_media = any(part.type != "text" for part in message.content)
        if not has_media and not message.text.strip():
            what = "empty" if not message.text else "only whitespace"
            yield Finding("C002", f"{message.role or 'message'} content is {what}",
                          _content_pointer(message))


@rule("C003", "no-assistant-message", E, needs_structure=True)
def no_assistant_message(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A conversation has no assistant message.

    **What it does.** Checks that a chat example has at least one assistant turn. It does not
    apply to reinforcement fine-tuning (`openai-rft`, `bedrock-rft`), whose last turn is the
    user's.

    **Why is this bad?** The owners refuse it: OpenAI's data checks
    (`example_missing_assistant_message`, https://cookbook.openai.com/examples/
    chat_finetuning_data_prep), Together's `check_file` (together 1.5.35,
    together/utils/files.py, `_check_conversation_roles`), and LLaMA-Factory, which skips a
    conversation whose turns do not pair up (src/llamafactory/data/converter.py:173-180). A
    trainer that learns only from assistant turns has nothing to learn from it, which breaks
    the loss as C008 explains.

    **Example.** `{"messages": [{"role": "user", "content": "Hi"}]}`

    **Use instead.** `{"messages": [{"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"}]}`
    """
    messages = example.messages
    if not messages:
        return ()
    for message in messages:
        if message.role == "assistant":
            return ()
    if not _ordered(example, context):
        return ()
    return [Finding("C003", "the conversation has no assistant message", _container(messages))]


@rule("C004", "last-message-not-assistant", W, needs_structure=True)
def last_message_not_assistant(example: Example, context: RuleContext) -> Sequence[Finding]:
    """The conversation does not end with an assistant message.

    **What it does.** Checks the last turn of a chat example.

    **Why is this bad?** Turns after the last assistant reply are never trained on; usually the
    answer was cut off. Mistral and Bedrock reject such examples.

    **Example.** `[user, assistant, user]`

    **Use instead.** End every example with the assistant's reply.
    """
    messages = example.messages
    if not messages:
        return ()
    last = messages[-1]
    if last.role == "assistant":
        return ()
    for message in messages:
        if message.role == "assistant":
            break
    else:
        return ()  # C003 says it
    if not _ordered(example, context):
        return ()
    return [Finding("C004", f"the last message is {last.role!r}, not 'assistant'",
                    last.pointer)]


@rule("C005", "roles-not-alternating", W, needs_structure=True)
def roles_not_alternating(example: Example, context: RuleContext) -> Sequence[Finding]:
    """User and assistant turns do not alternate.

    **What it does.** After any leading system message, user and assistant turns must take
    turns, and there must be at least one user turn. An assistant turn that calls tools, the
    tool results that answer it and the assistant message after them count as one assistant
    turn. With `--target bedrock` the conversation must also start with a user turn.
    With `--target together` the rule is Together's own: two messages in a row with the same
    role, system included, are refused, and so is a preference input that ends with the
    assistant; nothing else about the order is. With `--target mistral` it is Mistral's: a
    conversation with more than one system message, or whose only turn besides the system
    prompt is not the user's, is refused; repeated turns are not.

    **Why is this bad?** Chat templates of many open models raise on two user turns in a row;
    Bedrock rejects the record; two assistant turns in a row usually mean a lost user turn.

    **Example.** `[user, user, assistant]`

    **Use instead.** Merge the two user turns into one, or add the missing turn.
    """
    target = context.target
    if (target.no_repeated_roles or target.lone_turn_must_be_user
            or target.max_system_messages is not None):
        return _target_order(example, context)
    if example.kind != "chat":
        return ()
    fmt = context.format
    if not fmt.conversational or fmt.ends_with_user:
        return ()
    strict = context.target.strict_alternation
    # The walk of _alternation_findings reduced to "would it report anything?": a turn repeats
    # the previous one unless that one called tools, and a tool result never repeats a turn.
    previous: str | None = None  # the role of the previous message that is not a system one
    previous_calls: list[ToolCall] = []
    has_user = False
    for message in example.messages:
        role = message.role
        if role == "user":
            if previous == "user" and not previous_calls:
                break
            has_user = True
        elif role == "assistant":
            if previous is None:
                if strict:
                    break
            elif previous == "assistant" and not previous_calls:
                break
        elif role in _TOOL_RESULT_ROLE_SET:
            if previous is None and strict:
                break
        elif role in _SYSTEM_ROLE_SET:
            continue
        else:
            return ()  # an unknown role: C001 says it, and the order is not judged
        previous = role
        previous_calls = message.tool_calls
    else:
        if has_user or previous is None:
            return ()
    return list(_alternation_findings(example, context))


def _target_order(example: Example, context: RuleContext) -> Sequence[Finding]:
    """The target's own order rules, in place of the alternation above: two messages in a row
    with the same role, a preference input ending with the assistant (Together); a lone turn
    that is not the user's, more system messages than one (Mistral)."""
    if example.kind != "preference" and (example.kind != "chat"
                                         or not context.format.conversational):
        return ()
    messages = example.messages
    findings: list[Finding] = []
    target = context.target.id
    limit = context.target.max_system_messages
    if limit is not None and example.kind == "chat":
        systems = [message for message in messages if message.role in _SYSTEM_ROLE_SET]
        for message in systems[limit:]:
            findings.append(Finding("C005", f"{len(systems)} system messages ({target} accepts "
                                            f"{limit})", message.pointer))
    if context.target.lone_turn_must_be_user and example.kind == "chat":
        turns = [message for message in messages if message.role not in _SYSTEM_ROLE_SET]
        if len(turns) == 1 and turns[0].role != "user":
            findings.append(Finding("C005", f"the conversation's only turn is {turns[0].role!r}"
                                            f" ({target} wants a user turn before it)",
                                    turns[0].pointer))
    if not context.target.no_repeated_roles:
        return findings
    for previous, message in pairwise(messages):
        if message.role == previous.role:
            findings.append(Finding("C005", f"two {message.role} messages in a row ({target} "
                                            f"refuses it)", message.pointer))
    if example.kind == "preference" and messages and messages[-1].role == "assistant":
        findings.append(Finding("C005", f"the input ends with an assistant message, so the "
                                        f"answers follow another one ({target} refuses it)",
                                messages[-1].pointer))
    return findings


def _alternation_findings(example: Example, context: RuleContext) -> Iterator[Finding]:
    if not _ordered(example, context):
        return
    turns = [m for m in example.messages if m.role not in _SYSTEM_ROLES]
    if turns and not any(m.role == "user" for m in turns):
        yield Finding("C005", "the conversation has no user message", turns[0].pointer)
        return
    previous: str | None = None
    in_tool_turn = False  # after an assistant message that calls tools, or a tool result
    for message in example.messages:
        role = message.role
        if role in _SYSTEM_ROLES:
            continue
        turn = "assistant" if role in _TOOL_RESULT_ROLES else role
        if previous is None and context.target.strict_alternation and turn != "user":
            yield Finding("C005", f"the conversation starts with {role!r}, not 'user'",
                          message.pointer)
        elif turn == previous and not in_tool_turn and role not in _TOOL_RESULT_ROLES:
            yield Finding("C005", f"two {turn} turns in a row", message.pointer)
        in_tool_turn = bool(message.tool_calls) or role in _TOOL_RESULT_ROLES
        previous = turn


@rule("C006", "misplaced-system-message", W)
def misplaced_system_message(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A system message appears after the conversation has started.

    **What it does.** Reports system (or developer) messages that follow a user or assistant
    turn.

    **Why is this bad?** Most chat templates only place a system prompt first; a later one is
    dropped, moved or rendered as plain text, and providers may reject it.

    **Example.** `[user, assistant, system, user, assistant]`

    **Use instead.** Put the system prompt first, once.
    """
    if example.kind != "chat" or not context.format.conversational:
        return ()
    system = _SYSTEM_ROLE_SET
    messages = iter(example.messages)
    for message in messages:
        if message.role not in system:
            break  # the conversation has started: the rest of the iterator follows it
    for message in messages:
        if message.role in system:
            return list(_misplaced_system_findings(example.messages))
    return ()


def _misplaced_system_findings(messages: list[Message]) -> Iterator[Finding]:
    started = False
    for message in messages:
        if message.role in _SYSTEM_ROLES:
            if started:
                yield Finding("C006", f"{message.role} message after the conversation started",
                              message.pointer)
        else:
            started = True


@rule("C007", "invalid-weight", E, structural=True)
def invalid_weight(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A message's `weight` is not 0 or 1, or is on a message that is not the assistant's.

    **What it does.** Checks `weight` values and where they appear. With `--target together`,
    a weight of 0 or 1 may sit on any message, as Together documents, but it must be a JSON
    integer (Together refuses `1.0`) and may not be 1 on a message holding an image.
    LLaMA-Factory v1's `loss_weight` multiplies the loss instead: any number of 0 or more on
    any turn, so there only a negative one is reported.

    **Why is this bad?** OpenAI accepts only 0 (do not train on this turn) and 1 (train), and
    only on assistant messages; anything else rejects the file. A negative loss weight would
    push the model away from the turn.

    **Example.** `{"role": "assistant", "content": "...", "weight": 0.5}`

    **Use instead.** `"weight": 0` or `"weight": 1`, on assistant messages only.
    """
    # The values and places are the shape's to check; this only knows the target's own rules.
    target = context.target
    if not (target.integer_weights or target.weights_on_any_message
            or target.no_weight_on_images):
        return ()
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        if message.weight is not None:
            return list(_target_weight_findings(messages, target))
    return ()


def _target_weight_findings(messages: list[Message], target: Target) -> Iterator[Finding]:
    for message in messages:
        weight = message.weight
        if weight is None:
            continue
        pointer = message.weight_pointer or message.pointer + "/weight"
        if target.integer_weights and isinstance(weight, float):
            yield Finding("C007", f"weight {weight} is not an integer ({target.id} wants 0 or "
                                  f"1)", pointer)
        elif target.weights_on_any_message and message.role != "assistant" \
                and weight not in (0, 1):
            yield Finding("C007", "weight must be 0 or 1", pointer)
        if target.no_weight_on_images and weight and any(
                part.type == "image" for part in message.content or ()):
            yield Finding("C007", f"a message with an image has a non-zero weight ({target.id} "
                                  f"refuses it)", pointer)


@rule("C008", "nothing-to-train", E)
def nothing_to_train(example: Example, context: RuleContext) -> Sequence[Finding]:
    """Every assistant message has weight 0.

    **What it does.** Checks that at least one assistant turn is trained on.

    **Why is this bad?** It is an error because training on it is broken, not only wasted:
    nothing in the example carries a label, and a batch made of such examples has no trained
    token at all, so the loss, an average over the trained tokens, divides by zero and turns
    NaN (transformers' causal-LM loss with every label masked), which stops or corrupts the
    run. A provider bills its tokens for no learning.

    **Example.** A conversation whose assistant turns all carry `"weight": 0`.

    **Use instead.** Set `"weight": 1` on the turns worth learning, or drop the example.
    """
    if example.kind != "chat":
        return ()
    messages = example.messages
    for message in messages:
        if message.weight is not None:
            break
    else:
        return ()  # weights are rare: without any, no assistant message has weight 0
    assistants = [m for m in messages if m.role == "assistant"]
    if assistants and all(m.weight == 0 for m in assistants):
        return [Finding("C008", "every assistant message has weight 0", _container(messages))]
    return ()


_DECODER = json.JSONDecoder()


def _argument_problem(arguments: object) -> str | None:
    if isinstance(arguments, dict):
        return None
    if not isinstance(arguments, str):
        return "arguments must be a JSON object or a string holding one"
    if arguments[:1] == "{":
        # Most arguments are one compact object: the decoder's own scanner accepts exactly
        # what json.loads does, without the whitespace skipping around it.
        try:
            _, end = _DECODER.raw_decode(arguments)
        except (ValueError, RecursionError):
            pass
        else:
            if end == len(arguments):
                return None
    try:
        decoded = json.loads(arguments)
    except (ValueError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        return f"arguments are not valid JSON ({reason})"
    if isinstance(decoded, (dict, str)):
        return None  # a string holding JSON again is double encoding, reported by Q005
    return "arguments must encode a JSON object"


@rule("C009", "invalid-tool-call", E)
def invalid_tool_call(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A tool call is malformed.

    **What it does.** Checks that every tool call names a function, that its arguments are a
    JSON object (or a string that decodes to one), that ids are unique in the example, and the
    target's own rules (Mistral: ids of 9 letters or digits; content or tool calls, not both;
    function names of letters, digits, `_` and `-`).

    **Why is this bad?** The provider rejects the record, or the model learns to emit calls
    that no tool can parse.

    **Example.** `"arguments": "{location: Paris}"`

    **Use instead.** `"arguments": "{\\"location\\": \\"Paris\\"}"`
    """
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        if message.tool_calls:
            return _tool_call_findings(messages, context)
    return ()


def _tool_call_findings(messages: list[Message], context: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    target = context.target
    pattern = target.tool_call_id_pattern
    name_pattern = target.function_name_pattern
    for message in messages:
        for call in message.tool_calls:
            if name_pattern and call.name and not re.fullmatch(name_pattern, call.name):
                findings.append(Finding("C009", f"the function name does not match "
                                                f"{name_pattern} ({target.id})", call.pointer))
            problem = _argument_problem(call.arguments)
            if problem:
                findings.append(Finding("C009", problem, call.arguments_pointer or call.pointer))
            elif not call.name.strip():
                findings.append(Finding("C009", "the tool call has no function name",
                                        call.pointer))
            call_id = call.id
            if call_id is not None:
                if call_id in seen:
                    findings.append(Finding("C009", f"tool call id {call_id!r} is used twice",
                                            call.pointer))
                seen.add(call_id)
                exempt = (call_id == target.last_tool_call_id_exempt
                          and message is messages[-1])
                if pattern and not exempt and not re.fullmatch(pattern, call_id):
                    findings.append(Finding("C009", f"tool call id {call_id!r} does not match "
                                                    f"{pattern} ({target.id})", call.pointer))
    if target.content_xor_tool_calls:
        for message in messages:
            if message.tool_calls and message.text.strip():
                findings.append(Finding("C009", f"an assistant message has both content and "
                                                f"tool calls ({target.id} accepts one or the "
                                                f"other)", message.pointer))
    return findings


@rule("C010", "unanswered-tool-call", W)
def unanswered_tool_call(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A tool call in the middle of a conversation gets no tool result.

    **What it does.** For every assistant turn with tool calls that is not the last message,
    looks for a tool message answering each call (by `tool_call_id`) before the next user
    turn. A final assistant turn that only calls tools is fine: the call is what is trained.

    **Why is this bad?** The model learns to continue as if it had seen a result it never got.

    **Example.** `[user, assistant(tool_calls=[call_1]), assistant("It is sunny")]`

    **Use instead.** Insert `{"role": "tool", "tool_call_id": "call_1", "content": "..."}`.
    """
    messages = example.messages
    for message in messages:
        if message.tool_calls:
            return _unanswered_findings(messages)
    return ()


def _unanswered_findings(messages: list[Message]) -> list[Finding]:
    findings: list[Finding] = []
    results = _TOOL_RESULT_ROLE_SET
    for index in range(len(messages) - 1):
        calls = messages[index].tool_calls
        if not calls:
            continue
        answered_ids: set[str] = set()
        answers = 0
        for later in messages[index + 1:]:
            role = later.role
            if role in results:
                answers += 1
                if later.tool_call_id:
                    answered_ids.add(later.tool_call_id)
            elif role == "user" or (role == "assistant" and later.tool_calls):
                break
        for position, call in enumerate(calls):
            if call.id is not None and answered_ids:
                unanswered = call.id not in answered_ids
            else:
                unanswered = position >= answers
            if unanswered:
                label = f" {call.id!r}" if call.id else ""
                findings.append(Finding("C010", f"tool call{label} ({call.name or '?'}) has no "
                                                f"tool result", call.pointer))
    return findings


@rule("C011", "orphan-tool-message", E)
def orphan_tool_message(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A tool result does not answer any earlier tool call.

    **What it does.** Checks that each tool (or function) message follows an assistant turn
    with tool calls and, when it has a `tool_call_id`, that the id is one of those calls.

    **Why is this bad?** Providers reject the record; templates that pair calls with results
    fail or mis-render.

    **Example.** `[user, assistant("Let me check"), tool(id="call_1", ...)]`

    **Use instead.** Put the call on the assistant turn (`tool_calls`) and answer it with
    `tool_call_id`.
    """
    messages = example.messages
    results = _TOOL_RESULT_ROLE_SET
    for message in messages:
        if message.role in results:
            return _orphan_findings(messages)
    return ()


def _orphan_findings(messages: list[Message]) -> list[Finding]:
    findings: list[Finding] = []
    results = _TOOL_RESULT_ROLE_SET
    open_ids: set[str] = set()
    open_calls = 0
    for message in messages:
        role = message.role
        if role == "assistant":
            calls = message.tool_calls
            open_ids = set()
            for call in calls:
                if call.id:
                    open_ids.add(call.id)
            open_calls = len(calls)
        elif role in results:
            answered = message.tool_call_id
            if open_calls == 0:
                findings.append(Finding("C011", f"{role} message without a preceding tool call",
                                        message.pointer))
            elif answered and open_ids and answered not in open_ids:
                findings.append(Finding("C011", f"tool_call_id {answered!r} answers no earlier "
                                                f"tool call", message.tool_call_id_pointer
                                        or message.pointer + "/tool_call_id"))
        elif role == "user":
            open_ids, open_calls = set(), 0
    return findings


def _declared_names(tools: list[dict[str, object]]) -> set[str]:
    names: set[str] = set()
    for tool in tools:
        function = tool.get("function")
        name = function.get("name") if isinstance(function, dict) else tool.get("name")
        if isinstance(name, str):
            names.add(name)
    return names


@rule("C012", "undeclared-tool", W)
def undeclared_tool(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A tool call names a function that the example's `tools` do not declare.

    **What it does.** When an example declares its tools, checks every call against them.

    **Why is this bad?** The model learns to call functions it will not be offered at inference
    time, usually because of a typo or a renamed tool.

    **Example.** `tools` declares `get_weather`; the assistant calls `get_wether`.

    **Use instead.** Declare every tool the example calls, with the same name.
    """
    tools = example.tools
    if tools is None:
        return ()
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        if message.tool_calls:
            return _undeclared_findings(_declared_names(tools), messages)
    return ()


def _undeclared_findings(names: set[str], messages: list[Message]) -> list[Finding]:
    findings: list[Finding] = []
    for message in messages:
        for call in message.tool_calls:
            if call.name and call.name not in names:
                findings.append(Finding("C012", f"tool {call.name!r} is not declared in tools",
                                        call.pointer))
    return findings


#: Web URLs, the providers' storage URIs (Vertex ``gs://``, Bedrock ``s3://``), base64 data URIs.
_IMAGE_URL = re.compile(r"((?:https?|gs|s3)://\S+|data:image/[a-zA-Z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+)")


@rule("C013", "invalid-image", E)
def invalid_image(example: Example, context: RuleContext) -> Sequence[Finding]:
    """An image reference is unusable or in the wrong place.

    **What it does.** Checks that image URLs are `http(s)` URLs or base64 `data:image/...`
    URIs (formats whose trainer loads local files, such as `llamafactory-v1`, may name a
    path), and the target's limits (OpenAI, Together: images only in user messages; Together:
    at most 10 an example, and only base64 `data:image/jpeg`, `png` or `webp` URIs, no web
    address). Placeholders that do not match the record's `images` are C016.

    **Why is this bad?** The provider rejects the record, or cannot fetch the image.

    **Example.** `{"type": "image_url", "image_url": {"url": "photo.png"}}`

    **Use instead.** `{"type": "image_url", "image_url": {"url": "https://.../photo.png"}}`
    """
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        content = message.content
        if content and (content[0].type == "image" or (
                len(content) > 1 and any(part.type == "image" for part in content))):
            return list(_image_findings(example, messages, context))
    limit = context.target.max_images_per_example
    # Without image parts only a limit below zero can be exceeded.
    if limit is not None and limit < 0:
        return list(_image_findings(example, messages, context))
    return ()


def _image_findings(example: Example, messages: list[Message],
                    context: RuleContext) -> Iterator[Finding]:
    target = context.target
    count = 0
    for message in messages:
        for part in message.content or ():
            if part.type != "image":
                continue
            count += 1
            if part.url is not None and target.image_url_pattern is not None:
                if not re.fullmatch(target.image_url_pattern, part.url, re.DOTALL):
                    yield Finding("C013", f"image URL does not match {target.image_url_pattern}"
                                          f" ({target.id} accepts only these)", part.pointer)
            elif (part.url is not None and not context.format.local_media
                    and not _IMAGE_URL.fullmatch(part.url)):
                # Masked before it is cut: a cut secret is no longer recognised as one.
                shown = redact_quoted(part.url)
                shown = shown if len(shown) <= 40 else shown[:37] + "..."
                yield Finding("C013", f"image URL {shown!r} is neither a URL nor a base64 "
                                      f"data URI", part.pointer)
            if target.images_only_in_user and message.role != "user":
                yield Finding("C013", f"image in a {message.role} message ({target.id} accepts "
                                      f"images only in user messages)", part.pointer)
    if target.max_images_per_example is not None and count > target.max_images_per_example:
        yield Finding("C013", f"{count} images in one example ({target.id} accepts at most "
                              f"{target.max_images_per_example})", _container(example.messages))


def _signature(messages: list[Message]) -> tuple[tuple[str, str, str], ...]:
    return tuple((m.role, m.text.strip(), repr([(c.name, c.arguments) for c in m.tool_calls]))
                 for m in messages)


@rule("C014", "identical-preference", E)
def identical_preference(example: Example, context: RuleContext) -> Sequence[Finding]:
    """The chosen and rejected answers of a preference pair are the same.

    **What it does.** Compares the two sides of a preference pair (after trimming whitespace).

    **Why is this bad?** The pair carries no signal: DPO's loss on it is the constant log 2,
    whose gradient is zero, and a reward model's margin on it is always zero. It is almost
    certainly a data mistake (the rejected side copied from the chosen one), so it is an error
    for the providers, whose jobs run on a file once uploaded. The run is not broken, though,
    and the trainers (TRL, Axolotl, LLaMA-Factory, AutoTrain) train the rest of the batch
    as intended, so their targets report it as a warning.

    **Example.** `"preferred_output": [{"role": "assistant", "content": "Yes"}]` and the same
    under `non_preferred_output`.

    **Use instead.** Make the rejected answer the worse one, or drop the pair.
    """
    if example.kind != "preference" or example.chosen is None or example.rejected is None:
        return ()
    if example.chosen and _signature(example.chosen) == _signature(example.rejected):
        return [Finding("C014", "the chosen and rejected answers are identical",
                        _container(example.rejected) or None)]
    return ()


register("C015", "empty-conversation", E, """
    A conversation has no messages at all.

    **What it does.** Reports an empty `messages` (or `conversations`, `contents`) array.

    **Why is this bad?** There is nothing to train on; the provider rejects the record.

    **Example.** `{"messages": []}`

    **Use instead.** Drop the record, or fill in the conversation.
""", structural=True,
         raised_by=("ftdata.formats._openai", "ftdata.formats.trl_stepwise",
                    "ftdata.formats.vertex_gemini", "ftdata.formats.vertex_gemini_preference"))


#: LLaMA-Factory's media placeholders and the record keys that list their files, in the order
#: its check reports them (hiyouga/LLaMA-Factory, src/llamafactory/extras/constants.py:24, 52
#: and 140; data/README.md:310-360: "The number of images should be identical to the <image>
#: tokens in the conversations", and the same for videos and audios).
_MEDIA = (("<image>", "images", "image"), ("<video>", "videos", "video"),
          ("<audio>", "audios", "audio"))


@rule("C016", "media-count-mismatch", E)
def media_count_mismatch(example: Example, context: RuleContext) -> Sequence[Finding]:
    """The `<image>`, `<video>` or `<audio>` placeholders do not match the record's media.

    **What it does.** In a record that lists media files (`images`, `videos`, `audios`, as
    LLaMA-Factory's multimodal datasets do), counts each kind's placeholder in the turns and
    compares it with the number of files of that kind; a kind with no list counts as none.

    **Why is this bad?** LLaMA-Factory pairs the n-th placeholder with the n-th file and
    refuses a record whose counts differ: its multimodal plugins raise "The number of images
    does not match the number of <image> tokens" (src/llamafactory/data/mm_plugin.py:189-216,
    `_validate_messages`), and the run stops. Were it not refused, the model would train on a
    text that refers to media it never saw.

    **Example.** `{"messages": [{"role": "user", "content": "<image>What is this?"}, ...],
    "images": ["a.jpg", "b.jpg"]}`

    **Use instead.** One placeholder per file, in order: `"<image><image>What are these?"`,
    or drop the file that no turn refers to.
    """
    metadata = example.metadata
    if not metadata or not any(isinstance(metadata.get(key), list) for _, key, _ in _MEDIA):
        return ()
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    findings: list[Finding] = []
    for token, key, noun in _MEDIA:
        files = metadata.get(key)
        given = len(files) if isinstance(files, list) else 0
        placeholders = sum(message.text.count(token) for message in messages)
        if placeholders != given:
            findings.append(Finding("C016", f"{_count(placeholders, token + ' placeholder')} "
                                            f"but {_count(given, noun)}", f"/{key}"))
    return findings


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
@rule("C017", "invalid-reasoning", E)
def invalid_reasoning(example: Example, context: RuleContext) -> Sequence[Finding]:
    """A reasoning trace is empty or not the assistant's, or a `<think>` block is never closed.

    **What it does.** Checks every reasoning trace, wherever the format keeps it (a
    `reasoning`, `reasoning_content` or `thinking` field, a Bedrock `reasoningContent` block, a
    `<think>` block opening the assistant's content): a field must hold text, and only
    assistant turns have one. An assistant content that opens a `<think>` block without its
    `</think>` is reported too. An empty `<think></think>` block written in the content is
    not: it is Qwen3's own spelling of a turn that answers without thinking (its chat
    template writes `<think>\\n\\n</think>` when `enable_thinking` is false; Qwen/Qwen3-8B,
    `tokenizer_config.json`), and hybrid data mixes such turns with reasoning ones on purpose.

    **Why is this bad?** An empty reasoning field is a trace that was lost on the way: the
    template renders an empty thought, and the model learns to think nothing before answers
    that were written with reasoning; a trace on a user or system turn is a broken record that
    providers reject and chat templates drop; an unclosed `<think>` block makes the trainer
    read the answer as reasoning, so the model learns never to close it.

    **Example.** `{"role": "assistant", "content": "<think>Two and two make 4"}`, or
    `{"role": "assistant", "content": "4", "reasoning_content": ""}`.

    **Use instead.** `{"role": "assistant", "content": "<think>Two and two.</think>4"}`, or
    leave the reasoning key out of a turn that has none.
    """
    messages = example.all_messages() if example.chosen or example.rejected else example.messages
    for message in messages:
        if message.reasoning is not None:
            return list(_reasoning_findings(messages))
        content = message.content
        if content and message.role == "assistant":
            text = content[0].text
            if text and text.startswith(THINK_OPEN):
                return list(_reasoning_findings(messages))
    return ()


def _reasoning_findings(messages: list[Message]) -> Iterator[Finding]:
    for message in messages:
        reasoning = message.reasoning
        where = message.reasoning_pointer or message.pointer or None
        if reasoning is not None:
            if message.role != "assistant":
                yield Finding("C017", f"reasoning on a {message.role or 'message'} turn (only "
                                      f"assistant turns have reasoning)", where)
            elif not reasoning.strip() and message.reasoning_source != THINK_TAGS:
                # An empty <think> block written in the content is Qwen3's own spelling of a
                # turn that answers without thinking (its template writes <think>\n\n</think>
                # when enable_thinking is false: Qwen/Qwen3-8B, tokenizer_config.json), the
                # hybrid data that teaches both modes: kept quiet. An empty field is not.
                what = "empty" if not reasoning else "only whitespace"
                yield Finding("C017", f"assistant reasoning is {what}", where)
        content = message.content
        if content and message.role == "assistant":
            part = content[0]
            if part.type == "text" and part.text and unclosed_think(part.text):
                yield Finding("C017", "the <think> block that opens the assistant content is "
                                      "never closed", text_pointer(message, part))
